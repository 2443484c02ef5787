package dev.mlops.spi;

import dev.mlops.audit.AuditChain;
import dev.mlops.drift.ReportKind;
import java.time.Instant;
import java.util.Objects;

/**
 * A drift report as a metadata store keeps it: where it belongs ({@code subject}, {@code key}), the window it
 * covers, links to the stored profiles it compared, the dataset decision as queryable columns, and the report JSON
 * with its SHA-256. Built and checked by the API layer ({@code Mlops.profiles()}), which also checks the digest of
 * every entry it reads back; a store keeps the fields exactly (instants to the millisecond, which the constructor
 * truncates to) and the body character for character.
 *
 * @param id                 the entry's id, unique in the store
 * @param subject            what was monitored or compared, for example {@code monitor:NAME}
 * @param key                which report of the subject, for example a window id; (subject, key) is unique
 * @param kind               what the body is: a monitor window's report or a {@code DriftAnalyzer} report
 * @param windowStart        the start of the window the report covers (inclusive), or null
 * @param windowEnd          its end (exclusive), or null; never before {@code windowStart}
 * @param referenceProfileId the id of the stored reference profile it compared with, or null
 * @param currentProfileId   the id of the stored current (window) profile, or null
 * @param datasetDrift       the report's verdict: for a window, whether any column drifted; for an analysis, its
 *                           dataset drift
 * @param driftShare         the share of drifted columns among those decided, in [0, 1], or null when none was
 *                           decided
 * @param digest             {@code sha256:} and the lower-case hex SHA-256 of {@code body}'s UTF-8 bytes
 * @param body               the report JSON (a JSON text: a store may rely on
 *                           that, as PostgreSQL's json type does)
 * @param createdTime        when the entry was saved
 * @param createdBy          who saved it
 */
public record DriftReportEntry(String id, String subject, String key, ReportKind kind, Instant windowStart,
        Instant windowEnd, String referenceProfileId, String currentProfileId, boolean datasetDrift,
        Double driftShare, String digest, String body, Instant createdTime, String createdBy) {
    public DriftReportEntry {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(digest, "digest");
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(createdTime, "createdTime");
        Objects.requireNonNull(createdBy, "createdBy");
        windowStart = windowStart == null ? null : AuditChain.truncate(windowStart);
        windowEnd = windowEnd == null ? null : AuditChain.truncate(windowEnd);
        createdTime = AuditChain.truncate(createdTime);
    }

    /**
     * Whether {@code other} has the same content: everything but the id, the created time and the creator. Saving
     * an entry whose (subject, key) is stored with the same content is not a change.
     */
    public boolean sameContent(DriftReportEntry other) {
        return subject.equals(other.subject) && key.equals(other.key) && kind == other.kind
                && Objects.equals(windowStart, other.windowStart) && Objects.equals(windowEnd, other.windowEnd)
                && Objects.equals(referenceProfileId, other.referenceProfileId)
                && Objects.equals(currentProfileId, other.currentProfileId) && datasetDrift == other.datasetDrift
                && Objects.equals(driftShare, other.driftShare) && digest.equals(other.digest)
                && body.equals(other.body);
    }
}
