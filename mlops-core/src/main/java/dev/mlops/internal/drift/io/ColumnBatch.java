package dev.mlops.internal.drift.io;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A batch of rows of the selected columns, filled by a {@link ColumnSource} and reused from one call to the next
 * (arrays are allocated once, to the capacity). Row {@code r} of column {@code c}: {@link #states(int)}{@code [r]} says
 * whether the cell is a {@link #NUMBER}, {@link #MISSING} or {@link #TEXT}; {@link #values(int)}{@code [r]} holds the
 * number, or NaN when the cell is not a number; {@link #texts(int)}{@code [r]} holds the cell's text (stripped of
 * white space) for TEXT cells, and in {@link ColumnMode#TEXT} columns also for NUMBER cells; it is null otherwise.
 * Only indexes below {@link #size()} are meaningful. Not thread-safe.
 */
public final class ColumnBatch {
    /** The cell is a number by {@link DecimalParser}'s grammar (finite or infinite). */
    public static final byte NUMBER = 0;
    /** The cell is missing: empty, {@code NA}, {@code NaN} or {@code null} in any case (after stripping), or absent. */
    public static final byte MISSING = 1;
    /** The cell is neither missing nor a number. */
    public static final byte TEXT = 2;

    private final int capacity;
    private int size;
    private List<String> names = List.of();
    private ColumnMode[] modes = new ColumnMode[0];
    private double[][] values = new double[0][];
    private byte[][] states = new byte[0][];
    private String[][] texts = new String[0][];
    private final long[] lines;

    /**
     * @param capacity the most rows one batch holds, at least 1
     * @throws IllegalArgumentException when capacity is below 1
     */
    public ColumnBatch(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, was " + capacity);
        }
        this.capacity = capacity;
        this.lines = new long[capacity];
    }

    /** Sets the columns (by a source); keeps the arrays when the columns are the same. */
    void configure(List<String> columnNames, List<ColumnMode> columnModes) {
        if (names.equals(columnNames) && Arrays.asList(modes).equals(columnModes)) {
            size = 0;
            return;
        }
        int n = columnNames.size();
        names = List.copyOf(columnNames);
        modes = columnModes.toArray(new ColumnMode[0]);
        values = new double[n][capacity];
        states = new byte[n][capacity];
        texts = new String[n][capacity];
        size = 0;
    }

    void setSize(int rows) {
        size = rows;
    }

    void setLine(int row, long line) {
        lines[row] = line;
    }

    /** Sets one cell; text may be null. */
    void set(int column, int row, byte state, double value, String text) {
        states[column][row] = state;
        values[column][row] = value;
        texts[column][row] = text;
    }

    public int capacity() {
        return capacity;
    }

    /** Rows in this batch. */
    public int size() {
        return size;
    }

    public int columnCount() {
        return names.size();
    }

    /** The selected column names, in batch order. */
    public List<String> names() {
        return names;
    }

    public String name(int column) {
        return names.get(column);
    }

    public ColumnMode mode(int column) {
        return modes[Objects.checkIndex(column, modes.length)];
    }

    /** The parsed numbers of a column (NaN where the state is not NUMBER); the array is the batch's own. */
    public double[] values(int column) {
        return values[column];
    }

    /** The cell states of a column; the array is the batch's own. */
    public byte[] states(int column) {
        return states[column];
    }

    /** The texts of a column (see the class comment); the array is the batch's own. */
    public String[] texts(int column) {
        return texts[column];
    }

    /** The 1-based line where row {@code row} starts in the file (a CSV record, or the JSON object's opening brace). */
    public long line(int row) {
        return lines[Objects.checkIndex(row, size)];
    }

    /** How many of this batch's cells of {@code column} have {@code state}. */
    public int count(int column, byte state) {
        byte[] s = states[column];
        int n = 0;
        for (int r = 0; r < size; r++) {
            if (s[r] == state) {
                n++;
            }
        }
        return n;
    }
}
