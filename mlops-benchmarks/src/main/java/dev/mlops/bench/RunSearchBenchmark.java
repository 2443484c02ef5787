package dev.mlops.bench;

import dev.mlops.Mlops;
import dev.mlops.Page;
import dev.mlops.PageRequest;
import dev.mlops.spi.MetadataStore;
import dev.mlops.tracking.Run;
import dev.mlops.tracking.RunQuery;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A filtered run search returning a page of {@value #PAGE} runs from {@code runs} generated runs (see
 * {@link RunSearchData}): job name, tag {@code env=prod} and latest {@code accuracy >= 0.8}, newest first, one
 * thread, a different job each call (cycling through 50); the score is milliseconds per page.
 *
 * <ul>
 *   <li>{@code search}: {@code Mlops.tracking().search(query, first page of 100)}: the filtered, ordered query and
 *       the full runs of the page (params, tags, latest metrics, inputs and outputs, environment).</li>
 *   <li>{@code searchSecondPage}: the page after it, through its page token (keyset pagination).</li>
 *   <li>{@code baselineRawIds}: the same filter and order in one SQL query over plain JDBC on the same database,
 *       returning only the 100 ids: the floor that loading full runs adds to.</li>
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 3)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@State(Scope.Thread)
public class RunSearchBenchmark {
    static final int PAGE = 100;
    static final double THRESHOLD = 0.8;
    static final String RAW_QUERY = "SELECT r.id FROM runs r WHERE r.job_name = ?"
            + " AND EXISTS (SELECT 1 FROM tags t WHERE t.run_id = r.id AND t.key = ? AND t.value = ?)"
            + " AND EXISTS (SELECT 1 FROM latest_metrics m WHERE m.run_id = r.id AND m.key = ? AND m.value >= ?)"
            + " ORDER BY r.start_time DESC, r.id DESC LIMIT ?";

    /** {@code sqlite} or {@code postgres} (see {@link BenchStores}). */
    @Param({BenchStores.SQLITE})
    public String store;

    @Param({"100000"})
    public int runs;

    private MetadataStore metadata;
    private Mlops mlops;
    private List<RunQuery> queries;
    private final List<PageRequest> secondPages = new ArrayList<>();
    private Connection raw;
    private PreparedStatement rawQuery;
    private int next;

    @Setup(Level.Trial)
    public void setUp() throws SQLException {
        RunSearchData data = RunSearchData.of(runs);
        metadata = BenchStores.openGenerated(store, data.key(), data::generate);
        mlops = BenchStores.mlops(metadata);
        queries = data.queries(THRESHOLD);
        String url = store.equals(BenchStores.POSTGRES) ? BenchStores.postgresUri()
                : "jdbc:sqlite:" + BenchStores.cacheDir().resolve(data.key() + ".db");
        raw = DriverManager.getConnection(url);
        rawQuery = raw.prepareStatement(RAW_QUERY);
        for (RunQuery query : queries) {
            Page<Run> page = mlops.tracking().search(query, PageRequest.first(PAGE));
            List<String> ids = rawIds(query);
            if (page.items().size() != PAGE || page.nextPageToken() == null
                    || !page.items().stream().allMatch(query::matches)
                    || !page.items().stream().map(Run::id).toList().equals(ids)) {
                throw new IllegalStateException("query " + query + " does not give a full, correct first page of "
                        + PAGE + " (" + page.items().size() + " runs): the generated data is not what the"
                        + " benchmark expects");
            }
            secondPages.add(PageRequest.first(PAGE).next(page));
        }
        BenchStores.log("run search over " + data.key() + ": " + queries.size() + " queries, each a full page of "
                + PAGE + " with a next page");
    }

    @TearDown(Level.Trial)
    public void tearDown() throws SQLException {
        try {
            rawQuery.close();
            raw.close();
            mlops.close();
        } finally {
            metadata.close();
        }
    }

    private int nextQuery() {
        int i = next;
        next = (next + 1) % queries.size();
        return i;
    }

    @Benchmark
    public Page<Run> search() {
        return mlops.tracking().search(queries.get(nextQuery()), PageRequest.first(PAGE));
    }

    @Benchmark
    public Page<Run> searchSecondPage() {
        int i = nextQuery();
        return mlops.tracking().search(queries.get(i), secondPages.get(i));
    }

    @Benchmark
    public List<String> baselineRawIds() throws SQLException {
        return rawIds(queries.get(nextQuery()));
    }

    private List<String> rawIds(RunQuery query) throws SQLException {
        rawQuery.setString(1, query.jobName());
        rawQuery.setString(2, "env");
        rawQuery.setString(3, query.tags().get("env"));
        rawQuery.setString(4, RunSearchData.ACCURACY);
        rawQuery.setDouble(5, query.metrics().get(0).value());
        rawQuery.setInt(6, PAGE);
        List<String> ids = new ArrayList<>(PAGE);
        try (ResultSet rs = rawQuery.executeQuery()) {
            while (rs.next()) {
                ids.add(rs.getString(1));
            }
        }
        return ids;
    }
}
