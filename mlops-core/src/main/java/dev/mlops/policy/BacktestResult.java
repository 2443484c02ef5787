package dev.mlops.policy;

import dev.mlops.internal.policy.BacktestJson;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.TreeMap;

/**
 * What a {@link Backtest} found: the decision of every window, the simulated retrains, how many decisions each guard
 * held back, and per known change point how long the policy took to react and how long a stale model served.
 * Immutable. See docs/policies.md, "Backtesting".
 *
 * @param policy     the policy's name
 * @param version    the policy's version
 * @param model      the observations' model
 * @param start      the first observation's time
 * @param end        the last observation's time
 * @param timeline   each window's decision, in order (an approved decision as approved, by {@link Backtest#ACTOR})
 * @param retrains   the retrain decisions and what became of them
 * @param heldBy     per guard id ({@code cooldown}, ...), the decisions it held back (the decision's
 *                   {@link Decision#heldBy()}), guards that held none left out; sorted by id
 * @param detections one per change point, in time order
 */
public record BacktestResult(String policy, int version, String model, Instant start, Instant end,
        List<Decision> timeline, List<Retrain> retrains, Map<String, Integer> heldBy, List<Detection> detections) {

    public BacktestResult {
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(end, "end");
        timeline = List.copyOf(timeline);
        retrains = List.copyOf(retrains);
        heldBy = Collections.unmodifiableMap(new TreeMap<>(heldBy));
        detections = List.copyOf(detections);
    }

    /**
     * A simulated retrain.
     *
     * @param windowId    the window whose decision asked for it
     * @param index       that window's position in the history (0-based)
     * @param decidedAt   when it was decided (the window's time)
     * @param effectiveAt when it took effect (the time of the window {@code retrainDelay} later); empty when the
     *                    history ended first
     * @param succeeded   whether it succeeded; empty when it had not taken effect
     */
    public record Retrain(String windowId, int index, Instant decidedAt, Optional<Instant> effectiveAt,
            Optional<Boolean> succeeded) {
        public Retrain {
            Objects.requireNonNull(windowId, "windowId");
            Objects.requireNonNull(decidedAt, "decidedAt");
            Objects.requireNonNull(effectiveAt, "effectiveAt");
            Objects.requireNonNull(succeeded, "succeeded");
        }
    }

    /**
     * How the policy reacted to one known change.
     *
     * @param change        when the data changed
     * @param detectedBy    the window of the first retrain decision in a window that closed after the change (and
     *                      not after the next change point); empty when there was none ("not detected")
     * @param delay         the time from the change to that decision (the window's time)
     * @param windows       that window's position among the windows that closed after the change (1: the first)
     * @param stale         how long a model trained before the change served after it: from the change until the
     *                      first successful retrain decided after it took effect, or until the history's end
     * @param staleUntilEnd whether no such retrain took effect before the history ended
     */
    public record Detection(Instant change, Optional<String> detectedBy, Optional<Duration> delay,
            OptionalInt windows, Duration stale, boolean staleUntilEnd) {
        public Detection {
            Objects.requireNonNull(change, "change");
            Objects.requireNonNull(detectedBy, "detectedBy");
            Objects.requireNonNull(delay, "delay");
            Objects.requireNonNull(windows, "windows");
            Objects.requireNonNull(stale, "stale");
        }

        /** Whether a retrain was decided for the change. */
        public boolean detected() {
            return detectedBy.isPresent();
        }
    }

    /** The number of retrain decisions. */
    public int retrainCount() {
        return retrains.size();
    }

    /** The windows of the retrain decisions, in order. */
    public List<String> retrainWindows() {
        return retrains.stream().map(Retrain::windowId).toList();
    }

    /** Every window's status id, in order ({@code no_retrain}, {@code retrain}, {@code held}, ...). */
    public List<String> statuses() {
        return timeline.stream().map(d -> d.status().id()).toList();
    }

    /** The result as JSON (format {@code mlops.backtest_result} version 1), one line, with every decision. */
    public String toJson() {
        return BacktestJson.write(this);
    }

    /** A few lines of text: the span, the retrains, what held decisions back, and each change's detection. */
    public String summary() {
        return BacktestJson.summary(this);
    }
}
