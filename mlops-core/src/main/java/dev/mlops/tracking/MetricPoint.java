package dev.mlops.tracking;

import dev.mlops.InvalidArgumentException;
import java.time.Instant;
import java.util.Objects;

/**
 * One value of a metric series.
 *
 * @param key       the metric name
 * @param value     a finite value (NaN and infinities are refused)
 * @param step      the training step (epoch, batch, ...), 0 or more
 * @param timestamp when the value was measured, millisecond precision is kept
 */
public record MetricPoint(String key, double value, long step, Instant timestamp) {
    public MetricPoint {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(timestamp, "timestamp");
        if (!Double.isFinite(value)) {
            throw new InvalidArgumentException("metrics." + key,
                    "metric '" + key + "' must be a finite number, was " + value);
        }
        if (step < 0) {
            throw new InvalidArgumentException("metrics." + key + ".step",
                    "metric '" + key + "' step must be >= 0, was " + step);
        }
    }
}
