package dev.mlops.drift;

import dev.mlops.InvalidArgumentException;
import dev.mlops.internal.drift.ProfileStatistics;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Drift statistics between a reference profile and a current profile, from their sketches alone, each with an error
 * bound; see docs/drift.md, "Drift from profiles". Numeric columns: {@code ks}, {@code psi}, {@code jensen_shannon},
 * {@code hellinger}, {@code tvd} on the contract's bins fitted on the reference profile. Categorical columns:
 * {@code l_infinity}, and when both sides' counts are exact also {@code psi}, {@code jensen_shannon},
 * {@code hellinger}, {@code tvd}. Stateless and thread-safe.
 */
public final class ProfileComparison {
    private ProfileComparison() {
    }

    /**
     * Compares one column of two profiles (same name not required; same kind required).
     *
     * @throws InvalidArgumentException (field {@code current}) when the kinds differ, or a side is null
     */
    public static List<ProfileMethodResult> compare(ColumnProfile reference, ColumnProfile current) {
        if (reference == null || current == null) {
            throw new InvalidArgumentException(reference == null ? "reference" : "current", "profile is required");
        }
        if (reference.kind() != current.kind()) {
            throw new InvalidArgumentException("current", "column '" + current.name() + "' is "
                    + current.kind() + " in the current profile but " + reference.kind() + " in the reference");
        }
        return ProfileStatistics.compare(reference, current);
    }

    /**
     * Compares every column the two profiles share (same kind), in the reference's order; columns on one side only
     * or of different kinds are left out.
     */
    public static Map<String, List<ProfileMethodResult>> compare(DatasetProfile reference, DatasetProfile current) {
        if (reference == null || current == null) {
            throw new InvalidArgumentException(reference == null ? "reference" : "current", "profile is required");
        }
        Map<String, List<ProfileMethodResult>> out = new LinkedHashMap<>();
        for (ColumnProfile r : reference.columns()) {
            current.column(r.name()).filter(c -> c.kind() == r.kind())
                    .ifPresent(c -> out.put(r.name(), ProfileStatistics.compare(r, c)));
        }
        return out;
    }
}
