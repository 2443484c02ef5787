package dev.mlops.internal.policy;

import dev.mlops.InvalidArgumentException;
import dev.mlops.drift.ColumnReport;
import dev.mlops.drift.DriftReport;
import dev.mlops.drift.MethodResult;
import dev.mlops.drift.WindowColumn;
import dev.mlops.drift.WindowReport;
import dev.mlops.internal.json.CanonicalJson;
import dev.mlops.policy.Adwin;
import dev.mlops.policy.ChangeDetector;
import dev.mlops.policy.Condition;
import dev.mlops.policy.ConditionOutcome;
import dev.mlops.policy.Ddm;
import dev.mlops.policy.DetectorFactory;
import dev.mlops.policy.DetectorState;
import dev.mlops.policy.Eddm;
import dev.mlops.policy.MetricDirection;
import dev.mlops.policy.Observation;
import dev.mlops.policy.PageHinkley;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import java.util.TreeMap;

/**
 * Evaluates a policy's conditions against one observation and the stored state, depth first, recording every
 * condition's outcome and the decay conditions' new histories. A condition fires exactly when
 * {@code measured comparator threshold} holds; one whose input is absent has no measured value and does not fire,
 * and its outcome says whether the input was {@linkplain ConditionOutcome.Input#ABSENT absent} this window or
 * {@linkplain ConditionOutcome.Input#UNKNOWN unknown} (the observation carries that kind of input, not the named one).
 * Per-condition state is keyed by {@link ConditionKeys#key}. A one-shot condition ({@code schedule},
 * {@code new_input_version}, {@code decay}) with a {@linkplain PolicyState#pendingTriggers() pending trigger} adds
 * the pending count to what it measures now, so it fires again until a retrain consumes it.
 * One instance per evaluation; not thread-safe.
 */
final class ConditionEvaluator {
    private final Observation obs;
    private final PolicyState state;
    private final Instant now;
    private final DetectorFactory detectors;
    private final List<ConditionOutcome> outcomes = new ArrayList<>();
    private final Map<String, List<Double>> histories = new TreeMap<>();
    private final Map<String, List<Double>> metricHistories = new TreeMap<>();
    private final Map<String, String> detectorStates = new TreeMap<>();
    private final Map<String, PolicyState.Pending> fired = new TreeMap<>();
    private final Set<String> keys = new LinkedHashSet<>();

    ConditionEvaluator(Observation obs, PolicyState state, Instant now, DetectorFactory detectors) {
        this.obs = obs;
        this.state = state;
        this.now = now;
        this.detectors = detectors;
    }

    List<ConditionOutcome> outcomes() {
        return outcomes;
    }

    /** Per decay condition key, the values to keep for the next window. */
    Map<String, List<Double>> histories() {
        return histories;
    }

    /** Per decay condition key whose detector is a published one, its exact state as JSON for the next window. */
    Map<String, String> detectorStates() {
        return detectorStates;
    }

    /** Per metric condition key over several windows, the values to keep for the next window. */
    Map<String, List<Double>> metricHistories() {
        return metricHistories;
    }

    /**
     * Per one-shot condition key that fired in this window, its trigger as it stays pending when a guard holds the
     * retrain back: the pending trigger it carried, if any, with this window's added.
     */
    Map<String, PolicyState.Pending> firedTriggers() {
        return fired;
    }

    /** The stored pending triggers whose condition is still in the policy. */
    Map<String, PolicyState.Pending> carriedTriggers() {
        Map<String, PolicyState.Pending> out = new TreeMap<>(state.pendingTriggers());
        out.keySet().retainAll(keys);
        return out;
    }

    /** Evaluates the policy's top-level combination; its outcome's path is {@code conditions}. */
    boolean evaluate(Condition trigger) {
        return evaluate(trigger, "");
    }

    private boolean evaluate(Condition c, String path) {
        String self = path.isEmpty() ? "conditions" : path;
        if (c instanceof Condition.AnyOf a) {
            return combination(self, path, c.type(), a.conditions(), 1, "any of " + a.conditions().size()
                    + " conditions");
        } else if (c instanceof Condition.AllOf a) {
            return combination(self, path, c.type(), a.conditions(), a.conditions().size(), "all of "
                    + a.conditions().size() + " conditions");
        } else if (c instanceof Condition.AtLeast a) {
            return combination(self, path, c.type(), a.conditions(), a.k(), "at least " + a.k() + " of "
                    + a.conditions().size() + " conditions");
        }
        ConditionOutcome o = leaf(c, self);
        outcomes.add(o);
        return o.fired();
    }

    private boolean combination(String self, String path, String type, List<Condition> children, int needed,
            String description) {
        int at = outcomes.size();
        outcomes.add(null);
        int fired = 0;
        String prefix = path.isEmpty() ? "conditions" : path + ".conditions";
        for (int i = 0; i < children.size(); i++) {
            if (evaluate(children.get(i), prefix + "[" + i + "]")) {
                fired++;
            }
        }
        ConditionOutcome o = outcome(self, type, description, OptionalDouble.of(fired), needed, ">=",
                Optional.of(fired + " of " + children.size() + " fired"));
        outcomes.set(at, o);
        return o.fired();
    }

    private static ConditionOutcome outcome(String path, String type, String description, OptionalDouble measured,
            double threshold, String comparator, Optional<String> note) {
        boolean fired = false;
        if (measured.isPresent()) {
            double m = measured.getAsDouble();
            fired = switch (comparator) {
                case "<" -> m < threshold;
                case ">" -> m > threshold;
                case ">=" -> m >= threshold;
                default -> throw new IllegalArgumentException(comparator);
            };
        }
        return new ConditionOutcome(path, type, description, measured, threshold, comparator, fired, note);
    }

    private static ConditionOutcome absent(String path, Condition c, String description, double threshold,
            String comparator, String why) {
        return outcome(path, c.type(), description, OptionalDouble.empty(), threshold, comparator, Optional.of(why));
    }

    /**
     * A condition whose input the observation does not carry although it carries that kind of input: the reference is
     * wrong ({@link ConditionOutcome.Input#UNKNOWN}).
     */
    private static ConditionOutcome unknown(String path, Condition c, String description, double threshold,
            String comparator, String why) {
        return new ConditionOutcome(path, c.type(), description, OptionalDouble.empty(), threshold, comparator, false,
                Optional.of(why), ConditionOutcome.Input.UNKNOWN);
    }

    /** {@link #unknown} when {@code unknown}, else {@link #absent}. */
    private static ConditionOutcome missing(boolean unknown, String path, Condition c, String description,
            double threshold, String comparator, String why) {
        return unknown ? unknown(path, c, description, threshold, comparator, why)
                : absent(path, c, description, threshold, comparator, why);
    }

    static String num(double x) {
        return CanonicalJson.formatNumber(x);
    }

    private static double seconds(Duration d) {
        return d.getSeconds() + d.getNano() / 1e9;
    }

    private ConditionOutcome leaf(Condition c, String path) {
        if (c instanceof Condition.ColumnDrift d) {
            return columnDrift(d, path);
        } else if (c instanceof Condition.ColumnScore s) {
            return columnScore(s, path);
        } else if (c instanceof Condition.DriftShare s) {
            return driftShare(s, path);
        } else if (c instanceof Condition.MetricThreshold m) {
            String description = PolicyValidator.describe(m);
            String cmp = m.direction() == MetricDirection.HIGHER_IS_BETTER ? "<" : ">";
            String key = key(c);
            Optional<String> missing = metricValue(key, m.metric(), m.windows());
            if (missing.isPresent()) {
                return missing(unknownMetric(m.metric()), path, c, description, m.threshold(), cmp, missing.get());
            }
            double v = value;
            return outcome(path, c.type(), description, OptionalDouble.of(v), m.threshold(), cmp,
                    Optional.of(valueNote(key, m.metric(), m.windows())));
        } else if (c instanceof Condition.MetricVsBaseline m) {
            return baseline(m, path);
        } else if (c instanceof Condition.Decay d) {
            return decay(d, path);
        } else if (c instanceof Condition.NewRows r) {
            String description = "new rows >= " + r.minRows();
            long rows;
            String source;
            if (obs.rowsSinceTraining().isPresent()) {
                rows = obs.rowsSinceTraining().getAsLong();
                source = "rows since the training data, as observed";
            } else {
                rows = state.rowsSinceRetrain() + obs.rows();
                source = "rows of the " + (state.windowsSinceRetrain() + 1) + " windows since the last retrain ("
                        + obs.rows() + " in this one)";
            }
            return outcome(path, c.type(), description, OptionalDouble.of(rows), r.minRows(), ">=",
                    Optional.of(rows + " " + source));
        } else if (c instanceof Condition.NewDatasetVersions v) {
            int n = obs.datasetVersions().size();
            return outcome(path, c.type(), "new input dataset versions >= " + v.minVersions(),
                    OptionalDouble.of(n), v.minVersions(), ">=",
                    Optional.of(n + " versions newer than the training data"));
        } else if (c instanceof Condition.NewInputVersion) {
            Set<String> seen = new LinkedHashSet<>(state.seenDatasetVersions());
            List<String> fresh = new ArrayList<>();
            for (String v : obs.datasetVersions()) {
                if (!seen.contains(v)) {
                    fresh.add(v);
                }
            }
            String note = fresh.isEmpty() ? "no version that earlier windows did not list"
                    : "new: " + String.join(", ", fresh);
            return oneShot(c, path, "a new input dataset version appears", fresh.size(), fresh, note);
        } else if (c instanceof Condition.Schedule s) {
            return schedule(s, path);
        } else if (c instanceof Condition.ModelAge a) {
            String description = "model age >= " + a.maxAge() + " (" + num(seconds(a.maxAge())) + " s)";
            if (obs.modelCreatedAt().isEmpty()) {
                return absent(path, c, description, seconds(a.maxAge()), ">=",
                        "the observation has no model creation time");
            }
            double age = seconds(Duration.between(obs.modelCreatedAt().get(), now));
            return outcome(path, c.type(), description, OptionalDouble.of(age), seconds(a.maxAge()), ">=",
                    Optional.of("created at " + obs.modelCreatedAt().get() + ", " + num(age) + " s ago"));
        }
        throw new IllegalArgumentException("unknown condition " + c.type());
    }

    private Optional<DriftReport> driftReport(String name) {
        return Optional.ofNullable(obs.driftReports().get(name));
    }

    private Optional<WindowReport> windowReport(String name) {
        return Optional.ofNullable(obs.windowReports().get(name));
    }

    private static String noReport(String name) {
        return "the observation has no drift or window report '" + name + "'";
    }

    private ConditionOutcome columnDrift(Condition.ColumnDrift d, String path) {
        String description = "column '" + d.column() + "' drifts (report '" + d.report() + "')";
        Optional<DriftReport> report = driftReport(d.report());
        if (report.isPresent()) {
            Optional<ColumnReport> col = report.get().column(d.column());
            if (col.isEmpty()) {
                return unknown(path, d, description, 1, ">=", "report '" + d.report() + "' has no column '"
                        + d.column() + "'");
            }
            ColumnReport r = col.get();
            if (r.decision().isEmpty()) {
                return absent(path, d, description, 1, ">=", "column '" + d.column() + "' has no drift decision: "
                        + r.error().or(r::note).orElse("left out of the decision"));
            }
            return outcome(path, d.type(), description, OptionalDouble.of(r.drift() ? 1 : 0), 1, ">=",
                    Optional.of(r.decision().get().reason()));
        }
        Optional<WindowReport> window = windowReport(d.report());
        if (window.isEmpty()) {
            return absent(path, d, description, 1, ">=", noReport(d.report()));
        }
        Optional<WindowColumn> col = window.get().column(d.column());
        if (col.isEmpty()) {
            return unknown(path, d, description, 1, ">=", "window report '" + d.report() + "' has no column '"
                    + d.column() + "'");
        }
        WindowColumn w = col.get();
        String note = Double.isNaN(w.statistic()) ? "no values to compare" : w.statisticName() + " "
                + num(w.statistic()) + ", threshold " + num(w.threshold()) + " + error bound " + num(w.errorBound())
                + ", " + w.valueCount() + " values";
        return outcome(path, d.type(), description, OptionalDouble.of(w.drift() ? 1 : 0), 1, ">=",
                Optional.of(note));
    }

    private ConditionOutcome columnScore(Condition.ColumnScore s, String path) {
        String description = s.method() + " of column '" + s.column() + "' >= " + num(s.threshold()) + " (report '"
                + s.report() + "')";
        Optional<DriftReport> report = driftReport(s.report());
        if (report.isPresent()) {
            Optional<ColumnReport> col = report.get().column(s.column());
            if (col.isEmpty()) {
                return unknown(path, s, description, s.threshold(), ">=", "report '" + s.report()
                        + "' has no column '" + s.column() + "'");
            }
            for (MethodResult r : col.get().results()) {
                if (r.method().id().equals(s.method())) {
                    if (r.statistic().isEmpty()) {
                        return absent(path, s, description, s.threshold(), ">=", s.method() + " has no statistic: "
                                + r.note().orElse("none"));
                    }
                    return outcome(path, s.type(), description, r.statistic(), s.threshold(), ">=",
                            Optional.empty());
                }
            }
            return absent(path, s, description, s.threshold(), ">=", "report '" + s.report() + "' did not compute "
                    + s.method() + " for column '" + s.column() + "'");
        }
        Optional<WindowReport> window = windowReport(s.report());
        if (window.isEmpty()) {
            return absent(path, s, description, s.threshold(), ">=", noReport(s.report()));
        }
        Optional<WindowColumn> col = window.get().column(s.column());
        if (col.isEmpty()) {
            return unknown(path, s, description, s.threshold(), ">=", "window report '" + s.report()
                    + "' has no column '" + s.column() + "'");
        }
        WindowColumn w = col.get();
        if (!w.statisticName().equals(s.method())) {
            return unknown(path, s, description, s.threshold(), ">=", "window report '" + s.report() + "' measures "
                    + w.statisticName() + " for column '" + s.column() + "', not " + s.method());
        }
        if (Double.isNaN(w.statistic())) {
            return absent(path, s, description, s.threshold(), ">=", "no values to compare");
        }
        return outcome(path, s.type(), description, OptionalDouble.of(w.statistic()), s.threshold(), ">=",
                Optional.of(w.valueCount() + " values"));
    }

    private ConditionOutcome driftShare(Condition.DriftShare s, String path) {
        String description = "drift share >= " + num(s.threshold()) + " (report '" + s.report() + "')";
        Optional<DriftReport> report = driftReport(s.report());
        if (report.isPresent()) {
            DriftReport r = report.get();
            if (r.driftShare().isEmpty()) {
                return absent(path, s, description, s.threshold(), ">=", r.note().orElse("no column was decided"));
            }
            return outcome(path, s.type(), description, r.driftShare(), s.threshold(), ">=",
                    Optional.of(r.driftedColumns() + " of " + r.decidedColumns() + " columns drift"));
        }
        Optional<WindowReport> window = windowReport(s.report());
        if (window.isEmpty()) {
            return absent(path, s, description, s.threshold(), ">=", noReport(s.report()));
        }
        List<WindowColumn> columns = window.get().columns();
        if (columns.isEmpty()) {
            return absent(path, s, description, s.threshold(), ">=", "the window report monitors no column");
        }
        long drifted = columns.stream().filter(WindowColumn::drift).count();
        return outcome(path, s.type(), description, OptionalDouble.of((double) drifted / columns.size()),
                s.threshold(), ">=", Optional.of(drifted + " of " + columns.size() + " columns drift"));
    }

    /** The metric value found by {@link #metricValue}. */
    private double value;

    /**
     * Sets {@link #value} to the window's metric, or to the mean of its last {@code windows} values (this window's
     * included, then kept for the next window under {@code key}); returns why there is none.
     */
    private Optional<String> metricValue(String key, String metric, int windows) {
        Double v = obs.metrics().get(metric);
        List<Double> history = state.metricHistory().getOrDefault(key, List.of());
        if (v == null) {
            if (windows > 1) {
                metricHistories.put(key, history);
            }
            return Optional.of("the observation has no metric '" + metric + "'");
        }
        if (windows == 1) {
            value = v;
            return Optional.empty();
        }
        List<Double> kept = PolicyState.append(history, v, windows);
        metricHistories.put(key, kept);
        if (kept.size() < windows) {
            return Optional.of(metric + " " + num(v) + "; " + kept.size() + " of the " + windows
                    + " windows to average so far");
        }
        double sum = 0;
        for (double x : kept) {
            sum += x;
        }
        value = sum / windows;
        return Optional.empty();
    }

    private String valueNote(String key, String metric, int windows) {
        if (windows == 1) {
            return metric + " " + num(value);
        }
        List<String> values = new ArrayList<>();
        for (double x : metricHistories.get(key)) {
            values.add(num(x));
        }
        return "mean of " + metric + " " + String.join(", ", values) + " = " + num(value);
    }

    private ConditionOutcome baseline(Condition.MetricVsBaseline m, String path) {
        boolean relative = m.change() == Condition.MetricVsBaseline.Change.RELATIVE;
        String description = PolicyValidator.metric(m.metric(), m.windows()) + " worse than its baseline by > "
                + num(m.margin()) + (relative ? " of the baseline (relative)" : " (absolute)");
        Double b = obs.baselines().get(m.metric());
        String key = key(m);
        Optional<String> missing = metricValue(key, m.metric(), m.windows());
        if (missing.isPresent()) {
            return missing(unknownMetric(m.metric()), path, m, description, m.margin(), ">", missing.get());
        }
        if (b == null) {
            return missing(!obs.baselines().isEmpty(), path, m, description, m.margin(), ">",
                    "the observation has no baseline '" + m.metric() + "'");
        }
        double v = value;
        double degradation = m.direction().degradation(b, v);
        String note = valueNote(key, m.metric(), m.windows()) + ", baseline " + num(b) + ", " + m.direction().id();
        if (!relative) {
            return outcome(path, m.type(), description, OptionalDouble.of(degradation), m.margin(), ">",
                    Optional.of(note));
        }
        if (b == 0) {
            return absent(path, m, description, m.margin(), ">", note + ": a zero baseline has no relative change");
        }
        return outcome(path, m.type(), description, OptionalDouble.of(degradation / Math.abs(b)), m.margin(), ">",
                Optional.of(note));
    }

    private ConditionOutcome decay(Condition.Decay d, String path) {
        String description = d.detector() + " detects a change in '" + d.stream() + "'";
        String key = key(d);
        List<Double> history = state.detectorHistory().getOrDefault(key, List.of());
        String stored = state.detectorStates().get(key);
        List<Double> values = obs.outcomes().get(d.stream());
        if (values == null) {
            keep(key, history, stored);
            return absentOrPending(d, path, description, "the observation has no outcome stream '" + d.stream()
                    + "'", obs.outcomes().isEmpty() ? ConditionOutcome.Input.ABSENT : ConditionOutcome.Input.UNKNOWN);
        }
        ChangeDetector detector;
        try {
            detector = detectors.create(d.detector(), d.params());
        } catch (InvalidArgumentException e) {
            keep(key, history, stored);
            return absentOrPending(d, path, description, "detector not available: " + e.getMessage(),
                    ConditionOutcome.Input.UNKNOWN);
        }
        boolean exact = published(detector);
        long earlier;
        int replayFrom;
        List<Double> all;
        if (exact && stored != null) {
            // continue exactly where the last window stopped
            detector = DetectorState.fromJson(stored).restore();
            earlier = detector.count();
            all = values;
            replayFrom = 0;
        } else {
            // the raw-value form: a detector that cannot be restored exactly, or a state stored before snapshots
            all = new ArrayList<>(history.size() + values.size());
            all.addAll(history);
            all.addAll(values);
            earlier = history.size();
            replayFrom = history.size();
        }
        int lastChange = -1;
        int changes = 0;
        int firstChangeInWindow = -1;
        for (int i = 0; i < all.size(); i++) {
            ChangeDetector.Signal signal;
            try {
                signal = detector.add(all.get(i));
            } catch (InvalidArgumentException e) {
                keep(key, history, stored);
                int at = i - replayFrom;
                return absentOrPending(d, path, description, d.detector() + " rejected "
                        + (at >= 0 ? "value " + at + " of this window" : "stored value " + i) + ": " + e.getMessage(),
                        ConditionOutcome.Input.ABSENT);
            }
            if (signal == ChangeDetector.Signal.CHANGE) {
                lastChange = i;
                if (i >= replayFrom) {
                    changes++;
                    if (firstChangeInWindow < 0) {
                        firstChangeInWindow = i - replayFrom;
                    }
                }
            }
        }
        if (exact) {
            detectorStates.put(key, detector.snapshot().toJson());
        } else {
            List<Double> kept = all.subList(lastChange + 1, all.size());
            histories.put(key, PolicyState.tail(new ArrayList<>(kept), d.maxHistory()));
        }
        String note = changes == 0
                ? "no change in " + values.size() + " values of this window after " + earlier + " earlier"
                : changes + " change" + (changes == 1 ? "" : "s") + ", the first at value " + firstChangeInWindow
                        + " of " + values.size() + " in this window (after " + earlier + " earlier)";
        return oneShot(d, path, description, changes, List.of(), note);
    }

    /** Keeps a decay condition's stored history or detector state unchanged for the next window. */
    private void keep(String key, List<Double> history, String stored) {
        if (stored != null) {
            detectorStates.put(key, stored);
        } else {
            histories.put(key, history);
        }
    }

    /**
     * Whether the detector is one of the published ones, whose {@linkplain ChangeDetector#snapshot() snapshot} reads
     * back exactly through {@link DetectorState#fromJson}; a detector of another factory keeps the raw values.
     */
    private static boolean published(ChangeDetector d) {
        return d instanceof Adwin || d instanceof Ddm || d instanceof Eddm || d instanceof PageHinkley;
    }

    /** The condition's state key, remembered as one of the policy's conditions. */
    private String key(Condition c) {
        String key = ConditionKeys.key(c);
        keys.add(key);
        return key;
    }

    /**
     * The outcome of a one-shot condition that measured {@code fresh} triggers in this window (with {@code items},
     * the new versions), adding its pending trigger, if any, and recording what stays pending if a guard holds.
     */
    private ConditionOutcome oneShot(Condition c, String path, String description, long fresh, List<String> items,
            String note) {
        String key = key(c);
        PolicyState.Pending pending = state.pendingTriggers().get(key);
        long total = fresh + (pending == null ? 0 : pending.count());
        String text = note;
        if (pending != null) {
            text = note + "; pending: " + pendingNote(pending);
        }
        if (total >= 1) {
            List<String> all = new ArrayList<>(pending == null ? List.of() : pending.items());
            all.addAll(items);
            fired.put(key, new PolicyState.Pending(pending == null ? obs.windowId() : pending.window(), total, all));
        }
        return outcome(path, c.type(), description, OptionalDouble.of(total), 1, ">=", Optional.of(text));
    }

    /**
     * A decay condition without a measurement this window: absent or unknown ({@code input}), unless a pending trigger
     * makes it fire (then measured, its input still marked {@code input}).
     */
    private ConditionOutcome absentOrPending(Condition.Decay d, String path, String description, String why,
            ConditionOutcome.Input input) {
        if (state.pendingTriggers().containsKey(ConditionKeys.key(d))) {
            ConditionOutcome o = oneShot(d, path, description, 0, List.of(), why);
            return new ConditionOutcome(o.path(), o.type(), o.description(), o.measured(), o.threshold(),
                    o.comparator(), o.fired(), o.note(), input);
        }
        key(d);
        return missing(input == ConditionOutcome.Input.UNKNOWN, path, d, description, 1, ">=", why);
    }

    /** Whether the observation carries metrics but not {@code metric}: the name is wrong. */
    private boolean unknownMetric(String metric) {
        return !obs.metrics().isEmpty() && !obs.metrics().containsKey(metric);
    }

    private static String pendingNote(PolicyState.Pending p) {
        return p.count() + " trigger" + (p.count() == 1 ? "" : "s") + (p.items().isEmpty() ? ""
                : " (" + String.join(", ", p.items()) + ")") + " held back since window '" + p.window()
                + "', not yet consumed by a retrain";
    }

    private ConditionOutcome schedule(Condition.Schedule s, String path) {
        String description = "a tick of every " + s.every() + " from " + s.anchor() + " passed";
        Optional<Instant> previous = state.lastEvaluatedAt().or(obs::modelCreatedAt);
        if (previous.isEmpty()) {
            return oneShot(s, path, description, 0, List.of(),
                    "first evaluation and no model creation time: no tick crossed yet");
        }
        long crossed = Math.max(0, ticksUpTo(s, now) - ticksUpTo(s, previous.get()));
        return oneShot(s, path, description, crossed, List.of(),
                crossed + " ticks in (" + previous.get() + ", " + now + "]");
    }

    /** The number of ticks {@code anchor + n * every} (n >= 0) at or before {@code t}. */
    static long ticksUpTo(Condition.Schedule s, Instant t) {
        if (t.isBefore(s.anchor())) {
            return 0;
        }
        return Duration.between(s.anchor(), t).dividedBy(s.every()) + 1;
    }
}
