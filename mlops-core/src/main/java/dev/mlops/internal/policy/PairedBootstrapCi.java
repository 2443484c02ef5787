package dev.mlops.internal.policy;

import dev.mlops.InvalidArgumentException;
import dev.mlops.policy.MetricDirection;
import dev.mlops.policy.PairedBootstrap;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The seeded paired bootstrap percentile interval of a mean per-example improvement, as documented on
 * {@link PairedBootstrap}. Pure function of its inputs; thread-safe.
 */
public final class PairedBootstrapCi {
    private PairedBootstrapCi() {
    }

    /**
     * The interval.
     *
     * @param n     the number of pairs
     * @param mean  the observed mean improvement
     * @param lower the lower end of the percentile interval
     * @param upper the upper end
     */
    public record Interval(int n, double mean, double lower, double upper) {
    }

    /**
     * Computes the interval of the mean improvement of {@code candidate} over {@code champion}.
     *
     * @throws InvalidArgumentException (field {@code pairedScores}) for arrays of different lengths, fewer than 2
     *     pairs or non-finite scores
     */
    public static Interval compute(PairedBootstrap settings, double[] candidate, double[] champion) {
        if (candidate.length != champion.length) {
            throw new InvalidArgumentException("pairedScores", "paired scores differ in length: candidate "
                    + candidate.length + ", champion " + champion.length);
        }
        int n = candidate.length;
        if (n < 2) {
            throw new InvalidArgumentException("pairedScores", "a paired bootstrap needs at least 2 pairs, got " + n);
        }
        double[] d = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            if (!Double.isFinite(candidate[i]) || !Double.isFinite(champion[i])) {
                throw new InvalidArgumentException("pairedScores", "paired scores must be finite; pair " + i
                        + " is (" + candidate[i] + ", " + champion[i] + ")");
            }
            d[i] = settings.direction() == MetricDirection.HIGHER_IS_BETTER ? candidate[i] - champion[i]
                    : champion[i] - candidate[i];
            sum += d[i];
        }
        double mean = sum / n;
        SplittableRandom random = new SplittableRandom(settings.seed());
        int b = settings.resamples();
        double[] means = new double[b];
        for (int r = 0; r < b; r++) {
            double s = 0;
            for (int i = 0; i < n; i++) {
                s += d[random.nextInt(n)];
            }
            means[r] = s / n;
        }
        Arrays.sort(means);
        double alpha = 1 - settings.confidence();
        return new Interval(n, mean, quantile(means, alpha / 2), quantile(means, 1 - alpha / 2));
    }

    /** The {@code p} quantile of sorted values, interpolated linearly at position {@code p * (length - 1)}. */
    static double quantile(double[] sorted, double p) {
        double h = p * (sorted.length - 1);
        int lo = (int) Math.floor(h);
        int hi = Math.min(lo + 1, sorted.length - 1);
        double frac = h - lo;
        return sorted[lo] + frac * (sorted[hi] - sorted[lo]);
    }
}
