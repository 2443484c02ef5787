package dev.mlops.internal.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.mlops.lineage.NodeRef;
import dev.mlops.tracking.CodeVersion;
import dev.mlops.tracking.MetricFilter;
import dev.mlops.tracking.MetricPoint;
import dev.mlops.tracking.NewRun;
import dev.mlops.tracking.Run;
import dev.mlops.tracking.RunLink;
import dev.mlops.tracking.RunQuery;
import dev.mlops.tracking.RunStatus;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs and what they hold, with the field names of the CLI's run output ({@code job}, {@code metrics}, ...):
 *
 * <ul>
 *   <li>{@link NewRun}: {@code id, job, parent_run_id?, start_time, tags, code_version?, environment}</li>
 *   <li>{@link Run}: {@code id, job, status, start_time, end_time?, last_heartbeat, error?, parent_run_id?, params,
 *       tags, metrics, links, code_version?, environment}; {@code metrics} maps each metric name to its latest
 *       point without the key ({@code {"value", "step", "timestamp"}}); {@code links} lists the inputs and outputs
 *       in the order they were added as {@code {"role": "input" | "output", "node": NODE_ID}}</li>
 *   <li>{@link MetricPoint}: {@code key, value, step, timestamp}; the value is a finite JSON number</li>
 *   <li>{@link CodeVersion}: {@code commit?, branch?, dirty, repository?}</li>
 *   <li>{@link RunQuery}: {@code job?, status?, tags, params, metrics, started_after?, started_before?,
 *       parent_run_id?} with {@code metrics} a list of {@link MetricFilter}s {@code {"key", "op", "value"}}, {@code op}
 *       one of {@code LT LE EQ GE GT}</li>
 *   <li>{@link RunStatus}: its name, {@code RUNNING COMPLETED FAILED ABORTED}</li>
 * </ul>
 * Stateless and thread-safe.
 */
public final class RunWire {
    private RunWire() {
    }

    // ---- NewRun -------------------------------------------------------------------------------------------------

    public static ObjectNode write(NewRun run) {
        ObjectNode node = Wire.object();
        node.put("id", run.id());
        node.put("job", run.jobName());
        if (run.parentRunId() != null) {
            node.put("parent_run_id", run.parentRunId());
        }
        node.put("start_time", Wire.instantText(run.startTime()));
        node.set("tags", Wire.stringMapNode(run.tags()));
        if (run.codeVersion() != null) {
            node.set("code_version", write(run.codeVersion()));
        }
        node.set("environment", Wire.stringMapNode(run.environment()));
        return node;
    }

    public static NewRun readNewRun(JsonNode node, String path) {
        Wire.Fields f = Wire.fields(node, path, "id", "job", "parent_run_id", "start_time", "tags", "code_version",
                "environment");
        String id = f.string("id");
        String job = f.string("job");
        String parent = f.optString("parent_run_id");
        Instant start = f.instant("start_time");
        Map<String, String> tags = f.stringMap("tags");
        CodeVersion code = f.optObject("code_version", RunWire::readCodeVersion);
        Map<String, String> environment = f.stringMap("environment");
        return Wire.build(path, () -> new NewRun(id, job, parent, start, tags, code, environment));
    }

    // ---- Run ----------------------------------------------------------------------------------------------------

    /**
     * A stored run.
     *
     * @throws IllegalArgumentException when a latest metric is filed under another name than its own key (a broken
     *     run: the name is written once, as the member name)
     */
    public static ObjectNode write(Run run) {
        ObjectNode node = Wire.object();
        node.put("id", run.id());
        node.put("job", run.jobName());
        node.put("status", run.status().name());
        node.put("start_time", Wire.instantText(run.startTime()));
        if (run.endTime() != null) {
            node.put("end_time", Wire.instantText(run.endTime()));
        }
        node.put("last_heartbeat", Wire.instantText(run.lastHeartbeat()));
        if (run.error() != null) {
            node.put("error", run.error());
        }
        if (run.parentRunId() != null) {
            node.put("parent_run_id", run.parentRunId());
        }
        node.set("params", Wire.stringMapNode(run.params()));
        node.set("tags", Wire.stringMapNode(run.tags()));
        ObjectNode metrics = Wire.object();
        for (Map.Entry<String, MetricPoint> e : run.latestMetrics().entrySet()) {
            MetricPoint p = e.getValue();
            if (!p.key().equals(e.getKey())) {
                throw new IllegalArgumentException("run " + run.id() + ": the latest metric filed under '" + e.getKey()
                        + "' has key '" + p.key() + "'");
            }
            ObjectNode point = Wire.object();
            point.set("value", Wire.doubleNode(p.value()));
            point.put("step", p.step());
            point.put("timestamp", Wire.instantText(p.timestamp()));
            metrics.set(e.getKey(), point);
        }
        node.set("metrics", metrics);
        node.set("links", Wire.arrayOf(run.links(), RunWire::write));
        if (run.codeVersion() != null) {
            node.set("code_version", write(run.codeVersion()));
        }
        node.set("environment", Wire.stringMapNode(run.environment()));
        return node;
    }

    public static Run readRun(JsonNode node, String path) {
        Wire.Fields f = Wire.fields(node, path, "id", "job", "status", "start_time", "end_time", "last_heartbeat",
                "error", "parent_run_id", "params", "tags", "metrics", "links", "code_version", "environment");
        String id = f.string("id");
        String job = f.string("job");
        RunStatus status = f.enumValue("status", RunStatus.class, false);
        Instant start = f.instant("start_time");
        Instant end = f.optInstant("end_time");
        Instant heartbeat = f.instant("last_heartbeat");
        String error = f.optString("error");
        String parent = f.optString("parent_run_id");
        Map<String, String> params = f.stringMap("params");
        Map<String, String> tags = f.stringMap("tags");
        Map<String, MetricPoint> read = f.optional("metrics", RunWire::readLatestMetrics);
        Map<String, MetricPoint> metrics = read == null ? new LinkedHashMap<>() : read;
        List<RunLink> links = f.list("links", RunWire::readLink);
        CodeVersion code = f.optObject("code_version", RunWire::readCodeVersion);
        Map<String, String> environment = f.stringMap("environment");
        return Wire.build(path, () -> new Run(id, job, status, start, end, heartbeat, error, parent, params, tags,
                metrics, links, code, environment));
    }

    /** The latest points: metric name to {@code {"value", "step", "timestamp"}}. */
    private static Map<String, MetricPoint> readLatestMetrics(JsonNode node, String path) {
        if (node == null || !node.isObject()) {
            throw Wire.expected(node, path, "an object of metric points");
        }
        Map<String, MetricPoint> metrics = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            String key = e.getKey();
            String pointPath = Wire.field(path, key);
            Wire.Fields g = Wire.fields(e.getValue(), pointPath, "value", "step", "timestamp");
            double value = g.finiteDouble("value");
            long step = g.longValue("step", 0, Long.MAX_VALUE);
            Instant timestamp = g.instant("timestamp");
            metrics.put(key, Wire.build(pointPath, () -> new MetricPoint(key, value, step, timestamp)));
        }
        return metrics;
    }

    // ---- MetricPoint --------------------------------------------------------------------------------------------

    public static ObjectNode write(MetricPoint point) {
        ObjectNode node = Wire.object();
        node.put("key", point.key());
        node.set("value", Wire.doubleNode(point.value()));
        node.put("step", point.step());
        node.put("timestamp", Wire.instantText(point.timestamp()));
        return node;
    }

    public static MetricPoint readMetricPoint(JsonNode node, String path) {
        Wire.Fields f = Wire.fields(node, path, "key", "value", "step", "timestamp");
        String key = f.string("key");
        double value = f.finiteDouble("value");
        long step = f.longValue("step", 0, Long.MAX_VALUE);
        Instant timestamp = f.instant("timestamp");
        return Wire.build(path, () -> new MetricPoint(key, value, step, timestamp));
    }

    // ---- RunLink ------------------------------------------------------------------------------------------------

    public static ObjectNode write(RunLink link) {
        ObjectNode node = Wire.object();
        node.put("role", Wire.enumText(link.role(), true));
        node.put("node", link.node().id());
        return node;
    }

    public static RunLink readLink(JsonNode node, String path) {
        Wire.Fields f = Wire.fields(node, path, "role", "node");
        RunLink.Role role = f.enumValue("role", RunLink.Role.class, true);
        NodeRef ref = f.required("node", LineageWire::readNode, "a node id");
        return Wire.build(path, () -> new RunLink(role, ref));
    }

    // ---- CodeVersion --------------------------------------------------------------------------------------------

    public static ObjectNode write(CodeVersion code) {
        ObjectNode node = Wire.object();
        if (code.commit() != null) {
            node.put("commit", code.commit());
        }
        if (code.branch() != null) {
            node.put("branch", code.branch());
        }
        node.put("dirty", code.dirty());
        if (code.repository() != null) {
            node.put("repository", code.repository());
        }
        return node;
    }

    public static CodeVersion readCodeVersion(JsonNode node, String path) {
        Wire.Fields f = Wire.fields(node, path, "commit", "branch", "dirty", "repository");
        String commit = f.optString("commit");
        String branch = f.optString("branch");
        boolean dirty = f.bool("dirty");
        String repository = f.optString("repository");
        return Wire.build(path, () -> new CodeVersion(commit, branch, dirty, repository));
    }

    // ---- RunQuery -----------------------------------------------------------------------------------------------

    public static ObjectNode write(RunQuery query) {
        ObjectNode node = Wire.object();
        if (query.jobName() != null) {
            node.put("job", query.jobName());
        }
        if (query.status() != null) {
            node.put("status", query.status().name());
        }
        node.set("tags", Wire.stringMapNode(query.tags()));
        node.set("params", Wire.stringMapNode(query.params()));
        node.set("metrics", Wire.arrayOf(query.metrics(), RunWire::write));
        if (query.startedAfter() != null) {
            node.put("started_after", Wire.instantText(query.startedAfter()));
        }
        if (query.startedBefore() != null) {
            node.put("started_before", Wire.instantText(query.startedBefore()));
        }
        if (query.parentRunId() != null) {
            node.put("parent_run_id", query.parentRunId());
        }
        return node;
    }

    /** A run query; absent conditions match everything, so {@code {}} is every run. */
    public static RunQuery readQuery(JsonNode node, String path) {
        Wire.Fields f = Wire.fields(node, path, "job", "status", "tags", "params", "metrics", "started_after",
                "started_before", "parent_run_id");
        String job = f.optString("job");
        RunStatus status = f.optEnum("status", RunStatus.class, false);
        Map<String, String> tags = f.stringMap("tags");
        Map<String, String> params = f.stringMap("params");
        List<MetricFilter> metrics = f.list("metrics", RunWire::readMetricFilter);
        Instant after = f.optInstant("started_after");
        Instant before = f.optInstant("started_before");
        String parent = f.optString("parent_run_id");
        return Wire.build(path, () -> new RunQuery(job, status, tags, params, metrics, after, before, parent));
    }

    public static ObjectNode write(MetricFilter filter) {
        ObjectNode node = Wire.object();
        node.put("key", filter.key());
        node.put("op", filter.op().name());
        node.set("value", Wire.doubleNode(filter.value()));
        return node;
    }

    /** A metric filter; its value may be {@code "Infinity"} or {@code "-Infinity"}, not {@code "NaN"}. */
    public static MetricFilter readMetricFilter(JsonNode node, String path) {
        Wire.Fields f = Wire.fields(node, path, "key", "op", "value");
        String key = f.string("key");
        MetricFilter.Comparison op = f.enumValue("op", MetricFilter.Comparison.class, false);
        double value = f.doubleValue("value");
        if (Double.isNaN(value)) {
            throw Wire.invalid(f.path("value"), "must be a number to compare with, or \"Infinity\" or \"-Infinity\","
                    + " was \"NaN\"");
        }
        return Wire.build(path, () -> new MetricFilter(key, op, value));
    }

    // ---- RunStatus ----------------------------------------------------------------------------------------------

    public static TextNode write(RunStatus status) {
        return TextNode.valueOf(status.name());
    }

    public static RunStatus readStatus(JsonNode node, String path) {
        return Wire.readEnum(node, path, RunStatus.class, false);
    }
}
