package dev.mlops.drift;

import dev.mlops.InvalidArgumentException;
import dev.mlops.internal.drift.Corrections;
import dev.mlops.internal.drift.Decisions;
import dev.mlops.internal.drift.DoubleSort;
import dev.mlops.internal.drift.ProfileDrift;
import dev.mlops.internal.drift.QualityChecks;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Compares current columns with reference columns in memory and decides drift per column and for the dataset, as
 * {@code docs/drift.md} ("Decisions", "Schema and quality checks") documents.
 *
 * <p>The {@code auto} decision of a column: numeric and datetime columns are tested with {@code ks} (exact p-value up
 * to 10,000 values a side, asymptotic above) and their effect size is the {@code ks} statistic (the largest difference
 * between the shares of values at or below some value), minimum {@value #DEFAULT_MIN_NUMERIC_EFFECT}; categorical
 * columns are tested with {@code fisher_exact} when there are two categories and an expected cell count below 5, else
 * {@code chi2}, and their effect size is {@code l_infinity} (the largest change of one category's share), minimum
 * {@value #DEFAULT_MIN_CATEGORICAL_EFFECT}. The p-values of the
 * decided columns are corrected together; a column drifts when its p-value is at most the corrected threshold and its
 * effect size reaches the minimum. The dataset drifts when at least {@value #DEFAULT_SHARE} of the decided columns
 * drift.
 *
 * <p>Columns are compared in parallel on up to {@link Builder#parallelism(int)} threads that {@link #analyze} starts
 * for the call and stops before it returns (default: one per available processor); the report is the same whatever
 * the parallelism. Immutable and thread-safe; build one with {@link #builder()}.
 */
public final class DriftAnalyzer {
    /** Default minimum effect size of numeric columns: the {@code ks} statistic, one point of a cumulative share. */
    public static final double DEFAULT_MIN_NUMERIC_EFFECT = 0.01;
    /** Default minimum effect size of categorical columns: {@code l_infinity}, one point of one category's share. */
    public static final double DEFAULT_MIN_CATEGORICAL_EFFECT = 0.01;
    /** Default share of drifted columns at which the dataset drifts. */
    public static final double DEFAULT_SHARE = 0.5;
    /** Identifier-like: at least this many reference values ... */
    public static final int IDENTIFIER_MIN_VALUES = 20;
    /** ... and at least this share of them distinct (text or integers). */
    public static final double IDENTIFIER_DISTINCT_SHARE = 0.95;

    private enum Mode { AUTO, ALL, LIST }

    private final Mode mode;
    private final List<DriftMethod> methods;
    private final double alpha;
    private final Correction correction;
    private final double minNumericEffect;
    private final double minCategoricalEffect;
    private final double share;
    private final Set<String> forcedCategorical;
    private final List<String> columns;
    private final int parallelism;

    private DriftAnalyzer(Builder b) {
        this.mode = b.mode;
        this.methods = List.copyOf(b.methods);
        this.alpha = b.alpha;
        this.correction = b.correction;
        this.minNumericEffect = b.minNumericEffect;
        this.minCategoricalEffect = b.minCategoricalEffect;
        this.share = b.share;
        this.forcedCategorical = Set.copyOf(b.forcedCategorical);
        this.columns = b.columns == null ? null : List.copyOf(b.columns);
        this.parallelism = b.parallelism;
    }

    /** A builder with the defaults: methods auto, alpha 0.05, Benjamini-Hochberg, minimum effects, share 0.5. */
    public static Builder builder() {
        return new Builder();
    }

    /** Options of a {@link DriftAnalyzer}. Not thread-safe. */
    public static final class Builder {
        private Mode mode = Mode.AUTO;
        private List<DriftMethod> methods = List.of();
        private double alpha = DriftMethod.DEFAULT_ALPHA;
        private Correction correction = Correction.BENJAMINI_HOCHBERG;
        private double minNumericEffect = DEFAULT_MIN_NUMERIC_EFFECT;
        private double minCategoricalEffect = DEFAULT_MIN_CATEGORICAL_EFFECT;
        private double share = DEFAULT_SHARE;
        private Set<String> forcedCategorical = new LinkedHashSet<>();
        private List<String> columns;
        private int parallelism = Math.max(1, Runtime.getRuntime().availableProcessors());

        private Builder() {
        }

        /**
         * The most threads {@link DriftAnalyzer#analyze} uses to compare columns, at least 1 (1: the calling thread
         * alone). Default: {@link Runtime#availableProcessors()}. Each thread holds sorted copies of the two samples
         * of the column it compares (16 bytes per value) and 16 bytes per value of sort space.
         *
         * @throws InvalidArgumentException naming {@code parallelism} when below 1
         */
        public Builder parallelism(int threads) {
            if (threads < 1) {
                throw new InvalidArgumentException("parallelism", "parallelism must be at least 1, was " + threads);
            }
            parallelism = threads;
            return this;
        }

        /**
         * The methods whose results are reported, as the CLI's {@code --methods} takes them: {@code auto} (the
         * decision's test and effect size), {@code all} (every method that applies to the column), or a
         * comma-separated list of method names. The decision is always {@code auto}'s.
         *
         * @throws InvalidArgumentException naming {@code methods} for an empty spec or an unknown method
         */
        public Builder methods(String spec) {
            if (spec == null || spec.isBlank()) {
                throw new InvalidArgumentException("methods", "methods must be auto, all or a list of methods");
            }
            String s = spec.trim().toLowerCase(Locale.ROOT);
            if (s.equals("auto")) {
                mode = Mode.AUTO;
                methods = List.of();
            } else if (s.equals("all")) {
                mode = Mode.ALL;
                methods = List.of();
            } else {
                List<DriftMethod> list = new ArrayList<>();
                for (String part : s.split(",", -1)) {
                    DriftMethod m;
                    try {
                        m = DriftMethod.fromId(part);
                    } catch (InvalidArgumentException e) {
                        throw new InvalidArgumentException("methods", e.getMessage(), e);
                    }
                    if (!list.contains(m)) {
                        list.add(m);
                    }
                }
                mode = Mode.LIST;
                methods = list;
            }
            return this;
        }

        /** Reports these methods' results (those that do not apply to a column get an empty result with a note). */
        public Builder methods(Collection<DriftMethod> list) {
            if (list == null || list.isEmpty() || list.stream().anyMatch(java.util.Objects::isNull)) {
                throw new InvalidArgumentException("methods", "methods must be a non-empty list without nulls");
            }
            mode = Mode.LIST;
            methods = List.copyOf(new LinkedHashSet<>(list));
            return this;
        }

        /** Significance level, in (0, 1). */
        public Builder alpha(double value) {
            if (!(value > 0 && value < 1)) {
                throw new InvalidArgumentException("alpha", "alpha must be in (0, 1), was " + value);
            }
            alpha = value;
            return this;
        }

        public Builder correction(Correction value) {
            if (value == null) {
                throw new InvalidArgumentException("correction", "correction must not be null");
            }
            correction = value;
            return this;
        }

        /** Minimum {@code ks} statistic, in [0, 1]. */
        public Builder minNumericEffect(double value) {
            minNumericEffect = checkEffect("minNumericEffect", value);
            return this;
        }

        /** Minimum {@code l_infinity}, the largest change of one category's share, in [0, 1]. */
        public Builder minCategoricalEffect(double value) {
            minCategoricalEffect = checkEffect("minCategoricalEffect", value);
            return this;
        }

        /** Share of decided columns that must drift for the dataset to drift, in (0, 1]. */
        public Builder datasetDriftShare(double value) {
            if (!(value > 0 && value <= 1)) {
                throw new InvalidArgumentException("datasetDriftShare", "datasetDriftShare must be in (0, 1], was "
                        + value);
            }
            share = value;
            return this;
        }

        /** Columns compared as categorical whatever their values (numbers formatted as in {@link #format}). */
        public Builder categorical(Collection<String> names) {
            if (names == null || names.stream().anyMatch(java.util.Objects::isNull)) {
                throw new InvalidArgumentException("categorical", "categorical must be a list of names");
            }
            forcedCategorical = new LinkedHashSet<>(names);
            return this;
        }

        /**
         * The columns to compare, in this order; they are then in the decision whatever their type. A name on only
         * one side gets an error entry; a name on neither side fails the analysis. Default: every column.
         */
        public Builder columns(Collection<String> names) {
            if (names == null || names.isEmpty() || names.stream().anyMatch(java.util.Objects::isNull)) {
                throw new InvalidArgumentException("columns", "columns must be a non-empty list of names");
            }
            columns = List.copyOf(new LinkedHashSet<>(names));
            return this;
        }

        public DriftAnalyzer build() {
            return new DriftAnalyzer(this);
        }

        private static double checkEffect(String field, double value) {
            if (!(value >= 0 && value <= 1)) {
                throw new InvalidArgumentException(field, field + " must be in [0, 1], was " + value);
            }
            return value;
        }
    }

    /**
     * How a number of a column forced categorical becomes a category: integers (up to 2^53) without a fraction
     * ({@code "3"}), other values as {@link Double#toString} ({@code "2.5"}).
     */
    public static String format(double v) {
        if (v == Math.rint(v) && Math.abs(v) <= 9.007199254740992E15) {
            return Long.toString((long) v);
        }
        return Double.toString(v);
    }

    /** What one column needs for the decision, between the per-column pass and the correction. */
    private static final class Pending {
        String name;
        ColumnType type;
        OptionalLong refMissing = OptionalLong.empty();
        OptionalLong curMissing = OptionalLong.empty();
        long refCount;
        long curCount;
        boolean identifierLike;
        boolean inDecision;
        List<MethodResult> results = List.of();
        String note;
        String error;
        DriftMethod test;
        OptionalDouble pValue = OptionalDouble.empty();
        DriftMethod effect;
        OptionalDouble effectSize = OptionalDouble.empty();
        double minEffect;
        String category;
        final List<QualityCheck> checks = new ArrayList<>();
    }

    /**
     * Compares {@code current} with {@code reference}. Each map is column name to values, in column order (use a
     * {@link LinkedHashMap}); every column of one side must have the same number of rows.
     *
     * @throws InvalidArgumentException naming {@code reference} or {@code current} for a null map, a null column or
     *                                  columns of different row counts, or {@code columns} for a requested column on
     *                                  neither side
     */
    public DriftReport analyze(Map<String, ColumnValues> reference, Map<String, ColumnValues> current) {
        long refRows = rows("reference", reference);
        long curRows = rows("current", current);
        List<QualityCheck> checks = new ArrayList<>();
        List<SkippedColumn> skipped = new ArrayList<>();
        List<String> compare = new ArrayList<>();
        Set<String> named = new LinkedHashSet<>();
        for (String name : reference.keySet()) {
            if (!current.containsKey(name)) {
                checks.add(new QualityCheck(QualityCheck.Kind.MISSING_COLUMN, name, Map.of(),
                        "column '" + name + "' of the reference is not in the current data"));
            }
        }
        for (String name : current.keySet()) {
            if (!reference.containsKey(name)) {
                checks.add(new QualityCheck(QualityCheck.Kind.NEW_COLUMN, name, Map.of(),
                        "column '" + name + "' of the current data is not in the reference"));
            }
        }
        if (columns != null) {
            for (String name : columns) {
                if (!reference.containsKey(name) && !current.containsKey(name)) {
                    throw new InvalidArgumentException("columns", "column '" + name
                            + "' is in neither the reference nor the current data");
                }
                compare.add(name);
                named.add(name);
            }
        } else {
            for (String name : reference.keySet()) {
                if (current.containsKey(name)) {
                    compare.add(name);
                } else {
                    skipped.add(new SkippedColumn(name, "only in the reference"));
                }
            }
            for (String name : current.keySet()) {
                if (!reference.containsKey(name)) {
                    skipped.add(new SkippedColumn(name, "only in the current data"));
                }
            }
        }
        if (columns != null) {
            for (String name : reference.keySet()) {
                if (!named.contains(name)) {
                    skipped.add(new SkippedColumn(name, "not among the requested columns"));
                }
            }
            for (String name : current.keySet()) {
                if (!named.contains(name) && !reference.containsKey(name)) {
                    skipped.add(new SkippedColumn(name, "not among the requested columns"));
                }
            }
        }
        List<Pending> pending = compareAll(compare, reference, current, named);
        for (Pending p : pending) {
            checks.addAll(p.checks);
        }
        List<Double> ps = new ArrayList<>();
        for (Pending p : pending) {
            if (p.error == null && p.inDecision && p.pValue.isPresent()) {
                ps.add(p.pValue.getAsDouble());
            }
        }
        double[] pv = ps.stream().mapToDouble(Double::doubleValue).toArray();
        double threshold = Corrections.threshold(correction, alpha, pv);
        List<ColumnReport> reports = new ArrayList<>();
        int decided = 0;
        int drifted = 0;
        for (Pending p : pending) {
            Optional<ColumnDecision> decision = Optional.empty();
            if (p.error == null && p.inDecision) {
                ColumnDecision d = decide(p, threshold, pv.length);
                decision = Optional.of(d);
                decided++;
                if (d.drift()) {
                    drifted++;
                }
            }
            reports.add(new ColumnReport(p.name, Optional.ofNullable(p.type), p.refMissing, p.curMissing,
                    p.refCount, p.curCount, p.identifierLike, p.error == null && p.inDecision, p.results,
                    decision.map(ColumnDecision::drift).orElse(false), decision, Optional.ofNullable(p.note),
                    Optional.ofNullable(p.error)));
        }
        Decisions.Dataset dataset = Decisions.dataset(decided, drifted, share);
        return new DriftReport(refRows, curRows, alpha, correction, checks, reports, skipped, decided, drifted,
                dataset.share(), share, dataset.drift(), dataset.note());
    }

    /**
     * Compares a current profile with a reference profile, as {@link #analyze(DatasetProfile, DatasetProfile, Set)}
     * with no column known to hold datetimes.
     */
    public ProfileDriftReport analyze(DatasetProfile reference, DatasetProfile current) {
        return analyze(reference, current, Set.of());
    }

    /**
     * Compares a current profile with a reference profile from their sketches ({@link ProfileComparison}, each result
     * with its error bound) and decides drift per column and for the dataset by this analyzer's rule: the p-values of
     * the decided columns corrected together at {@link Builder#alpha alpha} ({@link Builder#correction correction}),
     * and an effect size of at least {@link Builder#minNumericEffect minNumericEffect} or
     * {@link Builder#minCategoricalEffect minCategoricalEffect}; the dataset drifts at
     * {@link Builder#datasetDriftShare datasetDriftShare}. The test and effect of a column are {@code ks} (numeric)
     * or {@code l_infinity} (categorical), with the p-value {@link ProfileMethodResult} documents, and the effect size
     * is {@code statistic - error_bound} (at least 0); with exact sketches on both sides a numeric column is decided
     * exactly as {@link #analyze(Map, Map)} decides its raw values. See docs/drift.md, "Drift from profiles".
     *
     * <p>Columns: as {@link Builder#columns} says (default every column of both profiles, in the reference's order,
     * the others listed as skipped); a requested column in one profile only, or of another kind there, gets an error
     * entry. {@link Builder#methods(String) methods}: {@code auto} and {@code all} show every result computed from
     * the profiles, a list those methods in that order (one that profiles cannot give gets an empty result with a
     * note). A column of {@code datetimeColumns} (a profile does not record that its numbers were datetimes) or
     * identifier-like in the reference profile (categorical, at least {@value #IDENTIFIER_MIN_VALUES} values, at
     * least {@value #IDENTIFIER_DISTINCT_SHARE} of them distinct) is reported but left out of the decision unless
     * named in {@code columns}; so is a column whose decision statistic is undefined (no values on a side). The kinds
     * are the profiles' ({@link Builder#categorical} applies to raw values only), and the comparison runs on the
     * calling thread.
     *
     * @param datetimeColumns names of columns that hold datetimes
     * @throws InvalidArgumentException naming {@code reference}, {@code current} or {@code datetimeColumns} when null,
     *                                  or {@code columns} for a requested column in neither profile
     */
    public ProfileDriftReport analyze(DatasetProfile reference, DatasetProfile current, Set<String> datetimeColumns) {
        return ProfileDrift.analyze(reference, current, datetimeColumns, new ProfileDrift.Settings(alpha, correction,
                minNumericEffect, minCategoricalEffect, share, columns, mode == Mode.LIST ? methods : null));
    }

    private ColumnDecision decide(Pending p, double threshold, int tests) {
        return Decisions.decide(p.test, p.pValue, alpha, correction, tests, threshold, p.effect, p.effect.id(),
                p.effectSize, p.minEffect, p.category);
    }

    private static long rows(String field, Map<String, ColumnValues> side) {
        if (side == null) {
            throw new InvalidArgumentException(field, field + " must not be null");
        }
        long rows = -1;
        String first = null;
        for (Map.Entry<String, ColumnValues> e : side.entrySet()) {
            if (e.getKey() == null || e.getValue() == null) {
                throw new InvalidArgumentException(field, field + " holds a null column name or values");
            }
            long r = e.getValue().rows();
            if (rows >= 0 && r != rows) {
                throw new InvalidArgumentException(field, field + " column '" + e.getKey() + "' has " + r
                        + " rows but column '" + first + "' has " + rows);
            }
            if (rows < 0) {
                rows = r;
                first = e.getKey();
            }
        }
        return Math.max(rows, 0);
    }

    /** Compares each column, on up to {@link #parallelism} threads; the results in the order of {@code names}. */
    private List<Pending> compareAll(List<String> names, Map<String, ColumnValues> reference,
            Map<String, ColumnValues> current, Set<String> named) {
        int threads = Math.min(parallelism, names.size());
        List<Pending> out = new ArrayList<>(names.size());
        if (threads <= 1) {
            DoubleSort.Scratch scratch = new DoubleSort.Scratch();
            for (String name : names) {
                out.add(column(name, reference.get(name), current.get(name), named.contains(name), scratch));
            }
            return out;
        }
        ThreadLocal<DoubleSort.Scratch> scratches = ThreadLocal.withInitial(DoubleSort.Scratch::new);
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "mlops-drift-analyzer");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<Pending>> futures = new ArrayList<>(names.size());
            for (String name : names) {
                futures.add(pool.submit(() -> column(name, reference.get(name), current.get(name),
                        named.contains(name), scratches.get())));
            }
            for (Future<Pending> f : futures) {
                out.add(f.get());
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while comparing columns", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new IllegalStateException(cause);
        } finally {
            pool.shutdownNow();
        }
    }

    private Pending column(String name, ColumnValues ref, ColumnValues cur, boolean named,
            DoubleSort.Scratch scratch) {
        Pending p = new Pending();
        List<QualityCheck> checks = p.checks;
        p.name = name;
        if (ref == null || cur == null) {
            ColumnValues present = ref == null ? cur : ref;
            p.type = forced(name, present.type());
            if (ref != null) {
                p.refMissing = OptionalLong.of(ref.missing());
                p.refCount = ref.count();
            } else {
                p.curMissing = OptionalLong.of(cur.missing());
                p.curCount = cur.count();
            }
            p.error = ref == null ? "column '" + name + "' is not in the reference"
                    : "column '" + name + "' is not in the current data";
            return p;
        }
        ColumnType rt = forced(name, ref.type());
        ColumnType ct = forced(name, cur.type());
        p.type = rt;
        p.refMissing = OptionalLong.of(ref.missing());
        p.curMissing = OptionalLong.of(cur.missing());
        p.refCount = ref.count();
        p.curCount = cur.count();
        if (rt != ct) {
            checks.add(new QualityCheck(QualityCheck.Kind.TYPE_CHANGED, name, Map.of(), "column '" + name
                    + "' is " + rt.id() + " in the reference but " + ct.id() + " in the current data"));
            p.error = "type changed: " + rt.id() + " in the reference, " + ct.id() + " in the current data";
            return p;
        }
        QualityCheck missingJump = QualityChecks.missingShare(name, ref.missing(), ref.rows(), cur.missing(),
                cur.rows());
        if (missingJump != null) {
            checks.add(missingJump);
        }
        if (ref.count() == 0 || cur.count() == 0) {
            String side = ref.count() == 0 ? "reference" : "current data";
            long missing = ref.count() == 0 ? ref.missing() : cur.missing();
            p.error = "no values left in the " + side + " after removing " + missing + " missing";
            return p;
        }
        if (rt == ColumnType.CATEGORICAL) {
            categorical(p, counts(ref), counts(cur), named, checks);
        } else {
            String bad = nonFinite("reference", ref.numbers());
            bad = bad != null ? bad : nonFinite("current", cur.numbers());
            if (bad != null) {
                p.error = bad + "; leave such values out as missing";
                return p;
            }
            numeric(p, ref.numbers(), cur.numbers(), named, checks, scratch);
        }
        return p;
    }

    private ColumnType forced(String name, ColumnType t) {
        return forcedCategorical.contains(name) ? ColumnType.CATEGORICAL : t;
    }

    private static String nonFinite(String side, double[] v) {
        for (int i = 0; i < v.length; i++) {
            if (!Double.isFinite(v[i])) {
                return side + " value " + i + " is not finite (" + v[i] + ")";
            }
        }
        return null;
    }

    private static Map<String, Long> counts(ColumnValues c) {
        Map<String, Long> counts = new HashMap<>();
        if (c.categories() != null) {
            for (String s : c.categories()) {
                counts.merge(s, 1L, Long::sum);
            }
        } else {
            for (double v : c.numbers()) {
                counts.merge(format(v), 1L, Long::sum);
            }
        }
        return counts;
    }

    private void numeric(Pending p, double[] ref, double[] cur, boolean named, List<QualityCheck> checks,
            DoubleSort.Scratch scratch) {
        QualityCheck range = QualityChecks.outOfRange(p.name, ref, cur);
        if (range != null) {
            checks.add(range);
        }
        p.identifierLike = p.type == ColumnType.NUMERIC && identifierLike(ref, scratch);
        exclusion(p, named);
        List<DriftMethod> run = new ArrayList<>(List.of(DriftMethod.KS, DriftMethod.WASSERSTEIN_NORMED));
        List<DriftMethod> shown = shownMethods(true);
        for (DriftMethod m : shown) {
            if (m.appliesToNumeric() && !run.contains(m)) {
                run.add(m);
            }
        }
        List<MethodResult> all = TwoSampleTests.numeric(run, ref, cur, alpha, scratch);
        MethodResult ks = all.get(0);
        p.results = pick(shown, all, p.type);
        p.test = DriftMethod.KS;
        p.pValue = ks.pValue();
        p.minEffect = minNumericEffect;
        p.effect = DriftMethod.KS;
        p.effectSize = ks.statistic();
    }

    private void categorical(Pending p, Map<String, Long> ref, Map<String, Long> cur, boolean named,
            List<QualityCheck> checks) {
        QualityCheck unseen = QualityChecks.unseen(p.name, ref, cur);
        if (unseen != null) {
            checks.add(unseen);
        }
        long n = 0;
        for (long v : ref.values()) {
            n += v;
        }
        p.identifierLike = n >= IDENTIFIER_MIN_VALUES && ref.size() >= IDENTIFIER_DISTINCT_SHARE * n;
        exclusion(p, named);
        p.test = categoricalTest(ref, cur);
        List<DriftMethod> shown = shownMethods(false);
        List<MethodResult> all = new ArrayList<>();
        MethodResult test = TwoSampleTests.categorical(p.test, ref, cur, alpha);
        MethodResult linf = TwoSampleTests.categorical(DriftMethod.L_INFINITY, ref, cur);
        all.add(test);
        all.add(linf);
        for (DriftMethod m : shown) {
            if (m.appliesToCategorical() && m != p.test && m != DriftMethod.L_INFINITY) {
                all.add(TwoSampleTests.categorical(m, ref, cur,
                        m.kind() == DriftMethod.Kind.P_VALUE ? alpha : m.defaultThreshold()));
            }
        }
        p.results = pick(shown, all, p.type);
        p.pValue = test.pValue();
        p.effect = DriftMethod.L_INFINITY;
        p.effectSize = linf.statistic();
        p.minEffect = minCategoricalEffect;
        p.category = linf.category().orElse(null);
    }

    /** fisher_exact for two categories with an expected cell count below 5, chi2 otherwise. */
    static DriftMethod categoricalTest(Map<String, Long> ref, Map<String, Long> cur) {
        Set<String> union = new LinkedHashSet<>();
        ref.forEach((k, v) -> {
            if (v > 0) {
                union.add(k);
            }
        });
        cur.forEach((k, v) -> {
            if (v > 0) {
                union.add(k);
            }
        });
        if (union.size() != 2) {
            return DriftMethod.CHI2;
        }
        double n1 = 0;
        double n2 = 0;
        for (String k : union) {
            n1 += ref.getOrDefault(k, 0L);
            n2 += cur.getOrDefault(k, 0L);
        }
        double total = n1 + n2;
        for (String k : union) {
            double col = ref.getOrDefault(k, 0L) + cur.getOrDefault(k, 0L);
            if (n1 * col / total < 5 || n2 * col / total < 5) {
                return DriftMethod.FISHER_EXACT;
            }
        }
        return DriftMethod.CHI2;
    }

    private void exclusion(Pending p, boolean named) {
        if (named) {
            p.inDecision = true;
        } else if (p.type == ColumnType.DATETIME) {
            p.note = "datetime column: reported, left out of the decision unless named in columns";
        } else if (p.identifierLike) {
            p.note = "identifier-like column (nearly every value distinct): reported, left out of the decision"
                    + " unless named in columns";
        } else {
            p.inDecision = true;
        }
    }

    /** The methods shown for a column kind; auto shows the decision's test and effect (filled by the caller). */
    private List<DriftMethod> shownMethods(boolean numeric) {
        switch (mode) {
            case ALL: {
                List<DriftMethod> list = new ArrayList<>();
                for (DriftMethod m : DriftMethod.values()) {
                    if (numeric ? m.appliesToNumeric() : m.appliesToCategorical()) {
                        list.add(m);
                    }
                }
                return list;
            }
            case LIST:
                return methods;
            default:
                return List.of();
        }
    }

    /** The shown results in the shown order (auto: the first two computed); inapplicable ones with a note. */
    private List<MethodResult> pick(List<DriftMethod> shown, List<MethodResult> computed, ColumnType type) {
        if (mode == Mode.AUTO) {
            return List.of(computed.get(0), computed.get(1));
        }
        List<MethodResult> out = new ArrayList<>(shown.size());
        for (DriftMethod m : shown) {
            MethodResult found = null;
            for (MethodResult r : computed) {
                if (r.method() == m) {
                    found = r;
                    break;
                }
            }
            if (found == null) {
                found = new MethodResult(m, OptionalDouble.empty(), OptionalDouble.empty(),
                        m.kind() == DriftMethod.Kind.P_VALUE ? alpha : m.defaultThreshold(), false,
                        Optional.of(m.id() + " does not apply to " + type.id() + " columns"), Optional.empty());
            }
            out.add(found);
        }
        return out;
    }

    private static boolean identifierLike(double[] ref, DoubleSort.Scratch scratch) {
        if (ref.length < IDENTIFIER_MIN_VALUES) {
            return false;
        }
        for (double v : ref) {
            if (v != Math.rint(v)) {
                return false;
            }
        }
        double[] s = ref.clone();
        DoubleSort.sort(s, scratch);
        long distinct = 1;
        for (int i = 1; i < s.length; i++) {
            if (s[i] != s[i - 1]) {
                distinct++;
            }
        }
        return distinct >= IDENTIFIER_DISTINCT_SHARE * s.length;
    }
}
