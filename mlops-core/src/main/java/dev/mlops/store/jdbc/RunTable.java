package dev.mlops.store.jdbc;

import dev.mlops.ConflictException;
import dev.mlops.NotFoundException;
import dev.mlops.Page;
import dev.mlops.lineage.EdgeKind;
import dev.mlops.lineage.NodeRef;
import dev.mlops.tracking.CodeVersion;
import dev.mlops.tracking.MetricFilter;
import dev.mlops.tracking.MetricPoint;
import dev.mlops.tracking.NewRun;
import dev.mlops.tracking.Run;
import dev.mlops.tracking.RunLink;
import dev.mlops.tracking.RunQuery;
import dev.mlops.tracking.RunStatus;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** Reads and writes runs and their params, tags, metrics and links, inside the caller's transaction. */
final class RunTable {
    /** Points per JDBC batch when logging metrics. */
    private static final int METRIC_BATCH = 2_000;
    private static final String RUNS_TOKEN = "runs";
    private static final String METRICS_TOKEN = "metrics";

    private final Dialect dialect;
    private final String upsertTag;
    private final String upsertLatestMetric;
    private final String insertEdge;

    RunTable(Dialect dialect) {
        this.dialect = dialect;
        this.upsertTag = dialect.upsert("tags", Sql.TAG_COLUMNS, List.of("run_id", "key"), List.of("value"), null);
        this.upsertLatestMetric = dialect.upsert("latest_metrics", Sql.LATEST_METRIC_COLUMNS,
                List.of("run_id", "key"), List.of("value", "step", "timestamp"), Sql.LATEST_METRIC_IS_NEWER);
        this.insertEdge = dialect.insertIgnoringDuplicates("lineage_edges", Sql.EDGE_COLUMNS);
    }

    /** The columns of a runs row, before its params, tags, metrics and links are attached. */
    record Row(String id, String jobName, RunStatus status, Instant startTime, Instant endTime,
            Instant lastHeartbeat, String error, String parentRunId, CodeVersion codeVersion,
            Map<String, String> environment, Map<String, String> initialTags) {
    }

    // ---- reading --------------------------------------------------------------------------------------------------

    Optional<Row> row(Connection c, String runId) throws SQLException {
        List<Row> rows = Jdbc.query(c, Sql.SELECT_RUN, List.of(runId), RunTable::mapRow);
        return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
    }

    Optional<Run> load(Connection c, String runId) throws SQLException {
        Optional<Row> row = row(c, runId);
        return row.isEmpty() ? Optional.empty() : Optional.of(attach(c, List.of(row.get())).get(0));
    }

    /** The status of run {@code runId}. @throws NotFoundException when it does not exist */
    RunStatus status(Connection c, String runId) throws SQLException {
        List<RunStatus> status = Jdbc.query(c, Sql.SELECT_RUN_STATUS, List.of(runId),
                rs -> RunStatus.valueOf(rs.getString(1)));
        if (status.isEmpty()) {
            throw new NotFoundException("run " + runId + " not found");
        }
        return status.get(0);
    }

    /** @throws NotFoundException when the run does not exist; ConflictException when it is not RUNNING */
    void requireRunning(Connection c, String runId, String what) throws SQLException {
        RunStatus status = status(c, runId);
        if (status != RunStatus.RUNNING) {
            throw new ConflictException("cannot " + what + ": run " + runId + " is " + status
                    + ", and only a RUNNING run accepts them");
        }
    }

    private static Row mapRow(ResultSet rs) throws SQLException {
        String id = rs.getString("id");
        boolean hasCode = rs.getObject("code_dirty") != null;
        CodeVersion code = hasCode ? new CodeVersion(rs.getString("code_commit"), rs.getString("code_branch"),
                rs.getBoolean("code_dirty"), rs.getString("code_repository")) : null;
        return new Row(id, rs.getString("job_name"), RunStatus.valueOf(rs.getString("status")),
                Jdbc.instant(rs, "start_time"), Jdbc.instant(rs, "end_time"), Jdbc.instant(rs, "last_heartbeat"),
                rs.getString("error"), rs.getString("parent_run_id"), code,
                Json.readMap(rs.getString("environment"), "the environment of run " + id),
                Json.readMap(rs.getString("initial_tags"), "the tags of run " + id));
    }

    /** Full runs for {@code rows}, in the same order, with their child rows read in a few queries. */
    List<Run> attach(Connection c, List<Row> rows) throws SQLException {
        Map<String, Map<String, String>> params = new HashMap<>();
        Map<String, Map<String, String>> tags = new HashMap<>();
        Map<String, Map<String, MetricPoint>> metrics = new HashMap<>();
        Map<String, List<RunLink>> links = new HashMap<>();
        List<String> ids = rows.stream().map(Row::id).toList();
        for (List<String> chunk : chunks(ids, dialect.maxInListSize())) {
            String in = Sql.parameters(chunk.size());
            Jdbc.query(c, Sql.PARAMS_OF_RUNS + in, chunk, rs -> params
                    .computeIfAbsent(rs.getString(1), k -> new HashMap<>()).put(rs.getString(2), rs.getString(3)));
            Jdbc.query(c, Sql.TAGS_OF_RUNS + in, chunk, rs -> tags
                    .computeIfAbsent(rs.getString(1), k -> new HashMap<>()).put(rs.getString(2), rs.getString(3)));
            Jdbc.query(c, Sql.LATEST_METRICS_OF_RUNS + in, chunk, rs -> {
                MetricPoint p = new MetricPoint(rs.getString(2), rs.getDouble(3), rs.getLong(4),
                        Instant.ofEpochMilli(rs.getLong(5)));
                return metrics.computeIfAbsent(rs.getString(1), k -> new HashMap<>()).put(p.key(), p);
            });
            Jdbc.query(c, Sql.LINKS_OF_RUNS + in + Sql.BY_ID, chunk, rs -> {
                EdgeKind kind = EdgeKind.valueOf(rs.getString(2));
                RunLink link = kind == EdgeKind.INPUT ? RunLink.input(NodeRef.parse(rs.getString(3)))
                        : RunLink.output(NodeRef.parse(rs.getString(4)));
                return links.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(link);
            });
        }
        List<Run> runs = new ArrayList<>(rows.size());
        for (Row r : rows) {
            runs.add(new Run(r.id(), r.jobName(), r.status(), r.startTime(), r.endTime(), r.lastHeartbeat(),
                    r.error(), r.parentRunId(), params.getOrDefault(r.id(), Map.of()),
                    tags.getOrDefault(r.id(), Map.of()), metrics.getOrDefault(r.id(), Map.of()),
                    links.getOrDefault(r.id(), List.of()), r.codeVersion(), r.environment()));
        }
        return runs;
    }

    /** Runs matching {@code query}, filtered and ordered in SQL, {@code size} at most, after {@code token}. */
    Page<Run> search(Connection c, RunQuery query, int size, String token) throws SQLException {
        List<String> where = new ArrayList<>();
        List<Object> args = new ArrayList<>();
        if (query.jobName() != null) {
            where.add("r.job_name = ?");
            args.add(query.jobName());
        }
        if (query.status() != null) {
            where.add("r.status = ?");
            args.add(query.status().name());
        }
        if (query.parentRunId() != null) {
            where.add("r.parent_run_id = ?");
            args.add(query.parentRunId());
        }
        if (query.startedAfter() != null) {
            where.add("r.start_time >= ?");
            args.add(Jdbc.millisAtOrAfter(query.startedAfter()));
        }
        if (query.startedBefore() != null) {
            where.add("r.start_time < ?");
            args.add(Jdbc.millisAtOrAfter(query.startedBefore()));
        }
        for (Map.Entry<String, String> tag : new TreeMap<>(query.tags()).entrySet()) {
            where.add("EXISTS (SELECT 1 FROM tags t WHERE t.run_id = r.id AND t.key = ? AND t.value = ?)");
            args.add(tag.getKey());
            args.add(tag.getValue());
        }
        for (Map.Entry<String, String> param : new TreeMap<>(query.params()).entrySet()) {
            where.add("EXISTS (SELECT 1 FROM params p WHERE p.run_id = r.id AND p.key = ? AND p.value = ?)");
            args.add(param.getKey());
            args.add(param.getValue());
        }
        for (MetricFilter f : query.metrics()) {
            where.add("EXISTS (SELECT 1 FROM latest_metrics m WHERE m.run_id = r.id AND m.key = ? AND m.value "
                    + operator(f.op()) + " ?)");
            args.add(f.key());
            args.add(f.value());
        }
        if (token != null) {
            PageToken.Position after = PageToken.decode(RUNS_TOKEN, token, 2);
            where.add("(r.start_time, r.id) < (?, ?)");
            args.add(after.number(0));
            args.add(after.text(1));
        }
        String sql = "SELECT " + Sql.RUN_COLUMNS + " FROM runs r"
                + (where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where))
                + " ORDER BY r.start_time DESC, r.id DESC LIMIT ?";
        args.add(size + 1);
        List<Row> rows = Jdbc.query(c, sql, args, RunTable::mapRow);
        String next = null;
        if (rows.size() > size) {
            rows = rows.subList(0, size);
            Row last = rows.get(size - 1);
            next = PageToken.encode(RUNS_TOKEN, Jdbc.millis(last.startTime()), last.id());
        }
        return new Page<>(attach(c, rows), next);
    }

    private static String operator(MetricFilter.Comparison op) {
        return switch (op) {
            case LT -> "<";
            case LE -> "<=";
            case EQ -> "=";
            case GE -> ">=";
            case GT -> ">";
        };
    }

    Map<String, String> params(Connection c, String runId) throws SQLException {
        Map<String, String> params = new HashMap<>();
        Jdbc.query(c, Sql.SELECT_PARAMS, List.of(runId), rs -> params.put(rs.getString(1), rs.getString(2)));
        return params;
    }

    /** One page of a metric series in (step, timestamp, insertion) order. */
    Page<MetricPoint> metricHistory(Connection c, String runId, String key, int size, String token)
            throws SQLException {
        List<Object> args = new ArrayList<>(List.of(runId, key));
        String sql = Sql.METRIC_HISTORY_FIRST;
        if (token != null) {
            PageToken.Position after = PageToken.decode(METRICS_TOKEN, token, 3);
            args.addAll(List.of(after.number(0), after.number(1), after.number(2)));
            sql = Sql.METRIC_HISTORY_AFTER;
        }
        args.add(size + 1);
        List<long[]> positions = new ArrayList<>();
        List<MetricPoint> points = Jdbc.query(c, sql, args, rs -> {
            MetricPoint p = new MetricPoint(rs.getString(1), rs.getDouble(2), rs.getLong(3),
                    Instant.ofEpochMilli(rs.getLong(4)));
            positions.add(new long[] {rs.getLong(3), rs.getLong(4), rs.getLong(5)});
            return p;
        });
        if (points.size() <= size) {
            return new Page<>(points, null);
        }
        long[] last = positions.get(size - 1);
        return new Page<>(points.subList(0, size), PageToken.encode(METRICS_TOKEN, last[0], last[1], last[2]));
    }

    // ---- writing --------------------------------------------------------------------------------------------------

    void insert(Connection c, NewRun run) throws SQLException {
        CodeVersion code = run.codeVersion();
        long start = Jdbc.millis(run.startTime());
        Jdbc.update(c, Sql.INSERT_RUN, java.util.Arrays.asList(run.id(), run.jobName(), RunStatus.RUNNING.name(),
                start, start, run.parentRunId(), code == null ? null : code.commit(),
                code == null ? null : code.branch(), code == null ? null : code.dirty(),
                code == null ? null : code.repository(), Json.map(run.environment()), Json.map(run.tags())));
        try (PreparedStatement ps = c.prepareStatement(Sql.INSERT_TAG)) {
            for (Map.Entry<String, String> tag : new TreeMap<>(run.tags()).entrySet()) {
                Jdbc.bind(ps, List.of(run.id(), tag.getKey(), tag.getValue()));
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    void finish(Connection c, String runId, RunStatus status, Instant endTime, String error) throws SQLException {
        Jdbc.update(c, Sql.FINISH_RUN, java.util.Arrays.asList(status.name(), Jdbc.millis(endTime), error, runId));
    }

    /** @return whether the last heartbeat of a RUNNING run moved forward to {@code at} */
    boolean heartbeat(Connection c, String runId, Instant at) throws SQLException {
        long millis = Jdbc.millis(at);
        return Jdbc.update(c, Sql.HEARTBEAT, List.of(millis, runId, millis)) > 0;
    }

    void insertParams(Connection c, String runId, Map<String, String> params) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(Sql.INSERT_PARAM)) {
            for (Map.Entry<String, String> p : new TreeMap<>(params).entrySet()) {
                Jdbc.bind(ps, List.of(runId, p.getKey(), p.getValue()));
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    void upsertTags(Connection c, String runId, Map<String, String> tags) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(upsertTag)) {
            for (Map.Entry<String, String> t : new TreeMap<>(tags).entrySet()) {
                Jdbc.bind(ps, List.of(runId, t.getKey(), t.getValue()));
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** Inserts the points with batched statements and moves each series' latest point forward. */
    void insertMetrics(Connection c, String runId, List<MetricPoint> points) throws SQLException {
        Map<String, MetricPoint> latest = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement(Sql.INSERT_METRIC)) {
            int pending = 0;
            for (MetricPoint p : points) {
                long time = Jdbc.millis(p.timestamp());
                ps.setString(1, runId);
                ps.setString(2, p.key());
                ps.setDouble(3, p.value());
                ps.setLong(4, p.step());
                ps.setLong(5, time);
                ps.addBatch();
                if (++pending == METRIC_BATCH) {
                    ps.executeBatch();
                    pending = 0;
                }
                MetricPoint stored = new MetricPoint(p.key(), p.value(), p.step(), Instant.ofEpochMilli(time));
                latest.merge(p.key(), stored, (old, now) -> comesLater(now, old) ? now : old);
            }
            if (pending > 0) {
                ps.executeBatch();
            }
        }
        try (PreparedStatement ps = c.prepareStatement(upsertLatestMetric)) {
            for (MetricPoint p : latest.values()) {
                ps.setString(1, runId);
                ps.setString(2, p.key());
                ps.setDouble(3, p.value());
                ps.setLong(4, p.step());
                ps.setLong(5, Jdbc.millis(p.timestamp()));
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** Whether {@code now}, inserted after {@code old}, comes at or after it in (step, timestamp) order. */
    private static boolean comesLater(MetricPoint now, MetricPoint old) {
        return now.step() > old.step()
                || (now.step() == old.step() && !now.timestamp().isBefore(old.timestamp()));
    }

    /** Adds the lineage edges of {@code links}; an edge that exists is left alone. */
    void insertLinks(Connection c, String runId, List<RunLink> links) throws SQLException {
        String runNode = NodeRef.run(runId).id();
        try (PreparedStatement ps = c.prepareStatement(insertEdge)) {
            for (RunLink link : links) {
                boolean input = link.role() == RunLink.Role.INPUT;
                String node = link.node().id();
                Jdbc.bind(ps, List.of(input ? node : runNode, input ? runNode : node,
                        input ? EdgeKind.INPUT.name() : EdgeKind.OUTPUT.name(), runId));
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    static <T> List<List<T>> chunks(Collection<T> items, int size) {
        List<T> all = List.copyOf(items);
        List<List<T>> chunks = new ArrayList<>();
        for (int i = 0; i < all.size(); i += size) {
            chunks.add(all.subList(i, Math.min(all.size(), i + size)));
        }
        return chunks;
    }
}
