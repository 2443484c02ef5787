package dev.mlops.internal.drift;

import java.util.Arrays;

/**
 * The distinct finite values of a numeric column and their exact counts, kept while there are at most
 * {@value #LIMIT} of them (the contract's rule for numeric bins: a reference with at most 20 distinct values gets one
 * bin per value). {@code -0.0} counts as {@code 0.0}, as in NumPy's {@code unique}. Once a 21st value appears the
 * values are dropped for good ({@link #overflowed()}); merging is exact and order-independent.
 *
 * <p>Not thread-safe.
 */
public final class ProfileDistinctValues {
    public static final int LIMIT = 20;

    private double[] values = new double[LIMIT];
    private long[] counts = new long[LIMIT];
    private int size;
    private boolean overflowed;

    public ProfileDistinctValues() {
    }

    /** A kept state ({@code values} strictly increasing, counts positive), or an overflowed one when null. */
    public static ProfileDistinctValues restore(double[] values, long[] counts) {
        ProfileDistinctValues d = new ProfileDistinctValues();
        if (values == null) {
            d.overflow();
            return d;
        }
        if (values.length > LIMIT || counts.length != values.length) {
            throw new IllegalArgumentException("at most " + LIMIT + " distinct values with one count each");
        }
        for (int i = 0; i < values.length; i++) {
            if (!Double.isFinite(values[i]) || counts[i] <= 0 || (i > 0 && !(values[i - 1] < values[i]))
                    || Double.doubleToRawLongBits(values[i]) == Long.MIN_VALUE) {
                throw new IllegalArgumentException("distinct values must be finite, strictly increasing, not -0.0,"
                        + " with positive counts");
            }
        }
        System.arraycopy(values, 0, d.values, 0, values.length);
        System.arraycopy(counts, 0, d.counts, 0, counts.length);
        d.size = values.length;
        return d;
    }

    public ProfileDistinctValues copy() {
        ProfileDistinctValues c = new ProfileDistinctValues();
        c.values = values == null ? null : values.clone();
        c.counts = counts == null ? null : counts.clone();
        c.size = size;
        c.overflowed = overflowed;
        return c;
    }

    public boolean overflowed() {
        return overflowed;
    }

    /** The distinct values, ascending (empty once overflowed). */
    public double[] values() {
        return overflowed ? new double[0] : Arrays.copyOf(values, size);
    }

    /** Their counts, in the order of {@link #values()}. */
    public long[] counts() {
        return overflowed ? new long[0] : Arrays.copyOf(counts, size);
    }

    /** The sum of the counts. */
    public long total() {
        long t = 0;
        for (int i = 0; i < size; i++) {
            t += counts[i];
        }
        return t;
    }

    /** Counts the finite values {@code a[from..to)}. */
    public void addAll(double[] a, int from, int to) {
        for (int i = from; i < to && !overflowed; i++) {
            add(a[i] + 0.0, 1);
        }
    }

    private void add(double v, long c) {
        int lo = 0;
        int hi = size;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (values[mid] < v) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        if (lo < size && values[lo] == v) {
            counts[lo] += c;
            return;
        }
        if (size == LIMIT) {
            overflow();
            return;
        }
        System.arraycopy(values, lo, values, lo + 1, size - lo);
        System.arraycopy(counts, lo, counts, lo + 1, size - lo);
        values[lo] = v;
        counts[lo] = c;
        size++;
    }

    private void overflow() {
        overflowed = true;
        values = null;
        counts = null;
        size = 0;
    }

    /** Adds the other's counts (the other is not changed). */
    public void merge(ProfileDistinctValues o) {
        if (overflowed) {
            return;
        }
        if (o.overflowed) {
            overflow();
            return;
        }
        for (int i = 0; i < o.size && !overflowed; i++) {
            add(o.values[i], o.counts[i]);
        }
    }
}
