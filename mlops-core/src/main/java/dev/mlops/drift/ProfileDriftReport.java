package dev.mlops.drift;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * A comparison of a current profile with a reference profile ({@link DriftAnalyzer#analyze(DatasetProfile,
 * DatasetProfile, java.util.Set)}): per column the {@link ProfileComparison} results, each with its error bound, and
 * the decision by the rule of {@link DriftReport} (corrected significance and a minimum effect size), then the dataset
 * decision: the dataset drifts when {@code drift_share = drifted_columns / decided_columns >= share_threshold}.
 * {@link DriftReportJson#toJson(ProfileDriftReport)} writes it as JSON, {@link DriftReportHtml} as a page. See
 * docs/drift.md, "Drift from profiles". Immutable.
 *
 * @param referenceRows  rows of the reference profile
 * @param currentRows    rows of the current profile
 * @param alpha          significance level before correction
 * @param correction     the correction for many columns
 * @param columns        compared columns, in the order compared
 * @param skipped        columns of one profile only, or not requested, not compared
 * @param decidedColumns columns in the decision (with a decision)
 * @param driftedColumns those among them that drift
 * @param driftShare     {@code drifted / decided}, empty when no column was decided (then {@link #note()} says so)
 * @param shareThreshold the share at which the dataset drifts
 * @param datasetDrift   whether the dataset drifts
 * @param note           why {@code driftShare} is empty
 */
public record ProfileDriftReport(long referenceRows, long currentRows, double alpha, Correction correction,
        List<Column> columns, List<SkippedColumn> skipped, int decidedColumns, int driftedColumns,
        OptionalDouble driftShare, double shareThreshold, boolean datasetDrift, Optional<String> note) {
    public ProfileDriftReport {
        Objects.requireNonNull(correction, "correction");
        columns = List.copyOf(columns);
        skipped = List.copyOf(skipped);
        Objects.requireNonNull(driftShare, "driftShare");
        Objects.requireNonNull(note, "note");
    }

    /** The column with this name, if compared. */
    public Optional<Column> column(String name) {
        return columns.stream().filter(c -> c.name().equals(name)).findFirst();
    }

    /**
     * One compared column. A column that could not be compared (absent from a profile, or of another kind there) has
     * an {@link #error()}, no results and no decision. A column left out of the decision (a datetime or
     * identifier-like column that was not named, or one whose decision statistic is undefined because a side has no
     * values) has its results, a {@link #note()} and no decision. The decision's test and effect are {@code ks} for
     * numeric columns and {@code l_infinity} for categorical ones ({@link #decisionMethod()}); its effect size is the
     * method's {@code statistic - error_bound} (at least 0), the smallest raw-value effect the sketches allow.
     * Immutable.
     *
     * @param name           the column
     * @param kind           its kind (the reference's; the current's when the reference lacks it)
     * @param type           the contract's column type: {@link ColumnType#DATETIME} for a numeric column named
     *                       among the datetime columns, else the kind's
     * @param referenceMissing rows without a value in the reference profile ({@link ColumnProfile#missing()}),
     *                       empty when it lacks the column
     * @param currentMissing rows without a value in the current profile, empty when it lacks the column
     * @param referenceCount values described by the reference profile, empty when it lacks the column
     * @param currentCount   values described by the current profile, empty when it lacks the column
     * @param identifierLike categorical with nearly every reference value distinct (see {@link DriftAnalyzer})
     * @param inDecision     whether the column counts in the correction and the dataset decision
     * @param results        the shown methods' results
     * @param drift          the decision's verdict (false without a decision)
     * @param decision       the decision, empty for an error or a column left out of the decision
     * @param note           why the column is left out of the decision
     * @param error          why the column could not be compared
     */
    public record Column(String name, Optional<ProfileKind> kind, Optional<ColumnType> type,
            OptionalLong referenceMissing, OptionalLong currentMissing, OptionalLong referenceCount,
            OptionalLong currentCount, boolean identifierLike, boolean inDecision, List<ProfileMethodResult> results,
            boolean drift, Optional<ColumnDecision> decision, Optional<String> note, Optional<String> error) {
        public Column {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(referenceMissing, "referenceMissing");
            Objects.requireNonNull(currentMissing, "currentMissing");
            Objects.requireNonNull(referenceCount, "referenceCount");
            Objects.requireNonNull(currentCount, "currentCount");
            results = List.copyOf(results);
            Objects.requireNonNull(decision, "decision");
            Objects.requireNonNull(note, "note");
            Objects.requireNonNull(error, "error");
            if (drift && decision.map(d -> !d.drift()).orElse(true)) {
                throw new IllegalArgumentException("drift needs a decision that drifts");
            }
            if (inDecision != decision.isPresent()) {
                throw new IllegalArgumentException("a column is in the decision exactly when it has a decision");
            }
        }

        /** The method that decides the column: {@code ks} for numeric columns, {@code l_infinity} for categorical. */
        public Optional<DriftMethod> decisionMethod() {
            return kind.map(k -> k == ProfileKind.NUMERIC ? DriftMethod.KS : DriftMethod.L_INFINITY);
        }
    }
}
