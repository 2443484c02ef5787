package dev.mlops.policy;

import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * One condition of a {@link RetrainingPolicy}: evaluated against an {@link Observation} it yields a
 * {@link ConditionOutcome} with the measured value, the threshold, the comparator and whether it fired. Conditions are
 * plain immutable data; their ranges (a threshold that must be positive, a {@code k} no larger than the number of
 * conditions) are checked when they become part of a policy, with errors that name their path, for example
 * {@code conditions[2].threshold must be > 0}. See docs/policies.md, "Conditions".
 *
 * <p>Drift conditions read the drift module's reports from the observation by report name ({@link #DEFAULT_REPORT}
 * unless named): a {@link dev.mlops.drift.DriftReport} when the observation holds one under that name, else a
 * {@link dev.mlops.drift.WindowReport}. A condition whose input is absent from the observation does not fire and
 * says why in its outcome's note.
 */
public sealed interface Condition {
    /** The report name drift conditions read when none is given. */
    String DEFAULT_REPORT = "default";
    /** The outcome stream decay conditions read when none is given. */
    String DEFAULT_STREAM = "error";
    /** The most values a decay condition keeps between windows when not told otherwise. */
    int DEFAULT_MAX_HISTORY = 10_000;

    /** The condition's {@code type} in policy JSON, for example {@code "metric_threshold"}. */
    String type();

    /**
     * Fires when the report's own drift decision says the column drifts ({@link dev.mlops.drift.ColumnReport#drift()}
     * or {@link dev.mlops.drift.WindowColumn#drift()}). Measured: 1 when it drifts, else 0; threshold 1. The outcome's
     * note carries the decision's reason with its numbers (p-value, effect size, thresholds).
     */
    record ColumnDrift(String report, String column) implements Condition {
        public ColumnDrift {
            Objects.requireNonNull(report, "report");
            Objects.requireNonNull(column, "column");
        }

        @Override
        public String type() {
            return "column_drift";
        }
    }

    /**
     * Fires when the statistic of drift method {@code method} (a {@link dev.mlops.drift.DriftMethod} id such as
     * {@code psi} or {@code jensen_shannon}) for the column is {@code >= threshold}. Window reports carry one
     * statistic per column ({@code ks} or {@code l_infinity}); asking for another method there does not fire.
     */
    record ColumnScore(String report, String column, String method, double threshold) implements Condition {
        public ColumnScore {
            Objects.requireNonNull(report, "report");
            Objects.requireNonNull(column, "column");
            Objects.requireNonNull(method, "method");
        }

        @Override
        public String type() {
            return "column_score";
        }
    }

    /**
     * Fires when the share of drifting columns is {@code >= threshold}, in (0, 1]: a drift report's
     * {@code drift_share}, or for a window report the drifting columns over the monitored columns.
     */
    record DriftShare(String report, double threshold) implements Condition {
        public DriftShare {
            Objects.requireNonNull(report, "report");
        }

        @Override
        public String type() {
            return "drift_share";
        }
    }

    /**
     * Fires when the window's metric is worse than {@code threshold}: {@code value < threshold} when higher is
     * better, {@code value > threshold} when lower is better. With {@code windows} n > 1 the value is the mean of
     * the metric over the last n windows that reported it (this one included, since the last retrain decision); until
     * there are n such windows the condition has no value and does not fire.
     */
    record MetricThreshold(String metric, MetricDirection direction, double threshold, int windows)
            implements Condition {
        public MetricThreshold {
            Objects.requireNonNull(metric, "metric");
            Objects.requireNonNull(direction, "direction");
        }

        /** Over this window only. */
        public MetricThreshold(String metric, MetricDirection direction, double threshold) {
            this(metric, direction, threshold, 1);
        }

        @Override
        public String type() {
            return "metric_threshold";
        }
    }

    /**
     * Fires when the window's metric is worse than the model's baseline (the observation's baseline of the same
     * metric) by more than {@code margin}: the degradation ({@code baseline - value} when higher is better,
     * {@code value - baseline} when lower is better) is {@code > margin} for {@link Change#ABSOLUTE}, and the
     * degradation divided by {@code |baseline|} is {@code > margin} for {@link Change#RELATIVE} (a relative margin
     * of 0.05 is 5 %; a zero baseline cannot be compared relatively and does not fire). With {@code windows} n > 1
     * the value is the mean over the last n windows, as for {@link MetricThreshold}.
     */
    record MetricVsBaseline(String metric, MetricDirection direction, Change change, double margin, int windows)
            implements Condition {
        /** How the margin is measured. */
        public enum Change {
            /** In the metric's unit. */
            ABSOLUTE("absolute"),
            /** As a fraction of the baseline's magnitude. */
            RELATIVE("relative");

            private final String id;

            Change(String id) {
                this.id = id;
            }

            /** The name in policy JSON. */
            public String id() {
                return id;
            }
        }

        public MetricVsBaseline {
            Objects.requireNonNull(metric, "metric");
            Objects.requireNonNull(direction, "direction");
            Objects.requireNonNull(change, "change");
        }

        /** Over this window only. */
        public MetricVsBaseline(String metric, MetricDirection direction, Change change, double margin) {
            this(metric, direction, change, margin, 1);
        }

        @Override
        public String type() {
            return "metric_vs_baseline";
        }
    }

    /**
     * Fires when the online change detector {@code detector} ({@code adwin}, {@code ddm}, {@code eddm} or
     * {@code page_hinkley}, with {@code params} as the detector documents them; an empty map means the published
     * defaults) signals {@link ChangeDetector.Signal#CHANGE} on one of the window's per-prediction values in the
     * observation's outcome stream {@code stream}. Between windows the condition keeps the detector's exact
     * {@link DetectorState} and restores it before the new values, so the detector sees the whole stream as one
     * detector would and evaluation stays a pure function of stored state; the state is cleared when a retrain is
     * decided. A detector of another factory, whose state cannot be read back, keeps the values since its last change
     * instead (at most {@code maxHistory}, the oldest dropped first) and replays them through a fresh detector.
     * Measured: the changes signalled on this window's values; threshold 1.
     */
    record Decay(String detector, Map<String, Double> params, String stream, int maxHistory) implements Condition {
        /** The detector names a policy may use. */
        public static final List<String> DETECTORS = List.of("adwin", "ddm", "eddm", "page_hinkley");

        public Decay {
            Objects.requireNonNull(detector, "detector");
            Objects.requireNonNull(stream, "stream");
            params = Collections.unmodifiableMap(new TreeMap<>(Objects.requireNonNull(params, "params")));
        }

        @Override
        public String type() {
            return "decay";
        }
    }

    /**
     * Fires when at least {@code minRows} new rows arrived since the model's training data: the observation's
     * {@link Observation#rowsSinceTraining()} when it carries one, else the rows of the windows evaluated since the
     * last retrain decision (or since the first window), this one included.
     */
    record NewRows(long minRows) implements Condition {
        @Override
        public String type() {
            return "new_rows";
        }
    }

    /**
     * Fires when the observation lists at least {@code minVersions} versions of the model's input dataset newer
     * than its training data ({@link Observation#datasetVersions()}).
     */
    record NewDatasetVersions(int minVersions) implements Condition {
        @Override
        public String type() {
            return "new_dataset_versions";
        }
    }

    /**
     * Fires when the observation lists a version of the model's input dataset that no earlier window of this policy
     * and model listed: a new version appeared. Measured: the number of such versions; threshold 1.
     */
    record NewInputVersion() implements Condition {
        @Override
        public String type() {
            return "new_input_version";
        }
    }

    /**
     * Fires on the first evaluation at or after each tick {@code anchor + n * every} (n = 0, 1, 2, ...): when at
     * least one tick lies in (previous evaluation, now]. On a policy's first evaluation for a model the previous
     * evaluation is taken as the model's creation time when the observation carries it, else nothing was crossed.
     * Measured: the ticks crossed; threshold 1.
     */
    record Schedule(Duration every, Instant anchor) implements Condition {
        public Schedule {
            Objects.requireNonNull(every, "every");
            Objects.requireNonNull(anchor, "anchor");
        }

        @Override
        public String type() {
            return "schedule";
        }
    }

    /**
     * Fires when the model is at least {@code maxAge} old: now minus {@link Observation#modelCreatedAt()}, in
     * seconds, {@code >= maxAge}.
     */
    record ModelAge(Duration maxAge) implements Condition {
        public ModelAge {
            Objects.requireNonNull(maxAge, "maxAge");
        }

        @Override
        public String type() {
            return "model_age";
        }
    }

    /** Fires when at least one of its conditions fires. Measured: how many fired; threshold 1. */
    record AnyOf(List<Condition> conditions) implements Condition {
        public AnyOf {
            conditions = List.copyOf(conditions);
        }

        @Override
        public String type() {
            return "any_of";
        }
    }

    /** Fires when every one of its conditions fires. Measured: how many fired; threshold: how many there are. */
    record AllOf(List<Condition> conditions) implements Condition {
        public AllOf {
            conditions = List.copyOf(conditions);
        }

        @Override
        public String type() {
            return "all_of";
        }
    }

    /** Fires when at least {@code k} of its conditions fire. Measured: how many fired; threshold {@code k}. */
    record AtLeast(int k, List<Condition> conditions) implements Condition {
        public AtLeast {
            conditions = List.copyOf(conditions);
        }

        @Override
        public String type() {
            return "at_least";
        }
    }

    /** {@link ColumnDrift} on the default report. */
    static Condition columnDrift(String column) {
        return new ColumnDrift(DEFAULT_REPORT, column);
    }

    /** {@link ColumnScore} on the default report. */
    static Condition columnScore(String column, String method, double threshold) {
        return new ColumnScore(DEFAULT_REPORT, column, method, threshold);
    }

    /** {@link DriftShare} on the default report. */
    static Condition driftShare(double threshold) {
        return new DriftShare(DEFAULT_REPORT, threshold);
    }

    /** A higher-is-better metric below {@code threshold}. */
    static Condition metricBelow(String metric, double threshold) {
        return new MetricThreshold(metric, MetricDirection.HIGHER_IS_BETTER, threshold);
    }

    /** A lower-is-better metric above {@code threshold}. */
    static Condition metricAbove(String metric, double threshold) {
        return new MetricThreshold(metric, MetricDirection.LOWER_IS_BETTER, threshold);
    }

    /** The metric worse than its baseline by more than {@code margin} in its unit. */
    static Condition worseThanBaseline(String metric, MetricDirection direction, double margin) {
        return new MetricVsBaseline(metric, direction, MetricVsBaseline.Change.ABSOLUTE, margin);
    }

    /** The metric worse than its baseline by more than the fraction {@code margin} of the baseline. */
    static Condition worseThanBaselineRelative(String metric, MetricDirection direction, double margin) {
        return new MetricVsBaseline(metric, direction, MetricVsBaseline.Change.RELATIVE, margin);
    }

    /** {@link Decay} on the {@value #DEFAULT_STREAM} stream with the detector's defaults. */
    static Condition decay(String detector) {
        return new Decay(detector, Map.of(), DEFAULT_STREAM, DEFAULT_MAX_HISTORY);
    }

    /** {@link Decay} on the {@value #DEFAULT_STREAM} stream. */
    static Condition decay(String detector, Map<String, Double> params) {
        return new Decay(detector, params, DEFAULT_STREAM, DEFAULT_MAX_HISTORY);
    }

    /** {@link NewRows}. */
    static Condition newRows(long minRows) {
        return new NewRows(minRows);
    }

    /** {@link NewDatasetVersions}. */
    static Condition newDatasetVersions(int minVersions) {
        return new NewDatasetVersions(minVersions);
    }

    /** {@link NewInputVersion}. */
    static Condition newInputVersion() {
        return new NewInputVersion();
    }

    /** {@link Schedule} with ticks at the epoch plus multiples of {@code every}. */
    static Condition every(Duration every) {
        return new Schedule(every, Instant.EPOCH);
    }

    /** {@link ModelAge}. */
    static Condition modelAge(Duration maxAge) {
        return new ModelAge(maxAge);
    }

    /** {@link AnyOf}. */
    static Condition anyOf(Condition... conditions) {
        return new AnyOf(Arrays.asList(conditions));
    }

    /** {@link AllOf}. */
    static Condition allOf(Condition... conditions) {
        return new AllOf(Arrays.asList(conditions));
    }

    /** {@link AtLeast}. */
    static Condition atLeast(int k, Condition... conditions) {
        return new AtLeast(k, Arrays.asList(conditions));
    }
}
