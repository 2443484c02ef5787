package dev.mlops.internal.policy;

import dev.mlops.InvalidArgumentException;
import dev.mlops.drift.ColumnValues;
import dev.mlops.internal.Validate;
import dev.mlops.internal.data.CsvReader;
import dev.mlops.policy.HistoryCsv;
import dev.mlops.policy.Observation;
import java.io.InputStream;
import java.io.Reader;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.time.temporal.IsoFields;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The reading behind {@link HistoryCsv}. Stateless. */
public final class HistoryCsvReader {
    private HistoryCsvReader() {
    }

    /** One data row, parsed; {@code version} is null without a model-version column. */
    private record Row(long line, Instant time, String label, String prediction, String[] features,
            String version) {
    }

    /** Reads UTF-8 bytes. */
    public static List<Observation> read(HistoryCsv.Settings s, InputStream in, String source) {
        try (CsvReader csv = CsvReader.utf8(in, source)) {
            return read(s, csv, source);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Reads text. */
    public static List<Observation> read(HistoryCsv.Settings s, Reader in, String source) {
        try (CsvReader csv = new CsvReader(in, source)) {
            return read(s, csv, source);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static List<Observation> read(HistoryCsv.Settings s, CsvReader csv, String source) {
        List<String> header = csv.header();
        int ts = column(header, s.timestamp(), source);
        int label = column(header, s.label(), source);
        int prediction = column(header, s.prediction(), source);
        List<String> featureNames = new ArrayList<>(s.features());
        featureNames.addAll(s.categorical());
        int[] features = new int[featureNames.size()];
        for (int i = 0; i < features.length; i++) {
            features[i] = column(header, featureNames.get(i), source);
        }
        int version = s.modelVersion().isPresent() ? column(header, s.modelVersion().get(), source) : -1;
        List<Row> reference = new ArrayList<>();
        List<Row> rows = new ArrayList<>();
        Instant previous = null;
        for (CsvReader.Record r = csv.next(); r != null; r = csv.next()) {
            String where = source + ":" + r.line();
            Instant time = time(r.fields().get(ts), s, where);
            if (previous != null && time.isBefore(previous)) {
                throw new InvalidArgumentException(where, where + ": " + s.timestamp() + " " + time
                        + " is before the previous row's " + previous + "; the file must be in time order");
            }
            previous = time;
            String[] f = new String[features.length];
            for (int i = 0; i < f.length; i++) {
                f[i] = r.fields().get(features[i]);
            }
            Row row = new Row(r.line(), time, nonEmpty(r.fields().get(label), s.label(), where),
                    nonEmpty(r.fields().get(prediction), s.prediction(), where), f,
                    version < 0 ? null : version(r.fields().get(version), s.modelVersion().get(), where));
            if (s.referenceBefore().isPresent() && time.isBefore(s.referenceBefore().get())) {
                reference.add(row);
            } else {
                rows.add(row);
            }
        }
        if (rows.isEmpty()) {
            throw new InvalidArgumentException(source, source + " has no data rows"
                    + (s.referenceBefore().isPresent() ? " at or after " + s.referenceBefore().get() : ""));
        }
        Map<String, ColumnValues> referenceValues = s.reference().orElse(null);
        Map<String, Double> baselines = new LinkedHashMap<>(s.baselines());
        if (s.referenceBefore().isPresent()) {
            if (reference.isEmpty()) {
                throw new InvalidArgumentException(source, source + " has no rows before "
                        + s.referenceBefore().get() + " for the reference");
            }
            referenceValues = columns(s, featureNames, reference, source);
            if (baselines.isEmpty()) {
                baselines.putAll(metrics(s, reference, source, new ArrayList<>()));
            }
        }
        List<Observation> out = new ArrayList<>();
        int start = 0;
        while (start < rows.size()) {
            int end = start + 1;
            String id;
            Instant time;
            if (s.window() == HistoryCsv.Window.ROWS) {
                end = Math.min(rows.size(), start + s.rowsPerWindow().getAsInt());
                id = "rows " + (reference.size() + start + 1) + "-" + (reference.size() + end);
                time = rows.get(end - 1).time();
            } else {
                ZonedDateTime periodStart = periodStart(rows.get(start).time(), s);
                ZonedDateTime next = switch (s.window()) {
                    case DAY -> periodStart.plusDays(1);
                    case WEEK -> periodStart.plusWeeks(1);
                    default -> periodStart.plusMonths(1);
                };
                while (end < rows.size() && rows.get(end).time().isBefore(next.toInstant())) {
                    end++;
                }
                id = switch (s.window()) {
                    case DAY -> periodStart.toLocalDate().toString();
                    case WEEK -> periodStart.get(IsoFields.WEEK_BASED_YEAR) + "-W"
                            + String.format("%02d", periodStart.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR));
                    default -> periodStart.toLocalDate().toString().substring(0, 7);
                };
                time = next.toInstant();
            }
            List<Row> window = rows.subList(start, end);
            List<Double> errors = new ArrayList<>();
            Observation.Builder b = Observation.builder(id, time, s.model()).rows(window.size());
            metrics(s, window, source, errors).forEach(b::metric);
            baselines.forEach(b::baseline);
            b.outcomes("error", errors);
            s.modelCreatedAt().ifPresent(b::modelCreatedAt);
            if (version >= 0) {
                b.modelVersion(windowVersion(window, id, s.modelVersion().get(), source));
            }
            if (referenceValues != null && !featureNames.isEmpty()) {
                b.drift(s.analyzer().analyze(referenceValues, columns(s, featureNames, window, source)));
            }
            out.add(b.build());
            start = end;
        }
        return out;
    }

    private static ZonedDateTime periodStart(Instant t, HistoryCsv.Settings s) {
        ZonedDateTime day = t.atZone(s.zone()).truncatedTo(ChronoUnit.DAYS);
        return switch (s.window()) {
            case DAY -> day;
            case WEEK -> day.with(TemporalAdjusters.previousOrSame(java.time.DayOfWeek.MONDAY));
            default -> day.withDayOfMonth(1);
        };
    }

    /** The metrics of rows, and their per-row errors appended to {@code errors}. */
    private static Map<String, Double> metrics(HistoryCsv.Settings s, List<Row> rows, String source,
            List<Double> errors) {
        Map<String, Double> out = new LinkedHashMap<>();
        if (s.task() == HistoryCsv.Task.CLASSIFICATION) {
            long wrong = 0;
            for (Row r : rows) {
                boolean w = !r.label().equals(r.prediction());
                wrong += w ? 1 : 0;
                errors.add(w ? 1.0 : 0.0);
            }
            out.put("accuracy", (rows.size() - wrong) / (double) rows.size());
            out.put("error_rate", wrong / (double) rows.size());
        } else {
            double abs = 0;
            double sq = 0;
            for (Row r : rows) {
                String where = source + ":" + r.line();
                double e = number(r.prediction(), s.prediction(), where) - number(r.label(), s.label(), where);
                abs += Math.abs(e);
                sq += e * e;
                errors.add(Math.abs(e));
            }
            out.put("mae", abs / rows.size());
            out.put("rmse", Math.sqrt(sq / rows.size()));
        }
        return out;
    }

    private static Map<String, ColumnValues> columns(HistoryCsv.Settings s, List<String> names, List<Row> rows,
            String source) {
        Map<String, ColumnValues> out = new LinkedHashMap<>();
        int numeric = s.features().size();
        for (int c = 0; c < names.size(); c++) {
            if (c < numeric) {
                double[] values = new double[rows.size()];
                int n = 0;
                for (Row r : rows) {
                    if (!r.features()[c].isEmpty()) {
                        values[n++] = number(r.features()[c], names.get(c), source + ":" + r.line());
                    }
                }
                out.put(names.get(c), ColumnValues.numeric(java.util.Arrays.copyOf(values, n), rows.size() - n));
            } else {
                String[] values = new String[rows.size()];
                int n = 0;
                for (Row r : rows) {
                    if (!r.features()[c].isEmpty()) {
                        values[n++] = r.features()[c];
                    }
                }
                out.put(names.get(c), ColumnValues.categorical(java.util.Arrays.copyOf(values, n), rows.size() - n));
            }
        }
        return out;
    }

    private static int column(List<String> header, String name, String source) {
        int i = header.indexOf(name);
        if (i < 0) {
            throw new InvalidArgumentException(name, source + " has no column '" + name + "'; its columns: "
                    + String.join(", ", header));
        }
        return i;
    }

    /** A row's model version: 1 to 250 characters, not blank, no tab or line break. */
    private static String version(String value, String column, String where) {
        try {
            return Validate.key(column, value);
        } catch (InvalidArgumentException e) {
            throw new InvalidArgumentException(where, where + ": " + e.getMessage());
        }
    }

    /** The model version every row of a window names. */
    private static String windowVersion(List<Row> window, String id, String column, String source) {
        Row first = window.get(0);
        for (Row r : window) {
            if (!r.version().equals(first.version())) {
                String where = source + ":" + r.line();
                throw new InvalidArgumentException(where, where + ": " + column + " '" + r.version()
                        + "' differs from '" + first.version() + "' (" + source + ":" + first.line()
                        + ") in the same window " + id + "; a window must be served by one model version, so"
                        + " windows should end where the version changes");
            }
        }
        return first.version();
    }

    private static String nonEmpty(String value, String column, String where) {
        if (value.isEmpty()) {
            throw new InvalidArgumentException(where, where + ": " + column + " is empty");
        }
        return value;
    }

    private static double number(String text, String column, String where) {
        try {
            double v = Double.parseDouble(text);
            if (Double.isFinite(v)) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new InvalidArgumentException(where, where + ": " + column + " '" + text + "' is not a finite number");
    }

    private static Instant time(String text, HistoryCsv.Settings s, String where) {
        try {
            if (text.length() == 10) {
                return LocalDate.parse(text).atStartOfDay(s.zone()).toInstant();
            }
            if (text.endsWith("Z")) {
                return Instant.parse(text);
            }
            try {
                return OffsetDateTime.parse(text).toInstant();
            } catch (DateTimeException e) {
                return LocalDateTime.parse(text).atZone(s.zone()).toInstant();
            }
        } catch (DateTimeException e) {
            throw new InvalidArgumentException(where, where + ": " + s.timestamp() + " '" + text
                    + "' is not an ISO-8601 date or time");
        }
    }
}
