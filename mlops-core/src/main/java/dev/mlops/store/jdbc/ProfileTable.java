package dev.mlops.store.jdbc;

import dev.mlops.AlreadyExistsException;
import dev.mlops.ConflictException;
import dev.mlops.Page;
import dev.mlops.drift.ProfileQuery;
import dev.mlops.drift.ReportKind;
import dev.mlops.spi.DriftReportEntry;
import dev.mlops.spi.ProfileEntry;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Stored profiles ({@code profiles}) and drift reports ({@code drift_reports}) of schema version 3, inside the
 * caller's transaction. Listings are ordered and paginated by (sort_time, id) within a subject; sort_time is the
 * window start in milliseconds, or {@link Long#MIN_VALUE} for entries without one.
 */
final class ProfileTable {
    private static final String PROFILE_COLUMNS = "id, subject, key, window_start, window_end, sort_time, row_count,"
            + " digest, body, created_time, created_by";
    private static final String REPORT_COLUMNS = "id, subject, key, kind, window_start, window_end, sort_time,"
            + " reference_profile_id, current_profile_id, dataset_drift, drift_share, digest, body, created_time,"
            + " created_by";
    private static final String INSERT_PROFILE = Dialect.insert("profiles",
            List.of(PROFILE_COLUMNS.split(", ")));
    private static final String INSERT_REPORT = Dialect.insert("drift_reports",
            List.of(REPORT_COLUMNS.split(", ")));
    private static final String PROFILES_TOKEN = "profiles";
    private static final String REPORTS_TOKEN = "drift_reports";

    private ProfileTable() {
    }

    // ---- profiles -------------------------------------------------------------------------------------------------

    static Optional<ProfileEntry> profile(Connection c, String id) throws SQLException {
        return first(Jdbc.query(c, "SELECT " + PROFILE_COLUMNS + " FROM profiles WHERE id = ?", List.of(id),
                ProfileTable::mapProfile));
    }

    static Optional<ProfileEntry> profile(Connection c, String subject, String key) throws SQLException {
        return first(Jdbc.query(c, "SELECT " + PROFILE_COLUMNS + " FROM profiles WHERE subject = ? AND key = ?",
                List.of(subject, key), ProfileTable::mapProfile));
    }

    /**
     * The stored profile of the same content under (subject, key), or empty when {@code e} is new.
     *
     * @throws ConflictException      when (subject, key) holds other content
     * @throws AlreadyExistsException when the id is taken
     */
    static Optional<ProfileEntry> existing(Connection c, ProfileEntry e) throws SQLException {
        Optional<ProfileEntry> stored = profile(c, e.subject(), e.key());
        if (stored.isPresent()) {
            if (stored.get().sameContent(e)) {
                return stored;
            }
            throw conflict("profile", e.subject(), e.key(), stored.get().digest(), e.digest());
        }
        if (profile(c, e.id()).isPresent()) {
            throw new AlreadyExistsException("profile id " + e.id() + " is taken by another profile");
        }
        return Optional.empty();
    }

    static void insert(Connection c, ProfileEntry e) throws SQLException {
        Jdbc.update(c, INSERT_PROFILE, Arrays.asList(e.id(), e.subject(), e.key(), Jdbc.millisOrNull(e.windowStart()),
                Jdbc.millisOrNull(e.windowEnd()), sortTime(e.windowStart()), e.rows(), e.digest(), e.body(),
                Jdbc.millis(e.createdTime()), e.createdBy()));
    }

    static Page<ProfileEntry> searchProfiles(Connection c, ProfileQuery q, int size, String token)
            throws SQLException {
        return search(c, "profiles", PROFILE_COLUMNS, PROFILES_TOKEN, q, size, token, ProfileTable::mapProfile,
                ProfileEntry::windowStart, ProfileEntry::id);
    }

    private static ProfileEntry mapProfile(ResultSet rs) throws SQLException {
        return new ProfileEntry(rs.getString("id"), rs.getString("subject"), rs.getString("key"),
                Jdbc.instant(rs, "window_start"), Jdbc.instant(rs, "window_end"), rs.getLong("row_count"),
                rs.getString("digest"), rs.getString("body"), Jdbc.instant(rs, "created_time"),
                rs.getString("created_by"));
    }

    // ---- drift reports --------------------------------------------------------------------------------------------

    static Optional<DriftReportEntry> report(Connection c, String id) throws SQLException {
        return first(Jdbc.query(c, "SELECT " + REPORT_COLUMNS + " FROM drift_reports WHERE id = ?", List.of(id),
                ProfileTable::mapReport));
    }

    static Optional<DriftReportEntry> report(Connection c, String subject, String key) throws SQLException {
        return first(Jdbc.query(c, "SELECT " + REPORT_COLUMNS + " FROM drift_reports WHERE subject = ? AND key = ?",
                List.of(subject, key), ProfileTable::mapReport));
    }

    /** As {@link #existing(Connection, ProfileEntry)}, for reports. */
    static Optional<DriftReportEntry> existing(Connection c, DriftReportEntry e) throws SQLException {
        Optional<DriftReportEntry> stored = report(c, e.subject(), e.key());
        if (stored.isPresent()) {
            if (stored.get().sameContent(e)) {
                return stored;
            }
            throw conflict("drift report", e.subject(), e.key(), stored.get().digest(), e.digest());
        }
        if (report(c, e.id()).isPresent()) {
            throw new AlreadyExistsException("drift report id " + e.id() + " is taken by another drift report");
        }
        return Optional.empty();
    }

    static void insert(Connection c, DriftReportEntry e) throws SQLException {
        Jdbc.update(c, INSERT_REPORT, Arrays.asList(e.id(), e.subject(), e.key(), e.kind().name(),
                Jdbc.millisOrNull(e.windowStart()), Jdbc.millisOrNull(e.windowEnd()), sortTime(e.windowStart()),
                e.referenceProfileId(), e.currentProfileId(), e.datasetDrift(), e.driftShare(), e.digest(), e.body(),
                Jdbc.millis(e.createdTime()), e.createdBy()));
    }

    static Page<DriftReportEntry> searchReports(Connection c, ProfileQuery q, int size, String token)
            throws SQLException {
        return search(c, "drift_reports", REPORT_COLUMNS, REPORTS_TOKEN, q, size, token, ProfileTable::mapReport,
                DriftReportEntry::windowStart, DriftReportEntry::id);
    }

    private static DriftReportEntry mapReport(ResultSet rs) throws SQLException {
        double share = rs.getDouble("drift_share");
        Double driftShare = rs.wasNull() ? null : share;
        String kind = rs.getString("kind");
        ReportKind k;
        try {
            k = ReportKind.valueOf(kind);
        } catch (IllegalArgumentException e) {
            throw new SQLException("drift report " + rs.getString("id") + " has an unknown kind '" + kind + "'", e);
        }
        return new DriftReportEntry(rs.getString("id"), rs.getString("subject"), rs.getString("key"), k,
                Jdbc.instant(rs, "window_start"), Jdbc.instant(rs, "window_end"),
                rs.getString("reference_profile_id"), rs.getString("current_profile_id"),
                rs.getBoolean("dataset_drift"), driftShare, rs.getString("digest"), rs.getString("body"),
                Jdbc.instant(rs, "created_time"), rs.getString("created_by"));
    }

    // ---- shared ---------------------------------------------------------------------------------------------------

    private static ConflictException conflict(String what, String subject, String key, String stored, String given) {
        return new ConflictException(what + " '" + key + "' of " + subject + " is stored with other content (stored "
                + stored + ", new " + given + ", or another window or link); stored entries are never replaced");
    }

    private static long sortTime(Instant windowStart) {
        return windowStart == null ? Long.MIN_VALUE : Jdbc.millis(windowStart);
    }

    private static <T> Optional<T> first(List<T> rows) {
        return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
    }

    /** A getter of an entry. */
    @FunctionalInterface
    private interface Getter<T, R> {
        R get(T entry);
    }

    private static <T> Page<T> search(Connection c, String table, String columns, String tokenKind, ProfileQuery q,
            int size, String token, Jdbc.RowMapper<T> mapper, Getter<T, Instant> windowStart, Getter<T, String> id)
            throws SQLException {
        StringBuilder sql = new StringBuilder("SELECT ").append(columns).append(" FROM ").append(table)
                .append(" WHERE subject = ?");
        List<Object> args = new ArrayList<>();
        args.add(q.subject());
        if (q.keyPrefix() != null) {
            sql.append(" AND substr(key, 1, ?) = ?");
            args.add(q.keyPrefix().codePointCount(0, q.keyPrefix().length()));
            args.add(q.keyPrefix());
        }
        if (q.from() != null || q.to() != null) {
            sql.append(" AND window_start IS NOT NULL");
        }
        if (q.from() != null) {
            sql.append(" AND window_start >= ?");
            args.add(Jdbc.millisAtOrAfter(q.from()));
        }
        if (q.to() != null) {
            sql.append(" AND window_start < ?");
            args.add(Jdbc.millisAtOrAfter(q.to()));
        }
        if (token != null) {
            PageToken.Position p = PageToken.decode(tokenKind, token, 2);
            long time = p.number(0);
            sql.append(" AND (sort_time > ? OR (sort_time = ? AND id > ?))");
            args.add(time);
            args.add(time);
            args.add(p.text(1));
        }
        sql.append(" ORDER BY sort_time, id LIMIT ?");
        args.add(size + 1);
        List<T> rows = Jdbc.query(c, sql.toString(), args, mapper);
        String next = null;
        if (rows.size() > size) {
            rows = new ArrayList<>(rows.subList(0, size));
            T last = rows.get(size - 1);
            Instant start = windowStart.get(last);
            next = PageToken.encode(tokenKind, sortTime(start), id.get(last));
        }
        return new Page<>(rows, next);
    }
}
