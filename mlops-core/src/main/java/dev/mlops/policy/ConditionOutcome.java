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
 * @param input       whether the condition's input was found in the observation: {@link Input#MEASURED} when it was
 *                    (always for combinations), {@link Input#ABSENT} when it was not measured this window,
 *                    {@link Input#UNKNOWN} when the observation carries that kind of input but not the one the
 *                    condition names (a misspelt metric, column or stream: the policy is certainly wrong)
 */
public record ConditionOutcome(String path, String type, String description, OptionalDouble measured,
        double threshold, String comparator, boolean fired, Optional<String> note, Input input) {

    /** Whether a condition's input was found; see docs/policies.md, "Absent and unknown inputs". */
    public enum Input {
        /** The input was found and measured. */
        MEASURED("measured"),
        /** The input was not measured this window (no such report, no metrics, too few windows yet). */
        ABSENT("absent"),
        /**
         * The observation carries the report, metrics, baselines or outcome streams the condition reads, but not the
         * column, metric or stream it names: the reference is wrong, and the decision records it as a failure reason.
         */
        UNKNOWN("unknown");

        private final String id;

        Input(String id) {
            this.id = id;
        }

        /** The name in JSON. */
        public String id() {
            return id;
        }
    }

    /** An outcome whose input is {@link Input#MEASURED} when {@code measured} is present, else {@link Input#ABSENT}. */
    public ConditionOutcome(String path, String type, String description, OptionalDouble measured, double threshold,
            String comparator, boolean fired, Optional<String> note) {
        this(path, type, description, measured, threshold, comparator, fired, note,
                measured.isPresent() ? Input.MEASURED : Input.ABSENT);
    }

    public ConditionOutcome {
        Objects.requireNonNull(input, "input");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(measured, "measured");
        Objects.requireNonNull(comparator, "comparator");
        Objects.requireNonNull(note, "note");
        if (fired && measured.isEmpty()) {
            throw new IllegalArgumentException("a condition without a measured value cannot fire");
        }
        if (input == Input.MEASURED && measured.isEmpty()) {
            throw new IllegalArgumentException("a measured input has a measured value");
        }
    }

    /** Whether the input was not found this window ({@link Input#ABSENT} or {@link Input#UNKNOWN}). */
    public boolean inputMissing() {
        return input != Input.MEASURED;
    }
}
