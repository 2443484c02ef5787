package dev.mlops.policy;

import dev.mlops.internal.policy.VerdictJson;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The verdict of a {@link PromotionGate}: every check with its numbers, and what happened to the alias. Immutable.
 *
 * @param model     the model
 * @param alias     the alias the candidate was to take
 * @param candidate the candidate's version number
 * @param champion  the version the alias pointed at when the gate evaluated, or null when it was not set
 * @param outcome   what happened
 * @param checks    every check, in order: registry rules, then each metric threshold in the gate's order (value,
 *                  absolute change, relative change), then the significance check
 * @param note      why the alias move failed ({@link Outcome#CONFLICT}), else null
 * @param time      when the gate decided (the {@code Mlops} clock)
 */
public record GateVerdict(String model, String alias, int candidate, Integer champion, Outcome outcome,
        List<GateCheck> checks, String note, Instant time) {

    /** What a gate concluded and did. */
    public enum Outcome {
        /** Every check passed; the gate only evaluated (nothing was moved). */
        PASSED,
        /** A check failed; the alias was left where it was. */
        FAILED,
        /** Every check passed and the alias now points at the candidate. */
        PROMOTED,
        /**
         * Every check passed but the alias was moved by someone else after the gate read it (or the registry refused
         * the move): it was left as that writer set it; {@link #note()} says why.
         */
        CONFLICT
    }

    public GateVerdict {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(alias, "alias");
        Objects.requireNonNull(outcome, "outcome");
        checks = List.copyOf(checks);
        Objects.requireNonNull(time, "time");
        boolean all = checks.stream().allMatch(GateCheck::passed);
        if (outcome == Outcome.FAILED && all) {
            throw new IllegalArgumentException("a FAILED verdict needs a failed check");
        }
        if (outcome != Outcome.FAILED && !all) {
            throw new IllegalArgumentException("a " + outcome + " verdict needs every check passed");
        }
        if ((outcome == Outcome.CONFLICT) != (note != null)) {
            throw new IllegalArgumentException("a note is given exactly for a CONFLICT verdict");
        }
    }

    /** Whether every check passed. */
    public boolean passed() {
        return outcome != Outcome.FAILED;
    }

    /** Whether the alias was moved to the candidate. */
    public boolean promoted() {
        return outcome == Outcome.PROMOTED;
    }

    /** The failed checks, in order. */
    public List<GateCheck> failedChecks() {
        return checks.stream().filter(c -> !c.passed()).toList();
    }

    /**
     * Why, in sentences: for a verdict that failed, the failed checks' details; for a conflict, the note and then every
     * check's detail; otherwise every check's detail.
     */
    public List<String> reasons() {
        List<String> out = new ArrayList<>();
        if (note != null) {
            out.add(note);
        }
        for (GateCheck c : outcome == Outcome.FAILED ? failedChecks() : checks) {
            out.add(c.detail());
        }
        return List.copyOf(out);
    }

    /**
     * The verdict as one JSON object with snake_case fields: {@code model}, {@code alias}, {@code candidate},
     * {@code champion}, {@code passed}, {@code promoted}, {@code outcome}, {@code time} (ISO-8601 UTC),
     * {@code reasons}, {@code note}, and {@code checks}, each with {@code name}, {@code kind}, {@code metric},
     * {@code passed}, {@code measured}, {@code threshold}, {@code numbers} and {@code detail}. A measured value that is
     * not finite is written as {@code null} with a {@code measured_note} ({@code "+Infinity"} or
     * {@code "-Infinity"}).
     */
    public String toJson() {
        return VerdictJson.toJson(this);
    }
}
