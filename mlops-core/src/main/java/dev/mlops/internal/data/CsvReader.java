package dev.mlops.internal.data;

import dev.mlops.InvalidArgumentException;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;

/**
 * A streaming reader of CSV text as RFC 4180 defines it, with a header row. Records are read one at a time, so memory
 * is bounded by the longest record, not the file.
 *
 * <p>The dialect: fields are separated by commas; records end with CRLF, LF or a lone CR, and the last one may end
 * at the end of the input. A field that starts with a double quote is quoted: it ends at the next quote not doubled,
 * may hold commas, line breaks (kept as they are) and {@code ""} for one quote, and must be followed by a comma, a line
 * break or the end of the input. A quote inside an unquoted field is kept as an ordinary character. Lines with no
 * character at all between records are skipped. Fields are not trimmed. A UTF-8 byte order mark at the start is
 * skipped. Every data record must have as many fields as the header.
 *
 * <p>Errors are {@link InvalidArgumentException}s whose message names the source and the physical line (1-based)
 * where the record starts, or where an unterminated quote opens; {@link InvalidArgumentException#field()} is
 * {@code SOURCE:LINE}. Reading failures of the underlying input are reported the same way.
 *
 * <p>Not thread-safe: one reader per thread.
 */
public final class CsvReader implements Closeable {
    /** The longest field, in characters. */
    public static final int MAX_FIELD_CHARS = 16 * 1024 * 1024;
    /** The most fields a record may have. */
    public static final int MAX_FIELDS = 65_536;

    private static final int EOF = -1;

    private final Reader in;
    private final String source;
    private final char[] buffer = new char[Digests.BUFFER_SIZE];
    private int pos;
    private int limit;
    private long line = 1;
    private boolean started;
    private List<String> header;
    private long recordLine;
    private final StringBuilder field = new StringBuilder();

    /** A data record and the physical line (1-based) where it starts. */
    public record Record(long line, List<String> fields) {
        public Record {
            fields = List.copyOf(fields);
        }
    }

    /**
     * Reads CSV text from {@code in}.
     *
     * @param in     the text, closed by {@link #close()}
     * @param source what to call the input in messages, for example its file name
     */
    public CsvReader(Reader in, String source) {
        this.in = Objects.requireNonNull(in, "in");
        this.source = Objects.requireNonNull(source, "source");
    }

    /** Reads UTF-8 CSV from {@code in} (closed by {@link #close()}); bytes that are not UTF-8 are an error. */
    public static CsvReader utf8(InputStream in, String source) {
        return new CsvReader(new InputStreamReader(in, StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)), source);
    }

    /**
     * The column names from the header row, read on the first call.
     *
     * @throws InvalidArgumentException when the input holds no header row
     */
    public List<String> header() {
        if (header == null) {
            List<String> fields = readRecord();
            if (fields == null) {
                throw new InvalidArgumentException(source, source + " is empty: a CSV file needs a header row");
            }
            header = List.copyOf(fields);
        }
        return header;
    }

    /**
     * The next data record, or null at the end of the input. Reads the header first if needed.
     *
     * @throws InvalidArgumentException naming the line when the record is malformed or has a different number of
     *         fields than the header
     */
    public Record next() {
        int expected = header().size();
        List<String> fields = readRecord();
        if (fields == null) {
            return null;
        }
        if (fields.size() != expected) {
            throw error(recordLine, "record has " + fields.size() + (fields.size() == 1 ? " field" : " fields")
                    + ", expected " + expected + " as in the header");
        }
        return new Record(recordLine, fields);
    }

    /** The remaining data records as an iterator (which may throw what {@link #next()} throws). */
    public Iterator<Record> records() {
        return new Iterator<>() {
            private Record ahead;

            @Override
            public boolean hasNext() {
                if (ahead == null) {
                    ahead = CsvReader.this.next();
                }
                return ahead != null;
            }

            @Override
            public Record next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                Record r = ahead;
                ahead = null;
                return r;
            }
        };
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    /** The fields of the next record, or null at the end; sets {@link #recordLine}. */
    private List<String> readRecord() {
        if (!started) {
            started = true;
            if (peek() == '\uFEFF') {
                pos++;
            }
        }
        // Skip empty lines between records.
        while (true) {
            int c = peek();
            if (c == EOF) {
                return null;
            }
            if (c == '\n' || c == '\r') {
                consumeLineBreak();
            } else {
                break;
            }
        }
        recordLine = line;
        List<String> fields = new ArrayList<>();
        while (true) {
            field.setLength(0);
            int c = peek();
            if (c == '"') {
                pos++;
                readQuoted();
                c = peek();
                if (c != ',' && c != '\n' && c != '\r' && c != EOF) {
                    throw error(line, "unexpected '" + (char) c + "' after the closing quote of a quoted field (write a"
                            + " quote inside a quoted field as \"\")");
                }
            } else {
                while (c != ',' && c != '\n' && c != '\r' && c != EOF) {
                    append((char) c);
                    pos++;
                    c = peek();
                }
            }
            if (fields.size() == MAX_FIELDS) {
                throw error(recordLine, "record has more than " + MAX_FIELDS + " fields");
            }
            fields.add(field.toString());
            if (c == ',') {
                pos++;
            } else {
                if (c != EOF) {
                    consumeLineBreak();
                }
                return fields;
            }
        }
    }

    /** Reads a quoted field after its opening quote, up to and including the closing quote. */
    private void readQuoted() {
        long opened = line;
        while (true) {
            int c = peek();
            if (c == EOF) {
                throw error(opened, "a quoted field opens here and is never closed");
            }
            pos++;
            if (c == '"') {
                if (peek() == '"') {
                    pos++;
                    append('"');
                } else {
                    return;
                }
            } else {
                if (c == '\n' || (c == '\r' && peek() != '\n')) {
                    line++;
                }
                append((char) c);
            }
        }
    }

    private void consumeLineBreak() {
        int c = peek();
        pos++;
        if (c == '\r' && peek() == '\n') {
            pos++;
        }
        line++;
    }

    private void append(char c) {
        if (field.length() == MAX_FIELD_CHARS) {
            throw error(recordLine, "record has a field longer than " + MAX_FIELD_CHARS + " characters");
        }
        field.append(c);
    }

    private int peek() {
        if (pos < limit) {
            return buffer[pos];
        }
        try {
            int n;
            do {
                n = in.read(buffer, 0, buffer.length);
            } while (n == 0);
            if (n < 0) {
                pos = 0;
                limit = 0;
                return EOF;
            }
            pos = 0;
            limit = n;
            return buffer[0];
        } catch (CharacterCodingException e) {
            // The decoder reads ahead of the parser, so the bad bytes are somewhere from this line on.
            throw new InvalidArgumentException(source + ":" + line, source + ": not valid UTF-8 at or after line " + line);
        } catch (IOException e) {
            throw new InvalidArgumentException(source, "cannot read " + source + ": " + e.getMessage(), e);
        }
    }

    private InvalidArgumentException error(long at, String what) {
        return new InvalidArgumentException(source + ":" + at, source + " line " + at + ": " + what);
    }
}
