package dev.mlops.policy;

import dev.mlops.InvalidArgumentException;
import dev.mlops.drift.ColumnValues;
import dev.mlops.drift.DriftAnalyzer;
import dev.mlops.internal.Validate;
import dev.mlops.internal.policy.HistoryCsvReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * Reads a time-ordered CSV file of predictions with their labels (a header row; columns {@code timestamp},
 * {@code label} and {@code prediction} by default, plus optional feature columns) into the {@link Observation}s of a
 * {@link Backtest}, one per window: a calendar period ({@link Window#DAY}, {@link Window#WEEK} (ISO weeks, from
 * Monday), {@link Window#MONTH}) in a zone, or a fixed number of rows. Per window it computes
 *
 * <ul>
 *   <li>metrics: {@code accuracy} and {@code error_rate} for {@link Task#CLASSIFICATION} (label and prediction equal
 *       as strings), {@code mae} and {@code rmse} for {@link Task#REGRESSION};
 *   <li>the outcome stream {@code error}: per row 1 (wrong) or 0 (right), or the absolute error, for decay
 *       conditions;
 *   <li>with a reference ({@link Builder#referenceBefore} or {@link Builder#reference}) and feature columns: a drift
 *       report of the window's features against the reference by a {@link DriftAnalyzer}, under
 *       {@link Condition#DEFAULT_REPORT}; with {@code referenceBefore}, the metrics over the reference rows are also
 *       each window's baselines (unless baselines are given);
 *   <li>with a model-version column ({@link Builder#modelVersionColumn}): the version of the model that served the
 *       window's rows, as {@link Observation#modelVersion()}, so that a policy starts its per-model history (metric
 *       windows, detector histories, hysteresis) again where the version changes, as it does live. Every row names
 *       its version (1 to 250 characters, no tab or line break); a window's rows must all name the same version,
 *       so windows should end where the version changes (a promotion mid-window is an error naming the row).
 * </ul>
 *
 * A window's id is {@code 2014-03} (month), {@code 2014-W10} (week), {@code 2014-03-04} (day) or {@code rows 1-100}
 * (data rows, 1-based); its time is the end of the period (the start of the next one), or the last row's timestamp
 * for row windows. Periods without rows give no observation. Timestamps are ISO-8601 instants, offset date-times,
 * local date-times or dates (local ones read in the zone). Immutable and thread-safe.
 */
public final class HistoryCsv {
    /** How rows are grouped into windows. */
    public enum Window { DAY, WEEK, MONTH, ROWS }

    /** What the model predicts. */
    public enum Task { CLASSIFICATION, REGRESSION }

    /**
     * The settings (see the builder's methods).
     *
     * @param model          the observations' model
     * @param timestamp      the timestamp column
     * @param label          the label column
     * @param prediction     the prediction column
     * @param features       numeric feature columns, in order
     * @param categorical    categorical feature columns, in order
     * @param task           classification or regression
     * @param window         how windows are formed
     * @param rowsPerWindow  rows per window for {@link Window#ROWS}
     * @param zone           the zone of calendar periods and local timestamps
     * @param referenceBefore rows before this time are the reference, not windows
     * @param reference      reference feature values given directly
     * @param analyzer       the drift analyzer
     * @param baselines      baselines given directly
     * @param modelCreatedAt when the model was created, for age and schedule conditions
     * @param modelVersion   the column holding the version of the model that served each row; empty: the
     *                       observations name no version
     */
    public record Settings(String model, String timestamp, String label, String prediction, List<String> features,
            List<String> categorical, Task task, Window window, OptionalInt rowsPerWindow, ZoneId zone,
            Optional<Instant> referenceBefore, Optional<Map<String, ColumnValues>> reference, DriftAnalyzer analyzer,
            Map<String, Double> baselines, Optional<Instant> modelCreatedAt, Optional<String> modelVersion) {
        public Settings {
            features = List.copyOf(features);
            categorical = List.copyOf(categorical);
            reference = reference.map(r -> java.util.Collections.unmodifiableMap(new LinkedHashMap<>(r)));
            baselines = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(baselines));
            java.util.Objects.requireNonNull(modelVersion, "modelVersion");
        }

        /** Settings without a model-version column. */
        public Settings(String model, String timestamp, String label, String prediction, List<String> features,
                List<String> categorical, Task task, Window window, OptionalInt rowsPerWindow, ZoneId zone,
                Optional<Instant> referenceBefore, Optional<Map<String, ColumnValues>> reference,
                DriftAnalyzer analyzer, Map<String, Double> baselines, Optional<Instant> modelCreatedAt) {
            this(model, timestamp, label, prediction, features, categorical, task, window, rowsPerWindow, zone,
                    referenceBefore, reference, analyzer, baselines, modelCreatedAt, Optional.empty());
        }
    }

    private final Settings settings;

    private HistoryCsv(Settings settings) {
        this.settings = settings;
    }

    /** A reader of the history of {@code model}. */
    public static Builder builder(String model) {
        return new Builder(Validate.name("model", model));
    }

    /** The settings. */
    public Settings settings() {
        return settings;
    }

    /**
     * Reads the CSV text ({@code source} names it in errors) into observations, in time order.
     *
     * @throws InvalidArgumentException naming the column or {@code source:line}: a missing column, a row earlier
     *     than the row before it, a timestamp or number that does not parse, an empty label or prediction, a file
     *     with no data row, a model version that is blank, longer than 250 characters or holds a tab or line break,
     *     a window whose rows name different model versions
     */
    public List<Observation> read(Reader csv, String source) {
        return HistoryCsvReader.read(settings, csv, source);
    }

    /** Reads a UTF-8 file; see {@link #read(Reader, String)}. */
    public List<Observation> read(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return HistoryCsvReader.read(settings, in, file.getFileName().toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Collects the settings; not thread-safe. */
    public static final class Builder {
        private final String model;
        private String timestamp = "timestamp";
        private String label = "label";
        private String prediction = "prediction";
        private final Set<String> features = new LinkedHashSet<>();
        private final Set<String> categorical = new LinkedHashSet<>();
        private Task task = Task.CLASSIFICATION;
        private Window window = Window.MONTH;
        private OptionalInt rowsPerWindow = OptionalInt.empty();
        private ZoneId zone = ZoneOffset.UTC;
        private Optional<Instant> referenceBefore = Optional.empty();
        private Optional<Map<String, ColumnValues>> reference = Optional.empty();
        private DriftAnalyzer analyzer;
        private final Map<String, Double> baselines = new LinkedHashMap<>();
        private Optional<Instant> modelCreatedAt = Optional.empty();
        private Optional<String> modelVersion = Optional.empty();

        private Builder(String model) {
            this.model = model;
        }

        /** The columns of the timestamp, the label and the prediction. */
        public Builder columns(String timestamp, String label, String prediction) {
            this.timestamp = Validate.key("timestamp", timestamp);
            this.label = Validate.key("label", label);
            this.prediction = Validate.key("prediction", prediction);
            return this;
        }

        /** Numeric feature columns, compared with the reference (an empty field is a missing value). */
        public Builder features(String... columns) {
            for (String c : columns) {
                features.add(Validate.key("features", c));
            }
            return this;
        }

        /** Categorical feature columns, compared with the reference. */
        public Builder categorical(String... columns) {
            for (String c : columns) {
                categorical.add(Validate.key("categorical", c));
            }
            return this;
        }

        /** Classification (the default) or regression. */
        public Builder task(Task value) {
            this.task = Validate.required("task", value);
            return this;
        }

        /** Windows by calendar period (default {@link Window#MONTH}). */
        public Builder window(Window value) {
            if (Validate.required("window", value) == Window.ROWS) {
                throw new InvalidArgumentException("window", "window ROWS needs a row count: use rowsPerWindow(n)");
            }
            this.window = value;
            this.rowsPerWindow = OptionalInt.empty();
            return this;
        }

        /** Windows of {@code rows} rows each (the last may be shorter). */
        public Builder rowsPerWindow(int rows) {
            if (rows < 1) {
                throw new InvalidArgumentException("rowsPerWindow", "rowsPerWindow must be >= 1, was " + rows);
            }
            this.window = Window.ROWS;
            this.rowsPerWindow = OptionalInt.of(rows);
            return this;
        }

        /** The zone of calendar periods and of local timestamps (default UTC). */
        public Builder zone(ZoneId value) {
            this.zone = Validate.required("zone", value);
            return this;
        }

        /**
         * Rows before {@code time} are the reference (the model's training period): their features are what windows
         * are compared with, and their metrics the baselines. They form no window.
         */
        public Builder referenceBefore(Instant time) {
            this.referenceBefore = Optional.of(Validate.required("referenceBefore", time));
            return this;
        }

        /** Reference feature values given directly (column name to values). */
        public Builder reference(Map<String, ColumnValues> values) {
            this.reference = Optional.of(new LinkedHashMap<>(Validate.required("reference", values)));
            return this;
        }

        /** The drift analyzer (default {@code DriftAnalyzer.builder().build()}). */
        public Builder analyzer(DriftAnalyzer value) {
            this.analyzer = Validate.required("analyzer", value);
            return this;
        }

        /** A baseline for every window (instead of the reference's metrics). */
        public Builder baseline(String metric, double value) {
            Validate.key("baseline", metric);
            if (!Double.isFinite(value)) {
                throw new InvalidArgumentException("baseline", "baseline " + metric + " must be finite, was " + value);
            }
            baselines.put(metric, value);
            return this;
        }

        /** When the model was created, recorded in every observation. */
        public Builder modelCreatedAt(Instant time) {
            this.modelCreatedAt = Optional.of(Validate.required("modelCreatedAt", time));
            return this;
        }

        /**
         * The column holding the version of the model that served each row (for example {@code model_version},
         * the registry's version number): each observation names its window's version, and a change of version
         * starts the policy's per-model history again, see {@link Observation#modelVersion()}. Without it (the
         * default) the observations name no version, and a promotion within the file starts no history again.
         */
        public Builder modelVersionColumn(String column) {
            this.modelVersion = Optional.of(Validate.key("modelVersionColumn", column));
            return this;
        }

        /**
         * @throws InvalidArgumentException when a reference is given both ways ({@code reference}), or a column is
         *     both numeric and categorical ({@code categorical})
         */
        public HistoryCsv build() {
            if (referenceBefore.isPresent() && reference.isPresent()) {
                throw new InvalidArgumentException("reference",
                        "give the reference either as referenceBefore or as values, not both");
            }
            for (String c : categorical) {
                if (features.contains(c)) {
                    throw new InvalidArgumentException("categorical", "categorical column '" + c
                            + "' is also a numeric feature");
                }
            }
            return new HistoryCsv(new Settings(model, timestamp, label, prediction, List.copyOf(features),
                    List.copyOf(categorical), task, window, rowsPerWindow, zone, referenceBefore,
                    reference.map(LinkedHashMap::new), analyzer == null ? DriftAnalyzer.builder().build() : analyzer,
                    new LinkedHashMap<>(baselines), modelCreatedAt, modelVersion));
        }
    }
}
