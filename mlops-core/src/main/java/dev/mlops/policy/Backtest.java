package dev.mlops.policy;

import dev.mlops.InvalidArgumentException;
import dev.mlops.internal.Validate;
import dev.mlops.internal.policy.BacktestRunner;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Replays a history through a {@link RetrainingPolicy} and reports the decisions it would have made: a
 * {@link BacktestResult} with the timeline, the retrains, the decisions held back by each guard, and, for known change
 * points, the detection delay and the time a stale model served. The replay uses the pure evaluation with a clock at
 * each observation's time and writes nothing anywhere, so the same history gives the same result. Retrains are
 * simulated: each takes effect {@link Builder#retrainDelay(int) n windows} after its decision and succeeds or fails
 * as {@link Builder#retrainSucceeds(Predicate)} says; the outcome is reported to the policy (its back-off) when the
 * retrain takes effect. The observations are what was observed, so a simulated retrain does not change later windows'
 * metrics. Immutable and thread-safe (when the predicate is). See docs/policies.md, "Backtesting".
 */
public final class Backtest {
    /** The actor of approvals a backtest gives itself for a policy with an approval guard. */
    public static final String ACTOR = "backtest";

    private final RetrainingPolicy policy;
    private final DetectorFactory detectors;
    private final int retrainDelay;
    private final Predicate<Decision> retrainSucceeds;
    private final boolean autoApprove;
    private final List<Instant> changePoints;

    private Backtest(Builder b) {
        this.policy = b.policy;
        this.detectors = b.detectors;
        this.retrainDelay = b.retrainDelay;
        this.retrainSucceeds = b.retrainSucceeds;
        this.autoApprove = b.autoApprove;
        this.changePoints = List.copyOf(b.changePoints);
    }

    /** A backtest of {@code policy}. */
    public static Builder builder(RetrainingPolicy policy) {
        return new Builder(Objects.requireNonNull(policy, "policy"));
    }

    /**
     * Replays {@code history}: observations of one model in time order (equal times allowed), window ids unique.
     *
     * @throws InvalidArgumentException naming the index ({@code history[3].time}) for an observation earlier than
     *     the one before it, a repeated window id or another model; {@code history} when it is empty; a policy that
     *     names a detector the factory lacks
     */
    public BacktestResult run(List<Observation> history) {
        Validate.required("history", history);
        if (history.isEmpty()) {
            throw new InvalidArgumentException("history", "history must not be empty");
        }
        policy.validate(new PolicyContext(java.util.Optional.empty(), java.util.Optional.empty(),
                java.util.Optional.of(detectors)));
        return BacktestRunner.run(policy, detectors, retrainDelay, retrainSucceeds, autoApprove, changePoints,
                history);
    }

    /** The policy replayed. */
    public RetrainingPolicy policy() {
        return policy;
    }

    /** Collects a backtest's settings; not thread-safe. */
    public static final class Builder {
        private final RetrainingPolicy policy;
        private DetectorFactory detectors = DetectorFactory.standard();
        private int retrainDelay;
        private Predicate<Decision> retrainSucceeds = d -> true;
        private boolean autoApprove = true;
        private final List<Instant> changePoints = new ArrayList<>();

        private Builder(RetrainingPolicy policy) {
            this.policy = policy;
        }

        /** The decay detectors (default {@link DetectorFactory#standard()}). */
        public Builder detectors(DetectorFactory factory) {
            this.detectors = Objects.requireNonNull(factory, "detectors");
            return this;
        }

        /**
         * A retrain decided in window {@code i} takes effect when window {@code i + windows} closes (default 0: at
         * once, when its own window closes); its success or failure is reported to the policy then.
         *
         * @throws InvalidArgumentException when negative (field {@code retrainDelay})
         */
        public Builder retrainDelay(int windows) {
            if (windows < 0) {
                throw new InvalidArgumentException("retrainDelay", "retrainDelay must be >= 0, was " + windows);
            }
            this.retrainDelay = windows;
            return this;
        }

        /** Whether the retrain of a decision succeeds (default: every one does). */
        public Builder retrainSucceeds(Predicate<Decision> outcome) {
            this.retrainSucceeds = Objects.requireNonNull(outcome, "retrainSucceeds");
            return this;
        }

        /**
         * Whether a decision awaiting approval is approved at once (by {@value Backtest#ACTOR}; the default), or left
         * pending, which holds every later trigger ({@code approval_pending}).
         */
        public Builder autoApprove(boolean approve) {
            this.autoApprove = approve;
            return this;
        }

        /** A time the data is known to have changed, to measure detection delay and stale time against. */
        public Builder changePoint(Instant at) {
            changePoints.add(Objects.requireNonNull(at, "changePoint"));
            return this;
        }

        /** Several change points. */
        public Builder changePoints(List<Instant> at) {
            at.forEach(this::changePoint);
            return this;
        }

        /** @throws InvalidArgumentException when a change point repeats (field {@code changePoints[i]}) */
        public Backtest build() {
            List<Instant> sorted = new ArrayList<>(changePoints);
            sorted.sort(null);
            for (int i = 1; i < sorted.size(); i++) {
                if (sorted.get(i).equals(sorted.get(i - 1))) {
                    throw new InvalidArgumentException("changePoints[" + i + "]",
                            "changePoints[" + i + "] repeats " + sorted.get(i));
                }
            }
            changePoints.clear();
            changePoints.addAll(sorted);
            return new Backtest(this);
        }
    }
}
