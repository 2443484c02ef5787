package dev.mlops.drift;

import dev.mlops.InvalidArgumentException;
import dev.mlops.internal.drift.io.ColumnBatch;
import dev.mlops.internal.drift.io.ColumnMode;
import dev.mlops.internal.drift.io.TableLoader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;

/**
 * Reads data files into columns for {@link DriftAnalyzer} and {@link DatasetProfiler}, as {@code mlops drift} and
 * {@code mlops profile} do: CSV with a header row (RFC 4180, UTF-8) or a JSON file holding one array of records
 * (chosen by the first character that is not white space or a byte order mark: {@code [} or {@code {} means JSON).
 *
 * <p>Types, as {@code cli-contract.md} defines them: a column is numeric when every non-missing cell is a number,
 * datetime when every one is an ISO-8601 date or date-time (held as seconds since the epoch, UTC), otherwise
 * categorical; a column named in {@link Options#categorical()} is categorical whatever its cells. Missing cells (empty,
 * {@code NA}, {@code NaN}, {@code null} in any case) are counted and left out. A file is typed and loaded in one pass;
 * only columns that turn out categorical although they were not forced are read a second time, alone, for their texts
 * (see {@code docs/drift.md}, "Input files"). A loaded column holds 8 bytes per numeric or datetime value.
 *
 * <p>Errors are {@link InvalidArgumentException}s whose field is the source's label (a file that does not exist or
 * cannot be read) or {@code FILE:LINE} (a malformed record). Stateless and thread-safe; the progress consumer may be
 * called from two threads at once by {@link #readPair}.
 */
public final class Tables {
    /** Files at least this large get progress lines by default (about one every tenth of the file). */
    public static final long PROGRESS_BYTES = 32L << 20;

    private Tables() {
    }

    /**
     * A file to read.
     *
     * @param file    the data file
     * @param label   what the file is called in error messages and in the exceptions' field, e.g. {@code reference}
     * @param columns the columns to load, in order (others of the file are listed with no values); null for all
     */
    public record Source(Path file, String label, List<String> columns) {
        public Source {
            Objects.requireNonNull(file, "file");
            Objects.requireNonNull(label, "label");
            columns = columns == null ? null : List.copyOf(columns);
        }

        /** Every column of {@code file}, called {@code label} in messages. */
        public static Source of(Path file, String label) {
            return new Source(file, label, null);
        }
    }

    /**
     * How to read.
     *
     * @param categorical   columns read as categorical whatever their cells
     * @param progress      receives progress lines ({@code "reading FILE: 40% (400,000 rows)"}) for big files
     * @param progressBytes the file size from which progress lines are sent, at least 1
     */
    public record Options(Set<String> categorical, Consumer<String> progress, long progressBytes) {
        public Options {
            categorical = Set.copyOf(Objects.requireNonNull(categorical, "categorical"));
            Objects.requireNonNull(progress, "progress");
            if (progressBytes < 1) {
                throw new InvalidArgumentException("progressBytes", "progressBytes must be at least 1, was "
                        + progressBytes);
            }
        }

        /** No forced categorical columns, no progress lines. */
        public static Options defaults() {
            return new Options(Set.of(), line -> { }, PROGRESS_BYTES);
        }

        public Options withCategorical(Set<String> names) {
            return new Options(names, progress, progressBytes);
        }

        /** Progress lines to {@code sink} for files of at least {@code fromBytes} bytes. */
        public Options withProgress(Consumer<String> sink, long fromBytes) {
            return new Options(categorical, sink, fromBytes);
        }
    }

    /**
     * A file's rows and columns, loaded.
     *
     * @param names   every column of the file, in file order
     * @param columns every column by name in file order: those asked for with their values, the others with none (all
     *                rows counted as missing)
     */
    public record Table(Path file, long rows, List<String> names, Map<String, ColumnValues> columns) {
        public Table {
            names = List.copyOf(names);
            columns = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(columns));
        }
    }

    /** A reference and a current table read together. */
    public record Pair(Table reference, Table current) {
    }

    /** The column names of a file, in file order (a JSON file's keys in order of first appearance). */
    public static List<String> names(Path file, String label) {
        return TableLoader.names(file, label);
    }

    /**
     * Reads a file.
     *
     * @throws InvalidArgumentException naming the label when a requested column is not in the file
     */
    public static Table read(Source source, Options options) {
        return load(source, options).table;
    }

    /**
     * Reads a reference and a current file, at the same time on two threads when the machine has two processors. A
     * column without any value on one side (and not forced categorical) takes the type the other side gives it, so
     * that an analysis reports it as having no values left rather than as a changed type. If both files are bad, the
     * reference's error is thrown.
     */
    public static Pair readPair(Source reference, Source current, Options options) {
        Loaded ref;
        Loaded cur;
        if (Runtime.getRuntime().availableProcessors() > 1) {
            CompletableFuture<Loaded> other = new CompletableFuture<>();
            Thread t = new Thread(() -> {
                try {
                    other.complete(load(reference, options));
                } catch (Throwable e) {
                    other.completeExceptionally(e);
                }
            }, "mlops-read-reference");
            t.setDaemon(true);
            t.start();
            Loaded mine = null;
            RuntimeException mineFailed = null;
            try {
                mine = load(current, options);
            } catch (RuntimeException e) {
                mineFailed = e;
            }
            try {
                ref = other.join();
            } catch (CompletionException e) {
                Throwable cause = e.getCause();
                if (cause instanceof RuntimeException re) {
                    throw re;
                }
                if (cause instanceof Error err) {
                    throw err;
                }
                throw new IllegalStateException(cause);
            }
            if (mineFailed != null) {
                throw mineFailed;
            }
            cur = mine;
        } else {
            ref = load(reference, options);
            cur = load(current, options);
        }
        Map<String, ColumnValues> refColumns = new LinkedHashMap<>(ref.table.columns());
        Map<String, ColumnValues> curColumns = new LinkedHashMap<>(cur.table.columns());
        for (String name : ref.empty) {
            ColumnValues other = curColumns.get(name);
            if (other != null && cur.loaded.contains(name) && !cur.empty.contains(name)) {
                refColumns.put(name, emptyOf(other.type(), refColumns.get(name).missing()));
            }
        }
        for (String name : cur.empty) {
            ColumnValues other = refColumns.get(name);
            if (other != null && ref.loaded.contains(name) && !ref.empty.contains(name)) {
                curColumns.put(name, emptyOf(other.type(), curColumns.get(name).missing()));
            }
        }
        return new Pair(new Table(ref.table.file(), ref.table.rows(), ref.table.names(), refColumns),
                new Table(cur.table.file(), cur.table.rows(), cur.table.names(), curColumns));
    }

    private static ColumnValues emptyOf(ColumnType type, long missing) {
        return switch (type) {
            case CATEGORICAL -> ColumnValues.categorical(new String[0], missing);
            case DATETIME -> ColumnValues.datetime(new double[0], missing);
            default -> ColumnValues.numeric(new double[0], missing);
        };
    }

    private record Loaded(Table table, Set<String> loaded, Set<String> empty) {
    }

    private static Loaded load(Source source, Options options) {
        List<String> all = TableLoader.names(source.file(), source.label());
        List<String> columns = source.columns() == null ? all : source.columns();
        for (String name : columns) {
            if (!all.contains(name)) {
                throw new InvalidArgumentException(source.label(), source.label() + " " + source.file()
                        + " has no column '" + name + "'");
            }
        }
        TableLoader.Loaded l = TableLoader.load(source.file(), source.label(), all, columns, options.categorical(),
                options.progress(), options.progressBytes());
        return new Loaded(new Table(source.file(), l.rows(), all, l.columns()), Set.copyOf(columns), l.empty());
    }

    /**
     * Profiles the columns of a file with {@link DatasetProfiler}: one pass to type the columns and one to profile
     * them, holding no values (numeric and datetime columns are profiled as numbers, datetimes in seconds since the
     * epoch; categorical ones by their texts).
     */
    public static DatasetProfile profile(Source source, Options options) {
        return profileTyped(source, options).profile();
    }

    /**
     * A file's profile with the type each column was read as (numeric, datetime or categorical, as
     * {@code cli-contract.md} defines them; datetime columns are profiled as seconds since the epoch, so their profile
     * alone does not say they were dates).
     */
    public record TypedProfile(DatasetProfile profile, Map<String, ColumnType> types) {
        public TypedProfile {
            Objects.requireNonNull(profile, "profile");
            types = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(types));
        }
    }

    /** As {@link #profile}, with the type of each column. */
    public static TypedProfile profileTyped(Source source, Options options) {
        List<String> all = TableLoader.names(source.file(), source.label());
        List<String> names = source.columns() == null ? all : source.columns();
        Map<String, ColumnType> types = TableLoader.types(source.file(), source.label(), names,
                options.categorical(), options.progress(), options.progressBytes(), null);
        DatasetProfiler.Builder builder = DatasetProfiler.builder();
        LinkedHashMap<String, ColumnMode> select = new LinkedHashMap<>();
        types.forEach((name, type) -> {
            if (type == ColumnType.CATEGORICAL) {
                builder.categorical(name);
                select.put(name, ColumnMode.TEXT);
            } else {
                builder.numeric(name);
                select.put(name, ColumnMode.NUMERIC);
            }
        });
        DatasetProfiler profiler = builder.build();
        ColumnType[] kinds = types.values().toArray(ColumnType[]::new);
        List<ColumnProfiler> columns = new ArrayList<>();
        for (String name : types.keySet()) {
            columns.add(profiler.column(name));
        }
        TableLoader.read(source.file(), source.label(), select, "profiling", options.progress(),
                options.progressBytes(), batch -> {
                    for (int c = 0; c < kinds.length; c++) {
                        byte[] states = batch.states(c);
                        double[] values = batch.values(c);
                        String[] texts = batch.texts(c);
                        ColumnProfiler p = columns.get(c);
                        for (int r = 0; r < batch.size(); r++) {
                            if (states[r] == ColumnBatch.MISSING) {
                                p.addMissing();
                            } else if (kinds[c] == ColumnType.CATEGORICAL) {
                                p.add(texts[r]);
                            } else if (kinds[c] == ColumnType.DATETIME) {
                                p.add(TableLoader.epochSeconds(texts[r]));
                            } else {
                                p.add(values[r]);
                            }
                        }
                    }
                });
        return new TypedProfile(profiler.toProfile(), types);
    }

    /**
     * An ISO-8601 date or date-time as this class reads it, in seconds since the epoch: a date at midnight UTC, a
     * date-time without offset as UTC.
     *
     * @throws java.time.DateTimeException when it is not one
     */
    public static double epochSeconds(String value) {
        return TableLoader.epochSeconds(value);
    }
}
