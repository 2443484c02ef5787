package dev.mlops.bench;

import dev.mlops.Mlops;
import dev.mlops.spi.MetadataStore;
import dev.mlops.tracking.ActiveRun;
import dev.mlops.tracking.MetricPoint;
import dev.mlops.tracking.NewRun;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Logging metrics in batches of {@value #BATCH} points, one thread; the score is points per second.
 *
 * <ul>
 *   <li>{@code storeLogMetrics}: one {@link MetadataStore#logMetrics} call per batch with its
 *       {@link dev.mlops.spi.PendingAuditEvent} (built per call, as the API does): the run's status check, the
 *       points, the latest-value upserts and one audit event, in one transaction.</li>
 *   <li>{@code facadeLogMetric}: the same through {@link ActiveRun#logMetric}, whose buffer of
 *       {@value #BATCH} points sends one batch per invocation (validation and clock reads included).</li>
 *   <li>{@code baselineRawJdbcInsert}, the same-run baseline: the same rows inserted with a plain JDBC batch and one
 *       commit into a bare table (no key, no index, no audit, no status check) in the same database.</li>
 *   <li>{@code baselineRawJdbcStoreSchema}: the same, into a copy of the store's {@code metrics} table (same
 *       columns, {@code AUTOINCREMENT} key, foreign key to {@code runs}, series index): what the schema alone
 *       costs, without the library.</li>
 *   <li>{@code baselineRawJdbcSeriesSchema}: the same, into a layout where points refer to an integer series id
 *       (a {@code (run, key)} dictionary) and are clustered by {@code (series, step, timestamp, seq)} (on SQLite
 *       a {@code WITHOUT ROWID} table): a candidate schema, to show what a leaner layout would give.</li>
 * </ul>
 * The metrics table grows through the trial (millions of points), as a long training job's would.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 3)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@State(Scope.Thread)
public class MetricLoggingBenchmark {
    static final int BATCH = 1000;
    private static final String[] KEYS = {"loss", "accuracy", "val_loss", "val_accuracy", "learning_rate",
        "grad_norm", "throughput", "precision", "recall", "f1"};
    private static final ThreadMXBean THREAD_CPU = ManagementFactory.getThreadMXBean();
    private static final List<String> SORTED_KEYS = List.copyOf(new TreeSet<>(List.of(KEYS)));

    /** {@code sqlite} or {@code postgres} (see {@link BenchStores}). */
    @Param({BenchStores.SQLITE})
    public String store;

    private MetadataStore metadata;
    private Mlops mlops;
    private ActiveRun activeRun;
    private String runId;
    private final double[] values = new double[BATCH * 64];
    private Instant start;
    private Connection raw;
    private PreparedStatement rawInsert;
    private PreparedStatement schemaInsert;
    private PreparedStatement seriesLookup;
    private PreparedStatement seriesInsert;
    private PreparedStatement pointInsert;
    private long nextSeriesId;
    private long nextSeq;
    private long batchNumber;
    private long batchesThisIteration;
    private long cpuAtIterationStart;
    private long facadeStep;

    @Setup(Level.Trial)
    public void setUp() throws SQLException {
        metadata = BenchStores.openScratch(store, "metrics");
        start = Instant.now();
        runId = Generators.runId(start, new SplittableRandom(1));
        Generators.createRun(metadata, new NewRun(runId, "metric-logging-bench", null, start, Map.of(), null,
                Generators.ENVIRONMENT));
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < values.length; i++) {
            values[i] = random.nextDouble();
        }
        mlops = BenchStores.mlops(metadata);
        activeRun = mlops.tracking().start("metric-logging-bench-facade");

        // On PostgreSQL with the store's batching: the store rewrites batched inserts into multi-row ones.
        String url = store.equals(BenchStores.POSTGRES)
                ? BenchStores.postgresUri() + (BenchStores.postgresUri().contains("?") ? "&" : "?")
                        + "reWriteBatchedInserts=true"
                : "jdbc:sqlite:" + BenchStores.scratchFile("metrics");
        raw = DriverManager.getConnection(url);
        try (Statement s = raw.createStatement()) {
            if (store.equals(BenchStores.SQLITE)) {
                // the store's own connection settings (WAL is already set in the file)
                s.execute("PRAGMA busy_timeout = 10000");
                s.execute("PRAGMA synchronous = NORMAL");
                s.execute("PRAGMA foreign_keys = ON");
            }
            s.execute("DROP TABLE IF EXISTS bench_raw_metrics");
            s.execute("CREATE TABLE bench_raw_metrics (run_id TEXT NOT NULL, key TEXT NOT NULL,"
                    + " value DOUBLE PRECISION NOT NULL, step BIGINT NOT NULL, timestamp BIGINT NOT NULL)");
        }
        raw.setAutoCommit(false);
        rawInsert = raw.prepareStatement("INSERT INTO bench_raw_metrics (run_id, key, value, step, timestamp)"
                + " VALUES (?, ?, ?, ?, ?)");
        boolean sqlite = store.equals(BenchStores.SQLITE);
        try (Statement s = raw.createStatement()) {
            for (String table : new String[] {"bench_schema_metrics", "bench_points", "bench_series"}) {
                s.execute("DROP TABLE IF EXISTS " + table);
            }
            s.execute("CREATE TABLE bench_schema_metrics (seq " + (sqlite ? "INTEGER PRIMARY KEY AUTOINCREMENT"
                    : "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY")
                    + ", run_id TEXT NOT NULL REFERENCES runs (id), key TEXT NOT NULL,"
                    + " value DOUBLE PRECISION NOT NULL, step BIGINT NOT NULL, timestamp BIGINT NOT NULL)");
            s.execute("CREATE INDEX bench_schema_metrics_series ON bench_schema_metrics"
                    + " (run_id, key, step, timestamp, seq)");
            s.execute("CREATE TABLE bench_series (id BIGINT NOT NULL PRIMARY KEY, run_id TEXT NOT NULL"
                    + " REFERENCES runs (id), key TEXT NOT NULL, UNIQUE (run_id, key))");
            s.execute("CREATE TABLE bench_points (series_id BIGINT NOT NULL REFERENCES bench_series (id),"
                    + " step BIGINT NOT NULL, timestamp BIGINT NOT NULL, seq BIGINT NOT NULL,"
                    + " value DOUBLE PRECISION NOT NULL, PRIMARY KEY (series_id, step, timestamp, seq))"
                    + (sqlite ? " WITHOUT ROWID" : ""));
        }
        raw.commit();
        schemaInsert = raw.prepareStatement("INSERT INTO bench_schema_metrics (run_id, key, value, step, timestamp)"
                + " VALUES (?, ?, ?, ?, ?)");
        seriesLookup = raw.prepareStatement("SELECT id FROM bench_series WHERE run_id = ? AND key = ?");
        seriesInsert = raw.prepareStatement("INSERT INTO bench_series (id, run_id, key) VALUES (?, ?, ?)");
        pointInsert = raw.prepareStatement("INSERT INTO bench_points (series_id, step, timestamp, seq, value)"
                + " VALUES (?, ?, ?, ?, ?)");
    }

    @Setup(Level.Iteration)
    public void startIteration() {
        batchesThisIteration = 0;
        cpuAtIterationStart = THREAD_CPU.getCurrentThreadCpuTime();
    }

    /**
     * Logs the CPU time (user and system) the benchmark thread spent per point in the iteration: SQLite runs in
     * the calling thread, so this is the cost of a point whatever else the machine is doing, unlike the
     * wall-clock score, which drops when other processes take the cores.
     */
    @TearDown(Level.Iteration)
    public void endIteration() {
        long cpu = THREAD_CPU.getCurrentThreadCpuTime() - cpuAtIterationStart;
        long points = batchesThisIteration * BATCH;
        if (points > 0) {
            BenchStores.log(String.format("cpu %.2f us per point, %.0f points per cpu-second", cpu / 1e3 / points,
                    points / (cpu / 1e9)));
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws SQLException {
        try {
            activeRun.close();
            try (Statement s = raw.createStatement()) {
                for (String table : new String[] {"bench_raw_metrics", "bench_schema_metrics", "bench_points",
                    "bench_series"}) {
                    s.execute("DROP TABLE IF EXISTS " + table);
                }
            }
            raw.commit();
            rawInsert.close();
            schemaInsert.close();
            seriesLookup.close();
            seriesInsert.close();
            pointInsert.close();
            raw.close();
            mlops.close();
        } finally {
            metadata.close();
            if (store.equals(BenchStores.SQLITE)) {
                BenchStores.deleteDatabase(BenchStores.scratchFile("metrics"));
            }
        }
    }

    /**
     * The next batch of the run's history: {@value #BATCH} points, ten series, steps and timestamps continuing where
     * the previous batch ended (as a training loop's would), values from a seeded table.
     */
    private List<MetricPoint> nextBatch() {
        batchesThisIteration++;
        long first = batchNumber++ * (BATCH / KEYS.length);
        int offset = (int) (first % 64) * BATCH;
        List<MetricPoint> points = new ArrayList<>(BATCH);
        for (int i = 0; i < BATCH; i++) {
            long step = first + i / KEYS.length;
            points.add(new MetricPoint(KEYS[i % KEYS.length], values[offset + i], step, start.plusMillis(step * 10)));
        }
        return points;
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void storeLogMetrics() {
        List<MetricPoint> points = nextBatch();
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("points", points.size());
        data.put("keys", SORTED_KEYS);
        data.put("min_step", points.get(0).step());
        data.put("max_step", points.get(points.size() - 1).step());
        metadata.logMetrics(runId, points, Generators.audit(Instant.now(), "run.log_metrics", "run:" + runId, data));
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void facadeLogMetric() {
        batchesThisIteration++;
        for (int i = 0; i < BATCH; i++) {
            activeRun.logMetric(KEYS[i % KEYS.length], i * 0.001, facadeStep + i / KEYS.length);
        }
        facadeStep += BATCH / KEYS.length;
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void baselineRawJdbcInsert() throws SQLException {
        List<MetricPoint> points = nextBatch();
        for (MetricPoint p : points) {
            rawInsert.setString(1, runId);
            rawInsert.setString(2, p.key());
            rawInsert.setDouble(3, p.value());
            rawInsert.setLong(4, p.step());
            rawInsert.setLong(5, p.timestamp().toEpochMilli());
            rawInsert.addBatch();
        }
        rawInsert.executeBatch();
        raw.commit();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void baselineRawJdbcStoreSchema() throws SQLException {
        List<MetricPoint> points = nextBatch();
        for (MetricPoint p : points) {
            schemaInsert.setString(1, runId);
            schemaInsert.setString(2, p.key());
            schemaInsert.setDouble(3, p.value());
            schemaInsert.setLong(4, p.step());
            schemaInsert.setLong(5, p.timestamp().toEpochMilli());
            schemaInsert.addBatch();
        }
        schemaInsert.executeBatch();
        raw.commit();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void baselineRawJdbcSeriesSchema() throws SQLException {
        List<MetricPoint> points = nextBatch();
        Map<String, Long> series = new HashMap<>();
        for (MetricPoint p : points) {
            Long id = series.get(p.key());
            if (id == null) {
                id = seriesId(p.key());
                series.put(p.key(), id);
            }
            pointInsert.setLong(1, id);
            pointInsert.setLong(2, p.step());
            pointInsert.setLong(3, p.timestamp().toEpochMilli());
            pointInsert.setLong(4, nextSeq++);
            pointInsert.setDouble(5, p.value());
            pointInsert.addBatch();
        }
        pointInsert.executeBatch();
        raw.commit();
    }

    private long seriesId(String key) throws SQLException {
        seriesLookup.setString(1, runId);
        seriesLookup.setString(2, key);
        try (ResultSet rs = seriesLookup.executeQuery()) {
            if (rs.next()) {
                return rs.getLong(1);
            }
        }
        long id = nextSeriesId++;
        seriesInsert.setLong(1, id);
        seriesInsert.setString(2, runId);
        seriesInsert.setString(3, key);
        seriesInsert.executeUpdate();
        return id;
    }
}
