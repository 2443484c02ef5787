package dev.mlops.drift;

import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * One method's answer for one column: its statistic and p-value (empty when the method has none, or when SciPy would
 * return NaN or infinity or raise, then {@link #note()} says why), the threshold it was judged at, and its own drift
 * verdict: {@code p_value < threshold} for a {@link DriftMethod.Kind#P_VALUE} method, {@code statistic >= threshold}
 * for a {@link DriftMethod.Kind#DISTANCE}. A result with an empty statistic never drifts, except
 * {@link DriftMethod#FISHER_EXACT}, whose p-value stays valid when the odds ratio is infinite. Immutable.
 *
 * @param method    the method
 * @param statistic the statistic (unit and range: see {@link DriftMethod}), finite when present
 * @param pValue    the p-value in [0, 1] for a p-value method, empty for a distance
 * @param threshold alpha for a p-value method, the distance threshold for a distance
 * @param drift     this method's verdict at {@code threshold}
 * @param note      why a number is missing, or another caveat
 * @param category  for {@link DriftMethod#L_INFINITY} on categories: where the largest difference is reached
 */
public record MethodResult(DriftMethod method, OptionalDouble statistic, OptionalDouble pValue, double threshold,
        boolean drift, Optional<String> note, Optional<String> category) {
    public MethodResult {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(statistic, "statistic");
        Objects.requireNonNull(pValue, "pValue");
        Objects.requireNonNull(note, "note");
        Objects.requireNonNull(category, "category");
        if (statistic.isPresent() && !Double.isFinite(statistic.getAsDouble())) {
            throw new IllegalArgumentException("statistic must be finite when present");
        }
        if (pValue.isPresent() && !(pValue.getAsDouble() >= 0 && pValue.getAsDouble() <= 1)) {
            throw new IllegalArgumentException("pValue must be in [0, 1] when present");
        }
    }
}
