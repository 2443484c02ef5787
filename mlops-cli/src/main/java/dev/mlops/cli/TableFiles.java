package dev.mlops.cli;

import dev.mlops.InvalidArgumentException;
import dev.mlops.drift.ColumnType;
import dev.mlops.drift.ColumnValues;
import dev.mlops.internal.data.ColumnTyper;
import dev.mlops.internal.data.TabularInspector;
import dev.mlops.internal.drift.io.ColumnBatch;
import dev.mlops.internal.drift.io.ColumnMode;
import dev.mlops.internal.drift.io.ColumnSource;
import dev.mlops.internal.drift.io.CsvColumnReader;
import dev.mlops.internal.drift.io.JsonRecordsColumnReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Reads the data files of {@code mlops drift} and {@code mlops profile}: CSV with a header row, or a JSON array of
 * records (chosen by the first character that is not white space or a byte order mark: {@code [} or {@code {} means
 * JSON, anything else CSV), with the streaming column readers of {@code dev.mlops.internal.drift.io}.
 *
 * <p>Types, as {@code cli-contract.md} defines them: a column is numeric when every non-missing cell is a number,
 * datetime when every one is an ISO-8601 date or date-time (by {@link ColumnTyper#isDateTime}), otherwise categorical;
 * a column named in {@code categorical} is categorical whatever its cells. A column without any value is numeric (the
 * analysis reports it as having no values). Typing takes one pass over the file and loading a second, so the memory
 * held is the values of the loaded columns only. Errors are {@link InvalidArgumentException}s naming the option and
 * the file, or the file and line. Stateless; thread-safe.
 */
public final class TableFiles {
    /** Files at least this large get progress lines (one about every tenth of the file per pass). */
    public static final long PROGRESS_BYTES = 32L << 20;
    private static final int BATCH_ROWS = 8192;
    /** The size from which progress is reported; {@link #PROGRESS_BYTES} except in tests. */
    static volatile long progressBytes = PROGRESS_BYTES;

    private TableFiles() {
    }

    /** A file's columns and rows, loaded. */
    public record Table(Path file, long rows, List<String> names, Map<String, ColumnValues> columns) {
    }

    /** Whether {@code file} holds JSON (else CSV). */
    static boolean isJson(Path file, String option) {
        check(file, option);
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
            throw new InvalidArgumentException(option, option + " " + file + ": cannot read: " + e.getMessage(), e);
        }
    }

    private static void check(Path file, String option) {
        if (!Files.exists(file)) {
            throw new InvalidArgumentException(option, option + " " + file + " does not exist");
        }
        if (!Files.isRegularFile(file)) {
            throw new InvalidArgumentException(option, option + " " + file + " is not a file");
        }
    }

    private static ColumnSource open(Path file, String option) {
        return isJson(file, option) ? JsonRecordsColumnReader.open(file) : CsvColumnReader.open(file);
    }

    /** The column names of a file, in file order (a JSON file's keys in order of first appearance). */
    public static List<String> names(Path file, String option) {
        if (isJson(file, option)) {
            try (InputStream in = Files.newInputStream(file)) {
                List<String> names = new ArrayList<>();
                TabularInspector.jsonRecords(in, file.toString()).schema().columns().forEach(c -> names.add(c.name()));
                return names;
            } catch (IOException e) {
                throw new InvalidArgumentException(option, option + " " + file + ": cannot read: " + e.getMessage(), e);
            }
        }
        try (CsvColumnReader csv = CsvColumnReader.open(file)) {
            return csv.header();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The type of each of {@code columns} (names of the file), from one pass over the file.
     *
     * @param categorical names forced categorical
     * @param progress    receives progress lines for big files
     */
    public static Map<String, ColumnType> types(Path file, String option, List<String> columns,
            Set<String> categorical, Consumer<String> progress) {
        return types(file, option, columns, categorical, progress, null);
    }

    /**
     * As {@link #types(Path, String, List, Set, Consumer)}, and adds to {@code empty} (when not null) the columns
     * that are not forced categorical and have no value at all (every cell missing), whose type is then unknown.
     */
    public static Map<String, ColumnType> types(Path file, String option, List<String> columns,
            Set<String> categorical, Consumer<String> progress, Set<String> empty) {
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
        read(file, option, select, "typing", progress, batch -> {
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
            ColumnType t = !text[c] ? ColumnType.NUMERIC
                    : !number[c] && datetime[c] ? ColumnType.DATETIME : ColumnType.CATEGORICAL;
            types.put(name, t);
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

    /**
     * Reads {@code file}: the columns of {@code types} get their values; every other column of {@code allNames} gets
     * an empty placeholder (all rows missing) so that its name is known.
     */
    public static Table load(Path file, String option, List<String> allNames, Map<String, ColumnType> types,
            Consumer<String> progress) {
        LinkedHashMap<String, ColumnMode> select = new LinkedHashMap<>();
        types.forEach((name, t) -> select.put(name,
                t == ColumnType.CATEGORICAL ? ColumnMode.TEXT : ColumnMode.NUMERIC));
        boolean countOnly = select.isEmpty();
        if (countOnly) {
            if (allNames.isEmpty()) {
                return new Table(file, jsonRows(file, option), List.of(), Map.of());
            }
            select.put(allNames.get(0), ColumnMode.NUMERIC);
        }
        int n = select.size();
        ColumnType[] kinds = new ColumnType[n];
        DoubleList[] numbers = new DoubleList[n];
        List<List<String>> texts = new ArrayList<>();
        long[] missing = new long[n];
        int i = 0;
        for (String name : select.keySet()) {
            kinds[i] = countOnly ? ColumnType.NUMERIC : types.get(name);
            numbers[i] = new DoubleList();
            texts.add(new ArrayList<>());
            i++;
        }
        long rows = read(file, option, select, "reading", progress, batch -> {
            for (int c = 0; c < n; c++) {
                byte[] states = batch.states(c);
                double[] values = batch.values(c);
                String[] cells = batch.texts(c);
                for (int r = 0; r < batch.size(); r++) {
                    byte s = states[r];
                    if (s == ColumnBatch.MISSING) {
                        missing[c]++;
                    } else if (kinds[c] == ColumnType.CATEGORICAL) {
                        texts.get(c).add(cells[r]);
                    } else if (kinds[c] == ColumnType.DATETIME) {
                        numbers[c].add(epochSeconds(cells[r]));
                    } else {
                        numbers[c].add(values[r]);
                    }
                }
            }
        });
        Map<String, ColumnValues> columns = new LinkedHashMap<>();
        List<String> selected = new ArrayList<>(select.keySet());
        for (String name : allNames) {
            int c = selected.indexOf(name);
            if (countOnly || c < 0) {
                columns.put(name, ColumnValues.categorical(new String[0], rows));
            } else if (kinds[c] == ColumnType.CATEGORICAL) {
                columns.put(name, ColumnValues.categorical(texts.get(c).toArray(String[]::new), missing[c]));
            } else if (kinds[c] == ColumnType.DATETIME) {
                columns.put(name, ColumnValues.datetime(numbers[c].toArray(), missing[c]));
            } else {
                columns.put(name, ColumnValues.numeric(numbers[c].toArray(), missing[c]));
            }
        }
        return new Table(file, rows, List.copyOf(allNames), columns);
    }

    private static long jsonRows(Path file, String option) {
        try (InputStream in = Files.newInputStream(file)) {
            return TabularInspector.jsonRecords(in, file.toString()).rows();
        } catch (IOException e) {
            throw new InvalidArgumentException(option, option + " " + file + ": cannot read: " + e.getMessage(), e);
        }
    }

    /**
     * Reads the selected columns of a file batch by batch.
     *
     * @return the rows read
     */
    public static long read(Path file, String option, LinkedHashMap<String, ColumnMode> select, String what,
            Consumer<String> progress, Consumer<ColumnBatch> sink) {
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            throw new InvalidArgumentException(option, option + " " + file + ": cannot read: " + e.getMessage(), e);
        }
        long step = size >= progressBytes ? Math.max(1, size / 10) : Long.MAX_VALUE;
        long next = step;
        try (ColumnSource source = open(file, option)) {
            source.select(select);
            ColumnBatch batch = new ColumnBatch(BATCH_ROWS);
            while (source.read(batch)) {
                sink.accept(batch);
                if (source.bytesRead() >= next) {
                    progress.accept(String.format(Locale.ROOT, "%s %s: %d%% (%,d rows)", what, file,
                            Math.min(100, 100 * source.bytesRead() / size), source.rows()));
                    next = (source.bytesRead() / step + 1) * step;
                }
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
        java.time.Instant t = offset ? OffsetDateTime.parse(v, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant()
                : LocalDateTime.parse(v, DateTimeFormatter.ISO_LOCAL_DATE_TIME).toInstant(ZoneOffset.UTC);
        return t.getEpochSecond() + t.getNano() / 1e9;
    }

    /** Splits a comma-separated option value into trimmed, non-empty names. */
    public static List<String> list(String option, String value) {
        List<String> names = new ArrayList<>();
        if (value == null) {
            return names;
        }
        for (String part : value.split(",", -1)) {
            String p = part.strip();
            if (p.isEmpty()) {
                throw new InvalidArgumentException(option, option + " '" + value + "' has an empty name");
            }
            if (!names.contains(p)) {
                names.add(p);
            }
        }
        return names;
    }

    /** Names of {@code names} that are not in {@code known}. */
    static List<String> unknown(Collection<String> names, Collection<String> known) {
        return names.stream().filter(n -> !known.contains(n)).toList();
    }

    private static final class DoubleList {
        private double[] a = new double[1024];
        private int n;

        void add(double v) {
            if (n == a.length) {
                a = Arrays.copyOf(a, a.length * 2);
            }
            a[n++] = v;
        }

        double[] toArray() {
            return Arrays.copyOf(a, n);
        }
    }
}
