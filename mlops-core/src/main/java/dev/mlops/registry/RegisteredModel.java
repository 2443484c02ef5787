package dev.mlops.registry;

import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A registered model: a name under which versions 1, 2, 3, ... are registered.
 *
 * <p>Names are case-sensitive, but two models whose names differ only in case cannot exist: creating one fails with
 * {@code ALREADY_EXISTS} naming the other (so that {@code Rain} and {@code rain} never confuse a reader, a case-blind
 * file system or a URL).
 *
 * @param name          the name, unique ignoring case
 * @param description   free text, may be empty
 * @param tags          tags, sorted by key
 * @param governance    the ownership and governance record ({@link Governance#EMPTY} when nothing is decided)
 * @param aliases       alias name to version number, sorted by alias
 * @param latestVersion the highest version number ever registered, 0 when none (numbers are never reused)
 * @param createdTime   when the model was created (milliseconds)
 * @param createdBy     who created it
 * @param updatedTime   when the model, its governance record, tags or aliases last changed
 */
public record RegisteredModel(String name, String description, Map<String, String> tags, Governance governance,
        Map<String, Integer> aliases, int latestVersion, Instant createdTime, String createdBy, Instant updatedTime) {
    public RegisteredModel {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(description, "description");
        tags = Collections.unmodifiableMap(new TreeMap<>(tags));
        Objects.requireNonNull(governance, "governance");
        aliases = Collections.unmodifiableMap(new TreeMap<>(aliases));
        Objects.requireNonNull(createdTime, "createdTime");
        Objects.requireNonNull(createdBy, "createdBy");
        Objects.requireNonNull(updatedTime, "updatedTime");
    }
}
