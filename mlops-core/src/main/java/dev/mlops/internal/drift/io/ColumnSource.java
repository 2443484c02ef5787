package dev.mlops.internal.drift.io;

import java.io.Closeable;
import java.util.LinkedHashMap;

/**
 * A tabular file read column-wise in batches of rows: CSV ({@link CsvColumnReader}) or a JSON array of records
 * ({@link JsonRecordsColumnReader}). Columns that were not selected are skipped without being decoded or parsed.
 *
 * <p>Use: {@link #select} once, then call {@link #read} with one reused {@link ColumnBatch} until it returns false.
 * Errors are {@link dev.mlops.InvalidArgumentException}s naming the source and line ({@code field()} is
 * {@code SOURCE:LINE}); after one the source is unusable. Not thread-safe: one reader per thread.
 */
public interface ColumnSource extends Closeable {
    /** What the input is called in messages, usually its file name. */
    String source();

    /**
     * Chooses the columns to deliver, in the order of the map (the batch's column order), each with its mode.
     * Must be called once, before the first {@link #read}.
     *
     * @throws dev.mlops.InvalidArgumentException naming the column when the source cannot have it (a CSV header
     *         without that name), or when no column is selected
     */
    void select(LinkedHashMap<String, ColumnMode> columns);

    /**
     * Reads up to {@code batch.capacity()} rows into {@code batch}, replacing what it held.
     *
     * @return false when no row was left (then {@code batch.size()} is 0)
     */
    boolean read(ColumnBatch batch);

    /** Data rows delivered so far. */
    long rows();

    /** Bytes consumed from the input so far, for progress reports. */
    long bytesRead();

    /**
     * Bytes of the input that the rows delivered so far took (and what came before them), for estimating how many
     * rows a file holds; at most {@link #bytesRead()}.
     */
    default long position() {
        return bytesRead();
    }
}
