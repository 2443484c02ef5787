package dev.mlops.store.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.Created;
import dev.mlops.InvalidArgumentException;
import dev.mlops.Page;
import dev.mlops.PageRequest;
import dev.mlops.StorageException;
import dev.mlops.artifact.ArtifactRef;
import dev.mlops.audit.AuditChain;
import dev.mlops.registry.Approval;
import dev.mlops.registry.ApprovalStatus;
import dev.mlops.registry.Governance;
import dev.mlops.registry.ModelQuery;
import dev.mlops.registry.ModelSignature;
import dev.mlops.registry.ModelUpdate;
import dev.mlops.registry.ModelVersion;
import dev.mlops.registry.NewModel;
import dev.mlops.registry.NewModelVersion;
import dev.mlops.registry.RegisteredModel;
import dev.mlops.registry.VersionQuery;
import dev.mlops.registry.VersionStatus;
import dev.mlops.spi.MetadataStore;
import dev.mlops.spi.PendingAuditEvent;
import dev.mlops.tracking.MetricPoint;
import dev.mlops.tracking.NewRun;
import dev.mlops.tracking.Run;
import dev.mlops.tracking.RunQuery;
import dev.mlops.tracking.RunStatus;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
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

    private static NewModel model(String name, Instant created) {
        return new NewModel(name, "", Map.of(), Governance.EMPTY, created, "alice");
    }

    private static NewModelVersion version(String model, int number, String key, Instant created) {
        return new NewModelVersion(model, number, digest(model, number), null, ModelSignature.EMPTY, Map.of(),
                Map.of("parity", number % 2 == 0 ? "even" : "odd"), "", key, created, "alice");
    }

    private static String digest(String model, int number) {
        return "sha256:" + AuditChain.sha256Hex(model + "/" + number);
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
    @DisplayName("registry instants are kept to the millisecond: created, updated, finished, approved, aliased")
    void registryMillisecondPrecision() {
        InMemoryStore store = new InMemoryStore();
        Instant precise = T0.plusNanos(1_234_567);
        RegisteredModel m = store.createModel(model("m", precise), audit("model.create")).value();
        assertThat(m.createdTime()).isEqualTo(T0.plusMillis(1));
        assertThat(m.updatedTime()).isEqualTo(T0.plusMillis(1));
        ModelVersion v = store.createModelVersion(version("m", 1, null, precise.plusSeconds(1)),
                audit("model.version.create")).value();
        assertThat(v.createdTime()).isEqualTo(T0.plusMillis(1001));
        assertThat(store.getModel("m").orElseThrow().updatedTime()).isEqualTo(T0.plusMillis(1001));
        v = store.finishModelVersion("m", 1, VersionStatus.READY, new ArtifactRef(digest("m", 1), 1, "file:/a"),
                null, precise.plusSeconds(2), audit("model.version.finish"));
        assertThat(v.updatedTime()).isEqualTo(T0.plusMillis(2001));
        v = store.decideApproval("m", 1, Approval.decided(ApprovalStatus.APPROVED, "bob", precise.plusSeconds(3),
                "ok"), audit("model.version.approve"));
        assertThat(v.approval().time()).isEqualTo(T0.plusMillis(3001));
        assertThat(v.updatedTime()).isEqualTo(T0.plusMillis(3001));
        store.setAlias("m", "production", 1, null, precise.plusSeconds(4), audit("model.alias.set"));
        assertThat(store.getModel("m").orElseThrow().updatedTime()).isEqualTo(T0.plusMillis(4001));
        RegisteredModel updated = store.updateModel("m", new ModelUpdate(null, Map.of(), Set.of(), null,
                precise.plusSeconds(5)), audit("model.update"));
        assertThat(updated.updatedTime()).isEqualTo(T0.plusMillis(5001));
    }

    @Test
    @DisplayName("registry page tokens belong to their listing; a version token with a number out of range is"
            + " refused")
    void registryTokens() {
        InMemoryStore store = new InMemoryStore();
        store.createRun(run("r1", T0), audit("run.create"));
        store.createRun(run("r2", T0.plusSeconds(1)), audit("run.create"));
        for (String name : List.of("a", "b")) {
            store.createModel(model(name, T0), audit("model.create"));
            for (int i = 1; i <= 2; i++) {
                store.createModelVersion(version(name, i, null, T0), audit("model.version.create"));
            }
        }
        String runToken = store.searchRuns(RunQuery.all(), PageRequest.first(1)).nextPageToken();
        String modelToken = store.searchModels(ModelQuery.all(), PageRequest.first(1)).nextPageToken();
        String versionToken = store.searchModelVersions(VersionQuery.all(), PageRequest.first(1)).nextPageToken();
        assertThat(List.of(runToken, modelToken, versionToken)).doesNotContainNull();

        assertThatThrownBy(() -> store.searchModels(ModelQuery.all(), new PageRequest(5, runToken)))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("pageToken");
        assertThatThrownBy(() -> store.searchModels(ModelQuery.all(), new PageRequest(5, versionToken)))
                .isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> store.searchModelVersions(VersionQuery.all(), new PageRequest(5, modelToken)))
                .isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> store.searchRuns(RunQuery.all(), new PageRequest(5, versionToken)))
                .isInstanceOf(InvalidArgumentException.class);
        for (String position : List.of("v1:0:a", "v1:-1:a", "v1:2147483648:a", "v1:x:a", "v1:1:")) {
            String token = Base64.getUrlEncoder().withoutPadding()
                    .encodeToString(position.getBytes(StandardCharsets.UTF_8));
            assertThatThrownBy(() -> store.searchModelVersions(VersionQuery.all(), new PageRequest(5, token)))
                    .as(position).isInstanceOf(InvalidArgumentException.class);
        }
    }

    @Test
    @DisplayName("an idempotency key is remembered while its version exists: after deleting the version the key"
            + " registers a new one")
    void idempotencyKeyOfDeletedVersion() {
        InMemoryStore store = new InMemoryStore();
        store.createModel(model("m", T0), audit("model.create"));
        store.createModelVersion(version("m", 1, "k", T0), audit("model.version.create"));
        assertThat(store.createModelVersion(version("m", 2, "k", T0), audit("model.version.create")).created())
                .isFalse();
        store.deleteModelVersion("m", 1, audit("model.version.delete"));
        Created<ModelVersion> again = store.createModelVersion(version("m", 2, "k", T0), audit("model.version.create"));
        assertThat(again.created()).isTrue();
        assertThat(again.value().version()).isEqualTo(2);
    }

    @Test
    @DisplayName("paging through many versions with a model name, or models with a prefix, returns each match once"
            + " in order")
    void manyVersions() {
        InMemoryStore store = new InMemoryStore();
        for (int m = 0; m < 40; m++) {
            String name = String.format("model-%02d", m);
            store.createModel(model(name, T0), audit("model.create"));
            for (int v = 1; v <= 100; v++) {
                store.createModelVersion(version(name, v, null, T0), audit("model.version.create"));
            }
        }
        VersionQuery query = VersionQuery.builder().modelName("model-17").tag("parity", "even").build();
        List<Integer> numbers = new ArrayList<>();
        PageRequest request = PageRequest.first(7);
        while (true) {
            Page<ModelVersion> page = store.searchModelVersions(query, request);
            page.items().forEach(v -> numbers.add(v.version()));
            if (page.nextPageToken() == null) {
                break;
            }
            request = request.next(page);
        }
        assertThat(numbers).containsExactlyElementsOf(IntStream.rangeClosed(1, 50)
                .map(i -> 2 * i).boxed().toList());

        List<String> names = new ArrayList<>();
        request = PageRequest.first(3);
        while (true) {
            Page<RegisteredModel> page = store.searchModels(ModelQuery.builder().namePrefix("model-1").build(),
                    request);
            page.items().forEach(m -> names.add(m.name()));
            if (page.nextPageToken() == null) {
                break;
            }
            request = request.next(page);
        }
        assertThat(names).containsExactlyElementsOf(IntStream.range(10, 20)
                .mapToObj(i -> "model-" + i).toList());
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
