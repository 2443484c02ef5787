package dev.mlops.internal.drift.io;

import dev.mlops.InvalidArgumentException;
import dev.mlops.internal.Validate;
import java.io.IOException;
import java.io.InputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Reads UTF-8 CSV from bytes, column-wise into {@link ColumnBatch}es, streaming through one large buffer. The
 * dialect is that of {@link dev.mlops.internal.data.CsvReader} (RFC 4180): a header row; fields separated by commas;
 * records end with CRLF, LF or a lone CR, the last one possibly at the end of the input; a field starting with a
 * double quote is quoted, may hold commas and line breaks, writes a quote as {@code ""}, and must be followed by a
 * comma, a line break or the end; a quote inside an unquoted field is an ordinary character; lines with no character
 * at all between records are skipped; a UTF-8 byte order mark at the start is skipped; every record has as many fields
 * as the header, whose names must be unique.
 *
 * <p>Cells of selected columns are classified as {@link Cells} describes (white space around a value is ignored);
 * fields of other columns are only scanned for their end. Bytes that are not UTF-8 are an error in the header and in
 * the text of selected cells; fields of unselected columns are not decoded at all.
 *
 * <p>Errors are {@link InvalidArgumentException}s whose message names the source and the line (1-based) where the
 * record starts (or where an unterminated quote opens); {@code field()} is {@code SOURCE:LINE}. Not thread-safe.
 */
public final class CsvColumnReader implements ColumnSource {
    /** The default buffer size in bytes. */
    public static final int DEFAULT_BUFFER_BYTES = 1 << 20;
    /** The longest record in bytes (the buffer grows up to this for one record). */
    public static final int MAX_RECORD_BYTES = 64 << 20;
    /** The most fields a record may have. */
    public static final int MAX_FIELDS = 65_536;

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class,
            ByteOrder.LITTLE_ENDIAN);
    private static final int MORE = -1;
    private static final int END = 0;
    private static final int RECORD = 1;

    private final InputStream in;
    private final String source;
    private final Cells cells = new Cells();
    private byte[] buf;
    private int pos;
    private int limit;
    private boolean eof;
    private boolean started;
    private long line = 1;
    private long bytesRead;
    private long rows;

    private List<String> header;
    /** Per field of a record: its column in the batch, or -1 when not selected. */
    private int[] slots;
    private boolean[] keepText;
    private List<String> selectedNames;
    private List<ColumnMode> selectedModes;
    private byte[] unescaped = new byte[256];
    /** The header's fields while it is being parsed, else null. */
    private List<String> headerFields;
    private ColumnBatch target;

    /**
     * Reads from {@code in} (closed by {@link #close()}) with a buffer of {@code bufferBytes} bytes.
     *
     * @param source what to call the input in messages
     * @throws IllegalArgumentException when bufferBytes is below 16 or above {@link #MAX_RECORD_BYTES}
     */
    public CsvColumnReader(InputStream in, String source, int bufferBytes) {
        this.in = Objects.requireNonNull(in, "in");
        this.source = Objects.requireNonNull(source, "source");
        if (bufferBytes < 16 || bufferBytes > MAX_RECORD_BYTES) {
            throw new IllegalArgumentException("bufferBytes must be in [16, " + MAX_RECORD_BYTES + "], was "
                    + bufferBytes);
        }
        this.buf = new byte[bufferBytes];
    }

    /** Reads from {@code in} (closed by {@link #close()}) with a buffer of {@link #DEFAULT_BUFFER_BYTES}. */
    public CsvColumnReader(InputStream in, String source) {
        this(in, source, DEFAULT_BUFFER_BYTES);
    }

    /**
     * Opens a CSV file; the source in messages is the path as given.
     *
     * @throws InvalidArgumentException naming the path when it does not exist or cannot be read
     */
    public static CsvColumnReader open(Path file) {
        String name = file.toString();
        try {
            if (Files.isDirectory(file)) {
                throw new InvalidArgumentException(name, name + " is a directory, not a CSV file");
            }
            return new CsvColumnReader(Files.newInputStream(file), name);
        } catch (NoSuchFileException e) {
            throw new InvalidArgumentException(name, name + " does not exist");
        } catch (IOException e) {
            throw new InvalidArgumentException(name, "cannot read " + name + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String source() {
        return source;
    }

    /**
     * The column names from the header row, read on the first call.
     *
     * @throws InvalidArgumentException when the input is empty, the header is malformed or names a column twice
     */
    public List<String> header() {
        if (header == null) {
            headerFields = new ArrayList<>();
            int r;
            while ((r = parseRecord(0)) == MORE) {
                fill();
            }
            if (r == END) {
                throw new InvalidArgumentException(source, source + " is empty: a CSV file needs a header row");
            }
            List<String> names = List.copyOf(headerFields);
            headerFields = null;
            Map<String, Integer> seen = new HashMap<>();
            for (int i = 0; i < names.size(); i++) {
                String name = names.get(i);
                for (int k = 0; k < name.length(); k++) {
                    char ch = name.charAt(k);
                    if ((ch < 0x20 && ch != '\t') || ch == 0x7F) {
                        throw new InvalidArgumentException(source + ":1", source + " line 1: column " + (i + 1)
                                + " of the header holds the control character U+" + String.format("%04X", (int) ch)
                                + ": not a CSV file with a header row (binary data?)");
                    }
                }
                Integer before = seen.putIfAbsent(names.get(i), i);
                if (before != null) {
                    throw new InvalidArgumentException(source + ":1", source + " line 1: the header names column '"
                            + Validate.printable(names.get(i)) + "' twice (columns " + (before + 1) + " and " + (i + 1)
                            + "); column names must be unique");
                }
            }
            header = names;
        }
        return header;
    }

    @Override
    public void select(LinkedHashMap<String, ColumnMode> columns) {
        Objects.requireNonNull(columns, "columns");
        if (slots != null) {
            throw new IllegalStateException("columns of " + source + " were already selected");
        }
        if (columns.isEmpty()) {
            throw new InvalidArgumentException("columns", "select at least one column of " + source);
        }
        List<String> names = header();
        int[] s = new int[names.size()];
        Arrays.fill(s, -1);
        boolean[] keep = new boolean[columns.size()];
        List<String> selected = new ArrayList<>(columns.size());
        List<ColumnMode> modes = new ArrayList<>(columns.size());
        for (Map.Entry<String, ColumnMode> e : columns.entrySet()) {
            int at = names.indexOf(e.getKey());
            if (at < 0) {
                throw new InvalidArgumentException(e.getKey(), source + " has no column '"
                        + Validate.printable(e.getKey()) + "'");
            }
            s[at] = selected.size();
            keep[selected.size()] = Objects.requireNonNull(e.getValue(), "mode") == ColumnMode.TEXT;
            selected.add(e.getKey());
            modes.add(e.getValue());
        }
        slots = s;
        keepText = keep;
        selectedNames = List.copyOf(selected);
        selectedModes = List.copyOf(modes);
    }

    /** Selects every column of the header in {@code mode}. */
    public void selectAll(ColumnMode mode) {
        LinkedHashMap<String, ColumnMode> all = new LinkedHashMap<>();
        for (String name : header()) {
            all.put(name, mode);
        }
        select(all);
    }

    @Override
    public boolean read(ColumnBatch batch) {
        if (slots == null) {
            throw new IllegalStateException("select the columns of " + source + " before reading");
        }
        batch.configure(selectedNames, selectedModes);
        target = batch;
        int cap = batch.capacity();
        int row = 0;
        while (row < cap) {
            int r = parseRecord(row);
            if (r == MORE) {
                fill();
            } else if (r == END) {
                break;
            } else {
                row++;
            }
        }
        batch.setSize(row);
        rows += row;
        return row > 0;
    }

    @Override
    public long rows() {
        return rows;
    }

    @Override
    public long bytesRead() {
        return bytesRead;
    }

    @Override
    public long position() {
        return bytesRead - (limit - pos);
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    /**
     * Parses the record at {@link #pos} into row {@code row} of the target batch (or the header's fields).
     *
     * @return RECORD, END at the end of the input, or MORE when the buffer ends before the record does (nothing of
     *         the record is consumed then; the caller fills the buffer and calls again)
     */
    private int parseRecord(int row) {
        final byte[] b = buf;
        final int lim = limit;
        int p = pos;
        long ln = line;
        if (!started) {
            if (lim < 3 && !eof) {
                return MORE;
            }
            started = true;
            if (lim >= 3 && b[0] == (byte) 0xEF && b[1] == (byte) 0xBB && b[2] == (byte) 0xBF) {
                p += 3;
                pos = p;
            }
        }
        // Lines with no character between records.
        while (true) {
            if (p >= lim) {
                if (!eof) {
                    return MORE;
                }
                pos = p;
                line = ln;
                return END;
            }
            byte c = b[p];
            if (c == '\n') {
                p++;
                ln++;
            } else if (c == '\r') {
                if (p + 1 >= lim && !eof) {
                    return MORE;
                }
                p++;
                if (p < lim && b[p] == '\n') {
                    p++;
                }
                ln++;
            } else {
                break;
            }
            pos = p;
            line = ln;
        }
        final long recordLine = ln;
        final int[] sl = slots;
        final int fieldCount = header == null ? MAX_FIELDS : header.size();
        if (headerFields != null) {
            headerFields.clear();
        }
        int f = 0;
        while (true) {
            int slot = sl != null && f < sl.length ? sl[f] : -1;
            if (p >= lim && !eof) {
                return MORE;
            }
            if (p < lim && b[p] == '"') {
                long opened = ln;
                p++;
                int s = p;
                boolean escaped = false;
                while (true) {
                    if (p >= lim) {
                        if (!eof) {
                            return MORE;
                        }
                        throw error(opened, "a quoted field opens here and is never closed");
                    }
                    byte c = b[p];
                    if (c == '"') {
                        if (p + 1 >= lim && !eof) {
                            return MORE;
                        }
                        if (p + 1 < lim && b[p + 1] == '"') {
                            escaped = true;
                            p += 2;
                            continue;
                        }
                        break;
                    }
                    if (c == '\n') {
                        ln++;
                    } else if (c == '\r') {
                        if (p + 1 >= lim && !eof) {
                            return MORE;
                        }
                        if (p + 1 >= lim || b[p + 1] != '\n') {
                            ln++;
                        }
                    }
                    p++;
                }
                int e = p;
                p++;
                if (p >= lim && !eof) {
                    return MORE;
                }
                if (p < lim) {
                    byte c = b[p];
                    if (c != ',' && c != '\n' && c != '\r') {
                        throw error(ln, "unexpected " + describe(c) + " after the closing quote of a quoted field"
                                + " (write a quote inside a quoted field as \"\")");
                    }
                }
                if (slot >= 0 || headerFields != null) {
                    if (escaped) {
                        int n = unescape(b, s, e);
                        storeField(unescaped, 0, n, slot, row, recordLine, f);
                    } else {
                        storeField(b, s, e, slot, row, recordLine, f);
                    }
                }
            } else {
                int s = p;
                p = endOfUnquoted(b, p, lim);
                if (p >= lim && !eof) {
                    return MORE;
                }
                if (slot >= 0 || headerFields != null) {
                    storeField(b, s, p, slot, row, recordLine, f);
                }
            }
            f++;
            if (p < lim && b[p] == ',') {
                if (f == MAX_FIELDS) {
                    throw error(recordLine, "record has more than " + MAX_FIELDS + " fields");
                }
                p++;
                continue;
            }
            if (p < lim) {
                if (b[p] == '\r') {
                    if (p + 1 >= lim && !eof) {
                        return MORE;
                    }
                    p++;
                    if (p < lim && b[p] == '\n') {
                        p++;
                    }
                } else {
                    p++;
                }
                ln++;
            }
            break;
        }
        if (header != null && f != fieldCount) {
            throw error(recordLine, "record has " + f + (f == 1 ? " field" : " fields") + ", expected "
                    + fieldCount + " as in the header");
        }
        if (headerFields == null) {
            target.setLine(row, recordLine);
        }
        pos = p;
        line = ln;
        return RECORD;
    }

    private void storeField(byte[] b, int s, int e, int slot, int row, long recordLine, int field) {
        try {
            if (headerFields != null) {
                headerFields.add(cells.decode(b, s, e));
            } else {
                cells.store(b, s, e, target, slot, row, keepText[slot]);
            }
        } catch (Cells.NotUtf8 ex) {
            String what = headerFields != null ? "the header's field " + (field + 1)
                    : "column '" + Validate.printable(selectedNames.get(slot)) + "'";
            throw error(recordLine, "not valid UTF-8 in " + what);
        }
    }

    /**
     * The index of the first comma, CR or LF in {@code b[p, lim)}, or {@code lim}. Eight bytes at a time: a byte of
     * {@code x ^ pattern} is zero where {@code x} has the pattern's byte, and {@code (y - 0x01..) & ~y & 0x80..} sets
     * the top bit of the lowest zero byte of {@code y} (higher bytes may be flagged falsely only above a true one).
     */
    static int endOfUnquoted(byte[] b, int p, int lim) {
        while (p + 8 <= lim) {
            long x = (long) LONGS.get(b, p);
            long hits = zeroBytes(x ^ 0x2C2C2C2C2C2C2C2CL) | zeroBytes(x ^ 0x0A0A0A0A0A0A0A0AL)
                    | zeroBytes(x ^ 0x0D0D0D0D0D0D0D0DL);
            if (hits != 0) {
                return p + (Long.numberOfTrailingZeros(hits) >>> 3);
            }
            p += 8;
        }
        while (p < lim) {
            byte c = b[p];
            if (c == ',' || c == '\n' || c == '\r') {
                return p;
            }
            p++;
        }
        return p;
    }

    private static long zeroBytes(long y) {
        return (y - 0x0101010101010101L) & ~y & 0x8080808080808080L;
    }

    /** Copies {@code b[s, e)} into {@link #unescaped} with each {@code ""} made one quote; returns the length. */
    private int unescape(byte[] b, int s, int e) {
        if (unescaped.length < e - s) {
            unescaped = new byte[Math.max(e - s, 2 * unescaped.length)];
        }
        int n = 0;
        for (int i = s; i < e; i++) {
            byte c = b[i];
            unescaped[n++] = c;
            if (c == '"') {
                i++; // the second quote of the pair
            }
        }
        return n;
    }

    /** Moves the unconsumed bytes to the front, grows the buffer when one record fills it, and reads more. */
    private void fill() {
        if (pos > 0) {
            System.arraycopy(buf, pos, buf, 0, limit - pos);
            limit -= pos;
            pos = 0;
        }
        if (limit == buf.length) {
            if (buf.length >= MAX_RECORD_BYTES) {
                throw error(line, "record is longer than " + MAX_RECORD_BYTES + " bytes");
            }
            buf = Arrays.copyOf(buf, (int) Math.min(2L * buf.length, MAX_RECORD_BYTES));
        }
        try {
            int n;
            do {
                n = in.read(buf, limit, buf.length - limit);
            } while (n == 0);
            if (n < 0) {
                eof = true;
            } else {
                limit += n;
                bytesRead += n;
            }
        } catch (IOException e) {
            throw new InvalidArgumentException(source, "cannot read " + source + ": " + e.getMessage(), e);
        }
    }

    private static String describe(byte c) {
        return c >= 0x20 && c < 0x7F ? "'" + (char) c + "'" : String.format("byte 0x%02X", c & 0xFF);
    }

    private InvalidArgumentException error(long at, String what) {
        return new InvalidArgumentException(source + ":" + at, source + " line " + at + ": " + what);
    }
}
