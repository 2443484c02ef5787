package dev.mlops.internal.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.mlops.IntegrityException;
import dev.mlops.InvalidArgumentException;
import dev.mlops.audit.AuditChain;
import dev.mlops.audit.AuditCheckpoint;
import dev.mlops.audit.AuditEvent;
import dev.mlops.internal.json.CanonicalJson;
import java.time.Instant;
import java.time.format.DateTimeParseException;

/**
 * The JSON Lines forms of audit events (the export) and of checkpoints. One object a line, no line breaks inside.
 *
 * <p>Event line, fields in this order: {@code seq} (integer), {@code time} ({@link AuditChain#formatTime}),
 * {@code actor}, {@code action}, {@code subject} (strings), {@code data} (the event's data as an embedded JSON value
 * in canonical form, or {@code null} once erased), {@code data_digest} ({@code sha256:HEX}), {@code prev_hash},
 * {@code hash}. Checkpoint line: {@code seq}, {@code hash}, {@code time}, {@code key_id}, {@code signature}.
 *
 * <p>Reading is strict (RFC 8785's I-JSON rules: no duplicate names, one value per line), requires every field with
 * its type, and ignores fields it does not know. Stateless and thread-safe.
 */
public final class AuditJsonLines {
    private AuditJsonLines() {
    }

    /** Why a line could not be read; the caller adds where (file, line number). */
    public static final class MalformedLineException extends Exception {
        private static final long serialVersionUID = 1L;

        MalformedLineException(String message) {
            super(message);
        }
    }

    /**
     * The export line of {@code event}, without the line break.
     *
     * @throws IntegrityException when the event's stored data is not valid JSON
     */
    public static String eventLine(AuditEvent event) {
        StringBuilder out = new StringBuilder(256 + (event.data() == null ? 0 : event.data().length()));
        out.append("{\"seq\":").append(event.seq());
        out.append(",\"time\":");
        CanonicalJson.writeString(AuditChain.formatTime(event.time()), out);
        out.append(",\"actor\":");
        CanonicalJson.writeString(event.actor(), out);
        out.append(",\"action\":");
        CanonicalJson.writeString(event.action(), out);
        out.append(",\"subject\":");
        CanonicalJson.writeString(event.subject(), out);
        out.append(",\"data\":");
        if (event.data() == null) {
            out.append("null");
        } else {
            try {
                out.append(CanonicalJson.canonicalize(event.data()));
            } catch (InvalidArgumentException e) {
                throw new IntegrityException("audit event " + event.seq() + " holds data that is not valid JSON: "
                        + e.getMessage());
            }
        }
        out.append(",\"data_digest\":");
        CanonicalJson.writeString(event.dataDigest(), out);
        out.append(",\"prev_hash\":");
        CanonicalJson.writeString(event.prevHash(), out);
        out.append(",\"hash\":");
        CanonicalJson.writeString(event.hash(), out);
        return out.append('}').toString();
    }

    /** Reads one export line; {@code data} comes back in canonical form. */
    public static AuditEvent parseEvent(String line) throws MalformedLineException {
        JsonNode root = parseObject(line);
        long seq = integer(root, "seq");
        Instant time = time(root, "time");
        String actor = text(root, "actor");
        String action = text(root, "action");
        String subject = text(root, "subject");
        JsonNode dataNode = root.get("data");
        if (dataNode == null) {
            throw new MalformedLineException("field \"data\" is missing (it is null once erased)");
        }
        String data;
        try {
            data = dataNode.isNull() ? null : CanonicalJson.canonicalize(dataNode);
        } catch (InvalidArgumentException e) {
            throw new MalformedLineException("field \"data\" is not I-JSON: " + e.getMessage());
        }
        return new AuditEvent(seq, time, actor, action, subject, data, text(root, "data_digest"),
                text(root, "prev_hash"), text(root, "hash"));
    }

    /** The JSON line of a checkpoint, without the line break. */
    public static String checkpointLine(AuditCheckpoint checkpoint) {
        StringBuilder out = new StringBuilder(200);
        out.append("{\"seq\":").append(checkpoint.seq());
        out.append(",\"hash\":");
        CanonicalJson.writeString(checkpoint.hash(), out);
        out.append(",\"time\":");
        CanonicalJson.writeString(AuditChain.formatTime(checkpoint.time()), out);
        out.append(",\"key_id\":");
        CanonicalJson.writeString(checkpoint.keyId(), out);
        out.append(",\"signature\":");
        CanonicalJson.writeString(checkpoint.signature(), out);
        return out.append('}').toString();
    }

    /** Reads one checkpoint line. */
    public static AuditCheckpoint parseCheckpoint(String line) throws MalformedLineException {
        JsonNode root = parseObject(line);
        return new AuditCheckpoint(integer(root, "seq"), text(root, "hash"), time(root, "time"),
                text(root, "key_id"), text(root, "signature"));
    }

    private static JsonNode parseObject(String line) throws MalformedLineException {
        if (line.isBlank()) {
            throw new MalformedLineException("empty line");
        }
        JsonNode root;
        try {
            root = CanonicalJson.parse(line);
        } catch (JsonProcessingException e) {
            throw new MalformedLineException("not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new MalformedLineException("not a JSON object");
        }
        return root;
    }

    private static long integer(JsonNode root, String name) throws MalformedLineException {
        JsonNode node = root.get(name);
        if (node == null || !node.isIntegralNumber() || !node.canConvertToLong()) {
            throw new MalformedLineException("field \"" + name + "\" must be an integer");
        }
        return node.longValue();
    }

    private static String text(JsonNode root, String name) throws MalformedLineException {
        JsonNode node = root.get(name);
        if (node == null || !node.isTextual()) {
            throw new MalformedLineException("field \"" + name + "\" must be a string");
        }
        return node.textValue();
    }

    private static Instant time(JsonNode root, String name) throws MalformedLineException {
        String text = text(root, name);
        try {
            Instant time = Instant.parse(text);
            if (AuditChain.formatTime(time).equals(text)) {
                return time;
            }
        } catch (DateTimeParseException e) {
            // reported below
        }
        throw new MalformedLineException("field \"" + name + "\" must be UTC time as yyyy-MM-ddTHH:mm:ss.SSSZ, was \""
                + (text.length() > 40 ? text.substring(0, 40) + "..." : text) + "\"");
    }
}
