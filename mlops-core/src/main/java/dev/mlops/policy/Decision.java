package dev.mlops.policy;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a {@link RetrainingPolicy} decided for one window of one model, and why: every condition with its measured
 * value, threshold and verdict, every configured guard with its numbers, and the guard that held a wanted retrain
 * back. The same policy, state, observation and clock always give an equal decision. {@code windowId} is the
 * idempotency key within a policy and model: a window is decided once, and a retrain handler receives
 * {@link #idempotencyKey()} to deduplicate. Immutable. See docs/policies.md, "Decisions".
 *
 * @param policy        the policy's name
 * @param policyVersion the policy's version
 * @param model         the model
 * @param windowId      the observation's window id
 * @param observedAt    the observation's time
 * @param decidedAt     the evaluation clock's time
 * @param status        the outcome
 * @param triggered     whether the policy's conditions fired (before guards)
 * @param conditions    every condition, depth first, the top-level combination first
 * @param guards        every configured guard, in checking order
 * @param heldBy        the first guard that held a triggered retrain back ({@link Status#HELD}, or
 *                      {@link Guards.Guard#APPROVAL} for {@link Status#AWAITING_APPROVAL})
 * @param actor         who approved or rejected, for {@link Status#RETRAIN} after approval and {@link Status#REJECTED}
 * @param reason        the decision in one sentence, with its numbers; for {@link Status#FAILED} what failed
 * @param modelVersion  the version of the model that served the window, as the observation named it
 *                      ({@link Observation#modelVersion()}; an approval keeps the pending decision's): a retraining
 *                      request links its run to it ({@link RetrainingRequest#runLinks()}). Empty when the observation
 *                      named none, and in decisions stored before it was recorded
 */
public record Decision(String policy, int policyVersion, String model, String windowId, Instant observedAt,
        Instant decidedAt, Status status, boolean triggered, List<ConditionOutcome> conditions,
        List<GuardOutcome> guards, Optional<Guards.Guard> heldBy, Optional<String> actor, String reason,
        Optional<String> modelVersion) {

    /** The outcome of a decision. */
    public enum Status {
        /** Retrain now. */
        RETRAIN("retrain"),
        /** The conditions did not fire. */
        NO_RETRAIN("no_retrain"),
        /** The conditions fired but a guard held the retrain back ({@link #heldBy()}). */
        HELD("held"),
        /** The conditions fired and every guard passed; a person must approve before it retrains. */
        AWAITING_APPROVAL("awaiting_approval"),
        /** A person rejected a decision that awaited approval. */
        REJECTED("rejected"),
        /**
         * The evaluation failed (the clock went backwards, the window was already decided): recorded, nothing
         * changed, nothing fires. The window can be evaluated again.
         */
        FAILED("failed");

        private final String id;

        Status(String id) {
            this.id = id;
        }

        /** The name in JSON. */
        public String id() {
            return id;
        }
    }

    public Decision {
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(windowId, "windowId");
        Objects.requireNonNull(observedAt, "observedAt");
        Objects.requireNonNull(decidedAt, "decidedAt");
        Objects.requireNonNull(status, "status");
        conditions = List.copyOf(conditions);
        guards = List.copyOf(guards);
        Objects.requireNonNull(heldBy, "heldBy");
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(reason, "reason");
        if ((status == Status.HELD || status == Status.AWAITING_APPROVAL) != heldBy.isPresent()) {
            throw new IllegalArgumentException("heldBy is present exactly for held and awaiting_approval decisions");
        }
        Objects.requireNonNull(modelVersion, "modelVersion");
    }

    /** A decision that names no serving model version. */
    public Decision(String policy, int policyVersion, String model, String windowId, Instant observedAt,
            Instant decidedAt, Status status, boolean triggered, List<ConditionOutcome> conditions,
            List<GuardOutcome> guards, Optional<Guards.Guard> heldBy, Optional<String> actor, String reason) {
        this(policy, policyVersion, model, windowId, observedAt, decidedAt, status, triggered, conditions, guards,
                heldBy, actor, reason, Optional.empty());
    }

    /** Whether to retrain now. */
    public boolean retrain() {
        return status == Status.RETRAIN;
    }

    /**
     * The key a retraining handler deduplicates on: {@link #idempotencyKey(String, String, String)} of this
     * decision's policy, model and window.
     */
    public String idempotencyKey() {
        return idempotencyKey(policy, model, windowId);
    }

    /**
     * The idempotency key of a window: {@code policy/model/windowId}, each part with {@code %} written as
     * {@code %25} and {@code /} as {@code %2F}, so that two different (policy, model, window) triples never share a
     * key; parts without {@code /} or {@code %} appear unchanged. See docs/policies.md, "Idempotency keys".
     */
    public static String idempotencyKey(String policy, String model, String windowId) {
        return keyPart(policy) + "/" + keyPart(model) + "/" + keyPart(windowId);
    }

    private static String keyPart(String part) {
        if (part.indexOf('/') < 0 && part.indexOf('%') < 0) {
            return part;
        }
        return part.replace("%", "%25").replace("/", "%2F");
    }

    /**
     * The decision's reasons, short and with numbers, for summaries: every condition that fired (combinations left
     * out), as {@code "conditions[0] accuracy < 0.8: 0.71"}; then the guard that held it back, as
     * {@code "held by cooldown: ..."}; then who approved or rejected it. A failed decision has its reason only.
     * Each condition whose input is {@linkplain ConditionOutcome.Input#UNKNOWN unknown} (a wrong reference) is a
     * failure reason, listed after the conditions that fired as {@code "input error conditions[1] ...: why"}.
     */
    public List<String> reasons() {
        if (status == Status.FAILED) {
            return List.of(reason);
        }
        List<String> out = new java.util.ArrayList<>();
        for (ConditionOutcome c : conditions) {
            boolean combination = c.type().equals("any_of") || c.type().equals("all_of")
                    || c.type().equals("at_least");
            if (c.fired() && !combination) {
                out.add(c.path() + " " + c.description() + ": "
                        + dev.mlops.internal.json.CanonicalJson.formatNumber(c.measured().getAsDouble()));
            }
        }
        for (ConditionOutcome c : inputErrors()) {
            out.add("input error " + c.path() + " " + c.description() + ": " + c.note().orElse("unknown input"));
        }
        heldBy.flatMap(this::guard).ifPresent(g -> out.add("held by " + g.guard().id() + ": " + g.reason()));
        actor.ifPresent(a -> out.add((status == Status.REJECTED ? "rejected by " : "approved by ") + a));
        return List.copyOf(out);
    }

    /**
     * The paths of the conditions whose input was missing this window ({@link ConditionOutcome#inputMissing()}),
     * depth first; empty when every condition was measured.
     */
    public List<String> missingInputs() {
        return conditions.stream().filter(ConditionOutcome::inputMissing).map(ConditionOutcome::path).toList();
    }

    /**
     * The conditions whose input is {@linkplain ConditionOutcome.Input#UNKNOWN unknown}: the observation carried that
     * kind of input but not the one named, so the policy references something that does not exist.
     */
    public List<ConditionOutcome> inputErrors() {
        return conditions.stream().filter(c -> c.input() == ConditionOutcome.Input.UNKNOWN).toList();
    }

    /** The outcome of the condition at {@code path}, if the policy has one there. */
    public Optional<ConditionOutcome> condition(String path) {
        return conditions.stream().filter(c -> c.path().equals(path)).findFirst();
    }

    /** The outcome of a configured guard. */
    public Optional<GuardOutcome> guard(Guards.Guard guard) {
        return guards.stream().filter(g -> g.guard() == guard).findFirst();
    }
}
