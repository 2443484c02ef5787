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
 * @param rows     the rows the window holds
 * @param columns  one entry per monitored column, in the monitor's column order
 * @param profile  the window's profile (mergeable with others, serialisable)
 */
public record WindowReport(long sequence, Instant start, Instant end, long rows, List<WindowColumn> columns,
        DatasetProfile profile) {

    public WindowReport {
        columns = List.copyOf(columns);
    }

    /** Whether any column drifted. */
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
