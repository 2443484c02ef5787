package dev.mlops.tracking;

import java.util.Objects;

/**
 * A condition on the latest value of a metric, used in run searches: {@code latest(key) op value}.
 *
 * @param key   the metric name
 * @param op    the comparison
 * @param value the value compared with
 */
public record MetricFilter(String key, Comparison op, double value) {
    /** Comparison operators. */
    public enum Comparison { LT, LE, EQ, GE, GT }

    public MetricFilter {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(op, "op");
        if (Double.isNaN(value)) {
            throw new dev.mlops.InvalidArgumentException("metrics." + key, "a metric filter on '" + key
                    + "' needs a number to compare with, was NaN");
        }
    }

    /** Whether {@code actual} satisfies this filter. */
    public boolean test(double actual) {
        return switch (op) {
            case LT -> actual < value;
            case LE -> actual <= value;
            case EQ -> actual == value;
            case GE -> actual >= value;
            case GT -> actual > value;
        };
    }
}
