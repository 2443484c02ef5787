package dev.mlops.internal.drift;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DoubleSortTest {
    private static final double[] SPECIAL = {0.0, -0.0, Double.MIN_VALUE, -Double.MIN_VALUE, Double.MAX_VALUE,
        -Double.MAX_VALUE, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 1.0, -1.0, 1e-310, -1e-310,
        Double.MIN_NORMAL};

    /** Values of many shapes: wide and narrow ranges, heavy ties, special values, constants. */
    private static double[] sample(SplittableRandom rnd, int n, int shape) {
        double[] a = new double[n];
        for (int i = 0; i < n; i++) {
            a[i] = switch (shape) {
                case 0 -> rnd.nextGaussian() * 1000;
                case 1 -> Math.round(rnd.nextGaussian() * 1e4) / 1e4;
                case 2 -> rnd.nextInt(5) - 2;
                case 3 -> SPECIAL[rnd.nextInt(SPECIAL.length)];
                case 4 -> Double.longBitsToDouble(rnd.nextLong() & 0x7FEF_FFFF_FFFF_FFFFL)
                        * (rnd.nextBoolean() ? 1 : -1);
                case 5 -> 42.5;
                default -> 1e300 * rnd.nextDouble() - 5e299;
            };
        }
        return a;
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 100, DoubleSort.RADIX_MIN - 1, DoubleSort.RADIX_MIN, DoubleSort.RADIX_MIN + 1,
        10_000, 100_003})
    void sortsAsArraysSortDoes(int n) {
        SplittableRandom rnd = new SplittableRandom(n * 31L + 7);
        DoubleSort.Scratch scratch = new DoubleSort.Scratch();
        for (int shape = 0; shape <= 6; shape++) {
            double[] a = sample(rnd, n, shape);
            double[] expected = a.clone();
            Arrays.sort(expected);
            DoubleSort.sort(a, scratch);
            // Arrays.equals on double[] compares bits, so -0.0 and 0.0 must be in the same places too.
            assertThat(Arrays.equals(a, expected)).as("n %d shape %d", n, shape).isTrue();
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void scratchIsReusedAcrossSizes(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        DoubleSort.Scratch scratch = new DoubleSort.Scratch();
        for (int k = 0; k < 6; k++) {
            int n = rnd.nextInt(1, 30_000);
            double[] a = sample(rnd, n, rnd.nextInt(7));
            double[] expected = a.clone();
            Arrays.sort(expected);
            DoubleSort.sort(a, scratch);
            assertThat(Arrays.equals(a, expected)).as("n %d", n).isTrue();
        }
    }
}
