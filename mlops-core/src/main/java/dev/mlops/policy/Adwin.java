package dev.mlops.policy;

import dev.mlops.InvalidArgumentException;
import dev.mlops.internal.policy.detect.Check;
import dev.mlops.internal.policy.detect.StateJson;
import java.util.Arrays;
import java.util.Map;

/**
 * ADWIN, ADaptive WINdowing, as ADWIN2 of Bifet and Gavaldà, "Learning from Time-Changing Data with Adaptive
 * Windowing", SIAM International Conference on Data Mining (SDM) 2007, pp. 443-448.
 *
 * <p>ADWIN keeps a window of the most recent values and drops its older part whenever the two parts' means differ
 * more than chance allows, so the window is the longest recent stretch without a detectable change of mean, and its
 * mean is an estimate of the current mean. A value is any finite number with {@code |x| <= 1e100}; the statistical
 * guarantee below is for values in [0, 1] (error indicators, accuracies, normalised losses).
 *
 * <p><b>What follows the paper.</b> The window is summarised by ADWIN2's exponential histogram: row {@code i} holds
 * at most {@code M} ({@link #DEFAULT_MAX_BUCKETS}) buckets of {@code 2^i} values, each with its sum and its sum of
 * squared deviations (merged exactly as in Babcock et al. 2003); when a row has {@code M + 1} buckets its two oldest
 * are merged into one bucket of the next row. Memory is {@code O(M log(W / M))} for a window of {@code W} values.
 * Every boundary between buckets is a candidate split of the window into an older part {@code W0} ({@code n0}
 * values, mean {@code u0}) and a newer part {@code W1} ({@code n1}, {@code u1}); the older part is cut (its oldest
 * bucket dropped, then the check repeated) when {@code |u0 - u1| > eps} with the paper's variance-based bound
 * <pre>
 *   eps = sqrt(2 m s^2 ln(2 / delta')) + (2/3) m ln(2 / delta'),   delta' = delta / ln W,   m = 1/n0' + 1/n1'
 * </pre>
 * where {@code s^2} is the variance of the whole window. The paper's Theorem 3.1 bounds the probability that a check of
 * a window whose mean has not changed cuts anything by {@code delta} ({@link #DEFAULT_DELTA}); ADWIN2 tests O(log W)
 * splits and so takes {@code delta' = delta / ln W} (tested empirically: the share of checks that cut a stationary
 * window stays below {@code delta}). A cut is reported as {@link Signal#CHANGE}, and the window keeps its newer part,
 * as in the paper (the detector adapts rather than starting afresh). ADWIN never signals {@link Signal#WARNING}.
 *
 * <p><b>Practical choices</b> (those of MOA's {@code ADWIN} by the same authors, and of River): the window is
 * checked every {@code clock} values ({@link #DEFAULT_CLOCK}) rather than after each one (the paper's setting is
 * {@code clock = 1}), which divides the checking cost and delays a detection by less than {@code clock} values; no
 * check is made while the window has at most {@code gracePeriod} values ({@link #DEFAULT_GRACE_PERIOD}); both parts
 * of a split must hold at least {@code minSubWindowLength} values ({@link #DEFAULT_MIN_SUB_WINDOW_LENGTH}), and in
 * {@code m} each part counts as {@code n' = n - minSubWindowLength + 1}, which makes short parts more conservative.
 * With {@code clock = 1}, {@code minSubWindowLength = 1} and {@code gracePeriod = 0} this is exactly the paper's
 * ADWIN2.
 *
 * <p><b>Differences from River 0.26.1's {@code drift.ADWIN}</b> (same defaults): River skips the newest bucket of
 * each row when it enumerates the splits (so some boundaries are never tested and those buckets never join the older
 * part), and it clears the whole window after reporting a change; this detector tests every boundary and keeps the
 * post-change window, as the paper does. Its first detection of a change is close to River's, not identical (tested).
 *
 * <p>Cost: amortised O(1) per value between checks; a check costs O(M log W) per cut. Values are kept in arrays
 * (no object per value or bucket); memory grows only when the histogram gains a row. Not thread-safe; see
 * {@link ChangeDetector}.
 */
public final class Adwin implements ChangeDetector {
    /** {@value}, the name policies use. */
    public static final String NAME = "adwin";
    /**
     * Confidence {@code delta}: {@value}, the default of MOA's {@code ADWINChangeDetector} (written by the paper's
     * authors) and of River. The paper's bound: a stationary window is cut with probability at most {@code delta} per
     * check.
     */
    public static final double DEFAULT_DELTA = 0.002;
    /** Values between checks: {@value} (MOA and River default; the paper checks after every value). */
    public static final int DEFAULT_CLOCK = 32;
    /** {@code M}, the most buckets per histogram row: {@value} (MOA and River default; the paper's parameter M). */
    public static final int DEFAULT_MAX_BUCKETS = 5;
    /** The fewest values in either part of a split: {@value} (MOA and River default). */
    public static final int DEFAULT_MIN_SUB_WINDOW_LENGTH = 5;
    /** No check while the window has at most this many values: {@value} (River default). */
    public static final int DEFAULT_GRACE_PERIOD = 10;
    /** The largest {@code maxBuckets} accepted: {@value}. */
    public static final int MAX_MAX_BUCKETS = 1024;
    /** The largest magnitude of a value accepted: {@value}. */
    public static final double MAX_ABS_VALUE = 1e100;

    private static final int MAX_ROWS = 64;

    private final double delta;
    private final int clock;
    private final int maxBuckets;
    private final int minSubWindowLength;
    private final int gracePeriod;
    private final int rowCapacity;

    private long count;
    private long changes;
    private Signal signal = Signal.NONE;
    private long width;
    private double total;
    private double variance;
    private int rows;
    private int[] sizes;
    private double[] totals;
    private double[] variances;

    private Adwin(double delta, int clock, int maxBuckets, int minSubWindowLength, int gracePeriod) {
        this.delta = Check.open("delta", delta, 0, 1);
        this.clock = (int) Check.range("clock", clock, 1, Integer.MAX_VALUE);
        this.maxBuckets = (int) Check.range("maxBuckets", maxBuckets, 1, MAX_MAX_BUCKETS);
        this.minSubWindowLength = (int) Check.range("minSubWindowLength", minSubWindowLength, 1, Integer.MAX_VALUE);
        this.gracePeriod = (int) Check.range("gracePeriod", gracePeriod, 0, Integer.MAX_VALUE);
        this.rowCapacity = maxBuckets + 1;
        allocate(8);
    }

    private void allocate(int rowSlots) {
        sizes = new int[rowSlots];
        totals = new double[rowSlots * rowCapacity];
        variances = new double[rowSlots * rowCapacity];
    }

    /** An ADWIN with the defaults (delta 0.002, clock 32, M 5, sub-windows of at least 5, grace period 10). */
    public static Adwin withDefaults() {
        return builder().build();
    }

    /** A builder starting from the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public Signal add(double value) {
        if (!(Math.abs(value) <= MAX_ABS_VALUE)) {
            throw new InvalidArgumentException("value", "adwin takes finite values with |value| <= 1e100, was "
                    + value);
        }
        count++;
        insert(value + 0.0); // -0.0 becomes 0.0, so the state's JSON (which has no -0) reads back equal
        Signal result = Signal.NONE;
        if (count % clock == 0 && width > gracePeriod && cutWhileChanged()) {
            result = Signal.CHANGE;
            changes++;
        }
        signal = result;
        return result;
    }

    private void insert(double value) {
        width++;
        if (width > 1) {
            double d = value - total / (width - 1);
            variance += (width - 1) * d * d / width;
        }
        total += value;
        if (rows == 0) {
            rows = 1;
        }
        int at = sizes[0];
        totals[at] = value;
        variances[at] = 0;
        sizes[0] = at + 1;
        for (int r = 0; sizes[r] > maxBuckets; r++) {
            if (r + 1 == sizes.length) {
                grow();
            }
            if (r + 1 == rows) {
                rows++;
            }
            int base = r * rowCapacity;
            double n = Math.scalb(1.0, r);
            double t0 = totals[base];
            double t1 = totals[base + 1];
            double d = t0 / n - t1 / n;
            double merged = variances[base] + variances[base + 1] + n * n * d * d / (n + n);
            int next = (r + 1) * rowCapacity + sizes[r + 1];
            totals[next] = t0 + t1;
            variances[next] = merged;
            sizes[r + 1]++;
            System.arraycopy(totals, base + 2, totals, base, sizes[r] - 2);
            System.arraycopy(variances, base + 2, variances, base, sizes[r] - 2);
            sizes[r] -= 2;
        }
    }

    private void grow() {
        int slots = sizes.length * 2;
        if (slots > MAX_ROWS) {
            throw new IllegalStateException("adwin window exceeds 2^" + MAX_ROWS + " values");
        }
        sizes = Arrays.copyOf(sizes, slots);
        totals = Arrays.copyOf(totals, slots * rowCapacity);
        variances = Arrays.copyOf(variances, slots * rowCapacity);
    }

    /** Checks every split, dropping the oldest bucket while some split shows a change; true if any did. */
    private boolean cutWhileChanged() {
        boolean changed = false;
        while (cutFound()) {
            deleteOldest();
            changed = true;
        }
        return changed;
    }

    private boolean cutFound() {
        double w = width;
        double dd = Math.log(2 * Math.log(w) / delta);
        double windowVariance = variance / w;
        double n0 = 0;
        double n1 = w;
        double u0 = 0;
        double u1 = total;
        for (int r = rows - 1; r >= 0; r--) {
            double n2 = Math.scalb(1.0, r);
            int base = r * rowCapacity;
            for (int k = 0; k < sizes[r]; k++) {
                double t = totals[base + k];
                n0 += n2;
                n1 -= n2;
                u0 += t;
                u1 -= t;
                if (n1 <= 0) {
                    return false;
                }
                if (n0 >= minSubWindowLength && n1 >= minSubWindowLength) {
                    double m = 1.0 / (n0 - minSubWindowLength + 1) + 1.0 / (n1 - minSubWindowLength + 1);
                    double eps = Math.sqrt(2 * m * windowVariance * dd) + 2.0 / 3 * dd * m;
                    if (Math.abs(u0 / n0 - u1 / n1) > eps) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private void deleteOldest() {
        int last = rows - 1;
        int base = last * rowCapacity;
        double n = Math.scalb(1.0, last);
        double u = totals[base];
        double v = variances[base];
        width -= (long) n;
        total -= u;
        double w = width;
        double d = u / n - total / w;
        variance -= v + n * w * d * d / (n + w);
        System.arraycopy(totals, base + 1, totals, base, sizes[last] - 1);
        System.arraycopy(variances, base + 1, variances, base, sizes[last] - 1);
        sizes[last]--;
        while (rows > 0 && sizes[rows - 1] == 0) {
            rows--;
        }
    }

    @Override
    public Signal signal() {
        return signal;
    }

    @Override
    public long count() {
        return count;
    }

    @Override
    public long changes() {
        return changes;
    }

    @Override
    public void reset() {
        count = 0;
        changes = 0;
        signal = Signal.NONE;
        width = 0;
        total = 0;
        variance = 0;
        rows = 0;
        allocate(8);
    }

    @Override
    public String name() {
        return NAME;
    }

    /** The number of values in the window. */
    public long width() {
        return width;
    }

    /** The mean of the window (0 when it is empty): the estimate of the current mean. */
    public double mean() {
        return width == 0 ? 0 : total / width;
    }

    /** The (population) variance of the window (0 when it is empty). */
    public double variance() {
        return width == 0 ? 0 : variance / width;
    }

    /** The number of buckets in the histogram. */
    public int buckets() {
        int b = 0;
        for (int r = 0; r < rows; r++) {
            b += sizes[r];
        }
        return b;
    }

    @Override
    public State snapshot() {
        int[] rowSizes = Arrays.copyOf(sizes, rows);
        int b = buckets();
        double[] t = new double[b];
        double[] v = new double[b];
        int i = 0;
        for (int r = 0; r < rows; r++) {
            System.arraycopy(totals, r * rowCapacity, t, i, sizes[r]);
            System.arraycopy(variances, r * rowCapacity, v, i, sizes[r]);
            i += sizes[r];
        }
        return new State(delta, clock, maxBuckets, minSubWindowLength, gracePeriod, count, changes, signal, width,
                total, variance, rowSizes, t, v);
    }

    @Override
    public String toString() {
        return "Adwin[delta=" + delta + ", clock=" + clock + ", maxBuckets=" + maxBuckets + ", minSubWindowLength="
                + minSubWindowLength + ", gracePeriod=" + gracePeriod + ", count=" + count + ", changes=" + changes
                + ", width=" + width + "]";
    }

    /** Builds an {@link Adwin}; the arguments are checked at {@link #build()}. Not thread-safe. */
    public static final class Builder {
        private double delta = DEFAULT_DELTA;
        private int clock = DEFAULT_CLOCK;
        private int maxBuckets = DEFAULT_MAX_BUCKETS;
        private int minSubWindowLength = DEFAULT_MIN_SUB_WINDOW_LENGTH;
        private int gracePeriod = DEFAULT_GRACE_PERIOD;

        private Builder() {
        }

        /** Confidence, in (0, 1). */
        public Builder delta(double delta) {
            this.delta = delta;
            return this;
        }

        /** Values between checks, {@code >= 1}. */
        public Builder clock(int clock) {
            this.clock = clock;
            return this;
        }

        /** {@code M}, buckets per row, in [1, {@value #MAX_MAX_BUCKETS}]. */
        public Builder maxBuckets(int maxBuckets) {
            this.maxBuckets = maxBuckets;
            return this;
        }

        /** The fewest values in either part of a split, {@code >= 1}. */
        public Builder minSubWindowLength(int minSubWindowLength) {
            this.minSubWindowLength = minSubWindowLength;
            return this;
        }

        /** No check while the window has at most this many values, {@code >= 0}. */
        public Builder gracePeriod(int gracePeriod) {
            this.gracePeriod = gracePeriod;
            return this;
        }

        /**
         * @throws InvalidArgumentException naming {@code delta}, {@code clock}, {@code maxBuckets},
         *     {@code minSubWindowLength} or {@code gracePeriod}
         */
        public Adwin build() {
            return new Adwin(delta, clock, maxBuckets, minSubWindowLength, gracePeriod);
        }
    }

    /**
     * The exact state of an {@link Adwin}: its parameters, the counters of {@link ChangeDetector} (the value count
     * also times the checks), the last signal, the window's {@code width}, sum and sum of squared deviations, and its
     * histogram: {@code rowSizes[i]} buckets of {@code 2^i} values in row {@code i}, whose sums and sums of squared
     * deviations are listed row by row, oldest bucket first, in {@code bucketTotals} and {@code bucketVariances}.
     * The arrays are copied in and out; equality compares their contents.
     */
    public record State(double delta, int clock, int maxBuckets, int minSubWindowLength, int gracePeriod, long count,
                        long changes, Signal signal, long width, double total, double variance, int[] rowSizes,
                        double[] bucketTotals, double[] bucketVariances) implements DetectorState {
        /** @throws InvalidArgumentException naming the first inconsistent component */
        public State {
            new Adwin(delta, clock, maxBuckets, minSubWindowLength, gracePeriod);
            Check.range("count", count, 0, Long.MAX_VALUE);
            Check.range("changes", changes, 0, count);
            Check.signal("signal", signal);
            Check.range("width", width, 0, count);
            Check.finite("total", total);
            Check.finite("variance", variance);
            if (rowSizes == null || bucketTotals == null || bucketVariances == null) {
                throw new InvalidArgumentException(rowSizes == null ? "rowSizes" : bucketTotals == null
                        ? "bucketTotals" : "bucketVariances", "the histogram arrays are required");
            }
            rowSizes = rowSizes.clone();
            bucketTotals = bucketTotals.clone();
            bucketVariances = bucketVariances.clone();
            if (rowSizes.length > MAX_ROWS - 1 || rowSizes.length > 0 && rowSizes[rowSizes.length - 1] == 0) {
                throw new InvalidArgumentException("rowSizes", "rowSizes must have at most " + (MAX_ROWS - 1)
                        + " rows and a non-empty last row");
            }
            long values = 0;
            int buckets = 0;
            for (int r = 0; r < rowSizes.length; r++) {
                Check.range("rowSizes", rowSizes[r], 0, maxBuckets);
                values += (long) rowSizes[r] << r;
                buckets += rowSizes[r];
            }
            if (values != width) {
                throw new InvalidArgumentException("rowSizes", "the rows hold " + values + " values but width is "
                        + width);
            }
            if (bucketTotals.length != buckets || bucketVariances.length != buckets) {
                throw new InvalidArgumentException("bucketTotals", "bucketTotals and bucketVariances must have "
                        + buckets + " entries, had " + bucketTotals.length + " and " + bucketVariances.length);
            }
            for (int i = 0; i < buckets; i++) {
                Check.finite("bucketTotals", bucketTotals[i]);
                Check.atLeast("bucketVariances", bucketVariances[i], 0);
            }
        }

        @Override
        public int[] rowSizes() {
            return rowSizes.clone();
        }

        @Override
        public double[] bucketTotals() {
            return bucketTotals.clone();
        }

        @Override
        public double[] bucketVariances() {
            return bucketVariances.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof State s && Double.compare(s.delta, delta) == 0 && s.clock == clock
                    && s.maxBuckets == maxBuckets && s.minSubWindowLength == minSubWindowLength
                    && s.gracePeriod == gracePeriod && s.count == count && s.changes == changes
                    && s.signal == signal && s.width == width && Double.compare(s.total, total) == 0
                    && Double.compare(s.variance, variance) == 0 && Arrays.equals(s.rowSizes, rowSizes)
                    && Arrays.equals(s.bucketTotals, bucketTotals) && Arrays.equals(s.bucketVariances,
                    bucketVariances);
        }

        @Override
        public int hashCode() {
            int h = Double.hashCode(delta);
            h = 31 * h + Long.hashCode(count);
            h = 31 * h + Long.hashCode(width);
            h = 31 * h + Double.hashCode(total);
            h = 31 * h + Double.hashCode(variance);
            h = 31 * h + Arrays.hashCode(rowSizes);
            h = 31 * h + Arrays.hashCode(bucketTotals);
            return 31 * h + Arrays.hashCode(bucketVariances);
        }

        @Override
        public String toString() {
            return "Adwin.State[delta=" + delta + ", clock=" + clock + ", maxBuckets=" + maxBuckets
                    + ", minSubWindowLength=" + minSubWindowLength + ", gracePeriod=" + gracePeriod + ", count="
                    + count + ", changes=" + changes + ", signal=" + signal + ", width=" + width + ", total=" + total
                    + ", variance=" + variance + ", rowSizes=" + Arrays.toString(rowSizes) + "]";
        }

        @Override
        public String detector() {
            return NAME;
        }

        @Override
        public Adwin restore() {
            Adwin a = new Adwin(delta, clock, maxBuckets, minSubWindowLength, gracePeriod);
            a.count = count;
            a.changes = changes;
            a.signal = signal;
            a.width = width;
            a.total = total;
            a.variance = variance;
            int slots = 8;
            while (slots < rowSizes.length + 1) {
                slots *= 2;
            }
            a.allocate(slots);
            a.rows = rowSizes.length;
            int i = 0;
            for (int r = 0; r < rowSizes.length; r++) {
                a.sizes[r] = rowSizes[r];
                System.arraycopy(bucketTotals, i, a.totals, r * a.rowCapacity, rowSizes[r]);
                System.arraycopy(bucketVariances, i, a.variances, r * a.rowCapacity, rowSizes[r]);
                i += rowSizes[r];
            }
            return a;
        }

        @Override
        public String toJson() {
            Map<String, Object> m = StateJson.start(NAME);
            m.put("delta", delta);
            m.put("clock", clock);
            m.put("maxBuckets", maxBuckets);
            m.put("minSubWindowLength", minSubWindowLength);
            m.put("gracePeriod", gracePeriod);
            m.put("count", count);
            m.put("changes", changes);
            m.put("signal", signal.name());
            m.put("width", width);
            m.put("total", total);
            m.put("variance", variance);
            m.put("rowSizes", rowSizes);
            m.put("bucketTotals", bucketTotals);
            m.put("bucketVariances", bucketVariances);
            return StateJson.write(m);
        }

        static State read(StateJson.Fields f) {
            return new State(f.number("delta"), (int) f.integer("clock", 1, Integer.MAX_VALUE),
                    (int) f.integer("maxBuckets", 1, MAX_MAX_BUCKETS),
                    (int) f.integer("minSubWindowLength", 1, Integer.MAX_VALUE),
                    (int) f.integer("gracePeriod", 0, Integer.MAX_VALUE), f.integer("count", 0, Long.MAX_VALUE),
                    f.integer("changes", 0, Long.MAX_VALUE), f.signal("signal"),
                    f.integer("width", 0, Long.MAX_VALUE), f.number("total"), f.number("variance"),
                    f.integers("rowSizes"), f.numbers("bucketTotals"), f.numbers("bucketVariances"));
        }
    }
}
