package dev.mlops.data;

import java.util.List;

/**
 * How the schema of one dataset version differs from another's.
 *
 * @param added   columns only in the newer schema, in its order
 * @param removed columns only in the older schema, in its order
 * @param retyped columns in both whose type changed, in the newer schema's order
 */
public record SchemaDiff(List<Column> added, List<Column> removed, List<Retyped> retyped) {
    /** A column whose type changed. */
    public record Retyped(String name, ColumnType before, ColumnType after) {
    }

    public SchemaDiff {
        added = List.copyOf(added);
        removed = List.copyOf(removed);
        retyped = List.copyOf(retyped);
    }

    /** Whether the schemas have the same columns with the same types (order aside). */
    public boolean isEmpty() {
        return added.isEmpty() && removed.isEmpty() && retyped.isEmpty();
    }
}
