package dev.mlops.spi;

import dev.mlops.audit.AuditChain;
import java.time.Instant;
import java.util.Objects;

/**
 * A dataset profile as a metadata store keeps it: where it belongs ({@code subject}, {@code key}), the window it
 * describes, and its JSON as written by {@code DatasetProfile.toJson()} with that text's SHA-256. The API layer
 * ({@code Mlops.profiles()}) builds entries and checks every field before a store sees one, and checks the digest of
 * every entry it reads back; a store keeps the fields exactly (instants to the millisecond, which the constructor
 * truncates to) and the body character for character.
 *
 * @param id          the entry's id, unique in the store (the API layer uses time-ordered UUIDs)
 * @param subject     what the profile is of, for example {@code dataset:NAME@sha256:...} or {@code monitor:NAME}
 * @param key         which profile of the subject, for example {@code reference} or a window id; (subject, key) is
 *                    unique
 * @param windowStart the start of the time window the profile describes (inclusive), or null
 * @param windowEnd   its end (exclusive), or null; never before {@code windowStart}
 * @param rows        the profile's row count
 * @param digest      {@code sha256:} and the lower-case hex SHA-256 of {@code body}'s UTF-8 bytes
 * @param body        the profile JSON (a JSON text: a store may rely on that, as
 *                    PostgreSQL's json type does)
 * @param createdTime when the entry was saved
 * @param createdBy   who saved it
 */
public record ProfileEntry(String id, String subject, String key, Instant windowStart, Instant windowEnd, long rows,
        String digest, String body, Instant createdTime, String createdBy) {
    public ProfileEntry {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(digest, "digest");
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(createdTime, "createdTime");
        Objects.requireNonNull(createdBy, "createdBy");
        windowStart = windowStart == null ? null : AuditChain.truncate(windowStart);
        windowEnd = windowEnd == null ? null : AuditChain.truncate(windowEnd);
        createdTime = AuditChain.truncate(createdTime);
    }

    /**
     * Whether {@code other} has the same content: everything but the id, the created time and the creator. Saving
     * an entry whose (subject, key) is stored with the same content is not a change.
     */
    public boolean sameContent(ProfileEntry other) {
        return subject.equals(other.subject) && key.equals(other.key)
                && Objects.equals(windowStart, other.windowStart) && Objects.equals(windowEnd, other.windowEnd)
                && rows == other.rows && digest.equals(other.digest) && body.equals(other.body);
    }
}
