package dev.mlops.registry;

import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A model to create (what the API layer hands to a store).
 *
 * @param name        the name
 * @param description free text, may be empty
 * @param tags        tags
 * @param governance  the governance record, {@link Governance#EMPTY} when nothing is decided
 * @param createdTime when (milliseconds)
 * @param createdBy   who
 */
public record NewModel(String name, String description, Map<String, String> tags, Governance governance,
        Instant createdTime, String createdBy) {
    public NewModel {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(description, "description");
        tags = Collections.unmodifiableMap(new TreeMap<>(tags));
        Objects.requireNonNull(governance, "governance");
        Objects.requireNonNull(createdTime, "createdTime");
        Objects.requireNonNull(createdBy, "createdBy");
    }
}
