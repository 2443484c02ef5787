package dev.mlops.policy;

import java.util.SplittableRandom;
import java.util.function.LongToDoubleFunction;

/** Seeded synthetic streams for the detector tests. */
final class DetectorStreams {
    private DetectorStreams() {
    }

    /** 0/1 values, 1 with probability {@code p.applyAsDouble(t)} at position t. */
    static double[] bernoulli(long seed, int n, LongToDoubleFunction p) {
        SplittableRandom rnd = new SplittableRandom(seed);
        double[] out = new double[n];
        for (int t = 0; t < n; t++) {
            out[t] = rnd.nextDouble() < p.applyAsDouble(t) ? 1 : 0;
        }
        return out;
    }

    /** Normal values with mean {@code mean.applyAsDouble(t)} and standard deviation sd (Box-Muller). */
    static double[] normal(long seed, int n, LongToDoubleFunction mean, double sd) {
        SplittableRandom rnd = new SplittableRandom(seed);
        double[] out = new double[n];
        for (int t = 0; t < n; t++) {
            double u1 = 1 - rnd.nextDouble();
            double u2 = rnd.nextDouble();
            double z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
            out[t] = mean.applyAsDouble(t) + sd * z;
        }
        return out;
    }

    /** {@code before} until position {@code at}, then {@code after}. */
    static LongToDoubleFunction step(long at, double before, double after) {
        return t -> t < at ? before : after;
    }

    /** {@code before} until {@code start}, then a linear ramp reaching {@code after} at {@code end}. */
    static LongToDoubleFunction ramp(long start, long end, double before, double after) {
        return t -> t < start ? before : t >= end ? after : before + (after - before) * (t - start) / (end - start);
    }

    /** Feeds the values and returns the signal after each. */
    static ChangeDetector.Signal[] run(ChangeDetector d, double[] xs) {
        ChangeDetector.Signal[] out = new ChangeDetector.Signal[xs.length];
        for (int i = 0; i < xs.length; i++) {
            out[i] = d.add(xs[i]);
        }
        return out;
    }

    /** The first position at or after {@code from} with a CHANGE, or -1. */
    static int firstChange(ChangeDetector.Signal[] s, int from) {
        for (int i = from; i < s.length; i++) {
            if (s[i] == ChangeDetector.Signal.CHANGE) {
                return i;
            }
        }
        return -1;
    }

    /** The number of CHANGE signals in [from, to). */
    static int changes(ChangeDetector.Signal[] s, int from, int to) {
        int c = 0;
        for (int i = from; i < to; i++) {
            if (s[i] == ChangeDetector.Signal.CHANGE) {
                c++;
            }
        }
        return c;
    }
}
