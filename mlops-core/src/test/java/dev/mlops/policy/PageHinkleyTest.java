package dev.mlops.policy;

import static dev.mlops.policy.DdmTest.assertField;
import static dev.mlops.policy.DetectorStreams.bernoulli;
import static dev.mlops.policy.DetectorStreams.changes;
import static dev.mlops.policy.DetectorStreams.firstChange;
import static dev.mlops.policy.DetectorStreams.normal;
import static dev.mlops.policy.DetectorStreams.ramp;
import static dev.mlops.policy.DetectorStreams.run;
import static dev.mlops.policy.DetectorStreams.step;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.InvalidArgumentException;
import dev.mlops.policy.ChangeDetector.Signal;
import org.junit.jupiter.api.Test;

/**
 * Page-Hinkley on the standard synthetic streams. After an increase of the mean by {@code d}, the cumulative sum
 * grows by about {@code d - delta} per value (a little less as the running mean follows), so the expected delay is
 * about {@code lambda / (d - delta)}: 84 values for d = 0.6, 169 for d = 0.3.
 */
class PageHinkleyTest {
    static final int SEEDS = 30;

    @Test
    void defaultsAreTheCommonOnes() {
        assertThat(PageHinkley.DEFAULT_DELTA).isEqualTo(0.005);
        assertThat(PageHinkley.DEFAULT_LAMBDA).isEqualTo(50.0);
        assertThat(PageHinkley.DEFAULT_ALPHA).isEqualTo(0.9999);
        assertThat(PageHinkley.DEFAULT_MIN_INSTANCES).isEqualTo(30);
        assertThat(PageHinkley.withDefaults().name()).isEqualTo("page_hinkley");
    }

    /** Mean 0.2 -> 0.8 (sd 0.1) at t = 1000: no alarm before, detection after 84 +- 30% values (observed 80..90). */
    @Test
    void abruptIncreaseOfTheMean() {
        for (long seed = 1; seed <= SEEDS; seed++) {
            Signal[] s = run(PageHinkley.withDefaults(), normal(seed, 3000, step(1000, 0.2, 0.8), 0.1));
            assertThat(changes(s, 0, 1000)).isZero();
            assertThat(firstChange(s, 1000) - 1000).as("seed %d", seed).isBetween(59, 110);
        }
    }

    /** Error rate 0.1 -> 0.4 at t = 1000: detection after 169 values, within [0.5, 2] of it (observed 125..211). */
    @Test
    void abruptIncreaseOfTheErrorRate() {
        for (long seed = 1; seed <= SEEDS; seed++) {
            Signal[] s = run(PageHinkley.withDefaults(), bernoulli(seed, 3000, step(1000, 0.1, 0.4)));
            assertThat(changes(s, 0, 1000)).isZero();
            assertThat(firstChange(s, 1000) - 1000).as("seed %d", seed).isBetween(84, 338);
        }
    }

    /**
     * A ramp of the mean 0.2 -> 0.8 over [1000, 2000): after k values of the ramp the sum is about
     * 0.0006 k^2 / 2 - delta k, which reaches lambda = 50 near k = 420 (observed 425..463).
     */
    @Test
    void gradualIncrease() {
        for (long seed = 1; seed <= SEEDS; seed++) {
            Signal[] s = run(PageHinkley.withDefaults(), normal(seed, 3000, ramp(1000, 2000, 0.2, 0.8), 0.1));
            assertThat(changes(s, 0, 1000)).isZero();
            assertThat(firstChange(s, 1000) - 1000).as("seed %d", seed).isBetween(350, 550);
        }
    }

    /** One-sided: a decrease of the mean is never a change. */
    @Test
    void decreaseIsNotAChange() {
        for (long seed = 1; seed <= 5; seed++) {
            Signal[] s = run(PageHinkley.withDefaults(), normal(seed, 5000, step(1000, 0.8, 0.2), 0.1));
            assertThat(changes(s, 0, 5000)).isZero();
        }
    }

    /**
     * No change. For a CUSUM with drift -delta and variance sigma^2 per value, Siegmund's approximation of the mean
     * run length to a false alarm is (e^a - a - 1) sigma^2 / (2 delta^2) with a = 2 delta lambda / sigma^2. For
     * normal values with sd 0.1, a = 50: no false alarm in any practical run (asserted: none in 30 x 20,000). For
     * Bernoulli(0.2) values (sigma^2 = 0.16), a = 3.125 and the run length is about 60,000: about 10 expected in
     * 600,000 values (observed 14); asserted at most 30.
     */
    @Test
    void falseAlarmsOnStationaryStreamsFollowTheRunLength() {
        int normalAlarms = 0;
        int bernoulliAlarms = 0;
        for (long seed = 1; seed <= SEEDS; seed++) {
            normalAlarms += changes(run(PageHinkley.withDefaults(), normal(seed, 20_000, t -> 0.5, 0.1)), 0, 20_000);
            bernoulliAlarms += changes(run(PageHinkley.withDefaults(), bernoulli(seed, 20_000, t -> 0.2)), 0, 20_000);
        }
        assertThat(normalAlarms).isZero();
        assertThat(bernoulliAlarms).isLessThanOrEqualTo(30);
    }

    @Test
    void statisticFollowsTheDefinition() {
        PageHinkley ph = PageHinkley.builder().alpha(1).delta(0).lambda(1e9).minInstances(1).build();
        double[] xs = {1, 2, 3, 0, 10};
        double mean = 0;
        double m = 0;
        double min = Double.MAX_VALUE;
        for (int i = 0; i < xs.length; i++) {
            ph.add(xs[i]);
            mean += (xs[i] - mean) / (i + 1);
            m += xs[i] - mean;
            min = Math.min(min, m);
            assertThat(ph.statistic()).isCloseTo(m - min, org.assertj.core.data.Offset.offset(1e-12));
        }
        PageHinkley small = PageHinkley.builder().lambda(1).minInstances(3).build();
        assertThat(small.add(0)).isEqualTo(Signal.NONE);
        assertThat(small.add(5)).isEqualTo(Signal.NONE); // statistic 2.495 > 1, but only 2 values
        assertThat(small.add(5)).isEqualTo(Signal.CHANGE);
        assertThat(small.statistic()).isZero();
    }

    @Test
    void rejectsBadValuesAndParameters() {
        PageHinkley ph = PageHinkley.withDefaults();
        for (double bad : new double[] {Double.NaN, Double.NEGATIVE_INFINITY, 1e101}) {
            assertThatThrownBy(() -> ph.add(bad)).isInstanceOf(InvalidArgumentException.class)
                    .hasMessageContaining("page_hinkley takes finite values");
        }
        assertThat(ph.count()).isZero();
        assertField(() -> PageHinkley.builder().delta(-0.1).build(), "delta");
        assertField(() -> PageHinkley.builder().lambda(0).build(), "lambda");
        assertField(() -> PageHinkley.builder().alpha(1.0001).build(), "alpha");
        assertField(() -> PageHinkley.builder().alpha(0).build(), "alpha");
        assertField(() -> PageHinkley.builder().minInstances(0).build(), "minInstances");
    }
}
