package dev.mlops.internal.drift;

import java.util.Arrays;

/**
 * A deterministic KLL quantile sketch of finite doubles (Karnin, Lang, Liberty 2016, in the lazy form that
 * datasketches uses): levels of retained items, level {@code h} weighing {@code 2^h}; level 0 is an unsorted buffer,
 * higher levels are sorted. When the sketch holds as many items as its levels' capacities allow, the lowest level
 * that is at its capacity is compacted: sorted, and every second item (starting at a random offset 0 or 1) is
 * promoted to the level above. The capacity of level {@code h} of {@code H} is {@code max(8, round(k (2/3)^(H-1-h)))}.
 *
 * <p>Unlike datasketches-java 6.2.0, whose compaction coins come from one global, unseeded {@code Random}, every
 * sketch draws its coins from its own SplitMix64 state, which starts at a fixed seed and is part of the sketch's
 * state (it is serialised): the same values in the same order (and the same merges in the same order) give the same
 * sketch, bit for bit. The rank error is that of KLL with the same {@code k}: {@link #normalizedRankError(int)}.
 *
 * <p>Not thread-safe. Callers pass finite values only (the profile counts NaN and infinities separately).
 */
public final class KllSketch {
    /** The smallest capacity of a level. */
    static final int MIN_WIDTH = 8;
    /** The state of a new sketch's coin generator. */
    static final long SEED = 0x6D6C6F70732D6B6CL; // "mlops-kl"
    public static final int MIN_K = 8;
    public static final int MAX_K = 65_535;

    private final int k;
    private long n;
    private double min = Double.POSITIVE_INFINITY;
    private double max = Double.NEGATIVE_INFINITY;
    private long rng;
    private double[][] levels;
    private int[] sizes;
    private int[] caps;
    private int numLevels;
    private int totalCap;
    private int retained;

    public KllSketch(int k) {
        if (k < MIN_K || k > MAX_K) {
            throw new IllegalArgumentException("k must be in [" + MIN_K + ", " + MAX_K + "], was " + k);
        }
        this.k = k;
        this.rng = SEED;
        this.numLevels = 1;
        this.levels = new double[][] {new double[16]};
        this.sizes = new int[1];
        recomputeCaps();
    }

    /**
     * The most levels a sketch of n values can have: a level holding items weighs at least {@code 2^h <= n}, so
     * {@code h <= floor(log2 n)}; one more (empty) level is tolerated. 1 for n = 0.
     */
    public static int maxLevels(long n) {
        return n <= 0 ? 1 : 65 - Long.numberOfLeadingZeros(n);
    }

    /**
     * The state as serialised: levels[h] holds exactly the items of level h (level 0 in arrival order). Checked: at
     * most {@link #maxLevels(long)} levels, weights {@code items * 2^h} that add up to n exactly (no overflow), finite
     * items within [min, max], levels above 0 sorted, no more items than the levels' capacity.
     *
     * @throws IllegalArgumentException saying which level or count is inconsistent
     */
    public static KllSketch restore(int k, long n, double min, double max, long rng, double[][] levelItems) {
        if (n < 0) {
            throw new IllegalArgumentException("n must be >= 0, was " + n);
        }
        if (levelItems.length > maxLevels(n)) {
            throw new IllegalArgumentException(levelItems.length + " levels are more than a sketch of " + n
                    + " values can have (" + maxLevels(n) + ")");
        }
        KllSketch s = new KllSketch(k);
        s.n = n;
        s.min = min;
        s.max = max;
        s.rng = rng;
        s.numLevels = Math.max(1, levelItems.length);
        s.levels = new double[s.numLevels][];
        s.sizes = new int[s.numLevels];
        long weight = 0;
        for (int h = 0; h < s.numLevels; h++) {
            double[] items = h < levelItems.length ? levelItems[h] : new double[0];
            s.levels[h] = Arrays.copyOf(items, Math.max(16, items.length));
            s.sizes[h] = items.length;
            s.retained += items.length;
            if (items.length > 0) {
                // items * 2^h <= n, checked without overflow: h <= 62 and items <= n >> h
                if (h > 62 || items.length > (n >>> h)) {
                    throw new IllegalArgumentException("level " + h + " holds " + items.length + " items of weight 2^"
                            + h + ", more than n = " + n);
                }
                long w = (long) items.length << h;
                if (w > n - weight) { // weight <= n throughout, so the sum cannot overflow
                    throw new IllegalArgumentException("the levels up to " + h + " weigh more than n = " + n);
                }
                weight += w;
            }
            for (double v : items) {
                if (!Double.isFinite(v) || v < min || v > max) {
                    throw new IllegalArgumentException("an item of level " + h + " is not finite or lies outside"
                            + " [min, max]: " + v);
                }
            }
            if (h > 0) {
                for (int i = 1; i < items.length; i++) {
                    if (items[i - 1] > items[i]) {
                        throw new IllegalArgumentException("level " + h + " is not sorted");
                    }
                }
            }
        }
        if (weight != n) {
            throw new IllegalArgumentException("the levels weigh " + weight + " but n is " + n);
        }
        if (n == 0 ? (min != Double.POSITIVE_INFINITY || max != Double.NEGATIVE_INFINITY) : !(min <= max)) {
            throw new IllegalArgumentException("min and max do not fit n");
        }
        s.recomputeCaps();
        if (s.retained > s.totalCap) {
            throw new IllegalArgumentException("the levels hold " + s.retained + " items, more than their capacity "
                    + s.totalCap);
        }
        return s;
    }

    /**
     * The normalized rank error of a KLL sketch with this {@code k}, single-sided (for a rank or a quantile), at 99%
     * confidence: datasketches' published empirical formula {@code 2.296 / k^0.9723} (0.0133 for k = 200).
     */
    public static double normalizedRankError(int k) {
        return 2.296 / StrictMath.pow(k, 0.9723);
    }

    /** As {@link #normalizedRankError(int)} but double-sided (for the mass between two points, a PMF or CDF bin). */
    public static double normalizedRankErrorPmf(int k) {
        return 2.446 / StrictMath.pow(k, 0.9433);
    }

    public KllSketch copy() {
        KllSketch c = new KllSketch(k);
        c.n = n;
        c.min = min;
        c.max = max;
        c.rng = rng;
        c.numLevels = numLevels;
        c.levels = new double[levels.length][];
        for (int h = 0; h < levels.length; h++) {
            c.levels[h] = levels[h].clone();
        }
        c.sizes = sizes.clone();
        c.caps = caps.clone();
        c.totalCap = totalCap;
        c.retained = retained;
        return c;
    }

    public int k() {
        return k;
    }

    public long n() {
        return n;
    }

    public double min() {
        return min;
    }

    public double max() {
        return max;
    }

    public long rngState() {
        return rng;
    }

    public int numLevels() {
        return numLevels;
    }

    public int retained() {
        return retained;
    }

    /** The items of level h, a copy (level 0 in arrival order, the others sorted). */
    public double[] levelItems(int h) {
        return Arrays.copyOf(levels[h], sizes[h]);
    }

    /** Adds one finite value. */
    public void update(double v) {
        if (retained >= totalCap) {
            compress();
        }
        double[] l0 = levels[0];
        if (sizes[0] == l0.length) {
            l0 = levels[0] = Arrays.copyOf(l0, Math.max(16, l0.length * 2));
        }
        l0[sizes[0]++] = v;
        retained++;
        n++;
        if (v < min) {
            min = v;
        }
        if (v > max) {
            max = v;
        }
    }

    /**
     * Adds {@code values[from..to)}, all finite, whose minimum and maximum the caller has computed; the result is the
     * same as adding them one by one.
     */
    public void updateAll(double[] values, int from, int to, double blockMin, double blockMax) {
        int i = from;
        while (i < to) {
            if (retained >= totalCap) {
                compress();
            }
            int take = Math.min(totalCap - retained, to - i);
            double[] l0 = levels[0];
            if (sizes[0] + take > l0.length) {
                l0 = levels[0] = Arrays.copyOf(l0, Math.max(sizes[0] + take, l0.length * 2));
            }
            System.arraycopy(values, i, l0, sizes[0], take);
            sizes[0] += take;
            retained += take;
            i += take;
        }
        n += to - from;
        if (to > from) {
            if (blockMin < min) {
                min = blockMin;
            }
            if (blockMax > max) {
                max = blockMax;
            }
        }
    }

    /** Adds the other sketch's items to this one (the other is not changed). Both must have the same k. */
    public void merge(KllSketch other) {
        if (other.k != k) {
            throw new IllegalArgumentException("cannot merge KLL sketches with k " + k + " and " + other.k);
        }
        if (other.n == 0) {
            return;
        }
        while (numLevels < other.numLevels) {
            addLevel();
        }
        for (int h = 0; h < other.numLevels; h++) {
            int add = other.sizes[h];
            if (add == 0) {
                continue;
            }
            if (h == 0) {
                double[] l0 = levels[0];
                if (sizes[0] + add > l0.length) {
                    l0 = levels[0] = Arrays.copyOf(l0, sizes[0] + add);
                }
                System.arraycopy(other.levels[0], 0, l0, sizes[0], add);
                sizes[0] += add;
            } else {
                levels[h] = mergeSorted(levels[h], sizes[h], other.levels[h], add);
                sizes[h] += add;
            }
            retained += add;
        }
        n += other.n;
        min = Math.min(min, other.min);
        max = Math.max(max, other.max);
        rng = mix(rng * 0x9E3779B97F4A7C15L + other.rng);
        recomputeCaps();
        while (retained > totalCap) {
            compactOnce();
        }
    }

    /** The retained items and their weights, sorted by value (ties in level order): the sketch's weighted sample. */
    public SortedView sortedView() {
        double[] values = new double[retained];
        long[] weights = new long[retained];
        int pos = 0;
        double[] l0 = Arrays.copyOf(levels[0], sizes[0]);
        Arrays.sort(l0);
        // Merge level by level; levels are few (about log2(n / k)).
        System.arraycopy(l0, 0, values, 0, l0.length);
        Arrays.fill(weights, 0, l0.length, 1L);
        pos = l0.length;
        for (int h = 1; h < numLevels; h++) {
            int s = sizes[h];
            if (s == 0) {
                continue;
            }
            double[] nv = new double[pos + s];
            long[] nw = new long[pos + s];
            int a = 0;
            int b = 0;
            int o = 0;
            double[] lh = levels[h];
            long w = 1L << h;
            while (a < pos && b < s) {
                if (values[a] <= lh[b]) {
                    nv[o] = values[a];
                    nw[o++] = weights[a++];
                } else {
                    nv[o] = lh[b++];
                    nw[o++] = w;
                }
            }
            while (a < pos) {
                nv[o] = values[a];
                nw[o++] = weights[a++];
            }
            while (b < s) {
                nv[o] = lh[b++];
                nw[o++] = w;
            }
            System.arraycopy(nv, 0, values, 0, o);
            System.arraycopy(nw, 0, weights, 0, o);
            pos = o;
        }
        return new SortedView(values, weights);
    }

    /** Sorted values and their weights (which sum to n). */
    public record SortedView(double[] values, long[] weights) {
    }

    private void compress() {
        while (retained >= totalCap) {
            compactOnce();
        }
    }

    private void compactOnce() {
        int h = 0;
        while (h < numLevels && sizes[h] < caps[h]) {
            h++;
        }
        if (h == numLevels) {
            // retained > totalCap guarantees a level at capacity; reaching here means retained == totalCap exactly
            // with every level below its capacity, which cannot happen. Compact the fullest level to stay safe.
            h = 0;
            for (int i = 1; i < numLevels; i++) {
                if (sizes[i] - caps[i] > sizes[h] - caps[h]) {
                    h = i;
                }
            }
        }
        if (h == numLevels - 1) {
            addLevel();
        }
        compactLevel(h);
    }

    /**
     * Compacts level h in place: no allocation unless level h + 1 has never held this many items. The promoted items
     * are merged into level h + 1 from the back, which gives the same sequence as a stable forward merge (on equal
     * values the items already in level h + 1 come first).
     */
    private void compactLevel(int h) {
        double[] items = levels[h];
        int s = sizes[h];
        if (h == 0) {
            Arrays.sort(items, 0, s);
        }
        int odd = s & 1;
        int pairs = s >>> 1;
        if (pairs == 0) {
            return;
        }
        int start = odd + (nextBit() ? 1 : 0);
        // Promote items[start], items[start + 2], ...: pairs items, in sorted order, into level h + 1.
        int na = sizes[h + 1];
        int total = na + pairs;
        double[] up = levels[h + 1];
        if (up.length < total) {
            up = levels[h + 1] = Arrays.copyOf(up, Math.max(16, total + total / 2));
        }
        int i = na - 1;
        int j = pairs - 1;
        int o = total - 1;
        while (j >= 0) {
            double b = items[start + 2 * j];
            if (i >= 0 && up[i] > b) {
                up[o--] = up[i--];
            } else {
                up[o--] = b;
                j--;
            }
        }
        sizes[h + 1] = total;
        sizes[h] = odd; // the odd one out, items[0], stays
        retained -= pairs;
    }

    private static double[] mergeSorted(double[] a, int na, double[] b, int nb) {
        double[] out = new double[Math.max(16, na + nb + (na + nb) / 2)];
        int i = 0;
        int j = 0;
        int end = nb;
        int o = 0;
        while (i < na && j < end) {
            out[o++] = a[i] <= b[j] ? a[i++] : b[j++];
        }
        while (i < na) {
            out[o++] = a[i++];
        }
        while (j < end) {
            out[o++] = b[j++];
        }
        return out;
    }

    private void addLevel() {
        numLevels++;
        if (levels.length < numLevels) {
            levels = Arrays.copyOf(levels, numLevels);
            sizes = Arrays.copyOf(sizes, numLevels);
        }
        levels[numLevels - 1] = new double[16];
        sizes[numLevels - 1] = 0;
        recomputeCaps();
    }

    private void recomputeCaps() {
        caps = new int[numLevels];
        int total = 0;
        for (int h = 0; h < numLevels; h++) {
            int depth = numLevels - 1 - h;
            caps[h] = Math.max(MIN_WIDTH, (int) Math.round(k * StrictMath.pow(2.0 / 3.0, depth)));
            total += caps[h];
        }
        totalCap = total;
    }

    private boolean nextBit() {
        rng += 0x9E3779B97F4A7C15L;
        return (mix(rng) & 1L) != 0;
    }

    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
