package dev.mlops.drift;

import dev.mlops.InvalidArgumentException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Builds a {@link DatasetProfile}: one {@link ColumnProfiler} per column, in the order declared. Feed each column
 * through {@link #column(String)} (column by column in bulk, or row by row); by {@link #toProfile()} every column
 * must have been given the same number of rows.
 *
 * <pre>{@code
 * DatasetProfiler p = DatasetProfiler.builder().numeric("temp").categorical("station").build();
 * p.column("temp").addAll(temps);
 * p.column("station").addAll(stations);
 * DatasetProfile profile = p.toProfile();
 * }</pre>
 *
 * <p>Not thread-safe: one profiler per thread or partition, then {@link DatasetProfile#merge}.
 */
public final class DatasetProfiler {
    private final Map<String, ColumnProfiler> columns;

    private DatasetProfiler(Map<String, ColumnProfiler> columns) {
        this.columns = columns;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * The profiler of a column.
     *
     * @throws InvalidArgumentException (field {@code column}) when there is no such column
     */
    public ColumnProfiler column(String name) {
        ColumnProfiler c = columns.get(name);
        if (c == null) {
            throw new InvalidArgumentException("column", "no column '" + name + "' was declared; the columns are "
                    + columns.keySet());
        }
        return c;
    }

    /** The column profilers, in order. */
    public List<ColumnProfiler> columns() {
        return List.copyOf(columns.values());
    }

    /**
     * The profile of everything added so far; the profiler may go on.
     *
     * @throws InvalidArgumentException (field {@code columns}) when the columns were given different numbers of rows
     */
    public DatasetProfile toProfile() {
        List<ColumnProfile> profiles = new ArrayList<>(columns.size());
        for (ColumnProfiler c : columns.values()) {
            profiles.add(c.toProfile());
        }
        return DatasetProfile.of(profiles);
    }

    /** Declares the columns. Not thread-safe. */
    public static final class Builder {
        private final Map<String, ProfileKind> kinds = new LinkedHashMap<>();
        private ProfileOptions options = ProfileOptions.defaults();

        private Builder() {
        }

        /** The options of every column (default {@link ProfileOptions#defaults()}). */
        public Builder options(ProfileOptions options) {
            this.options = Objects.requireNonNull(options, "options");
            return this;
        }

        public Builder numeric(String... names) {
            return add(ProfileKind.NUMERIC, names);
        }

        public Builder categorical(String... names) {
            return add(ProfileKind.CATEGORICAL, names);
        }

        private Builder add(ProfileKind kind, String... names) {
            for (String n : names) {
                ColumnProfiler.checkName(n);
                if (kinds.containsKey(n)) {
                    throw new InvalidArgumentException("name", "column '" + n + "' is declared twice");
                }
                kinds.put(n, kind);
            }
            return this;
        }

        /** @throws InvalidArgumentException (field {@code columns}) when no column was declared */
        public DatasetProfiler build() {
            if (kinds.isEmpty()) {
                throw new InvalidArgumentException("columns", "declare at least one column");
            }
            Map<String, ColumnProfiler> m = new LinkedHashMap<>();
            kinds.forEach((n, k) -> m.put(n, k == ProfileKind.NUMERIC ? ColumnProfiler.numeric(n, options)
                    : ColumnProfiler.categorical(n, options)));
            return new DatasetProfiler(m);
        }
    }
}
