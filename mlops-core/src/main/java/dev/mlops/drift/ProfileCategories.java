package dev.mlops.drift;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The category counts of a categorical column. Exact while the column has at most {@link #cap()} distinct values;
 * beyond that a Misra-Gries frequent-items summary of at most {@code cap} counters whose counts are each at most
 * {@link #maxError()} below the truth ({@code maxError <= total / (floor(cap / 2) + 1)}, 0.2% of the values for the default
 * cap), and an HLL estimate of the distinct count (relative standard error about 1.6%; the bounds are 2 standard
 * errors, about 95%). See docs/drift.md.
 *
 * <p>Immutable and thread-safe.
 */
public final class ProfileCategories {
    private final int cap;
    private final long total;
    private final long maxError;
    private final Map<String, Long> counts;
    private final double distinct;
    private final double distinctLower;
    private final double distinctUpper;

    ProfileCategories(int cap, long total, long maxError, Map<String, Long> counts, double distinct,
            double distinctLower, double distinctUpper) {
        this.cap = cap;
        this.total = total;
        this.maxError = maxError;
        this.counts = Map.copyOf(counts);
        this.distinct = distinct;
        this.distinctLower = distinctLower;
        this.distinctUpper = distinctUpper;
    }

    /** The number of distinct categories counted exactly. */
    public int cap() {
        return cap;
    }

    /** The number of non-missing values. */
    public long total() {
        return total;
    }

    /** True when every count is exact (the column has at most {@link #cap()} distinct values). */
    public boolean exact() {
        return maxError == 0;
    }

    /** The most a count may be below the truth; a category not listed occurred at most this many times. */
    public long maxError() {
        return maxError;
    }

    /** The distinct count: exact when {@link #exact()}, else the HLL estimate. */
    public double distinctCount() {
        return distinct;
    }

    /** A lower bound of the distinct count (exact when {@link #exact()}, else about 95% confidence). */
    public double distinctLowerBound() {
        return distinctLower;
    }

    /** An upper bound of the distinct count (exact when {@link #exact()}, else about 95% confidence). */
    public double distinctUpperBound() {
        return distinctUpper;
    }

    /** The lower bound of a category's count (its counter; 0 when it has none). */
    public long lowerBound(String category) {
        return counts.getOrDefault(category, 0L);
    }

    /** The upper bound of a category's count: its counter plus {@link #maxError()}. */
    public long upperBound(String category) {
        return lowerBound(category) + maxError;
    }

    /** The counted categories, most frequent first, ties by category (String order). */
    public List<FrequentItemsRow> items() {
        List<FrequentItemsRow> rows = new ArrayList<>(counts.size());
        counts.forEach((k, v) -> rows.add(new FrequentItemsRow(k, v, v + maxError)));
        rows.sort(Comparator.comparingLong(FrequentItemsRow::lowerBound).reversed()
                .thenComparing(FrequentItemsRow::value));
        return rows;
    }

    @Override
    public String toString() {
        return "ProfileCategories[total=" + total + ", counted=" + counts.size() + ", exact=" + exact()
                + ", maxError=" + maxError + ", distinct=" + distinct + "]";
    }
}
