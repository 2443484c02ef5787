package dev.mlops.drift;

/**
 * Correction of the significance level for testing many columns at once, applied to the p-values of the columns in
 * the drift decision ({@code m} of them, at level alpha). A column is significant when its p-value is at most the
 * effective threshold, which each {@link ColumnDecision} reports.
 */
public enum Correction {
    /** Effective threshold {@code alpha / m}: the chance of any false alarm is at most alpha. */
    BONFERRONI("bonferroni"),
    /**
     * Benjamini-Hochberg step-up: with the p-values sorted, {@code p(1) <= ... <= p(m)}, and {@code k} the largest
     * rank with {@code p(k) <= k alpha / m}, the effective threshold is {@code k alpha / m} ({@code alpha / m} when
     * there is no such rank). Controls the expected share of false alarms among flagged columns at alpha, and the
     * chance of any false alarm at alpha when no column changed.
     */
    BENJAMINI_HOCHBERG("benjamini_hochberg"),
    /** No correction: the effective threshold is alpha. */
    NONE("none");

    private final String id;

    Correction(String id) {
        this.id = id;
    }

    /** The name in JSON, for example {@code "benjamini_hochberg"}. */
    public String id() {
        return id;
    }
}
