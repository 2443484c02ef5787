package dev.mlops.spi;

import dev.mlops.audit.AuditChain;
import java.time.Instant;
import java.util.Objects;

/**
 * One decision of a retraining policy for a model's window, as a metadata store keeps it: the decision's JSON as the
 * library wrote it, with the fields a store queries as columns. A window may have several decisions (one that
 * awaited approval and its approval, a failed evaluation and a later one); the window's current decision is its
 * latest whose status is not {@value #FAILED}. Built by the API layer; a store keeps the fields exactly (the time to
 * the millisecond, which the constructor truncates to) and the body character for character.
 *
 * @param policy    the policy's name
 * @param model     the model's name
 * @param seq       the decision's position in the log of (policy, model): 1, 2, 3, ... in the order saved. Assigned
 *                  by the store on save (the value given to {@code savePolicyState} is ignored)
 * @param windowId  the observation window the decision is for
 * @param status    the decision's status as in its JSON ({@code retrain}, {@code no_retrain}, {@code held},
 *                  {@code awaiting_approval}, {@code rejected}, {@value #FAILED})
 * @param retrain   whether it asks for a retrain
 * @param decidedAt the evaluation clock's time of the decision
 * @param body      the decision's JSON (a JSON text: a store may rely on that)
 */
public record PolicyDecisionEntry(String policy, String model, long seq, String windowId, String status,
        boolean retrain, Instant decidedAt, String body) {
    /** The status of a failed evaluation, which never counts as the window's decision. */
    public static final String FAILED = "failed";

    public PolicyDecisionEntry {
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(windowId, "windowId");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(decidedAt, "decidedAt");
        Objects.requireNonNull(body, "body");
        decidedAt = AuditChain.truncate(decidedAt);
    }

    /** This entry at position {@code seq} (what a store returns). */
    public PolicyDecisionEntry withSeq(long seq) {
        return new PolicyDecisionEntry(policy, model, seq, windowId, status, retrain, decidedAt, body);
    }
}
