package dev.mlops.policy;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * One condition of a policy as evaluated against one observation. Immutable.
 *
 * @param path        where the condition sits in the policy: {@code conditions} for the policy's top-level
 *                    combination, {@code conditions[2]} for its third condition, {@code conditions[2].conditions[0]}
 *                    inside a nested combination (the same paths validation errors use)
 * @param type        the condition's type, for example {@code metric_threshold}
 * @param description the condition in words with its numbers, for example {@code accuracy < 0.8}
 * @param measured    the measured value (unit as the condition documents; empty when its input was absent)
 * @param threshold   the threshold it was compared with
 * @param comparator  how: {@code <}, {@code >}, {@code >=}
 * @param fired       whether {@code measured comparator threshold} held
 * @param note        why the value is absent, or a detail (which detector value changed, the baseline)
 */
public record ConditionOutcome(String path, String type, String description, OptionalDouble measured,
        double threshold, String comparator, boolean fired, Optional<String> note) {
    public ConditionOutcome {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(measured, "measured");
        Objects.requireNonNull(comparator, "comparator");
        Objects.requireNonNull(note, "note");
        if (fired && measured.isEmpty()) {
            throw new IllegalArgumentException("a condition without a measured value cannot fire");
        }
    }
}
