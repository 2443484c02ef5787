package dev.mlops.internal.drift;

import org.apache.commons.statistics.distribution.TDistribution;

/**
 * Welch's t-test ({@code ttest_ind(x, y, equal_var=False)}) and the distances between the empirical distributions
 * ({@code wasserstein_distance}, {@code energy_distance}), as SciPy computes them. Samples are sorted ascending,
 * finite, with -0.0 normalised to 0.0. Stateless.
 */
public final class NumericTests {
    private NumericTests() {
    }

    /**
     * Welch's t statistic and two-sided p-value; undefined below two values a side or with no variance at all.
     *
     * <p>Means and variances are computed from the values minus one common pivot (the median of {@code x}), so
     * that values far from zero compared with their spread (around 1e9, differing by 1e-6) do not lose the
     * difference of the means to cancellation, and scaled by a power of two (exact) so that squared deviations
     * neither overflow nor underflow: the statistic agrees with exact rational arithmetic on the given doubles to
     * about 1e-13 relative, where SciPy's (which sums the raw values) can be off in the first digit.
     */
    public static Outcome welch(double[] x, double[] y) {
        int n1 = x.length;
        int n2 = y.length;
        if (n1 < 2 || n2 < 2) {
            return Outcome.ofUndefined("t_test needs at least two values on each side");
        }
        double pivot = pivot(x, y);
        double inv = 1 / scale(pivot, x, y);
        double m1 = shiftedMean(x, pivot, inv);
        double m2 = shiftedMean(y, pivot, inv);
        double v1 = sumSquares(x, pivot, inv, m1) / (n1 - 1);
        double v2 = sumSquares(y, pivot, inv, m2) / (n2 - 1);
        double vn1 = v1 / n1;
        double vn2 = v2 / n2;
        double se2 = vn1 + vn2;
        if (se2 == 0) {
            if (m1 == m2) {
                return Outcome.ofUndefined("t_test is undefined: both samples are constant and equal");
            }
            return new Outcome(Double.NaN, 0.0, "t_test statistic is infinite: both samples are constant", null);
        }
        double t = (m1 - m2) / Math.sqrt(se2);
        double df = se2 * se2 / (vn1 * vn1 / (n1 - 1) + vn2 * vn2 / (n2 - 1));
        double p = 2 * TDistribution.of(df).survivalProbability(Math.abs(t));
        return Outcome.of(t, Math.min(1.0, p));
    }

    /**
     * The shift applied before summing: the middle value of the first sorted sample, or 0 when subtracting it from
     * a value of either sample could overflow (values beyond a quarter of the largest double, where cancellation is
     * not the concern).
     */
    static double pivot(double[] sorted, double[] other) {
        return inRange(sorted) && inRange(other) ? sorted[sorted.length / 2] : 0.0;
    }

    /**
     * A power of two near the largest |value - pivot| of the sorted samples (1 if there is none): deviations
     * divided by it lie in [-2, 2], so their squares neither overflow nor underflow, and the division is exact.
     */
    static double scale(double pivot, double[] sorted, double[] other) {
        double a = Math.max(Math.max(Math.abs(sorted[0] - pivot), Math.abs(sorted[sorted.length - 1] - pivot)),
                Math.max(Math.abs(other[0] - pivot), Math.abs(other[other.length - 1] - pivot)));
        return a == 0 ? 1.0 : Math.scalb(1.0, Math.max(-1022, Math.min(1023, Math.getExponent(a))));
    }

    private static boolean inRange(double[] sorted) {
        double lim = Double.MAX_VALUE / 4;
        return Math.abs(sorted[0]) <= lim && Math.abs(sorted[sorted.length - 1]) <= lim;
    }

    /** The mean of {@code (v[i] - pivot) * inv}, by compensated (Neumaier) summation. */
    static double shiftedMean(double[] v, double pivot, double inv) {
        double s = 0;
        double c = 0;
        for (double x : v) {
            double d = (x - pivot) * inv;
            double t = s + d;
            if (Math.abs(s) >= Math.abs(d)) {
                c += (s - t) + d;
            } else {
                c += (d - t) + s;
            }
            s = t;
        }
        return (s + c) / v.length;
    }

    /** The compensated sum of {@code ((v[i] - pivot) * inv - shiftedMean)^2}. */
    static double sumSquares(double[] v, double pivot, double inv, double shiftedMean) {
        double s = 0;
        double c = 0;
        for (double d : v) {
            double e = (d - pivot) * inv - shiftedMean;
            double sq = e * e;
            double t = s + sq;
            if (Math.abs(s) >= sq) {
                c += (s - t) + sq;
            } else {
                c += (sq - t) + s;
            }
            s = t;
        }
        return s + c;
    }

    /**
     * Population standard deviation ({@code numpy.std}, ddof 0) of a sorted sample, computed about its middle value
     * and scaled as {@link #welch} does, so that it does not cancel for values far from zero compared with their
     * spread, nor overflow for a spread beyond 1e154.
     */
    public static double populationStd(double[] v) {
        double pivot = pivot(v, v);
        double scale = scale(pivot, v, v);
        double inv = 1 / scale;
        return Math.sqrt(sumSquares(v, pivot, inv, shiftedMean(v, pivot, inv)) / v.length) * scale;
    }

    /**
     * {@code integral |F_x - F_y|^p} over the pooled values, for p = 1 (Wasserstein-1) and p = 2 (the square of the
     * energy distance divided by 2), summed with compensation.
     */
    static double[] cdfDistances(double[] x, double[] y) {
        int n1 = x.length;
        int n2 = y.length;
        double dn1 = n1;
        double dn2 = n2;
        int i = 0;
        int j = 0;
        double s1 = 0;
        double c1 = 0;
        double s2 = 0;
        double c2 = 0;
        double prev = Double.NaN;
        double prevDiff = 0;
        while (i < n1 || j < n2) {
            double v = (j >= n2 || (i < n1 && x[i] <= y[j])) ? x[i] : y[j];
            if (!Double.isNaN(prev)) {
                double delta = v - prev;
                double t1 = Math.abs(prevDiff) * delta;
                double t2 = prevDiff * prevDiff * delta;
                double u = s1 + t1;
                c1 += Math.abs(s1) >= Math.abs(t1) ? (s1 - u) + t1 : (t1 - u) + s1;
                s1 = u;
                u = s2 + t2;
                c2 += Math.abs(s2) >= Math.abs(t2) ? (s2 - u) + t2 : (t2 - u) + s2;
                s2 = u;
            }
            while (i < n1 && x[i] == v) {
                i++;
            }
            while (j < n2 && y[j] == v) {
                j++;
            }
            prevDiff = i / dn1 - j / dn2;
            prev = v;
        }
        return new double[] {s1 + c1, s2 + c2};
    }

    /** {@code wasserstein_distance(x, y)}, in the unit of the data. */
    public static double wasserstein(double[] x, double[] y) {
        return cdfDistances(x, y)[0];
    }

    /** {@code energy_distance(x, y)} = sqrt(2) times the L2 distance of the ECDFs, in the unit of the data. */
    public static double energy(double[] x, double[] y) {
        return Math.sqrt(2) * Math.sqrt(cdfDistances(x, y)[1]);
    }
}
