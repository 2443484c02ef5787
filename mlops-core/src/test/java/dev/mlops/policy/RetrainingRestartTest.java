package dev.mlops.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.mlops.Mlops;
import dev.mlops.PageRequest;
import dev.mlops.audit.AuditEvent;
import dev.mlops.internal.MlopsInternals;
import dev.mlops.internal.policy.StoreRetrainingRequestStore;
import dev.mlops.policy.RetrainingRequest.Status;
import dev.mlops.spi.MetadataStore;
import dev.mlops.store.jdbc.JdbcStoreProvider;
import dev.mlops.store.jdbc.PostgresTestDatabase;
import dev.mlops.store.jdbc.RequiresPostgres;
import dev.mlops.store.memory.InMemoryStore;
import dev.mlops.testing.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code Mlops.retraining()}: requests kept in the metadata store (a SQLite file, and an in-memory store shared by
 * successive instances), so the handler is called once per retrain decision across restarts and across two
 * instances over one store, a request a crash left unfinished is handed out again with its key, and every change is
 * on the audit chain.
 */
@DisplayName("Mlops.retraining(): exactly once across restarts and instances")
class RetrainingRestartTest {
    static final Instant T0 = Instant.parse("2024-05-01T00:00:00Z");
    static final Duration TIMEOUT = Duration.ofMinutes(5);
    static final RetrainingPolicy POLICY = RetrainingPolicy.builder("nightly")
            .anyOf(Condition.metricBelow("accuracy", 0.8)).build();

    @TempDir
    Path dir;

    /** Opens a new instance over the same store each time (a restart), at the given clock. */
    Function<MutableClock, Mlops> backend(String kind) {
        if (kind.equals("sqlite")) {
            Path file = dir.resolve("mlops.db");
            return clock -> Mlops.builder().storeUri("sqlite:" + file).artifactUri("memory:").actor("svc")
                    .clock(clock).build();
        }
        InMemoryStore store = new InMemoryStore();
        return clock -> Mlops.builder().store(store).artifactUri("memory:").actor("svc").clock(clock).build();
    }

    static Observation low(String id, Instant time) {
        return Observation.builder(id, time, "churn").metric("accuracy", 0.5).rows(100).build();
    }

    /**
     * A handler that records its calls and reports no run (a run id must exist in the tracking store:
     * RetrainingKeysAndClocksTest checks the recorded run id of a real run).
     */
    static final class Recording implements RetrainingHandler {
        final List<RetrainingRequest> calls = new CopyOnWriteArrayList<>();

        @Override
        public Optional<String> retrain(RetrainingRequest request) {
            calls.add(request);
            return Optional.empty();
        }
    }

    @Nested
    @RequiresPostgres
    @DisplayName("PostgreSQL")
    class Postgres {
        final List<MetadataStore> stores = new CopyOnWriteArrayList<>();

        /** Instances over one new schema, each with its own connections (as separate processes would have). */
        Function<MutableClock, Mlops> schema() {
            String uri = DATABASE.get().newSchema();
            return clock -> {
                MetadataStore s = new JdbcStoreProvider().open(uri);
                stores.add(s);
                return Mlops.builder().store(s).artifactUri("memory:").actor("svc").clock(clock).build();
            };
        }

        @AfterEach
        void closeStores() {
            stores.forEach(MetadataStore::close);
        }

        @Test
        void completedOnceAcrossARestart() {
            RetrainingRestartTest.completedOnceAcrossARestart(schema());
        }

        @Test
        void resumedAfterACrash() {
            RetrainingRestartTest.resumedAfterACrash(schema());
        }

        @Test
        void twoInstancesCallTheHandlerOnce() throws Exception {
            RetrainingRestartTest.twoInstancesCallTheHandlerOnce(schema());
        }
    }

    private static final PostgresTestDatabase.OnFirstUse DATABASE = new PostgresTestDatabase.OnFirstUse();

    @AfterAll
    static void dropSchemas() throws Exception {
        DATABASE.close();
    }

    static List<AuditEvent> events(Mlops mlops, String subject) {
        return mlops.audit().events(0, PageRequest.first(1000)).items().stream()
                .filter(e -> e.subject().equals(subject)).toList();
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "memory"})
    @DisplayName("a completed request is never handed out again, after a restart either; a failure is recorded")
    void completedOnceAcrossARestartOn(String kind) {
        completedOnceAcrossARestart(backend(kind));
    }

    static void completedOnceAcrossARestart(Function<MutableClock, Mlops> open) {
        MutableClock clock = new MutableClock(T0);
        Recording handler = new Recording();
        try (Mlops mlops = open.apply(clock)) {
            Retraining.Outcome first = mlops.retraining(TIMEOUT, 2).evaluateAndAct(POLICY, low("w1", T0), handler);
            assertThat(first.handled()).isTrue();
            assertThat(first.request().orElseThrow().status()).isEqualTo(Status.COMPLETED);
            assertThat(first.request().orElseThrow().runId()).isEmpty();
        }
        clock.advance(Duration.ofHours(1));
        try (Mlops mlops = open.apply(clock)) {
            Retraining retraining = mlops.retraining(TIMEOUT, 2);
            Retraining.Outcome again = retraining.evaluateAndAct(POLICY, low("w1", T0), handler);
            assertThat(again.handled()).isFalse();
            assertThat(again.request().orElseThrow().status()).isEqualTo(Status.COMPLETED);
            clock.advance(TIMEOUT.multipliedBy(3));
            assertThat(retraining.resumePending(POLICY, "churn", handler)).isEmpty();
            assertThat(handler.calls).extracting(RetrainingRequest::idempotencyKey).containsExactly("nightly/churn/w1");

            // a handler that throws: FAILED with its error, audited, and final
            Retraining.Outcome failed = retraining.evaluateAndAct(POLICY, low("w2", clock.instant()), r -> {
                throw new IllegalStateException("out of GPUs");
            });
            assertThat(failed.request().orElseThrow().status()).isEqualTo(Status.FAILED);
            assertThat(failed.request().orElseThrow().error()).contains("java.lang.IllegalStateException: out of GPUs");
            assertThat(retraining.resumePending(POLICY, "churn", handler)).isEmpty();
            assertThat(retraining.requests("nightly", "churn")).extracting(RetrainingRequest::status)
                    .containsExactly(Status.COMPLETED, Status.FAILED);
            assertThat(events(mlops, "retraining:nightly/churn/w2")).extracting(AuditEvent::action)
                    .containsExactly("policy.decided", "retraining.requested", "retraining.running",
                            "retraining.failed", "policy.result_recorded"); // the failure starts the back-off
            assertThat(mlops.audit().verify().ok()).isTrue();
        }
        assertThat(handler.calls).hasSize(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "memory"})
    @DisplayName("requests a crash left RUNNING or REQUESTED are resumed with their key; the audit chain has every"
            + " change in order")
    void resumedAfterACrashOn(String kind) {
        resumedAfterACrash(backend(kind));
    }

    static void resumedAfterACrash(Function<MutableClock, Mlops> open) {
        MutableClock clock = new MutableClock(T0);
        try (Mlops mlops = open.apply(clock)) {
            // what a crash leaves: w1's handler was called (RUNNING, attempt 1) and never returned; w2's request was
            // created but the handler never called; w3 was decided and the process died before its request
            StoreRetrainingRequestStore store = new StoreRetrainingRequestStore(MlopsInternals.context(mlops));
            Decision d1 = mlops.policies().evaluate(POLICY, low("w1", T0));
            RetrainingRequest requested = RetrainingRequest.requested(d1, clock.instant());
            assertThat(store.create(requested)).isTrue();
            assertThat(store.transition(requested, requested.running(clock.instant()))).isTrue();
            clock.advance(Duration.ofMinutes(1));
            Decision d2 = mlops.policies().evaluate(POLICY, low("w2", clock.instant()));
            assertThat(store.create(RetrainingRequest.requested(d2, clock.instant()))).isTrue();
            clock.advance(Duration.ofMinutes(1));
            assertThat(mlops.policies().evaluate(POLICY, low("w3", clock.instant())).retrain()).isTrue();
        }

        Recording handler = new Recording();
        clock.advance(Duration.ofMinutes(1));
        try (Mlops mlops = open.apply(clock)) {
            Retraining retraining = mlops.retraining(TIMEOUT, 1);
            // w1 changed 3 minutes ago, less than the timeout: its caller may be alive, so it is not handed out yet
            assertThat(retraining.resumePending(POLICY, "churn", handler))
                    .extracting(RetrainingRequest::windowId, RetrainingRequest::attempt)
                    .containsExactly(tuple("w2", 1), tuple("w3", 1));
            assertThat(retraining.request("nightly/churn/w1").orElseThrow().status()).isEqualTo(Status.RUNNING);
        }
        clock.advance(TIMEOUT);
        try (Mlops mlops = open.apply(clock)) {
            Retraining retraining = mlops.retraining(TIMEOUT, 1);
            List<RetrainingRequest> resumed = retraining.resumePending(POLICY, "churn", handler);
            assertThat(resumed).extracting(RetrainingRequest::idempotencyKey).containsExactly("nightly/churn/w1");
            assertThat(resumed.get(0).status()).isEqualTo(Status.COMPLETED);
            assertThat(resumed.get(0).attempt()).isEqualTo(2);
            assertThat(handler.calls).extracting(RetrainingRequest::idempotencyKey, RetrainingRequest::attempt,
                    RetrainingRequest::status).containsExactly(
                            tuple("nightly/churn/w2", 1, Status.RUNNING),
                            tuple("nightly/churn/w3", 1, Status.RUNNING),
                            tuple("nightly/churn/w1", 2, Status.RUNNING));
            // nothing is handed out twice: not by another resume, not by the windows sent again
            assertThat(retraining.resumePending(POLICY, "churn", handler)).isEmpty();
            for (String w : List.of("w1", "w2", "w3")) {
                assertThat(retraining.evaluateAndAct(POLICY, low(w, clock.instant()), handler).handled()).isFalse();
            }
            assertThat(handler.calls).hasSize(3);
            assertThat(retraining.requests("nightly", "churn")).extracting(RetrainingRequest::windowId,
                    RetrainingRequest::status).containsExactly(
                            tuple("w1", Status.COMPLETED),
                            tuple("w2", Status.COMPLETED),
                            tuple("w3", Status.COMPLETED));

            List<AuditEvent> w1 = events(mlops, "retraining:nightly/churn/w1");
            assertThat(w1).extracting(AuditEvent::action).containsExactly("policy.decided", "retraining.requested",
                    "retraining.running", "retraining.running", "retraining.completed");
            assertThat(w1.get(0).data()).isEqualTo("{\"held_by\":null,\"model\":\"churn\",\"policy\":\"nightly\","
                    + "\"retrain\":true,\"status\":\"retrain\",\"window\":\"w1\"}");
            assertThat(w1.get(3).data()).contains("\"from\":\"running\"", "\"attempt\":2")
                    .doesNotContain("conditions");
            assertThat(w1.get(4).data()).contains("\"attempt\":2").doesNotContain("run_id");
            assertThat(w1).extracting(AuditEvent::actor).containsOnly("svc");
            List<AuditEvent> all = mlops.audit().events(0, PageRequest.first(1000)).items();
            assertThat(all).filteredOn(e -> e.action().equals("policy.decided")).hasSize(3);
            assertThat(all).filteredOn(e -> e.action().startsWith("retraining.")).hasSize(10);
            assertThat(mlops.audit().verify().ok()).isTrue();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"sqlite", "memory"})
    @DisplayName("two instances over one store acting on the same windows at once call the handler once per window")
    void twoInstancesCallTheHandlerOnceOn(String kind) throws Exception {
        twoInstancesCallTheHandlerOnce(backend(kind));
    }

    static void twoInstancesCallTheHandlerOnce(Function<MutableClock, Mlops> open) throws Exception {
        MutableClock clock = new MutableClock(T0);
        Recording handler = new Recording();
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (Mlops a = open.apply(clock); Mlops b = open.apply(clock)) {
            List<Retraining> services = List.of(a.retraining(TIMEOUT, 2), b.retraining(TIMEOUT, 2));
            for (int i = 0; i < 6; i++) {
                clock.advance(Duration.ofDays(1));
                Observation w = low("w" + i, clock.instant());
                CountDownLatch start = new CountDownLatch(1);
                List<Future<Retraining.Outcome>> outcomes = services.stream().map(s -> pool.submit(() -> {
                    start.await();
                    return s.evaluateAndAct(POLICY, w, handler);
                })).toList();
                start.countDown();
                int handled = 0;
                for (Future<Retraining.Outcome> f : outcomes) {
                    Retraining.Outcome o = f.get(60, TimeUnit.SECONDS);
                    assertThat(o.decision().retrain()).isTrue();
                    handled += o.handled() ? 1 : 0;
                }
                assertThat(handled).as("window %s", w.windowId()).isEqualTo(1);
            }
            assertThat(handler.calls).extracting(RetrainingRequest::windowId)
                    .containsExactlyInAnyOrder("w0", "w1", "w2", "w3", "w4", "w5");
            assertThat(a.retraining().requests("nightly", "churn")).hasSize(6)
                    .allSatisfy(r -> assertThat(r.status()).isEqualTo(Status.COMPLETED));
            assertThat(a.audit().verify().ok()).isTrue();
        } finally {
            pool.shutdownNow();
        }
    }
}
