package dev.mlops.registry;

import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A change to a model or to one of its versions: what the API layer hands to a store. Components that are null
 * (or empty) change nothing.
 *
 * @param description the new description, or null
 * @param setTags     tags to set (overwriting)
 * @param removeTags  tag keys to remove (a key that is not there is ignored)
 * @param governance  the new governance record (replacing the old one whole), or null; ignored for versions
 * @param time        when (milliseconds): becomes the updated time
 */
public record ModelUpdate(String description, Map<String, String> setTags, Set<String> removeTags,
        Governance governance, Instant time) {
    public ModelUpdate {
        setTags = Collections.unmodifiableMap(new TreeMap<>(setTags));
        removeTags = Collections.unmodifiableSet(new TreeSet<>(removeTags));
        Objects.requireNonNull(time, "time");
    }
}
