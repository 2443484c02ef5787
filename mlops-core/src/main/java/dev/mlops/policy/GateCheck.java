package dev.mlops.policy;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One check of a promotion gate's verdict, with its numbers. Immutable.
 *
 * <p>Names: {@code registry.ready}, {@code registry.approved}, {@code registry.governance},
 * {@code registry.permission}; {@code METRIC.value}, {@code METRIC.absolute_change}, {@code METRIC.relative_change};
 * {@code significance.NAME}.
 *
 * @param name      the check's name (unique within a verdict)
 * @param kind      what kind of check it is
 * @param metric    the metric (or bootstrap name) it is about, null for registry checks
 * @param passed    whether it passed
 * @param measured  the number compared with the threshold: the candidate's value (value checks), the improvement
 *                  over the champion in the better direction (change checks, positive = better; a relative change may
 *                  be infinite when the champion's value is 0), the lower end of the improvement's confidence
 *                  interval (significance); null when there is none (a missing metric, no champion, registry checks)
 * @param threshold the threshold it was compared with, null for registry checks
 * @param numbers   further numbers by name in a stable order (for example {@code candidate}, {@code champion},
 *                  {@code difference}, {@code ci_lower}, {@code ci_upper}, {@code resamples}, {@code seed});
 *                  finite only
 * @param detail    one sentence saying what was compared and how it came out; it names a missing or NaN metric
 */
public record GateCheck(String name, Kind kind, String metric, boolean passed, Double measured, Double threshold,
        Map<String, Number> numbers, String detail) {

    /** What a check is about. */
    public enum Kind {
        /** A rule of the registry: the version is READY, approved, the model's governance record, permission. */
        REGISTRY,
        /** The candidate's value against a bound. */
        VALUE,
        /** The absolute improvement over the champion. */
        ABSOLUTE_CHANGE,
        /** The relative improvement over the champion. */
        RELATIVE_CHANGE,
        /** A paired bootstrap confidence interval of the improvement on a shared holdout. */
        SIGNIFICANCE
    }

    public GateCheck {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(detail, "detail");
        Objects.requireNonNull(numbers, "numbers");
        for (Map.Entry<String, Number> e : numbers.entrySet()) {
            Objects.requireNonNull(e.getKey(), "numbers key");
            Number n = Objects.requireNonNull(e.getValue(), "numbers." + e.getKey());
            if (!Double.isFinite(n.doubleValue())) {
                throw new IllegalArgumentException("numbers." + e.getKey() + " must be finite, was " + n);
            }
        }
        numbers = Collections.unmodifiableMap(new LinkedHashMap<>(numbers));
        if (threshold != null && !Double.isFinite(threshold)) {
            throw new IllegalArgumentException("threshold must be finite, was " + threshold);
        }
        if (measured != null && Double.isNaN(measured)) {
            throw new IllegalArgumentException("measured must not be NaN (use null and say why in the detail)");
        }
    }
}
