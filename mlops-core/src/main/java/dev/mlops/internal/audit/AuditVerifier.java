package dev.mlops.internal.audit;

import dev.mlops.audit.AuditCheckpoint;
import dev.mlops.audit.AuditVerification;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.List;

/** PLACEHOLDER: replaced by the audit verifier. */
public final class AuditVerifier {
    private AuditVerifier() {
    }

    public static AuditVerification verifyExport(Path export, PublicKey publicKey, List<AuditCheckpoint> checkpoints) {
        throw new UnsupportedOperationException("placeholder");
    }
}
