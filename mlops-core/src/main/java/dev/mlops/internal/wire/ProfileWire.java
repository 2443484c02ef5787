package dev.mlops.internal.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.mlops.drift.ProfileQuery;
import dev.mlops.drift.ReportKind;
import dev.mlops.spi.DriftReportEntry;
import dev.mlops.spi.ProfileEntry;
import java.time.Instant;

/**
 * Stored profiles and drift reports:
 *
 * <ul>
 *   <li>{@link ProfileEntry}: {@code id, subject, key, window_start?, window_end?, rows, digest, body, created_time,
 *       created_by}</li>
 *   <li>{@link DriftReportEntry}: {@code id, subject, key, kind, window_start?, window_end?, reference_profile_id?,
 *       current_profile_id?, dataset_drift, drift_share?, digest, body, created_time, created_by}; {@code kind} is
 *       {@code WINDOW} or {@code ANALYSIS}</li>
 *   <li>{@link ProfileQuery}: {@code subject, key_prefix?, from?, to?}</li>
 * </ul>
 * {@code body} is the JSON text as a string, character for character. Stateless and thread-safe.
 */
public final class ProfileWire {
    private ProfileWire() {
    }

    private static void putInstant(ObjectNode node, String name, Instant value) {
        if (value != null) {
            node.put(name, Wire.instantText(value));
        }
    }

    private static void putIf(ObjectNode node, String name, String value) {
        if (value != null) {
            node.put(name, value);
        }
    }

    public static ObjectNode write(ProfileEntry entry) {
        ObjectNode node = Wire.object();
        node.put("id", entry.id());
        node.put("subject", entry.subject());
        node.put("key", entry.key());
        putInstant(node, "window_start", entry.windowStart());
        putInstant(node, "window_end", entry.windowEnd());
        node.put("rows", entry.rows());
        node.put("digest", entry.digest());
        node.put("body", entry.body());
        node.put("created_time", Wire.instantText(entry.createdTime()));
        node.put("created_by", entry.createdBy());
        return node;
    }

    /** A profile entry (its instants truncated to the millisecond by the record, as stored). */
    public static ProfileEntry readProfile(JsonNode node, String path) {
        Wire.Fields f = Wire.fields(node, path, "id", "subject", "key", "window_start", "window_end", "rows", "digest",
                "body", "created_time", "created_by");
        String id = f.string("id");
        String subject = f.string("subject");
        String key = f.string("key");
        Instant start = f.optInstant("window_start");
        Instant end = f.optInstant("window_end");
        long rows = f.longValue("rows");
        String digest = f.string("digest");
        String body = f.string("body");
        Instant created = f.instant("created_time");
        String createdBy = f.string("created_by");
        return Wire.build(path, () -> new ProfileEntry(id, subject, key, start, end, rows, digest, body, created,
                createdBy));
    }

    public static ObjectNode write(DriftReportEntry entry) {
        ObjectNode node = Wire.object();
        node.put("id", entry.id());
        node.put("subject", entry.subject());
        node.put("key", entry.key());
        node.put("kind", entry.kind().name());
        putInstant(node, "window_start", entry.windowStart());
        putInstant(node, "window_end", entry.windowEnd());
        putIf(node, "reference_profile_id", entry.referenceProfileId());
        putIf(node, "current_profile_id", entry.currentProfileId());
        node.put("dataset_drift", entry.datasetDrift());
        if (entry.driftShare() != null) {
            node.set("drift_share", Wire.doubleNode(entry.driftShare()));
        }
        node.put("digest", entry.digest());
        node.put("body", entry.body());
        node.put("created_time", Wire.instantText(entry.createdTime()));
        node.put("created_by", entry.createdBy());
        return node;
    }

    /** A drift report entry (its instants truncated to the millisecond by the record, as stored). */
    public static DriftReportEntry readDriftReport(JsonNode node, String path) {
        Wire.Fields f = Wire.fields(node, path, "id", "subject", "key", "kind", "window_start", "window_end",
                "reference_profile_id", "current_profile_id", "dataset_drift", "drift_share", "digest", "body",
                "created_time", "created_by");
        String id = f.string("id");
        String subject = f.string("subject");
        String key = f.string("key");
        ReportKind kind = f.enumValue("kind", ReportKind.class, false);
        Instant start = f.optInstant("window_start");
        Instant end = f.optInstant("window_end");
        String reference = f.optString("reference_profile_id");
        String current = f.optString("current_profile_id");
        boolean drift = f.bool("dataset_drift");
        Double share = f.optDouble("drift_share");
        String digest = f.string("digest");
        String body = f.string("body");
        Instant created = f.instant("created_time");
        String createdBy = f.string("created_by");
        return Wire.build(path, () -> new DriftReportEntry(id, subject, key, kind, start, end, reference, current,
                drift, share, digest, body, created, createdBy));
    }

    public static ObjectNode write(ProfileQuery query) {
        ObjectNode node = Wire.object();
        node.put("subject", query.subject());
        putIf(node, "key_prefix", query.keyPrefix());
        putInstant(node, "from", query.from());
        putInstant(node, "to", query.to());
        return node;
    }

    public static ProfileQuery readQuery(JsonNode node, String path) {
        Wire.Fields f = Wire.fields(node, path, "subject", "key_prefix", "from", "to");
        String subject = f.string("subject");
        String prefix = f.optString("key_prefix");
        Instant from = f.optInstant("from");
        Instant to = f.optInstant("to");
        return Wire.build(path, () -> new ProfileQuery(subject, prefix, from, to));
    }

    public static TextNode write(ReportKind kind) {
        return TextNode.valueOf(kind.name());
    }

    public static ReportKind readKind(JsonNode node, String path) {
        return Wire.readEnum(node, path, ReportKind.class, false);
    }
}
