package dev.mlops.policy;

import dev.mlops.InvalidArgumentException;
import dev.mlops.internal.Validate;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What the caller measured on a shared holdout, for a promotion gate: metric values of the candidate and of the
 * champion (they take precedence over the versions' registered metrics and their runs' metrics), and optionally one
 * score per holdout example of each model for the {@link PairedBootstrap} significance check. Immutable and
 * thread-safe; the arrays are copied in and out.
 *
 * <p>A metric value may be NaN or infinite (an evaluation that could not compute it): the gate's checks on that
 * metric then fail with a note naming it. Per-example scores must be finite.
 */
public final class HoldoutEvaluation {
    /** Nothing measured: the gate uses the versions' registered metrics and their runs' metrics. */
    public static final HoldoutEvaluation NONE = builder().build();

    private final Map<String, Double> candidateMetrics;
    private final Map<String, Double> championMetrics;
    private final double[] candidateScores;
    private final double[] championScores;

    private HoldoutEvaluation(Builder b) {
        this.candidateMetrics = Collections.unmodifiableMap(new TreeMap<>(b.candidateMetrics));
        this.championMetrics = Collections.unmodifiableMap(new TreeMap<>(b.championMetrics));
        this.candidateScores = b.candidateScores;
        this.championScores = b.championScores;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The candidate's metrics measured on the holdout, sorted by name. */
    public Map<String, Double> candidateMetrics() {
        return candidateMetrics;
    }

    /** The champion's metrics measured on the holdout, sorted by name. */
    public Map<String, Double> championMetrics() {
        return championMetrics;
    }

    /** Whether per-example scores were given. */
    public boolean hasPairedScores() {
        return candidateScores != null;
    }

    /** A copy of the candidate's per-example scores, if given. */
    public Optional<double[]> candidateScores() {
        return Optional.ofNullable(candidateScores).map(double[]::clone);
    }

    /** A copy of the champion's per-example scores, if given (same length and order as the candidate's). */
    public Optional<double[]> championScores() {
        return Optional.ofNullable(championScores).map(double[]::clone);
    }

    @Override
    public String toString() {
        return "HoldoutEvaluation[candidateMetrics=" + candidateMetrics + ", championMetrics=" + championMetrics
                + ", pairs=" + (candidateScores == null ? 0 : candidateScores.length) + "]";
    }

    /** Builds a {@link HoldoutEvaluation}; not thread-safe. */
    public static final class Builder {
        private final Map<String, Double> candidateMetrics = new TreeMap<>();
        private final Map<String, Double> championMetrics = new TreeMap<>();
        private double[] candidateScores;
        private double[] championScores;

        private Builder() {
        }

        /** The candidate's value of {@code metric} on the holdout (NaN: could not be computed). */
        public Builder candidateMetric(String metric, double value) {
            candidateMetrics.put(Validate.key("candidateMetrics key", metric), value);
            return this;
        }

        /** The champion's value of {@code metric} on the holdout (NaN: could not be computed). */
        public Builder championMetric(String metric, double value) {
            championMetrics.put(Validate.key("championMetrics key", metric), value);
            return this;
        }

        public Builder candidateMetrics(Map<String, Double> metrics) {
            Validate.required("candidateMetrics", metrics).forEach((k, v) -> candidateMetric(k,
                    Validate.required("candidateMetrics." + k, v)));
            return this;
        }

        public Builder championMetrics(Map<String, Double> metrics) {
            Validate.required("championMetrics", metrics).forEach((k, v) -> championMetric(k,
                    Validate.required("championMetrics." + k, v)));
            return this;
        }

        /**
         * One score (or loss) per holdout example for each model, in the same example order.
         *
         * @throws InvalidArgumentException (field {@code pairedScores}) when an array is null, the lengths differ,
         *     there are fewer than 2 pairs, or a score is not finite (the message names the side and index)
         */
        public Builder pairedScores(double[] candidate, double[] champion) {
            if (candidate == null || champion == null) {
                throw new InvalidArgumentException("pairedScores", "paired scores need an array for the candidate"
                        + " and one for the champion");
            }
            if (candidate.length != champion.length) {
                throw new InvalidArgumentException("pairedScores", "paired scores must have one score per holdout"
                        + " example for each model: the candidate has " + candidate.length + ", the champion "
                        + champion.length);
            }
            if (candidate.length < 2) {
                throw new InvalidArgumentException("pairedScores", "a paired bootstrap needs at least 2 pairs of"
                        + " scores, got " + candidate.length);
            }
            requireFinite("candidate", candidate);
            requireFinite("champion", champion);
            this.candidateScores = candidate.clone();
            this.championScores = champion.clone();
            return this;
        }

        private static void requireFinite(String side, double[] scores) {
            for (int i = 0; i < scores.length; i++) {
                if (!Double.isFinite(scores[i])) {
                    throw new InvalidArgumentException("pairedScores", "paired scores must be finite: the " + side
                            + "'s score at index " + i + " is " + scores[i]);
                }
            }
        }

        public HoldoutEvaluation build() {
            return new HoldoutEvaluation(this);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HoldoutEvaluation h && candidateMetrics.equals(h.candidateMetrics)
                && championMetrics.equals(h.championMetrics)
                && java.util.Arrays.equals(candidateScores, h.candidateScores)
                && java.util.Arrays.equals(championScores, h.championScores);
    }

    @Override
    public int hashCode() {
        return Objects.hash(candidateMetrics, championMetrics, java.util.Arrays.hashCode(candidateScores),
                java.util.Arrays.hashCode(championScores));
    }
}
