package dev.mlops.spi;

import dev.mlops.audit.AuditChain;
import java.time.Instant;
import java.util.Objects;

/**
 * The audit event that the API layer hands to a store together with a change. The store appends it to the chain in
 * the same transaction as the change, with {@link AuditChain#seal(dev.mlops.audit.AuditEvent, PendingAuditEvent)},
 * which assigns the next seq and the hashes.
 *
 * @param time    when the change was made
 * @param actor   who made it
 * @param action  what was done, for example {@code run.create}
 * @param subject what it was done to, for example {@code run:ID}
 * @param data    the details as canonical JSON (RFC 8785); the constructor canonicalises it
 */
public record PendingAuditEvent(Instant time, String actor, String action, String subject, String data) {
    public PendingAuditEvent {
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(actor, "actor");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(subject, "subject");
        data = AuditChain.canonicalJson(Objects.requireNonNull(data, "data"));
        time = AuditChain.truncate(time);
    }
}
