package dev.mlops.drift;

import dev.mlops.InvalidArgumentException;
import java.util.Objects;

/**
 * One column of one side (reference or current) in memory: its non-missing values and how many were missing.
 * Numeric and datetime values are {@code double[]} (datetimes as seconds since the epoch, UTC), categorical values
 * {@code String[]}. The arrays are not copied: do not modify them while an analysis runs. Immutable otherwise,
 * thread-safe.
 */
public final class ColumnValues {
    private final ColumnType type;
    private final double[] numbers;
    private final String[] categories;
    private final long missing;

    private ColumnValues(ColumnType type, double[] numbers, String[] categories, long missing) {
        if (missing < 0) {
            throw new InvalidArgumentException("missing", "missing must be >= 0, was " + missing);
        }
        this.type = type;
        this.numbers = numbers;
        this.categories = categories;
        this.missing = missing;
    }

    /**
     * A numeric column.
     *
     * @param values  the non-missing values, each finite (checked when the column is analysed)
     * @param missing how many values were missing (empty, NA, NaN, null)
     */
    public static ColumnValues numeric(double[] values, long missing) {
        return new ColumnValues(ColumnType.NUMERIC, Objects.requireNonNull(values, "values"), null, missing);
    }

    /** A datetime column: the non-missing values in seconds since the epoch (UTC), and the missing count. */
    public static ColumnValues datetime(double[] epochSeconds, long missing) {
        return new ColumnValues(ColumnType.DATETIME, Objects.requireNonNull(epochSeconds, "epochSeconds"), null,
                missing);
    }

    /**
     * A categorical column: the non-missing values and the missing count.
     *
     * @throws InvalidArgumentException naming {@code values} when a value is null
     */
    public static ColumnValues categorical(String[] values, long missing) {
        Objects.requireNonNull(values, "values");
        for (int i = 0; i < values.length; i++) {
            if (values[i] == null) {
                throw new InvalidArgumentException("values", "categorical value " + i
                        + " is null; leave it out and count it as missing");
            }
        }
        return new ColumnValues(ColumnType.CATEGORICAL, null, values, missing);
    }

    public ColumnType type() {
        return type;
    }

    /** How many non-missing values there are. */
    public int count() {
        return numbers != null ? numbers.length : categories.length;
    }

    /** How many values were missing. */
    public long missing() {
        return missing;
    }

    /** All rows: {@link #count()} + {@link #missing()}. */
    public long rows() {
        return count() + missing;
    }

    /** The values of a numeric or datetime column (the array itself, not to be modified), else null. */
    public double[] numbers() {
        return numbers;
    }

    /** The values of a categorical column (the array itself, not to be modified), null otherwise. */
    public String[] categories() {
        return categories;
    }
}
