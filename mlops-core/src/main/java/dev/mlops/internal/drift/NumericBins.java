package dev.mlops.internal.drift;

import java.util.Arrays;

/**
 * The bins of a numeric column for the binned methods, fitted on the reference alone (cli-contract.md): at most 20
 * distinct reference values give one bin each plus a last bin for every other value; otherwise the unique deciles of
 * the reference ({@code numpy.quantile}, linear) split {@code [min, max]}, with one more bin below the minimum and one
 * above the maximum. Immutable and thread-safe.
 */
public final class NumericBins {
    /** Most distinct reference values that still get a bin each. */
    public static final int MAX_DISTINCT = 20;
    private static final double[] DECILES = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9};

    private final double[] values; // the distinct values, or null
    private final double[] edges; // the unique deciles, or null
    private final double lo;
    private final double hi;

    private NumericBins(double[] values, double[] edges, double lo, double hi) {
        this.values = values;
        this.edges = edges;
        this.lo = lo;
        this.hi = hi;
    }

    /** Fits the bins on a sorted, finite, non-empty reference sample. */
    public static NumericBins fit(double[] sortedReference) {
        int n = sortedReference.length;
        double[] distinct = new double[Math.min(n, MAX_DISTINCT + 1)];
        int d = 0;
        for (int i = 0; i < n && d <= MAX_DISTINCT; i++) {
            if (d == 0 || sortedReference[i] != distinct[d - 1]) {
                distinct[d++] = sortedReference[i];
            }
        }
        double lo = sortedReference[0];
        double hi = sortedReference[n - 1];
        if (d <= MAX_DISTINCT) {
            return new NumericBins(Arrays.copyOf(distinct, d), null, lo, hi);
        }
        double[] q = new double[DECILES.length];
        for (int i = 0; i < q.length; i++) {
            q[i] = quantile(sortedReference, DECILES[i]);
        }
        double[] unique = new double[q.length];
        int u = 0;
        for (double v : q) { // q is non-decreasing
            if (u == 0 || v != unique[u - 1]) {
                unique[u++] = v;
            }
        }
        return new NumericBins(null, Arrays.copyOf(unique, u), lo, hi);
    }

    /** {@code numpy.quantile(sorted, q)} with the default linear method, to the bit. */
    static double quantile(double[] sorted, double q) {
        int n = sorted.length;
        double vi = (n - 1) * q;
        if (vi >= n - 1) {
            return sorted[n - 1];
        }
        double prev = Math.floor(vi);
        int ip = (int) prev;
        double a = sorted[ip];
        double b = sorted[ip + 1];
        double gamma = vi - prev;
        double diff = b - a;
        return gamma >= 0.5 ? b - diff * (1 - gamma) : a + diff * gamma;
    }

    /** Number of bins. */
    public int size() {
        return values != null ? values.length + 1 : edges.length + 3;
    }

    /** The bin of one value. */
    public int binOf(double x) {
        if (values != null) {
            int i = Arrays.binarySearch(values, x);
            return i >= 0 ? i : values.length;
        }
        if (x < lo) {
            return 0;
        }
        if (x > hi) {
            return edges.length + 2;
        }
        int left = 0;
        int right = edges.length;
        while (left < right) { // first edge >= x (searchsorted side='left')
            int mid = (left + right) >>> 1;
            if (edges[mid] < x) {
                left = mid + 1;
            } else {
                right = mid;
            }
        }
        return 1 + left;
    }

    /** Counts per bin. */
    public long[] counts(double[] sample) {
        long[] c = new long[size()];
        for (double x : sample) {
            c[binOf(x)]++;
        }
        return c;
    }

    /** A label for bin {@code i} (the value, "other", or the interval), for reports. */
    public String label(int i) {
        if (values != null) {
            return i < values.length ? Double.toString(values[i]) : "other";
        }
        if (i == 0) {
            return "< " + lo;
        }
        if (i == edges.length + 2) {
            return "> " + hi;
        }
        String left = i == 1 ? "[" + lo : "(" + edges[i - 2];
        String right = i - 1 < edges.length ? edges[i - 1] + "]" : hi + "]";
        return left + ", " + right;
    }
}
