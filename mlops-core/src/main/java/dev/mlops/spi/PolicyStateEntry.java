package dev.mlops.spi;

import dev.mlops.InvalidArgumentException;
import dev.mlops.audit.AuditChain;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The state of one retraining policy for one model as a metadata store keeps it: what the policy's guards remember
 * between windows (last retrain, retrains in the budget period, hysteresis history, back-off), as the JSON the
 * library wrote, under a version for compare-and-set. Built by the API layer ({@code Mlops.policies()}); a store
 * keeps the fields exactly (the time to the millisecond, which the constructor truncates to) and the body character
 * for character, and never reads the body.
 *
 * @param policy      the policy's name; (policy, model) is the key
 * @param model       the model's name
 * @param version     1 after the first save, then 2, 3, ...: each save stores the next version
 * @param body        the state's JSON (a JSON text: a store may rely on that)
 * @param updatedTime when this version was saved
 * @param updatedBy   who saved it
 */
public record PolicyStateEntry(String policy, String model, long version, String body, Instant updatedTime,
        String updatedBy) {
    public PolicyStateEntry {
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(updatedTime, "updatedTime");
        Objects.requireNonNull(updatedBy, "updatedBy");
        if (version < 1) {
            throw new IllegalArgumentException("a stored policy state's version is at least 1, was " + version);
        }
        updatedTime = AuditChain.truncate(updatedTime);
    }

    /**
     * Checks the arguments of {@link MetadataStore#savePolicyState} with this state, for stores: the version follows
     * {@code expectedVersion}, every decision is of this policy and model, and there is an audit event.
     *
     * @throws InvalidArgumentException naming the field that is wrong
     */
    public void checkSave(long expectedVersion, List<PolicyDecisionEntry> decisions, List<PendingAuditEvent> audit) {
        Objects.requireNonNull(decisions, "decisions");
        Objects.requireNonNull(audit, "audit");
        if (expectedVersion < 0 || version != expectedVersion + 1) {
            throw new InvalidArgumentException("version", "policy '" + policy + "' for model '" + model
                    + "': the state to save must have version expectedVersion + 1 (" + expectedVersion + " + 1), was "
                    + version);
        }
        for (PolicyDecisionEntry d : decisions) {
            if (!d.policy().equals(policy) || !d.model().equals(model)) {
                throw new InvalidArgumentException("decisions", "a decision of policy '" + d.policy()
                        + "' for model '" + d.model() + "' cannot be saved with the state of policy '" + policy
                        + "' for model '" + model + "'");
            }
        }
        if (audit.isEmpty()) {
            throw new InvalidArgumentException("audit", "saving the state of policy '" + policy + "' for model '"
                    + model + "' needs at least one audit event");
        }
    }
}
