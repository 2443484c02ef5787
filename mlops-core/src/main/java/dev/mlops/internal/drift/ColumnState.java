package dev.mlops.internal.drift;

/**
 * The mutable state behind a column profile: counters, moments and a KLL sketch (numeric) or category counts
 * (categorical).
 *
 * <p>Finite values go into a block of {@value #BLOCK} values; a full block is summarised into the moments and added
 * to the sketch. Block boundaries depend only on the number of finite values so far, never on how the caller split
 * its calls, so the same values in the same order give the same state, bit for bit, however they were passed. A
 * snapshot ({@link #snapshot()}) flushes a copy and leaves this state's block as it was.
 *
 * <p>Not thread-safe.
 */
public final class ColumnState {
    public static final int BLOCK = 4096;

    private final String name;
    private final boolean numeric;
    private final int kllK;
    private final int categoryCap;
    long rows;
    long missing;
    long nan;
    long posInf;
    long negInf;
    private final Moments moments;
    private final KllSketch kll;
    private double[] block;
    private int blockSize;
    private final FrequentItemsCounter categories;
    private final ProfileDistinctValues distinct;

    private ColumnState(String name, boolean numeric, int kllK, int categoryCap, Moments moments, KllSketch kll,
            ProfileDistinctValues distinct, FrequentItemsCounter categories) {
        this.name = name;
        this.numeric = numeric;
        this.kllK = kllK;
        this.categoryCap = categoryCap;
        this.moments = moments;
        this.kll = kll;
        this.distinct = distinct;
        this.categories = categories;
    }

    /** A numeric column: {@link #categoryCap()} is 0. */
    public static ColumnState numeric(String name, int kllK) {
        return new ColumnState(name, true, kllK, 0, new Moments(), new KllSketch(kllK), new ProfileDistinctValues(),
                null);
    }

    /** A categorical column: {@link #kllK()} is 0. */
    public static ColumnState categorical(String name, int categoryCap) {
        return new ColumnState(name, false, 0, categoryCap, null, null, null, new FrequentItemsCounter(categoryCap));
    }

    /** A numeric state from its serialised parts; the counts must add up to {@code rows}. */
    public static ColumnState restoreNumeric(String name, long rows, long missing, long nan,
            long posInf, long negInf, Moments moments, KllSketch kll, ProfileDistinctValues distinct) {
        ColumnState s = new ColumnState(name, true, kll.k(), 0, moments, kll, distinct, null);
        if (!distinct.overflowed() && distinct.total() != moments.n()) {
            throw new IllegalArgumentException("the distinct values count " + distinct.total() + " values, the"
                    + " column " + moments.n());
        }
        for (double v : distinct.values()) {
            if (v < moments.min() || v > moments.max()) {
                throw new IllegalArgumentException("distinct value " + v + " lies outside [min, max]");
            }
        }
        s.setCounts(rows, missing, nan, posInf, negInf);
        if (moments.n() != kll.n()) {
            throw new IllegalArgumentException("the moments count " + moments.n() + " values, the sketch "
                    + kll.n());
        }
        if (moments.n() > 0 && (moments.min() != kll.min() || moments.max() != kll.max())) {
            throw new IllegalArgumentException("the sketch's min and max differ from the column's");
        }
        if (rows != missing + nan + posInf + negInf + moments.n()) {
            throw new IllegalArgumentException("rows (" + rows + ") is not missing + nan + infinities + count");
        }
        return s;
    }

    /** A categorical state from its serialised parts; the counts must add up to {@code rows}. */
    public static ColumnState restoreCategorical(String name, long rows, long missing,
            FrequentItemsCounter categories) {
        ColumnState s = new ColumnState(name, false, 0, categories.cap(), null, null, null, categories);
        s.setCounts(rows, missing, 0, 0, 0);
        if (rows != missing + categories.total()) {
            throw new IllegalArgumentException("rows (" + rows + ") is not missing + the categories' total");
        }
        return s;
    }

    private void setCounts(long rows, long missing, long nan, long posInf, long negInf) {
        if (rows < 0 || missing < 0 || nan < 0 || posInf < 0 || negInf < 0) {
            throw new IllegalArgumentException("counts must be >= 0");
        }
        this.rows = rows;
        this.missing = missing;
        this.nan = nan;
        this.posInf = posInf;
        this.negInf = negInf;
    }

    public String name() {
        return name;
    }

    public boolean isNumeric() {
        return numeric;
    }

    public int kllK() {
        return kllK;
    }

    public int categoryCap() {
        return categoryCap;
    }

    public long rows() {
        return rows;
    }

    public long missing() {
        return missing;
    }

    public long nan() {
        return nan;
    }

    public long positiveInfinity() {
        return posInf;
    }

    public long negativeInfinity() {
        return negInf;
    }

    /** The moments (null for a categorical column); callers must not change them. */
    public Moments moments() {
        return moments;
    }

    /** The sketch (null for a categorical column); callers must not change it. */
    public KllSketch kll() {
        return kll;
    }

    /** The small set of distinct values (null for a categorical column); callers must not change it. */
    public ProfileDistinctValues distinct() {
        return distinct;
    }

    /** The category counts (null for a numeric column); callers must not change them. */
    public FrequentItemsCounter categories() {
        return categories;
    }

    public void addMissing(long count) {
        rows += count;
        missing += count;
    }

    public void add(double v) {
        rows++;
        if (v - v == 0) {
            if (block == null) {
                block = new double[BLOCK];
            }
            block[blockSize++] = v;
            if (blockSize == BLOCK) {
                flushBlock();
            }
        } else {
            countNonFinite(v);
        }
    }

    public void addAll(double[] values, int from, int to) {
        rows += to - from;
        if (block == null) {
            block = new double[BLOCK];
        }
        double[] b = block;
        int i = from;
        while (i < to) {
            int start = blockSize;
            int take = Math.min(BLOCK - start, to - i);
            int p = start;
            int end = i + take;
            for (int j = i; j < end; j++) {
                double v = values[j];
                b[p] = v;
                p += (v - v == 0) ? 1 : 0;
            }
            if (p - start != take) {
                for (int j = i; j < end; j++) {
                    double v = values[j];
                    if (!(v - v == 0)) {
                        countNonFinite(v);
                    }
                }
            }
            blockSize = p;
            i = end;
            if (blockSize == BLOCK) {
                flushBlock();
            }
        }
    }

    private void countNonFinite(double v) {
        if (v != v) {
            nan++;
        } else if (v > 0) {
            posInf++;
        } else {
            negInf++;
        }
    }

    public void add(String category) {
        rows++;
        if (category == null) {
            missing++;
        } else {
            categories.update(category);
        }
    }

    private void flushBlock() {
        if (blockSize == 0) {
            return;
        }
        moments.addBlock(block, 0, blockSize);
        if (!distinct.overflowed()) {
            distinct.addAll(block, 0, blockSize);
        }
        kll.updateAll(block, 0, blockSize, moments.lastMin, moments.lastMax);
        blockSize = 0;
    }

    /** A copy with the pending block flushed; this state is not changed. */
    public ColumnState snapshot() {
        ColumnState c = new ColumnState(name, numeric, kllK, categoryCap,
                moments == null ? null : moments.copy(), kll == null ? null : kll.copy(),
                distinct == null ? null : distinct.copy(), categories == null ? null : categories.copy());
        c.setCounts(rows, missing, nan, posInf, negInf);
        if (blockSize > 0) {
            c.block = java.util.Arrays.copyOf(block, BLOCK);
            c.blockSize = blockSize;
            c.flushBlock();
        }
        return c;
    }

    /** Adds the other's state into this one; both must be snapshots of the same kind and settings. */
    public void merge(ColumnState o) {
        if (blockSize != 0 || o.blockSize != 0) {
            throw new IllegalStateException("merge needs snapshots");
        }
        rows += o.rows;
        missing += o.missing;
        nan += o.nan;
        posInf += o.posInf;
        negInf += o.negInf;
        if (numeric) {
            moments.merge(o.moments);
            kll.merge(o.kll);
            distinct.merge(o.distinct);
        } else {
            categories.merge(o.categories);
        }
    }
}
