package dev.mlops.drift;

import dev.mlops.InvalidArgumentException;
import dev.mlops.internal.drift.ColumnState;
import java.util.Objects;

/**
 * Builds the profile of one column from its values, in bulk ({@link #addAll(double[], int, int)}) or one at a time.
 * Every call adds rows: a number, a NaN, an infinity, a category or a missing value is one row each. A numeric
 * profiler takes numbers, a categorical one takes strings (null is missing); the wrong kind is an
 * {@link InvalidArgumentException}.
 *
 * <p>Deterministic: the same values in the same order give the same profile, bit for bit, however they are split
 * into calls. {@link #toProfile()} may be called at any time and does not disturb the profiler.
 *
 * <p>Not thread-safe: use one profiler per thread (or per partition) and {@link ColumnProfile#merge} the profiles.
 */
public final class ColumnProfiler {
    /** Longest column name. */
    public static final int MAX_NAME = 1024;

    private final ColumnState state;

    private ColumnProfiler(ColumnState state) {
        this.state = state;
    }

    /** A profiler of numbers with the default options. */
    public static ColumnProfiler numeric(String name) {
        return numeric(name, ProfileOptions.defaults());
    }

    /** A profiler of numbers; {@code options.kllK()} sizes the quantile sketch. */
    public static ColumnProfiler numeric(String name, ProfileOptions options) {
        checkName(name);
        Objects.requireNonNull(options, "options");
        return new ColumnProfiler(ColumnState.numeric(name, options.kllK()));
    }

    /** A profiler of categories with the default options. */
    public static ColumnProfiler categorical(String name) {
        return categorical(name, ProfileOptions.defaults());
    }

    /** A profiler of categories; {@code options.categoryCap()} bounds the exact counts. */
    public static ColumnProfiler categorical(String name, ProfileOptions options) {
        checkName(name);
        Objects.requireNonNull(options, "options");
        return new ColumnProfiler(ColumnState.categorical(name, options.categoryCap()));
    }

    static void checkName(String name) {
        if (name == null || name.isEmpty()) {
            throw new InvalidArgumentException("name", "a column name is required (was "
                    + (name == null ? "null" : "empty") + ")");
        }
        if (name.length() > MAX_NAME) {
            throw new InvalidArgumentException("name", "a column name must be at most " + MAX_NAME
                    + " characters, was " + name.length());
        }
    }

    public String name() {
        return state.name();
    }

    public ProfileKind kind() {
        return state.isNumeric() ? ProfileKind.NUMERIC : ProfileKind.CATEGORICAL;
    }

    /** Adds one number (NaN and infinities are counted apart from the finite values). Numeric columns only. */
    public ColumnProfiler add(double value) {
        requireNumeric("add(double)");
        state.add(value);
        return this;
    }

    /** Adds every value of the array. Numeric columns only. */
    public ColumnProfiler addAll(double[] values) {
        Objects.requireNonNull(values, "values");
        return addAll(values, 0, values.length);
    }

    /**
     * Adds {@code values[from..to)}: the fast path (about 30 million values a second on one core of the project's
     * benchmark machine, see docs/benchmarks.md). Numeric columns only.
     *
     * @throws InvalidArgumentException when the range is not within the array
     */
    public ColumnProfiler addAll(double[] values, int from, int to) {
        requireNumeric("addAll(double[])");
        Objects.requireNonNull(values, "values");
        if (from < 0 || to > values.length || from > to) {
            throw new InvalidArgumentException("values", "range [" + from + ", " + to + ") is not within an array"
                    + " of length " + values.length);
        }
        state.addAll(values, from, to);
        return this;
    }

    /** Adds one category; null counts as missing. Categorical columns only. */
    public ColumnProfiler add(String category) {
        requireCategorical();
        state.add(category);
        return this;
    }

    /** Adds every category of the array (nulls count as missing). Categorical columns only. */
    public ColumnProfiler addAll(String[] categories) {
        requireCategorical();
        Objects.requireNonNull(categories, "categories");
        for (String c : categories) {
            state.add(c);
        }
        return this;
    }

    /** Adds {@code count} rows without a value. */
    public ColumnProfiler addMissing(long count) {
        if (count < 0) {
            throw new InvalidArgumentException("count", "count of missing values must be >= 0, was " + count);
        }
        state.addMissing(count);
        return this;
    }

    /** Adds one row without a value. */
    public ColumnProfiler addMissing() {
        return addMissing(1);
    }

    /** The profile of everything added so far. */
    public ColumnProfile toProfile() {
        return new ColumnProfile(state.snapshot());
    }

    private void requireNumeric(String method) {
        if (!state.isNumeric()) {
            throw new InvalidArgumentException(name(), "column '" + name() + "' is categorical: " + method
                    + " needs a numeric column; add(String) takes its values");
        }
    }

    private void requireCategorical() {
        if (state.isNumeric()) {
            throw new InvalidArgumentException(name(), "column '" + name() + "' is numeric: add(String) needs a"
                    + " categorical column; add(double) takes its values");
        }
    }

    @Override
    public String toString() {
        return "ColumnProfiler[" + name() + ", " + kind() + ", rows=" + state.rows() + "]";
    }
}
