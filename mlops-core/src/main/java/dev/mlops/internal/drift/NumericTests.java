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

    /** Welch's t statistic and two-sided p-value; undefined below two values a side or with no variance at all. */
    public static Outcome welch(double[] x, double[] y) {
        int n1 = x.length;
        int n2 = y.length;
        if (n1 < 2 || n2 < 2) {
            return Outcome.ofUndefined("t_test needs at least two values on each side");
        }
        double m1 = mean(x);
        double m2 = mean(y);
        double v1 = sumSquares(x, m1) / (n1 - 1);
        double v2 = sumSquares(y, m2) / (n2 - 1);
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

    /** Mean by compensated (Neumaier) summation. */
    static double mean(double[] v) {
        return sum(v) / v.length;
    }

    static double sum(double[] v) {
        double s = 0;
        double c = 0;
        for (double d : v) {
            double t = s + d;
            if (Math.abs(s) >= Math.abs(d)) {
                c += (s - t) + d;
            } else {
                c += (d - t) + s;
            }
            s = t;
        }
        return s + c;
    }

    static double sumSquares(double[] v, double mean) {
        double s = 0;
        double c = 0;
        for (double d : v) {
            double e = d - mean;
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

    /** Population standard deviation ({@code numpy.std}, ddof 0). */
    public static double populationStd(double[] v) {
        return Math.sqrt(sumSquares(v, mean(v)) / v.length);
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
