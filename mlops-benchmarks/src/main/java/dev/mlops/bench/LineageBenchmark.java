package dev.mlops.bench;

import dev.mlops.Mlops;
import dev.mlops.lineage.Direction;
import dev.mlops.lineage.LineageEdge;
import dev.mlops.lineage.LineageGraph;
import dev.mlops.lineage.NodeRef;
import dev.mlops.spi.MetadataStore;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
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
 * Upstream lineage of depth {@code depth} on a generated pipeline graph of {@code nodes} nodes (see
 * {@link LineageData}), from random deep datasets (a different one each call, cycling through 1,000), one thread;
 * the score is milliseconds per query.
 *
 * <ul>
 *   <li>{@code upstream}: {@code Mlops.lineage().upstream(node, depth)}, the API: a breadth-first walk with one
 *       {@link MetadataStore#lineageEdges} call (one read transaction) per level.</li>
 *   <li>{@code baselineOneLevel}: a single {@code lineageEdges} call for the root: the cost of one round trip.</li>
 *   <li>{@code baselineRecursiveCte}: the same edges in one recursive SQL query over plain JDBC on the same
 *       database (what a store-side traversal would cost, without mapping to records).</li>
 * </ul>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 3, time = 3)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@State(Scope.Thread)
public class LineageBenchmark {
    /**
     * The upstream edges of {@code ?} (a node id) within {@code ?} levels, as (from, to, kind): the edges are
     * carried in the recursion, so every step is an index lookup on {@code to_id} (joining the visited nodes with
     * the edges afterwards made SQLite scan the whole edge table).
     */
    static final String UPSTREAM_CTE = "WITH RECURSIVE walk(from_id, to_id, kind, depth) AS ("
            + " SELECT from_id, to_id, kind, 1 FROM lineage_edges WHERE to_id = ?"
            + " UNION"
            + " SELECT e.from_id, e.to_id, e.kind, w.depth + 1 FROM walk w JOIN lineage_edges e ON e.to_id = w.from_id"
            + " WHERE w.depth < ?)"
            + " SELECT DISTINCT from_id, to_id, kind FROM walk";
    private static final int ROOTS = 1000;

    /** {@code sqlite} or {@code postgres} (see {@link BenchStores}). */
    @Param({BenchStores.SQLITE})
    public String store;

    @Param({"1000000"})
    public int nodes;

    @Param({"5"})
    public int depth;

    private MetadataStore metadata;
    private Mlops mlops;
    private List<NodeRef> roots;
    private Connection raw;
    private PreparedStatement cte;
    private int next;

    @Setup(Level.Trial)
    public void setUp() throws SQLException {
        LineageData data = LineageData.of(nodes);
        metadata = BenchStores.openGenerated(store, data.key(), data::generate);
        mlops = BenchStores.mlops(metadata);
        LineageData.Shape shape = data.shape(ROOTS);
        roots = shape.roots();
        String url = store.equals(BenchStores.POSTGRES) ? BenchStores.postgresUri()
                : "jdbc:sqlite:" + BenchStores.cacheDir().resolve(data.key() + ".db");
        raw = DriverManager.getConnection(url);
        cte = raw.prepareStatement(UPSTREAM_CTE);

        long nodesSum = 0;
        long edgesSum = 0;
        for (NodeRef root : roots) {
            LineageGraph graph = mlops.lineage().upstream(root, depth);
            Set<LineageEdge> viaCte = new HashSet<>(cteEdges(root));
            if (!viaCte.equals(new HashSet<>(graph.edges()))) {
                throw new IllegalStateException("the recursive query and the API disagree on the upstream of "
                        + root + ": " + viaCte.size() + " edges against " + graph.edges().size());
            }
            nodesSum += graph.nodes().size();
            edgesSum += graph.edges().size();
        }
        BenchStores.log(String.format("graph %s: %d runs, %d datasets, max depth %d; %d roots of mean depth %.1f;"
                + " upstream depth %d answers have %.1f nodes and %.1f edges on average", data.key(), shape.runs(),
                shape.datasets(), shape.maxDepth(), roots.size(), shape.meanRootDepth(), depth,
                (double) nodesSum / roots.size(), (double) edgesSum / roots.size()));
    }

    @TearDown(Level.Trial)
    public void tearDown() throws SQLException {
        try {
            cte.close();
            raw.close();
            mlops.close();
        } finally {
            metadata.close();
        }
    }

    private NodeRef nextRoot() {
        NodeRef root = roots.get(next);
        next = (next + 1) % roots.size();
        return root;
    }

    @Benchmark
    public LineageGraph upstream() {
        return mlops.lineage().upstream(nextRoot(), depth);
    }

    @Benchmark
    public List<LineageEdge> baselineOneLevel() {
        return metadata.lineageEdges(List.of(nextRoot()), Direction.UPSTREAM);
    }

    @Benchmark
    public List<LineageEdge> baselineRecursiveCte() throws SQLException {
        return cteEdges(nextRoot());
    }

    private List<LineageEdge> cteEdges(NodeRef root) throws SQLException {
        cte.setString(1, root.id());
        cte.setInt(2, depth);
        List<LineageEdge> edges = new ArrayList<>();
        try (ResultSet rs = cte.executeQuery()) {
            while (rs.next()) {
                edges.add(new LineageEdge(NodeRef.parse(rs.getString(1)), NodeRef.parse(rs.getString(2)),
                        dev.mlops.lineage.EdgeKind.valueOf(rs.getString(3))));
            }
        }
        return edges;
    }
}
