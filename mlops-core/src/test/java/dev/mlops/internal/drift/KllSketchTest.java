package dev.mlops.internal.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.apache.datasketches.kll.KllSketch.SketchType;
import org.apache.datasketches.quantilescommon.QuantileSearchCriteria;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("KLL sketch: deterministic, as accurate as datasketches' KLL")
class KllSketchTest {
    private static final int K = 200;
    private static final int QUERIES = 99;

    /** Data in several orders: random, sorted, reversed, sawtooth, with heavy ties. */
    static double[] data(int order, int n, SplittableRandom r) {
        double[] a = new double[n];
        for (int i = 0; i < n; i++) {
            a[i] = order == 4 ? r.nextInt(50) : r.nextDouble() * 1000 - 200;
        }
        switch (order) {
            case 1 -> Arrays.sort(a);
            case 2 -> {
                Arrays.sort(a);
                for (int i = 0; i < n / 2; i++) {
                    double t = a[i];
                    a[i] = a[n - 1 - i];
                    a[n - 1 - i] = t;
                }
            }
            case 3 -> {
                for (int i = 0; i < n; i++) {
                    a[i] = (i * 7919L) % 1000 + (i % 3) * 0.25;
                }
            }
            default -> {
            }
        }
        return a;
    }

    /** The largest |estimated rank - true rank| over the sketch's queries at the true q-quantiles. */
    static double[] rankErrors(double[] sorted, java.util.function.DoubleUnaryOperator rank) {
        double[] errs = new double[QUERIES];
        int n = sorted.length;
        for (int q = 1; q <= QUERIES; q++) {
            double x = sorted[(int) ((long) q * (n - 1) / (QUERIES + 1))];
            int le = upper(sorted, x);
            errs[q - 1] = Math.abs(rank.applyAsDouble(x) - (double) le / n);
        }
        return errs;
    }

    private static int upper(double[] s, double x) {
        int lo = 0;
        int hi = s.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (s[mid] <= x) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    static double ourRank(KllSketch s, double x) {
        KllSketch.SortedView v = s.sortedView();
        long w = 0;
        for (int i = 0; i < v.values().length && v.values()[i] <= x; i++) {
            w += v.weights()[i];
        }
        return (double) w / s.n();
    }

    @Test
    @DisplayName("the stated error bound is datasketches' normalized rank error for the same k")
    void boundIsDatasketches() {
        for (int k : new int[] {8, 100, 200, 1000}) {
            assertThat(KllSketch.normalizedRankError(k))
                    .isCloseTo(org.apache.datasketches.kll.KllSketch.getNormalizedRankError(k, false),
                            org.assertj.core.data.Offset.offset(1e-15));
            assertThat(KllSketch.normalizedRankErrorPmf(k))
                    .isCloseTo(org.apache.datasketches.kll.KllSketch.getNormalizedRankError(k, true),
                            org.assertj.core.data.Offset.offset(1e-15));
        }
    }

    @ParameterizedTest(name = "order {0}")
    @ValueSource(ints = {0, 1, 2, 3, 4})
    @DisplayName("rank error within the stated epsilon against exact ranks, and no worse than datasketches")
    void rankAccuracy(int order) {
        double eps = KllSketch.normalizedRankError(K);
        int trials = 12;
        int over = 0;
        double ourMax = 0;
        double ourSum = 0;
        double theirSum = 0;
        for (int t = 0; t < trials; t++) {
            SplittableRandom r = new SplittableRandom(31L * order + t);
            double[] a = data(order, 200_000 + r.nextInt(100_000), r);
            KllSketch ours = new KllSketch(K);
            ours.updateAll(a, 0, a.length, Arrays.stream(a).min().getAsDouble(), Arrays.stream(a).max().getAsDouble());
            KllDoublesSketch theirs = KllDoublesSketch.newHeapInstance(K);
            for (double v : a) {
                theirs.update(v);
            }
            double[] sorted = a.clone();
            Arrays.sort(sorted);
            KllSketch.SortedView view = ours.sortedView();
            assertThat(Arrays.stream(view.weights()).sum()).isEqualTo(a.length);
            double[] e = rankErrors(sorted, x -> rank(view, x, a.length));
            double[] d = rankErrors(sorted, x -> theirs.getRank(x, QuantileSearchCriteria.INCLUSIVE));
            for (int i = 0; i < e.length; i++) {
                over += e[i] > eps ? 1 : 0;
                ourMax = Math.max(ourMax, e[i]);
                ourSum += e[i];
                theirSum += d[i];
            }
        }
        // epsilon is a 99% bound per query: allow 1% of the queries over it, none over twice it
        assertThat(over).as("queries over epsilon %s", eps).isLessThanOrEqualTo(trials * QUERIES / 100);
        assertThat(ourMax).isLessThan(2 * eps);
        // datasketches' mean error on the same data, with slack for its random coins
        assertThat(ourSum / (trials * QUERIES)).isLessThan(1.5 * theirSum / (trials * QUERIES) + 1e-4);
    }

    static double rank(KllSketch.SortedView v, double x, long n) {
        long w = 0;
        double[] vals = v.values();
        for (int i = 0; i < vals.length && vals[i] <= x; i++) {
            w += v.weights()[i];
        }
        return (double) w / n;
    }

    @Test
    @DisplayName("two sketches of the same data are identical (datasketches' are not)")
    void deterministic() {
        SplittableRandom r = new SplittableRandom(3);
        double[] a = data(0, 500_000, r);
        KllSketch s1 = new KllSketch(K);
        KllSketch s2 = new KllSketch(K);
        for (double v : a) {
            s1.update(v);
        }
        s2.updateAll(a, 0, a.length, Arrays.stream(a).min().getAsDouble(), Arrays.stream(a).max().getAsDouble());
        assertThat(s2.numLevels()).isEqualTo(s1.numLevels()).isGreaterThan(5);
        for (int h = 0; h < s1.numLevels(); h++) {
            assertThat(s2.levelItems(h)).isEqualTo(s1.levelItems(h));
        }
        assertThat(s2.rngState()).isEqualTo(s1.rngState());
        // the point of our own sketch: datasketches 6.2.0 draws coins from a global Random
        List<double[]> theirs = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            KllDoublesSketch t = KllDoublesSketch.newHeapInstance(K);
            for (double v : a) {
                t.update(v);
            }
            theirs.add(t.getQuantiles(new double[] {0.1, 0.3, 0.5, 0.7, 0.9}));
        }
        assertThat(theirs.get(0)).isNotEqualTo(theirs.get(1));
    }

    @Test
    @DisplayName("small inputs are kept exactly")
    void small() {
        KllSketch small = new KllSketch(K);
        for (int i = 0; i < K; i++) {
            small.update(K - 1 - i);
        }
        assertThat(small.retained()).isEqualTo(K);
        assertThat(small.sortedView().values()).hasSize(K).isSorted();
        assertThat(small.sortedView().weights()).containsOnly(1L);
        small.update(-1);
        assertThat(small.retained()).isLessThan(K);
    }

    /**
     * Merged sketches are as accurate as the stated single-sided epsilon (the 99% bound that the profile's
     * error_bound and the drift decisions use), for every query of every trial: the sketch of the union of 300,000
     * values split at random points into 1, 8 or 64 parts, merged in a random order, in each data ordering.
     * Measured: the largest error 0.0102 against epsilon 0.0133 (k = 200).
     */
    @ParameterizedTest(name = "{0} parts")
    @ValueSource(ints = {1, 8, 64})
    @DisplayName("merged sketches stay within epsilon of the union")
    void merged(int partCount) {
        SplittableRandom r = new SplittableRandom(8 + partCount);
        double eps = KllSketch.normalizedRankError(K);
        for (int t = 0; t < 5; t++) {
            double[] a = data(t, 300_000, r);
            int[] cuts = new int[partCount + 1];
            cuts[partCount] = a.length;
            for (int p = 1; p < partCount; p++) {
                cuts[p] = 1 + r.nextInt(a.length - 1);
            }
            Arrays.sort(cuts);
            List<KllSketch> parts = new ArrayList<>();
            for (int p = 0; p < partCount; p++) {
                KllSketch s = new KllSketch(K);
                for (int i = cuts[p]; i < cuts[p + 1]; i++) {
                    s.update(a[i]);
                }
                parts.add(s);
            }
            while (parts.size() > 1) {
                KllSketch x = parts.remove(r.nextInt(parts.size()));
                KllSketch y = parts.remove(r.nextInt(parts.size()));
                x.merge(y);
                assertThat(x.retained()).isLessThanOrEqualTo(3 * K + 8 * 64);
                parts.add(x);
            }
            KllSketch m = parts.get(0);
            assertThat(m.n()).isEqualTo(a.length);
            double[] sorted = a.clone();
            Arrays.sort(sorted);
            assertThat(m.min()).isEqualTo(sorted[0]);
            assertThat(m.max()).isEqualTo(sorted[sorted.length - 1]);
            KllSketch.SortedView view = m.sortedView();
            double max = Arrays.stream(rankErrors(sorted, x -> rank(view, x, a.length))).max().getAsDouble();
            assertThat(max).as("trial %d (ordering %d): the largest rank error of 99 queries", t, t)
                    .isLessThanOrEqualTo(eps);
        }
    }

    @Test
    @DisplayName("restore checks the state it is given")
    void restoreValidates() {
        KllSketch s = new KllSketch(K);
        for (int i = 0; i < 5000; i++) {
            s.update(i);
        }
        double[][] levels = new double[s.numLevels()][];
        for (int h = 0; h < levels.length; h++) {
            levels[h] = s.levelItems(h);
        }
        KllSketch back = KllSketch.restore(K, s.n(), s.min(), s.max(), s.rngState(), levels);
        back.update(1);
        s.update(1);
        assertThat(back.levelItems(0)).isEqualTo(s.levelItems(0));
        assertThatThrownBy(() -> KllSketch.restore(K, s.n() + 1, s.min(), s.max(), 0, levels))
                .hasMessageContaining("weigh");
        int h = 1;
        while (levels[h].length < 2 || levels[h][0] == levels[h][1]) {
            h++;
        }
        double[][] unsorted = levels.clone();
        unsorted[h] = levels[h].clone();
        double t = unsorted[h][0];
        unsorted[h][0] = unsorted[h][1];
        unsorted[h][1] = t;
        assertThatThrownBy(() -> KllSketch.restore(K, s.n() - 1, s.min(), s.max(), 0, unsorted))
                .hasMessageContaining("not sorted");
        assertThatThrownBy(() -> new KllSketch(7)).hasMessageContaining("k must be");
    }

    @Test
    @DisplayName("restore: level weights cannot overflow, and the level count is bounded by n")
    void restoreRejectsOverflowingLevels() {
        double[] eight = {1, 2, 3, 4, 5, 6, 7, 8};
        // 8 items at level 61 weigh 2^64, which wraps to 0 in a long: with 8 more at level 0 the sum would be n = 8
        double[][] wrapped = new double[62][];
        Arrays.fill(wrapped, new double[0]);
        wrapped[0] = eight;
        wrapped[61] = eight;
        assertThatThrownBy(() -> KllSketch.restore(K, 8, 1, 8, 0, wrapped))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("62 levels are more than a sketch of 8 values can have (5)");
        // the same within the level count a huge n allows: no wrap-around either
        long n = 8 + (8L << 58);
        double[][] huge = new double[62][];
        Arrays.fill(huge, new double[0]);
        huge[0] = eight;
        huge[58] = eight;
        huge[61] = eight;
        assertThatThrownBy(() -> KllSketch.restore(K, n, 1, 8, 0, huge))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("level 61 holds 8 items of weight 2^61, more than n = " + n);
        assertThat(KllSketch.maxLevels(0)).isEqualTo(1);
        assertThat(KllSketch.maxLevels(1)).isEqualTo(2);
        assertThat(KllSketch.maxLevels(8)).isEqualTo(5);
        assertThat(KllSketch.maxLevels(Long.MAX_VALUE)).isEqualTo(64);
        double[][] top = new double[64][];
        Arrays.fill(top, new double[0]);
        top[63] = new double[] {1};
        assertThatThrownBy(() -> KllSketch.restore(K, Long.MAX_VALUE, 1, 1, 0, top))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("level 63 holds 1 items");
        double[][] sum = new double[63][];
        Arrays.fill(sum, new double[0]);
        sum[62] = new double[] {1};
        sum[61] = new double[] {1, 1};
        assertThatThrownBy(() -> KllSketch.restore(K, Long.MAX_VALUE, 1, 1, 0, sum))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("weigh more than n");
    }
}
