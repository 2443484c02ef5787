package dev.mlops.registry;

import dev.mlops.InvalidArgumentException;
import dev.mlops.internal.registry.DefaultModelRegistry;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The governance rules the registry enforces in the API layer, the same for every store: the four-eyes rule and
 * guarded aliases. Immutable and thread-safe.
 *
 * <p>{@link #defaults()} guards {@code production} and {@code champion} with {@link AliasGuard#approvedOnly()} and
 * leaves the four-eyes rule off (one person alone can then still promote, but only an approved version of a model
 * with an owner and an approver role). {@link #permissive()} guards nothing.
 */
public final class RegistryPolicy {
    private final boolean fourEyes;
    private final Map<String, AliasGuard> guards;

    private RegistryPolicy(Builder b) {
        this.fourEyes = b.fourEyes;
        this.guards = Collections.unmodifiableMap(new TreeMap<>(b.guards));
    }

    /** {@code production} and {@code champion} guarded (approved version, governance record), four-eyes off. */
    public static RegistryPolicy defaults() {
        return builder().guardAlias("production", AliasGuard.approvedOnly())
                .guardAlias("champion", AliasGuard.approvedOnly()).build();
    }

    /** No guarded alias, four-eyes off. */
    public static RegistryPolicy permissive() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Whether the approver of a version must differ from who registered it. */
    public boolean fourEyes() {
        return fourEyes;
    }

    /** The guarded aliases and their guards, sorted by alias. */
    public Map<String, AliasGuard> guardedAliases() {
        return guards;
    }

    /** The guard of {@code alias}, if it is guarded. */
    public Optional<AliasGuard> guard(String alias) {
        return Optional.ofNullable(guards.get(alias));
    }

    @Override
    public String toString() {
        return "RegistryPolicy[fourEyes=" + fourEyes + ", guardedAliases=" + guards + "]";
    }

    /** Builds a {@link RegistryPolicy}; not thread-safe. */
    public static final class Builder {
        private boolean fourEyes;
        private final Map<String, AliasGuard> guards = new TreeMap<>();

        private Builder() {
        }

        /** Requires the approver of a version to be someone other than who registered it; default off. */
        public Builder fourEyes(boolean fourEyes) {
            this.fourEyes = fourEyes;
            return this;
        }

        /**
         * Guards {@code alias}.
         *
         * @throws InvalidArgumentException when {@code alias} is not a valid alias name (see
         *     {@link ModelRegistry#setAlias(String, String, int)}), so that a guard can never silently not apply
         */
        public Builder guardAlias(String alias, AliasGuard guard) {
            if (guard == null) {
                throw new InvalidArgumentException("guard", "guard must not be null");
            }
            DefaultModelRegistry.alias("alias", alias);
            guards.put(alias, guard);
            return this;
        }

        public RegistryPolicy build() {
            return new RegistryPolicy(this);
        }
    }
}
