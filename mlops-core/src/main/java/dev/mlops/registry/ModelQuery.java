package dev.mlops.registry;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Which models to list; every condition given must hold. Results are ordered by name (in {@link String#compareTo}
 * order).
 *
 * @param namePrefix    the name starts with this (case-sensitive), or null
 * @param tags          tags the model must have with exactly these values
 * @param businessOwner the governance record's business owner equals this, or null
 */
public record ModelQuery(String namePrefix, Map<String, String> tags, String businessOwner) {
    public ModelQuery {
        tags = Collections.unmodifiableMap(new TreeMap<>(tags));
    }

    /** Every model. */
    public static ModelQuery all() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Whether {@code model} matches: the definition every store implements. */
    public boolean matches(RegisteredModel model) {
        if (namePrefix != null && !model.name().startsWith(namePrefix)) {
            return false;
        }
        if (businessOwner != null && !businessOwner.equals(model.governance().businessOwner())) {
            return false;
        }
        for (Map.Entry<String, String> e : tags.entrySet()) {
            if (!e.getValue().equals(model.tags().get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    /** Builds a {@link ModelQuery}; not thread-safe. */
    public static final class Builder {
        private String namePrefix;
        private final Map<String, String> tags = new LinkedHashMap<>();
        private String businessOwner;

        private Builder() {
        }

        public Builder namePrefix(String namePrefix) {
            this.namePrefix = Objects.requireNonNull(namePrefix, "namePrefix");
            return this;
        }

        public Builder tag(String key, String value) {
            tags.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        public Builder businessOwner(String businessOwner) {
            this.businessOwner = Objects.requireNonNull(businessOwner, "businessOwner");
            return this;
        }

        public ModelQuery build() {
            return new ModelQuery(namePrefix, tags, businessOwner);
        }
    }
}
