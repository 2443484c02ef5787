package dev.mlops.drift;

/**
 * One column of a closed monitoring window compared with the reference profile. Immutable.
 *
 * <p>Numeric columns: {@code statistic} is the Kolmogorov-Smirnov distance between the window's and the reference's
 * distribution functions (both from their KLL sketches, exact while a sketch holds every value). Categorical columns:
 * the largest absolute change of a category's share of the non-missing values (L-infinity). {@code errorBound} is
 * what the sketches may add to the statistic. The column drifts when
 * {@code valueCount >= minValues && pValue < alpha && statistic - errorBound > threshold}: the change is both
 * significant (judged conservatively, on the smallest statistic the sketches allow) and large enough to matter. See
 * docs/drift.md, "Live monitoring".
 *
 * @param name           the column
 * @param kind           numeric or categorical
 * @param statisticName  {@code "ks"} (numeric) or {@code "l_infinity"} (categorical)
 * @param statistic      the distance in [0, 1]; NaN when the window or the reference has no values in the column
 * @param errorBound     the sketch allowance: the sum of both sides' rank errors (numeric) or share errors
 *                       (categorical), 0 when both are exact
 * @param pValue         the conservative p-value of {@code statistic - errorBound} (numeric: the asymptotic two-sample
 *                       KS p-value with {@code n m / (n + m)}; categorical: a two-proportion z-test with the largest
 *                       standard error any share allows), in [0, 1]; 1 when {@code statistic <= errorBound}; NaN when
 *                       {@code statistic} is NaN, or in a report made without a significance test (the 10-argument
 *                       constructor, or window report JSON of format version 1)
 * @param alpha          the significance level {@code pValue} had to fall below; NaN when no significance test was
 *                       made (as for {@code pValue})
 * @param threshold      the effect threshold {@code statistic - errorBound} had to exceed
 * @param drift          whether the column drifted in this window
 * @param valueCount     the window's values in the column (finite numbers, non-null categories)
 * @param invalidCount   the window's rows without a usable value: null/missing, NaN and infinities
 * @param referenceCount the reference profile's values in the column
 */
public record WindowColumn(String name, ProfileKind kind, String statisticName, double statistic, double errorBound,
        double pValue, double alpha, double threshold, boolean drift, long valueCount, long invalidCount,
        long referenceCount) {

    /**
     * A column without a significance test ({@code pValue} and {@code alpha} NaN): the form of reports made before
     * the monitor tested significance.
     */
    public WindowColumn(String name, ProfileKind kind, String statisticName, double statistic, double errorBound,
            double threshold, boolean drift, long valueCount, long invalidCount, long referenceCount) {
        this(name, kind, statisticName, statistic, errorBound, Double.NaN, Double.NaN, threshold, drift, valueCount,
                invalidCount, referenceCount);
    }
}
