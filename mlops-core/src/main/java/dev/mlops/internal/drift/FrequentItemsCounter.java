package dev.mlops.internal.drift;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.datasketches.hll.HllSketch;
import org.apache.datasketches.hll.TgtHllType;
import org.apache.datasketches.hll.Union;

/**
 * Category counts, exact while a column has at most {@code cap} distinct values, then a Misra-Gries frequent-items
 * summary (mergeable in the sense of Agarwal et al. 2012) with an HLL distinct-count estimate.
 *
 * <p>At most {@code cap} counters are kept. When a new category would make {@code cap + 1}, or a merge leaves more
 * than {@code cap}, the summary is reduced: with {@code v} the {@code (cap/2 + 1)}-th largest count, {@code v} is
 * subtracted from every counter, counters at or below zero are dropped, and {@code offset += v}. A kept counter is a
 * lower bound of its category's count and {@code count + offset} an upper bound; a category without a counter occurred
 * at most {@code offset} times. Every reduction removes at least {@code v (cap/2 + 1)} from the counters' total, so
 * {@code offset <= (total - sum of counters) / (floor(cap/2) + 1) <= total / (floor(cap/2) + 1)}. Reductions subtract a value
 * from all counters alike, so they do not depend on the order of equal counts; the summary is deterministic.
 *
 * <p>The summary is exact ({@code offset == 0}) exactly when the column has at most {@code cap} distinct values, in
 * any grouping: a merge tree's unions only grow towards the whole. Once it is not exact, the distinct count comes
 * from an HLL sketch (datasketches {@code HllSketch}, HLL_8, {@code lgK} 12: relative standard error about 1.6%),
 * fed with every distinct value seen until then and every value after.
 *
 * <p>Not thread-safe.
 */
public final class FrequentItemsCounter {
    public static final int HLL_LG_K = 12;
    public static final int MIN_CAP = 2;
    public static final int MAX_CAP = 1_000_000;

    private final int cap;
    private final HashMap<String, long[]> counts = new HashMap<>();
    private long total;
    private long offset;
    private HllSketch hll;

    public FrequentItemsCounter(int cap) {
        if (cap < MIN_CAP || cap > MAX_CAP) {
            throw new IllegalArgumentException("cap must be in [" + MIN_CAP + ", " + MAX_CAP + "], was " + cap);
        }
        this.cap = cap;
    }

    /** Restores a serialised state; {@code hllBytes} is null exactly when {@code offset == 0}. */
    public static FrequentItemsCounter restore(int cap, long total, long offset, Map<String, Long> counters,
            byte[] hllBytes) {
        FrequentItemsCounter f = new FrequentItemsCounter(cap);
        if (total < 0 || offset < 0) {
            throw new IllegalArgumentException("total and offset must be >= 0");
        }
        if (counters.size() > cap) {
            throw new IllegalArgumentException(counters.size() + " counters, more than the cap " + cap);
        }
        long sum = 0;
        for (Map.Entry<String, Long> e : counters.entrySet()) {
            if (e.getKey() == null || e.getValue() == null || e.getValue() <= 0) {
                throw new IllegalArgumentException("a category count must be a positive number, "
                        + e.getKey() + " had " + e.getValue());
            }
            sum += e.getValue();
            f.counts.put(e.getKey(), new long[] {e.getValue()});
        }
        if (sum > total || (offset == 0 && sum != total)) {
            throw new IllegalArgumentException("the category counts add up to " + sum + " but total is " + total);
        }
        if ((offset == 0) != (hllBytes == null)) {
            throw new IllegalArgumentException("a distinct-count sketch is present exactly when the counts are not"
                    + " exact");
        }
        f.total = total;
        f.offset = offset;
        if (hllBytes != null) {
            f.hll = HllSketch.heapify(hllBytes);
            if (f.hll.getLgConfigK() != HLL_LG_K) {
                throw new IllegalArgumentException("the distinct-count sketch has lgK " + f.hll.getLgConfigK()
                        + ", expected " + HLL_LG_K);
            }
        }
        return f;
    }

    public FrequentItemsCounter copy() {
        FrequentItemsCounter c = new FrequentItemsCounter(cap);
        counts.forEach((key, v) -> c.counts.put(key, new long[] {v[0]}));
        c.total = total;
        c.offset = offset;
        c.hll = hll == null ? null : hll.copy();
        return c;
    }

    public int cap() {
        return cap;
    }

    public long total() {
        return total;
    }

    public long offset() {
        return offset;
    }

    public boolean exact() {
        return offset == 0;
    }

    /** The counters sorted by category (String natural order). */
    public TreeMap<String, Long> sortedCounts() {
        TreeMap<String, Long> m = new TreeMap<>();
        counts.forEach((key, v) -> m.put(key, v[0]));
        return m;
    }

    /** The counter of a category, 0 when it has none. */
    public long count(String category) {
        long[] c = counts.get(category);
        return c == null ? 0 : c[0];
    }

    public int size() {
        return counts.size();
    }

    /** The serialised HLL sketch, or null while exact. */
    public byte[] hllBytes() {
        return hll == null ? null : hll.toCompactByteArray();
    }

    /** Distinct count: exact while exact, else the HLL estimate (never below the number of counters). */
    public double distinctEstimate() {
        return hll == null ? counts.size() : Math.max(counts.size(), hll.getEstimate());
    }

    /** A lower bound of the distinct count at about 95% confidence (2 standard errors); exact while exact. */
    public double distinctLowerBound() {
        return hll == null ? counts.size() : Math.max(counts.size(), hll.getLowerBound(2));
    }

    /** An upper bound of the distinct count at about 95% confidence (2 standard errors); exact while exact. */
    public double distinctUpperBound() {
        return hll == null ? counts.size() : Math.max(counts.size(), hll.getUpperBound(2));
    }

    public void update(String category) {
        total++;
        if (hll != null) {
            hll.update(category);
        }
        long[] c = counts.get(category);
        if (c != null) {
            c[0]++;
            return;
        }
        counts.put(category, new long[] {1});
        if (counts.size() > cap) {
            startSketch();
            reduce();
        }
    }

    /** Adds the other's counts (the other is not changed). Both must have the same cap. */
    public void merge(FrequentItemsCounter o) {
        if (o.cap != cap) {
            throw new IllegalArgumentException("cannot merge category counts with caps " + cap + " and " + o.cap);
        }
        total += o.total;
        offset += o.offset;
        o.counts.forEach((key, v) -> counts.computeIfAbsent(key, x -> new long[1])[0] += v[0]);
        if (hll != null || o.hll != null || counts.size() > cap) {
            Union u = new Union(HLL_LG_K);
            // While a side is exact, each of its categories has a counter; o's keys, already added to this side's
            // counters, are fed to this side's sketch too, which is harmless for a set union.
            u.update(hll != null ? hll : sketchOf(counts.keySet().toArray(new String[0])));
            u.update(o.hll != null ? o.hll : sketchOf(o.counts.keySet().toArray(new String[0])));
            hll = u.getResult(TgtHllType.HLL_8);
        }
        if (counts.size() > cap) {
            reduce();
        }
    }

    private static HllSketch sketchOf(String[] keys) {
        Arrays.sort(keys);
        HllSketch s = new HllSketch(HLL_LG_K, TgtHllType.HLL_8);
        for (String k : keys) {
            s.update(k);
        }
        return s;
    }

    private void startSketch() {
        if (hll == null) {
            hll = sketchOf(counts.keySet().toArray(new String[0]));
        }
    }

    private void reduce() {
        long[] values = new long[counts.size()];
        int i = 0;
        for (long[] v : counts.values()) {
            values[i++] = v[0];
        }
        Arrays.sort(values);
        int keep = cap / 2;
        long v = values[values.length - 1 - keep]; // the (keep + 1)-th largest
        List<String> drop = new ArrayList<>();
        for (Map.Entry<String, long[]> e : counts.entrySet()) {
            long[] c = e.getValue();
            c[0] -= v;
            if (c[0] <= 0) {
                drop.add(e.getKey());
            }
        }
        for (String key : drop) {
            counts.remove(key);
        }
        offset += v;
    }
}
