package dev.mlops.policy;

import dev.mlops.InvalidArgumentException;
import dev.mlops.internal.Validate;

/**
 * What a promotion gate demands of one metric: a value threshold on the candidate alone and change thresholds against
 * the current champion (the version the alias points at), in the metric's better direction. Immutable and
 * thread-safe.
 *
 * <p>Definitions (those of TFMA's {@code GenericValueThreshold}/{@code GenericChangeThreshold} and MLflow's
 * {@code MetricThreshold}), with {@code c} the candidate's value and {@code b} the champion's:
 * <ul>
 *   <li><b>value</b>: {@code c >= bound} when higher is better, {@code c <= bound} when lower is better;</li>
 *   <li><b>absolute change</b>: the improvement {@code c - b} (higher is better) or {@code b - c} (lower is
 *       better), so a positive improvement is always better; passes when {@code improvement >= minAbsoluteChange};
 *   </li>
 *   <li><b>relative change</b>: {@code improvement / |b|}, which is {@code c / b - 1} for a positive champion value
 *       and a higher-is-better metric (and {@code 1 - c / b} for lower is better); dividing by {@code |b|} keeps the
 *       sign of the improvement when {@code b} is negative. When {@code b = 0} the relative change is
 *       {@code +Infinity} for a positive improvement, {@code -Infinity} for a negative one and 0 when
 *       {@code c = b = 0}; passes when {@code relative >= minRelativeChange}.</li>
 * </ul>
 * Every comparison is inclusive. A negative minimum tolerates a bounded degradation (for example
 * {@code minAbsoluteChange(-0.01)}: at most 0.01 worse than the champion).
 *
 * @param metric            the metric's name (as logged by the run, registered with the version, or supplied)
 * @param direction         which way is better
 * @param bound             the value threshold, or null for none
 * @param minAbsoluteChange the least absolute improvement over the champion, or null for none
 * @param minRelativeChange the least relative improvement over the champion (0.01 = 1 %), or null for none
 */
public record GateThreshold(String metric, MetricDirection direction, Double bound, Double minAbsoluteChange,
        Double minRelativeChange) {

    /**
     * @throws InvalidArgumentException naming the field when the metric name is not a valid metric key, the direction
     *     is null, or a threshold is not a finite number
     */
    public GateThreshold {
        Validate.key("metric", metric);
        if (direction == null) {
            throw new InvalidArgumentException("direction", "direction of metric '" + metric + "' is required");
        }
        finite("bound", metric, bound);
        finite("minAbsoluteChange", metric, minAbsoluteChange);
        finite("minRelativeChange", metric, minRelativeChange);
    }

    /** A threshold on a metric where higher is better, checking nothing yet. */
    public static GateThreshold higherIsBetter(String metric) {
        return new GateThreshold(metric, MetricDirection.HIGHER_IS_BETTER, null, null, null);
    }

    /** A threshold on a metric where lower is better, checking nothing yet. */
    public static GateThreshold lowerIsBetter(String metric) {
        return new GateThreshold(metric, MetricDirection.LOWER_IS_BETTER, null, null, null);
    }

    /**
     * This threshold with value threshold {@code c >= bound}.
     *
     * @throws InvalidArgumentException (field {@code bound}) for a lower-is-better metric (use {@link #atMost})
     */
    public GateThreshold atLeast(double bound) {
        if (direction != MetricDirection.HIGHER_IS_BETTER) {
            throw new InvalidArgumentException("bound", "metric '" + metric + "' is lower-is-better: its value"
                    + " threshold is atMost(...), not atLeast(...)");
        }
        return new GateThreshold(metric, direction, bound, minAbsoluteChange, minRelativeChange);
    }

    /**
     * This threshold with value threshold {@code c <= bound}.
     *
     * @throws InvalidArgumentException (field {@code bound}) for a higher-is-better metric (use {@link #atLeast})
     */
    public GateThreshold atMost(double bound) {
        if (direction != MetricDirection.LOWER_IS_BETTER) {
            throw new InvalidArgumentException("bound", "metric '" + metric + "' is higher-is-better: its value"
                    + " threshold is atLeast(...), not atMost(...)");
        }
        return new GateThreshold(metric, direction, bound, minAbsoluteChange, minRelativeChange);
    }

    /** This threshold with the least absolute improvement over the champion (negative: a tolerated loss). */
    public GateThreshold minAbsoluteChange(double minimum) {
        return new GateThreshold(metric, direction, bound, minimum, minRelativeChange);
    }

    /** This threshold with the least relative improvement over the champion (0.01 = 1 %; negative: a tolerance). */
    public GateThreshold minRelativeChange(double minimum) {
        return new GateThreshold(metric, direction, bound, minAbsoluteChange, minimum);
    }

    /** Whether this threshold checks anything. */
    public boolean checksAnything() {
        return bound != null || minAbsoluteChange != null || minRelativeChange != null;
    }

    /** Whether it compares with a champion (has a change threshold). */
    public boolean hasChangeThreshold() {
        return minAbsoluteChange != null || minRelativeChange != null;
    }

    private static void finite(String field, String metric, Double value) {
        if (value != null && !Double.isFinite(value)) {
            throw new InvalidArgumentException(field, field + " of metric '" + metric + "' must be a finite number,"
                    + " was " + value);
        }
    }
}
