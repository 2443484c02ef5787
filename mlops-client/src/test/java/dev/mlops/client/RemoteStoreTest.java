package dev.mlops.client;

import static dev.mlops.tck.TckData.at;
import static dev.mlops.tck.TckData.audit;
import static dev.mlops.tck.TckData.dataset;
import static dev.mlops.tck.TckData.newRun;
import static dev.mlops.tck.TckData.point;
import static dev.mlops.tck.TckData.runId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.ConflictException;
import dev.mlops.Created;
import dev.mlops.InvalidArgumentException;
import dev.mlops.Mlops;
import dev.mlops.PageRequest;
import dev.mlops.StorageException;
import dev.mlops.audit.AuditEvent;
import dev.mlops.data.DatasetVersion;
import dev.mlops.server.MlopsServer;
import dev.mlops.spi.MetadataStore;
import dev.mlops.store.memory.InMemoryStore;
import dev.mlops.tracking.MetricPoint;
import dev.mlops.tracking.Run;
import dev.mlops.tracking.RunStatus;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.Interceptor;
import okhttp3.OkHttpClient;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.params.ParameterizedTest;

@DisplayName("RemoteMetadataStore against a real MlopsServer")
class RemoteStoreTest {
    private InMemoryStore backend;
    private MlopsServer server;

    @BeforeEach
    void start() {
        backend = new InMemoryStore();
        server = MlopsServer.builder().store(backend).port(0).build().start();
    }

    @AfterEach
    void stop() {
        server.close();
        backend.close();
    }

    /**
     * A caller's own client whose network interceptor lets the first {@code drops} requests to {@code path} reach
     * the server and be processed, then loses their replies, as a connection that dies after the server answered.
     */
    private static OkHttpClient droppingReplies(String path, int drops, AtomicInteger seen) {
        Interceptor dropper = chain -> {
            Response response = chain.proceed(chain.request());
            if (chain.request().url().encodedPath().equals(path) && seen.incrementAndGet() <= drops) {
                response.close();
                throw new IOException("connection lost after the server answered");
            }
            return response;
        };
        return new OkHttpClient.Builder().addNetworkInterceptor(dropper).build();
    }

    private static List<AuditEvent> events(MetadataStore store) {
        return store.auditEvents(0, 1000);
    }

    @Test
    @DisplayName("a create whose reply is lost is retried and returns the stored run: one run, one audit event")
    void retriedCreateAfterDroppedReply() {
        AtomicInteger seen = new AtomicInteger();
        try (RemoteMetadataStore remote = RemoteMetadataStore.builder(server.uri().toString())
                .client(droppingReplies("/api/v1/runs", 2, seen)).build()) {
            Created<Run> created = remote.createRun(newRun(1), audit("run.create", "run:" + runId(1)));

            assertThat(seen.get()).as("attempts").isEqualTo(3);
            assertThat(created.value().id()).isEqualTo(runId(1));
            assertThat(created.created()).as("the last attempt found the run that the first created").isFalse();
            assertThat(backend.getRun(runId(1))).contains(created.value());
            assertThat(events(backend)).extracting(AuditEvent::action).containsExactly("run.create");
        }
    }

    @Test
    @DisplayName("a dataset registration whose reply is lost is retried and registers once")
    void retriedDatasetRegistration() {
        AtomicInteger seen = new AtomicInteger();
        DatasetVersion d = dataset("team/churn data", "1");
        try (RemoteMetadataStore remote = RemoteMetadataStore.builder(server.uri().toString())
                .client(droppingReplies("/api/v1/datasets", 1, seen)).build()) {
            Created<DatasetVersion> created = remote.registerDataset(d, audit("dataset.register", "dataset:x"));

            assertThat(created.value()).isEqualTo(backend.getDataset(d.name(), d.version()).orElseThrow());
            assertThat(remote.getDataset(d.name(), d.version())).contains(created.value());
            assertThat(events(backend)).hasSize(1);
        }
    }

    @Test
    @DisplayName("a metric batch whose reply is lost is not retried: STORAGE, and the points are stored once")
    void metricsNeverRetried() {
        backend.createRun(newRun(1), audit("run.create", "run:" + runId(1)));
        AtomicInteger seen = new AtomicInteger();
        String path = "/api/v1/runs/" + runId(1) + "/metrics";
        try (RemoteMetadataStore remote = RemoteMetadataStore.builder(server.uri().toString())
                .client(droppingReplies(path, 1, seen)).build()) {
            assertThatThrownBy(() -> remote.logMetrics(runId(1), List.of(point("loss", 0.5, 1, 1)),
                    audit("run.metrics", "run:" + runId(1)))).isInstanceOf(StorageException.class);

            assertThat(seen.get()).isEqualTo(1);
            assertThat(backend.metricHistory(runId(1), "loss", PageRequest.first()).items())
                    .extracting(MetricPoint::value).containsExactly(0.5);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "/", "/api/v1", "/api/v1/"})
    @DisplayName("the server's URL works with or without the /api/v1 it prints at start")
    void baseUriWithOrWithoutApiPath(String suffix) {
        String uri = server.uri().toString().replaceAll("/$", "") + suffix;
        try (RemoteMetadataStore remote = RemoteMetadataStore.builder(uri).build()) {
            remote.createRun(newRun(21), audit("run.create", "run:" + runId(21)));
            assertThat(remote.getRun(runId(21))).isPresent();
            assertThat(remote.toString()).doesNotContain("/api/v1");
        }
    }

    @Test
    @DisplayName("the server's errors come back as the same exceptions, with message and field")
    void errorsRoundTrip() {
        try (RemoteMetadataStore remote = RemoteMetadataStore.builder(server.uri().toString()).build()) {
            remote.createRun(newRun(1), audit("run.create", "run:" + runId(1)));
            remote.logParams(runId(1), Map.of("lr", "0.1"), audit("run.params", "run:" + runId(1)));
            assertThatThrownBy(() -> remote.logParams(runId(1), Map.of("lr", "0.2"),
                    audit("run.params", "run:" + runId(1)))).isInstanceOf(ConflictException.class)
                    .hasMessageContaining("lr");
            assertThatThrownBy(() -> remote.finishRun(runId(1), RunStatus.RUNNING, at(5), null,
                    audit("run.finish", "run:" + runId(1)))).isInstanceOf(InvalidArgumentException.class)
                    .satisfies(e -> assertThat(((InvalidArgumentException) e).field()).contains("status"));
            assertThat(remote.getRun(runId(9))).isEmpty();
        }
    }

    @Test
    @DisplayName("names with '/', spaces, '%', '?' and non-ASCII letters travel intact in paths and queries")
    void awkwardNames() {
        try (RemoteMetadataStore remote = RemoteMetadataStore.builder(server.uri().toString()).build()) {
            remote.createRun(newRun(1), audit("run.create", "run:" + runId(1)));
            String key = "val/loss %20?x=1#frag ÿ€";
            remote.logMetrics(runId(1), List.of(point(key, 1.5, 0, 1)), audit("run.metrics", "run:" + runId(1)));
            assertThat(remote.metricHistory(runId(1), key, PageRequest.first()).items())
                    .extracting(MetricPoint::key).containsExactly(key);

            DatasetVersion d = dataset("a/b c%2F../ünï+code?", "x");
            remote.registerDataset(d, audit("dataset.register", "dataset:x"));
            assertThat(remote.getDataset(d.name(), d.version())).isPresent();
            assertThat(remote.listDatasets(d.name(), PageRequest.first()).items()).containsExactly(
                    backend.getDataset(d.name(), d.version()).orElseThrow());
        }
    }

    @Test
    @DisplayName("Mlops.open-style resolution finds the http provider through ServiceLoader")
    void mlopsOverHttp() {
        assertThat(Mlops.availableSchemes()).contains("http", "https");
        try (Mlops mlops = Mlops.builder().storeUri(server.uri().toString()).artifactUri("memory:").build()) {
            String id;
            try (var run = mlops.tracking().start("train")) {
                run.logParam("lr", "0.1");
                run.logMetric("loss", 0.25, 0);
                id = run.id();
            }
            Run stored = backend.getRun(id).orElseThrow();
            assertThat(stored.status()).isEqualTo(RunStatus.COMPLETED);
            assertThat(stored.params()).containsEntry("lr", "0.1");
        }
    }

    @Test
    @DisplayName("against a server with tokens: the builder's token works, none is PERMISSION_DENIED, and the"
            + " provider takes the token from MLOPS_TOKEN")
    void tokens(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        String token = "tok-0123456789abcdef";
        java.nio.file.Path file = dir.resolve("tokens");
        java.nio.file.Files.writeString(file, token + " alice read,write\n");
        try (InMemoryStore secured = new InMemoryStore();
                MlopsServer guarded = MlopsServer.builder().store(secured).port(0).tokens(file).build().start()) {
            String uri = guarded.uri().toString();
            try (RemoteMetadataStore remote = RemoteMetadataStore.builder(uri).token(token).build()) {
                remote.createRun(newRun(1), audit("run.create", "run:" + runId(1)));
                assertThat(remote.getRun(runId(1))).isPresent();
                assertThat(remote.describe()).doesNotContain(token);
            }
            try (RemoteMetadataStore anonymous = RemoteMetadataStore.builder(uri).build()) {
                assertThatThrownBy(() -> anonymous.getRun(runId(1)))
                        .isInstanceOf(dev.mlops.PermissionDeniedException.class)
                        .hasMessageContaining("authentication required");
            }
            try (MetadataStore fromEnv = new RemoteStoreProvider(name -> name.equals("MLOPS_TOKEN") ? token : null,
                    dir.toString()).open(uri)) {
                assertThat(fromEnv.getRun(runId(1))).isPresent();
            }
            try (MetadataStore noEnv = new RemoteStoreProvider(name -> null, dir.toString()).open(uri)) {
                assertThatThrownBy(() -> noEnv.auditHead()).isInstanceOf(dev.mlops.PermissionDeniedException.class);
            }
            assertThat(secured.auditEvents(0, 100)).extracting(AuditEvent::action)
                    .containsExactly("run.create", "auth.failed", "auth.failed");
        }
        assertThatThrownBy(() -> RemoteMetadataStore.builder("http://h:1").token("has space"))
                .isInstanceOf(InvalidArgumentException.class).hasMessageNotContaining("has space");
    }

    @Test
    @DisplayName("after close() calls fail with STORAGE before any request; close() is idempotent")
    void closed() {
        RemoteMetadataStore remote = RemoteMetadataStore.builder(server.uri().toString()).build();
        remote.close();
        remote.close();
        assertThatThrownBy(() -> remote.getRun(runId(1))).isInstanceOf(StorageException.class)
                .hasMessageContaining("closed");
        assertThat(remote.describe()).isEqualTo("remote store at " + server.uri() + "/");
    }

    @Test
    @DisplayName("the builder refuses a URI that is not http(s) and settings out of range, naming them")
    void builderValidation() {
        assertThatThrownBy(() -> RemoteMetadataStore.builder("ftp://x")).isInstanceOf(InvalidArgumentException.class)
                .satisfies(e -> assertThat(((InvalidArgumentException) e).field()).contains("store"));
        assertThatThrownBy(() -> RemoteMetadataStore.builder("http://h:1/?token=abc"))
                .hasMessageNotContaining("abc");
        assertThatThrownBy(() -> RemoteMetadataStore.builder("http://h:1").maxRetries(11))
                .hasMessageContaining("maxRetries");
    }
}
