package dev.mlops.policy;

import dev.mlops.InvalidArgumentException;
import dev.mlops.internal.policy.PolicyJson;
import dev.mlops.internal.policy.PolicyValidator;
import dev.mlops.internal.policy.PolicyYaml;
import java.time.Duration;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * A retraining policy as data: a name and version, a top-level combination of {@link Condition}s ({@code any_of},
 * {@code all_of} or {@code at_least}, possibly nested), and {@link Guards}. Written in Java with
 * {@link #builder(String)} or loaded from JSON ({@link #fromJson}) or YAML ({@link #fromYaml}, when
 * jackson-dataformat-yaml is on the classpath); {@code fromJson(p.toJson())} equals {@code p} and writes the same
 * bytes. Every policy is valid: construction checks every range and throws {@link InvalidArgumentException} whose
 * field is the path of the bad value, for example {@code conditions[2].threshold}. Immutable and thread-safe. See
 * docs/policies.md.
 *
 * @param name        the policy's name (1 to 256 characters, no {@code @}, not starting with {@code :} or {@code /})
 * @param version     the policy's version, >= 1, recorded in every decision
 * @param description free text, possibly empty
 * @param trigger     the top-level combination: an {@link Condition.AnyOf}, {@link Condition.AllOf} or
 *                    {@link Condition.AtLeast}
 * @param guards      the guards
 */
public record RetrainingPolicy(String name, int version, String description, Condition trigger, Guards guards) {

    /** @throws InvalidArgumentException naming the path of the first bad field */
    public RetrainingPolicy {
        PolicyValidator.validate(name, version, description, trigger, guards);
    }

    /**
     * Checks the policy against what is known about the model: every metric and column it names exists, every
     * decay detector is known to the context's factory and accepts its parameters.
     *
     * @throws InvalidArgumentException whose field is the path of the bad value, for example
     *     {@code conditions[0].metric}
     */
    public void validate(PolicyContext context) {
        PolicyValidator.validate(this, Objects.requireNonNull(context, "context"));
    }

    /** The policy as JSON (UTF-8 text, two-space indentation, fields in a fixed order, a final newline). */
    public String toJson() {
        return PolicyJson.write(this);
    }

    /**
     * Reads a policy from JSON.
     *
     * @throws InvalidArgumentException naming the path of the bad field: malformed JSON, an unknown field, a wrong
     *     type, a missing field, a value out of range
     */
    public static RetrainingPolicy fromJson(String json) {
        return PolicyJson.read(json);
    }

    /**
     * The policy as YAML, the same tree as {@link #toJson()}.
     *
     * @throws InvalidArgumentException (field {@code yaml}) when jackson-dataformat-yaml is not on the classpath
     */
    public String toYaml() {
        return PolicyYaml.write(this);
    }

    /**
     * Reads a policy from YAML, with the fields and checks of {@link #fromJson}.
     *
     * @throws InvalidArgumentException naming the path of the bad field, or {@code yaml} when
     *     jackson-dataformat-yaml is not on the classpath
     */
    public static RetrainingPolicy fromYaml(String yaml) {
        return PolicyYaml.read(yaml);
    }

    /** A builder of a policy named {@code name}, version 1, no guards. */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    /** A builder that starts from this policy. */
    public Builder toBuilder() {
        Builder b = new Builder(name);
        b.version = version;
        b.description = description;
        b.trigger = trigger;
        b.hysteresis = guards.hysteresis();
        b.warmUp = guards.warmUp();
        b.cooldown = guards.cooldown();
        b.budget = guards.budget();
        b.backoff = guards.backoff();
        b.allowed = guards.allowed();
        b.approval = guards.approval();
        return b;
    }

    /** Collects a policy's parts; {@link #build()} checks them all. Not thread-safe. */
    public static final class Builder {
        private final String name;
        private int version = 1;
        private String description = "";
        private Condition trigger;
        private Optional<Guards.Hysteresis> hysteresis = Optional.empty();
        private Optional<Guards.WarmUp> warmUp = Optional.empty();
        private Optional<Guards.Cooldown> cooldown = Optional.empty();
        private Optional<Guards.Budget> budget = Optional.empty();
        private Optional<Guards.Backoff> backoff = Optional.empty();
        private Optional<Guards.AllowedTimes> allowed = Optional.empty();
        private boolean approval;

        private Builder(String name) {
            this.name = name;
        }

        /** The version (default 1). */
        public Builder version(int version) {
            this.version = version;
            return this;
        }

        /** Free text (default empty). */
        public Builder description(String description) {
            this.description = description;
            return this;
        }

        /** Retrain when any of the conditions fires. */
        public Builder anyOf(Condition... conditions) {
            return when(new Condition.AnyOf(Arrays.asList(conditions)));
        }

        /** Retrain when all the conditions fire. */
        public Builder allOf(Condition... conditions) {
            return when(new Condition.AllOf(Arrays.asList(conditions)));
        }

        /** Retrain when at least {@code k} of the conditions fire. */
        public Builder atLeast(int k, Condition... conditions) {
            return when(new Condition.AtLeast(k, Arrays.asList(conditions)));
        }

        /** The top-level combination: an {@code AnyOf}, {@code AllOf} or {@code AtLeast}. */
        public Builder when(Condition trigger) {
            this.trigger = trigger;
            return this;
        }

        /** The conditions must fire in {@code n} consecutive windows. */
        public Builder consecutive(int n) {
            return hysteresis(n, n);
        }

        /** The conditions must fire in {@code required} of the last {@code of} windows (this one included). */
        public Builder hysteresis(int required, int of) {
            this.hysteresis = Optional.of(new Guards.Hysteresis(required, of));
            return this;
        }

        /** The first {@code windows} windows of a model cannot retrain. */
        public Builder warmUp(int windows) {
            this.warmUp = Optional.of(new Guards.WarmUp(windows));
            return this;
        }

        /** Between retrains at least {@code minTime} and {@code minRows} new rows. */
        public Builder cooldown(Duration minTime, long minRows) {
            this.cooldown = Optional.of(new Guards.Cooldown(minTime, minRows));
            return this;
        }

        /** At most {@code max} retrains in any {@code period}. */
        public Builder budget(int max, Duration period) {
            this.budget = Optional.of(new Guards.Budget(max, period));
            return this;
        }

        /** After failed retrains wait {@code initial * multiplier^(failures - 1)}, at most {@code max}. */
        public Builder backoff(Duration initial, double multiplier, Duration max) {
            this.backoff = Optional.of(new Guards.Backoff(initial, multiplier, max));
            return this;
        }

        /** Retrain only inside these windows of local time in {@code zone}. */
        public Builder allowedTimes(ZoneId zone, Guards.TimeWindow... windows) {
            this.allowed = Optional.of(new Guards.AllowedTimes(zone, Arrays.asList(windows)));
            return this;
        }

        /** A person must approve each retrain. */
        public Builder approval(boolean required) {
            this.approval = required;
            return this;
        }

        /** @throws InvalidArgumentException naming the path of the first bad field */
        public RetrainingPolicy build() {
            return new RetrainingPolicy(name, version, description, trigger,
                    new Guards(hysteresis, warmUp, cooldown, budget, backoff, allowed, approval));
        }
    }
}
