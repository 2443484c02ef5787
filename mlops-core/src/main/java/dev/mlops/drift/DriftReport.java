package dev.mlops.drift;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * A comparison of a current dataset with a reference: schema and quality checks first, then per column the method
 * results and the {@code auto} decision, then the dataset decision: the dataset drifts when
 * {@code drift_share = drifted_columns / decided_columns >= share_threshold}. {@link DriftReportJson} writes it as
 * {@code cli-contract.md}'s {@code drift} JSON. Immutable.
 *
 * @param referenceRows   rows in the reference
 * @param currentRows     rows in the current data
 * @param alpha           significance level before correction
 * @param correction      the correction for many columns
 * @param checks          schema and quality findings
 * @param columns         compared columns, reference order first, then those only in the current data
 * @param skipped         columns on one side only, not compared
 * @param decidedColumns  columns in the decision (with a decision and no error)
 * @param driftedColumns  those among them that drift
 * @param driftShare      {@code drifted / decided}, empty when no column was decided (then {@link #note()} says so)
 * @param shareThreshold  the share at which the dataset drifts
 * @param datasetDrift    whether the dataset drifts
 * @param note            why {@code driftShare} is empty
 */
public record DriftReport(long referenceRows, long currentRows, double alpha, Correction correction,
        List<QualityCheck> checks, List<ColumnReport> columns, List<SkippedColumn> skipped, int decidedColumns,
        int driftedColumns, OptionalDouble driftShare, double shareThreshold, boolean datasetDrift,
        Optional<String> note) {
    public DriftReport {
        Objects.requireNonNull(correction, "correction");
        checks = List.copyOf(checks);
        columns = List.copyOf(columns);
        skipped = List.copyOf(skipped);
        Objects.requireNonNull(driftShare, "driftShare");
        Objects.requireNonNull(note, "note");
    }

    /** The column report with this name, if compared. */
    public Optional<ColumnReport> column(String name) {
        return columns.stream().filter(c -> c.name().equals(name)).findFirst();
    }
}
