package dev.mlops.drift;

import dev.mlops.InvalidArgumentException;
import dev.mlops.internal.drift.CountTests;
import dev.mlops.internal.drift.DoubleSort;
import dev.mlops.internal.drift.KolmogorovSmirnov;
import dev.mlops.internal.drift.NumericBins;
import dev.mlops.internal.drift.NumericTests;
import dev.mlops.internal.drift.Outcome;
import dev.mlops.internal.drift.RankTests;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.TreeSet;

/**
 * The two-sample drift methods on raw values, as {@code cli-contract.md} defines them and SciPy computes them:
 * reference against current, numeric samples as {@code double[]}, categorical columns as counts per category.
 *
 * <p>Inputs are not modified (numeric samples are copied and sorted once per call, by a radix sort for large samples).
 * Numeric values must be finite (leave missing values out before calling); {@code -0.0} counts as {@code 0.0}.
 * Categorical counts must be non-negative with at least one positive count a side; categories are compared in
 * {@link String#compareTo} order. Bad input throws {@link InvalidArgumentException} naming {@code reference},
 * {@code current}, {@code method} or {@code threshold}. Where SciPy would return NaN or raise (fewer than two values,
 * constant samples for {@code t_test} or {@code anderson_darling}, ...), the result has an empty statistic and/or
 * p-value, a note, and no drift. Thread-safe (stateless).
 */
public final class TwoSampleTests {
    private TwoSampleTests() {
    }

    /** Runs one numeric method at its default threshold ({@link DriftMethod#defaultThreshold()}). */
    public static MethodResult numeric(DriftMethod method, double[] reference, double[] current) {
        return runNumeric(List.of(checkNumeric(method)), reference, current, DriftMethod.DEFAULT_ALPHA, Double.NaN)
                .get(0);
    }

    /**
     * Runs one numeric method at {@code threshold} (alpha for a p-value method, the distance threshold in the
     * statistic's unit for a distance).
     */
    public static MethodResult numeric(DriftMethod method, double[] reference, double[] current, double threshold) {
        checkThreshold(threshold);
        return runNumeric(List.of(checkNumeric(method)), reference, current, DriftMethod.DEFAULT_ALPHA, threshold)
                .get(0);
    }

    /**
     * Runs several numeric methods on one pair of samples, sorting each sample once. p-value methods are judged at
     * {@code alpha}, distances at their default thresholds.
     */
    public static List<MethodResult> numeric(Collection<DriftMethod> methods, double[] reference, double[] current,
            double alpha) {
        checkThreshold(alpha);
        if (methods == null || methods.isEmpty()) {
            throw new InvalidArgumentException("method", "at least one method is required");
        }
        List<DriftMethod> list = new ArrayList<>(methods.size());
        for (DriftMethod m : methods) {
            list.add(checkNumeric(m));
        }
        return runNumeric(list, reference, current, alpha, Double.NaN);
    }

    /** As {@link #numeric(Collection, double[], double[], double)} with the sort's work arrays of the caller. */
    static List<MethodResult> numeric(List<DriftMethod> methods, double[] reference, double[] current, double alpha,
            DoubleSort.Scratch scratch) {
        checkThreshold(alpha);
        for (DriftMethod m : methods) {
            checkNumeric(m);
        }
        return runNumeric(methods, reference, current, alpha, Double.NaN, scratch);
    }

    private static DriftMethod checkNumeric(DriftMethod m) {
        if (m == null || !m.appliesToNumeric()) {
            throw new InvalidArgumentException("method", "method " + (m == null ? "null" : m.id())
                    + " does not apply to numeric columns");
        }
        return m;
    }

    private static List<MethodResult> runNumeric(List<DriftMethod> methods, double[] reference, double[] current,
            double alpha, double explicitThreshold) {
        return runNumeric(methods, reference, current, alpha, explicitThreshold, new DoubleSort.Scratch());
    }

    private static List<MethodResult> runNumeric(List<DriftMethod> methods, double[] reference, double[] current,
            double alpha, double explicitThreshold, DoubleSort.Scratch scratch) {
        double[] ref = sortedCopy("reference", reference, scratch, 0);
        double[] cur = sortedCopy("current", current, scratch, 1);
        NumericBins bins = null;
        long[] refCounts = null;
        long[] curCounts = null;
        List<MethodResult> out = new ArrayList<>(methods.size());
        for (DriftMethod m : methods) {
            boolean explicit = !Double.isNaN(explicitThreshold);
            double threshold = explicit ? explicitThreshold
                    : m.kind() == DriftMethod.Kind.P_VALUE ? alpha : m.defaultThreshold();
            Outcome o;
            switch (m) {
                case KS: {
                    KolmogorovSmirnov.Result r = KolmogorovSmirnov.testSorted(ref, cur);
                    o = new Outcome(r.statistic(), r.pValue(), r.exact() ? null : "asymptotic p-value", null);
                    break;
                }
                case CRAMER_VON_MISES:
                    o = RankTests.cramerVonMises(ref, cur);
                    break;
                case ANDERSON_DARLING:
                    o = RankTests.andersonDarling(ref, cur);
                    break;
                case MANN_WHITNEY:
                    o = RankTests.mannWhitney(ref, cur);
                    break;
                case T_TEST:
                    o = NumericTests.welch(ref, cur);
                    break;
                case WASSERSTEIN:
                case ENERGY: {
                    double d = m == DriftMethod.WASSERSTEIN ? NumericTests.wasserstein(ref, cur)
                            : NumericTests.energy(ref, cur);
                    o = Outcome.ofDistance(d);
                    if (!explicit) {
                        double sd = NumericTests.populationStd(ref);
                        threshold = sd > 0 ? m.defaultThreshold() * sd : Double.MIN_VALUE;
                    }
                    break;
                }
                case WASSERSTEIN_NORMED: {
                    double sd = NumericTests.populationStd(ref);
                    o = sd > 0 ? Outcome.ofDistance(NumericTests.wasserstein(ref, cur) / sd)
                            : Outcome.ofUndefined("wasserstein_normed is undefined: the reference is constant");
                    break;
                }
                default: {
                    if (bins == null) {
                        bins = NumericBins.fit(ref);
                        refCounts = bins.counts(ref);
                        curCounts = bins.counts(cur);
                    }
                    o = CountTests.distance(m.id(), refCounts, curCounts, null);
                    break;
                }
            }
            out.add(result(m, o, threshold));
        }
        return out;
    }

    /** Runs one categorical method at its default threshold. */
    public static MethodResult categorical(DriftMethod method, Map<String, Long> reference,
            Map<String, Long> current) {
        return categorical(method, reference, current, method == null ? 0 : method.defaultThreshold());
    }

    /**
     * Runs one categorical method on category counts at {@code threshold}. {@code z} and {@code fisher_exact} need
     * exactly two categories in the union; with another number the result is empty with a note.
     */
    public static MethodResult categorical(DriftMethod method, Map<String, Long> reference,
            Map<String, Long> current, double threshold) {
        if (method == null || !method.appliesToCategorical()) {
            throw new InvalidArgumentException("method", "method " + (method == null ? "null" : method.id())
                    + " does not apply to categorical columns");
        }
        checkThreshold(threshold);
        checkCounts("reference", reference);
        checkCounts("current", current);
        TreeSet<String> union = new TreeSet<>();
        reference.forEach((k, v) -> {
            if (v > 0) {
                union.add(k);
            }
        });
        current.forEach((k, v) -> {
            if (v > 0) {
                union.add(k);
            }
        });
        String[] labels = union.toArray(new String[0]);
        long[] r = new long[labels.length];
        long[] c = new long[labels.length];
        for (int i = 0; i < labels.length; i++) {
            r[i] = reference.getOrDefault(labels[i], 0L);
            c[i] = current.getOrDefault(labels[i], 0L);
        }
        Outcome o;
        switch (method) {
            case CHI2:
                o = CountTests.chi2(r, c, false);
                break;
            case G_TEST:
                o = CountTests.chi2(r, c, true);
                break;
            case Z:
            case FISHER_EXACT:
                if (labels.length != 2) {
                    o = Outcome.ofUndefined(method.id() + " needs exactly two categories, found " + labels.length);
                } else {
                    o = method == DriftMethod.Z ? CountTests.twoProportionZ(r, c) : CountTests.fisher(r, c);
                }
                break;
            default:
                o = CountTests.distance(method.id(), r, c, labels);
                break;
        }
        return result(method, o, threshold);
    }

    /**
     * The bin counts the binned methods use for a numeric column: {@code [0]} the reference's, {@code [1]} the
     * current's, bins fitted on the reference as the contract says (bins empty on both sides not yet dropped).
     */
    public static long[][] numericBinCounts(double[] reference, double[] current) {
        DoubleSort.Scratch scratch = new DoubleSort.Scratch();
        double[] ref = sortedCopy("reference", reference, scratch, 0);
        double[] cur = sortedCopy("current", current, scratch, 1);
        NumericBins bins = NumericBins.fit(ref);
        return new long[][] {bins.counts(ref), bins.counts(cur)};
    }

    private static MethodResult result(DriftMethod m, Outcome o, double threshold) {
        OptionalDouble stat = Double.isFinite(o.statistic()) ? OptionalDouble.of(o.statistic())
                : OptionalDouble.empty();
        OptionalDouble p = m.kind() == DriftMethod.Kind.P_VALUE && Double.isFinite(o.pValue())
                ? OptionalDouble.of(o.pValue()) : OptionalDouble.empty();
        String note = o.note();
        if (note == null && stat.isEmpty()) {
            note = m.id() + " statistic is not finite";
        } else if (note == null && m.kind() == DriftMethod.Kind.P_VALUE && p.isEmpty()) {
            note = m.id() + " p-value is not finite";
        }
        boolean drift;
        if (m.kind() == DriftMethod.Kind.P_VALUE) {
            drift = p.isPresent() && p.getAsDouble() < threshold
                    && (stat.isPresent() || m == DriftMethod.FISHER_EXACT);
        } else {
            drift = stat.isPresent() && stat.getAsDouble() >= threshold;
        }
        return new MethodResult(m, stat, p, threshold, drift, Optional.ofNullable(note),
                Optional.ofNullable(o.category()));
    }

    private static void checkThreshold(double threshold) {
        if (!Double.isFinite(threshold) || threshold < 0) {
            throw new InvalidArgumentException("threshold", "threshold must be a finite number >= 0, was "
                    + threshold);
        }
    }

    /** A sorted copy in the scratch's buffer {@code slot}: it must not outlive the call that made it. */
    private static double[] sortedCopy(String field, double[] values, DoubleSort.Scratch scratch, int slot) {
        if (values == null) {
            throw new InvalidArgumentException(field, field + " must not be null");
        }
        if (values.length == 0) {
            throw new InvalidArgumentException(field, field + " has no values");
        }
        double[] copy = scratch.buffer(slot, values.length);
        for (int i = 0; i < values.length; i++) {
            double v = values[i];
            if (!Double.isFinite(v)) {
                throw new InvalidArgumentException(field, field + "[" + i + "] is not finite: " + v);
            }
            copy[i] = v + 0.0;
        }
        DoubleSort.sort(copy, scratch);
        return copy;
    }

    private static void checkCounts(String field, Map<String, Long> counts) {
        if (counts == null) {
            throw new InvalidArgumentException(field, field + " must not be null");
        }
        long total = 0;
        for (Map.Entry<String, Long> e : counts.entrySet()) {
            if (e.getKey() == null || e.getValue() == null || e.getValue() < 0) {
                throw new InvalidArgumentException(field, field + " holds a null category or a null or negative"
                        + " count (" + e.getKey() + " = " + e.getValue() + ")");
            }
            total = Math.addExact(total, e.getValue());
        }
        if (total == 0) {
            throw new InvalidArgumentException(field, field + " has no values");
        }
    }
}
