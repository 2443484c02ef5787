package dev.mlops.policy;

import dev.mlops.InvalidArgumentException;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Creates the online change detectors that {@link Condition.Decay} conditions name ({@code adwin}, {@code ddm},
 * {@code eddm}, {@code page_hinkley}) from the parameters in the policy. Implementations are immutable and
 * thread-safe; each call returns a new detector.
 */
public interface DetectorFactory {
    /** The detector names this factory can create, for example {@code [adwin, ddm]}. */
    Set<String> names();

    /**
     * A new detector.
     *
     * @param name   one of {@link #names()}
     * @param params the detector's parameters by name (not null, may be empty: the published defaults)
     * @throws InvalidArgumentException with field {@code detector} for an unknown name, or {@code params.<name>}
     *     for an unknown parameter or a value out of range
     */
    ChangeDetector create(String name, Map<String, Double> params);

    /**
     * The four published detectors: {@link Adwin}, {@link Ddm}, {@link Eddm} and {@link PageHinkley}, their
     * parameters named in snake case after their builders' methods (for example {@code delta}, {@code max_buckets},
     * {@code warning_level}, {@code min_instances}; see docs/policies.md); a parameter left out takes the published
     * default.
     */
    static DetectorFactory standard() {
        return of(dev.mlops.internal.policy.StandardDetectors.constructors());
    }

    /** A factory that knows no detector. */
    static DetectorFactory none() {
        return of(Map.of());
    }

    /**
     * A factory of the given constructors by name; each receives the parameters and must itself reject unknown or
     * out-of-range ones with {@link InvalidArgumentException} (field {@code params.<name>}).
     */
    static DetectorFactory of(Map<String, Function<Map<String, Double>, ChangeDetector>> constructors) {
        Map<String, Function<Map<String, Double>, ChangeDetector>> byName = new TreeMap<>(constructors);
        byName.values().forEach(f -> Objects.requireNonNull(f, "constructor"));
        Set<String> names = Collections.unmodifiableSet(byName.keySet());
        return new DetectorFactory() {
            @Override
            public Set<String> names() {
                return names;
            }

            @Override
            public ChangeDetector create(String name, Map<String, Double> params) {
                Function<Map<String, Double>, ChangeDetector> f = byName.get(name);
                if (f == null) {
                    throw new InvalidArgumentException("detector", "unknown detector '" + name + "'; known: " + names);
                }
                return Objects.requireNonNull(f.apply(Map.copyOf(params)), "detector");
            }
        };
    }
}
