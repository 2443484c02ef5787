package dev.mlops.spi;

import dev.mlops.audit.AuditChain;
import java.time.Instant;
import java.util.Objects;

/**
 * The record of one retrain asked for by a retrain decision, as a metadata store keeps it: keyed by the decision's
 * idempotency key ({@code policy/model/window}), at most one per key, moving {@code requested -> running ->
 * completed | failed} by compare-and-set on (status, attempt). The request's JSON as the library wrote it (with the
 * decision), and the fields a store queries as columns. Built by the API layer; a store keeps the fields exactly (the
 * times to the millisecond, which the constructor truncates to) and the body character for character.
 *
 * @param key           the decision's idempotency key; unique
 * @param policy        the policy's name
 * @param model         the model's name
 * @param windowId      the decision's window
 * @param status        {@value #REQUESTED}, {@value #RUNNING}, {@value #COMPLETED} or {@value #FAILED} (the API
 *                      layer checks it; the JDBC stores' schema refuses another)
 * @param attempt       how many times the handler was called (0 while requested)
 * @param runId         the run the handler reported, or null
 * @param error         why it failed, or null
 * @param requestedTime when the request was created
 * @param updatedTime   when its status last changed
 * @param body          the request's JSON (a JSON text: a store may rely on that)
 */
public record RetrainingRequestEntry(String key, String policy, String model, String windowId, String status,
        int attempt, String runId, String error, Instant requestedTime, Instant updatedTime, String body) {
    public static final String REQUESTED = "requested";
    public static final String RUNNING = "running";
    public static final String COMPLETED = "completed";
    public static final String FAILED = "failed";

    public RetrainingRequestEntry {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(windowId, "windowId");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(requestedTime, "requestedTime");
        Objects.requireNonNull(updatedTime, "updatedTime");
        Objects.requireNonNull(body, "body");
        if (attempt < 0) {
            throw new IllegalArgumentException("attempt must be >= 0, was " + attempt);
        }
        requestedTime = AuditChain.truncate(requestedTime);
        updatedTime = AuditChain.truncate(updatedTime);
    }

    /**
     * Checks, for stores, that this entry may replace {@code stored}: the same key, policy, model, window and
     * requested time.
     *
     * @throws dev.mlops.InvalidArgumentException naming the first field that differs
     */
    public void checkReplaces(RetrainingRequestEntry stored) {
        String[][] same = {{"key", key, stored.key}, {"policy", policy, stored.policy},
            {"model", model, stored.model}, {"windowId", windowId, stored.windowId},
            {"requestedTime", requestedTime.toString(), stored.requestedTime.toString()}};
        for (String[] f : same) {
            if (!f[1].equals(f[2])) {
                throw new dev.mlops.InvalidArgumentException(f[0], "retraining request '" + stored.key
                        + "': an update cannot change its " + f[0]);
            }
        }
    }
}
