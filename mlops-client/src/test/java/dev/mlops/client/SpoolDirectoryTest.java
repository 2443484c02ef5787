package dev.mlops.client;

import static dev.mlops.tck.TckData.audit;
import static dev.mlops.tck.TckData.newRun;
import static dev.mlops.tck.TckData.point;
import static dev.mlops.tck.TckData.runId;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.InvalidArgumentException;
import dev.mlops.PageRequest;
import dev.mlops.StorageException;
import dev.mlops.audit.AuditEvent;
import dev.mlops.server.MlopsServer;
import dev.mlops.spi.MetadataStore;
import dev.mlops.store.jdbc.JdbcStoreProvider;
import dev.mlops.tracking.MetricPoint;
import dev.mlops.tracking.RunStatus;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The default spool of {@code Mlops.open("http://...")}: a directory per server shared by processes, each writing
 * its own file and taking over those that crashed processes left, in front of a real {@link MlopsServer} on a SQLite
 * file (the outage is the server stopped, and a new one started on the same port and file).
 */
@DisplayName("the default telemetry spool: a directory per server, files taken over from crashed processes")
class SpoolDirectoryTest {
    private static final Duration FLUSH = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private Path db;
    private Path base;
    private int port;
    private MetadataStore backend;
    private MlopsServer server;
    private final List<Process> children = new ArrayList<>();

    @BeforeEach
    void start() {
        db = dir.resolve("mlops.db");
        base = dir.resolve("spool-base");
        up();
    }

    @AfterEach
    void stop() {
        children.forEach(Process::destroyForcibly);
        if (server != null) {
            down();
        }
    }

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

    /** The spool directory of this server (no token). */
    private Path serverDir() {
        return base.resolve(RemoteStoreProvider.key(uri(), null));
    }

    private List<Path> spoolFiles() throws IOException {
        if (!Files.isDirectory(serverDir())) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(serverDir())) {
            return s.sorted().toList();
        }
    }

    /** A store in the server's spool directory that gives up quickly while the server is down. */
    private SpoolingMetadataStore inDirectory(Duration flush) {
        RemoteMetadataStore remote = RemoteMetadataStore.builder(uri()).maxRetries(0).build();
        return SpoolingMetadataStore.inDirectory(remote, serverDir(), 1000, flush, Duration.ofMillis(20));
    }

    private List<Long> steps(String runId) {
        return backend.metricHistory(runId, "loss", PageRequest.first(10_000)).items().stream()
                .map(MetricPoint::step).toList();
    }

    private long metricEvents() {
        return backend.auditEvents(0, 100_000).stream().map(AuditEvent::action)
                .filter(a -> a.equals("run.metrics") || a.equals("run.log_metrics")).count();
    }

    private static List<Long> range(int from, int to) {
        List<Long> all = new ArrayList<>();
        for (long i = from; i < to; i++) {
            all.add(i);
        }
        return all;
    }

    /** A child JVM running {@link SpoolingChild} with {@code MLOPS_SPOOL_DIR} set to {@link #base} and no token. */
    private Process child(String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-cp", System.getProperty("java.class.path"), SpoolingChild.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put(RemoteStoreProvider.SPOOL_DIR_VARIABLE, base.toString());
        pb.environment().remove(RemoteStoreProvider.SPOOL_VARIABLE);
        pb.environment().remove(RemoteStoreProvider.TOKEN_VARIABLE);
        pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start();
        children.add(p);
        return p;
    }

    private static BufferedReader reader(Process p) {
        return new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    }

    private static void send(Process p, String line) throws IOException {
        OutputStream out = p.getOutputStream();
        out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    @Test
    @DisplayName("the reviewer's outage through plain Mlops.open(url): 600 points, flush every 50, server down for"
            + " 250 of them: all 600 arrive exactly once, in order")
    void outageThroughMlopsOpen() throws Exception {
        Process p = child("train", uri(), "600", "50");
        BufferedReader out = reader(p);
        String runLine = out.readLine();
        assertThat(runLine).startsWith("run ");
        String runId = runLine.substring(4);
        for (int flushed = 50; flushed <= 600; flushed += 50) {
            assertThat(out.readLine()).isEqualTo("flushed " + flushed);
            if (flushed == 200) {
                down(); // the 250 points up to 450 are logged while it is down
            } else if (flushed == 450) {
                up();
            }
            send(p, "next");
        }
        assertThat(out.readLine()).isEqualTo("done");
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        assertThat(steps(runId)).as("every point exactly once, in order").isEqualTo(range(0, 600));
        assertThat(backend.getRun(runId).orElseThrow().status()).isEqualTo(RunStatus.COMPLETED);
        assertThat(spoolFiles()).as("the delivered spool file is removed").isEmpty();
        if (Files.getFileStore(base).supportsFileAttributeView("posix")) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(serverDir())))
                    .isEqualTo("rwx------");
        }
    }

    @Test
    @DisplayName("a killed process's spool file is taken over and delivered, exactly once, by the next process on"
            + " that server, then deleted")
    void crashedProcessFileTakenOver() throws Exception {
        backend.createRun(newRun(1), audit("run.create", "run:" + runId(1)));
        down();
        Process p = child("spool", uri(), runId(1), "30");
        assertThat(reader(p).readLine()).isEqualTo("spooled");
        List<Path> left = spoolFiles();
        assertThat(left).hasSize(1);
        assertThat(left.get(0).getFileName().toString()).matches("[0-9a-f-]{36}\\.spool");
        if (Files.getFileStore(base).supportsFileAttributeView("posix")) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(left.get(0))))
                    .isEqualTo("rw-------");
        }
        p.destroyForcibly();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        up();
        Map<String, String> env = Map.of(RemoteStoreProvider.SPOOL_DIR_VARIABLE, base.toString());
        try (MetadataStore store = new RemoteStoreProvider(env::get, null).open(uri())) {
            assertThat(store).isInstanceOf(SpoolingMetadataStore.class);
            assertThat(store.describe()).contains(serverDir().toString());
            assertThat(store.getRun(runId(1))).isPresent(); // waits for what it took over
            assertThat(spoolFiles()).as("the taken-over file is deleted once delivered").hasSize(1)
                    .doesNotContain(left.get(0));
        }
        assertThat(steps(runId(1))).isEqualTo(range(0, 30));
        assertThat(metricEvents()).isEqualTo(30);
        assertThat(spoolFiles()).isEmpty();
    }

    /**
     * Leaves {@code files} spool files in the server's directory (the server is down), each with a few one-point
     * batches of run 1 at steps of its own; returns how many batches in all, steps 0 to that.
     */
    private int leaveFiles(SplittableRandom random, int files) throws IOException {
        int step = 0;
        for (int f = 0; f < files; f++) {
            // Each leaves its batches when it closes; it also takes over and gives back the earlier ones.
            try (SpoolingMetadataStore store = inDirectory(Duration.ofMillis(50))) {
                int batches = 1 + random.nextInt(8);
                for (int b = 0; b < batches; b++, step++) {
                    store.logMetrics(runId(1), List.of(point("loss", step, step, step)),
                            audit("run.metrics", "run:" + runId(1)));
                }
            }
        }
        assertThat(spoolFiles()).hasSize(files);
        return step;
    }

    @RepeatedTest(4)
    @DisplayName("instances starting together on one directory: each left file is taken by exactly one of them")
    void startingTogetherInThisJvm(RepetitionInfo info) throws Exception {
        SplittableRandom random = new SplittableRandom(4242 + info.getCurrentRepetition());
        backend.createRun(newRun(1), audit("run.create", "run:" + runId(1)));
        down();
        int total = leaveFiles(random, 2 + random.nextInt(5));
        int instances = 2 + random.nextInt(3);
        ExecutorService pool = Executors.newFixedThreadPool(instances);
        List<SpoolingMetadataStore> stores = new ArrayList<>();
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<SpoolingMetadataStore>> started = new ArrayList<>();
            for (int i = 0; i < instances; i++) {
                started.add(pool.submit(() -> {
                    go.await();
                    return inDirectory(FLUSH);
                }));
            }
            go.countDown();
            for (Future<SpoolingMetadataStore> f : started) {
                stores.add(f.get(30, TimeUnit.SECONDS));
            }
            // The server is down: what each took over waits in it.
            int taken = stores.stream().mapToInt(SpoolingMetadataStore::pendingBatches).sum();
            assertThat(taken).as("every left batch taken over by exactly one instance").isEqualTo(total);
            up();
            for (SpoolingMetadataStore s : stores) {
                assertThat(s.getRun(runId(1))).isPresent();
                assertThat(s.droppedBatches()).isZero();
            }
        } finally {
            stores.forEach(SpoolingMetadataStore::close);
            pool.shutdownNow();
        }
        assertThat(steps(runId(1)).stream().sorted().toList()).isEqualTo(range(0, total));
        assertThat(metricEvents()).as("each batch sent once").isEqualTo(total);
        assertThat(spoolFiles()).isEmpty();
    }

    @Test
    @DisplayName("this process and another starting together on one directory: the file lock gives each left file"
            + " to exactly one")
    void startingTogetherAcrossProcesses() throws Exception {
        backend.createRun(newRun(1), audit("run.create", "run:" + runId(1)));
        down();
        int total = leaveFiles(new SplittableRandom(77), 6);
        Process p = child("adopt", uri());
        BufferedReader out = reader(p);
        assertThat(out.readLine()).isEqualTo("ready");
        send(p, "go");
        int mine;
        try (SpoolingMetadataStore store = inDirectory(FLUSH)) {
            mine = store.pendingBatches();
            String theirs = out.readLine();
            assertThat(theirs).startsWith("pending ");
            assertThat(mine + Integer.parseInt(theirs.substring(8))).as("each left batch taken by exactly one")
                    .isEqualTo(total);
            up();
            assertThat(store.getRun(runId(1))).isPresent();
        }
        p.getOutputStream().close();
        assertThat(out.readLine()).isEqualTo("closed 0");
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(steps(runId(1)).stream().sorted().toList()).isEqualTo(range(0, total));
        assertThat(metricEvents()).isEqualTo(total);
        assertThat(spoolFiles()).isEmpty();
    }

    @Test
    @DisplayName("entries of a taken-over file go before the instance's own, in the file's order")
    void takenOverBeforeOwn() throws Exception {
        backend.createRun(newRun(1), audit("run.create", "run:" + runId(1)));
        down();
        try (SpoolingMetadataStore left = inDirectory(Duration.ofMillis(50))) {
            for (int step = 0; step < 20; step++) {
                left.logMetrics(runId(1), List.of(point("loss", step, step, step)),
                        audit("run.metrics", "run:" + runId(1)));
            }
        }
        try (SpoolingMetadataStore store = inDirectory(FLUSH)) {
            assertThat(store.pendingBatches()).isEqualTo(20);
            for (int step = 20; step < 30; step++) {
                store.logMetrics(runId(1), List.of(point("loss", step, step, step)),
                        audit("run.metrics", "run:" + runId(1)));
            }
            up();
            assertThat(store.getRun(runId(1))).isPresent();
        }
        assertThat(steps(runId(1))).as("in delivery order").isEqualTo(range(0, 30));
    }

    @Test
    @DisplayName("MLOPS_SPOOL=off: no spool, telemetry goes straight to the server and fails while it is down")
    void spoolOff() throws IOException {
        backend.createRun(newRun(1), audit("run.create", "run:" + runId(1)));
        Map<String, String> env = Map.of(RemoteStoreProvider.SPOOL_VARIABLE, "OFF",
                RemoteStoreProvider.SPOOL_DIR_VARIABLE, base.toString());
        try (MetadataStore store = new RemoteStoreProvider(env::get, dir.toString()).open(uri())) {
            assertThat(store).isInstanceOf(RemoteMetadataStore.class);
            store.logMetrics(runId(1), List.of(point("loss", 1, 0, 0)), audit("run.metrics", "run:" + runId(1)));
            down();
            assertThatThrownBy(() -> store.logMetrics(runId(1), List.of(point("loss", 1, 1, 1)),
                    audit("run.metrics", "run:" + runId(1)))).isInstanceOf(StorageException.class);
        }
        assertThat(base).doesNotExist();
        assertThat(dir.resolve(".mlops")).doesNotExist();
    }

    @Test
    @DisplayName("a spool directory that cannot be created: the remote store works without a spool")
    void unusableDirectory() throws IOException {
        backend.createRun(newRun(1), audit("run.create", "run:" + runId(1)));
        Path notADirectory = Files.writeString(dir.resolve("a-file"), "x");
        Map<String, String> env = Map.of(RemoteStoreProvider.SPOOL_DIR_VARIABLE, notADirectory.toString());
        for (int i = 0; i < 2; i++) {
            try (MetadataStore store = new RemoteStoreProvider(env::get, dir.toString()).open(uri())) {
                assertThat(store).isInstanceOf(RemoteMetadataStore.class);
                store.logMetrics(runId(1), List.of(point("loss", i, i, i)), audit("run.metrics", "run:" + runId(1)));
            }
        }
        assertThat(steps(runId(1))).containsExactly(0L, 1L);
        assertThat(Files.readString(notADirectory)).isEqualTo("x");
        // No home directory and no MLOPS_SPOOL_DIR: likewise.
        try (MetadataStore store = new RemoteStoreProvider(name -> null, null).open(uri())) {
            assertThat(store).isInstanceOf(RemoteMetadataStore.class);
            assertThat(store.getRun(runId(1))).isPresent();
        }
    }

    @Test
    @DisplayName("by default the spool is under the home directory, in .mlops/spool/<key>")
    void defaultUnderHome() throws IOException {
        Path home = dir.resolve("home");
        try (MetadataStore store = new RemoteStoreProvider(name -> null, home.toString()).open(uri() + "/")) {
            assertThat(store).isInstanceOf(SpoolingMetadataStore.class);
            Path expected = home.resolve(".mlops").resolve("spool").resolve(RemoteStoreProvider.key(uri(), null));
            assertThat(store.describe()).contains(expected.toString());
            try (Stream<Path> files = Files.list(expected)) {
                assertThat(files.toList()).hasSize(1);
            }
        }
        Path spoolDir = home.resolve(".mlops").resolve("spool");
        try (Stream<Path> all = Files.walk(spoolDir)) {
            assertThat(all.filter(Files::isRegularFile).toList()).as("removed on close when delivered").isEmpty();
        }
        if (Files.getFileStore(home).supportsFileAttributeView("posix")) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(spoolDir)))
                    .isEqualTo("rwx------");
        }
        Map<String, String> bad = Map.of(RemoteStoreProvider.SPOOL_DIR_VARIABLE, "spool\0dir");
        assertThatThrownBy(() -> new RemoteStoreProvider(bad::get, null).open(uri()))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("MLOPS_SPOOL_DIR");
    }

    @Test
    @DisplayName("the directory key: one per server however its URL is written, another per token, no secret in it")
    void directoryKey() {
        String key = RemoteStoreProvider.key("http://127.0.0.1:8080", null);
        assertThat(key).matches("[0-9a-f]{16}");
        assertThat(RemoteStoreProvider.key("HTTP://127.0.0.1:8080/", null)).isEqualTo(key);
        assertThat(RemoteStoreProvider.key("http://user:secret@127.0.0.1:8080", null)).isEqualTo(key);
        assertThat(RemoteStoreProvider.key("http://example.org", null))
                .isEqualTo(RemoteStoreProvider.key("http://EXAMPLE.org:80/", null));
        assertThat(RemoteStoreProvider.key("https://example.org", null))
                .isEqualTo(RemoteStoreProvider.key("https://example.org:443", null))
                .isNotEqualTo(RemoteStoreProvider.key("http://example.org", null));
        assertThat(RemoteStoreProvider.key("http://127.0.0.1:8081", null)).isNotEqualTo(key);
        assertThat(RemoteStoreProvider.key("http://127.0.0.1:8080/mlops", null)).isNotEqualTo(key);
        Map<String, Integer> byToken = new HashMap<>();
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 50; i++) {
            String token = Long.toHexString(random.nextLong());
            String k = RemoteStoreProvider.key("http://127.0.0.1:8080", token);
            assertThat(k).isNotEqualTo(key).doesNotContain(token);
            byToken.merge(k, 1, Integer::sum);
        }
        assertThat(byToken).hasSize(50);
    }

    @Test
    @DisplayName("a damaged file in the directory is set aside, and the store still starts")
    void damagedFileSetAside() throws IOException {
        Files.createDirectories(serverDir());
        Path damaged = Files.writeString(serverDir().resolve("0000-left.spool"), "not json\n");
        try (SpoolingMetadataStore store = inDirectory(FLUSH)) {
            assertThat(store.pendingBatches()).isZero();
        }
        assertThat(damaged).doesNotExist();
        assertThat(serverDir().resolve("0000-left.spool.damaged")).hasContent("not json\n");
        try (SpoolingMetadataStore store = inDirectory(FLUSH)) {
            assertThat(store.pendingBatches()).isZero();
        }
        assertThat(spoolFiles()).containsExactly(serverDir().resolve("0000-left.spool.damaged"));
    }
}
