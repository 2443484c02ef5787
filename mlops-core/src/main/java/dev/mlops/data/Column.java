package dev.mlops.data;

import java.util.Objects;

/**
 * A column of a tabular dataset.
 *
 * @param name the column name from the header (CSV) or the record keys (JSON)
 * @param type the inferred type
 */
public record Column(String name, ColumnType type) {
    public Column {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(type, "type");
    }
}
