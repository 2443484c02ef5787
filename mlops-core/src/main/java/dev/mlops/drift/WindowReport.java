package dev.mlops.drift;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The comparison of one closed {@link DriftMonitor} window with the reference profile. Immutable.
 *
 * @param sequence the window's number, from 0, in the order windows close (listeners see them in this order)
 * @param start    when the window opened (for time windows: its aligned start)
 * @param end      when it closed (for time windows: {@code start} plus the window duration)
 * @param rows     the rows the window holds: its profile's rows (rows lost to a failure inside the monitor,
 *                 {@link DriftMonitor#lostRows()}, are not among them)
 * @param checks   the quality checks that fired, reported first: per monitored column in the monitor's column order,
 *                 a jump in the share of missing values ({@link QualityCheck.Kind#MISSING_SHARE_JUMP}), values outside
 *                 the reference's range ({@link QualityCheck.Kind#OUT_OF_RANGE}, numeric) and categories the reference
 *                 never had ({@link QualityCheck.Kind#UNSEEN_CATEGORIES}, categorical), each with its numbers,
 *                 computed from the window profile and the reference profile (a monitor's columns are fixed, so the
 *                 column checks of {@link DriftReport} do not apply); empty when none fired
 * @param columns  one entry per monitored column, in the monitor's column order
 * @param profile  the window's profile (mergeable with others, serialisable)
 */
public record WindowReport(long sequence, Instant start, Instant end, long rows, List<QualityCheck> checks,
        List<WindowColumn> columns, DatasetProfile profile) {

    public WindowReport {
        checks = List.copyOf(checks);
        columns = List.copyOf(columns);
    }

    /** A report without quality checks. */
    public WindowReport(long sequence, Instant start, Instant end, long rows, List<WindowColumn> columns,
            DatasetProfile profile) {
        this(sequence, start, end, rows, List.of(), columns, profile);
    }

    /** Whether any column drifted (quality checks are reported beside the drift, not part of it). */
    public boolean drift() {
        for (WindowColumn c : columns) {
            if (c.drift()) {
                return true;
            }
        }
        return false;
    }

    /** The entry of one column; empty when the column is not monitored. */
    public Optional<WindowColumn> column(String name) {
        for (WindowColumn c : columns) {
            if (c.name().equals(name)) {
                return Optional.of(c);
            }
        }
        return Optional.empty();
    }
}
