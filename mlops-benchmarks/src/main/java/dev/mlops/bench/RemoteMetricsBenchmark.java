package dev.mlops.bench;

import com.sun.management.OperatingSystemMXBean;
import dev.mlops.client.RemoteMetadataStore;
import dev.mlops.server.MlopsServer;
import dev.mlops.spi.MetadataStore;
import dev.mlops.tracking.MetricPoint;
import dev.mlops.tracking.NewRun;
import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * Metric points per second through a real {@link MlopsServer} (Jetty on 127.0.0.1, an ephemeral port) in front of a
 * SQLite store in a scratch file, written by {@value #THREADS} threads, each with its own
 * {@link RemoteMetadataStore} and its own run, logging batches of {@value #BATCH} points (the default
 * {@code Mlops.Builder.metricBatchSize}: ten series, steps continuing from batch to batch, one audit event per batch,
 * as {@code ActiveRun} sends them). The score is points per second, all threads together.
 *
 * <ul>
 *   <li>{@code remoteLogMetrics}: {@link RemoteMetadataStore#logMetrics}: encoding the batch, HTTP over loopback,
 *       the server's decoding and the store's transaction.</li>
 *   <li>{@code baselineStoreLogMetrics}, the same-run baseline: the same threads call
 *       {@link MetadataStore#logMetrics} on a SQLite store in a scratch file directly, with the same batches and
 *       audit events: the ceiling that the server could reach with a free protocol.</li>
 * </ul>
 * Server and clients share this process (and its two cores); the process's CPU time per point, all threads
 * together, is logged after each iteration ({@code [mlops-bench] cpu ... us per point}).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 5)
@Measurement(iterations = 3, time = 5)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Threads(RemoteMetricsBenchmark.THREADS)
public class RemoteMetricsBenchmark {
    static final int THREADS = 16;
    private static final String[] KEYS = {"loss", "accuracy", "val_loss", "val_accuracy", "learning_rate",
        "grad_norm", "throughput", "precision", "recall", "f1"};
    private static final List<String> SORTED_KEYS = List.copyOf(new TreeSet<>(List.of(KEYS)));
    static final int BATCH = 1000;

    /** The store, the server and the count of points, shared by the threads. */
    @State(Scope.Benchmark)
    public static class Shared {
        MetadataStore store;
        MlopsServer server;
        String uri;
        final AtomicInteger clients = new AtomicInteger();
        final AtomicLong points = new AtomicLong();
        private long cpuAtStart;
        private long nanosAtStart;
        private final double[] values = new double[64 * BATCH];

        @Setup(Level.Trial)
        public void setUp(BenchmarkParams params) {
            store = BenchStores.openScratch(BenchStores.SQLITE, "remote-metrics");
            if (params.getBenchmark().endsWith("remoteLogMetrics")) {
                server = MlopsServer.builder().store(store).host("127.0.0.1").port(0).build().start();
                uri = server.uri().toString();
            }
            SplittableRandom random = new SplittableRandom(42);
            for (int i = 0; i < values.length; i++) {
                values[i] = random.nextDouble();
            }
        }

        @Setup(Level.Iteration)
        public void startIteration() {
            points.set(0);
            cpuAtStart = processCpuNanos();
            nanosAtStart = System.nanoTime();
        }

        /** Logs the CPU time of the whole process (server and clients) per point, and the load average. */
        @TearDown(Level.Iteration)
        public void endIteration() {
            long cpu = processCpuNanos() - cpuAtStart;
            long n = points.get();
            double seconds = (System.nanoTime() - nanosAtStart) / 1e9;
            if (n > 0) {
                BenchStores.log(String.format("%.0f points/s, cpu %.2f us per point (process, all threads),"
                        + " load average %.2f", n / seconds, cpu / 1e3 / n,
                        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));
            }
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            try {
                if (server != null) {
                    server.close();
                }
            } finally {
                store.close();
                BenchStores.deleteDatabase(BenchStores.scratchFile("remote-metrics"));
            }
        }

        private static long processCpuNanos() {
            return ((OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
        }
    }

    /** One writer: its run, its client (for the remote benchmark) and where its series have got to. */
    @State(Scope.Thread)
    public static class Writer {
        MetadataStore target;
        String runId;
        private Instant start;
        private long batchNumber;
        private double[] values;

        @Setup(Level.Trial)
        public void setUp(Shared shared) {
            int client = shared.clients.getAndIncrement();
            target = shared.uri == null ? shared.store : RemoteMetadataStore.builder(shared.uri).build();
            start = Instant.now();
            runId = Generators.runId(start, new SplittableRandom(client + 1));
            Generators.createRun(target, new NewRun(runId, "remote-metrics-bench", null, start, Map.of(), null,
                    Generators.ENVIRONMENT));
            values = shared.values;
        }

        @TearDown(Level.Trial)
        public void tearDown(Shared shared) {
            if (target != shared.store) {
                target.close();
            }
        }

        /** The next {@value #BATCH} points of this writer's ten series. */
        List<MetricPoint> nextBatch() {
            long first = batchNumber++ * (BATCH / KEYS.length);
            int offset = (int) (batchNumber % 63) * BATCH;
            List<MetricPoint> points = new ArrayList<>(BATCH);
            for (int i = 0; i < BATCH; i++) {
                long step = first + i / KEYS.length;
                points.add(new MetricPoint(KEYS[i % KEYS.length], values[offset + i], step,
                        start.plusMillis(step * 10)));
            }
            return points;
        }
    }

    private static void log(Writer w, Shared shared) {
        List<MetricPoint> points = w.nextBatch();
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("points", points.size());
        data.put("keys", SORTED_KEYS);
        data.put("min_step", points.get(0).step());
        data.put("max_step", points.get(points.size() - 1).step());
        w.target.logMetrics(w.runId, points, Generators.audit(Instant.now(), "run.log_metrics", "run:" + w.runId,
                data));
        shared.points.addAndGet(points.size());
    }

    /** One batch through the server. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void remoteLogMetrics(Writer w, Shared shared) {
        log(w, shared);
    }

    /** The same batch on the store directly (baseline). */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void baselineStoreLogMetrics(Writer w, Shared shared) {
        log(w, shared);
    }
}
