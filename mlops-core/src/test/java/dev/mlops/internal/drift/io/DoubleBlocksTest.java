package dev.mlops.internal.drift.io;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DoubleBlocksTest {
    /** Whatever the reservation (none, too few, exact, too many), the values come back in order and exactly. */
    @ParameterizedTest
    @CsvSource({"0, -1", "1, -1", "1023, -1", "1025, 10", "65536, -1", "65537, 1000", "200000, 150000",
        "200000, 200000", "200000, 260000", "300001, 65536"})
    void keepsEveryValueInOrder(int n, int reserveAfter1000) {
        SplittableRandom rnd = new SplittableRandom(n);
        double[] expected = new double[n];
        DoubleBlocks b = new DoubleBlocks();
        for (int i = 0; i < n; i++) {
            if (i == Math.min(1000, n) && reserveAfter1000 >= 0) {
                b.reserve(reserveAfter1000);
            }
            expected[i] = rnd.nextDouble();
            b.add(expected[i]);
        }
        assertThat(b.size()).isEqualTo(n);
        assertThat(b.toArray()).containsExactly(expected);
        assertThat(b.size()).isZero();
    }
}
