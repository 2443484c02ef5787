package dev.mlops.internal.drift;

import java.util.Arrays;

/**
 * Sorts {@code double[]} samples ascending, in the order of {@link Arrays#sort(double[])} (so the results are the
 * same array contents), by a least-significant-digit radix sort on the bits for large arrays: each value's bits are
 * made an unsigned key that orders as the values do (negative values with every bit flipped, others with the sign bit
 * flipped), counted for all six 11-bit digits in one pass, and distributed once per digit, skipping digits where
 * every value agrees (common in the high bits). Four to six times as fast as {@link Arrays#sort(double[])} on a million
 * values. The values must not be NaN ({@code -0.0} sorts before {@code 0.0}, as there). Stateless; a {@link Scratch}
 * belongs to one thread at a time.
 */
public final class DoubleSort {
    /** Below this length {@link Arrays#sort(double[])} is used. */
    static final int RADIX_MIN = 2048;
    private static final int BITS = 11;
    private static final int BUCKETS = 1 << BITS;
    private static final int MASK = BUCKETS - 1;
    private static final int DIGITS = 6;

    private DoubleSort() {
    }

    /**
     * Work arrays for sorting, grown on demand and reused from one sort to the next, and two numbered sample buffers
     * (see {@link #buffer}). Not thread-safe.
     */
    public static final class Scratch {
        private long[] keys = new long[0];
        private long[] spare = new long[0];
        private int[][] counts; // allocated at the first radix sort
        private final double[][] buffers = new double[2][];

        /**
         * A {@code double[]} of exactly {@code length} values for sample buffer {@code slot} (0 or 1): the one of the
         * previous call for that slot when it had the same length (its contents are then overwritten by the caller),
         * else a new one. Lets a caller that compares many columns of equal length reuse its sorted copies.
         */
        public double[] buffer(int slot, int length) {
            double[] b = buffers[slot];
            if (b == null || b.length != length) {
                b = new double[length];
                buffers[slot] = b;
            }
            return b;
        }

        void ensure(int n) {
            if (counts == null) {
                counts = new int[DIGITS][BUCKETS];
            }
            if (keys.length < n) {
                keys = new long[n];
                spare = new long[n];
            }
        }
    }

    /** Sorts {@code a} ascending in place (no NaN allowed), using {@code scratch}'s arrays. */
    public static void sort(double[] a, Scratch scratch) {
        int n = a.length;
        if (n < RADIX_MIN) {
            Arrays.sort(a);
            return;
        }
        scratch.ensure(n);
        long[] src = scratch.keys;
        long[] dst = scratch.spare;
        int[][] counts = scratch.counts;
        for (int[] c : counts) {
            Arrays.fill(c, 0);
        }
        int[] c0 = counts[0];
        int[] c1 = counts[1];
        int[] c2 = counts[2];
        int[] c3 = counts[3];
        int[] c4 = counts[4];
        int[] c5 = counts[5];
        for (int i = 0; i < n; i++) {
            long b = Double.doubleToRawLongBits(a[i]);
            b ^= (b >> 63) | Long.MIN_VALUE;
            src[i] = b;
            c0[(int) (b & MASK)]++;
            c1[(int) ((b >>> BITS) & MASK)]++;
            c2[(int) ((b >>> (2 * BITS)) & MASK)]++;
            c3[(int) ((b >>> (3 * BITS)) & MASK)]++;
            c4[(int) ((b >>> (4 * BITS)) & MASK)]++;
            c5[(int) (b >>> (5 * BITS))]++;
        }
        for (int d = 0; d < DIGITS; d++) {
            int[] c = counts[d];
            boolean trivial = false;
            for (int v : c) {
                if (v != 0) {
                    trivial = v == n;
                    break;
                }
            }
            if (trivial) {
                continue;
            }
            int sum = 0;
            for (int j = 0; j < BUCKETS; j++) {
                int v = c[j];
                c[j] = sum;
                sum += v;
            }
            int shift = d * BITS;
            for (int i = 0; i < n; i++) {
                long v = src[i];
                dst[c[(int) ((v >>> shift) & MASK)]++] = v;
            }
            long[] t = src;
            src = dst;
            dst = t;
        }
        for (int i = 0; i < n; i++) {
            long b = src[i];
            b ^= (~b >> 63) | Long.MIN_VALUE;
            a[i] = Double.longBitsToDouble(b);
        }
    }
}
