package dev.mlops.internal.audit;

import dev.mlops.ConflictException;
import dev.mlops.IntegrityException;
import dev.mlops.InvalidArgumentException;
import dev.mlops.Page;
import dev.mlops.PageRequest;
import dev.mlops.StorageException;
import dev.mlops.audit.AuditChain;
import dev.mlops.audit.AuditCheckpoint;
import dev.mlops.audit.AuditEvent;
import dev.mlops.audit.AuditLog;
import dev.mlops.audit.AuditVerification;
import dev.mlops.internal.AccessControl;
import dev.mlops.internal.Context;
import dev.mlops.internal.Validate;
import dev.mlops.security.AccessPolicy;
import dev.mlops.security.Permission;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The audit trail over a {@link dev.mlops.spi.MetadataStore}. Verification and export read the chain in pages of
 * {@value AuditVerifier#PAGE} events, never all at once. Thread-safe (it holds no state of its own).
 */
public final class DefaultAuditLog implements AuditLog {
    private final Context context;
    private final AccessControl access;

    public DefaultAuditLog(Context context) {
        this.context = Objects.requireNonNull(context, "context");
        this.access = new AccessControl(context);
    }

    /**
     * {@inheritDoc} The page token is the seq of the last event of the previous page; a full page always has a
     * token, so the last page may be empty.
     */
    @Override
    public Page<AuditEvent> events(long afterSeq, PageRequest page) {
        if (afterSeq < 0) {
            throw new InvalidArgumentException("afterSeq", "afterSeq must be 0 or more, was " + afterSeq);
        }
        if (page == null) {
            throw new InvalidArgumentException("page", "page is required");
        }
        long after = afterSeq;
        if (page.pageToken() != null) {
            long fromToken;
            try {
                fromToken = Long.parseLong(page.pageToken());
            } catch (NumberFormatException e) {
                fromToken = -1;
            }
            if (fromToken < afterSeq) {
                throw new InvalidArgumentException("pageToken", "pageToken is not a token of this listing");
            }
            after = fromToken;
        }
        List<AuditEvent> events = context.store().auditEvents(after, page.pageSize());
        if (events.size() < page.pageSize()) {
            return Page.last(events);
        }
        long last = events.stream().mapToLong(AuditEvent::seq).max().orElseThrow();
        return new Page<>(events, Long.toString(last));
    }

    @Override
    public Optional<AuditEvent> head() {
        return context.store().auditHead();
    }

    @Override
    public AuditVerification verify() {
        return AuditVerifier.verifyStore(context.store(), null, List.of());
    }

    /** {@inheritDoc} Checks the checkpoints stored in the store; see {@link AuditVerifier} for the rules. */
    @Override
    public AuditVerification verify(PublicKey publicKey) {
        Ed25519.publicKey(publicKey, "publicKey");
        return AuditVerifier.verifyStore(context.store(), publicKey, context.store().checkpoints());
    }

    /**
     * {@inheritDoc} The format is documented in {@code docs/audit.md} and on {@link AuditJsonLines}. Events are
     * read and written a page at a time; {@code out} is flushed, not closed.
     *
     * @return the number of events written
     * @throws StorageException   when writing to {@code out} fails
     * @throws IntegrityException when an event's stored data is not valid JSON
     */
    @Override
    public long export(OutputStream out) {
        if (out == null) {
            throw new InvalidArgumentException("out", "out is required");
        }
        Writer writer = new BufferedWriter(new OutputStreamWriter(out, StandardCharsets.UTF_8), 1 << 16);
        long count = 0;
        long after = 0;
        try {
            while (true) {
                List<AuditEvent> page = context.store().auditEvents(after, AuditVerifier.PAGE);
                if (page.isEmpty()) {
                    break;
                }
                long highest = after;
                for (AuditEvent event : page) {
                    writer.write(AuditJsonLines.eventLine(event));
                    writer.write('\n');
                    count++;
                    highest = Math.max(highest, event.seq());
                }
                if (highest == after) {
                    throw new StorageException("the store returned audit events at or before seq " + after
                            + " when asked for those after it", null);
                }
                after = highest;
            }
            writer.flush();
        } catch (IOException e) {
            throw new StorageException("cannot write the audit export: " + e.getMessage(), e);
        }
        return count;
    }

    /**
     * {@inheritDoc} The chain is verified first (with the key's public half, so earlier checkpoints are checked too)
     * and the verified head is signed; the checkpoint is stored with an {@code audit.checkpoint} event (subject
     * {@code audit:SEQ}, data {@code seq}, {@code hash}, {@code key_id}), which itself comes after the head it
     * anchors.
     *
     * @throws InvalidArgumentException when the key is not an Ed25519 private key
     * @throws ConflictException        when the chain is empty (there is nothing to anchor)
     * @throws IntegrityException       when the chain does not verify (a damaged chain is never signed)
     */
    @Override
    public AuditCheckpoint checkpoint(PrivateKey privateKey) {
        access.require(Permission.ADMIN, AccessPolicy.ALL_MODELS, "audit", "sign an audit checkpoint");
        PublicKey publicKey = Ed25519.publicKeyOf(privateKey);
        AuditVerification verification = verify(publicKey);
        if (!verification.ok()) {
            throw new IntegrityException("refusing to sign a checkpoint: the audit chain does not verify (seq "
                    + verification.firstBadSeq() + ": " + verification.reason() + ")");
        }
        if (verification.events() == 0) {
            throw new ConflictException("cannot checkpoint an empty audit chain: there is no event to anchor");
        }
        String keyId = Ed25519.keyId(publicKey);
        Instant time = AuditChain.truncate(context.now());
        long seq = verification.events();
        String hash = verification.head();
        String message = new AuditCheckpoint(seq, hash, time, keyId, "").signedMessage();
        AuditCheckpoint checkpoint = new AuditCheckpoint(seq, hash, time, keyId, Ed25519.sign(privateKey, message));
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("seq", seq);
        data.put("hash", hash);
        data.put("key_id", keyId);
        String subject = ChainCheck.AUDIT_SUBJECT_PREFIX + seq;
        context.store().addCheckpoint(checkpoint, context.audit("audit.checkpoint", subject, data));
        return checkpoint;
    }

    @Override
    public List<AuditCheckpoint> checkpoints() {
        return context.store().checkpoints();
    }

    /**
     * {@inheritDoc} The erasure is the event {@code audit.erase} with subject {@code audit:SEQ} and data
     * {@code {"erased_seq": SEQ, "reason": REASON}}; keep personal data out of the reason.
     *
     * @throws InvalidArgumentException when {@code seq} is below 1 or {@code reason} is empty, too long or has
     *                                  control characters
     * @throws dev.mlops.NotFoundException when no event has this seq
     * @throws dev.mlops.PermissionDeniedException when an access policy is configured and the principal lacks
     *                                  {@code ADMIN} on all models (the attempt is audited)
     * @return the erased event, its data now null
     */
    @Override
    public AuditEvent erase(long seq, String reason) {
        if (seq < 1) {
            throw new InvalidArgumentException("seq", "seq must be 1 or more, was " + seq);
        }
        Validate.text("reason", reason, Validate.MAX_TEXT);
        access.require(Permission.ADMIN, AccessPolicy.ALL_MODELS, ChainCheck.AUDIT_SUBJECT_PREFIX + seq,
                "erase the data of audit event " + seq);
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("erased_seq", seq);
        data.put("reason", reason);
        String subject = ChainCheck.AUDIT_SUBJECT_PREFIX + seq;
        return context.store().eraseAuditData(seq, context.audit(ChainCheck.ERASE_ACTION, subject, data));
    }
}
