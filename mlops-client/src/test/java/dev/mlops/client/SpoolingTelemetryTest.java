package dev.mlops.client;

import static dev.mlops.tck.TckData.audit;
import static dev.mlops.tck.TckData.newRun;
import static dev.mlops.tck.TckData.point;
import static dev.mlops.tck.TckData.runId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mlops.InvalidArgumentException;
import dev.mlops.Mlops;
import dev.mlops.PageRequest;
import dev.mlops.StorageException;
import dev.mlops.audit.AuditEvent;
import dev.mlops.audit.AuditVerification;
import dev.mlops.drift.DatasetProfile;
import dev.mlops.drift.DatasetProfiler;
import dev.mlops.drift.DriftMonitor;
import dev.mlops.drift.ProfileQuery;
import dev.mlops.drift.StoredDriftReport;
import dev.mlops.drift.StoredProfile;
import dev.mlops.drift.WindowReport;
import dev.mlops.internal.wire.Wire;
import dev.mlops.server.MlopsServer;
import dev.mlops.spi.MetadataStore;
import dev.mlops.store.jdbc.JdbcStoreProvider;
import dev.mlops.tracking.ActiveRun;
import dev.mlops.tracking.MetricPoint;
import dev.mlops.tracking.RunStatus;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import okhttp3.Interceptor;
import okhttp3.OkHttpClient;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Telemetry of every kind (metric batches, monitor profiles and drift reports) through a {@link SpoolingMetadataStore}
 * in front of a real {@link MlopsServer} on a SQLite file: the outage is the server stopped, and a new one started
 * on the same port and file.
 */
@DisplayName("metrics, profiles and drift reports spooled across a server outage")
class SpoolingTelemetryTest {
    private static final Duration FLUSH = Duration.ofSeconds(10);
    private static final String MONITOR = "monitor:checkout";
    private static final String REFERENCE = "dataset:train@sha256:" + "ab".repeat(32);
    private static final Set<String> TELEMETRY = Set.of("profile.saved", "drift_report.saved", "run.metrics",
            "run.log_metrics");

    @TempDir
    Path dir;

    private Path db;
    private int port;
    private MetadataStore backend;
    private MlopsServer server;

    @BeforeEach
    void start() {
        db = dir.resolve("mlops.db");
        up();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            down();
        }
    }

    /** Starts a server on the SQLite file (on the port of the first one, once there was one). */
    private void up() {
        backend = new JdbcStoreProvider().open("sqlite:" + db);
        server = MlopsServer.builder().store(backend).port(port).build().start();
        port = server.port();
    }

    private void down() {
        server.close();
        backend.close();
        server = null;
        backend = null;
    }

    private String uri() {
        return "http://127.0.0.1:" + port;
    }

    private Path spool() {
        return dir.resolve("spool").resolve("telemetry.jsonl");
    }

    private SpoolingMetadataStore spooling(OkHttpClient client, Duration flush) {
        RemoteMetadataStore.Builder b = RemoteMetadataStore.builder(uri()).maxRetries(0);
        return SpoolingMetadataStore.wrap((client == null ? b : b.client(client)).build(), spool(), 1000, flush,
                Duration.ofMillis(20));
    }

    private static Mlops mlops(MetadataStore store) {
        return Mlops.builder().store(store).artifactUri("memory:").actor("svc").build();
    }

    /** A profile of {@code rows} rows: x ~ N(shift, 1), s in a, b, c. */
    private static DatasetProfile profile(long seed, int rows, double shift) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] x = new double[rows];
        String[] s = new String[rows];
        for (int i = 0; i < rows; i++) {
            x[i] = shift + r.nextDouble() * 2 - 1;
            s[i] = r.nextInt(3) == 0 ? "a" : r.nextBoolean() ? "b" : "c";
        }
        DatasetProfiler p = DatasetProfiler.builder().numeric("x").categorical("s").build();
        p.column("x").addAll(x);
        p.column("s").addAll(s);
        return p.toProfile();
    }

    private static void feed(DriftMonitor monitor, long seed, int rows, double shift) {
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < rows; i++) {
            monitor.record(new double[] {shift + r.nextDouble() * 2 - 1},
                    new String[] {r.nextInt(3) == 0 ? "a" : r.nextBoolean() ? "b" : "c"});
        }
    }

    private static void await(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until " + what);
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    private List<AuditEvent> events() {
        return backend.auditEvents(0, 10_000);
    }

    private List<String> telemetryActions() {
        return events().stream().map(AuditEvent::action).filter(TELEMETRY::contains).toList();
    }

    private void assertAuditVerifies() {
        try (Mlops direct = mlops(backend)) {
            AuditVerification verification = direct.audit().verify();
            assertThat(verification.ok()).as(String.valueOf(verification.failure())).isTrue();
        }
    }

    private List<Long> steps(String runId) {
        return backend.metricHistory(runId, "loss", PageRequest.first(10_000)).items().stream()
                .map(MetricPoint::step).toList();
    }

    private static List<Long> range(int n) {
        List<Long> all = new ArrayList<>();
        for (long i = 0; i < n; i++) {
            all.add(i);
        }
        return all;
    }

    /**
     * While the server is down: {@code windows} monitor windows, each published (profile and report spooled), then
     * 40 metric points of {@code run}, flushed (one batch): the spool's order is profile, report, batch, per window.
     */
    private static void interleave(DriftMonitor monitor, ActiveRun run, int windows) {
        for (int w = 0; w < windows; w++) {
            feed(monitor, 100 + w, 400, w == windows - 1 ? 0.5 : 0);
            assertThat(monitor.closeWindow()).isTrue();
            long published = w + 1;
            await(() -> monitor.windowsPublished() == published, "window " + w + " is spooled");
            for (int i = 0; i < 40; i++) {
                long step = w * 40L + i;
                run.logMetric("loss", 1.0 / (step + 1), step);
            }
            run.flush();
        }
    }

    /** Checks what the server holds after the windows of {@link #interleave} were delivered. */
    private void assertDelivered(Mlops mlops, String referenceId, List<WindowReport> seen, String runId) {
        int windows = seen.size();
        List<StoredDriftReport> reports = mlops.profiles().searchReports(ProfileQuery.of(MONITOR),
                PageRequest.first()).items();
        assertThat(reports).extracting(StoredDriftReport::key).containsExactlyElementsOf(
                range(windows).stream().map(w -> String.format("%019d", w)).toList());
        for (int w = 0; w < windows; w++) {
            StoredDriftReport r = reports.get(w);
            assertThat(r.referenceProfileId()).isEqualTo(referenceId);
            assertThat(r.datasetDrift()).isEqualTo(seen.get(w).drift());
            assertThat(mlops.profiles().windowReport(r)).as("window %d as the listeners saw it", w)
                    .isEqualTo(seen.get(w));
            StoredProfile p = mlops.profiles().get(r.currentProfileId()).orElseThrow();
            assertThat(p.key()).isEqualTo(r.key());
        }
        assertThat(mlops.profiles().search(ProfileQuery.of(MONITOR), PageRequest.first()).items())
                .hasSize(windows);

        List<String> expected = new ArrayList<>();
        expected.add("profile.saved"); // the reference, saved before the outage
        for (int w = 0; w < windows; w++) {
            expected.addAll(List.of("profile.saved", "drift_report.saved", "run.log_metrics"));
        }
        assertThat(telemetryActions()).as("each entry once, in the order it was spooled").isEqualTo(expected);
        assertThat(steps(runId)).isEqualTo(range(windows * 40));
        assertAuditVerifies();
    }

    @Test
    @DisplayName("profiles, drift reports and metrics spooled while the server is down arrive once, in order")
    void outageReplayedInOrder() {
        List<WindowReport> seen = new CopyOnWriteArrayList<>();
        String runId;
        try (SpoolingMetadataStore store = spooling(null, FLUSH); Mlops mlops = mlops(store)) {
            StoredProfile reference = mlops.profiles().getOrCompute(REFERENCE, "reference",
                    () -> profile(1, 5_000, 0));
            ActiveRun run = mlops.tracking().start("train");
            runId = run.id();
            DriftMonitor monitor = DriftMonitor.builder(reference.profile()).windowRows(1_000_000)
                    .listener(seen::add)
                    .publishTo(mlops.profiles(), MONITOR, DriftMonitor.WindowKey.SEQUENCE, reference.id()).build();

            down();
            interleave(monitor, run, 3);
            assertThat(store.pendingBatches()).as("3 x (profile, report, batch)").isEqualTo(9);
            assertThat(monitor.publishFailures()).isZero();

            up();
            run.close(); // waits for the spool: the metrics arrive before the run is finished
            monitor.close();
            assertThat(store.pendingBatches()).isZero();
            assertThat(store.droppedBatches()).isZero();
            assertDelivered(mlops, reference.id(), seen, runId);
            assertThat(backend.getRun(runId).orElseThrow().status()).isEqualTo(RunStatus.COMPLETED);
        }
        assertThat(spool()).as("removed once delivered and closed").doesNotExist();
    }

    @Test
    @DisplayName("what a closed spool left while the server was down is replayed by the next one on the file, once")
    void replayedAfterRestart() throws Exception {
        List<WindowReport> seen = new CopyOnWriteArrayList<>();
        String runId;
        String referenceId;
        try (SpoolingMetadataStore store = spooling(null, Duration.ofMillis(300)); Mlops mlops = mlops(store)) {
            StoredProfile reference = mlops.profiles().getOrCompute(REFERENCE, "reference",
                    () -> profile(1, 5_000, 0));
            referenceId = reference.id();
            ActiveRun run = mlops.tracking().start("train");
            runId = run.id();
            DriftMonitor monitor = DriftMonitor.builder(reference.profile()).windowRows(1_000_000)
                    .listener(seen::add)
                    .publishTo(mlops.profiles(), MONITOR, DriftMonitor.WindowKey.SEQUENCE, reference.id()).build();
            down();
            interleave(monitor, run, 3);
            monitor.close();
            assertThat(store.pendingBatches()).isEqualTo(9);
            assertThatThrownBy(() -> mlops.profiles().findReport(MONITOR, String.format("%019d", 0)))
                    .as("a read waits for the spool, then gives up").isInstanceOf(StorageException.class)
                    .hasMessageContaining("9 spooled telemetry entries are not delivered");
        }
        List<String> lines = Files.readAllLines(spool(), StandardCharsets.UTF_8);
        assertThat(lines).hasSize(9);
        assertThat(lines.stream().map(l -> Wire.parse(l).get("kind").asText()).toList()).containsExactly(
                "profile", "drift_report", "metrics", "profile", "drift_report", "metrics", "profile",
                "drift_report", "metrics");

        up();
        try (SpoolingMetadataStore store = spooling(null, FLUSH); Mlops mlops = mlops(store)) {
            assertDelivered(mlops, referenceId, seen, runId);
            assertThat(store.droppedBatches()).isZero();
        }
        assertThat(spool()).doesNotExist();
    }

    @Test
    @DisplayName("a spooled profile the server keeps under another id: later reports link to the stored id")
    void storedIdRewritten() {
        List<WindowReport> windows = new CopyOnWriteArrayList<>();
        DatasetProfile referenceProfile = profile(1, 5_000, 0);
        DriftMonitor monitor = DriftMonitor.builder(referenceProfile).windowRows(1_000_000).listener(windows::add)
                .build();
        feed(monitor, 7, 500, 0);
        monitor.close();
        WindowReport window = windows.get(0);

        // The server already keeps the reference and the window's profile, saved by another process.
        String storedReference;
        String storedWindow;
        try (Mlops direct = mlops(backend)) {
            storedReference = direct.profiles().save(REFERENCE, "reference", referenceProfile).value().id();
            storedWindow = direct.profiles().save(MONITOR, "w0", window.profile(), window.start(), window.end())
                    .value().id();
        }
        down();
        try (SpoolingMetadataStore store = spooling(null, FLUSH); Mlops mlops = mlops(store)) {
            StoredProfile mine = mlops.profiles().save(REFERENCE, "reference", referenceProfile).value();
            assertThat(mine.id()).as("the spool answers with the caller's entry").isNotEqualTo(storedReference);
            StoredDriftReport spooled = mlops.profiles().saveWindow(MONITOR, "w0", window, mine.id()).value();
            assertThat(spooled.currentProfileId()).isNotEqualTo(storedWindow);
            up();

            StoredDriftReport stored = mlops.profiles().findReport(MONITOR, "w0").orElseThrow();
            assertThat(stored.referenceProfileId()).isEqualTo(storedReference);
            assertThat(stored.currentProfileId()).isEqualTo(storedWindow);
            assertThat(mlops.profiles().windowReport(stored)).isEqualTo(window);
            assertThat(store.droppedBatches()).isZero();
            assertThat(store.getProfile(mine.id()).orElseThrow().id()).as("the caller's id finds the stored entry")
                    .isEqualTo(storedReference);
            assertThat(mlops.profiles().get(spooled.currentProfileId()).orElseThrow().id()).isEqualTo(storedWindow);

            AuditEvent event = events().stream().filter(e -> e.action().equals("drift_report.saved")).findFirst()
                    .orElseThrow();
            JsonNode data = Wire.parse(event.data());
            assertThat(data.get("reference_profile_id").asText()).isEqualTo(storedReference);
            assertThat(data.get("current_profile_id").asText()).isEqualTo(storedWindow);
            assertThat(telemetryActions()).containsExactly("profile.saved", "profile.saved", "drift_report.saved");
            assertAuditVerifies();
        }
    }

    @Test
    @DisplayName("the stored id a delivered profile got is in the spool file: a report left for the next instance"
            + " is rewritten too")
    void storedIdRewrittenAfterRestart() {
        DatasetProfile referenceProfile = profile(1, 5_000, 0);
        List<WindowReport> windows = new CopyOnWriteArrayList<>();
        DriftMonitor monitor = DriftMonitor.builder(referenceProfile).windowRows(1_000_000).listener(windows::add)
                .build();
        feed(monitor, 7, 500, 0);
        monitor.close();
        String storedReference;
        try (Mlops direct = mlops(backend)) {
            storedReference = direct.profiles().save(REFERENCE, "reference", referenceProfile).value().id();
        }
        // The first instance reaches the server, but its drift reports never do (as if it died before sending them).
        Interceptor noReports = chain -> {
            if (chain.request().method().equals("POST")
                    && chain.request().url().encodedPath().endsWith("/drift-reports")) {
                throw new IOException("no route to the drift reports");
            }
            return chain.proceed(chain.request());
        };
        OkHttpClient client = new OkHttpClient.Builder().addInterceptor(noReports).build();
        try (SpoolingMetadataStore store = spooling(client, Duration.ofMillis(300)); Mlops mlops = mlops(store)) {
            String mine = mlops.profiles().save(REFERENCE, "reference", referenceProfile).value().id();
            mlops.profiles().saveWindow(MONITOR, "w0", windows.get(0), mine);
            await(() -> store.pendingBatches() == 1, "the profiles are delivered");
        }
        assertThat(spool()).exists();
        try (SpoolingMetadataStore store = spooling(null, FLUSH); Mlops mlops = mlops(store)) {
            StoredDriftReport stored = mlops.profiles().findReport(MONITOR, "w0").orElseThrow();
            assertThat(stored.referenceProfileId()).isEqualTo(storedReference);
            assertThat(store.droppedBatches()).isZero();
        }
        assertThat(telemetryActions()).containsExactly("profile.saved", "profile.saved", "drift_report.saved");
        assertAuditVerifies();
    }

    @Test
    @DisplayName("a profile or report whose reply was lost is sent again and found stored: stored once, audited once")
    void lostRepliesResent() {
        List<WindowReport> windows = new CopyOnWriteArrayList<>();
        DatasetProfile referenceProfile = profile(1, 5_000, 0);
        DriftMonitor monitor = DriftMonitor.builder(referenceProfile).windowRows(1_000_000).listener(windows::add)
                .build();
        feed(monitor, 7, 500, 0);
        monitor.close();
        Set<String> lost = ConcurrentHashMap.newKeySet();
        Interceptor loseFirstReplies = chain -> {
            Response response = chain.proceed(chain.request());
            String path = chain.request().url().encodedPath();
            if (chain.request().method().equals("POST")
                    && (path.endsWith("/profiles") || path.endsWith("/drift-reports")) && lost.add(path)) {
                response.close();
                throw new IOException("connection lost after the server answered");
            }
            return response;
        };
        OkHttpClient client = new OkHttpClient.Builder().addNetworkInterceptor(loseFirstReplies).build();
        try (SpoolingMetadataStore store = spooling(client, FLUSH); Mlops mlops = mlops(store)) {
            String reference = mlops.profiles().save(REFERENCE, "reference", referenceProfile).value().id();
            StoredDriftReport spooled = mlops.profiles().saveWindow(MONITOR, "w0", windows.get(0), reference)
                    .value();
            StoredDriftReport stored = mlops.profiles().findReport(MONITOR, "w0").orElseThrow();
            assertThat(lost).hasSize(2);
            assertThat(stored.id()).isEqualTo(spooled.id());
            assertThat(stored.referenceProfileId()).isEqualTo(reference);
            assertThat(stored.currentProfileId()).isEqualTo(spooled.currentProfileId());
            assertThat(store.droppedBatches()).isZero();
        }
        assertThat(telemetryActions()).containsExactly("profile.saved", "profile.saved", "drift_report.saved");
        assertAuditVerifies();
    }

    @Test
    @DisplayName("a report the server refuses (a link to no profile) is dropped and counted; the entries after it go on")
    void refusedReportDropped() {
        List<WindowReport> windows = new CopyOnWriteArrayList<>();
        DriftMonitor monitor = DriftMonitor.builder(profile(1, 5_000, 0)).windowRows(1_000_000)
                .listener(windows::add).build();
        feed(monitor, 7, 500, 0);
        assertThat(monitor.closeWindow()).isTrue();
        feed(monitor, 9, 500, 0);
        monitor.close();
        try (SpoolingMetadataStore store = spooling(null, FLUSH); Mlops mlops = mlops(store)) {
            mlops.profiles().saveWindow(MONITOR, "w0", windows.get(0), "0190a0b0-no-such-profile");
            mlops.profiles().saveWindow(MONITOR, "w1", windows.get(1), null);
            assertThat(mlops.profiles().findReport(MONITOR, "w1")).isPresent();
            assertThat(mlops.profiles().findReport(MONITOR, "w0")).isEmpty();
            assertThat(store.droppedBatches()).isEqualTo(1);
        }
        assertThat(telemetryActions()).containsExactly("profile.saved", "profile.saved", "drift_report.saved");
    }

    @Test
    @DisplayName("one spool file, one store: a second in this JVM fails naming the file, until the first is closed")
    void lockedInThisJvm() {
        SpoolingMetadataStore first = spooling(null, FLUSH);
        try {
            Path sameFile = spool().getParent().resolve(".").resolve("telemetry.jsonl");
            RemoteMetadataStore other = RemoteMetadataStore.builder(uri()).build();
            assertThatThrownBy(() -> SpoolingMetadataStore.wrap(other, sameFile, 10, FLUSH))
                    .isInstanceOf(StorageException.class).hasMessageContaining(sameFile.toString())
                    .hasMessageContaining("in use");
            other.close();
            // The first one still works, and still holds the file.
            first.saveProfile(new dev.mlops.spi.ProfileEntry("p-1", "dataset:x", "k", null, null, 0,
                    "sha256:" + dev.mlops.audit.AuditChain.sha256Hex("{}"), "{}", java.time.Instant.now(), "svc"),
                    audit("profile.saved", "dataset:x"));
            assertThat(first.getProfile("p-1")).isPresent();
        } finally {
            first.close();
        }
        assertThat(spool()).doesNotExist();
        try (SpoolingMetadataStore again = spooling(null, FLUSH)) {
            assertThat(again.pendingBatches()).isZero();
        }
    }

    @Test
    @DisplayName("one spool file, one store: another process holding it makes wrap fail naming the file")
    void lockedByAnotherProcess() throws Exception {
        Files.createDirectories(spool().getParent());
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process holder = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                SpoolLockHolder.class.getName(), spool().toString()).redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(),
                    StandardCharsets.UTF_8));
            assertThat(out.readLine()).isEqualTo("holding");
            assertThatThrownBy(() -> spooling(null, FLUSH)).isInstanceOf(StorageException.class)
                    .hasMessageContaining(spool().toString()).hasMessageContaining("another process");
            holder.getOutputStream().close();
            assertThat(out.readLine()).isEqualTo("closed");
            assertThat(holder.waitFor(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            holder.destroyForcibly();
        }
        try (SpoolingMetadataStore store = spooling(null, FLUSH)) {
            assertThat(store.pendingBatches()).isZero();
        }
    }

    @Test
    @DisplayName("an unfinished last line (a crash while it was written) is cut off, and the spool goes on after it")
    void unfinishedLastLineCutOff() throws Exception {
        backend.createRun(newRun(1), audit("run.create", "run:" + runId(1)));
        down();
        try (SpoolingMetadataStore store = spooling(null, Duration.ofMillis(200))) {
            store.logMetrics(runId(1), List.of(point("loss", 0.5, 0, 0)), audit("run.metrics", "run:" + runId(1)));
        }
        String written = Files.readString(spool(), StandardCharsets.UTF_8);
        assertThat(written).endsWith("\n");
        Files.writeString(spool(), written + written.substring(0, written.length() / 2), StandardCharsets.UTF_8);
        try (SpoolingMetadataStore store = spooling(null, Duration.ofMillis(200))) {
            assertThat(store.pendingBatches()).isEqualTo(1);
            store.logMetrics(runId(1), List.of(point("loss", 0.25, 1, 1)), audit("run.metrics", "run:" + runId(1)));
        }
        assertThat(Files.readAllLines(spool(), StandardCharsets.UTF_8)).hasSize(2)
                .allSatisfy(line -> assertThat(Wire.parse(line).get("kind").asText()).isEqualTo("metrics"));
        up();
        try (SpoolingMetadataStore store = spooling(null, FLUSH)) {
            assertThat(store.getRun(runId(1))).isPresent();
            assertThat(store.droppedBatches()).isZero();
        }
        assertThat(steps(runId(1))).containsExactly(0L, 1L);
        assertThat(telemetryActions()).containsExactly("run.metrics", "run.metrics");
    }

    @Test
    @DisplayName("MLOPS_SPOOL makes Mlops.open(\"http://...\") spool telemetry to that file")
    void providerSpoolsWithTheVariable() {
        Map<String, String> env = Map.of(RemoteStoreProvider.SPOOL_VARIABLE, spool().toString());
        try (MetadataStore store = new RemoteStoreProvider(env::get).open(uri())) {
            assertThat(store).isInstanceOf(SpoolingMetadataStore.class);
            assertThat(store.describe()).contains(spool().toString());
            try (Mlops mlops = mlops(store)) {
                String id = mlops.profiles().save(REFERENCE, "reference", profile(1, 1_000, 0)).value().id();
                assertThat(mlops.profiles().get(id)).isPresent();
            }
            assertThatThrownBy(() -> new RemoteStoreProvider(env::get).open(uri()))
                    .isInstanceOf(StorageException.class).hasMessageContaining(spool().toString());
        }
        Map<String, String> off = Map.of(RemoteStoreProvider.SPOOL_VARIABLE, "off");
        try (MetadataStore store = new RemoteStoreProvider(off::get).open(uri())) {
            assertThat(store).isInstanceOf(RemoteMetadataStore.class);
        }
        Map<String, String> bad = Map.of(RemoteStoreProvider.SPOOL_VARIABLE, "spool\0file");
        assertThatThrownBy(() -> new RemoteStoreProvider(bad::get).open(uri()))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("MLOPS_SPOOL");
    }
}
