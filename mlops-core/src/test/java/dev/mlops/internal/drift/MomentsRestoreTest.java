package dev.mlops.internal.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;

/**
 * What {@link Moments#restore} accepts is exactly what computing can produce: every state reached by blocks and
 * merges (including means that cancel to nearly zero between blocks far from zero) passes its checks, and states no
 * data can have are rejected naming the field.
 */
@DisplayName("Moments.restore: accepts every computed state, rejects impossible ones")
class MomentsRestoreTest {

    private static void assertRestorable(Moments m) {
        Moments back = Moments.restore(m.n(), m.meanHi(), m.meanLo(), m.m2(), m.min(), m.max());
        assertThat(back.meanHi()).isEqualTo(m.meanHi());
        assertThat(Math.abs(m.meanLo())).isLessThanOrEqualTo(Math.ulp(m.meanHi()) / 2);
    }

    @RepeatedTest(200)
    void computedStatesAreAccepted(RepetitionInfo info) {
        SplittableRandom r = new SplittableRandom(info.getCurrentRepetition());
        double centre = Math.pow(10, r.nextInt(-300, 300)) * (r.nextBoolean() ? 1 : -1);
        double spread = Math.abs(centre) * Math.pow(10, -r.nextInt(1, 18));
        Moments total = new Moments();
        for (int b = 0; b < 1 + r.nextInt(12); b++) {
            // blocks on either side of zero, so that merged means cancel
            double c = r.nextBoolean() ? centre : -centre * (1 + r.nextInt(3) * 1e-16);
            double[] v = new double[1 + r.nextInt(50)];
            for (int i = 0; i < v.length; i++) {
                v[i] = c + spread * r.nextGaussian();
            }
            Moments block = new Moments();
            block.addBlock(v, 0, v.length);
            assertRestorable(block);
            total.merge(block);
            assertRestorable(total);
        }
    }

    @Test
    void impossibleStatesNameTheirField() {
        assertThatThrownBy(() -> Moments.restore(10, 1e308, 0, 1, 0, 2)).hasMessageContaining("'mean' 1.0E308");
        assertThatThrownBy(() -> Moments.restore(10, 1, 0.5, 1, 0, 2)).hasMessageContaining("'mean_low' 0.5");
        assertThatThrownBy(() -> Moments.restore(10, 1, 0, 10.01, 0, 2)).hasMessageContaining("'m2' 10.01");
        assertThatThrownBy(() -> Moments.restore(10, 1, 0, Double.POSITIVE_INFINITY, 0, 2))
                .hasMessageContaining("'m2' Infinity");
        assertThatThrownBy(() -> Moments.restore(10, 1, 0, 0, 2, 0)).hasMessageContaining("'min' 2.0");
        assertThatThrownBy(() -> Moments.restore(10, Double.NaN, 0, 0, 0, 2)).hasMessageContaining("'mean' NaN");
        assertThatThrownBy(() -> Moments.restore(3, 5, 0, 1e-300, 5, 5)).hasMessageContaining("'m2'");
        // the largest possible: half the values at each end
        assertThat(Moments.restore(10, 1, 0, 10, 0, 2).m2()).isEqualTo(10);
        // overflowed squares: m2 infinite is what the computation gives for a spread near the largest double
        assertThat(Moments.restore(10, 0, 0, Double.POSITIVE_INFINITY, -1e308, 1e308).m2()).isInfinite();
    }
}
