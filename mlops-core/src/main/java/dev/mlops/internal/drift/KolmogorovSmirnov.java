package dev.mlops.internal.drift;

/**
 * The two-sample Kolmogorov-Smirnov test as {@code scipy.stats.ks_2samp(x, y)} computes it (two-sided,
 * {@code method='auto'}): the statistic from one merge of the two sorted samples, the exact p-value when
 * {@code max(n, m) <= 10000} (Hodges' lattice-path probability) and otherwise, or when the exact computation leaves
 * [0, 1], the one-sample Kolmogorov distribution {@code kstwo.sf(d, round(n m / (n + m)))}. Stateless.
 */
public final class KolmogorovSmirnov {
    /** SciPy's {@code MAX_AUTO_N}: above it the asymptotic p-value is used. */
    public static final int MAX_EXACT_N = 10_000;

    private KolmogorovSmirnov() {
    }

    /** Statistic and p-value; {@code exact} says which path gave the p-value. */
    public record Result(double statistic, double pValue, boolean exact) {
    }

    /**
     * @param x sorted ascending, finite, not empty (no -0.0: callers normalise it to 0.0)
     * @param y the same
     */
    public static Result testSorted(double[] x, double[] y) {
        int n1 = x.length;
        int n2 = y.length;
        double d = statistic(x, y);
        if (Math.max(n1, n2) <= MAX_EXACT_N) {
            long g = gcd(n1, n2);
            long lcm = (n1 / g) * n2;
            double hd = Math.rint(d * lcm);
            long h = (long) hd;
            double dRounded = h / (double) lcm;
            if (h == 0) {
                return new Result(dRounded, 1.0, true);
            }
            double p = n1 == n2 ? probOutsideSquare(n1, h) : probOutside(n1, n2, g, h);
            if (p >= 0.0 && p <= 1.0) {
                return new Result(dRounded, p, true);
            }
            d = dRounded;
        }
        double m = Math.max(n1, n2);
        double n = Math.min(n1, n2);
        double en = m * n / (m + n);
        double p = Kolmogorov.twoSidedSf(Math.rint(en), d);
        return new Result(d, Math.min(1.0, Math.max(0.0, p)), false);
    }

    /** {@code max |F_x - F_y|} over the pooled values, the ECDF differences computed as SciPy does. */
    static double statistic(double[] x, double[] y) {
        int n1 = x.length;
        int n2 = y.length;
        double dn1 = n1;
        double dn2 = n2;
        double max = Double.NEGATIVE_INFINITY;
        double min = Double.POSITIVE_INFINITY;
        int i = 0;
        int j = 0;
        while (i < n1 || j < n2) {
            double v;
            if (j >= n2 || (i < n1 && x[i] <= y[j])) {
                v = x[i];
            } else {
                v = y[j];
            }
            while (i < n1 && x[i] == v) {
                i++;
            }
            while (j < n2 && y[j] == v) {
                j++;
            }
            double diff = i / dn1 - j / dn2;
            if (diff > max) {
                max = diff;
            }
            if (diff < min) {
                min = diff;
            }
        }
        double minS = Math.min(1.0, Math.max(0.0, -min));
        return minS > max ? minS : max;
    }

    /**
     * P(D_{n,n} >= h/n): twice the alternating sum of binomial ratios, evaluated from the innermost term outwards so
     * that nothing cancels.
     */
    static double probOutsideSquare(long n, long h) {
        double p = 0.0;
        for (long k = n / h; k >= 0; k--) {
            double p1 = 1.0;
            for (long j = 0; j < h; j++) {
                p1 = (n - k * h - j) * p1 / (n + k * h + j + 1);
            }
            p = p1 * (1.0 - p);
        }
        return 2 * p;
    }

    /**
     * The share of the lattice paths from (0, 0) to (m, n) that touch or cross {@code |i/m - j/n| >= h/lcm}, computed
     * directly (Viehmann's form of Hodges' inside method) so that small p-values keep their relative precision: each
     * cell holds the share of the paths to it that have left the band, 1 outside the band, and inside it the
     * average {@code (i B(i-1, j) + j B(i, j-1)) / (i + j)}.
     */
    static double probOutside(int a, int b, long g, long h) {
        int m = Math.max(a, b);
        int n = Math.min(a, b);
        long mg = m / g;
        long ng = n / g;
        double[] col = new double[n + 1];
        java.util.Arrays.fill(col, 1.0);
        int prevLo = 0;
        int prevHi = -1;
        for (int i = 0; i <= m; i++) {
            // inside: |ng*i - mg*j| < h, i.e. (ng*i - h)/mg < j < (ng*i + h)/mg
            long lo = Math.floorDiv(ng * i - h, mg) + 1;
            long hi = -Math.floorDiv(-(ng * i + h), mg) - 1;
            int jlo = (int) Math.max(0, lo);
            int jhi = (int) Math.min(n, hi);
            if (jhi < jlo) {
                return 1.0;
            }
            for (int j = prevLo; j < Math.min(jlo, prevHi + 1); j++) {
                col[j] = 1.0;
            }
            double below = jlo == 0 ? 0.0 : 1.0;
            for (int j = jlo; j <= jhi; j++) {
                double v = i == 0 ? 0.0 : (i * col[j] + j * below) / (i + j);
                col[j] = v;
                below = v;
            }
            for (int j = jhi + 1; j <= prevHi; j++) {
                col[j] = 1.0;
            }
            prevLo = jlo;
            prevHi = jhi;
        }
        return col[n];
    }

    static long gcd(long a, long b) {
        while (b != 0) {
            long t = a % b;
            a = b;
            b = t;
        }
        return a;
    }
}
