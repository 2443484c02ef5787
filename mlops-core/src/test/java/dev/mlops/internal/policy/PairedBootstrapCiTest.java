package dev.mlops.internal.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.mlops.InvalidArgumentException;
import dev.mlops.policy.PairedBootstrap;
import java.util.SplittableRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("The seeded paired bootstrap interval")
class PairedBootstrapCiTest {

    static double gaussian(SplittableRandom r) {
        double u = 1 - r.nextDouble();
        double v = r.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }

    static double[] normal(SplittableRandom r, int n, double mean, double sd) {
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = mean + sd * gaussian(r);
        }
        return x;
    }

    static double[] zeros(int n) {
        return new double[n];
    }

    @Test
    @DisplayName("is the same for the same scores and seed, and differs for another seed")
    void deterministic() {
        SplittableRandom r = new SplittableRandom(5);
        double[] a = normal(r, 300, 0.6, 0.2);
        double[] b = normal(r, 300, 0.55, 0.2);
        PairedBootstrap settings = PairedBootstrap.higherIsBetter("acc").resamples(1000).seed(123);

        PairedBootstrapCi.Interval first = PairedBootstrapCi.compute(settings, a, b);
        PairedBootstrapCi.Interval again = PairedBootstrapCi.compute(settings, a.clone(), b.clone());
        PairedBootstrapCi.Interval other = PairedBootstrapCi.compute(settings.seed(124), a, b);

        assertThat(again).isEqualTo(first);
        assertThat(other.lower()).isNotEqualTo(first.lower());
        assertThat(other.mean()).isEqualTo(first.mean());
    }

    @Test
    @DisplayName("pins its resampling scheme: one SplittableRandom, nextInt(n) per draw, resamples in order")
    void pinnedScheme() {
        double[] cand = {0.9, 0.1, 0.5, 0.7, 0.3};
        double[] champ = {0.4, 0.2, 0.5, 0.1, 0.6};
        PairedBootstrap settings = PairedBootstrap.higherIsBetter("s").resamples(100).seed(9).confidence(0.9);
        double[] d = new double[5];
        for (int i = 0; i < 5; i++) {
            d[i] = cand[i] - champ[i];
        }
        SplittableRandom random = new SplittableRandom(9);
        double[] means = new double[100];
        for (int b = 0; b < 100; b++) {
            double s = 0;
            for (int i = 0; i < 5; i++) {
                s += d[random.nextInt(5)];
            }
            means[b] = s / 5;
        }
        java.util.Arrays.sort(means);
        // 0.05 * 99 = 4.95 and 0.95 * 99 = 94.05
        double lower = means[4] + 0.95 * (means[5] - means[4]);
        double upper = means[94] + 0.05 * (means[95] - means[94]);

        PairedBootstrapCi.Interval ci = PairedBootstrapCi.compute(settings, cand, champ);

        assertThat(ci.lower()).isCloseTo(lower, within(1e-15));
        assertThat(ci.upper()).isCloseTo(upper, within(1e-15));
        assertThat(ci.mean()).isCloseTo(0.14, within(1e-15));
        assertThat(ci.n()).isEqualTo(5);
    }

    @Test
    @DisplayName("interpolates quantiles linearly between order statistics (numpy's default)")
    void quantiles() {
        double[] sorted = {1, 2, 3, 4, 5};
        assertThat(PairedBootstrapCi.quantile(sorted, 0)).isEqualTo(1);
        assertThat(PairedBootstrapCi.quantile(sorted, 1)).isEqualTo(5);
        assertThat(PairedBootstrapCi.quantile(sorted, 0.5)).isEqualTo(3);
        assertThat(PairedBootstrapCi.quantile(sorted, 0.1)).isCloseTo(1.4, within(1e-15));
        assertThat(PairedBootstrapCi.quantile(sorted, 0.975)).isCloseTo(4.9, within(1e-15));
    }

    @Test
    @DisplayName("a clear improvement is significant in either direction; identical scores give [0, 0]")
    void clearAndNone() {
        SplittableRandom r = new SplittableRandom(17);
        double[] champ = normal(r, 500, 0.3, 0.1);
        double[] better = new double[500];
        for (int i = 0; i < 500; i++) {
            better[i] = champ[i] - 0.02 + 0.03 * gaussian(r); // 0.02 lower loss, noisy
        }
        PairedBootstrapCi.Interval loss = PairedBootstrapCi.compute(
                PairedBootstrap.lowerIsBetter("loss").resamples(2000), better, champ);
        assertThat(loss.lower()).isGreaterThan(0);
        assertThat(loss.mean()).isCloseTo(0.02, within(0.005));
        PairedBootstrapCi.Interval asScore = PairedBootstrapCi.compute(
                PairedBootstrap.higherIsBetter("loss-as-score").resamples(2000), better, champ);
        assertThat(asScore.upper()).isLessThan(0);

        PairedBootstrapCi.Interval same = PairedBootstrapCi.compute(PairedBootstrap.higherIsBetter("s"), champ,
                champ.clone());
        assertThat(same.lower()).isZero();
        assertThat(same.upper()).isZero();
        assertThat(same.mean()).isZero();
    }

    @Test
    @DisplayName("two models of the same quality are not significant")
    void noDifference() {
        SplittableRandom r = new SplittableRandom(23);
        int significant = 0;
        for (int trial = 0; trial < 40; trial++) {
            double[] a = normal(r, 200, 0.5, 0.2);
            double[] b = normal(r, 200, 0.5, 0.2);
            PairedBootstrapCi.Interval ci = PairedBootstrapCi.compute(
                    PairedBootstrap.higherIsBetter("s").resamples(1000).seed(trial), a, b);
            if (ci.lower() > 0) {
                significant++;
            }
        }
        // one-sided 2.5 % false positives expected: 1 of 40 on average; 5 or more has probability < 0.5 %
        assertThat(significant).isLessThan(5);
    }

    @Test
    @DisplayName("a 95 % interval covers the true mean difference about 95 % of the time")
    void coverage() {
        SplittableRandom r = new SplittableRandom(29);
        int covered = 0;
        int trials = 300;
        for (int trial = 0; trial < trials; trial++) {
            double[] champ = normal(r, 60, 0.0, 1.0);
            double[] cand = new double[60];
            for (int i = 0; i < 60; i++) {
                cand[i] = champ[i] + 0.1 + 0.5 * gaussian(r); // true mean improvement 0.1
            }
            PairedBootstrapCi.Interval ci = PairedBootstrapCi.compute(
                    PairedBootstrap.higherIsBetter("s").resamples(1000).seed(trial), cand, champ);
            if (ci.lower() <= 0.1 && 0.1 <= ci.upper()) {
                covered++;
            }
        }
        // the percentile bootstrap under-covers slightly for small n; binomial sd at 95 % of 300 is 3.8
        assertThat(covered / (double) trials).isBetween(0.89, 0.98);
    }

    @Test
    @DisplayName("for many pairs it agrees with the normal interval mean +- 1.96 sd / sqrt(n)")
    void normalApproximation() {
        SplittableRandom r = new SplittableRandom(31);
        int n = 4000;
        double[] cand = normal(r, n, 0.05, 1.0);
        double[] champ = zeros(n);
        double mean = 0;
        for (double x : cand) {
            mean += x;
        }
        mean /= n;
        double ss = 0;
        for (double x : cand) {
            ss += (x - mean) * (x - mean);
        }
        double se = Math.sqrt(ss / (n - 1) / n);

        PairedBootstrapCi.Interval ci = PairedBootstrapCi.compute(PairedBootstrap.higherIsBetter("s").resamples(4000),
                cand, champ);

        assertThat(ci.mean()).isCloseTo(mean, within(1e-12));
        assertThat(ci.lower()).isCloseTo(mean - 1.959964 * se, within(0.1 * se));
        assertThat(ci.upper()).isCloseTo(mean + 1.959964 * se, within(0.1 * se));
    }

    @ParameterizedTest(name = "shift {0}")
    @ValueSource(doubles = {-3.5, 0.25, 10})
    @DisplayName("shifting the candidate's scores by k shifts the interval by k (same resamples)")
    void shiftEquivariance(double k) {
        SplittableRandom r = new SplittableRandom(37);
        double[] cand = normal(r, 100, 0.4, 0.3);
        double[] champ = normal(r, 100, 0.4, 0.3);
        double[] shifted = cand.clone();
        for (int i = 0; i < shifted.length; i++) {
            shifted[i] += k;
        }
        PairedBootstrap settings = PairedBootstrap.higherIsBetter("s").resamples(500);
        PairedBootstrapCi.Interval base = PairedBootstrapCi.compute(settings, cand, champ);
        PairedBootstrapCi.Interval moved = PairedBootstrapCi.compute(settings, shifted, champ);
        assertThat(moved.lower()).isCloseTo(base.lower() + k, within(1e-9));
        assertThat(moved.upper()).isCloseTo(base.upper() + k, within(1e-9));
    }

    @Test
    @DisplayName("a wider confidence level gives a wider interval around the same resamples")
    void widerConfidence() {
        SplittableRandom r = new SplittableRandom(41);
        double[] cand = normal(r, 150, 0.5, 0.3);
        double[] champ = normal(r, 150, 0.45, 0.3);
        PairedBootstrap s = PairedBootstrap.higherIsBetter("s").resamples(2000);
        PairedBootstrapCi.Interval c90 = PairedBootstrapCi.compute(s.confidence(0.90), cand, champ);
        PairedBootstrapCi.Interval c99 = PairedBootstrapCi.compute(s.confidence(0.99), cand, champ);
        assertThat(c99.lower()).isLessThan(c90.lower());
        assertThat(c99.upper()).isGreaterThan(c90.upper());
    }

    @Test
    @DisplayName("refuses arrays of different lengths, fewer than 2 pairs and non-finite scores")
    void badInput() {
        PairedBootstrap s = PairedBootstrap.higherIsBetter("s");
        assertThatThrownBy(() -> PairedBootstrapCi.compute(s, new double[3], new double[4]))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("candidate 3, champion 4");
        assertThatThrownBy(() -> PairedBootstrapCi.compute(s, new double[1], new double[1]))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("at least 2");
        assertThatThrownBy(() -> PairedBootstrapCi.compute(s, new double[] {1, Double.NaN}, new double[2]))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("pair 1");
    }
}
