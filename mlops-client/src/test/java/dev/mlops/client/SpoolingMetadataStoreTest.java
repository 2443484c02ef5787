package dev.mlops.client;

import static dev.mlops.tck.TckData.audit;
import static dev.mlops.tck.TckData.newRun;
import static dev.mlops.tck.TckData.runId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlops.PageRequest;
import dev.mlops.StorageException;
import dev.mlops.audit.AuditEvent;
import dev.mlops.internal.wire.AuditWire;
import dev.mlops.internal.wire.MetricBatchWire;
import dev.mlops.internal.wire.RunWire;
import dev.mlops.internal.wire.Wire;
import dev.mlops.server.MlopsServer;
import dev.mlops.store.memory.InMemoryStore;
import dev.mlops.tracking.MetricPoint;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.Interceptor;
import okhttp3.OkHttpClient;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("metric batches spooled to a local file and delivered in the background")
class SpoolingMetadataStoreTest {
    private static final Duration FLUSH = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private InMemoryStore backend;
    private MlopsServer server;

    @BeforeEach
    void start() {
        backend = new InMemoryStore();
        server = MlopsServer.builder().store(backend).port(0).build().start();
        backend.createRun(newRun(1), audit("run.create", "run:" + runId(1)));
    }

    @AfterEach
    void stop() {
        server.close();
        backend.close();
    }

    private Path spool() {
        return dir.resolve("spool").resolve("metrics.jsonl");
    }

    private String uri;

    private RemoteMetadataStore remote(OkHttpClient client) {
        if (server.port() > 0) {
            uri = server.uri().toString();
        }
        RemoteMetadataStore.Builder b = RemoteMetadataStore.builder(uri).maxRetries(0);
        return (client == null ? b : b.client(client)).build();
    }

    private static List<MetricPoint> batch(int b, int size) {
        List<MetricPoint> points = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            int step = b * size + i;
            points.add(new MetricPoint("loss", 1.0 / (step + 1), step, Instant.ofEpochSecond(1_700_000_000L + step)));
        }
        return points;
    }

    private List<Long> steps() {
        return backend.metricHistory(runId(1), "loss", PageRequest.first(10_000)).items().stream()
                .map(MetricPoint::step).toList();
    }

    private long metricEvents() {
        return backend.auditEvents(0, 1000).stream().map(AuditEvent::action).filter("run.metrics"::equals).count();
    }

    private static List<Long> range(int n) {
        List<Long> all = new ArrayList<>();
        for (long i = 0; i < n; i++) {
            all.add(i);
        }
        return all;
    }

    @Test
    @DisplayName("batches are delivered in order; any other call waits for them; the spool file is emptied once"
            + " delivered and goes at close")
    void deliversInOrder() throws IOException {
        try (SpoolingMetadataStore store = SpoolingMetadataStore.wrap(remote(null), spool(), 100, FLUSH)) {
            for (int b = 0; b < 5; b++) {
                store.logMetrics(runId(1), batch(b, 20), audit("run.metrics", "run:" + runId(1)));
            }
            assertThat(store.getRun(runId(1))).isPresent();
            assertThat(store.pendingBatches()).isZero();
            assertThat(steps()).isEqualTo(range(100));
            // Files.size only looks at the file: opening it here would let go of the store's lock (POSIX).
            assertThat(Files.size(spool())).isZero();
        }
        assertThat(Files.exists(spool())).isFalse();
    }

    @Test
    @DisplayName("while the server is down batches stay in the file; a later instance delivers them, once, in order")
    void survivesDowntimeAndRestart() {
        RemoteMetadataStore first = remote(null);
        server.close();
        try (SpoolingMetadataStore store = SpoolingMetadataStore.wrap(first, spool(), 100,
                Duration.ofMillis(500))) {
            for (int b = 0; b < 3; b++) {
                store.logMetrics(runId(1), batch(b, 10), audit("run.metrics", "run:" + runId(1)));
            }
            assertThatThrownBy(() -> store.getRun(runId(1))).isInstanceOf(StorageException.class)
                    .hasMessageContaining("not delivered");
            assertThat(store.pendingBatches()).isEqualTo(3);
        }
        assertThat(spool()).exists();
        assertThat(steps()).isEmpty();

        server = MlopsServer.builder().store(backend).port(0).build().start();
        try (SpoolingMetadataStore store = SpoolingMetadataStore.wrap(remote(null), spool(), 100, FLUSH)) {
            assertThat(store.getRun(runId(1))).isPresent();
        }
        assertThat(steps()).isEqualTo(range(30));
        assertThat(metricEvents()).isEqualTo(3);
    }

    @Test
    @DisplayName("a batch whose reply was lost is looked up, not sent again: no point twice")
    void lostReplyNotResent() {
        AtomicInteger seen = new AtomicInteger();
        Interceptor dropFirst = chain -> {
            Response response = chain.proceed(chain.request());
            if (chain.request().method().equals("POST") && chain.request().url().encodedPath().endsWith("/metrics")
                    && seen.incrementAndGet() == 1) {
                response.close();
                throw new IOException("connection lost after the server answered");
            }
            return response;
        };
        OkHttpClient client = new OkHttpClient.Builder().addNetworkInterceptor(dropFirst).build();
        try (SpoolingMetadataStore store = SpoolingMetadataStore.wrap(remote(client), spool(), 100, FLUSH, Duration.ofMillis(20))) {
            store.logMetrics(runId(1), batch(0, 50), audit("run.metrics", "run:" + runId(1)));
            store.logMetrics(runId(1), batch(1, 50), audit("run.metrics", "run:" + runId(1)));
            assertThat(store.getRun(runId(1))).isPresent();
        }
        assertThat(seen.get()).as("the first batch was sent once, the second once").isEqualTo(2);
        assertThat(steps()).isEqualTo(range(100));
        assertThat(metricEvents()).isEqualTo(2);
    }

    @Test
    @DisplayName("batches are spooled as metric columns; a spool of point objects an earlier version left is delivered")
    void spoolFormat() throws Exception {
        RemoteMetadataStore first = remote(null);
        server.close();
        try (SpoolingMetadataStore store = SpoolingMetadataStore.wrap(first, spool(), 100,
                Duration.ofMillis(300))) {
            store.logMetrics(runId(1), batch(1, 10), audit("run.metrics", "run:" + runId(1)));
        } catch (StorageException unreachable) {
            // close() could not deliver: expected
        }
        List<String> lines = Files.readAllLines(spool(), StandardCharsets.UTF_8);
        assertThat(lines).hasSize(1);
        JsonNode spooled = Wire.parse(lines.get(0));
        assertThat(spooled.get("kind").asText()).isEqualTo("metrics");
        assertThat(spooled.get("points").isObject()).isTrue();
        assertThat(MetricBatchWire.read(spooled.get("points"), "points")).isEqualTo(batch(1, 10));

        // The same file as earlier versions wrote it: the batch without a kind (the version before profiles were
        // spooled), and one batch before it as an array of point objects (the version before metric columns).
        ObjectNode old = Wire.object();
        old.put("seq", 0);
        old.put("run_id", runId(1));
        old.set("points", Wire.arrayOf(batch(0, 10), RunWire::write));
        old.set("audit", AuditWire.write(audit("run.metrics", "run:" + runId(1))));
        ObjectNode next = (ObjectNode) spooled;
        next.remove("kind");
        next.put("seq", 1);
        Files.write(spool(), List.of(Wire.toJson(old), Wire.toJson(next)), StandardCharsets.UTF_8);

        server = MlopsServer.builder().store(backend).port(0).build().start();
        try (SpoolingMetadataStore store = SpoolingMetadataStore.wrap(remote(null), spool(), 100, FLUSH)) {
            assertThat(store.getRun(runId(1))).isPresent();
        }
        assertThat(steps()).isEqualTo(range(20));
        assertThat(metricEvents()).isEqualTo(2);
    }

    @Test
    @DisplayName("a batch the previous instance delivered just before it stopped is not delivered again")
    void deliveredBeforeCrash() {
        try (SpoolingMetadataStore store = SpoolingMetadataStore.wrap(remote(null), spool(), 100,
                Duration.ofMillis(500))) {
            server.close();
            store.logMetrics(runId(1), batch(0, 10), audit("run.metrics", "run:" + runId(1)));
            store.logMetrics(runId(1), batch(1, 10), audit("run.metrics", "run:" + runId(1)));
        } catch (StorageException unreachable) {
            // close() could not deliver: expected
        }
        // As if the first batch had reached the store just before the process died.
        backend.logMetrics(runId(1), batch(0, 10), audit("run.metrics", "run:" + runId(1)));
        server = MlopsServer.builder().store(backend).port(0).build().start();
        try (SpoolingMetadataStore store = SpoolingMetadataStore.wrap(remote(null), spool(), 100, FLUSH)) {
            assertThat(store.getRun(runId(1))).isPresent();
        }
        assertThat(steps()).isEqualTo(range(20));
        assertThat(metricEvents()).isEqualTo(2);
    }

    @Test
    @DisplayName("through Mlops: a run's metrics arrive before it is finished")
    void throughMlops() {
        try (SpoolingMetadataStore store = SpoolingMetadataStore.wrap(remote(null), spool(), 100, FLUSH);
                dev.mlops.Mlops mlops = dev.mlops.Mlops.builder().store(store).artifactUri("memory:").build()) {
            String id;
            try (var run = mlops.tracking().start("train")) {
                for (int step = 0; step < 250; step++) {
                    run.logMetric("acc", step / 250.0, step);
                }
                id = run.id();
            }
            assertThat(backend.getRun(id).orElseThrow().status()).isEqualTo(dev.mlops.tracking.RunStatus.COMPLETED);
            assertThat(backend.metricHistory(id, "acc", PageRequest.first(1000)).items()).hasSize(250);
        }
    }

    @Test
    @DisplayName("a batch the store refuses for good is dropped and counted; the next ones go on")
    void refusedBatchDropped() {
        try (SpoolingMetadataStore store = SpoolingMetadataStore.wrap(remote(null), spool(), 100, FLUSH)) {
            store.logMetrics(runId(9), batch(0, 5), audit("run.metrics", "run:" + runId(9)));
            store.logMetrics(runId(1), batch(0, 5), audit("run.metrics", "run:" + runId(1)));
            assertThat(store.getRun(runId(1))).isPresent();
            assertThat(store.droppedBatches()).isEqualTo(1);
        }
        assertThat(steps()).isEqualTo(range(5));
    }

    @Test
    @DisplayName("the spool is bounded: with the server down, a batch beyond the limit fails after the timeout")
    void bounded() {
        RemoteMetadataStore first = remote(null);
        server.close();
        try (SpoolingMetadataStore store = SpoolingMetadataStore.wrap(first, spool(), 2,
                Duration.ofMillis(300))) {
            store.logMetrics(runId(1), batch(0, 5), audit("run.metrics", "run:" + runId(1)));
            store.logMetrics(runId(1), batch(1, 5), audit("run.metrics", "run:" + runId(1)));
            assertThatThrownBy(() -> store.logMetrics(runId(1), batch(2, 5), audit("run.metrics", "run:" + runId(1))))
                    .isInstanceOf(StorageException.class).hasMessageContaining("2 undelivered");
            assertThat(store.pendingBatches()).isEqualTo(2);
        }
    }
}
