package dev.mlops.internal.policy;

import static dev.mlops.policy.MetricDirection.HIGHER_IS_BETTER;
import static dev.mlops.policy.MetricDirection.LOWER_IS_BETTER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.mlops.policy.MetricDirection;
import java.util.SplittableRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("The threshold arithmetic of the promotion gate")
class ThresholdMathTest {

    /** A value in a mix of scales and signs, with exact zeros now and then. */
    static double value(SplittableRandom r) {
        return switch (r.nextInt(6)) {
            case 0 -> 0.0;
            case 1 -> r.nextDouble();                       // a probability-like metric
            case 2 -> -r.nextDouble();
            case 3 -> (r.nextDouble() - 0.5) * 2000;       // large, either sign
            case 4 -> (r.nextDouble() - 0.5) * 1e-6;        // tiny, either sign
            default -> r.nextInt(5) - 2;                    // small integers, ties likely
        };
    }

    static MetricDirection direction(SplittableRandom r) {
        return r.nextBoolean() ? HIGHER_IS_BETTER : LOWER_IS_BETTER;
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3, 4, 5})
    @DisplayName("mirroring: a lower-is-better metric behaves like the negated higher-is-better one, exactly")
    void mirror(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < 20_000; i++) {
            double c = value(r);
            double b = value(r);
            double t = value(r);
            assertThat(ThresholdMath.improvement(LOWER_IS_BETTER, c, b))
                    .isEqualTo(ThresholdMath.improvement(HIGHER_IS_BETTER, -c, -b));
            assertThat(ThresholdMath.relativeImprovement(LOWER_IS_BETTER, c, b))
                    .isEqualTo(ThresholdMath.relativeImprovement(HIGHER_IS_BETTER, -c, -b));
            assertThat(ThresholdMath.meetsBound(LOWER_IS_BETTER, c, t))
                    .isEqualTo(ThresholdMath.meetsBound(HIGHER_IS_BETTER, -c, -t));
            assertThat(ThresholdMath.improvement(LOWER_IS_BETTER, c, b) + 0.0)
                    .isEqualTo(-ThresholdMath.improvement(HIGHER_IS_BETTER, c, b) + 0.0);
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {11, 12, 13, 14, 15})
    @DisplayName("the relative improvement has the sign of the absolute one, for champions of either sign and 0")
    void signs(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < 20_000; i++) {
            MetricDirection d = direction(r);
            double c = value(r);
            double b = value(r);
            double abs = ThresholdMath.improvement(d, c, b);
            double rel = ThresholdMath.relativeImprovement(d, c, b);
            assertThat(Math.signum(rel)).as("c=%s b=%s %s", c, b, d).isEqualTo(Math.signum(abs));
            if (b != 0) {
                assertThat(rel).isCloseTo(abs / Math.abs(b), within(Math.ulp(rel) * 2 + 1e-300));
            }
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {21, 22, 23})
    @DisplayName("for a positive champion: relative = c / b - 1 (higher is better) and 1 - c / b (lower is better),"
            + " and the checks agree with MLflow's c >= b + min and c >= b * (1 + min)")
    void positiveChampion(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < 20_000; i++) {
            double b = 0.01 + r.nextDouble() * 100;
            double c = r.nextDouble() * 200 - 50;
            double min = (r.nextDouble() - 0.5) * 2;
            double higher = ThresholdMath.relativeImprovement(HIGHER_IS_BETTER, c, b);
            double lower = ThresholdMath.relativeImprovement(LOWER_IS_BETTER, c, b);
            assertThat(higher).isCloseTo(c / b - 1, within(1e-12 * Math.max(1, Math.abs(c / b))));
            assertThat(lower).isCloseTo(1 - c / b, within(1e-12 * Math.max(1, Math.abs(c / b))));
            double mlflowRel = b * (1 + min);
            double mlflowAbs = b + min;
            if (Math.abs(c - mlflowRel) > 1e-9 * Math.max(1, Math.abs(c))) { // away from the rounding boundary
                assertThat(higher >= min).isEqualTo(c >= mlflowRel);
            }
            if (Math.abs(c - mlflowAbs) > 1e-9 * Math.max(1, Math.abs(c))) {
                assertThat(ThresholdMath.improvement(HIGHER_IS_BETTER, c, b) >= min).isEqualTo(c >= mlflowAbs);
            }
            // lower is better: MLflow's c <= b - min and c <= b * (1 - min)
            double lowRel = b * (1 - min);
            if (Math.abs(c - lowRel) > 1e-9 * Math.max(1, Math.abs(c))) {
                assertThat(lower >= min).isEqualTo(c <= lowRel);
            }
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {31, 32, 33})
    @DisplayName("monotone: a candidate that gets better never turns a passing check into a failing one")
    void monotone(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < 20_000; i++) {
            MetricDirection d = direction(r);
            double c = value(r);
            double b = value(r);
            double min = value(r);
            double step = r.nextDouble() * 10;
            double better = d == HIGHER_IS_BETTER ? c + step : c - step;
            if (ThresholdMath.improvement(d, c, b) >= min) {
                assertThat(ThresholdMath.improvement(d, better, b) >= min).isTrue();
            }
            if (ThresholdMath.relativeImprovement(d, c, b) >= min) {
                assertThat(ThresholdMath.relativeImprovement(d, better, b) >= min).isTrue();
            }
            if (ThresholdMath.meetsBound(d, c, min)) {
                assertThat(ThresholdMath.meetsBound(d, better, min)).isTrue();
            }
        }
    }

    @Test
    @DisplayName("scale invariance: multiplying both values by a positive factor keeps the relative improvement")
    void scaleInvariance() {
        SplittableRandom r = new SplittableRandom(41);
        for (int i = 0; i < 20_000; i++) {
            MetricDirection d = direction(r);
            double c = (r.nextDouble() - 0.5) * 10;
            double b = (r.nextDouble() - 0.5) * 10;
            double k = Math.pow(2, r.nextInt(40) - 20); // a power of two: exact scaling
            assertThat(ThresholdMath.relativeImprovement(d, k * c, k * b))
                    .isEqualTo(ThresholdMath.relativeImprovement(d, c, b));
        }
    }

    @ParameterizedTest(name = "{0}: c={1}, b={2} -> absolute {3}, relative {4}")
    @CsvSource({
            "HIGHER_IS_BETTER, 0.85, 0.80, 0.05, 0.0625",
            "LOWER_IS_BETTER, 0.35, 0.40, 0.05, 0.125",
            "HIGHER_IS_BETTER, -1, -2, 1, 0.5",       // a negative champion: -1 beats -2 by half of |b|
            "LOWER_IS_BETTER, -1, -2, -1, -0.5",
            "HIGHER_IS_BETTER, -3, -2, -1, -0.5",
            "HIGHER_IS_BETTER, 1, -1, 2, 2",           // from negative to positive
            "HIGHER_IS_BETTER, 0.2, 0, 0.2, Infinity", // a zero champion
            "HIGHER_IS_BETTER, -0.2, 0, -0.2, -Infinity",
            "LOWER_IS_BETTER, -0.2, 0, 0.2, Infinity",
            "HIGHER_IS_BETTER, 0, 0, 0, 0",
            "LOWER_IS_BETTER, 0, -0.0, 0, 0"
    })
    @DisplayName("worked examples, including negative and zero champions")
    void examples(MetricDirection d, double c, double b, double abs, double rel) {
        assertThat(ThresholdMath.improvement(d, c, b)).isCloseTo(abs, within(1e-12));
        double actual = ThresholdMath.relativeImprovement(d, c, b);
        if (Double.isInfinite(rel)) {
            assertThat(actual).isEqualTo(rel);
        } else {
            assertThat(actual).isCloseTo(rel, within(1e-12));
        }
    }

    @Test
    @DisplayName("value thresholds are inclusive in both directions")
    void inclusiveBounds() {
        assertThat(ThresholdMath.meetsBound(HIGHER_IS_BETTER, 0.8, 0.8)).isTrue();
        assertThat(ThresholdMath.meetsBound(HIGHER_IS_BETTER, Math.nextDown(0.8), 0.8)).isFalse();
        assertThat(ThresholdMath.meetsBound(LOWER_IS_BETTER, 0.5, 0.5)).isTrue();
        assertThat(ThresholdMath.meetsBound(LOWER_IS_BETTER, Math.nextUp(0.5), 0.5)).isFalse();
    }
}
