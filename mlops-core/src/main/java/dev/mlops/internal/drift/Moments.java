package dev.mlops.internal.drift;

/**
 * Count, minimum, maximum, mean and sum of squared deviations ({@code m2}) of finite values, mergeable exactly with
 * Chan, Golub and LeVeque's formulas.
 *
 * <p>Values arrive in blocks; each block is summarised with the corrected two-pass algorithm (Björck): its mean
 * {@code m0} in a first pass, then {@code s1 = sum(x - m0)} and {@code s2 = sum((x - m0)^2)}, so the block mean is
 * {@code m0 + s1/c} and its {@code m2} is {@code s2 - s1^2/c}. The running mean is kept as a double-double
 * ({@link #meanHi()} + {@link #meanLo()}), so that the difference of two means in Chan's update keeps its relative
 * accuracy even when the values sit far from zero compared with their spread (values around 1e9 that differ by
 * 1e-3). The result agrees with an exact computation to a few units in the last place, whatever the grouping.
 * Squares that overflow (a spread beyond about 1e154) make {@code m2} infinite.
 *
 * <p>Not thread-safe.
 */
public final class Moments {
    private long n;
    private double meanHi;
    private double meanLo;
    private double m2;
    private double min = Double.POSITIVE_INFINITY;
    private double max = Double.NEGATIVE_INFINITY;

    public Moments() {
    }

    /**
     * The state as serialised, checked: with values, {@code min <= max} finite, the mean ({@code meanHi + meanLo})
     * finite and within {@code [min, max]}, {@code |meanLo| <= ulp(meanHi) / 2} (a normalised double-double), and
     * {@code 0 <= m2 <= n (max - min)^2 / 4} (the largest sum of squared deviations that values in {@code [min, max]}
     * can have), each up to a rounding tolerance ({@code m2} may be infinite when that bound is near overflow);
     * without values, everything at its initial value.
     *
     * @throws IllegalArgumentException naming the field ({@code count}, {@code min}, {@code max}, {@code mean},
     *                                  {@code mean_low}, {@code m2}) that is inconsistent
     */
    public static Moments restore(long n, double meanHi, double meanLo, double m2, double min, double max) {
        if (n < 0) {
            throw new IllegalArgumentException("'count' must be >= 0, was " + n);
        }
        if (n == 0) {
            if (meanHi != 0 || meanLo != 0 || m2 != 0 || min != Double.POSITIVE_INFINITY
                    || max != Double.NEGATIVE_INFINITY) {
                throw new IllegalArgumentException("moments are inconsistent (count 0, min " + min + ", max " + max
                        + ", mean " + meanHi + ", m2 " + m2 + ")");
            }
        } else {
            if (!(Double.isFinite(min) && Double.isFinite(max) && min <= max)) {
                throw new IllegalArgumentException("'min' " + min + " and 'max' " + max
                        + " must be finite with min <= max");
            }
            if (!Double.isFinite(meanHi) || !Double.isFinite(meanLo)) {
                throw new IllegalArgumentException("'mean' " + meanHi + " and 'mean_low' " + meanLo
                        + " must be finite");
            }
            // the mean of values in [min, max] lies in [min, max]; allow for rounding (2^-40 of their magnitude)
            double tol = 0x1p-40 * Math.max(Math.abs(min), Math.abs(max));
            double mean = meanHi + meanLo;
            if (mean < min - tol || mean > max + tol) {
                throw new IllegalArgumentException("'mean' " + mean + " lies outside ['min', 'max'] = [" + min + ", "
                        + max + "]");
            }
            if (Math.abs(meanLo) > Math.ulp(meanHi) / 2) {
                throw new IllegalArgumentException("'mean_low' " + meanLo + " is larger than half a unit in the last"
                        + " place of 'mean' " + meanHi);
            }
            // Popoviciu: the variance of values in [min, max] is at most (max - min)^2 / 4
            double range = max - min;
            double bound = (double) n * (range * range) / 4;
            boolean unbounded = bound >= Double.MAX_VALUE / 16; // squares near overflow: m2 may have overflowed
            if (!(m2 >= 0) || (m2 > bound * (1 + 1e-9) + n * Double.MIN_NORMAL && !unbounded)) {
                throw new IllegalArgumentException("'m2' " + m2 + " must lie in [0, count (max - min)^2 / 4] = [0, "
                        + bound + "]");
            }
        }
        Moments m = new Moments();
        m.n = n;
        m.meanHi = meanHi;
        m.meanLo = meanLo;
        m.m2 = m2;
        m.min = min;
        m.max = max;
        return m;
    }

    public Moments copy() {
        return restore(n, meanHi, meanLo, m2, min, max);
    }

    public long n() {
        return n;
    }

    public double meanHi() {
        return meanHi;
    }

    public double meanLo() {
        return meanLo;
    }

    /** The mean, rounded to a double. */
    public double mean() {
        return meanHi + meanLo;
    }

    /** The sum of squared deviations from the mean. */
    public double m2() {
        return m2;
    }

    public double min() {
        return min;
    }

    public double max() {
        return max;
    }

    /**
     * Adds the finite values {@code a[from..to)} as one block; the block's minimum and maximum are left in
     * {@code lastMin}/{@code lastMax} for the caller's sketch.
     */
    public void addBlock(double[] a, int from, int to) {
        int c = to - from;
        if (c <= 0) {
            return;
        }
        double s = 0;
        double mn = Double.POSITIVE_INFINITY;
        double mx = Double.NEGATIVE_INFINITY;
        for (int i = from; i < to; i++) {
            double x = a[i];
            s += x;
            mn = x < mn ? x : mn;
            mx = x > mx ? x : mx;
        }
        if (mn == mx) { // a constant block: its mean is exact and its m2 is 0
            lastMin = mn;
            lastMax = mx;
            combine(c, mn, 0, 0, mn, mx);
            return;
        }
        double m0 = s / c;
        if (!Double.isFinite(m0)) { // the sum overflowed: average the scaled values instead
            s = 0;
            for (int i = from; i < to; i++) {
                s += a[i] / c;
            }
            m0 = s;
        }
        double s1 = 0;
        double s2 = 0;
        for (int i = from; i < to; i++) {
            double d = a[i] - m0;
            s1 += d;
            s2 += d * d;
        }
        double corr = s1 / c;
        double hi;
        double lo;
        double bm2;
        if (Double.isFinite(s2)) {
            bm2 = Math.max(0, s2 - s1 * corr);
            hi = m0 + corr;
            lo = twoSumErr(m0, corr, hi);
        } else { // squared deviations overflow (a spread beyond about 1e154): keep the first-pass mean
            bm2 = Double.POSITIVE_INFINITY;
            hi = Double.isFinite(corr) ? m0 + corr : m0;
            lo = 0;
        }
        lastMin = mn;
        lastMax = mx;
        combine(c, hi, lo, bm2, mn, mx);
    }

    /** The minimum and maximum of the last block given to {@link #addBlock}. */
    double lastMin;
    double lastMax;

    /** Adds the other's values (the other is not changed). */
    public void merge(Moments o) {
        if (o.n == 0) {
            return;
        }
        combine(o.n, o.meanHi, o.meanLo, o.m2, o.min, o.max);
    }

    private void combine(long nb, double bHi, double bLo, double bM2, double bMin, double bMax) {
        if (n == 0) {
            n = nb;
            meanHi = bHi;
            meanLo = bLo;
            m2 = bM2;
            min = bMin;
            max = bMax;
            return;
        }
        long nt = n + nb;
        double f = (double) nb / nt;
        // delta = (bHi + bLo) - (meanHi + meanLo), accurate in double-double arithmetic
        double dh = bHi - meanHi;
        double dErr = twoSumErr(bHi, -meanHi, dh);
        double delta = dh + (dErr + (bLo - meanLo));
        if (Double.isFinite(delta)) {
            double t = delta * f;
            double s = meanHi + t;
            double e = twoSumErr(meanHi, t, s) + meanLo;
            double hi = s + e;
            meanLo = twoSumErr(s, e, hi); // exact whatever the magnitudes, so |meanLo| <= ulp(meanHi) / 2
            meanHi = hi;
            m2 = (m2 + bM2) + delta * delta * ((double) n * f);
        } else { // the means are so far apart that their difference overflows
            meanHi = meanHi * (1 - f) + bHi * f;
            meanLo = 0;
            m2 = Double.POSITIVE_INFINITY;
        }
        n = nt;
        min = Math.min(min, bMin);
        max = Math.max(max, bMax);
    }

    /** The rounding error of {@code a + b}, given {@code s = fl(a + b)} (Knuth's TwoSum). */
    private static double twoSumErr(double a, double b, double s) {
        double bb = s - a;
        return (a - (s - bb)) + (b - bb);
    }
}
