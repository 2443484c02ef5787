package dev.mlops.internal.drift;

import dev.mlops.drift.ColumnDecision;
import dev.mlops.drift.Correction;
import dev.mlops.drift.DriftMethod;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * The decision rule shared by {@link dev.mlops.drift.DriftReport} (raw values) and
 * {@link dev.mlops.drift.ProfileDriftReport} (profiles): a column drifts when its test's p-value is at most the
 * corrected threshold ({@link Corrections#threshold}) and its effect size reaches the minimum; the dataset drifts when
 * the share of drifted among decided columns reaches the share threshold. See docs/drift.md, "Decisions". Stateless.
 */
public final class Decisions {
    private Decisions() {
    }

    /**
     * The decision of one column.
     *
     * @param test        the test whose p-value decides significance
     * @param pValue      its p-value (empty: not significant)
     * @param alpha       the level before correction
     * @param correction  the correction
     * @param tests       how many p-values the correction counted
     * @param threshold   the corrected threshold ({@link Corrections#threshold})
     * @param effect      the effect size's method
     * @param effectLabel how the effect size is named in the reason, for example {@code "ks"} or
     *                    {@code "ks - error_bound"}
     * @param effectSize  the effect size (empty: not large enough)
     * @param minEffect   its minimum
     * @param category    the category of an {@code l_infinity} effect, or null
     */
    public static ColumnDecision decide(DriftMethod test, OptionalDouble pValue, double alpha, Correction correction,
            int tests, double threshold, DriftMethod effect, String effectLabel, OptionalDouble effectSize,
            double minEffect, String category) {
        boolean significant = pValue.isPresent() && pValue.getAsDouble() <= threshold;
        boolean large = effectSize.isPresent() && effectSize.getAsDouble() >= minEffect;
        boolean drift = significant && large;
        String pText = pValue.isPresent() ? QualityChecks.fmt(pValue.getAsDouble()) : "none";
        String eText = effectSize.isPresent() ? QualityChecks.fmt(effectSize.getAsDouble()) : "undefined";
        String reason = String.format(Locale.ROOT, "%s p = %s %s %s (%s of alpha %s over %d columns) and %s = %s %s"
                + " %s%s: %s", test.id(), pText, significant ? "<=" : (pValue.isPresent() ? ">" : "vs"),
                QualityChecks.fmt(threshold), correction.id(), QualityChecks.fmt(alpha), tests, effectLabel, eText,
                large ? ">=" : (effectSize.isPresent() ? "<" : "vs minimum"), QualityChecks.fmt(minEffect),
                category == null ? "" : " (category '" + category + "')",
                drift ? "drift" : significant ? "significant but too small to count as drift"
                        : large ? "not significant" : "no drift");
        return new ColumnDecision(test, pValue, alpha, correction, tests, threshold, significant, effect, effectSize,
                minEffect, large, drift, Optional.ofNullable(category), reason);
    }

    /**
     * The dataset decision: {@code share = drifted / decided} (empty when nothing was decided) and whether it reaches
     * {@code shareThreshold}; {@code note} says why the share is empty.
     */
    public record Dataset(OptionalDouble share, boolean drift, Optional<String> note) {
    }

    /** The dataset decision from the counts of decided and drifted columns. */
    public static Dataset dataset(int decided, int drifted, double shareThreshold) {
        OptionalDouble share = decided == 0 ? OptionalDouble.empty() : OptionalDouble.of((double) drifted / decided);
        return new Dataset(share, share.isPresent() && share.getAsDouble() >= shareThreshold,
                decided == 0 ? Optional.of("no column was in the drift decision") : Optional.empty());
    }
}
