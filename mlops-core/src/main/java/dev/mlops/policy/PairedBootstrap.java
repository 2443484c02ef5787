package dev.mlops.policy;

import dev.mlops.InvalidArgumentException;
import dev.mlops.internal.Validate;

/**
 * The significance check of a promotion gate: a seeded paired bootstrap of the mean per-example improvement of the
 * candidate over the champion on a shared holdout. Immutable and thread-safe.
 *
 * <p>The caller supplies one score (or loss) per holdout example for each model, in the same example order
 * ({@link HoldoutEvaluation.Builder#pairedScores}). With {@code d[i]} the improvement of example {@code i}
 * ({@code candidate[i] - champion[i]} when higher is better, {@code champion[i] - candidate[i]} when lower is better)
 * and {@code n} examples, each of {@code resamples} resamples draws {@code n} indices uniformly with replacement from a
 * {@link java.util.SplittableRandom} seeded with {@code seed} (one generator, resamples drawn in order, indices with
 * {@code nextInt(n)}) and takes the mean of their {@code d}. The confidence interval is the percentile interval: the
 * {@code (1 - confidence) / 2} and {@code (1 + confidence) / 2} quantiles of the sorted resample means, interpolated
 * linearly between order statistics (position {@code p * (resamples - 1)}, numpy's default). The check passes when
 * the lower end is strictly greater than {@code minImprovement}: with the default 0 the interval must exclude 0 on the
 * better side; a positive minimum demands a margin, a negative one is a non-inferiority margin.
 *
 * <p>The same scores, settings and seed always give the same interval, on every JVM.
 *
 * @param name           what the scores measure, for the check's name ({@code significance.NAME}), for example
 *                       {@code holdout_log_loss}
 * @param direction      whether a higher per-example score is better (accuracy-like) or a lower one (loss-like)
 * @param resamples      the number of bootstrap resamples, from {@value #MIN_RESAMPLES} to {@value #MAX_RESAMPLES}
 *                       (default {@value #DEFAULT_RESAMPLES})
 * @param confidence     the confidence level of the interval, in (0, 1) exclusive (default 0.95)
 * @param seed           the generator's seed, within +-2^53 so that it survives JSON (default {@value #DEFAULT_SEED})
 * @param minImprovement the lower end of the interval must be greater than this, a finite number (default 0)
 */
public record PairedBootstrap(String name, MetricDirection direction, int resamples, double confidence, long seed,
        double minImprovement) {
    /** Default number of resamples. */
    public static final int DEFAULT_RESAMPLES = 10_000;
    /** Fewest resamples allowed. */
    public static final int MIN_RESAMPLES = 100;
    /** Most resamples allowed. */
    public static final int MAX_RESAMPLES = 1_000_000;
    /** Default seed. */
    public static final long DEFAULT_SEED = 42L;
    /** Default confidence level. */
    public static final double DEFAULT_CONFIDENCE = 0.95;
    /** Largest magnitude of a seed: 2^53, the largest integer every JSON reader keeps exactly. */
    public static final long MAX_SEED = 1L << 53;

    /** @throws InvalidArgumentException naming the field when a setting is out of range */
    public PairedBootstrap {
        Validate.key("name", name);
        if (direction == null) {
            throw new InvalidArgumentException("direction", "direction of the paired bootstrap '" + name
                    + "' is required");
        }
        if (resamples < MIN_RESAMPLES || resamples > MAX_RESAMPLES) {
            throw new InvalidArgumentException("resamples", "resamples must be between " + MIN_RESAMPLES + " and "
                    + MAX_RESAMPLES + ", was " + resamples);
        }
        if (!(confidence > 0 && confidence < 1)) {
            throw new InvalidArgumentException("confidence", "confidence must be in (0, 1), for example 0.95, was "
                    + confidence);
        }
        if (seed > MAX_SEED || seed < -MAX_SEED) {
            throw new InvalidArgumentException("seed", "seed must be within +-2^53 (" + MAX_SEED
                    + ") so that it survives JSON, was " + seed);
        }
        if (!Double.isFinite(minImprovement)) {
            throw new InvalidArgumentException("minImprovement", "minImprovement must be a finite number, was "
                    + minImprovement);
        }
    }

    /** A bootstrap of per-example scores where higher is better, with the defaults. */
    public static PairedBootstrap higherIsBetter(String name) {
        return new PairedBootstrap(name, MetricDirection.HIGHER_IS_BETTER, DEFAULT_RESAMPLES, DEFAULT_CONFIDENCE,
                DEFAULT_SEED, 0.0);
    }

    /** A bootstrap of per-example losses where lower is better, with the defaults. */
    public static PairedBootstrap lowerIsBetter(String name) {
        return new PairedBootstrap(name, MetricDirection.LOWER_IS_BETTER, DEFAULT_RESAMPLES, DEFAULT_CONFIDENCE,
                DEFAULT_SEED, 0.0);
    }

    public PairedBootstrap resamples(int resamples) {
        return new PairedBootstrap(name, direction, resamples, confidence, seed, minImprovement);
    }

    public PairedBootstrap confidence(double confidence) {
        return new PairedBootstrap(name, direction, resamples, confidence, seed, minImprovement);
    }

    public PairedBootstrap seed(long seed) {
        return new PairedBootstrap(name, direction, resamples, confidence, seed, minImprovement);
    }

    public PairedBootstrap minImprovement(double minImprovement) {
        return new PairedBootstrap(name, direction, resamples, confidence, seed, minImprovement);
    }
}
