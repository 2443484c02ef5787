package dev.mlops.drift;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * The {@code auto} drift decision of one column and the numbers it was made from: the column drifts when the
 * test's p-value is at most the corrected threshold ({@link #significant()}) and the effect size is at least its
 * minimum ({@link #largeEnough()}). Immutable.
 *
 * @param method      the test ({@code ks}, {@code chi2} or {@code fisher_exact}; in a {@link ProfileDriftReport}
 *                    {@code ks} or {@code l_infinity}, with the p-value of its {@link ProfileMethodResult})
 * @param pValue      its p-value (empty only when the test has none, then not significant)
 * @param alpha       the significance level before correction
 * @param correction  how alpha was corrected
 * @param tests       how many columns' p-values the correction counted
 * @param threshold   the effective (corrected) threshold; significant when {@code p_value <= threshold}
 * @param significant whether {@code p_value <= threshold}
 * @param effect      the effect size's method: {@code ks} (its statistic) for numbers, {@code l_infinity} for
 *                    categories
 * @param effectSize  the effect size (empty when undefined; then not large enough); in a
 *                    {@link ProfileDriftReport} the method's {@code statistic - error_bound}, at least 0
 * @param minEffect   the minimum effect size
 * @param largeEnough whether {@code effect_size >= min_effect}
 * @param drift       {@code significant && largeEnough}
 * @param category    for {@code l_infinity}: the category whose share changed most
 * @param reason      the decision in one sentence, with its numbers
 */
public record ColumnDecision(DriftMethod method, OptionalDouble pValue, double alpha, Correction correction, int tests,
        double threshold, boolean significant, DriftMethod effect, OptionalDouble effectSize, double minEffect,
        boolean largeEnough, boolean drift, Optional<String> category, String reason) {
    public ColumnDecision {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(pValue, "pValue");
        Objects.requireNonNull(correction, "correction");
        Objects.requireNonNull(effect, "effect");
        Objects.requireNonNull(effectSize, "effectSize");
        Objects.requireNonNull(category, "category");
        Objects.requireNonNull(reason, "reason");
        if (drift != (significant && largeEnough)) {
            throw new IllegalArgumentException("drift must be significant && largeEnough");
        }
    }
}
