package dev.mlops.internal.audit;

import dev.mlops.InvalidArgumentException;
import dev.mlops.audit.AuditChain;
import dev.mlops.audit.AuditCheckpoint;
import dev.mlops.audit.AuditEvent;
import dev.mlops.audit.AuditVerification;
import dev.mlops.internal.json.CanonicalJson;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The verification of one pass over a chain, fed one record at a time. It keeps the previous hash, the hashes at
 * checkpointed seqs and the seqs of erased events still waiting for their erasure event; nothing grows with the
 * number of events (only with checkpoints and erasures). The rules are documented on {@link AuditVerifier}. Not
 * thread-safe.
 */
final class ChainCheck {
    private static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");
    static final String ERASE_ACTION = "audit.erase";
    static final String AUDIT_SUBJECT_PREFIX = "audit:";

    private final PublicKey publicKey;
    private final List<AuditCheckpoint> checkpoints;
    private final Set<Long> checkpointSeqs = new HashSet<>();
    private final Map<Long, String> hashesAtCheckpoints = new HashMap<>();
    /** Seqs whose data is erased and for which no {@code audit.erase} event has been read yet. */
    private final TreeSet<Long> unexplainedErasures = new TreeSet<>();

    private long records;
    private long expected = 1;
    private String prevHash = AuditChain.GENESIS;
    private String lastHash;
    private Long firstBad;
    private String reason;

    /**
     * @param publicKey   the checkpoint key, or null to check the chain alone
     * @param checkpoints checkpoints to check against the chain; only those whose key id is {@code publicKey}'s count
     */
    ChainCheck(PublicKey publicKey, List<AuditCheckpoint> checkpoints) {
        this.publicKey = publicKey;
        if (publicKey == null) {
            this.checkpoints = List.of();
        } else {
            String keyId = Ed25519.keyId(publicKey);
            this.checkpoints = checkpoints.stream().filter(c -> c.keyId().equals(keyId)).toList();
        }
        this.checkpoints.forEach(c -> checkpointSeqs.add(c.seq()));
    }

    /** Whether a record failed already; later records are then only counted. */
    boolean failed() {
        return firstBad != null;
    }

    /** The next record. */
    void accept(AuditEvent event) {
        records++;
        lastHash = event.hash();
        if (firstBad != null) {
            return;
        }
        String problem = problem(event);
        if (problem != null) {
            fail(problem);
            return;
        }
        if (checkpointSeqs.contains(event.seq())) {
            hashesAtCheckpoints.put(event.seq(), event.hash());
        }
        if (event.data() == null) {
            unexplainedErasures.add(event.seq());
        }
        if (ERASE_ACTION.equals(event.action()) && event.subject().startsWith(AUDIT_SUBJECT_PREFIX)) {
            try {
                String erased = event.subject().substring(AUDIT_SUBJECT_PREFIX.length());
                unexplainedErasures.remove(Long.parseLong(erased));
            } catch (NumberFormatException e) {
                // not an erasure of an event: nothing is explained by it
            }
        }
        prevHash = event.hash();
        expected++;
    }

    /** The next record could not be read at all; {@code why} becomes the reason if it is the first failure. */
    void unreadable(String why) {
        records++;
        lastHash = null;
        if (firstBad == null) {
            fail(why);
        }
    }

    /** The next record, after a failure, counted but not read; its hash is unknown until {@link #lastHash}. */
    void skipped() {
        records++;
        lastHash = null;
    }

    /** Sets the recorded hash of the last record, when it was skipped. */
    void lastHash(String hash) {
        lastHash = hash;
    }

    private void fail(String why) {
        firstBad = expected;
        reason = why;
    }

    private String problem(AuditEvent e) {
        if (e.seq() != expected) {
            return "seq out of order: expected " + expected + ", found " + e.seq();
        }
        String computed;
        try {
            computed = AuditChain.computeHash(e);
        } catch (InvalidArgumentException ex) {
            return "malformed event: " + ex.getMessage();
        }
        if (!computed.equals(e.hash())) {
            return "hash mismatch";
        }
        if (!e.prevHash().equals(prevHash)) {
            return "prev_hash does not link";
        }
        if (!DIGEST.matcher(e.dataDigest()).matches()) {
            return "malformed event: data_digest must be sha256: and 64 lower-case hex digits";
        }
        if (e.data() != null && !dataMatches(e.data(), e.dataDigest().substring("sha256:".length()))) {
            return "data digest mismatch";
        }
        return null;
    }

    private static boolean dataMatches(String data, String digestHex) {
        if (AuditChain.sha256Hex(data).equals(digestHex)) {
            return true;
        }
        try {
            return AuditChain.sha256Hex(CanonicalJson.canonicalize(data)).equals(digestHex);
        } catch (InvalidArgumentException e) {
            return false;
        }
    }

    /** The result, after the last record. */
    AuditVerification result() {
        long intactThrough = firstBad == null ? expected - 1 : firstBad - 1;
        Long bad = firstBad;
        String why = reason;
        String signatureProblem = null;
        long truncatedAt = -1;
        List<AuditCheckpoint> valid = new ArrayList<>();
        for (AuditCheckpoint c : checkpoints) {
            if (!Ed25519.verify(publicKey, c.signedMessage(), c.signature())) {
                if (signatureProblem == null) {
                    signatureProblem = "invalid checkpoint signature: checkpoint at seq " + c.seq() + " (key "
                            + c.keyId() + ")";
                }
                continue;
            }
            valid.add(c);
            if (c.seq() > intactThrough) {
                if (firstBad == null) {
                    truncatedAt = Math.max(truncatedAt, c.seq());
                }
            } else if (!c.hash().equals(hashesAtCheckpoints.get(c.seq()))) {
                long at = Math.max(1, c.seq());
                if (bad == null || at < bad) {
                    bad = at;
                    why = "chain rewritten: checkpoint at seq " + c.seq() + " does not match";
                }
            }
        }
        if (truncatedAt >= 0 && (bad == null || expected < bad)) {
            bad = expected;
            why = "chain truncated before checkpoint seq " + truncatedAt;
        }
        if (firstBad == null && !unexplainedErasures.isEmpty()
                && (bad == null || unexplainedErasures.first() < bad)) {
            bad = unexplainedErasures.first();
            why = "data erased without an audit.erase event";
        }
        Long anchoredSeq = null;
        for (AuditCheckpoint c : valid) {
            boolean covered = c.seq() >= 1 && c.seq() <= intactThrough && (bad == null || c.seq() < bad);
            if (covered && c.hash().equals(hashesAtCheckpoints.get(c.seq()))
                    && (anchoredSeq == null || c.seq() > anchoredSeq)) {
                anchoredSeq = c.seq();
            }
        }
        if (bad == null && signatureProblem != null) {
            why = signatureProblem;
        }
        boolean ok = why == null;
        return new AuditVerification(ok, records, lastHash, bad, why, anchoredSeq != null, anchoredSeq);
    }
}
