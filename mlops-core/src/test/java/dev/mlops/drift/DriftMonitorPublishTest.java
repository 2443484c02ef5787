package dev.mlops.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.InvalidArgumentException;
import dev.mlops.Mlops;
import dev.mlops.PageRequest;
import dev.mlops.StorageException;
import dev.mlops.audit.AuditEvent;
import dev.mlops.spi.DriftReportEntry;
import dev.mlops.spi.ForwardingMetadataStore;
import dev.mlops.spi.MetadataStore;
import dev.mlops.spi.PendingAuditEvent;
import dev.mlops.spi.ProfileEntry;
import dev.mlops.store.jdbc.JdbcStore;
import dev.mlops.store.memory.InMemoryStore;
import dev.mlops.Created;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("DriftMonitor.publishTo: each window's profile and report saved to the profile store, off the caller")
class DriftMonitorPublishTest {
    static final String SUBJECT = "monitor:checkout";
    static final Instant T0 = DriftMonitorTest.T0;

    @TempDir
    Path dir;

    /** Records {@code rows} rows of x ~ N(shift, 1) and s with shares 0.5, 0.3, 0.2. */
    static void feed(DriftMonitor monitor, long seed, int rows, double shift) {
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < rows; i++) {
            monitor.record(new double[] {shift + DriftMonitorTest.gaussian(r)},
                    new String[] {DriftMonitorTest.category(r, 0.5, 0.3)});
        }
    }

    /** A store that records the threads its profile methods run on and can be told to fail or to wait. */
    static final class WatchedStore extends ForwardingMetadataStore {
        final MetadataStore delegate;
        final Set<String> threads = ConcurrentHashMap.newKeySet();
        volatile boolean failReports;
        volatile CountDownLatch gate;

        WatchedStore(MetadataStore delegate) {
            this.delegate = delegate;
        }

        @Override
        protected MetadataStore delegate() {
            return delegate;
        }

        @Override
        public Created<ProfileEntry> saveProfile(ProfileEntry profile, PendingAuditEvent audit) {
            threads.add(Thread.currentThread().getName());
            CountDownLatch g = gate;
            if (g != null) {
                try {
                    g.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return super.saveProfile(profile, audit);
        }

        @Override
        public Created<DriftReportEntry> saveDriftReport(DriftReportEntry report, PendingAuditEvent audit) {
            threads.add(Thread.currentThread().getName());
            if (failReports) {
                throw new StorageException("the test store refuses drift reports", null);
            }
            return super.saveDriftReport(report, audit);
        }
    }

    @Test
    @DisplayName("every window, the last partial one included, is stored with its profile, linked to the reference,"
            + " in window order, by the publisher thread; stored reports read back as the windows the listeners saw")
    void windowsStored() {
        DatasetProfile reference = DriftMonitorTest.reference(1);
        try (JdbcStore sqlite = JdbcStore.sqlite(dir.resolve("m.db"))) {
            WatchedStore store = new WatchedStore(sqlite);
            try (Mlops mlops = Mlops.builder().store(store).artifactUri("memory:").actor("svc").build()) {
                StoredProfile ref = mlops.profiles().getOrCompute("dataset:train@sha256:" + "ab".repeat(32),
                        "reference", () -> reference);
                store.threads.clear();
                DriftMonitorTest.FakeClock clock = new DriftMonitorTest.FakeClock(T0);
                List<WindowReport> seen = new ArrayList<>();
                DriftMonitor monitor = DriftMonitor.builder(reference).windowRows(5_000).clock(clock)
                        .listener(seen::add)
                        .publishTo(mlops.profiles(), SUBJECT, DriftMonitor.WindowKey.SEQUENCE, ref.id())
                        .build();
                feed(monitor, 2, 10_000, 0);
                clock.advance(Duration.ofMinutes(1));
                feed(monitor, 3, 7_000, 1.0);
                monitor.close();
                assertThat(monitor.windowsClosed()).isEqualTo(4);
                assertThat(monitor.windowsPublished()).isEqualTo(4);
                assertThat(monitor.publishFailures()).isZero();
                assertThat(monitor.listenerFailures()).isZero();
                assertThat(store.threads).containsOnly("mlops-drift-publisher");

                List<StoredDriftReport> reports = mlops.profiles().searchReports(ProfileQuery.of(SUBJECT),
                        PageRequest.first()).items();
                assertThat(reports).extracting(StoredDriftReport::key).containsExactly("0000000000000000000",
                        "0000000000000000001", "0000000000000000002", "0000000000000000003");
                for (int i = 0; i < 4; i++) {
                    StoredDriftReport r = reports.get(i);
                    WindowReport w = seen.get(i);
                    assertThat(r.kind()).isEqualTo(ReportKind.WINDOW);
                    assertThat(r.referenceProfileId()).isEqualTo(ref.id());
                    assertThat(r.datasetDrift()).isEqualTo(w.drift());
                    assertThat(mlops.profiles().windowReport(r)).isEqualTo(w);
                    StoredProfile p = mlops.profiles().get(r.currentProfileId()).orElseThrow();
                    assertThat(p.key()).isEqualTo(r.key());
                    assertThat(p.profile()).isEqualTo(w.profile());
                    assertThat(p.windowStart()).isEqualTo(w.start());
                }
                assertThat(seen.get(0).drift()).isFalse();
                assertThat(reports.get(3).datasetDrift()).as("the shifted window drifts").isTrue();
                assertThat(reports.get(3).driftShare()).as("x drifted, s did not").hasValue(0.5);
                List<String> actions = store.auditEvents(0, 100).stream().map(AuditEvent::action).toList();
                assertThat(actions).hasSize(1 + 4 * 2).containsOnly("profile.saved", "drift_report.saved");
            }
        }
    }

    @Test
    @DisplayName("windows keyed by start instant; a restarted monitor that closes the same windows again finds them"
            + " stored (no second decision), and one that closes other content there counts a failure")
    void restart() {
        DatasetProfile reference = DriftMonitorTest.reference(1);
        try (Mlops mlops = Mlops.builder().store(new InMemoryStore()).artifactUri("memory:").build()) {
            for (int run = 0; run < 2; run++) {
                DriftMonitor monitor = DriftMonitor.builder(reference).windowDuration(Duration.ofMinutes(5))
                        .clock(new DriftMonitorTest.FakeClock(T0))
                        .publishTo(mlops.profiles(), SUBJECT, DriftMonitor.WindowKey.START, null).build();
                feed(monitor, 5, 3_000, 0);
                monitor.close();
                assertThat(monitor.windowsPublished()).as("run %d", run).isEqualTo(1);
                assertThat(monitor.publishFailures()).isZero();
            }
            List<StoredDriftReport> reports = mlops.profiles().searchReports(ProfileQuery.of(SUBJECT), null).items();
            assertThat(reports).hasSize(1);
            assertThat(reports.get(0).key()).isEqualTo(T0.toString());
            assertThat(reports.get(0).windowStart()).isEqualTo(T0);

            DriftMonitor other = DriftMonitor.builder(reference).windowDuration(Duration.ofMinutes(5))
                    .clock(new DriftMonitorTest.FakeClock(T0))
                    .publishTo(mlops.profiles(), SUBJECT, DriftMonitor.WindowKey.START, null).build();
            feed(other, 6, 3_000, 0);
            other.close();
            assertThat(other.windowsPublished()).isZero();
            assertThat(other.publishFailures()).as("CONFLICT with the stored window").isEqualTo(1);
            assertThat(mlops.profiles().searchReports(ProfileQuery.of(SUBJECT), null).items()).isEqualTo(reports);
        }
    }

    @Test
    @DisplayName("a failing store is counted in publishFailures and never reaches the recording thread; the"
            + " monitor goes on")
    void failuresCounted() {
        DatasetProfile reference = DriftMonitorTest.reference(1);
        WatchedStore store = new WatchedStore(new InMemoryStore());
        store.failReports = true;
        try (Mlops mlops = Mlops.builder().store(store).artifactUri("memory:").build()) {
            AtomicInteger listened = new AtomicInteger();
            DriftMonitor monitor = DriftMonitor.builder(reference).windowRows(1_000)
                    .listener(w -> listened.incrementAndGet())
                    .publishTo(mlops.profiles(), SUBJECT, DriftMonitor.WindowKey.SEQUENCE, null).build();
            feed(monitor, 7, 3_500, 0);
            monitor.close();
            assertThat(listened).hasValue(4);
            assertThat(monitor.publishFailures()).isEqualTo(4);
            assertThat(monitor.windowsPublished()).isZero();
            assertThat(monitor.internalErrors()).isZero();
            assertThat(monitor.rejectedRows()).isZero();
            assertThat(mlops.profiles().searchReports(ProfileQuery.of(SUBJECT), null).items()).isEmpty();
        }
    }

    @Test
    @DisplayName("a slow store does not slow down recording: windows queue while a save waits, and close() saves"
            + " them all")
    void slowStoreDoesNotBlockRecording() throws Exception {
        DatasetProfile reference = DriftMonitorTest.reference(1);
        WatchedStore store = new WatchedStore(new InMemoryStore());
        store.gate = new CountDownLatch(1);
        try (Mlops mlops = Mlops.builder().store(store).artifactUri("memory:").build()) {
            DriftMonitor monitor = DriftMonitor.builder(reference).windowRows(1_000)
                    .publishTo(mlops.profiles(), SUBJECT, DriftMonitor.WindowKey.SEQUENCE, null).build();
            feed(monitor, 8, 10_000, 0);
            assertThat(monitor.windowsClosed()).as("the last rows wait in their stripe buffer").isEqualTo(9);
            assertThat(monitor.windowsPublished()).as("nothing saved while the store waits").isZero();
            store.gate.countDown();
            monitor.close();
            assertThat(monitor.windowsPublished()).isEqualTo(10);
            assertThat(monitor.publishFailures()).isZero();
        }
    }

    @Test
    @DisplayName("publishTo checks its arguments: no store, a malformed subject, no key, a malformed reference id")
    void arguments() {
        DatasetProfile reference = DriftMonitorTest.reference(1);
        try (Mlops mlops = Mlops.builder().store(new InMemoryStore()).artifactUri("memory:").build()) {
            ProfileStore profiles = mlops.profiles();
            DriftMonitor.Builder b = DriftMonitor.builder(reference).windowRows(10);
            assertThatThrownBy(() -> b.publishTo(null, SUBJECT, DriftMonitor.WindowKey.START, null))
                    .isInstanceOfSatisfying(InvalidArgumentException.class,
                            e -> assertThat(e.field()).contains("profiles"));
            assertThatThrownBy(() -> b.publishTo(profiles, "checkout", DriftMonitor.WindowKey.START, null))
                    .isInstanceOfSatisfying(InvalidArgumentException.class,
                            e -> assertThat(e.field()).contains("subject"));
            assertThatThrownBy(() -> b.publishTo(profiles, SUBJECT, null, null))
                    .isInstanceOfSatisfying(InvalidArgumentException.class,
                            e -> assertThat(e.field()).contains("key"));
            assertThatThrownBy(() -> b.publishTo(profiles, SUBJECT, DriftMonitor.WindowKey.START, " id"))
                    .isInstanceOfSatisfying(InvalidArgumentException.class,
                            e -> assertThat(e.field()).contains("referenceProfileId"));
            DriftMonitor plain = b.build();
            plain.close();
            assertThat(plain.windowsPublished()).isZero();
            assertThat(plain.publishFailures()).isZero();
        }
    }

    @Test
    @DisplayName("window keys: SEQUENCE is 19 digits with leading zeros, START the ISO-8601 start")
    void keys() {
        WindowReport w = new WindowReport(42, Instant.parse("2026-03-01T10:00:00.5Z"),
                Instant.parse("2026-03-01T10:05:00Z"), 0, List.of(), DriftMonitorTest.reference(1));
        assertThat(DriftMonitor.WindowKey.SEQUENCE.of(w)).isEqualTo("0000000000000000042");
        assertThat(DriftMonitor.WindowKey.START.of(w)).isEqualTo("2026-03-01T10:00:00.500Z");
    }
}
