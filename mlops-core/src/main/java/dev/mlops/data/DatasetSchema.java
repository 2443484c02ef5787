package dev.mlops.data;

import java.util.List;
import java.util.Optional;

/**
 * The columns of a tabular dataset, in file order.
 *
 * @param columns the columns, names unique
 */
public record DatasetSchema(List<Column> columns) {
    public DatasetSchema {
        columns = List.copyOf(columns);
    }

    public Optional<Column> column(String name) {
        return columns.stream().filter(c -> c.name().equals(name)).findFirst();
    }
}
