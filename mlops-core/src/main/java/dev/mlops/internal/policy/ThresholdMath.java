package dev.mlops.internal.policy;

import dev.mlops.policy.MetricDirection;

/**
 * The arithmetic of promotion thresholds (see {@link dev.mlops.policy.GateThreshold} for the definitions): every
 * function returns a number where positive means "the candidate is better". Pure functions, thread-safe.
 */
public final class ThresholdMath {
    private ThresholdMath() {
    }

    /** Whether {@code candidate} meets the value threshold {@code bound} in {@code direction} (inclusive). */
    public static boolean meetsBound(MetricDirection direction, double candidate, double bound) {
        return direction == MetricDirection.HIGHER_IS_BETTER ? candidate >= bound : candidate <= bound;
    }

    /** The absolute improvement: {@code c - b} when higher is better, {@code b - c} when lower is better. */
    public static double improvement(MetricDirection direction, double candidate, double champion) {
        return direction == MetricDirection.HIGHER_IS_BETTER ? candidate - champion : champion - candidate;
    }

    /**
     * The relative improvement {@code improvement / |b|}: {@code c / b - 1} for a positive champion value when higher
     * is better. For {@code b = 0}: {@code +Infinity} when the improvement is positive, {@code -Infinity} when it is
     * negative, 0 when {@code c = 0} too.
     */
    public static double relativeImprovement(MetricDirection direction, double candidate, double champion) {
        double improvement = improvement(direction, candidate, champion);
        if (champion == 0.0) {
            return improvement > 0 ? Double.POSITIVE_INFINITY
                    : improvement < 0 ? Double.NEGATIVE_INFINITY : 0.0;
        }
        return improvement / Math.abs(champion);
    }
}
