package dev.mlops.internal.drift.io;

/** What a {@link ColumnSource} delivers for a selected column. */
public enum ColumnMode {
    /**
     * Each cell classified as a number, missing or text; numbers parsed into {@link ColumnBatch#values(int)}; the text
     * kept only for cells that are neither missing nor numbers (so a caller can report them or change its mind about
     * the column's type).
     */
    NUMERIC,
    /** As {@link #NUMERIC}, and the text of every non-missing cell is kept too (for categorical columns). */
    TEXT
}
