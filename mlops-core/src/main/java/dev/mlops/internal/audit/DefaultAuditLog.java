package dev.mlops.internal.audit;

import dev.mlops.Page;
import dev.mlops.PageRequest;
import dev.mlops.audit.*;
import dev.mlops.internal.Context;
import java.io.OutputStream;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.List;
import java.util.Optional;

/** PLACEHOLDER: replaced by the real implementation of {@link AuditLog}. */
public class DefaultAuditLog implements AuditLog {
    public DefaultAuditLog(Context context) {
    }

    @Override
    public Page<AuditEvent> events(long afterSeq, PageRequest page) {
        throw new UnsupportedOperationException("placeholder");
    }

    @Override
    public Optional<AuditEvent> head() {
        throw new UnsupportedOperationException("placeholder");
    }

    @Override
    public AuditVerification verify() {
        throw new UnsupportedOperationException("placeholder");
    }

    @Override
    public AuditVerification verify(PublicKey publicKey) {
        throw new UnsupportedOperationException("placeholder");
    }

    @Override
    public long export(OutputStream out) {
        throw new UnsupportedOperationException("placeholder");
    }

    @Override
    public AuditCheckpoint checkpoint(PrivateKey privateKey) {
        throw new UnsupportedOperationException("placeholder");
    }

    @Override
    public List<AuditCheckpoint> checkpoints() {
        throw new UnsupportedOperationException("placeholder");
    }

    @Override
    public AuditEvent erase(long seq, String reason) {
        throw new UnsupportedOperationException("placeholder");
    }
}
