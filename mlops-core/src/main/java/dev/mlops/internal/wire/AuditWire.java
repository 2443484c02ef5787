package dev.mlops.internal.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlops.InvalidArgumentException;
import dev.mlops.audit.AuditCheckpoint;
import dev.mlops.audit.AuditEvent;
import dev.mlops.internal.Validate;
import dev.mlops.spi.PendingAuditEvent;
import java.time.Instant;

/**
 * Audit events and checkpoints, with the field names of the audit export ({@code docs/audit.md}), except that
 * {@code data} is the JSON text as a string (kept character for character, so that a verifier on the other side
 * sees exactly what is stored) and is omitted once erased.
 *
 * <ul>
 *   <li>{@link PendingAuditEvent}: {@code time, actor, action, subject, data}</li>
 *   <li>{@link AuditEvent}: {@code seq, time, actor, action, subject, data (absent once erased), data_digest,
 *       prev_hash, hash}</li>
 *   <li>{@link AuditCheckpoint}: {@code seq, hash, time, key_id, signature}</li>
 * </ul>
 * Stateless and thread-safe.
 */
public final class AuditWire {
    private AuditWire() {
    }

    public static ObjectNode write(PendingAuditEvent event) {
        ObjectNode node = Wire.object();
        node.put("time", Wire.instantText(event.time()));
        node.put("actor", event.actor());
        node.put("action", event.action());
        node.put("subject", event.subject());
        node.put("data", event.data());
        return node;
    }

    /** A pending event; {@code data} must be a JSON text (it is canonicalised, and the time truncated, as always). */
    public static PendingAuditEvent readPending(JsonNode node, String path) {
        Wire.Fields f = Wire.fields(node, path, "time", "actor", "action", "subject", "data");
        Instant time = f.instant("time");
        String actor = f.string("actor");
        String action = label(f.path("action"), f.string("action"));
        String subject = label(f.path("subject"), f.string("subject"));
        String data = f.string("data");
        try {
            return new PendingAuditEvent(time, actor, action, subject, data);
        } catch (InvalidArgumentException e) {
            // The only check that can fail: data is not a JSON text. Jackson's message may quote it: not echoed.
            throw new InvalidArgumentException(f.path("data"), f.path("data") + " must be a JSON text (I-JSON: no"
                    + " duplicate names, finite numbers), was a string that is not one", e);
        }
    }

    /**
     * An event's action or subject as the library writes them: 1 to 1,024 characters, no control characters (no
     * line breaks or tabs either), so that no event in the trail can forge lines or terminal escapes in what lists it.
     */
    private static String label(String path, String value) {
        Validate.text(path, value, 1024);
        Validate.noLineBreaksOrTabs(path, value);
        return value;
    }

    public static ObjectNode write(AuditEvent event) {
        ObjectNode node = Wire.object();
        node.put("seq", event.seq());
        node.put("time", Wire.instantText(event.time()));
        node.put("actor", event.actor());
        node.put("action", event.action());
        node.put("subject", event.subject());
        if (event.data() != null) {
            node.put("data", event.data());
        }
        node.put("data_digest", event.dataDigest());
        node.put("prev_hash", event.prevHash());
        node.put("hash", event.hash());
        return node;
    }

    /** A stored event as is (no check of its hashes: that is the verifier's job). */
    public static AuditEvent readEvent(JsonNode node, String path) {
        Wire.Fields f = Wire.fields(node, path, "seq", "time", "actor", "action", "subject", "data", "data_digest",
                "prev_hash", "hash");
        long seq = f.longValue("seq");
        Instant time = f.instant("time");
        String actor = f.string("actor");
        String action = f.string("action");
        String subject = f.string("subject");
        String data = f.optString("data");
        String digest = f.string("data_digest");
        String prevHash = f.string("prev_hash");
        String hash = f.string("hash");
        return Wire.build(path, () -> new AuditEvent(seq, time, actor, action, subject, data, digest, prevHash, hash));
    }

    public static ObjectNode write(AuditCheckpoint checkpoint) {
        ObjectNode node = Wire.object();
        node.put("seq", checkpoint.seq());
        node.put("hash", checkpoint.hash());
        node.put("time", Wire.instantText(checkpoint.time()));
        node.put("key_id", checkpoint.keyId());
        node.put("signature", checkpoint.signature());
        return node;
    }

    public static AuditCheckpoint readCheckpoint(JsonNode node, String path) {
        Wire.Fields f = Wire.fields(node, path, "seq", "hash", "time", "key_id", "signature");
        long seq = f.longValue("seq");
        String hash = f.string("hash");
        Instant time = f.instant("time");
        String keyId = f.string("key_id");
        String signature = f.string("signature");
        return Wire.build(path, () -> new AuditCheckpoint(seq, hash, time, keyId, signature));
    }
}
