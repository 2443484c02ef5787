package dev.mlops.audit;

import java.time.Instant;
import java.util.Objects;

/**
 * A signed statement that the chain had head {@code hash} at {@code seq}: it anchors the chain, so that whoever can
 * write the store still cannot rewrite history up to {@code seq}, nor drop events up to it, without the verifier
 * noticing. Signed with Ed25519 by a key kept outside the store.
 *
 * <p>The signed message is the UTF-8 text {@code mlops-audit-checkpoint:v1:SEQ:HASH:TIME} with TIME formatted as
 * {@link AuditChain#formatTime(Instant)}.
 *
 * @param seq       the seq of the anchored head
 * @param hash      the hash of event {@code seq}
 * @param time      when the checkpoint was made
 * @param keyId     the signer's key id: hex SHA-256 of the encoded public key, first 16 digits
 * @param signature the Ed25519 signature, base64
 */
public record AuditCheckpoint(long seq, String hash, Instant time, String keyId, String signature) {
    public AuditCheckpoint {
        Objects.requireNonNull(hash, "hash");
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(keyId, "keyId");
        Objects.requireNonNull(signature, "signature");
    }

    /** The exact bytes (as text) that are signed. */
    public String signedMessage() {
        return "mlops-audit-checkpoint:v1:" + seq + ":" + hash + ":" + AuditChain.formatTime(time);
    }
}
