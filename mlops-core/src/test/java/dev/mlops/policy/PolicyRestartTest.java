package dev.mlops.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.Mlops;
import dev.mlops.PageRequest;
import dev.mlops.audit.AuditEvent;
import dev.mlops.policy.Decision.Status;
import dev.mlops.spi.MetadataStore;
import dev.mlops.spi.PolicyDecisionEntry;
import dev.mlops.store.jdbc.JdbcStore;
import dev.mlops.store.jdbc.JdbcStoreProvider;
import dev.mlops.store.jdbc.PostgresTestDatabase;
import dev.mlops.store.jdbc.RequiresPostgres;
import dev.mlops.testing.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The test: {@code Mlops.policies()} keeps a policy's state and decisions in the metadata store, so a service
 * restarted in the middle of a cooldown (a new {@code Mlops} on the same SQLite file) neither forgets it nor fires
 * twice for a window; and evaluators in two {@code Mlops} instances over one database decide each window once.
 */
@DisplayName("Mlops.policies(): restarts and concurrent evaluators on one database")
class PolicyRestartTest {
    static final Instant T0 = Instant.parse("2024-05-01T00:00:00Z");
    static final Duration DAY = Duration.ofDays(1);
    /** Fires below 0.8 accuracy; three days and 250 rows between retrains. */
    static final RetrainingPolicy POLICY = RetrainingPolicy.builder("daily-accuracy")
            .anyOf(Condition.metricBelow("accuracy", 0.8))
            .cooldown(Duration.ofDays(3), 250)
            .build();

    @TempDir
    Path dir;

    static Observation window(String id, Instant time, double accuracy) {
        return Observation.builder(id, time, "churn").metric("accuracy", accuracy).rows(100).build();
    }

    Mlops open(Path file, MutableClock clock) {
        return Mlops.builder().storeUri("sqlite:" + file).artifactUri("memory:").actor("scheduler").clock(clock)
                .build();
    }

    @Test
    @DisplayName("a restart in the middle of a cooldown neither forgets it nor fires twice; after the cooldown the"
            + " policy fires again")
    void restartInTheMiddleOfACooldown() {
        Path file = dir.resolve("mlops.db");
        MutableClock clock = new MutableClock(T0);
        Decision fired;
        try (Mlops mlops = open(file, clock)) {
            RetrainingPolicies policies = mlops.policies();
            assertThat(policies.evaluate(POLICY, window("d1", clock.instant(), 0.90)).status())
                    .isEqualTo(Status.NO_RETRAIN);
            clock.advance(DAY);
            fired = policies.evaluate(POLICY, window("d2", clock.instant(), 0.70));
            assertThat(fired.status()).isEqualTo(Status.RETRAIN);
            assertThat(fired.decidedAt()).isEqualTo(T0.plus(DAY));
        }

        // the service restarts one day into the three-day cooldown
        clock.advance(DAY);
        Decision heldD3;
        try (Mlops mlops = open(file, clock)) {
            RetrainingPolicies policies = mlops.policies();
            heldD3 = policies.evaluate(POLICY, window("d3", clock.instant(), 0.60));
            assertThat(heldD3.status()).isEqualTo(Status.HELD);
            assertThat(heldD3.triggered()).isTrue();
            assertThat(heldD3.heldBy()).contains(Guards.Guard.COOLDOWN);
            assertThat(heldD3.guard(Guards.Guard.COOLDOWN).orElseThrow().reason()).isEqualTo("86400 s since the"
                    + " last retrain at 2024-05-02T00:00:00Z (window 'd2'), minimum 259200 s; 100 rows since,"
                    + " minimum 250");
            // the window that fired before the restart is not decided again: the stored decision comes back
            assertThat(policies.evaluate(POLICY, window("d2", clock.instant(), 0.10))).isEqualTo(fired);
            assertThat(policies.decisions("daily-accuracy", "churn")).extracting(Decision::windowId)
                    .containsExactly("d1", "d2", "d3");
            assertThat(policies.decisions("daily-accuracy", "churn")).filteredOn(Decision::retrain)
                    .containsExactly(fired);
        }

        // a second restart, two days in: still held, with the numbers counted across both restarts
        clock.advance(DAY);
        try (Mlops mlops = open(file, clock)) {
            RetrainingPolicies policies = mlops.policies();
            Decision heldD4 = policies.evaluate(POLICY, window("d4", clock.instant(), 0.60));
            assertThat(heldD4.heldBy()).contains(Guards.Guard.COOLDOWN);
            assertThat(heldD4.guard(Guards.Guard.COOLDOWN).orElseThrow().reason()).isEqualTo("172800 s since the"
                    + " last retrain at 2024-05-02T00:00:00Z (window 'd2'), minimum 259200 s; 200 rows since,"
                    + " minimum 250");
            assertThat(policies.evaluate(POLICY, window("d3", clock.instant(), 0.99))).isEqualTo(heldD3);
            assertThat(policies.evaluate(POLICY, window("d2", clock.instant(), 0.10))).isEqualTo(fired);

            // three days after the retrain, 300 rows since: the cooldown is over and the policy fires again
            clock.advance(DAY);
            Decision again = policies.evaluate(POLICY, window("d5", clock.instant(), 0.60));
            assertThat(again.status()).isEqualTo(Status.RETRAIN);
            assertThat(again.guard(Guards.Guard.COOLDOWN).orElseThrow().held()).isFalse();
            assertThat(again.guard(Guards.Guard.COOLDOWN).orElseThrow().reason()).isEqualTo("259200 s since the"
                    + " last retrain at 2024-05-02T00:00:00Z (window 'd2'), minimum 259200 s; 300 rows since,"
                    + " minimum 250");

            List<AuditEvent> decided = mlops.audit().events(0, PageRequest.first(1000)).items().stream()
                    .filter(e -> e.action().equals("policy.decided")).toList();
            assertThat(decided).hasSize(5);
            assertThat(decided).extracting(AuditEvent::actor).containsOnly("scheduler");
            assertThat(mlops.audit().verify().ok()).isTrue();
        }

        try (JdbcStore store = JdbcStore.sqlite(file)) {
            List<PolicyDecisionEntry> rows = store.listPolicyDecisions("daily-accuracy", "churn",
                    PageRequest.first(100)).items();
            assertThat(rows).extracting(PolicyDecisionEntry::windowId).containsExactly("d1", "d2", "d3", "d4", "d5");
            assertThat(rows).extracting(PolicyDecisionEntry::status).containsExactly("no_retrain", "retrain", "held",
                    "held", "retrain");
            assertThat(store.getPolicyState("daily-accuracy", "churn").orElseThrow().version()).isEqualTo(5);
        }
    }

    @Test
    @DisplayName("an approval after a restart is stored with the approver, and starts the cooldown")
    void approvalAcrossARestart() {
        RetrainingPolicy gated = POLICY.toBuilder().approval(true).build();
        Path file = dir.resolve("approval.db");
        MutableClock clock = new MutableClock(T0);
        try (Mlops mlops = open(file, clock)) {
            assertThat(mlops.policies().evaluate(gated, window("d1", clock.instant(), 0.5)).status())
                    .isEqualTo(Status.AWAITING_APPROVAL);
        }
        clock.advance(Duration.ofHours(2));
        try (Mlops mlops = open(file, clock)) {
            Decision approved = mlops.policies().approve(gated, "churn", "d1", "dora");
            assertThat(approved.status()).isEqualTo(Status.RETRAIN);
            assertThat(approved.actor()).contains("dora");
            assertThat(mlops.audit().events(0, PageRequest.first(100)).items()).extracting(AuditEvent::actor)
                    .containsExactly("scheduler", "dora");
        }
        clock.advance(DAY);
        try (Mlops mlops = open(file, clock)) {
            RetrainingPolicies policies = mlops.policies();
            assertThat(policies.decision(gated.name(), "churn", "d1").orElseThrow().actor()).contains("dora");
            Decision held = policies.evaluate(gated, window("d2", clock.instant(), 0.5));
            assertThat(held.heldBy()).contains(Guards.Guard.COOLDOWN);
            assertThat(held.guard(Guards.Guard.COOLDOWN).orElseThrow().reason()).startsWith("86400 s since the last"
                    + " retrain at 2024-05-01T02:00:00Z (window 'd1')");
        }
    }

    /**
     * Four threads, two per {@code Mlops} instance (each with its own connections to the database), evaluate the
     * same twelve windows in the same order at the same time; returns what each thread got.
     */
    static List<List<Decision>> evaluateConcurrently(Supplier<Mlops> open) throws Exception {
        List<Mlops> instances = List.of(open.get(), open.get());
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<List<Decision>>> futures = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                RetrainingPolicies policies = instances.get(t % 2).policies();
                futures.add(pool.submit(() -> {
                    start.await();
                    List<Decision> seen = new ArrayList<>();
                    for (int w = 1; w <= 12; w++) {
                        seen.add(policies.evaluate(POLICY, window("w" + w, T0, w % 3 == 0 ? 0.9 : 0.5)));
                    }
                    return seen;
                }));
            }
            start.countDown();
            List<List<Decision>> results = new ArrayList<>();
            for (Future<List<Decision>> f : futures) {
                results.add(f.get(120, TimeUnit.SECONDS));
            }
            return results;
        } finally {
            pool.shutdownNow();
            for (Mlops m : instances) {
                m.close();
            }
        }
    }

    /** Every thread saw the same decision for each window, and the store holds exactly one decision per window. */
    static void assertOneDecisionPerWindow(List<List<Decision>> results, MetadataStore store) {
        for (List<Decision> r : results) {
            assertThat(r).isEqualTo(results.get(0));
        }
        List<PolicyDecisionEntry> rows = store.listPolicyDecisions("daily-accuracy", "churn",
                PageRequest.first(100)).items();
        assertThat(rows).extracting(PolicyDecisionEntry::windowId).containsExactlyElementsOf(
                java.util.stream.IntStream.rangeClosed(1, 12).mapToObj(w -> "w" + w).toList());
        assertThat(rows).filteredOn(PolicyDecisionEntry::retrain).hasSize(1);
        assertThat(results.get(0)).filteredOn(Decision::retrain).extracting(Decision::windowId)
                .containsExactly("w1");
        assertThat(store.getPolicyState("daily-accuracy", "churn").orElseThrow().version()).isEqualTo(12);
        assertThat(store.auditEvents(0, 1000)).extracting(AuditEvent::action).containsOnly("policy.decided")
                .hasSize(12);
    }

    @Test
    @DisplayName("evaluators in two Mlops instances on one SQLite file decide each window once")
    void concurrentEvaluatorsOnOneSqliteFile() throws Exception {
        Path file = dir.resolve("shared.db");
        List<List<Decision>> results = evaluateConcurrently(() -> Mlops.builder().storeUri("sqlite:" + file)
                .artifactUri("memory:").actor("svc").clock(new MutableClock(T0)).build());
        try (JdbcStore store = JdbcStore.sqlite(file)) {
            assertOneDecisionPerWindow(results, store);
        }
    }

    @Nested
    @RequiresPostgres
    @DisplayName("PostgreSQL")
    class Postgres {
        @Test
        @DisplayName("evaluators in two Mlops instances on one PostgreSQL database decide each window once, and a"
                + " restart keeps the cooldown")
        void concurrentEvaluatorsOnOneDatabase() throws Exception {
            String uri = DATABASE.get().newSchema();
            List<MetadataStore> stores = new ArrayList<>();
            try {
                List<List<Decision>> results = evaluateConcurrently(() -> {
                    MetadataStore s = new JdbcStoreProvider().open(uri);
                    stores.add(s);
                    return Mlops.builder().store(s).artifactUri("memory:").actor("svc")
                            .clock(new MutableClock(T0)).build();
                });
                try (MetadataStore check = new JdbcStoreProvider().open(uri)) {
                    assertOneDecisionPerWindow(results, check);
                    MutableClock clock = new MutableClock(T0.plus(DAY));
                    try (Mlops restarted = Mlops.builder().store(check).artifactUri("memory:").clock(clock)
                            .build()) {
                        Decision held = restarted.policies().evaluate(POLICY, window("w13", T0, 0.5));
                        assertThat(held.heldBy()).contains(Guards.Guard.COOLDOWN);
                        assertThat(restarted.policies().evaluate(POLICY, window("w1", T0, 0.9)))
                                .isEqualTo(results.get(0).get(0));
                    }
                }
            } finally {
                stores.forEach(MetadataStore::close);
            }
        }
    }

    private static final PostgresTestDatabase.OnFirstUse DATABASE = new PostgresTestDatabase.OnFirstUse();

    @AfterAll
    static void dropSchemas() throws Exception {
        DATABASE.close();
    }
}
