package dev.mlops.internal.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlops.spi.PolicyDecisionEntry;
import dev.mlops.spi.PolicyStateEntry;
import dev.mlops.spi.RetrainingRequestEntry;
import java.time.Instant;

/**
 * Retraining policy state, decisions and retraining requests as stores keep them:
 *
 * <ul>
 *   <li>{@link PolicyStateEntry}: {@code policy, model, version, body, updated_time, updated_by}; {@code version}
 *       >= 1</li>
 *   <li>{@link PolicyDecisionEntry}: {@code policy, model, seq, window_id, status, retrain, decided_at, body}</li>
 *   <li>{@link RetrainingRequestEntry}: {@code key, policy, model, window_id, status, attempt, run_id?, error?,
 *       requested_time, updated_time, body}; {@code attempt} >= 0</li>
 * </ul>
 * Statuses are the entries' own lower-case strings ({@code retrain}, {@code requested}, ...), carried as they are;
 * {@code body} is the JSON text as a string, character for character. Stateless and thread-safe.
 */
public final class PolicyWire {
    private PolicyWire() {
    }

    public static ObjectNode write(PolicyStateEntry state) {
        ObjectNode node = Wire.object();
        node.put("policy", state.policy());
        node.put("model", state.model());
        node.put("version", state.version());
        node.put("body", state.body());
        node.put("updated_time", Wire.instantText(state.updatedTime()));
        node.put("updated_by", state.updatedBy());
        return node;
    }

    public static PolicyStateEntry readState(JsonNode node, String path) {
        Wire.Fields f = Wire.fields(node, path, "policy", "model", "version", "body", "updated_time", "updated_by");
        String policy = f.string("policy");
        String model = f.string("model");
        long version = f.longValue("version", 1, Long.MAX_VALUE);
        String body = f.string("body");
        Instant updated = f.instant("updated_time");
        String updatedBy = f.string("updated_by");
        return Wire.build(path, () -> new PolicyStateEntry(policy, model, version, body, updated, updatedBy));
    }

    public static ObjectNode write(PolicyDecisionEntry decision) {
        ObjectNode node = Wire.object();
        node.put("policy", decision.policy());
        node.put("model", decision.model());
        node.put("seq", decision.seq());
        node.put("window_id", decision.windowId());
        node.put("status", decision.status());
        node.put("retrain", decision.retrain());
        node.put("decided_at", Wire.instantText(decision.decidedAt()));
        node.put("body", decision.body());
        return node;
    }

    public static PolicyDecisionEntry readDecision(JsonNode node, String path) {
        Wire.Fields f = Wire.fields(node, path, "policy", "model", "seq", "window_id", "status", "retrain",
                "decided_at", "body");
        String policy = f.string("policy");
        String model = f.string("model");
        long seq = f.longValue("seq");
        String windowId = f.string("window_id");
        String status = f.string("status");
        boolean retrain = f.bool("retrain");
        Instant decidedAt = f.instant("decided_at");
        String body = f.string("body");
        return Wire.build(path, () -> new PolicyDecisionEntry(policy, model, seq, windowId, status, retrain,
                decidedAt, body));
    }

    public static ObjectNode write(RetrainingRequestEntry request) {
        ObjectNode node = Wire.object();
        node.put("key", request.key());
        node.put("policy", request.policy());
        node.put("model", request.model());
        node.put("window_id", request.windowId());
        node.put("status", request.status());
        node.put("attempt", request.attempt());
        if (request.runId() != null) {
            node.put("run_id", request.runId());
        }
        if (request.error() != null) {
            node.put("error", request.error());
        }
        node.put("requested_time", Wire.instantText(request.requestedTime()));
        node.put("updated_time", Wire.instantText(request.updatedTime()));
        node.put("body", request.body());
        return node;
    }

    public static RetrainingRequestEntry readRequest(JsonNode node, String path) {
        Wire.Fields f = Wire.fields(node, path, "key", "policy", "model", "window_id", "status", "attempt", "run_id",
                "error", "requested_time", "updated_time", "body");
        String key = f.string("key");
        String policy = f.string("policy");
        String model = f.string("model");
        String windowId = f.string("window_id");
        String status = f.string("status");
        int attempt = f.intValue("attempt", 0, Integer.MAX_VALUE);
        String runId = f.optString("run_id");
        String error = f.optString("error");
        Instant requested = f.instant("requested_time");
        Instant updated = f.instant("updated_time");
        String body = f.string("body");
        return Wire.build(path, () -> new RetrainingRequestEntry(key, policy, model, windowId, status, attempt, runId,
                error, requested, updated, body));
    }
}
