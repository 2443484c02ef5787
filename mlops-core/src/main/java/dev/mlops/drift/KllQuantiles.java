package dev.mlops.drift;

import dev.mlops.InvalidArgumentException;
import java.util.Arrays;
import java.util.OptionalDouble;

/**
 * The quantile sketch of a numeric column's finite values, as a weighted sample: {@link #values()} sorted, each
 * standing for {@link #weights()} values of the column. Built by a deterministic KLL sketch (see docs/drift.md).
 *
 * <p>Error: an estimated rank ({@link #rank}, {@link #cdf}) or the rank of an estimated quantile ({@link #quantile})
 * differs from the true one by at most {@link #normalizedRankError()} (a fraction of {@link #n()}) with 99%
 * confidence; the mass between two points (a histogram bin) by at most {@link #normalizedRankErrorPmf()}. Drift
 * tests computed from sketches must allow for these. With at most {@code k} values the sketch holds them all and is
 * exact ({@link #isExact()}, error 0).
 *
 * <p>Immutable and thread-safe.
 */
public final class KllQuantiles {
    private final int k;
    private final long n;
    private final double min;
    private final double max;
    private final double[] values;
    private final long[] cumulative;
    private final long[] weights;
    private final double rankError;
    private final double rankErrorPmf;

    KllQuantiles(int k, long n, double min, double max, double[] values, long[] weights, double rankError,
            double rankErrorPmf) {
        this.k = k;
        this.n = n;
        this.min = min;
        this.max = max;
        this.values = values;
        this.weights = weights;
        this.cumulative = new long[weights.length];
        long c = 0;
        for (int i = 0; i < weights.length; i++) {
            c += weights[i];
            cumulative[i] = c;
        }
        boolean exact = weights.length == n;
        this.rankError = exact ? 0 : rankError;
        this.rankErrorPmf = exact ? 0 : rankErrorPmf;
    }

    /** The sketch's size parameter. */
    public int k() {
        return k;
    }

    /** The number of values summarised (the column's finite values). */
    public long n() {
        return n;
    }

    public boolean isEmpty() {
        return n == 0;
    }

    /** True when every value is retained with weight 1 (then ranks and quantiles are exact). */
    public boolean isExact() {
        return weights.length == n;
    }

    /**
     * The normalized rank error, single-sided, at 99% confidence: {@code 2.296 / k^0.9723} (datasketches' published
     * figure for KLL; 0.0133 for k = 200), or 0 when {@link #isExact()}.
     */
    public double normalizedRankError() {
        return rankError;
    }

    /** The normalized rank error of the mass between two points, at 99% confidence: {@code 2.446 / k^0.9433}. */
    public double normalizedRankErrorPmf() {
        return rankErrorPmf;
    }

    /** The retained values, sorted ascending (a copy). */
    public double[] values() {
        return values.clone();
    }

    /** The weight of each retained value, in the order of {@link #values()}; they sum to {@link #n()} (a copy). */
    public long[] weights() {
        return weights.clone();
    }

    /** The smallest value, exact; empty when there are no values. */
    public OptionalDouble min() {
        return n == 0 ? OptionalDouble.empty() : OptionalDouble.of(min);
    }

    /** The largest value, exact; empty when there are no values. */
    public OptionalDouble max() {
        return n == 0 ? OptionalDouble.empty() : OptionalDouble.of(max);
    }

    /**
     * The estimated fraction of values {@code <= x}: 0 below the minimum, 1 at or above the maximum, else the weight
     * of retained values {@code <= x} over {@link #n()}. 0 when there are no values.
     *
     * @throws InvalidArgumentException when x is NaN
     */
    public double rank(double x) {
        if (Double.isNaN(x)) {
            throw new InvalidArgumentException("x", "rank needs a number, was NaN");
        }
        if (n == 0 || x < min) {
            return 0;
        }
        if (x >= max) {
            return 1;
        }
        int i = upperBound(x);
        return i == 0 ? 0 : (double) cumulative[i - 1] / n;
    }

    /**
     * The estimated fractions of values {@code <= splitPoints[i]} for each split point (which must be strictly
     * increasing and not NaN).
     */
    public double[] cdf(double[] splitPoints) {
        for (int i = 0; i < splitPoints.length; i++) {
            if (Double.isNaN(splitPoints[i]) || (i > 0 && !(splitPoints[i - 1] < splitPoints[i]))) {
                throw new InvalidArgumentException("splitPoints", "split points must be numbers in strictly"
                        + " increasing order, index " + i + " was " + splitPoints[i]);
            }
        }
        double[] out = new double[splitPoints.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = rank(splitPoints[i]);
        }
        return out;
    }

    /**
     * The estimated {@code q}-quantile: the minimum for {@code q = 0}, the maximum for {@code q = 1}, else the smallest
     * retained value whose cumulative weight reaches {@code q n}. Empty when there are no values.
     *
     * @throws InvalidArgumentException when q is not in [0, 1]
     */
    public OptionalDouble quantile(double q) {
        if (!(q >= 0 && q <= 1)) {
            throw new InvalidArgumentException("q", "q must be in [0, 1], was " + q);
        }
        if (n == 0) {
            return OptionalDouble.empty();
        }
        if (q == 0) {
            return OptionalDouble.of(min);
        }
        if (q == 1) {
            return OptionalDouble.of(max);
        }
        double target = q * n;
        int lo = 0;
        int hi = cumulative.length - 1;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (cumulative[mid] >= target) {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        return OptionalDouble.of(values[lo]);
    }

    /** The index of the first retained value {@code > x}. */
    private int upperBound(double x) {
        int lo = 0;
        int hi = values.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (values[mid] <= x) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    @Override
    public String toString() {
        return "KllQuantiles[k=" + k + ", n=" + n + ", retained=" + values.length + ", rankError=" + rankError + "]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KllQuantiles q && q.k == k && q.n == n && Arrays.equals(q.values, values)
                && Arrays.equals(q.weights, weights);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(values) * 31 + Long.hashCode(n);
    }
}
