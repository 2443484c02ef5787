package dev.mlops.internal.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.apache.commons.statistics.distribution.HypergeometricDistribution;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The exact null distributions against brute-force enumeration, and the KS algorithms against each other. */
class ExactDistributionsTest {

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8})
    void ksLatticeMethodEqualsTheSquareFormulaForEqualSizes(int seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int n = 1 + rnd.nextInt(400);
        long h = 1 + rnd.nextInt(n);
        double square = KolmogorovSmirnov.probOutsideSquare(n, h);
        double lattice = KolmogorovSmirnov.probOutside(n, n, n, h);
        assertThat(lattice).isCloseTo(square, within(1e-12 + 1e-10 * square));
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(ints = {11, 12, 13, 14, 15, 16})
    void ksExactPValueIsTheShareOfArrangementsWithALargerStatistic(int seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int m = 2 + rnd.nextInt(6);
        int n = 2 + rnd.nextInt(7);
        double[] x = new double[m];
        double[] y = new double[n];
        for (int i = 0; i < m; i++) {
            x[i] = rnd.nextGaussian();
        }
        for (int i = 0; i < n; i++) {
            y[i] = rnd.nextGaussian() + 0.7;
        }
        Arrays.sort(x);
        Arrays.sort(y);
        KolmogorovSmirnov.Result r = KolmogorovSmirnov.testSorted(x, y);
        double observed = r.statistic();
        double share = shareOfSplitsAtLeast(m, n, (xs, ys) -> KolmogorovSmirnov.statistic(xs, ys) >= observed - 1e-12);
        assertThat(r.exact()).isTrue();
        assertThat(r.pValue()).isCloseTo(share, within(1e-12));
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(ints = {21, 22, 23, 24, 25, 26})
    void mannWhitneyExactCdfCountsSubsets(int seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int a = 1 + rnd.nextInt(6);
        int b = a + rnd.nextInt(6);
        int total = a + b;
        long[] freq = new long[a * b + 1];
        long all = 0;
        for (int mask = 0; mask < (1 << total); mask++) {
            if (Integer.bitCount(mask) != a) {
                continue;
            }
            all++;
            // U = number of (x, y) pairs with x above y; x holds the ranks in mask
            int u = 0;
            int ysBelow = 0;
            for (int i = 0; i < total; i++) {
                if ((mask & (1 << i)) != 0) {
                    u += ysBelow;
                } else {
                    ysBelow++;
                }
            }
            freq[u]++;
        }
        long cum = 0;
        for (int k = 0; k <= a * b / 2; k++) {
            cum += freq[k];
            assertThat(RankTests.mannWhitneyCdf(a, b, k)).isCloseTo((double) cum / all, within(1e-13));
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(ints = {31, 32, 33, 34, 35})
    void cramerVonMisesExactPValueIsTheShareOfArrangementsWithALargerStatistic(int seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int m = 2 + rnd.nextInt(5);
        int n = 2 + rnd.nextInt(6);
        double[] x = new double[m];
        double[] y = new double[n];
        for (int i = 0; i < m; i++) {
            x[i] = rnd.nextGaussian();
        }
        for (int i = 0; i < n; i++) {
            y[i] = rnd.nextGaussian() + 0.5;
        }
        Arrays.sort(x);
        Arrays.sort(y);
        double observed = RankTests.cramerVonMises(x, y).statistic();
        double share = shareOfSplitsAtLeast(m, n,
                (xs, ys) -> RankTests.cramerVonMises(xs, ys).statistic() >= observed - 1e-9);
        assertThat(RankTests.cramerVonMises(x, y).pValue()).isCloseTo(share, within(1e-12));
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(ints = {41, 42, 43, 44, 45, 46, 47, 48})
    void fisherTwoSidedSumsTheTablesNoMoreLikelyThanTheObservedOne(int seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        long[] ref = {rnd.nextInt(40), 1 + rnd.nextInt(40)};
        long[] cur = {1 + rnd.nextInt(40), rnd.nextInt(40)};
        long n1 = ref[0] + ref[1];
        long n2 = cur[0] + cur[1];
        long n = ref[0] + cur[0];
        HypergeometricDistribution hg = HypergeometricDistribution.of((int) (n1 + n2), (int) n1, (int) n);
        double pObs = hg.probability((int) ref[0]);
        double p = 0;
        for (int k = hg.getSupportLowerBound(); k <= hg.getSupportUpperBound(); k++) {
            double pk = hg.probability(k);
            if (pk <= pObs * (1 + 1e-7)) {
                p += pk;
            }
        }
        assertThat(CountTests.fisher(ref, cur).pValue()).isCloseTo(Math.min(1, p), within(1e-12));
    }

    @ParameterizedTest(name = "x = {0}")
    @ValueSource(doubles = {0.02, 0.025, 0.03, 0.035})
    void durbinMatrixAndPelzGoodAgreeAtLargeN(double x) {
        int n = 3000;
        assertThat(Kolmogorov.pelzGoodCdf(n, x)).isCloseTo(Kolmogorov.durbinCdf(n, x), within(1e-7));
    }

    @ParameterizedTest(name = "n = {0}")
    @ValueSource(ints = {2, 3, 5, 10, 50, 200})
    void smirnovSumMatchesTheDefinitionForTinySamples(int n) {
        // P(D+ > x) for n = 1 is 1 - x; for any n the sum is decreasing in x and 1 at 0
        double previous = 1.0;
        for (double x = 0.01; x < 1; x += 0.01) {
            double sf = Kolmogorov.smirnovSf(n, x);
            assertThat(sf).isBetween(0.0, previous + 1e-15);
            previous = sf;
        }
        assertThat(Kolmogorov.smirnovSf(1, 0.3)).isCloseTo(0.7, within(1e-15));
    }

    @org.junit.jupiter.api.Test
    void mannWhitneyFallsBackToTheNormalApproximationWhenTheExactTableWouldBeTooLarge() {
        double[] x = {0.5, 2.5, 4.5};
        double[] y = new double[40];
        for (int i = 0; i < y.length; i++) {
            y[i] = i * 0.25 + 0.1;
        }
        Outcome exact = RankTests.mannWhitney(x, y);
        Outcome capped = RankTests.mannWhitney(x, y, 10);
        assertThat(exact.note()).isNull();
        assertThat(capped.note()).contains("normal approximation");
        assertThat(capped.statistic()).isEqualTo(exact.statistic());
        // the same U, so the two p-values differ only by the approximation
        assertThat(capped.pValue()).isNotEqualTo(exact.pValue()).isCloseTo(exact.pValue(), within(0.05));
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(ints = {51, 52, 53, 54, 55, 56, 57, 58})
    void ksStatisticAndCdfDistancesMatchTheirDefinitionsWithTies(int seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        double[] x = new double[1 + rnd.nextInt(60)];
        double[] y = new double[1 + rnd.nextInt(60)];
        for (int i = 0; i < x.length; i++) {
            x[i] = rnd.nextInt(12);
        }
        for (int i = 0; i < y.length; i++) {
            y[i] = rnd.nextInt(15) - 1;
        }
        Arrays.sort(x);
        Arrays.sort(y);
        double[] pooled = new double[x.length + y.length];
        System.arraycopy(x, 0, pooled, 0, x.length);
        System.arraycopy(y, 0, pooled, x.length, y.length);
        Arrays.sort(pooled);
        double d = 0;
        double w1 = 0;
        double w2 = 0;
        for (int k = 0; k < pooled.length; k++) {
            double diff = ecdf(x, pooled[k]) - ecdf(y, pooled[k]);
            d = Math.max(d, Math.abs(diff));
            if (k + 1 < pooled.length) {
                double width = pooled[k + 1] - pooled[k];
                w1 += Math.abs(diff) * width;
                w2 += diff * diff * width;
            }
        }
        assertThat(KolmogorovSmirnov.statistic(x, y)).isCloseTo(d, within(1e-15));
        assertThat(NumericTests.wasserstein(x, y)).isCloseTo(w1, within(1e-12));
        assertThat(NumericTests.energy(x, y)).isCloseTo(Math.sqrt(2 * w2), within(1e-12));
    }

    private static double ecdf(double[] sorted, double v) {
        int c = 0;
        for (double s : sorted) {
            if (s <= v) {
                c++;
            }
        }
        return (double) c / sorted.length;
    }

    /**
     * The share of the ways to split the ranks 0 .. m + n - 1 into m for x and n for y (each way equally likely
     * under the null hypothesis) for which {@code atLeastObserved} holds.
     */
    private static double shareOfSplitsAtLeast(int m, int n,
            java.util.function.BiPredicate<double[], double[]> atLeastObserved) {
        int total = m + n;
        long count = 0;
        long all = 0;
        for (int mask = 0; mask < (1 << total); mask++) {
            if (Integer.bitCount(mask) != m) {
                continue;
            }
            all++;
            double[] xs = new double[m];
            double[] ys = new double[n];
            int a = 0;
            int b = 0;
            for (int i = 0; i < total; i++) {
                if ((mask & (1 << i)) != 0) {
                    xs[a++] = i;
                } else {
                    ys[b++] = i;
                }
            }
            if (atLeastObserved.test(xs, ys)) {
                count++;
            }
        }
        return (double) count / all;
    }
}
