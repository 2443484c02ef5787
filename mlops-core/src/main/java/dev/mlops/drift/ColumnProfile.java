package dev.mlops.drift;

import dev.mlops.InvalidArgumentException;
import dev.mlops.internal.drift.ColumnState;
import dev.mlops.internal.drift.FrequentItemsCounter;
import dev.mlops.internal.drift.KllSketch;
import dev.mlops.internal.drift.Moments;
import dev.mlops.internal.drift.ProfileDistinctValues;
import dev.mlops.internal.drift.ProfileJson;
import java.util.Arrays;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The profile of one column: counts, and either moments and a quantile sketch of its finite values
 * ({@link ProfileKind#NUMERIC}) or its category counts ({@link ProfileKind#CATEGORICAL}). Made by a
 * {@link ColumnProfiler}, read from JSON through {@link DatasetProfile#fromJson}, combined with {@link #merge}.
 *
 * <p>For a numeric column {@code rows = missing + nan + positive infinities + negative infinities + count}, and
 * min, max, mean, variance and the quantile sketch describe the {@link #count()} finite values. For a categorical
 * column {@code rows = missing + count}. Two profiles are equal when their JSON is byte for byte the same.
 *
 * <p>Immutable and thread-safe.
 */
public final class ColumnProfile {
    /** A numeric column with at most this many distinct finite values keeps them with exact counts. */
    public static final int DISTINCT_VALUES_LIMIT = ProfileDistinctValues.LIMIT;

    private final ColumnState state;
    private volatile KllQuantiles quantiles;
    private volatile byte[] json;

    /** Takes ownership of a snapshot, which no one changes afterwards. */
    ColumnProfile(ColumnState snapshot) {
        this.state = snapshot;
    }

    ColumnState state() {
        return state;
    }

    public String name() {
        return state.name();
    }

    public ProfileKind kind() {
        return state.isNumeric() ? ProfileKind.NUMERIC : ProfileKind.CATEGORICAL;
    }

    /** Every row the column was given: missing, NaN, infinite, finite or category values. */
    public long rows() {
        return state.rows();
    }

    /** Rows without a value (empty fields, nulls, {@link ColumnProfiler#addMissing}). */
    public long missing() {
        return state.missing();
    }

    /** NaN values given to a numeric column; 0 for a categorical column. */
    public long nanCount() {
        return state.nan();
    }

    /** {@code +Infinity} values given to a numeric column; 0 for a categorical column. */
    public long positiveInfinityCount() {
        return state.positiveInfinity();
    }

    /** {@code -Infinity} values given to a numeric column; 0 for a categorical column. */
    public long negativeInfinityCount() {
        return state.negativeInfinity();
    }

    /** The values described: finite numbers (numeric), non-missing categories (categorical). */
    public long count() {
        return state.isNumeric() ? state.moments().n() : state.categories().total();
    }

    /** The smallest finite value; empty for a categorical column or one without finite values. */
    public OptionalDouble min() {
        Moments m = state.moments();
        return m == null || m.n() == 0 ? OptionalDouble.empty() : OptionalDouble.of(m.min());
    }

    /** The largest finite value; empty for a categorical column or one without finite values. */
    public OptionalDouble max() {
        Moments m = state.moments();
        return m == null || m.n() == 0 ? OptionalDouble.empty() : OptionalDouble.of(m.max());
    }

    /** The mean of the finite values; empty for a categorical column or one without finite values. */
    public OptionalDouble mean() {
        Moments m = state.moments();
        return m == null || m.n() == 0 ? OptionalDouble.empty() : OptionalDouble.of(m.mean());
    }

    /**
     * The population variance ({@code sum((x - mean)^2) / count}, NumPy's {@code var} with {@code ddof=0}) of the
     * finite values: 0 for one value, {@code +Infinity} when the squared deviations overflow; empty for a
     * categorical column or one without finite values.
     */
    public OptionalDouble variance() {
        Moments m = state.moments();
        return m == null || m.n() == 0 ? OptionalDouble.empty() : OptionalDouble.of(m.m2() / m.n());
    }

    /** The sample variance ({@code ddof=1}); empty with fewer than two finite values or for a categorical column. */
    public OptionalDouble sampleVariance() {
        Moments m = state.moments();
        return m == null || m.n() < 2 ? OptionalDouble.empty() : OptionalDouble.of(m.m2() / (m.n() - 1));
    }

    /** The quantile sketch of the finite values; empty for a categorical column. */
    public Optional<KllQuantiles> quantiles() {
        if (!state.isNumeric()) {
            return Optional.empty();
        }
        KllQuantiles q = quantiles;
        if (q == null) {
            KllSketch k = state.kll();
            KllSketch.SortedView v = k.sortedView();
            q = new KllQuantiles(k.k(), k.n(), k.min(), k.max(), v.values(), v.weights(),
                    KllSketch.normalizedRankError(k.k()), KllSketch.normalizedRankErrorPmf(k.k()));
            quantiles = q;
        }
        return Optional.of(q);
    }

    /**
     * The normalized rank error of this profile's quantiles, single-sided at 99% confidence (0 when the sketch is
     * exact, and for a categorical column): the allowance a drift test from profiles must make.
     */
    public double rankErrorBound() {
        return quantiles().map(KllQuantiles::normalizedRankError).orElse(0.0);
    }

    /**
     * The distinct finite values of a numeric column with their exact counts, ascending, while there are at most
     * {@value #DISTINCT_VALUES_LIMIT} of them ({@code -0.0} counted as {@code 0.0}); empty when there are more, and for
     * a categorical column. This is what the contract's bin rule for numeric columns needs (one bin per value for a
     * reference with at most 20 distinct values). Exact through merges.
     */
    public Optional<SortedMap<Double, Long>> distinctValues() {
        ProfileDistinctValues d = state.distinct();
        if (d == null || d.overflowed()) {
            return Optional.empty();
        }
        TreeMap<Double, Long> m = new TreeMap<>();
        double[] v = d.values();
        long[] c = d.counts();
        for (int i = 0; i < v.length; i++) {
            m.put(v[i], c[i]);
        }
        return Optional.of(java.util.Collections.unmodifiableSortedMap(m));
    }

    /** The category counts; empty for a numeric column. */
    public Optional<ProfileCategories> categories() {
        FrequentItemsCounter f = state.categories();
        if (f == null) {
            return Optional.empty();
        }
        return Optional.of(new ProfileCategories(f.cap(), f.total(), f.offset(), f.sortedCounts(),
                f.distinctEstimate(), f.distinctLowerBound(), f.distinctUpperBound()));
    }

    /** The KLL parameter (numeric) or 0 (categorical). */
    public int kllK() {
        return state.kllK();
    }

    /** The category cap (categorical) or 0 (numeric). */
    public int categoryCap() {
        return state.categoryCap();
    }

    /**
     * The profile of both columns' values together. Counts and moments are those of the union (moments to within a
     * few units in the last place, whatever the grouping); quantiles and frequent items within their stated errors.
     * Merging is associative and commutative in that sense. This profile and {@code other} are not changed.
     *
     * @throws InvalidArgumentException (field {@code other}) when the names, kinds or settings differ
     */
    public ColumnProfile merge(ColumnProfile other) {
        if (other == null) {
            throw new InvalidArgumentException("other", "other is required");
        }
        if (!name().equals(other.name()) || kind() != other.kind() || kllK() != other.kllK()
                || categoryCap() != other.categoryCap()) {
            throw new InvalidArgumentException("other", "cannot merge the profile of " + describe() + " with that"
                    + " of " + other.describe() + ": name, kind and settings must match");
        }
        ColumnState merged = state.snapshot();
        merged.merge(other.state);
        return new ColumnProfile(merged);
    }

    private String describe() {
        return "column '" + name() + "' (" + kind().name().toLowerCase(java.util.Locale.ROOT)
                + (state.isNumeric() ? ", kllK " + kllK() : ", categoryCap " + categoryCap()) + ")";
    }

    byte[] json() {
        byte[] j = json;
        if (j == null) {
            j = ProfileJson.writeColumn(state);
            json = j;
        }
        return j;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ColumnProfile c && Arrays.equals(c.json(), json());
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(json());
    }

    @Override
    public String toString() {
        return "ColumnProfile[" + describe() + ", rows=" + rows() + ", missing=" + missing() + ", count=" + count()
                + "]";
    }
}
