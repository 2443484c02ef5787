package dev.mlops.cli.commands;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import dev.mlops.cli.Output;
import dev.mlops.audit.AuditVerification;
import dev.mlops.data.Column;
import dev.mlops.data.DatasetVersion;
import dev.mlops.lineage.LineageEdge;
import dev.mlops.lineage.LineageGraph;
import dev.mlops.lineage.NodeRef;
import dev.mlops.registry.ApprovalStatus;
import dev.mlops.registry.Governance;
import dev.mlops.registry.ModelVersion;
import dev.mlops.registry.RegisteredModel;
import dev.mlops.tracking.MetricPoint;
import dev.mlops.tracking.Run;
import dev.mlops.tracking.RunLink;
import dev.mlops.tracking.RunStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** The JSON shapes of the CLI contract, built from domain values. */
final class Views {
    private static final ObjectMapper SNAKE_CASE = Output.mapper().copy()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);
    private Views() {
    }

    static Map<String, Object> dataset(DatasetVersion v, Boolean created) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", v.name());
        m.put("version", v.version());
        m.put("rows", v.rowCount());
        m.put("columns", v.schema() == null ? null : v.schema().columns().stream().map(Views::column).toList());
        if (created != null) {
            m.put("created", created);
        }
        m.put("format", v.format());
        m.put("size_bytes", v.sizeBytes());
        m.put("source_uri", v.sourceUri());
        m.put("created_time", v.createdTime().toString());
        m.put("created_by", v.createdBy());
        if (!v.tags().isEmpty()) {
            m.put("tags", new TreeMap<>(v.tags()));
        }
        return m;
    }

    static Map<String, Object> column(Column c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", c.name());
        m.put("type", c.type().name().toLowerCase(Locale.ROOT));
        return m;
    }

    static Map<String, Object> run(Run r, Instant now) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", r.id());
        m.put("job", r.jobName());
        RunStatus effective = r.effectiveStatus(now);
        m.put("status", effective.name());
        if (effective != r.status()) {
            m.put("stored_status", r.status().name());
            m.put("note", "no heartbeat since " + r.lastHeartbeat() + ": the process most likely died");
        }
        m.put("start_time", r.startTime().toString());
        m.put("end_time", r.endTime() == null ? null : r.endTime().toString());
        m.put("error", r.error());
        m.put("parent_run_id", r.parentRunId());
        m.put("params", new TreeMap<>(r.params()));
        Map<String, Object> metrics = new TreeMap<>();
        for (MetricPoint p : r.latestMetrics().values()) {
            Map<String, Object> point = new LinkedHashMap<>();
            point.put("value", p.value());
            point.put("step", p.step());
            point.put("timestamp", p.timestamp().toString());
            metrics.put(p.key(), point);
        }
        m.put("metrics", metrics);
        m.put("tags", new TreeMap<>(r.tags()));
        m.put("inputs", r.inputs().stream().map(l -> l.node().id()).toList());
        m.put("outputs", r.outputs().stream().map(l -> l.node().id()).toList());
        if (r.codeVersion() != null) {
            Map<String, Object> code = new LinkedHashMap<>();
            code.put("commit", r.codeVersion().commit());
            code.put("branch", r.codeVersion().branch());
            code.put("dirty", r.codeVersion().dirty());
            code.put("repository", r.codeVersion().repository());
            m.put("code_version", code);
        }
        m.put("environment", new TreeMap<>(r.environment()));
        return m;
    }

    static Map<String, Object> graph(LineageGraph g) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("root", g.root().id());
        List<Map<String, Object>> nodes = new ArrayList<>();
        for (NodeRef n : g.nodes()) {
            Map<String, Object> node = new LinkedHashMap<>();
            node.put("id", n.id());
            node.put("kind", n.kind().prefix());
            nodes.add(node);
        }
        m.put("nodes", nodes);
        List<Map<String, Object>> edges = new ArrayList<>();
        for (LineageEdge e : g.edges()) {
            Map<String, Object> edge = new LinkedHashMap<>();
            edge.put("from", e.from().id());
            edge.put("to", e.to().id());
            edge.put("kind", e.kind().name().toLowerCase(Locale.ROOT));
            edges.add(edge);
        }
        m.put("edges", edges);
        return m;
    }

    static Map<String, Object> verification(AuditVerification v) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ok", v.ok());
        m.put("events", v.events());
        if (v.ok()) {
            m.put("head", v.head());
        } else {
            m.put("first_bad_seq", v.firstBadSeq());
            m.put("reason", v.reason());
        }
        m.put("anchored", v.anchored());
        if (v.anchoredSeq() != null) {
            m.put("anchored_seq", v.anchoredSeq());
        }
        return m;
    }

    /** A model version, with the fields {@code models versions --json} promises first. */
    static Map<String, Object> version(ModelVersion v) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("version", v.version());
        m.put("digest", v.digest());
        m.put("status", v.status().name());
        m.put("approval", v.approval().status().name());
        m.put("aliases", v.aliases());
        m.put("run_id", v.runId());
        m.put("model", v.modelName());
        if (v.statusMessage() != null) {
            m.put("status_message", v.statusMessage());
        }
        if (v.approval().status() != ApprovalStatus.PENDING) {
            m.put("approved_by", v.approval().actor());
            m.put("approval_time", v.approval().time().toString());
            m.put("approval_reason", v.approval().reason());
        }
        m.put("size_bytes", v.artifact() == null ? null : v.artifact().sizeBytes());
        m.put("uri", v.artifact() == null ? null : v.artifact().uri());
        m.put("metrics", new TreeMap<>(v.metrics()));
        m.put("tags", new TreeMap<>(v.tags()));
        m.put("signature", Map.of("inputs", v.signature().inputs().stream().map(Views::column).toList(),
                "outputs", v.signature().outputs().stream().map(Views::column).toList()));
        m.put("description", v.description());
        m.put("created_time", v.createdTime().toString());
        m.put("created_by", v.createdBy());
        m.put("updated_time", v.updatedTime().toString());
        return m;
    }

    /** A model; {@code governance} included when {@code withGovernance}. */
    static Map<String, Object> model(RegisteredModel model, boolean withGovernance) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", model.name());
        m.put("description", model.description());
        m.put("latest_version", model.latestVersion());
        m.put("aliases", new TreeMap<>(model.aliases()));
        m.put("tags", new TreeMap<>(model.tags()));
        if (withGovernance) {
            m.put("governance", governance(model.governance()));
        } else {
            m.put("business_owner", model.governance().businessOwner());
        }
        m.put("created_time", model.createdTime().toString());
        m.put("created_by", model.createdBy());
        m.put("updated_time", model.updatedTime().toString());
        return m;
    }

    /** The governance record with snake_case keys, undecided values as null. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> governance(Governance g) {
        return SNAKE_CASE.convertValue(g, LinkedHashMap.class);
    }

    static String role(RunLink l) {
        return l.role().name().toLowerCase(Locale.ROOT);
    }
}
