package dev.mlops.drift;

import java.util.Objects;

/**
 * A column present on only one side and not named for comparison, listed but not compared. Immutable.
 *
 * @param name   the column
 * @param reason for example {@code "only in the reference"}
 */
public record SkippedColumn(String name, String reason) {
    public SkippedColumn {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(reason, "reason");
    }
}
