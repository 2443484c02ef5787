package dev.mlops.client;

import static dev.mlops.tck.TckData.audit;
import static dev.mlops.tck.TckData.newRun;
import static dev.mlops.tck.TckData.runId;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.Mlops;
import dev.mlops.PageRequest;
import dev.mlops.StorageException;
import dev.mlops.audit.AuditVerification;
import dev.mlops.spi.MetadataStore;
import dev.mlops.store.jdbc.JdbcStoreProvider;
import dev.mlops.tracking.MetricPoint;
import dev.mlops.tracking.RunQuery;
import dev.mlops.tracking.RunStatus;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 16 clients log runs and metric batches against one server process on a SQLite file, on loopback, for a fixed time;
 * midway the server process is killed (SIGKILL) and started again on the same port and file. Afterwards every run a
 * client saw created is stored exactly once, every metric batch a client saw confirmed is stored, no point is stored
 * twice, and the audit chain verifies. Prints the throughput (metric points per second through the server).
 */
@DisplayName("16 clients against a server that is killed and restarted once")
class LoadAndFaultsTest {
    private static final int CLIENTS = 16;
    private static final int BATCH = 500;
    private static final Duration DURATION = Duration.ofSeconds(12);
    private static final Pattern SERVING = Pattern.compile("on (http://127\\.0\\.0\\.1:(\\d+))/api/v1");

    @TempDir
    Path dir;

    /** A server in its own JVM, with this test's class path. */
    private record ServerProcess(Process process, String uri, int port) {
        static ServerProcess start(Path db, int port) throws Exception {
            Path java = Path.of(System.getProperty("java.home"), "bin", "java");
            Process p = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                    "dev.mlops.server.Main", "--store", "sqlite:" + db, "--port", Integer.toString(port))
                    .redirectErrorStream(true).start();
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            for (String line; System.nanoTime() < deadline && (line = out.readLine()) != null; ) {
                Matcher m = SERVING.matcher(line);
                if (m.find()) {
                    Thread drain = new Thread(() -> {
                        try {
                            while (out.readLine() != null) {
                                // keep the pipe empty
                            }
                        } catch (java.io.IOException ended) {
                            // the process ended
                        }
                    });
                    drain.setDaemon(true);
                    drain.start();
                    return new ServerProcess(p, m.group(1), Integer.parseInt(m.group(2)));
                }
            }
            p.destroyForcibly();
            throw new AssertionError("the server process did not start");
        }
    }

    /** What one client saw confirmed. */
    private record Confirmed(Set<String> runs, Map<String, Integer> pointsPerRun, Set<String> unconfirmedRuns) {
    }

    @Test
    @DisplayName("nothing confirmed is lost, nothing is stored twice, and the audit chain verifies")
    void killAndRestart() throws Exception {
        Path db = dir.resolve("load.db");
        ServerProcess first = ServerProcess.start(db, 0);
        ServerProcess[] current = {first};
        AtomicLong points = new AtomicLong();
        AtomicLong lostBatches = new AtomicLong();
        Map<Integer, Confirmed> confirmed = new ConcurrentHashMap<>();
        long start = System.nanoTime();
        long end = start + DURATION.toNanos();
        long killAt = start + DURATION.toNanos() / 2;
        long[] windowWithoutFaults = new long[2];

        ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
        List<Future<?>> futures = new ArrayList<>();
        try {
            for (int c = 0; c < CLIENTS; c++) {
                int client = c;
                futures.add(pool.submit(() -> {
                    Confirmed mine = new Confirmed(new HashSet<>(), new HashMap<>(), new HashSet<>());
                    confirmed.put(client, mine);
                    try (RemoteMetadataStore store = RemoteMetadataStore.builder(first.uri()).maxRetries(10)
                            .retryDelays(Duration.ofMillis(50), Duration.ofSeconds(1)).build()) {
                        for (int r = 0; System.nanoTime() < end; r++) {
                            String id = runId(client * 1_000_000L + r);
                            try {
                                store.createRun(newRun(client * 1_000_000L + r), audit("run.create", "run:" + id));
                            } catch (StorageException lost) {
                                mine.unconfirmedRuns().add(id);
                                continue;
                            }
                            mine.runs().add(id);
                            int stored = 0;
                            for (int b = 0; b < 4 && System.nanoTime() < end; b++) {
                                List<MetricPoint> batch = new ArrayList<>(BATCH);
                                for (int i = 0; i < BATCH; i++) {
                                    int step = b * BATCH + i;
                                    batch.add(new MetricPoint("loss", 1.0 / (step + 1), step,
                                            Instant.ofEpochSecond(1_700_000_000L + step)));
                                }
                                try {
                                    store.logMetrics(id, batch, audit("run.metrics", "run:" + id));
                                    stored += BATCH;
                                    points.addAndGet(BATCH);
                                } catch (StorageException lost) {
                                    // Not retried (an append): it may or may not have been stored.
                                    lostBatches.incrementAndGet();
                                    break;
                                }
                            }
                            mine.pointsPerRun().put(id, stored);
                        }
                    }
                    return null;
                }));
            }
            Thread.sleep(Math.max(0, TimeUnit.NANOSECONDS.toMillis(killAt - System.nanoTime())));
            windowWithoutFaults[0] = points.get();
            windowWithoutFaults[1] = System.nanoTime() - start;
            current[0].process().destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            current[0] = ServerProcess.start(db, first.port());
            for (Future<?> f : futures) {
                f.get(120, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
            current[0].process().destroy();
            current[0].process().waitFor(30, TimeUnit.SECONDS);
        }

        double perSecond = windowWithoutFaults[0] / (windowWithoutFaults[1] / 1e9);
        System.out.printf("LoadAndFaultsTest: %d metric points confirmed in %s; %.0f points/s before the kill;"
                + " %d batches unconfirmed%n", points.get(), DURATION, perSecond, lostBatches.get());
        assertThat(points.get()).as("traffic went on after the restart").isGreaterThan(windowWithoutFaults[0]);

        try (MetadataStore store = new JdbcStoreProvider().open("sqlite:" + db);
                Mlops mlops = Mlops.builder().store(store).artifactUri("memory:").build()) {
            List<String> stored = new ArrayList<>();
            PageRequest page = PageRequest.first(1000);
            while (true) {
                var p = store.searchRuns(RunQuery.all(), page);
                p.items().forEach(run -> stored.add(run.id()));
                if (p.nextPageToken() == null) {
                    break;
                }
                page = page.next(p);
            }
            assertThat(new HashSet<>(stored)).as("no run twice").hasSameSizeAs(stored);
            long confirmedRuns = 0;
            for (Confirmed c : confirmed.values()) {
                assertThat(stored).containsAll(c.runs());
                confirmedRuns += c.runs().size();
                for (Map.Entry<String, Integer> e : c.pointsPerRun().entrySet()) {
                    List<MetricPoint> history = new ArrayList<>();
                    PageRequest hp = PageRequest.first(10_000);
                    while (true) {
                        var h = store.metricHistory(e.getKey(), "loss", hp);
                        history.addAll(h.items());
                        if (h.nextPageToken() == null) {
                            break;
                        }
                        hp = hp.next(h);
                    }
                    Set<Long> steps = new HashSet<>();
                    history.forEach(point -> assertThat(steps.add(point.step())).as("step %d of %s once",
                            point.step(), e.getKey()).isTrue());
                    assertThat(history.size()).as("points of %s", e.getKey()).isGreaterThanOrEqualTo(e.getValue());
                    assertThat(store.getRun(e.getKey()).orElseThrow().status()).isEqualTo(RunStatus.RUNNING);
                }
            }
            assertThat(confirmedRuns).as("runs confirmed").isPositive();
            AuditVerification verification = mlops.audit().verify();
            assertThat(verification.ok()).as(String.valueOf(verification.failure())).isTrue();
        }
    }
}
