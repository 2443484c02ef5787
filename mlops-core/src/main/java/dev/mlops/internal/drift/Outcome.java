package dev.mlops.internal.drift;

/**
 * What one method computed: statistic and p-value (NaN when there is none or SciPy would give none), an optional
 * note saying why, and for {@code l_infinity} the category where the maximum is reached (null otherwise).
 */
public record Outcome(double statistic, double pValue, String note, String category) {
    public static Outcome of(double statistic, double pValue) {
        return new Outcome(statistic, pValue, null, null);
    }

    public static Outcome ofDistance(double statistic) {
        return new Outcome(statistic, Double.NaN, null, null);
    }

    public static Outcome ofUndefined(String note) {
        return new Outcome(Double.NaN, Double.NaN, note, null);
    }
}
