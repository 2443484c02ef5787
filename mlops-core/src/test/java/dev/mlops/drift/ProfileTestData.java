package dev.mlops.drift;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.BinaryOperator;

/** Seeded data, exact reference moments and random merge trees for the profile tests. */
final class ProfileTestData {
    private static final MathContext MC = new MathContext(60);

    private ProfileTestData() {
    }

    /** Named data shapes, some chosen to be hard for floating-point moments. */
    enum Shape {
        NORMAL, LARGE_OFFSET_TINY_SPREAD, MIXED_MAGNITUDES, CAUCHY, TINY_SCALE, NEGATIVE_OFFSET, SORTED, CONSTANT,
        HUGE;

        double[] generate(int n, SplittableRandom r) {
            double[] a = new double[n];
            for (int i = 0; i < n; i++) {
                a[i] = switch (this) {
                    case NORMAL, SORTED -> gaussian(r);
                    case LARGE_OFFSET_TINY_SPREAD -> 1e9 + 1e-3 * gaussian(r);
                    case MIXED_MAGNITUDES -> (r.nextBoolean() ? 1 : -1) * Math.pow(10, r.nextDouble(-100, 100));
                    case CAUCHY -> Math.tan(Math.PI * (r.nextDouble() - 0.5));
                    case TINY_SCALE -> 1e-100 * (3 + gaussian(r));
                    case NEGATIVE_OFFSET -> -5e6 + r.nextDouble();
                    case CONSTANT -> 3.7;
                    case HUGE -> 1e140 * gaussian(r);
                };
            }
            if (this == SORTED) {
                java.util.Arrays.sort(a);
            }
            return a;
        }
    }

    static double gaussian(SplittableRandom r) {
        double u = r.nextDouble();
        double v = r.nextDouble();
        return Math.sqrt(-2 * Math.log1p(-u)) * Math.cos(2 * Math.PI * v);
    }

    /** Exact mean and sum of squared deviations (60 significant digits) of the finite values. */
    record Exact(long n, BigDecimal mean, BigDecimal m2, double min, double max) {
        double sd() {
            return n == 0 ? 0 : Math.sqrt(m2.doubleValue() / n);
        }
    }

    static Exact exact(double[] a) {
        BigDecimal sum = BigDecimal.ZERO;
        long n = 0;
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (double x : a) {
            if (Double.isFinite(x)) {
                sum = sum.add(new BigDecimal(x));
                n++;
                min = Math.min(min, x);
                max = Math.max(max, x);
            }
        }
        if (n == 0) {
            return new Exact(0, BigDecimal.ZERO, BigDecimal.ZERO, min, max);
        }
        BigDecimal mean = sum.divide(BigDecimal.valueOf(n), MC);
        BigDecimal m2 = BigDecimal.ZERO;
        for (double x : a) {
            if (Double.isFinite(x)) {
                BigDecimal d = new BigDecimal(x).subtract(mean, MC);
                m2 = m2.add(d.multiply(d, MC), MC);
            }
        }
        return new Exact(n, mean, m2, min, max);
    }

    /** Relative difference |a - b| / |b| (0 when both are 0). */
    static double relative(double a, BigDecimal b) {
        if (b.signum() == 0) {
            return a == 0 ? 0 : Double.POSITIVE_INFINITY;
        }
        return new BigDecimal(a).subtract(b).abs().divide(b.abs(), MathContext.DECIMAL64).doubleValue();
    }

    /** Random cut points: parts of random sizes, some empty, some of one value. */
    static List<int[]> randomParts(int n, int parts, SplittableRandom r) {
        int[] cuts = new int[parts + 1];
        cuts[parts] = n;
        for (int i = 1; i < parts; i++) {
            int kind = r.nextInt(4);
            cuts[i] = kind == 0 ? cuts[i - 1] : kind == 1 ? Math.min(n, cuts[i - 1] + 1) : r.nextInt(n + 1);
        }
        java.util.Arrays.sort(cuts, 1, parts);
        List<int[]> out = new ArrayList<>();
        for (int i = 0; i < parts; i++) {
            out.add(new int[] {cuts[i], cuts[i + 1]});
        }
        return out;
    }

    /** Merges the items pairwise in a random tree, each pair in a random order. */
    static <T> T randomTree(List<T> items, SplittableRandom r, BinaryOperator<T> merge) {
        List<T> work = new ArrayList<>(items);
        while (work.size() > 1) {
            int i = r.nextInt(work.size());
            T a = work.remove(i);
            int j = r.nextInt(work.size());
            T b = work.remove(j);
            work.add(r.nextInt(work.size() + 1), r.nextBoolean() ? merge.apply(a, b) : merge.apply(b, a));
        }
        return work.get(0);
    }
}
