package dev.mlops.audit;

import dev.mlops.IntegrityException;
import dev.mlops.InvalidArgumentException;
import dev.mlops.internal.json.CanonicalJson;
import dev.mlops.spi.PendingAuditEvent;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The definition of the audit hash chain. Stores call {@link #seal} inside the transaction that makes a change.
 *
 * <p>For event {@code e} with predecessor hash {@code p} (64 zeros for seq 1):
 * <pre>
 * data_sha256 = hex(SHA-256(UTF-8(canonical_json(e.data))))
 * hash        = hex(SHA-256(UTF-8(canonical_json({
 *                   "action": e.action, "actor": e.actor, "data_sha256": data_sha256,
 *                   "prev_hash": p, "seq": e.seq, "subject": e.subject, "time": e.time}))))
 * </pre>
 * where {@code canonical_json} is RFC 8785 (JSON Canonicalization Scheme), {@code time} is ISO-8601 UTC with
 * exactly three fraction digits ({@code 2026-01-31T12:00:00.000Z}) and hex is lower case. Because the hash covers
 * only the digest of the data, the data can be erased later without breaking the chain.
 *
 * <p>This class is stateless and thread-safe.
 */
public final class AuditChain {
    /** The {@code prev_hash} of the first event: 64 zeros. */
    public static final String GENESIS = "0".repeat(64);

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    private AuditChain() {
    }

    /**
     * Seals {@code pending} as the event after {@code previous}.
     *
     * @param previous the current head of the chain, or null when the chain is empty
     * @param pending  the event to append
     * @return the event with seq {@code previous.seq + 1} (1 for the first) and its hashes
     */
    public static AuditEvent seal(AuditEvent previous, PendingAuditEvent pending) {
        long seq = previous == null ? 1 : previous.seq() + 1;
        String prevHash = previous == null ? GENESIS : previous.hash();
        String digest = "sha256:" + sha256Hex(pending.data());
        String hash = hash(seq, pending.time(), pending.actor(), pending.action(), pending.subject(), digest, prevHash);
        return new AuditEvent(seq, pending.time(), pending.actor(), pending.action(), pending.subject(),
                pending.data(), digest, prevHash, hash);
    }

    /** Recomputes the hash of {@code event} from its fields (the data itself is not needed, only its digest). */
    public static String computeHash(AuditEvent event) {
        return hash(event.seq(), event.time(), event.actor(), event.action(), event.subject(), event.dataDigest(),
                event.prevHash());
    }

    /** The exact text whose SHA-256 is the hash of {@code event}; documented so anyone can verify with other tools. */
    public static String hashInput(AuditEvent event) {
        return hashInput(event.seq(), event.time(), event.actor(), event.action(), event.subject(),
                event.dataDigest(), event.prevHash());
    }

    private static String hash(long seq, Instant time, String actor, String action, String subject,
            String dataDigest, String prevHash) {
        return sha256Hex(hashInput(seq, time, actor, action, subject, dataDigest, prevHash));
    }

    private static String hashInput(long seq, Instant time, String actor, String action, String subject,
            String dataDigest, String prevHash) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("action", action);
        fields.put("actor", actor);
        fields.put("data_sha256", dataDigest.startsWith("sha256:") ? dataDigest.substring(7) : dataDigest);
        fields.put("prev_hash", prevHash);
        fields.put("seq", seq);
        fields.put("subject", subject);
        fields.put("time", formatTime(time));
        return CanonicalJson.write(fields);
    }

    /** Formats an instant as the chain does: ISO-8601 UTC, three fraction digits. */
    public static String formatTime(Instant time) {
        return TIME.format(time);
    }

    /** Truncates to the precision the chain keeps (milliseconds). */
    public static Instant truncate(Instant time) {
        return time.truncatedTo(ChronoUnit.MILLIS);
    }

    /**
     * The RFC 8785 canonical form of a JSON text.
     *
     * @throws InvalidArgumentException when {@code json} is not valid JSON
     */
    public static String canonicalJson(String json) {
        return CanonicalJson.canonicalize(json);
    }

    /** Lower-case hex SHA-256 of the UTF-8 bytes of {@code text}. */
    public static String sha256Hex(String text) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            return HexFormat.of().formatHex(md.digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IntegrityException("SHA-256 is not available in this JVM");
        }
    }
}
