package dev.mlops.drift;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One compared column: its type and counts, the results of the requested methods, and the {@code auto} decision.
 * A column that could not be tested (no values left, a name in only one side, a type that changed) has an
 * {@link #error()}, no results and no decision. A datetime or identifier-like column that was not named is reported
 * with its counts, its results, a {@link #note()} and no decision ({@link #inDecision()} false). Immutable.
 *
 * @param name             the column
 * @param type             its type (the reference's; the current's when the reference lacks it)
 * @param referenceMissing missing values in the reference, empty when the reference lacks the column
 * @param currentMissing   missing values in the current data, empty when it lacks the column
 * @param referenceCount   non-missing values in the reference (0 when it lacks the column)
 * @param currentCount     non-missing values in the current data (0 when it lacks the column)
 * @param identifierLike   text or integer values, nearly every one distinct, in the reference
 * @param inDecision       whether the column counts in the correction and the dataset decision
 * @param results          the requested methods' results, in the order requested
 * @param drift            the decision's verdict (false without a decision)
 * @param decision         the {@code auto} decision, empty for an error or a column left out of the decision
 * @param note             why the column is left out of the decision, or another caveat
 * @param error            why the column could not be tested
 */
public record ColumnReport(String name, Optional<ColumnType> type, OptionalLong referenceMissing,
        OptionalLong currentMissing, long referenceCount, long currentCount, boolean identifierLike,
        boolean inDecision, List<MethodResult> results, boolean drift, Optional<ColumnDecision> decision,
        Optional<String> note, Optional<String> error) {
    public ColumnReport {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(referenceMissing, "referenceMissing");
        Objects.requireNonNull(currentMissing, "currentMissing");
        results = List.copyOf(results);
        Objects.requireNonNull(decision, "decision");
        Objects.requireNonNull(note, "note");
        Objects.requireNonNull(error, "error");
        if (drift && decision.map(d -> !d.drift()).orElse(true)) {
            throw new IllegalArgumentException("drift needs a decision that drifts");
        }
    }
}
