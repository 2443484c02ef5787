package dev.mlops.internal.drift.io;

import java.util.ArrayList;
import java.util.List;

/**
 * A growing list of doubles: one array, grown by copying while small or to the size {@link #reserve} expects, then
 * blocks of {@value #BLOCK} values, so that growing never copies much of what is already held. {@link #toArray()}
 * returns the one array when it holds exactly the values, and otherwise makes the exact array and lets the blocks go.
 * Not thread-safe.
 */
final class DoubleBlocks {
    static final int BLOCK = 1 << 16;
    private final List<double[]> full = new ArrayList<>();
    private double[] block = new double[1024];
    private int n;
    private long size;

    void add(double v) {
        if (n == block.length) {
            grow();
        }
        block[n++] = v;
        size++;
    }

    /** Makes room for {@code expected} values in one array, when nothing has overflowed into blocks yet. */
    void reserve(long expected) {
        if (full.isEmpty() && expected > block.length && expected <= Integer.MAX_VALUE - 8) {
            block = java.util.Arrays.copyOf(block, (int) expected);
        }
    }

    private void grow() {
        if (block.length < BLOCK) {
            block = java.util.Arrays.copyOf(block, Math.min(BLOCK, Math.max(1024, block.length * 4)));
        } else {
            full.add(block);
            block = new double[BLOCK];
            n = 0;
        }
    }

    long size() {
        return size;
    }

    /**
     * The values in order, as one array; afterwards this list is empty.
     *
     * @throws IllegalStateException when there are more values than an array can hold
     */
    double[] toArray() {
        if (full.isEmpty() && n == block.length) {
            double[] out = block;
            block = new double[0];
            n = 0;
            size = 0;
            return out;
        }
        if (size > Integer.MAX_VALUE - 8) {
            throw new IllegalStateException("a column holds more than " + (Integer.MAX_VALUE - 8) + " values");
        }
        double[] out = new double[(int) size];
        int at = 0;
        for (int i = 0; i < full.size(); i++) {
            double[] b = full.get(i);
            System.arraycopy(b, 0, out, at, b.length);
            at += b.length;
            full.set(i, null);
        }
        System.arraycopy(block, 0, out, at, n);
        full.clear();
        block = new double[0];
        n = 0;
        size = 0;
        return out;
    }
}
