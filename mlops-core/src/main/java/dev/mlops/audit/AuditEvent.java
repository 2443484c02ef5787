package dev.mlops.audit;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One link of the audit hash chain: a change, who made it and when, chained to the event before it.
 * How {@link #hash()} is computed is defined by {@link AuditChain} and documented in {@code docs/audit.md}.
 *
 * @param seq        the position in the chain: 1, 2, 3, ... without gaps
 * @param time       when the change was made (millisecond precision)
 * @param actor      who made it
 * @param action     what was done, for example {@code run.create}
 * @param subject    what it was done to, for example {@code run:0190...}
 * @param data       the details as canonical JSON (RFC 8785), or null once erased
 * @param dataDigest {@code sha256:} and the hex SHA-256 of the canonical JSON of {@code data}; kept after erasure
 * @param prevHash   the hash of event {@code seq - 1}, 64 zeros for the first event
 * @param hash       this event's hash, 64 lower-case hex digits
 */
public record AuditEvent(long seq, Instant time, String actor, String action, String subject, String data,
        String dataDigest, String prevHash, String hash) {
    public AuditEvent {
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(dataDigest, "dataDigest");
        Objects.requireNonNull(prevHash, "prevHash");
        Objects.requireNonNull(hash, "hash");
    }

    /** The details, empty once erased. */
    public Optional<String> dataIfPresent() {
        return Optional.ofNullable(data);
    }

    /** A copy with the data erased; the digest, and so the hash, stay valid. */
    public AuditEvent withDataErased() {
        return new AuditEvent(seq, time, actor, action, subject, null, dataDigest, prevHash, hash);
    }
}
