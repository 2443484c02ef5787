package dev.mlops.internal.drift;

import dev.mlops.drift.ColumnProfile;
import dev.mlops.drift.DriftAnalyzer;
import dev.mlops.drift.DriftMethod;
import dev.mlops.drift.FrequentItemsRow;
import dev.mlops.drift.KllQuantiles;
import dev.mlops.drift.ProfileCategories;
import dev.mlops.drift.ProfileKind;
import dev.mlops.drift.ProfileMethodResult;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.commons.statistics.distribution.NormalDistribution;

/**
 * The statistics of {@link dev.mlops.drift.ProfileComparison}: KS from the two sketches ({@link WindowComparison#ks}),
 * binned distances on bins fitted on the reference profile with interval error bounds, and share changes of
 * categories. Stateless and thread-safe. See docs/drift.md, "Drift from profiles".
 */
public final class ProfileStatistics {
    private static final NormalDistribution STANDARD_NORMAL = NormalDistribution.of(0, 1);
    private static final double[] DECILES = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9};
    private static final DriftMethod[] BINNED = {DriftMethod.PSI, DriftMethod.JENSEN_SHANNON, DriftMethod.HELLINGER,
        DriftMethod.TVD};

    private ProfileStatistics() {
    }

    /** Both columns of the same kind; at the defaults (alpha 0.05, {@link DriftAnalyzer}'s minimum effects). */
    public static List<ProfileMethodResult> compare(ColumnProfile ref, ColumnProfile cur) {
        return compare(ref, cur, DriftMethod.DEFAULT_ALPHA, DriftAnalyzer.DEFAULT_MIN_NUMERIC_EFFECT,
                DriftAnalyzer.DEFAULT_MIN_CATEGORICAL_EFFECT);
    }

    /**
     * Both columns of the same kind. {@code ks} and {@code l_infinity} are judged at {@code alpha} and their
     * threshold is the minimum effect of the column's kind ({@code minNumericEffect} or {@code minCategoricalEffect});
     * the binned distances at their default thresholds.
     */
    public static List<ProfileMethodResult> compare(ColumnProfile ref, ColumnProfile cur, double alpha,
            double minNumericEffect, double minCategoricalEffect) {
        return ref.kind() == ProfileKind.NUMERIC ? numeric(ref, cur, alpha, minNumericEffect)
                : categorical(ref, cur, alpha, minCategoricalEffect);
    }

    private static ProfileMethodResult undefined(DriftMethod m, double threshold, String note) {
        return new ProfileMethodResult(m, OptionalDouble.empty(), 0, OptionalDouble.empty(), threshold, false,
                Optional.of(note));
    }

    static List<ProfileMethodResult> numeric(ColumnProfile refCol, ColumnProfile curCol, double alpha,
            double ksThreshold) {
        KllQuantiles r = refCol.quantiles().orElseThrow();
        KllQuantiles c = curCol.quantiles().orElseThrow();
        List<ProfileMethodResult> out = new ArrayList<>();
        if (r.n() == 0 || c.n() == 0) {
            out.add(undefined(DriftMethod.KS, ksThreshold, "no finite values on one side"));
            for (DriftMethod m : BINNED) {
                out.add(undefined(m, m.defaultThreshold(), "no finite values on one side"));
            }
            return out;
        }
        out.add(ks(r, c, alpha, ksThreshold));
        Histogram h = histogram(refCol, curCol); // bins fitted on the reference profile, shares with their errors
        for (DriftMethod m : BINNED) {
            out.add(binned(m, h.referenceShares(), h.referenceErrors(), r.n(), h.currentShares(),
                    h.currentErrors(), c.n()));
        }
        return out;
    }

    /**
     * The bins of the binned methods for a numeric column, fitted on the reference profile, with each side's share of
     * every bin and the error of that share (see {@link #masses}). Value bins ({@code valueBins}): {@code edges} are
     * the reference's distinct values, bin i holds {@code edges[i]} and the last bin every other value. Decile bins:
     * {@code edges} are split points, bin 0 holds the values at or below {@code edges[0]} (the value just below the
     * reference minimum, so: below the minimum), bin i {@code (edges[i-1], edges[i]]}, the last bin the values above
     * the reference maximum; bin 1 starts at the minimum. Immutable by convention (the arrays are not shared).
     */
    public record Histogram(double[] edges, boolean valueBins, double[] referenceShares, double[] referenceErrors,
            double[] currentShares, double[] currentErrors) {
        /** The number of bins. */
        public int size() {
            return referenceShares.length;
        }
    }

    /**
     * The histogram of two numeric column profiles on the reference's bins, the bins and shares the binned methods
     * use.
     *
     * @throws IllegalArgumentException when a side is not numeric or has no finite values
     */
    public static Histogram histogram(ColumnProfile refCol, ColumnProfile curCol) {
        KllQuantiles r = refCol.quantiles().orElseThrow(() -> new IllegalArgumentException("not numeric"));
        KllQuantiles c = curCol.quantiles().orElseThrow(() -> new IllegalArgumentException("not numeric"));
        if (r.n() == 0 || c.n() == 0) {
            throw new IllegalArgumentException("no finite values on one side");
        }
        double[] edges;
        boolean valueBins;
        Optional<SortedMap<Double, Long>> distinct = refCol.distinctValues();
        if (distinct.isPresent()) {
            valueBins = true;
            edges = distinct.get().keySet().stream().mapToDouble(Double::doubleValue).toArray();
        } else {
            valueBins = false;
            double[] sorted = r.isExact() ? r.values() : null;
            double[] q = new double[DECILES.length];
            int u = 0;
            for (double d : DECILES) {
                double v = sorted != null ? NumericBins.quantile(sorted, d) : r.quantile(d).getAsDouble();
                if (u == 0 || v != q[u - 1]) {
                    q[u++] = v;
                }
            }
            // split points: below the minimum | [min, q0] | (q0, q1] | ... | (q_last, max] | above the maximum
            edges = new double[u + 2];
            edges[0] = Math.nextDown(r.min().getAsDouble());
            System.arraycopy(q, 0, edges, 1, u);
            edges[u + 1] = r.max().getAsDouble();
        }
        double[][] rm = masses(r, refCol.distinctValues(), edges, valueBins);
        double[][] cm = masses(c, curCol.distinctValues(), edges, valueBins);
        return new Histogram(edges, valueBins, rm[0], rm[1], cm[0], cm[1]);
    }

    /**
     * KS between two sketches. The error bound is the sum of the two normalized rank errors (each sketch's
     * distribution function is off by at most its rank error everywhere, so their difference by at most the sum).
     * When both sketches are exact, their retained values are the raw values and the p-value is SciPy's.
     */
    static ProfileMethodResult ks(KllQuantiles r, KllQuantiles c, double alpha, double threshold) {
        double bound = r.normalizedRankError() + c.normalizedRankError();
        if (r.isExact() && c.isExact()) {
            KolmogorovSmirnov.Result k = KolmogorovSmirnov.testSorted(positiveZero(r.values()),
                    positiveZero(c.values()));
            boolean drift = k.pValue() < alpha && k.statistic() > threshold;
            return new ProfileMethodResult(DriftMethod.KS, OptionalDouble.of(k.statistic()), 0,
                    OptionalDouble.of(k.pValue()), threshold, drift, Optional.empty());
        }
        double d = WindowComparison.ks(r, c);
        double p = ksBoundPValue(d - bound, r.n(), c.n());
        return new ProfileMethodResult(DriftMethod.KS, OptionalDouble.of(d), bound, OptionalDouble.of(p),
                threshold, p < alpha && d - bound > threshold, Optional.of("sketch KS: p_value is that of statistic"
                        + " - error_bound (conservative); drift when p_value < " + alpha + " and statistic"
                        + " - error_bound > threshold"));
    }

    /**
     * The asymptotic two-sample KS p-value ({@code kstwo.sf(d, round(n m / (n + m)))}, SciPy's asymptotic path) of
     * the smallest distance the sketches allow, {@code lowered = statistic - error_bound}. The raw-value distance is at
     * least {@code lowered} at the sketches' confidence and the p-value falls as the distance grows, so the raw-value
     * p-value is at most this one: a conservative p-value. It keeps small samples (a handful of current values against
     * a large reference) from drifting on a large but insignificant distance. 1 when {@code lowered <= 0}.
     */
    static double ksBoundPValue(double lowered, long n, long m) {
        if (!(lowered > 0)) {
            return 1.0;
        }
        double en = (double) n * m / ((double) n + m);
        double p = Kolmogorov.twoSidedSf(Math.max(1, Math.rint(en)), Math.min(1.0, lowered));
        return Math.min(1.0, Math.max(0.0, p));
    }

    /**
     * A conservative two-sided p-value for a change of a category's share by at least {@code lowered}
     * ({@code statistic - error_bound} of {@code l_infinity}): the two-proportion z-test with the largest standard error
     * any share allows, {@code 0.5 sqrt(1/n + 1/m)}. 1 when {@code lowered <= 0}.
     */
    static double shareBoundPValue(double lowered, long n, long m) {
        if (!(lowered > 0)) {
            return 1.0;
        }
        double z = lowered / (0.5 * Math.sqrt(1.0 / n + 1.0 / m));
        return Math.min(1.0, 2 * STANDARD_NORMAL.survivalProbability(z));
    }

    private static double[] positiveZero(double[] v) {
        for (int i = 0; i < v.length; i++) {
            if (v[i] == 0) {
                v[i] = 0.0;
            }
        }
        return v;
    }

    /**
     * Bin masses {0: share estimate, 1: error of the share}. Value bins ({@code valueBins}): one per reference value
     * and a last bin for every other value; a side with exact distinct counts has exact shares, else a value's share
     * is {@code rank(v) - rank(nextDown(v))}. Decile bins: {@code edges} are split points, bin i holds
     * {@code (edges[i-1], edges[i]]}, the first everything at or below {@code edges[0]}, the last everything above
     * the last. A share is a difference of two ranks, each within the rank error eps of the truth, so it is within
     * 2 eps (eps for the two end bins, which need one rank); exact sketches give 0.
     */
    static double[][] masses(KllQuantiles q, Optional<SortedMap<Double, Long>> distinct, double[] edges,
            boolean valueBins) {
        double n = q.n();
        double eps = q.normalizedRankError();
        int bins = edges.length + 1;
        double[] m = new double[bins];
        double[] e = new double[bins];
        if (valueBins) {
            if (distinct.isPresent()) {
                SortedMap<Double, Long> d = distinct.get();
                long other = q.n();
                for (int i = 0; i < edges.length; i++) {
                    long cnt = d.getOrDefault(edges[i], 0L);
                    m[i] = cnt / n;
                    other -= cnt;
                }
                m[bins - 1] = other / n;
            } else {
                double rest = 1;
                for (int i = 0; i < edges.length; i++) {
                    m[i] = q.rank(edges[i]) - q.rank(Math.nextDown(edges[i]));
                    e[i] = 2 * eps;
                    rest -= m[i];
                }
                m[bins - 1] = Math.max(0, rest);
                e[bins - 1] = Math.min(1, 2 * eps * edges.length);
            }
            return new double[][] {m, e};
        }
        double prev = 0;
        for (int i = 0; i < edges.length; i++) {
            double rk = q.rank(edges[i]);
            m[i] = rk - prev;
            e[i] = (i == 0 ? 1 : 2) * eps;
            prev = rk;
        }
        m[bins - 1] = 1 - prev;
        e[bins - 1] = eps;
        return new double[][] {m, e};
    }

    /** A binned distance from shares with per-bin errors; the bound from the distance's range over the error box. */
    static ProfileMethodResult binned(DriftMethod m, double[] r, double[] er, long nr, double[] c, double[] ec,
            long nc) {
        double s = distance(m, r, c);
        double[] range = range(m, r, er, nr, c, ec, nc);
        double lo = range[0];
        double hi = range[1];
        double bound = Math.max(0, Math.max(hi - s, s - lo));
        double threshold = m.defaultThreshold();
        return new ProfileMethodResult(m, OptionalDouble.of(s), bound, OptionalDouble.empty(), threshold,
                s - bound > threshold, bound == 0 ? Optional.empty()
                        : Optional.of("from sketches; drift when statistic - error_bound > threshold"));
    }

    static double distance(DriftMethod m, double[] r, double[] c) {
        double s = 0;
        for (int i = 0; i < r.length; i++) {
            s += term(m, r[i], c[i]);
        }
        return finish(m, s);
    }

    private static double finish(DriftMethod m, double s) {
        switch (m) {
            case JENSEN_SHANNON:
                return Math.sqrt(Math.max(0.0, s / 2.0 / Math.log(2)));
            case HELLINGER:
                return Math.sqrt(Math.max(0.0, 1.0 - s));
            case TVD:
                return 0.5 * s;
            default:
                return s;
        }
    }

    /** The per-bin term; as CountTests.distance (PSI replaces a zero share by its epsilon). */
    private static double term(DriftMethod m, double r, double c) {
        switch (m) {
            case PSI: {
                if (r == 0 && c == 0) {
                    return 0;
                }
                double ri = r == 0 ? CountTests.EPSILON : r;
                double ci = c == 0 ? CountTests.EPSILON : c;
                return (ci - ri) * Math.log(ci / ri);
            }
            case JENSEN_SHANNON: {
                double mm = (r + c) / 2.0;
                return relEntr(r, mm) + relEntr(c, mm);
            }
            case HELLINGER:
                return Math.sqrt(r * c);
            case TVD:
                return Math.abs(r - c);
            default:
                throw new IllegalArgumentException("not a binned method: " + m);
        }
    }

    private static double relEntr(double x, double y) {
        return x == 0 ? 0 : x * Math.log(x / y);
    }

    /**
     * The smallest and largest value of the distance when each share may be anywhere in [share - err, share + err]
     * (clipped to [0, 1]); each term is monotone in each share on either side of the diagonal (Hellinger: everywhere),
     * so its extremes over a box are at the box's corners, or 0 when the box meets the diagonal ({@code r = c}).
     * A share is a count over {@code n}, so it is 0 or at least {@code 1 / n}: PSI's replacement of a zero share by
     * its epsilon is covered by also trying 0, {@code 1 / n} and the epsilon when the box reaches them.
     */
    static double[] range(DriftMethod m, double[] r, double[] er, long nr, double[] c, double[] ec, long nc) {
        double sLo = 0;
        double sHi = 0;
        for (int i = 0; i < r.length; i++) {
            double[] rs = candidates(r[i], er[i], nr);
            double[] cs = candidates(c[i], ec[i], nc);
            double tLo = Double.POSITIVE_INFINITY;
            double tHi = Double.NEGATIVE_INFINITY;
            for (double a : rs) {
                for (double b : cs) {
                    double t = term(m, a, b);
                    tLo = Math.min(tLo, t);
                    tHi = Math.max(tHi, t);
                }
            }
            boolean meets = Math.max(rs[0], cs[0]) <= Math.min(rs[rs.length - 1], cs[cs.length - 1]);
            if (meets && m != DriftMethod.HELLINGER) {
                tLo = 0;
            }
            sLo += tLo;
            sHi += tHi;
        }
        double a = finish(m, sLo);
        double b = finish(m, sHi);
        return new double[] {Math.min(a, b), Math.max(a, b)};
    }

    /** Sorted candidate shares: the box's ends, and 1 / n and PSI's epsilon when inside the box. */
    private static double[] candidates(double v, double err, long n) {
        if (err == 0) {
            return new double[] {v};
        }
        double lo = Math.max(0, v - err);
        double hi = Math.min(1, v + err);
        double least = 1.0 / n;
        return java.util.stream.DoubleStream.of(lo, hi, least, CountTests.EPSILON)
                .filter(x -> x >= lo && x <= hi).sorted().distinct().toArray();
    }

    static List<ProfileMethodResult> categorical(ColumnProfile refCol, ColumnProfile curCol, double alpha,
            double linfThreshold) {
        ProfileCategories r = refCol.categories().orElseThrow();
        ProfileCategories c = curCol.categories().orElseThrow();
        List<ProfileMethodResult> out = new ArrayList<>();
        if (r.total() == 0 || c.total() == 0) {
            out.add(undefined(DriftMethod.L_INFINITY, linfThreshold, "no values on one side"));
            for (DriftMethod m : BINNED) {
                out.add(undefined(m, m.defaultThreshold(), "no values on one side"));
            }
            return out;
        }
        double d = WindowComparison.shareChange(r, c);
        double bound = WindowComparison.shareErrorBound(r, c);
        double p = shareBoundPValue(d - bound, r.total(), c.total());
        out.add(new ProfileMethodResult(DriftMethod.L_INFINITY, OptionalDouble.of(d), bound, OptionalDouble.of(p),
                linfThreshold, p < alpha && d - bound > linfThreshold, Optional.of(
                        (bound == 0 ? "exact counts" : "frequent-items counts") + "; p_value: two-proportion z-test of"
                        + " statistic - error_bound with the largest standard error (conservative); drift when"
                        + " p_value < " + alpha + " and statistic - error_bound > threshold")));
        if (!r.exact() || !c.exact()) {
            String note = "needs exact category counts on both sides (more than the category cap of distinct values)";
            for (DriftMethod m : BINNED) {
                out.add(undefined(m, m.defaultThreshold(), note));
            }
            return out;
        }
        TreeMap<String, long[]> both = new TreeMap<>();
        for (FrequentItemsRow row : r.items()) {
            both.computeIfAbsent(row.value(), k -> new long[2])[0] = row.lowerBound();
        }
        for (FrequentItemsRow row : c.items()) {
            both.computeIfAbsent(row.value(), k -> new long[2])[1] = row.lowerBound();
        }
        double[] rs = new double[both.size()];
        double[] cs = new double[both.size()];
        int i = 0;
        for (long[] v : both.values()) {
            rs[i] = (double) v[0] / r.total();
            cs[i] = (double) v[1] / c.total();
            i++;
        }
        double[] zero = new double[rs.length];
        for (DriftMethod m : BINNED) {
            out.add(binned(m, rs, zero, r.total(), cs, zero, c.total()));
        }
        return out;
    }
}
