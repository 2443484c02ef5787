package dev.mlops.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.Created;
import dev.mlops.Mlops;
import dev.mlops.audit.AuditEvent;
import dev.mlops.policy.GateVerdict.Outcome;
import dev.mlops.registry.ModelRef;
import dev.mlops.spi.ForwardingMetadataStore;
import dev.mlops.spi.MetadataStore;
import dev.mlops.spi.PendingAuditEvent;
import dev.mlops.store.jdbc.JdbcStore;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;

@DisplayName("The promotion gate on a SQLite file")
class PromotionGateSqliteTest extends PromotionGateContract {
    @Override
    MetadataStore newStore(Path dir) {
        return JdbcStore.sqlite(dir.resolve("mlops.db"));
    }

    /** Fails the audit inserts in the store's own file ({@link #failAuditInserts}). */
    @Override
    AutoCloseable failAliasMovesInsideTheStore(String failingAction) throws Exception {
        return failAuditInserts(dir.resolve("mlops.db"), failingAction);
    }

    /**
     * A trigger, created through a connection of its own on the SQLite {@code file}, makes the insert of the audit
     * event whose action matches {@code failingAction} fail inside the transaction of the store on that file: after
     * the alias row was written (and, for the alias's own event, after the verdict's event), so only a rollback of
     * the whole transaction leaves nothing. Closing the handle drops the trigger.
     */
    static AutoCloseable failAuditInserts(Path file, String failingAction) throws Exception {
        Connection admin = DriverManager.getConnection("jdbc:sqlite:" + file);
        execute(admin, "CREATE TRIGGER inject_alias_failure BEFORE INSERT ON audit_events WHEN NEW.action LIKE '"
                + failingAction + "' BEGIN SELECT RAISE(ABORT, 'injected failure of an audit event'); END");
        return () -> {
            try (admin) {
                execute(admin, "DROP TRIGGER inject_alias_failure");
            }
        };
    }

    /** Another process on the database file: a store of its own (its own connections) and an Mlops over it. */
    private Mlops process(MetadataStore store, String actor) {
        Mlops m = Mlops.builder().store(store).artifactStore(artifacts).clock(clock).actor(actor).build();
        opened.add(m);
        return m;
    }

    private final List<MetadataStore> stores = new ArrayList<>();

    private JdbcStore fileStore() {
        JdbcStore s = JdbcStore.sqlite(dir.resolve("mlops.db"));
        stores.add(s);
        return s;
    }

    @org.junit.jupiter.api.AfterEach
    void closeFileStores() {
        stores.forEach(MetadataStore::close);
    }

    @Test
    @DisplayName("two gates on one SQLite file, each with its own store: the first, stalled between its evaluation"
            + " and its record for as long as the second needs to gate the candidate, records nothing and returns"
            + " the second's verdict, though its own passed and the alias's compare-and-set would succeed")
    void stalledProcessReplaysTheOthersVerdict() throws Exception {
        champion();
        approved("rain", Map.of("accuracy", 0.85));
        CountDownLatch stalled = new CountDownLatch(1);
        CountDownLatch wakeUp = new CountDownLatch(1);
        JdbcStore own = fileStore();
        MetadataStore stalling = new ForwardingMetadataStore() {
            @Override
            protected MetadataStore delegate() {
                return own;
            }

            @Override
            public Optional<AuditEvent> recordPromotionVerdict(String name, String alias, int candidate,
                    boolean move, Integer expectedCurrent, Instant time, List<PendingAuditEvent> audit) {
                stalled.countDown();
                try {
                    if (!wakeUp.await(60, TimeUnit.SECONDS)) {
                        throw new AssertionError("never woken up");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError(e);
                }
                return super.recordPromotionVerdict(name, alias, candidate, move, expectedCurrent, time, audit);
            }
        };
        Mlops first = process(stalling, "first");
        Mlops second = process(fileStore(), "second");
        GateThreshold lenient = GateThreshold.higherIsBetter("accuracy").minAbsoluteChange(-0.10);
        GateThreshold strict = GateThreshold.higherIsBetter("accuracy").minAbsoluteChange(0.10);
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<Created<GateVerdict>> firsts = pool.submit(() -> PromotionGate.builder(first).threshold(lenient)
                    .build().promoteOnce(ModelRef.of("rain", 2), "production", HoldoutEvaluation.NONE));
            assertThat(stalled.await(60, TimeUnit.SECONDS)).isTrue();

            Created<GateVerdict> seconds = PromotionGate.builder(second).threshold(strict).build()
                    .promoteOnce(ModelRef.of("rain", 2), "production", HoldoutEvaluation.NONE);
            wakeUp.countDown();
            Created<GateVerdict> woken = firsts.get(60, TimeUnit.SECONDS);

            assertThat(seconds.created()).isTrue();
            assertThat(seconds.value().outcome()).isEqualTo(Outcome.FAILED);
            assertThat(woken.created()).isFalse();
            assertThat(woken.value().outcome()).isEqualTo(Outcome.FAILED);
            assertThat(production()).isEqualTo(1);
            assertThat(decisions()).hasSize(1);
            assertThat(decisions().get(0).actor()).isEqualTo("second");
            assertThat(mlops.audit().verify().ok()).isTrue();
        } finally {
            wakeUp.countDown();
            pool.shutdownNow();
        }
    }

    @RepeatedTest(4)
    @DisplayName("six gates in three processes on one SQLite file gate one candidate at the same time, some passing,"
            + " some failing: exactly one records a verdict, every other returns it, and the alias is moved only if"
            + " that verdict is PROMOTED")
    void oneVerdictAmongConcurrentProcesses(RepetitionInfo repetition) throws Exception {
        champion();
        approved("rain", Map.of("accuracy", 0.85));
        SplittableRandom random = new SplittableRandom(31L * repetition.getCurrentRepetition());
        List<Mlops> processes = List.of(process(fileStore(), "p0"), process(fileStore(), "p1"),
                process(fileStore(), "p2"));
        GateThreshold lenient = GateThreshold.higherIsBetter("accuracy").minAbsoluteChange(-0.10);
        GateThreshold strict = GateThreshold.higherIsBetter("accuracy").minAbsoluteChange(0.10);
        int threads = 6;
        List<PromotionGate> gates = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            gates.add(PromotionGate.builder(processes.get(t % 3)).threshold(random.nextBoolean() ? lenient : strict)
                    .build());
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        List<Created<GateVerdict>> results = new ArrayList<>();
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Created<GateVerdict>>> futures = new ArrayList<>();
            for (PromotionGate g : gates) {
                futures.add(pool.submit(() -> {
                    start.await();
                    return g.promoteOnce(ModelRef.of("rain", 2), "production", HoldoutEvaluation.NONE);
                }));
            }
            start.countDown();
            for (Future<Created<GateVerdict>> f : futures) {
                results.add(f.get(120, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }

        assertThat(results.stream().filter(Created::created)).hasSize(1);
        GateVerdict recorded = results.stream().filter(Created::created).findFirst().orElseThrow().value();
        assertThat(results).extracting(r -> r.value().outcome()).containsOnly(recorded.outcome());
        assertThat(decisions()).hasSize(1);
        assertThat(production()).isEqualTo(recorded.promoted() ? 2 : 1);
        assertThat(mlops.audit().verify().ok()).isTrue();
    }

    private static void execute(Connection c, String sql) throws Exception {
        try (Statement s = c.createStatement()) {
            s.execute("PRAGMA busy_timeout = 10000");
            s.execute(sql);
        }
    }
}
