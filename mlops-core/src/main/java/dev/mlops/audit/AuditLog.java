package dev.mlops.audit;

import dev.mlops.Page;
import dev.mlops.PageRequest;
import java.io.OutputStream;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.List;
import java.util.Optional;

/**
 * The tamper-evident audit trail of a store: every change is an {@link AuditEvent} in one hash chain, appended in
 * the same transaction as the change. Obtain it from {@code Mlops.audit()}. Thread-safe.
 */
public interface AuditLog {

    /** Events with seq greater than {@code afterSeq}, in seq order. */
    Page<AuditEvent> events(long afterSeq, PageRequest page);

    /** The last event, empty for an empty chain. */
    Optional<AuditEvent> head();

    /** Verifies the whole chain without a key; {@code anchored} is then false. */
    AuditVerification verify();

    /**
     * Verifies the whole chain and the checkpoints signed by {@code publicKey}: a checkpoint whose seq is beyond the
     * chain's end reports a dropped tail, one whose hash differs reports a rewritten chain.
     */
    AuditVerification verify(PublicKey publicKey);

    /** Writes every event as JSON Lines (one object a line, the fields of {@link AuditEvent} in snake case). */
    long export(OutputStream out);

    /**
     * Signs the current head with {@code privateKey} (Ed25519), stores the checkpoint and returns it. Keep the key
     * outside the store; keep a copy of checkpoints outside it too for the strongest guarantee.
     */
    AuditCheckpoint checkpoint(PrivateKey privateKey);

    /** The stored checkpoints, oldest first. */
    List<AuditCheckpoint> checkpoints();

    /**
     * Erases the data of event {@code seq} (for example personal data) and records the erasure as a new event with
     * {@code reason}. The chain still verifies, because each hash covers only the data's digest.
     *
     * @return the erased event, its data now null
     */
    AuditEvent erase(long seq, String reason);

    /**
     * Verifies an exported JSON Lines file offline, with no store.
     *
     * @param export    the file written by {@link #export(OutputStream)}
     * @param publicKey the checkpoint key, or null
     * @param checkpoints checkpoints kept outside the store (may be empty)
     */
    static AuditVerification verifyExport(Path export, PublicKey publicKey, List<AuditCheckpoint> checkpoints) {
        return dev.mlops.internal.audit.AuditVerifier.verifyExport(export, publicKey, checkpoints);
    }
}
