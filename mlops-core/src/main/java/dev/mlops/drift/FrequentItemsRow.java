package dev.mlops.drift;

/**
 * One category of a profile and bounds of its count: the true count lies in {@code [lowerBound, upperBound]}. While
 * the counts are exact the two are equal. Immutable.
 *
 * @param value      the category, never null
 * @param lowerBound a count the category certainly reached
 * @param upperBound a count the category certainly did not exceed ({@code lowerBound} plus the summary's
 *                   {@link ProfileCategories#maxError()})
 */
public record FrequentItemsRow(String value, long lowerBound, long upperBound) {
}
