package dev.mlops.policy;

import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a policy is checked against by {@link RetrainingPolicy#validate(PolicyContext)}: the metric names the model
 * reports, the columns its drift reports compare, and the detectors available. An empty optional leaves that part
 * unchecked. Immutable.
 *
 * @param metrics   the known metric names
 * @param columns   the known column names
 * @param detectors the detector factory whose names and parameter checks decay conditions must pass
 */
public record PolicyContext(Optional<Set<String>> metrics, Optional<Set<String>> columns,
        Optional<DetectorFactory> detectors) {
    public PolicyContext {
        metrics = Objects.requireNonNull(metrics, "metrics").map(s -> Set.copyOf(new TreeSet<>(s)));
        columns = Objects.requireNonNull(columns, "columns").map(s -> Set.copyOf(new TreeSet<>(s)));
        Objects.requireNonNull(detectors, "detectors");
    }

    /** A context that knows these metrics and columns, and no detectors. */
    public static PolicyContext of(Set<String> metrics, Set<String> columns) {
        return new PolicyContext(Optional.of(metrics), Optional.of(columns), Optional.empty());
    }

    /** This context with detectors checked against {@code factory}. */
    public PolicyContext withDetectors(DetectorFactory factory) {
        return new PolicyContext(metrics, columns, Optional.of(factory));
    }
}
