package dev.mlops.drift;

/**
 * One column of a closed monitoring window compared with the reference profile. Immutable.
 *
 * <p>Numeric columns: {@code statistic} is the Kolmogorov-Smirnov distance between the window's and the reference's
 * distribution functions (both from their KLL sketches, exact while a sketch holds every value). Categorical columns:
 * the largest absolute change of a category's share of the non-missing values (L-infinity). {@code errorBound} is
 * what the sketches may add to the statistic; {@code drift} is
 * {@code valueCount >= minValues && statistic > threshold + errorBound}. See docs/drift.md, "Live monitoring".
 *
 * @param name           the column
 * @param kind           numeric or categorical
 * @param statisticName  {@code "ks"} (numeric) or {@code "l_infinity"} (categorical)
 * @param statistic      the distance in [0, 1]; NaN when the window or the reference has no values in the column
 * @param errorBound     the sketch allowance: the sum of both sides' rank errors (numeric) or share errors
 *                       (categorical), 0 when both are exact
 * @param threshold      the effect threshold the statistic had to exceed (beyond {@code errorBound})
 * @param drift          whether the column drifted in this window
 * @param valueCount     the window's values in the column (finite numbers, non-null categories)
 * @param invalidCount   the window's rows without a usable value: null/missing, NaN and infinities
 * @param referenceCount the reference profile's values in the column
 */
public record WindowColumn(String name, ProfileKind kind, String statisticName, double statistic, double errorBound,
        double threshold, boolean drift, long valueCount, long invalidCount, long referenceCount) {
}
