package dev.mlops.audit;

import java.util.Optional;

/**
 * The result of verifying an audit chain.
 *
 * @param ok          whether every event is intact and in place (and, when a public key was given, the chain
 *                    matches every valid checkpoint)
 * @param events      how many events were read
 * @param head        the hash of the last event, or null for an empty chain
 * @param firstBadSeq the seq of the first event that was changed, removed, inserted or reordered, or null when ok
 * @param reason      why verification failed (for example {@code hash mismatch}), or null when ok
 * @param anchored    whether a valid checkpoint signed by the given key covers the chain; false when no key was
 *                    given or no checkpoint exists (an unanchored chain can be rewritten whole by whoever can write
 *                    the store)
 * @param anchoredSeq the seq of the newest valid checkpoint, or null
 */
public record AuditVerification(boolean ok, long events, String head, Long firstBadSeq, String reason,
        boolean anchored, Long anchoredSeq) {

    public Optional<Long> firstBad() {
        return Optional.ofNullable(firstBadSeq);
    }

    public Optional<String> failure() {
        return Optional.ofNullable(reason);
    }
}
