package dev.mlops.drift;

import java.time.Instant;
import java.util.Objects;

/**
 * A dataset profile read from the profile store ({@link ProfileStore}), its digest checked. Immutable.
 *
 * @param id          the stored profile's id
 * @param subject     what it is a profile of, for example {@code dataset:NAME@sha256:...} or {@code monitor:NAME}
 * @param key         which profile of the subject, for example {@code reference} or a window id
 * @param windowStart the start of the window it describes (inclusive, millisecond precision), or null
 * @param windowEnd   the window's end (exclusive), or null
 * @param rows        its row count
 * @param digest      {@code sha256:} and the hex SHA-256 of its JSON ({@link DatasetProfile#toJson()})
 * @param createdTime when it was saved
 * @param createdBy   who saved it
 * @param profile     the profile
 */
public record StoredProfile(String id, String subject, String key, Instant windowStart, Instant windowEnd,
        long rows, String digest, Instant createdTime, String createdBy, DatasetProfile profile) {
    public StoredProfile {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(digest, "digest");
        Objects.requireNonNull(createdTime, "createdTime");
        Objects.requireNonNull(createdBy, "createdBy");
        Objects.requireNonNull(profile, "profile");
    }
}
