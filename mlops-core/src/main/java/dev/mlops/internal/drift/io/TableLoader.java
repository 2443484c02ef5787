package dev.mlops.internal.drift.io;

import dev.mlops.InvalidArgumentException;
import dev.mlops.drift.ColumnType;
import dev.mlops.drift.ColumnValues;
import dev.mlops.internal.data.ColumnTyper;
import dev.mlops.internal.data.TabularInspector;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * Reads data files (CSV with a header row, or a JSON array of records, told apart by the first character that is not
 * white space or a byte order mark: {@code [} or {@code {} means JSON) into typed columns, with the streaming column
 * readers of this package. The implementation of {@link dev.mlops.drift.Tables}.
 *
 * <p>Types, as {@code cli-contract.md} defines them: a column is numeric when every non-missing cell is a number,
 * datetime when every one is an ISO-8601 date or date-time ({@link ColumnTyper#isDateTime}), otherwise categorical;
 * a column named in {@code categorical} is categorical whatever its cells; a column without any value is numeric.
 *
 * <p>{@link #load} types and loads in one pass: each column starts as numbers (parsed into blocks of doubles as they
 * come) or datetimes (their epoch seconds), and the first cell that contradicts that (a text among numbers, a number
 * or a non-date text among datetimes) makes it categorical; only such columns are read again, alone, for their texts
 * (a cell's text is not kept while its column still looks numeric). So a file of numeric and datetime columns is read
 * once and a forced-categorical column needs no second pass. {@link #types} is the typing pass alone, for callers that
 * stream the values afterwards (profiles). Errors are {@link InvalidArgumentException}s naming the label and the file,
 * or the file and line. Stateless; thread-safe (each call has its own reader).
 */
public final class TableLoader {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class,
            ByteOrder.LITTLE_ENDIAN);

    /** Rows per batch. */
    public static final int BATCH_ROWS = 8192;

    private TableLoader() {
    }

    /** What {@link #load} returns: the rows, every column of the file, and the columns without any value. */
    public record Loaded(long rows, Map<String, ColumnValues> columns, Set<String> empty) {
    }

    /** Whether {@code file} holds JSON (else CSV). */
    public static boolean isJson(Path file, String label) {
        check(file, label);
        try (InputStream in = Files.newInputStream(file)) {
            int b;
            int index = 0;
            while ((b = in.read()) >= 0) {
                if (index < 3 && (b == 0xEF || b == 0xBB || b == 0xBF)) {
                    index++;
                    continue;
                }
                index = 3;
                if (b == ' ' || b == '\t' || b == '\r' || b == '\n') {
                    continue;
                }
                return b == '[' || b == '{';
            }
            return false;
        } catch (IOException e) {
            throw new InvalidArgumentException(label, label + " " + file + ": cannot read: " + e.getMessage(), e);
        }
    }

    private static void check(Path file, String label) {
        if (!Files.exists(file)) {
            throw new InvalidArgumentException(label, label + " " + file + " does not exist");
        }
        if (!Files.isRegularFile(file)) {
            throw new InvalidArgumentException(label, label + " " + file + " is not a file");
        }
    }

    private static ColumnSource open(Path file, String label) {
        return isJson(file, label) ? JsonRecordsColumnReader.open(file) : CsvColumnReader.open(file);
    }

    /** The column names of a file, in file order (a JSON file's keys in order of first appearance). */
    public static List<String> names(Path file, String label) {
        if (isJson(file, label)) {
            try (InputStream in = Files.newInputStream(file)) {
                List<String> names = new ArrayList<>();
                TabularInspector.jsonRecords(in, file.toString()).schema().columns().forEach(c -> names.add(c.name()));
                return names;
            } catch (IOException e) {
                throw new InvalidArgumentException(label, label + " " + file + ": cannot read: " + e.getMessage(), e);
            }
        }
        try (CsvColumnReader csv = CsvColumnReader.open(file)) {
            return csv.header();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The type of each of {@code columns} (names of the file), from one pass over the file; adds to {@code empty}
     * (when not null) the columns not forced categorical that have no value at all.
     */
    public static Map<String, ColumnType> types(Path file, String label, List<String> columns,
            Set<String> categorical, Consumer<String> progress, long progressBytes, Set<String> empty) {
        Map<String, ColumnType> types = new LinkedHashMap<>();
        LinkedHashMap<String, ColumnMode> select = new LinkedHashMap<>();
        for (String c : columns) {
            if (categorical.contains(c)) {
                types.put(c, ColumnType.CATEGORICAL);
            } else {
                select.put(c, ColumnMode.NUMERIC);
            }
        }
        if (select.isEmpty()) {
            return types;
        }
        int n = select.size();
        boolean[] text = new boolean[n];
        boolean[] number = new boolean[n];
        boolean[] datetime = new boolean[n];
        Arrays.fill(datetime, true);
        read(file, label, select, "typing", progress, progressBytes, batch -> {
            for (int c = 0; c < n; c++) {
                byte[] states = batch.states(c);
                String[] texts = batch.texts(c);
                for (int r = 0; r < batch.size(); r++) {
                    if (states[r] == ColumnBatch.NUMBER) {
                        number[c] = true;
                    } else if (states[r] == ColumnBatch.TEXT) {
                        text[c] = true;
                        if (datetime[c] && !ColumnTyper.isDateTime(texts[r])) {
                            datetime[c] = false;
                        }
                    }
                }
            }
        });
        int c = 0;
        for (String name : select.keySet()) {
            types.put(name, !text[c] ? ColumnType.NUMERIC
                    : !number[c] && datetime[c] ? ColumnType.DATETIME : ColumnType.CATEGORICAL);
            if (!text[c] && !number[c] && empty != null) {
                empty.add(name);
            }
            c++;
        }
        Map<String, ColumnType> ordered = new LinkedHashMap<>();
        for (String name : columns) {
            ordered.put(name, types.get(name));
        }
        return ordered;
    }

    /** Where a column stands in {@link #load}'s one pass. */
    private enum State {
        /** Only missing cells so far. */
        NONE,
        /** Numbers (and missing cells) so far. */
        NUMBERS,
        /** ISO-8601 dates or date-times (and missing cells) so far. */
        DATETIMES,
        /** Categorical: forced, or contradicted (then read again). */
        TEXTS
    }

    /** One selected column during {@link #load}. */
    private static final class Column {
        final String name;
        final boolean forced;
        State state;
        DoubleBlocks numbers = new DoubleBlocks();
        List<String> texts;
        long missing;
        /** A datetime {@link TableLoader#epochSeconds} could not convert; thrown if the column stays datetime. */
        RuntimeException deferred;
        boolean reread;

        Column(String name, boolean forced) {
            this.name = name;
            this.forced = forced;
            this.state = forced ? State.TEXTS : State.NONE;
            this.texts = forced ? new ArrayList<>() : null;
        }

        void contradicted() {
            state = State.TEXTS;
            reread = true;
            numbers = null;
            deferred = null;
        }

        void accept(ColumnBatch batch, int c) {
            int size = batch.size();
            byte[] states = batch.states(c);
            String[] cells = batch.texts(c);
            if (forced) {
                for (int r = 0; r < size; r++) {
                    if (states[r] == ColumnBatch.MISSING) {
                        missing++;
                    } else {
                        texts.add(cells[r]);
                    }
                }
                return;
            }
            if (reread) {
                return; // counted again when read again
            }
            double[] values = batch.values(c);
            for (int r = 0; r < size; r++) {
                byte s = states[r];
                if (s == ColumnBatch.MISSING) {
                    missing++;
                } else if (s == ColumnBatch.NUMBER) {
                    if (state == State.DATETIMES) {
                        contradicted();
                        return;
                    }
                    state = State.NUMBERS;
                    numbers.add(values[r]);
                } else {
                    if (state == State.NUMBERS || !ColumnTyper.isDateTime(cells[r])) {
                        contradicted();
                        return;
                    }
                    state = State.DATETIMES;
                    double t = Double.NaN;
                    if (deferred == null) {
                        try {
                            t = epochSeconds(cells[r]);
                        } catch (DateTimeException | IndexOutOfBoundsException e) {
                            deferred = e;
                        }
                    }
                    numbers.add(t);
                }
            }
        }

        ColumnValues values() {
            switch (state) {
                case TEXTS:
                    return ColumnValues.categorical(texts.toArray(String[]::new), missing);
                case DATETIMES:
                    if (deferred != null) {
                        throw deferred;
                    }
                    return ColumnValues.datetime(numbers.toArray(), missing);
                default:
                    return ColumnValues.numeric(numbers.toArray(), missing);
            }
        }
    }

    /**
     * Reads {@code file}: the columns named in {@code columns} get their values, typed; every other column of
     * {@code allNames} gets an empty categorical placeholder (all rows missing) so that its name is known.
     *
     * @param categorical names forced categorical
     * @param progress    receives progress lines for files of at least {@code progressBytes} bytes
     */
    public static Loaded load(Path file, String label, List<String> allNames, List<String> columns,
            Set<String> categorical, Consumer<String> progress, long progressBytes) {
        List<Column> selected = new ArrayList<>();
        LinkedHashMap<String, ColumnMode> select = new LinkedHashMap<>();
        for (String name : columns) {
            if (select.containsKey(name)) {
                continue;
            }
            boolean forced = categorical.contains(name);
            select.put(name, forced ? ColumnMode.TEXT : ColumnMode.NUMERIC);
            selected.add(new Column(name, forced));
        }
        long rows;
        if (select.isEmpty()) {
            if (allNames.isEmpty()) {
                rows = jsonRows(file, label);
            } else {
                select.put(allNames.get(0), ColumnMode.NUMERIC);
                rows = read(file, label, select, "reading", progress, progressBytes, batch -> { });
            }
        } else {
            int n = selected.size();
            long lines = isJson(file, label) ? -1 : recordsIfNoQuotedLineBreaks(file, label);
            rows = read(file, label, select, "reading", progress, progressBytes, batch -> {
                for (int c = 0; c < n; c++) {
                    selected.get(c).accept(batch, c);
                }
            }, expected -> {
                long reserve = lines >= 0 ? lines : expected;
                for (Column c : selected) {
                    if (c.numbers != null && !c.forced) {
                        c.numbers.reserve(reserve);
                    }
                }
            });
            List<Column> again = selected.stream().filter(c -> c.reread).toList();
            if (!again.isEmpty()) {
                LinkedHashMap<String, ColumnMode> text = new LinkedHashMap<>();
                for (Column c : again) {
                    c.texts = new ArrayList<>();
                    c.missing = 0;
                    text.put(c.name, ColumnMode.TEXT);
                }
                int m = again.size();
                read(file, label, text, "reading text columns of", progress, progressBytes, batch -> {
                    for (int c = 0; c < m; c++) {
                        byte[] states = batch.states(c);
                        String[] cells = batch.texts(c);
                        Column col = again.get(c);
                        for (int r = 0; r < batch.size(); r++) {
                            if (states[r] == ColumnBatch.MISSING) {
                                col.missing++;
                            } else {
                                col.texts.add(cells[r]);
                            }
                        }
                    }
                });
            }
        }
        Map<String, Column> byName = new LinkedHashMap<>();
        for (Column c : selected) {
            byName.put(c.name, c);
        }
        Map<String, ColumnValues> out = new LinkedHashMap<>();
        Set<String> empty = new HashSet<>();
        for (String name : allNames) {
            Column c = byName.get(name);
            if (c == null) {
                out.put(name, ColumnValues.categorical(new String[0], rows));
            } else {
                out.put(name, c.values());
                if (c.state == State.NONE) {
                    empty.add(name);
                }
            }
        }
        return new Loaded(rows, out, Set.copyOf(empty));
    }

    /**
     * The records of a CSV file when no field holds a line break and no line is empty: its line feeds (a lone CR
     * counts as none), minus the header, plus one when the last line has no line feed. A cheap scan of the bytes
     * before the real reading, so that the arrays of numeric columns can be made the right size at once (when the
     * guess is wrong the arrays are only copied once more; nothing else depends on it).
     */
    static long recordsIfNoQuotedLineBreaks(Path file, String label) {
        byte[] buf = new byte[1 << 20];
        long feeds = 0;
        int last = '\n';
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buf)) > 0; ) {
                feeds += lineFeeds(buf, n);
                last = buf[n - 1];
            }
        } catch (IOException e) {
            throw new InvalidArgumentException(label, label + " " + file + ": cannot read: " + e.getMessage(), e);
        }
        return Math.max(0, feeds - 1 + (last == '\n' ? 0 : 1));
    }

    /**
     * The line feeds in {@code b[0, n)}, eight bytes at a time: in {@code y = x ^ 0x0A..}, a byte is zero exactly where
     * {@code x} has a line feed, and {@code ~(((y & 0x7F..) + 0x7F..) | y | 0x7F..)} sets the top bit of exactly the
     * zero bytes of {@code y} (no carry crosses a byte).
     */
    static int lineFeeds(byte[] b, int n) {
        int count = 0;
        int i = 0;
        for (; i + 8 <= n; i += 8) {
            long y = (long) LONGS.get(b, i) ^ 0x0A0A0A0A0A0A0A0AL;
            long t = ((y & 0x7F7F7F7F7F7F7F7FL) + 0x7F7F7F7F7F7F7F7FL) | y | 0x7F7F7F7F7F7F7F7FL;
            count += Long.bitCount(~t);
        }
        for (; i < n; i++) {
            if (b[i] == '\n') {
                count++;
            }
        }
        return count;
    }

    /** The rows of a JSON records file. */
    public static long jsonRows(Path file, String label) {
        try (InputStream in = Files.newInputStream(file)) {
            return TabularInspector.jsonRecords(in, file.toString()).rows();
        } catch (IOException e) {
            throw new InvalidArgumentException(label, label + " " + file + ": cannot read: " + e.getMessage(), e);
        }
    }

    /**
     * Reads the selected columns of a file batch by batch, with a progress line about every tenth of a file of at
     * least {@code progressBytes} bytes ({@code "WHAT FILE: 40% (400,000 rows)"}, the last one at 100%).
     *
     * @return the rows read
     */
    public static long read(Path file, String label, LinkedHashMap<String, ColumnMode> select, String what,
            Consumer<String> progress, long progressBytes, Consumer<ColumnBatch> sink) {
        return read(file, label, select, what, progress, progressBytes, sink, rows -> { });
    }

    /**
     * As {@link #read(Path, String, LinkedHashMap, String, Consumer, long, Consumer)}, and tells {@code expectRows},
     * once after the first full batch of a file with more, how many rows the file probably has (from the bytes the
     * first batch took; a little more than that, so that it is rarely too few).
     */
    static long read(Path file, String label, LinkedHashMap<String, ColumnMode> select, String what,
            Consumer<String> progress, long progressBytes, Consumer<ColumnBatch> sink, LongConsumer expectRows) {
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            throw new InvalidArgumentException(label, label + " " + file + ": cannot read: " + e.getMessage(), e);
        }
        long step = size >= progressBytes ? Math.max(1, size / 10) : Long.MAX_VALUE;
        long next = step;
        long shown = -1;
        try (ColumnSource source = open(file, label)) {
            source.select(select);
            ColumnBatch batch = new ColumnBatch(BATCH_ROWS);
            boolean first = true;
            while (source.read(batch)) {
                long at = source.position();
                if (first) {
                    first = false;
                    if (batch.size() == batch.capacity() && at > 0 && at < size) {
                        expectRows.accept((long) Math.ceil(1.01 * batch.size() * ((double) size / at)) + 64);
                    }
                }
                sink.accept(batch);
                if (at >= next) {
                    shown = Math.min(100, 100 * at / size);
                    progress.accept(String.format(Locale.ROOT, "%s %s: %d%% (%,d rows)", what, file, shown,
                            source.rows()));
                    next = (at / step + 1) * step;
                }
            }
            if (step != Long.MAX_VALUE && shown < 100) {
                progress.accept(String.format(Locale.ROOT, "%s %s: 100%% (%,d rows)", what, file, source.rows()));
            }
            return source.rows();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A date or date-time that {@link ColumnTyper#isDateTime} accepts, in seconds since the epoch: a date at midnight
     * UTC, a date-time without offset as UTC.
     */
    public static double epochSeconds(String value) {
        String v = value.strip().toUpperCase(Locale.ROOT);
        if (v.length() == 10) {
            return LocalDate.parse(v, DateTimeFormatter.ISO_LOCAL_DATE).atStartOfDay().toEpochSecond(ZoneOffset.UTC);
        }
        if (v.charAt(10) == ' ') {
            v = v.substring(0, 10) + 'T' + v.substring(11);
        }
        boolean offset = v.endsWith("Z") || v.indexOf('+', 11) >= 0 || v.indexOf('-', 11) >= 0;
        Instant t = offset ? OffsetDateTime.parse(v, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant()
                : LocalDateTime.parse(v, DateTimeFormatter.ISO_LOCAL_DATE_TIME).toInstant(ZoneOffset.UTC);
        return t.getEpochSecond() + t.getNano() / 1e9;
    }
}
