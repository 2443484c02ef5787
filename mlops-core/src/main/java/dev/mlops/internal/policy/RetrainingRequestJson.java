package dev.mlops.internal.policy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlops.IntegrityException;
import dev.mlops.policy.Decision;
import dev.mlops.policy.RetrainingRequest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The JSON form of a {@link RetrainingRequest} (format {@value #FORMAT}, version {@value #FORMAT_VERSION}) for
 * stores, and the audit event of each change. One line, fields in a fixed order, absent optionals left out, the
 * decision as {@link DecisionJson} writes it. {@code read(write(r)).equals(r)}. Stateless and thread-safe.
 */
public final class RetrainingRequestJson {
    public static final String FORMAT = "mlops.retraining_request";
    public static final int FORMAT_VERSION = 1;
    /** The audit action of a request's change is this prefix and the new status: {@code retraining.failed}. */
    public static final String ACTION_PREFIX = "retraining.";
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private RetrainingRequestJson() {
    }

    /**
     * An audit event for a change of a request: action {@code retraining.<status>}, subject
     * {@code retraining:<idempotency key>}, and data with ids, statuses, attempt, times, run id and error only (no
     * decision body, nothing the handler produced beyond its run id and error message).
     *
     * @param action  for example {@code retraining.completed}
     * @param subject {@code retraining:policy/model/window}
     * @param data    one line of JSON
     */
    public record Event(String action, String subject, String data) {
        public Event {
            Objects.requireNonNull(action, "action");
            Objects.requireNonNull(subject, "subject");
            Objects.requireNonNull(data, "data");
        }
    }

    /** The request as one line of JSON. */
    public static String write(RetrainingRequest r) {
        ObjectNode o = NODES.objectNode();
        o.put("format", FORMAT);
        o.put("format_version", FORMAT_VERSION);
        o.put("idempotency_key", r.idempotencyKey());
        o.put("status", r.status().id());
        o.put("attempt", r.attempt());
        o.put("requested_at", r.requestedAt().toString());
        o.put("updated_at", r.updatedAt().toString());
        r.runId().ifPresent(x -> o.put("run_id", x));
        r.error().ifPresent(x -> o.put("error", x));
        r.leaseUntil().ifPresent(x -> o.put("lease_until", x.toString()));
        o.set("decision", DecisionJson.tree(r.decision()));
        return text(o);
    }

    /**
     * Reads a request written by {@link #write}.
     *
     * @throws IntegrityException when the text is not such a request (a store's copy was damaged)
     */
    public static RetrainingRequest read(String json) {
        try {
            JsonObject o = JsonObject.of(PolicyJson.MAPPER.readTree(json), "");
            if (!FORMAT.equals(o.string("format")) || o.integer("format_version") != FORMAT_VERSION) {
                throw new IntegrityException("not a retraining request of format " + FORMAT + " version "
                        + FORMAT_VERSION);
            }
            String key = o.string("idempotency_key");
            List<String> ids = new ArrayList<>();
            for (RetrainingRequest.Status s : RetrainingRequest.Status.values()) {
                ids.add(s.id());
            }
            RetrainingRequest.Status status = RetrainingRequest.Status.values()[o.choice("status", ids)];
            int attempt = o.int32("attempt");
            Instant requestedAt = o.instant("requested_at");
            Instant updatedAt = o.instant("updated_at");
            Optional<String> runId = o.optString("run_id");
            Optional<String> error = o.optString("error");
            Optional<Instant> leaseUntil = o.has("lease_until") ? Optional.of(o.instant("lease_until"))
                    : Optional.empty();
            JsonNode decision = o.get("decision");
            if (decision == null) {
                throw new IntegrityException("decision is missing");
            }
            Decision d = DecisionJson.read(text(decision));
            o.finish();
            return new RetrainingRequest(key, d, status, attempt, requestedAt, updatedAt, runId, error, leaseUntil);
        } catch (JsonProcessingException | RuntimeException e) {
            if (e instanceof IntegrityException ie) {
                throw ie;
            }
            throw new IntegrityException("a stored retraining request could not be read: " + e.getMessage());
        }
    }

    /** The audit event of a change from {@code before} (empty when created) to {@code after}. */
    public static Event event(Optional<RetrainingRequest> before, RetrainingRequest after) {
        ObjectNode o = NODES.objectNode();
        o.put("idempotency_key", after.idempotencyKey());
        o.put("policy", after.policy());
        o.put("policy_version", after.decision().policyVersion());
        o.put("model", after.model());
        o.put("window_id", after.windowId());
        if (before.isPresent()) {
            o.put("from", before.get().status().id());
        } else {
            o.putNull("from");
        }
        o.put("status", after.status().id());
        o.put("attempt", after.attempt());
        o.put("requested_at", after.requestedAt().toString());
        o.put("updated_at", after.updatedAt().toString());
        after.runId().ifPresent(x -> o.put("run_id", x));
        after.error().ifPresent(x -> o.put("error", x));
        return new Event(ACTION_PREFIX + after.status().id(), "retraining:" + after.idempotencyKey(), text(o));
    }

    private static String text(JsonNode node) {
        try {
            return PolicyJson.MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
