package dev.mlops.policy;

import dev.mlops.InvalidArgumentException;
import dev.mlops.drift.DriftReport;
import dev.mlops.drift.WindowReport;
import dev.mlops.internal.Validate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;

/**
 * What the application knows about one window of a model's life, fed to a policy after the window closes: its
 * drift reports, its metrics, how many rows it held, the input dataset's new versions, per-prediction outcomes for
 * decay detectors. {@code windowId} is the idempotency key: a window is decided once per policy and model. Build one
 * with {@link #builder(String, Instant, String)}. Immutable; maps are sorted by key.
 *
 * @param windowId          the window's id, unique per policy and model (1 to 250 characters)
 * @param time              when the window closed (recorded in the decision; guards use the evaluation clock)
 * @param model             the model the policy is evaluated for
 * @param driftReports      batch drift reports by report name ({@link Condition#DEFAULT_REPORT} when unnamed)
 * @param windowReports     live-monitoring window reports by report name
 * @param metrics           the window's performance metrics by name (finite)
 * @param baselines         the model's own baseline value of each metric (finite), for baseline conditions
 * @param rows              the rows the window held (>= 0)
 * @param rowsSinceTraining the rows since the model's training data, when the application knows it (>= 0)
 * @param datasetVersions   versions of the model's input dataset newer than its training data, oldest first
 * @param modelCreatedAt    when the serving model was created, for age and schedule conditions
 * @param outcomes          per-prediction outcome streams (for example {@code error}: 1 wrong, 0 right), in order
 * @param modelVersion      the version of the model that served the window (for example the registry's version
 *                          number as text, 1 to 250 characters); when it differs from the version the policy's state
 *                          recorded, the per-model history (metric windows, detector histories, hysteresis) starts
 *                          again, see docs/policies.md. Empty: unknown, the history continues
 */
public record Observation(String windowId, Instant time, String model, Map<String, DriftReport> driftReports,
        Map<String, WindowReport> windowReports, Map<String, Double> metrics, Map<String, Double> baselines,
        long rows, OptionalLong rowsSinceTraining, List<String> datasetVersions, Optional<Instant> modelCreatedAt,
        Map<String, List<Double>> outcomes, Optional<String> modelVersion) {

    /**
     * @throws InvalidArgumentException naming the field: a blank or over-long window id or model, a missing time, a
     *     metric or baseline or outcome that is not finite, negative row counts, a blank or repeated dataset version
     */
    public Observation {
        Validate.key("windowId", windowId);
        Validate.required("time", time);
        Validate.name("model", model);
        driftReports = sorted("driftReports", driftReports);
        windowReports = sorted("windowReports", windowReports);
        metrics = finite("metrics", metrics);
        baselines = finite("baselines", baselines);
        if (rows < 0) {
            throw new InvalidArgumentException("rows", "rows must be >= 0, was " + rows);
        }
        Validate.required("rowsSinceTraining", rowsSinceTraining);
        if (rowsSinceTraining.isPresent() && rowsSinceTraining.getAsLong() < 0) {
            throw new InvalidArgumentException("rowsSinceTraining",
                    "rowsSinceTraining must be >= 0, was " + rowsSinceTraining.getAsLong());
        }
        Validate.required("datasetVersions", datasetVersions);
        List<String> versions = new ArrayList<>(datasetVersions.size());
        for (int i = 0; i < datasetVersions.size(); i++) {
            String v = Validate.key("datasetVersions[" + i + "]", datasetVersions.get(i));
            if (versions.contains(v)) {
                throw new InvalidArgumentException("datasetVersions[" + i + "]",
                        "datasetVersions[" + i + "] repeats '" + v + "'");
            }
            versions.add(v);
        }
        datasetVersions = List.copyOf(versions);
        Validate.required("modelCreatedAt", modelCreatedAt);
        Validate.required("outcomes", outcomes);
        Map<String, List<Double>> streams = new TreeMap<>();
        for (Map.Entry<String, List<Double>> e : outcomes.entrySet()) {
            String stream = Validate.key("outcomes", e.getKey());
            List<Double> values = Validate.required("outcomes." + stream, e.getValue());
            for (int i = 0; i < values.size(); i++) {
                Double v = values.get(i);
                if (v == null || !Double.isFinite(v)) {
                    throw new InvalidArgumentException("outcomes." + stream + "[" + i + "]",
                            "outcomes." + stream + "[" + i + "] must be a finite number, was " + v);
                }
            }
            streams.put(stream, List.copyOf(values));
        }
        outcomes = Collections.unmodifiableMap(streams);
        Validate.required("modelVersion", modelVersion);
        modelVersion.ifPresent(v -> Validate.key("modelVersion", v));
    }

    /** An observation that does not name the serving model's version. */
    public Observation(String windowId, Instant time, String model, Map<String, DriftReport> driftReports,
            Map<String, WindowReport> windowReports, Map<String, Double> metrics, Map<String, Double> baselines,
            long rows, OptionalLong rowsSinceTraining, List<String> datasetVersions, Optional<Instant> modelCreatedAt,
            Map<String, List<Double>> outcomes) {
        this(windowId, time, model, driftReports, windowReports, metrics, baselines, rows, rowsSinceTraining,
                datasetVersions, modelCreatedAt, outcomes, Optional.empty());
    }

    private static <V> Map<String, V> sorted(String field, Map<String, V> map) {
        Validate.required(field, map);
        Map<String, V> out = new TreeMap<>();
        for (Map.Entry<String, V> e : map.entrySet()) {
            Validate.key(field, e.getKey());
            out.put(e.getKey(), Validate.required(field + "." + e.getKey(), e.getValue()));
        }
        return Collections.unmodifiableMap(out);
    }

    private static Map<String, Double> finite(String field, Map<String, Double> map) {
        Validate.required(field, map);
        Map<String, Double> out = new TreeMap<>();
        for (Map.Entry<String, Double> e : map.entrySet()) {
            String key = Validate.key(field, e.getKey());
            Double v = e.getValue();
            if (v == null || !Double.isFinite(v)) {
                throw new InvalidArgumentException(field + "." + key,
                        field + "." + key + " must be a finite number, was " + v);
            }
            out.put(key, v);
        }
        return Collections.unmodifiableMap(out);
    }

    /** A builder for the window {@code windowId} that closed at {@code time}, for {@code model}. */
    public static Builder builder(String windowId, Instant time, String model) {
        return new Builder(windowId, time, model);
    }

    /** Collects an observation's parts; not thread-safe. */
    public static final class Builder {
        private final String windowId;
        private final Instant time;
        private final String model;
        private final Map<String, DriftReport> driftReports = new LinkedHashMap<>();
        private final Map<String, WindowReport> windowReports = new LinkedHashMap<>();
        private final Map<String, Double> metrics = new LinkedHashMap<>();
        private final Map<String, Double> baselines = new LinkedHashMap<>();
        private long rows;
        private OptionalLong rowsSinceTraining = OptionalLong.empty();
        private final List<String> datasetVersions = new ArrayList<>();
        private Optional<Instant> modelCreatedAt = Optional.empty();
        private final Map<String, List<Double>> outcomes = new LinkedHashMap<>();
        private Optional<String> modelVersion = Optional.empty();

        private Builder(String windowId, Instant time, String model) {
            this.windowId = windowId;
            this.time = time;
            this.model = model;
        }

        /** The drift report under {@link Condition#DEFAULT_REPORT}. */
        public Builder drift(DriftReport report) {
            return drift(Condition.DEFAULT_REPORT, report);
        }

        /** A drift report under a name. */
        public Builder drift(String name, DriftReport report) {
            driftReports.put(name, report);
            return this;
        }

        /** The window report under {@link Condition#DEFAULT_REPORT}. */
        public Builder window(WindowReport report) {
            return window(Condition.DEFAULT_REPORT, report);
        }

        /** A window report under a name. */
        public Builder window(String name, WindowReport report) {
            windowReports.put(name, report);
            return this;
        }

        /** One metric of the window. */
        public Builder metric(String name, double value) {
            metrics.put(name, value);
            return this;
        }

        /** The model's baseline value of a metric. */
        public Builder baseline(String name, double value) {
            baselines.put(name, value);
            return this;
        }

        /** The rows the window held. */
        public Builder rows(long rows) {
            this.rows = rows;
            return this;
        }

        /** The rows since the model's training data, when known. */
        public Builder rowsSinceTraining(long rows) {
            this.rowsSinceTraining = OptionalLong.of(rows);
            return this;
        }

        /** Versions of the input dataset newer than the model's training data, oldest first. */
        public Builder datasetVersions(List<String> versions) {
            datasetVersions.clear();
            datasetVersions.addAll(versions);
            return this;
        }

        /** When the serving model was created. */
        public Builder modelCreatedAt(Instant createdAt) {
            this.modelCreatedAt = Optional.of(Objects.requireNonNull(createdAt, "createdAt"));
            return this;
        }

        /** A per-prediction outcome stream, in order. */
        public Builder outcomes(String stream, List<Double> values) {
            outcomes.put(stream, new ArrayList<>(values));
            return this;
        }

        /** A per-prediction outcome stream, in order. */
        public Builder outcomes(String stream, double... values) {
            List<Double> list = new ArrayList<>(values.length);
            for (double v : values) {
                list.add(v);
            }
            outcomes.put(stream, list);
            return this;
        }

        /**
         * The version of the model that served the window; a change of version starts the per-model history again.
         * Null: unknown (the default), the history continues.
         */
        public Builder modelVersion(String version) {
            this.modelVersion = Optional.ofNullable(version);
            return this;
        }

        /** The registry version number of the model that served the window, as {@link #modelVersion(String)}. */
        public Builder modelVersion(int version) {
            return modelVersion(Integer.toString(version));
        }

        /** @throws InvalidArgumentException as the record's constructor */
        public Observation build() {
            return new Observation(windowId, time, model, driftReports, windowReports, metrics, baselines, rows,
                    rowsSinceTraining, datasetVersions, modelCreatedAt, outcomes, modelVersion);
        }
    }
}
