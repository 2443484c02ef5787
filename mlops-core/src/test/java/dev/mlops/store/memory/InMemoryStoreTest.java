package dev.mlops.store.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.InvalidArgumentException;
import dev.mlops.Page;
import dev.mlops.PageRequest;
import dev.mlops.StorageException;
import dev.mlops.spi.MetadataStore;
import dev.mlops.spi.PendingAuditEvent;
import dev.mlops.tracking.MetricPoint;
import dev.mlops.tracking.NewRun;
import dev.mlops.tracking.Run;
import dev.mlops.tracking.RunQuery;
import dev.mlops.tracking.RunStatus;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** What the in-memory store does beyond the compatibility kit (which mlops-tck runs against it). */
class InMemoryStoreTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    private static PendingAuditEvent audit(String action) {
        return new PendingAuditEvent(T0, "test", action, "run:r1", "{}");
    }

    private static NewRun run(String id, Instant start) {
        return new NewRun(id, "job", null, start, Map.of(), null, Map.of());
    }

    @Test
    @DisplayName("the provider opens a new, empty store for every memory: URI and refuses other schemes")
    void provider() {
        MemoryStoreProvider provider = new MemoryStoreProvider();
        assertThat(provider.schemes()).containsExactly("memory");
        try (MetadataStore a = provider.open("memory:"); MetadataStore b = provider.open("MEMORY:second")) {
            a.createRun(run("r1", T0), audit("run.create"));
            assertThat(a.getRun("r1")).isPresent();
            assertThat(b.getRun("r1")).isEmpty();
            assertThat(b.auditHead()).isEmpty();
            assertThat(a.describe()).isEqualTo("memory:");
        }
        assertThatThrownBy(() -> provider.open("sqlite:/tmp/x.db"))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("memory:")
                .hasMessageContaining("sqlite:/tmp/x.db");
    }

    @Test
    @DisplayName("instants are kept to the millisecond, and idempotency compares the kept values")
    void millisecondPrecision() {
        InMemoryStore store = new InMemoryStore();
        Instant precise = T0.plusNanos(1_234_567);
        Run created = store.createRun(run("r1", precise), audit("run.create")).value();
        assertThat(created.startTime()).isEqualTo(T0.plusMillis(1));
        assertThat(store.createRun(run("r1", T0.plusNanos(1_999_999)), audit("run.create")).created()).isFalse();

        store.logMetrics("r1", List.of(new MetricPoint("m", 1, 0, precise)), audit("run.metrics"));
        assertThat(store.metricHistory("r1", "m", PageRequest.first()).items().get(0).timestamp())
                .isEqualTo(T0.plusMillis(1));
        Run finished = store.finishRun("r1", RunStatus.COMPLETED, precise.plusSeconds(1), null, audit("run.finish"));
        assertThat(finished.endTime()).isEqualTo(T0.plusMillis(1001));
    }

    @Test
    @DisplayName("finishing a run as RUNNING is INVALID_ARGUMENT on field status")
    void finishAsRunning() {
        InMemoryStore store = new InMemoryStore();
        store.createRun(run("r1", T0), audit("run.create"));
        assertThatThrownBy(() -> store.finishRun("r1", RunStatus.RUNNING, T0, null, audit("run.finish")))
                .isInstanceOf(InvalidArgumentException.class)
                .satisfies(e -> assertThat(((InvalidArgumentException) e).field()).contains("status"));
        assertThat(store.auditHead().orElseThrow().seq()).isEqualTo(1);
    }

    @Test
    @DisplayName("a token of one listing is refused by another")
    void tokensBelongToTheirListing() {
        InMemoryStore store = new InMemoryStore();
        for (int i = 0; i < 3; i++) {
            store.createRun(run("r" + i, T0.plusSeconds(i)), audit("run.create"));
        }
        String runToken = store.searchRuns(RunQuery.all(), PageRequest.first(1)).nextPageToken();
        assertThat(runToken).isNotNull();
        assertThatThrownBy(() -> store.listDatasets(null, new PageRequest(5, runToken)))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("pageToken");
        assertThatThrownBy(() -> store.metricHistory("r1", "m", new PageRequest(5, runToken)))
                .isInstanceOf(InvalidArgumentException.class);
    }

    @Test
    @DisplayName("paging through many runs with a selective filter returns each match once")
    void manyRuns() {
        InMemoryStore store = new InMemoryStore();
        int n = 20_000;
        for (int i = 0; i < n; i++) {
            String job = i % 100 == 0 ? "rare" : "common";
            store.createRun(new NewRun(String.format("run-%06d", i), job, null, T0.plusSeconds(i % 977), Map.of(),
                    null, Map.of()), audit("run.create"));
        }
        RunQuery rare = RunQuery.builder().jobName("rare").build();
        int seen = 0;
        PageRequest request = PageRequest.first(7);
        Set<String> ids = new HashSet<>();
        while (true) {
            Page<Run> page = store.searchRuns(rare, request);
            for (Run r : page.items()) {
                assertThat(r.jobName()).isEqualTo("rare");
                assertThat(ids.add(r.id())).as("first time seen: %s", r.id()).isTrue();
            }
            seen += page.items().size();
            if (page.nextPageToken() == null) {
                break;
            }
            request = request.next(page);
        }
        assertThat(seen).isEqualTo(n / 100);
    }

    @Test
    @DisplayName("a closed store refuses every call with STORAGE; closing again is fine")
    void closed() {
        InMemoryStore store = new InMemoryStore();
        store.createRun(run("r1", T0), audit("run.create"));
        store.close();
        store.close();
        assertThat(store.describe()).isEqualTo("memory:");
        assertThatThrownBy(() -> store.getRun("r1")).isInstanceOf(StorageException.class)
                .hasMessageContaining("closed");
        assertThatThrownBy(() -> store.createRun(run("r2", T0), audit("run.create")))
                .isInstanceOf(StorageException.class);
        assertThatThrownBy(store::auditHead).isInstanceOf(StorageException.class);
    }
}
