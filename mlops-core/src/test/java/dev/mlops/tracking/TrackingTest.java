package dev.mlops.tracking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.ConflictException;
import dev.mlops.ErrorCode;
import dev.mlops.InvalidArgumentException;
import dev.mlops.Mlops;
import dev.mlops.MlopsException;
import dev.mlops.NotFoundException;
import dev.mlops.PageRequest;
import dev.mlops.audit.AuditEvent;
import dev.mlops.testing.MutableClock;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("Tracking")
class TrackingTest {
    final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
    Mlops mlops;

    @BeforeEach
    void open() {
        mlops = Mlops.builder().storeUri("memory:").clock(clock).actor("tester").metricBatchSize(10)
                .heartbeatInterval(Duration.ofMinutes(1)).heartbeatTimeout(Duration.ofMinutes(2)).build();
    }

    @AfterEach
    void close() {
        mlops.close();
    }

    private List<AuditEvent> audit() {
        return mlops.audit().events(0, PageRequest.first(10_000)).items();
    }

    @Test
    @DisplayName("a try-with-resources run completes on normal exit")
    void completes() {
        String id;
        try (ActiveRun run = mlops.tracking().start("job")) {
            id = run.id();
            assertThat(mlops.tracking().get(id).orElseThrow().status()).isEqualTo(RunStatus.RUNNING);
        }
        Run run = mlops.tracking().get(id).orElseThrow();
        assertThat(run.status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(run.endTime()).isEqualTo(clock.instant());
        assertThat(run.environment()).containsKeys("java.version", "os.name");
        assertThat(audit()).extracting(AuditEvent::action).containsExactly("run.create", "run.finish");
        assertThat(audit()).allSatisfy(e -> assertThat(e.actor()).isEqualTo("tester"));
    }

    @Test
    @DisplayName("an exception in a run body marks the run FAILED with the error and is rethrown")
    void failsOnException() {
        String[] id = new String[1];
        assertThatThrownBy(() -> mlops.tracking().run("job", run -> {
            id[0] = run.id();
            throw new IllegalStateException("diverged at epoch 3");
        })).isInstanceOf(IllegalStateException.class).hasMessage("diverged at epoch 3");
        Run run = mlops.tracking().get(id[0]).orElseThrow();
        assertThat(run.status()).isEqualTo(RunStatus.FAILED);
        assertThat(run.error()).isEqualTo("java.lang.IllegalStateException: diverged at epoch 3");
    }

    @Test
    @DisplayName("a checked exception is wrapped in RunFailedException and the run FAILED")
    void checkedException() {
        assertThatThrownBy(() -> mlops.tracking().run("job", run -> {
            throw new IOException("disk gone");
        })).isInstanceOf(RunFailedException.class).hasCauseInstanceOf(IOException.class);
        Run run = mlops.tracking().search(RunQuery.all(), PageRequest.first()).items().get(0);
        assertThat(run.status()).isEqualTo(RunStatus.FAILED);
        assertThat(run.error()).contains("disk gone");
    }

    @Test
    @DisplayName("fail() then close() finishes the run FAILED; closing twice is harmless")
    void failThenClose() {
        ActiveRun run = mlops.tracking().start("job");
        run.fail(new RuntimeException("boom"));
        run.close();
        run.close();
        assertThat(mlops.tracking().get(run.id()).orElseThrow().status()).isEqualTo(RunStatus.FAILED);
    }

    @Test
    @DisplayName("the body's return value is returned")
    void returnsValue() {
        int answer = mlops.tracking().run("job", run -> 42);
        assertThat(answer).isEqualTo(42);
    }

    @Test
    @DisplayName("params are write-once: the same value again is fine, another value is a conflict")
    void writeOnceParams() {
        try (ActiveRun run = mlops.tracking().start("job")) {
            run.logParam("lr", "0.1").logParam("lr", "0.1");
            assertThatThrownBy(() -> run.logParam("lr", "0.2")).isInstanceOf(ConflictException.class)
                    .hasMessageContaining("lr");
            assertThatThrownBy(() -> run.logParams(Map.of("epochs", "3", "lr", "0.3")))
                    .isInstanceOf(ConflictException.class);
            assertThat(run.snapshot().params()).containsExactly(Map.entry("lr", "0.1"));
        }
    }

    @Test
    @DisplayName("metrics are sent in batches: 25 points with batch size 10 are three audit events, in step order")
    void metricBatches() {
        String id;
        try (ActiveRun run = mlops.tracking().start("job")) {
            id = run.id();
            for (int step = 0; step < 25; step++) {
                run.logMetric("loss", 1.0 / (step + 1), step);
            }
            // Full batches are stored in the background (see BackgroundMetricsTest); the rest waits for close().
            assertThat(audit()).filteredOn(e -> e.action().equals("run.log_metrics")).hasSizeLessThanOrEqualTo(2);
        }
        assertThat(audit()).filteredOn(e -> e.action().equals("run.log_metrics")).extracting(AuditEvent::data)
                .containsExactly("{\"keys\":[\"loss\"],\"max_step\":9,\"min_step\":0,\"points\":10}",
                        "{\"keys\":[\"loss\"],\"max_step\":19,\"min_step\":10,\"points\":10}",
                        "{\"keys\":[\"loss\"],\"max_step\":24,\"min_step\":20,\"points\":5}");
        var history = mlops.tracking().metricHistory(id, "loss", PageRequest.first(100)).items();
        assertThat(history).hasSize(25);
        assertThat(history.get(24).step()).isEqualTo(24);
        assertThat(mlops.tracking().get(id).orElseThrow().latestMetrics().get("loss").value()).isEqualTo(1.0 / 25);
    }

    @ParameterizedTest
    @ValueSource(doubles = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY})
    @DisplayName("NaN and infinite metric values are refused, naming the metric")
    void nonFiniteMetrics(double value) {
        try (ActiveRun run = mlops.tracking().start("job")) {
            assertThatThrownBy(() -> run.logMetric("loss", value, 0)).isInstanceOf(InvalidArgumentException.class)
                    .hasMessageContaining("loss").hasMessageContaining("finite");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "tab\u0001name", "new\u0000line", "a@b", "line\nbreak", "tab\tbed", "/rooted",
            ":colon", " padded"})
    @DisplayName("invalid job names are refused and nothing is stored")
    void badJobNames(String name) {
        assertThatThrownBy(() -> mlops.tracking().start(name)).isInstanceOf(InvalidArgumentException.class)
                .satisfies(e -> assertThat(((MlopsException) e).field()).contains("jobName"));
        assertThat(audit()).isEmpty();
    }

    @Test
    @DisplayName("a job name longer than 256 characters is refused")
    void longJobName() {
        assertThatThrownBy(() -> mlops.tracking().start("x".repeat(257))).isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("256");
    }

    @Test
    @DisplayName("a child run records its parent; an unknown parent is not found")
    void childRuns() {
        try (ActiveRun parent = mlops.tracking().start("pipeline")) {
            try (ActiveRun child = parent.startChild("step")) {
                assertThat(child.snapshot().parentRunId()).isEqualTo(parent.id());
            }
            assertThat(mlops.tracking().search(RunQuery.builder().parentRunId(parent.id()).build(),
                    PageRequest.first()).items()).hasSize(1);
        }
        assertThatThrownBy(() -> mlops.tracking().starter("x").parent("no-such-run").start())
                .isInstanceOf(NotFoundException.class);
    }

    @Test
    @DisplayName("a run without heartbeats past the timeout is reported ABORTED and can be closed as such")
    void staleRuns() {
        ActiveRun run = mlops.tracking().start("job");
        assertThat(mlops.tracking().staleRuns()).isEmpty();
        clock.advance(Duration.ofMinutes(10));
        Run stale = mlops.tracking().get(run.id()).orElseThrow();
        assertThat(stale.status()).isEqualTo(RunStatus.RUNNING);
        assertThat(stale.effectiveStatus(clock.instant(), Duration.ofMinutes(2))).isEqualTo(RunStatus.ABORTED);
        assertThat(mlops.tracking().staleRuns()).extracting(Run::id).containsExactly(run.id());
        assertThat(mlops.tracking().abortStaleRuns()).extracting(Run::id).containsExactly(run.id());
        assertThat(mlops.tracking().get(run.id()).orElseThrow().status()).isEqualTo(RunStatus.ABORTED);
        assertThat(mlops.tracking().get(run.id()).orElseThrow().error()).contains("no heartbeat");
        run.close(); // never throws: the run was ended elsewhere, which close() only logs
        assertThat(mlops.tracking().get(run.id()).orElseThrow().status()).isEqualTo(RunStatus.ABORTED);
    }

    @Test
    @DisplayName("a run ended elsewhere never breaks the training loop; an explicit flush reports it")
    void runEndedElsewhere() {
        ActiveRun run = mlops.tracking().start("job");
        mlops.tracking().abort(run.id(), "operator stopped it");
        for (int step = 0; step < 25; step++) {
            run.logMetric("loss", 1.0, step); // fills two batches of 10 that cannot be stored
        }
        assertThatThrownBy(run::flush).isInstanceOf(ConflictException.class);
        run.close();
        Run stored = mlops.tracking().get(run.id()).orElseThrow();
        assertThat(stored.status()).isEqualTo(RunStatus.ABORTED);
        assertThat(stored.error()).isEqualTo("operator stopped it");
        assertThat(stored.latestMetrics()).isEmpty();
    }

    @Test
    @DisplayName("each run carries its own heartbeat timeout, which decides its reported status")
    void ownHeartbeatTimeout() {
        try (Mlops patient = Mlops.builder().store(new dev.mlops.store.memory.InMemoryStore()).artifactUri("memory:")
                .clock(clock).heartbeatInterval(Duration.ofMinutes(10)).heartbeatTimeout(Duration.ofHours(1)).build()) {
            ActiveRun run = patient.tracking().start("long");
            clock.advance(Duration.ofMinutes(30));
            Run stored = patient.tracking().get(run.id()).orElseThrow();
            assertThat(stored.tags()).containsEntry(Run.HEARTBEAT_TIMEOUT_TAG, "PT1H");
            assertThat(stored.heartbeatTimeout()).isEqualTo(Duration.ofHours(1));
            assertThat(stored.effectiveStatus(clock.instant())).isEqualTo(RunStatus.RUNNING);
            assertThat(patient.tracking().staleRuns()).isEmpty();
            clock.advance(Duration.ofMinutes(31));
            assertThat(patient.tracking().get(run.id()).orElseThrow().effectiveStatus(clock.instant()))
                    .isEqualTo(RunStatus.ABORTED);
            assertThatThrownBy(() -> patient.tracking().starter("x").tag(Run.HEARTBEAT_TIMEOUT_TAG, "PT1S"))
                    .isInstanceOf(InvalidArgumentException.class);
        }
    }

    @Test
    @DisplayName("inputs must be registered dataset versions; null arguments are invalid, not NullPointerExceptions")
    void inputsAndNulls() {
        try (ActiveRun run = mlops.tracking().start("job")) {
            assertThatThrownBy(() -> run.logInput(dev.mlops.lineage.NodeRef.dataset("ghost", "sha256:" + "a".repeat(64))))
                    .isInstanceOf(NotFoundException.class).hasMessageContaining("ghost");
            assertThatThrownBy(() -> run.logInput((dev.mlops.data.DatasetVersion) null))
                    .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("dataset");
            assertThat(run.snapshot().links()).isEmpty();
        }
        assertThatThrownBy(() -> mlops.tracking().search(null, PageRequest.first()))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("query");
        assertThatThrownBy(() -> mlops.tracking().search(RunQuery.all(), null))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("page");
        assertThatThrownBy(() -> RunQuery.builder().metric("loss", MetricFilter.Comparison.GT, Double.NaN))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("loss");
    }

    @Test
    @DisplayName("heartbeats move the run's last heartbeat forward")
    void heartbeats() throws Exception {
        try (Mlops fast = Mlops.builder().storeUri("memory:").heartbeatInterval(Duration.ofMillis(20))
                .heartbeatTimeout(Duration.ofSeconds(5)).build();
             ActiveRun run = fast.tracking().start("job")) {
            Instant first = run.snapshot().lastHeartbeat();
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (!fast.tracking().get(run.id()).orElseThrow().lastHeartbeat().isAfter(first)
                    && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(fast.tracking().get(run.id()).orElseThrow().lastHeartbeat()).isAfter(first);
        }
    }

    @Test
    @DisplayName("closing Mlops with a run still open records it ABORTED")
    void closeAbandons() {
        var store = new dev.mlops.store.memory.InMemoryStore();
        Mlops other = Mlops.builder().store(store).artifactUri("memory:").build();
        ActiveRun run = other.tracking().start("job");
        other.close();
        assertThat(store.getRun(run.id()).orElseThrow().status()).isEqualTo(RunStatus.ABORTED);
        assertThat(store.getRun(run.id()).orElseThrow().error()).contains("closed");
    }

    @Test
    @DisplayName("starting a run with the id of a running run resumes it; of an ended run is a conflict")
    void resume() {
        ActiveRun run = mlops.tracking().start("job");
        ActiveRun again = mlops.tracking().starter("job").id(run.id()).start();
        assertThat(again.id()).isEqualTo(run.id());
        again.logParam("a", "1");
        assertThat(run.snapshot().params()).containsEntry("a", "1");
        assertThatThrownBy(() -> mlops.tracking().starter("other-job").id(run.id()).start())
                .isInstanceOf(ConflictException.class);
        again.close();
        run.close(); // the other handle finds the run ended: logged, not thrown
        assertThat(mlops.tracking().get(run.id()).orElseThrow().status()).isEqualTo(RunStatus.COMPLETED);
        assertThatThrownBy(() -> mlops.tracking().starter("job").id(run.id()).start())
                .isInstanceOf(ConflictException.class).hasMessageContaining("ended");
    }

    @Test
    @DisplayName("search filters by job, status, tag, param and metric")
    void search() {
        for (int i = 0; i < 5; i++) {
            int n = i;
            mlops.tracking().run(i % 2 == 0 ? "even" : "odd", run -> {
                run.logParam("n", Integer.toString(n)).setTag("team", n < 3 ? "a" : "b")
                        .logMetric("score", n * 0.1, 0);
                return null;
            });
            clock.advance(Duration.ofSeconds(1));
        }
        assertThat(mlops.tracking().search(RunQuery.builder().jobName("even").build(), PageRequest.first()).items())
                .hasSize(3);
        assertThat(mlops.tracking().search(RunQuery.builder().tag("team", "b").build(), PageRequest.first()).items())
                .extracting(r -> r.params().get("n")).containsExactly("4", "3");
        assertThat(mlops.tracking().search(RunQuery.builder().param("n", "2").build(), PageRequest.first()).items())
                .hasSize(1);
        assertThat(mlops.tracking().search(RunQuery.builder().metric("score", MetricFilter.Comparison.GE, 0.25)
                .build(), PageRequest.first()).items()).extracting(r -> r.params().get("n")).containsExactly("4", "3");
        assertThat(mlops.tracking().search(RunQuery.builder().status(RunStatus.COMPLETED).build(),
                PageRequest.first(2)).next()).isPresent();
    }

    @Test
    @DisplayName("an artifact is stored by digest and becomes an output node of the run")
    void artifacts(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("model.bin");
        java.nio.file.Files.write(file, new byte[] {1, 2, 3});
        try (ActiveRun run = mlops.tracking().start("job")) {
            var ref = run.logArtifact("model", file);
            assertThat(ref.digest()).isEqualTo(
                    "sha256:039058c6f2c0cb492c533b0a4d14ef77cc0f78abccced5287d84a1a2011cfb81");
            assertThat(run.snapshot().outputs()).extracting(l -> l.node().id())
                    .containsExactly("artifact:model@" + ref.digest());
            assertThatThrownBy(() -> run.logArtifact("model", dir.resolve("missing")))
                    .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("missing");
        }
    }

    @Test
    @DisplayName("the OpenLineage namespace set on the builder is the namespace of exported jobs")
    void openLineageNamespace() throws Exception {
        try (Mlops named = Mlops.builder().storeUri("memory:").openLineageNamespace("team-churn").build()) {
            String id = named.tracking().run("job", run -> run.id());
            String start = named.lineage().openLineageEvents(id).get(0);
            assertThat(new com.fasterxml.jackson.databind.ObjectMapper().readTree(start).at("/job/namespace").asText())
                    .isEqualTo("team-churn");
        }
    }

    @Test
    @DisplayName("builder conflicts and unknown schemes fail fast with messages that name them")
    void builderErrors() {
        assertThatThrownBy(() -> Mlops.builder().storeUri("memory:").store(new dev.mlops.store.memory.InMemoryStore()))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("memory:");
        assertThatThrownBy(() -> Mlops.open("nosuch:x")).isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("nosuch").hasMessageContaining("memory").hasMessageContaining("sqlite");
        assertThatThrownBy(() -> Mlops.builder().heartbeatInterval(Duration.ZERO))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("heartbeatInterval");
        // Port 0: refused before any connection is attempted.
        assertThatThrownBy(() -> Mlops.open("jdbc:postgresql://h:0/db?user=u&password=secret"))
                .isInstanceOf(MlopsException.class)
                .satisfies(e -> assertThat(((MlopsException) e).code()).isEqualTo(ErrorCode.INVALID_ARGUMENT))
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("secret"));
    }
}
