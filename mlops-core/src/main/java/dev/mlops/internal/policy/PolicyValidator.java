package dev.mlops.internal.policy;

import dev.mlops.InvalidArgumentException;
import dev.mlops.drift.DriftMethod;
import dev.mlops.internal.Validate;
import dev.mlops.internal.json.CanonicalJson;
import dev.mlops.policy.Condition;
import dev.mlops.policy.DetectorFactory;
import dev.mlops.policy.Guards;
import dev.mlops.policy.MetricDirection;
import dev.mlops.policy.PolicyContext;
import dev.mlops.policy.RetrainingPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The checks of a {@link RetrainingPolicy}. Every error is an {@link InvalidArgumentException} whose field is the path
 * of the bad value as it appears in the policy's JSON ({@code conditions[2].threshold}, {@code guards.cooldown.min_time})
 * and whose message starts with that path. Stateless.
 */
public final class PolicyValidator {
    /** The deepest nesting of combinations. */
    public static final int MAX_DEPTH = 16;
    /** The most values a decay condition may keep between windows. */
    public static final int MAX_HISTORY = 1_000_000;
    /** The largest budget. */
    public static final int MAX_BUDGET = PolicyState.MAX_RETRAIN_TIMES;
    /**
     * The published detectors, against which every decay condition's parameters are checked when a policy is built
     * or read (the names a policy may use are exactly theirs, {@link Condition.Decay#DETECTORS}).
     */
    private static final DetectorFactory STANDARD = DetectorFactory.standard();

    private PolicyValidator() {
    }

    /** Checks the parts of a policy (called by its constructor). */
    public static void validate(String name, int version, String description, Condition trigger, Guards guards) {
        Validate.name("name", name);
        if (version < 1) {
            throw bad("version", "must be >= 1, was " + version);
        }
        Validate.value("description", description, Validate.MAX_TEXT);
        if (trigger == null) {
            throw new InvalidArgumentException("conditions", "conditions is required");
        }
        if (!(trigger instanceof Condition.AnyOf || trigger instanceof Condition.AllOf
                || trigger instanceof Condition.AtLeast)) {
            throw new InvalidArgumentException("match", "match: the top-level condition must be any_of, all_of or "
                    + "at_least, was " + trigger.type());
        }
        condition(trigger, "", 0);
        guards(Validate.required("guards", guards));
    }

    private static String child(String prefix, String field) {
        return prefix.isEmpty() ? field : prefix + "." + field;
    }

    static InvalidArgumentException bad(String path, String message) {
        return new InvalidArgumentException(path, path + " " + message);
    }

    private static void condition(Condition c, String path, int depth) {
        if (c == null) {
            throw new InvalidArgumentException(path, path + " is required");
        }
        if (c instanceof Condition.ColumnDrift d) {
            key(child(path, "report"), d.report());
            key(child(path, "column"), d.column());
        } else if (c instanceof Condition.ColumnScore s) {
            key(child(path, "report"), s.report());
            key(child(path, "column"), s.column());
            String m = child(path, "method");
            try {
                DriftMethod.fromId(s.method());
            } catch (InvalidArgumentException e) {
                throw new InvalidArgumentException(m, m + ": " + e.getMessage());
            }
            if (!DriftMethod.fromId(s.method()).id().equals(s.method())) {
                throw bad(m, "must be written as '" + DriftMethod.fromId(s.method()).id() + "', was '"
                        + s.method() + "'");
            }
            positive(child(path, "threshold"), s.threshold());
            double max = DriftMethod.fromId(s.method()).statisticUpperBound();
            if (s.threshold() > max) {
                throw bad(child(path, "threshold"), "must be <= " + CanonicalJson.formatNumber(max) + " (the largest "
                        + s.method() + " statistic), was " + s.threshold());
            }
        } else if (c instanceof Condition.DriftShare s) {
            key(child(path, "report"), s.report());
            double t = s.threshold();
            if (!(t > 0 && t <= 1)) {
                throw bad(child(path, "threshold"), "must be in (0, 1], was " + t);
            }
        } else if (c instanceof Condition.MetricThreshold m) {
            key(child(path, "metric"), m.metric());
            finite(child(path, "threshold"), m.threshold());
            windows(child(path, "windows"), m.windows());
        } else if (c instanceof Condition.MetricVsBaseline m) {
            key(child(path, "metric"), m.metric());
            windows(child(path, "windows"), m.windows());
            String f = child(path, "margin");
            finite(f, m.margin());
            if (m.margin() < 0) {
                throw bad(f, "must be >= 0, was " + m.margin());
            }
        } else if (c instanceof Condition.Decay d) {
            String f = child(path, "detector");
            if (!Condition.Decay.DETECTORS.contains(d.detector())) {
                throw bad(f, "must be one of " + String.join(", ", Condition.Decay.DETECTORS) + ", was '"
                        + Validate.printable(d.detector()) + "'");
            }
            for (Map.Entry<String, Double> p : d.params().entrySet()) {
                key(child(path, "params"), p.getKey());
                if (p.getValue() == null) {
                    throw bad(child(path, "params." + p.getKey()), "is required");
                }
                finite(child(path, "params." + p.getKey()), p.getValue());
            }
            parameters(path, d, STANDARD);
            key(child(path, "stream"), d.stream());
            if (d.maxHistory() < 1 || d.maxHistory() > MAX_HISTORY) {
                throw bad(child(path, "max_history"), "must be in [1, " + MAX_HISTORY + "], was "
                        + d.maxHistory());
            }
        } else if (c instanceof Condition.NewRows r) {
            if (r.minRows() < 1) {
                throw bad(child(path, "min_rows"), "must be >= 1, was " + r.minRows());
            }
        } else if (c instanceof Condition.NewDatasetVersions v) {
            if (v.minVersions() < 1) {
                throw bad(child(path, "min_versions"), "must be >= 1, was " + v.minVersions());
            }
        } else if (c instanceof Condition.Schedule s) {
            positive(child(path, "every"), s.every());
        } else if (c instanceof Condition.ModelAge a) {
            positive(child(path, "max_age"), a.maxAge());
        } else if (c instanceof Condition.AnyOf a) {
            children(a.conditions(), path, depth);
        } else if (c instanceof Condition.AllOf a) {
            children(a.conditions(), path, depth);
            contradictions(a.conditions(), path);
        } else if (c instanceof Condition.AtLeast a) {
            children(a.conditions(), path, depth);
            String k = child(path, "k");
            if (a.k() < 1) {
                throw bad(k, "must be >= 1, was " + a.k());
            }
            if (a.k() > a.conditions().size()) {
                throw bad(k, "must be <= " + a.conditions().size() + " (the number of its conditions), was "
                        + a.k());
            }
            if (a.k() == a.conditions().size()) {
                contradictions(a.conditions(), path);
            }
        }
    }

    /** The most windows a metric condition may average over. */
    public static final int MAX_METRIC_WINDOWS = 1000;

    private static void windows(String path, int windows) {
        if (windows < 1 || windows > MAX_METRIC_WINDOWS) {
            throw bad(path, "must be in [1, " + MAX_METRIC_WINDOWS + "], was " + windows);
        }
    }

    private static void children(List<Condition> conditions, String path, int depth) {
        String f = child(path, "conditions");
        if (depth >= MAX_DEPTH) {
            throw bad(f, "nests combinations deeper than " + MAX_DEPTH + " levels");
        }
        if (conditions.isEmpty()) {
            throw bad(f, "must not be empty");
        }
        for (int i = 0; i < conditions.size(); i++) {
            condition(conditions.get(i), f + "[" + i + "]", depth + 1);
        }
    }

    /** One metric threshold that must hold at the same time as others, with its path. */
    private record Bound(String path, Condition.MetricThreshold condition) {
    }

    /** Threshold conditions on the same metric that must all fire but whose firing ranges do not overlap. */
    private static void contradictions(List<Condition> conditions, String path) {
        List<Bound> bounds = new ArrayList<>();
        collect(conditions, child(path, "conditions"), bounds);
        for (int j = 1; j < bounds.size(); j++) {
            for (int i = 0; i < j; i++) {
                Condition.MetricThreshold a = bounds.get(i).condition();
                Condition.MetricThreshold b = bounds.get(j).condition();
                if (!a.metric().equals(b.metric()) || a.direction() == b.direction() || a.windows() != b.windows()) {
                    continue;
                }
                // higher_is_better fires on (-inf, t), lower_is_better on (t, +inf)
                double below = a.direction() == MetricDirection.HIGHER_IS_BETTER ? a.threshold() : b.threshold();
                double above = a.direction() == MetricDirection.LOWER_IS_BETTER ? a.threshold() : b.threshold();
                if (above >= below) {
                    String p = bounds.get(j).path();
                    throw new InvalidArgumentException(p, p + " can never fire together with "
                            + bounds.get(i).path() + ": " + describe(b) + " and " + describe(a) + " exclude each "
                            + "other, so all of them never fire");
                }
            }
        }
    }

    private static void collect(List<Condition> conditions, String path, List<Bound> out) {
        for (int i = 0; i < conditions.size(); i++) {
            Condition c = conditions.get(i);
            String p = path + "[" + i + "]";
            if (c instanceof Condition.MetricThreshold m) {
                out.add(new Bound(p, m));
            } else if (c instanceof Condition.AllOf a) {
                collect(a.conditions(), p + ".conditions", out);
            } else if (c instanceof Condition.AtLeast a && a.k() == a.conditions().size()) {
                collect(a.conditions(), p + ".conditions", out);
            } else if (c instanceof Condition.AnyOf a && a.conditions().size() == 1) {
                collect(a.conditions(), p + ".conditions", out);
            }
        }
    }

    static String describe(Condition.MetricThreshold m) {
        return metric(m.metric(), m.windows()) + (m.direction() == MetricDirection.HIGHER_IS_BETTER ? " < " : " > ")
                + CanonicalJson.formatNumber(m.threshold());
    }

    /** {@code accuracy}, or {@code mean accuracy of the last 3 windows}. */
    static String metric(String metric, int windows) {
        return windows == 1 ? metric : "mean " + metric + " of the last " + windows + " windows";
    }

    private static void guards(Guards g) {
        g.hysteresis().ifPresent(h -> {
            if (h.required() < 1) {
                throw bad("guards.hysteresis.required", "must be >= 1, was " + h.required());
            }
            if (h.of() < h.required()) {
                throw bad("guards.hysteresis.of", "must be >= required (" + h.required() + "), was " + h.of());
            }
            if (h.of() > Guards.Hysteresis.MAX_OF) {
                throw bad("guards.hysteresis.of", "must be <= " + Guards.Hysteresis.MAX_OF + ", was " + h.of());
            }
        });
        g.warmUp().ifPresent(w -> {
            if (w.windows() < 1) {
                throw bad("guards.warm_up.windows", "must be >= 1, was " + w.windows());
            }
        });
        g.cooldown().ifPresent(c -> {
            if (c.minTime().isNegative()) {
                throw bad("guards.cooldown.min_time", "must be >= 0, was " + c.minTime());
            }
            if (c.minRows() < 0) {
                throw bad("guards.cooldown.min_rows", "must be >= 0, was " + c.minRows());
            }
            if (c.minTime().isZero() && c.minRows() == 0) {
                throw bad("guards.cooldown", "needs min_time > 0 or min_rows > 0");
            }
        });
        g.budget().ifPresent(b -> {
            if (b.max() < 1 || b.max() > MAX_BUDGET) {
                throw bad("guards.budget.max", "must be in [1, " + MAX_BUDGET + "], was " + b.max());
            }
            positive("guards.budget.period", b.period());
        });
        g.backoff().ifPresent(b -> {
            positive("guards.backoff.initial", b.initial());
            if (!(Double.isFinite(b.multiplier()) && b.multiplier() >= 1)) {
                throw bad("guards.backoff.multiplier", "must be a finite number >= 1, was " + b.multiplier());
            }
            if (b.max().compareTo(b.initial()) < 0) {
                throw bad("guards.backoff.max", "must be >= initial (" + b.initial() + "), was " + b.max());
            }
        });
        g.allowed().ifPresent(a -> {
            if (a.windows().isEmpty()) {
                throw bad("guards.allowed_times.windows", "must not be empty");
            }
            for (int i = 0; i < a.windows().size(); i++) {
                Guards.TimeWindow w = a.windows().get(i);
                String p = "guards.allowed_times.windows[" + i + "]";
                if (w == null) {
                    throw bad(p, "is required");
                }
                if (w.days().isEmpty()) {
                    throw bad(p + ".days", "must not be empty");
                }
                if (w.from().equals(w.to())) {
                    throw bad(p + ".to", "must differ from from (" + w.from() + ")");
                }
            }
        });
    }

    /** Checks the policy against a context. */
    public static void validate(RetrainingPolicy policy, PolicyContext context) {
        walk(policy.trigger(), "", context);
    }

    private static void walk(Condition c, String path, PolicyContext context) {
        if (c instanceof Condition.ColumnDrift d) {
            column(child(path, "column"), d.column(), context);
        } else if (c instanceof Condition.ColumnScore s) {
            column(child(path, "column"), s.column(), context);
        } else if (c instanceof Condition.MetricThreshold m) {
            metric(child(path, "metric"), m.metric(), context);
        } else if (c instanceof Condition.MetricVsBaseline m) {
            metric(child(path, "metric"), m.metric(), context);
        } else if (c instanceof Condition.Decay d) {
            context.detectors().ifPresent(f -> detector(path, d, f));
        } else if (c instanceof Condition.AnyOf a) {
            walkAll(a.conditions(), path, context);
        } else if (c instanceof Condition.AllOf a) {
            walkAll(a.conditions(), path, context);
        } else if (c instanceof Condition.AtLeast a) {
            walkAll(a.conditions(), path, context);
        }
    }

    private static void walkAll(List<Condition> conditions, String path, PolicyContext context) {
        for (int i = 0; i < conditions.size(); i++) {
            walk(conditions.get(i), child(path, "conditions") + "[" + i + "]", context);
        }
    }

    private static void column(String path, String column, PolicyContext context) {
        context.columns().ifPresent(known -> {
            if (!known.contains(column)) {
                throw bad(path, "names unknown column '" + column + "'; known: " + sorted(known));
            }
        });
    }

    private static void metric(String path, String metric, PolicyContext context) {
        context.metrics().ifPresent(known -> {
            if (!known.contains(metric)) {
                throw bad(path, "names unknown metric '" + metric + "'; known: " + sorted(known));
            }
        });
    }

    private static void detector(String path, Condition.Decay d, DetectorFactory factory) {
        String f = child(path, "detector");
        if (!factory.names().contains(d.detector())) {
            throw bad(f, "names detector '" + d.detector() + "' that is not available; available: "
                    + sorted(factory.names()));
        }
        parameters(path, d, factory);
    }

    /**
     * Creates the decay condition's detector with its parameters, turning the factory's error into one at
     * {@code <path>.params.<name>} (or {@code <path>.detector}) whose message starts with that path.
     */
    private static void parameters(String path, Condition.Decay d, DetectorFactory factory) {
        try {
            factory.create(d.detector(), d.params());
        } catch (InvalidArgumentException e) {
            String field = e.field().orElse("params");
            String sub = child(path, field);
            String message = e.getMessage();
            throw new InvalidArgumentException(sub, message.startsWith(field + " ")
                    ? sub + message.substring(field.length()) : sub + ": " + message, e);
        }
    }

    private static String sorted(Set<String> names) {
        return String.join(", ", new java.util.TreeSet<>(names));
    }

    private static void key(String path, String value) {
        Validate.key(path, value);
    }

    private static void finite(String path, double value) {
        if (!Double.isFinite(value)) {
            throw bad(path, "must be a finite number, was " + value);
        }
    }

    private static void positive(String path, double value) {
        finite(path, value);
        if (value <= 0) {
            throw bad(path, "must be > 0, was " + value);
        }
    }

    private static void positive(String path, Duration value) {
        if (value.isNegative() || value.isZero()) {
            throw bad(path, "must be > 0, was " + value);
        }
    }
}
