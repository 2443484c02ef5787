package dev.mlops.drift;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * One method's answer for one column, computed from two profiles (see {@link ProfileComparison} and docs/drift.md,
 * "Drift from profiles"). The raw-value statistic lies within {@code statistic +- errorBound} (the sketches' rank
 * error at 99% confidence a side; 0 when both summaries are exact). The method drifts when
 * {@code statistic - errorBound > threshold}, and, when a p-value is present (exact sketches only), also
 * {@code pValue < alpha}. Immutable.
 *
 * @param method     the method
 * @param statistic  the statistic from the profiles, finite when present
 * @param errorBound what the sketches may add to or take from the statistic, {@code >= 0}
 * @param pValue     a p-value, present only when both summaries are exact (then it equals the raw-value one)
 * @param threshold  the distance threshold the statistic is judged at
 * @param drift      this method's verdict
 * @param note       why a number is missing, or another caveat
 */
public record ProfileMethodResult(DriftMethod method, OptionalDouble statistic, double errorBound,
        OptionalDouble pValue, double threshold, boolean drift, Optional<String> note) {
    public ProfileMethodResult {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(statistic, "statistic");
        Objects.requireNonNull(pValue, "pValue");
        Objects.requireNonNull(note, "note");
        if (statistic.isPresent() && !Double.isFinite(statistic.getAsDouble())) {
            throw new IllegalArgumentException("statistic must be finite when present");
        }
        if (!(errorBound >= 0)) {
            throw new IllegalArgumentException("errorBound must be >= 0");
        }
    }
}
