package dev.mlops.drift;

import java.time.Instant;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * A drift report read from the profile store ({@link ProfileStore}), its digest checked. The body is the report's
 * JSON: for {@link ReportKind#WINDOW} the window report JSON of docs/drift.md ({@link ProfileStore#windowReport}
 * reads it back as a {@link WindowReport}), for {@link ReportKind#ANALYSIS} the JSON of {@link DriftReportJson}.
 * Immutable.
 *
 * @param id                 the stored report's id
 * @param subject            what was monitored or compared, for example {@code monitor:NAME}
 * @param key                which report of the subject, for example a window id
 * @param kind               what the body is
 * @param windowStart        the start of the window it covers (inclusive, millisecond precision), or null
 * @param windowEnd          the window's end (exclusive), or null
 * @param referenceProfileId the stored reference profile it compared with, or null
 * @param currentProfileId   the stored current (window) profile, or null
 * @param datasetDrift       for a window: whether any column drifted; for an analysis: its dataset drift
 * @param driftShare         drifted columns / decided columns, empty when no column was decided
 * @param digest             {@code sha256:} and the hex SHA-256 of {@code json}
 * @param json               the report JSON
 * @param createdTime        when it was saved
 * @param createdBy          who saved it
 */
public record StoredDriftReport(String id, String subject, String key, ReportKind kind, Instant windowStart,
        Instant windowEnd, String referenceProfileId, String currentProfileId, boolean datasetDrift,
        OptionalDouble driftShare, String digest, String json, Instant createdTime, String createdBy) {
    public StoredDriftReport {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(driftShare, "driftShare");
        Objects.requireNonNull(digest, "digest");
        Objects.requireNonNull(json, "json");
        Objects.requireNonNull(createdTime, "createdTime");
        Objects.requireNonNull(createdBy, "createdBy");
    }
}
