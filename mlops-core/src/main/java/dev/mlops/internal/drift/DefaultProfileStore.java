package dev.mlops.internal.drift;

import dev.mlops.Created;
import dev.mlops.IntegrityException;
import dev.mlops.InvalidArgumentException;
import dev.mlops.MlopsException;
import dev.mlops.NotFoundException;
import dev.mlops.Page;
import dev.mlops.PageRequest;
import dev.mlops.StorageException;
import dev.mlops.audit.AuditChain;
import dev.mlops.drift.DatasetProfile;
import dev.mlops.drift.DriftReport;
import dev.mlops.drift.DriftReportJson;
import dev.mlops.drift.ProfileQuery;
import dev.mlops.drift.ProfileStore;
import dev.mlops.drift.ReportKind;
import dev.mlops.drift.StoredDriftReport;
import dev.mlops.drift.StoredProfile;
import dev.mlops.drift.WindowColumn;
import dev.mlops.drift.WindowReport;
import dev.mlops.internal.Context;
import dev.mlops.internal.Validate;
import dev.mlops.internal.tracking.RunIds;
import dev.mlops.spi.DriftReportEntry;
import dev.mlops.spi.ProfileEntry;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * {@link ProfileStore} over the metadata store of a {@link Context}: validates every argument, builds the entries
 * (time-ordered UUID ids, JSON bodies and their SHA-256), stores them with their audit events, and checks the digest
 * and the JSON of every entry it reads. Thread-safe (stateless apart from the context).
 */
public final class DefaultProfileStore implements ProfileStore {
    /** {@code KIND:NAME}: a lower-case kind of at most 64 characters, a colon, then a name. */
    private static final Pattern SUBJECT = Pattern.compile("[a-z][a-z0-9_.-]{0,63}:\\S.*", Pattern.DOTALL);
    /** The longest id accepted as an argument. */
    private static final int MAX_ID = 128;

    private final Context context;

    public DefaultProfileStore(Context context) {
        this.context = Objects.requireNonNull(context, "context");
    }

    // ---- profiles -------------------------------------------------------------------------------------------------

    @Override
    public Created<StoredProfile> save(String subject, String key, DatasetProfile profile) {
        return save(subject, key, profile, null, null);
    }

    @Override
    public Created<StoredProfile> save(String subject, String key, DatasetProfile profile, Instant windowStart,
            Instant windowEnd) {
        subject(subject);
        key(key);
        Validate.required("profile", profile);
        window(windowStart, windowEnd);
        String body = new String(profile.toJson(), StandardCharsets.UTF_8);
        ProfileEntry entry = new ProfileEntry(RunIds.next(context.clock()), subject, key, windowStart, windowEnd,
                profile.rows(), digest(body), body, context.now(), context.actor());
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("id", entry.id());
        data.put("key", key);
        data.put("digest", entry.digest());
        Created<ProfileEntry> saved = context.store().saveProfile(entry,
                context.audit("profile.saved", subject, data));
        if (!saved.created()) {
            // The stored entry has this content; reuse the profile instead of parsing the stored JSON again.
            ProfileEntry e = saved.value();
            checkDigest("profile", e.id(), e.subject(), e.key(), e.body(), e.digest());
            return new Created<>(stored(e, profile), false);
        }
        return new Created<>(stored(saved.value(), profile), true);
    }

    @Override
    public Optional<StoredProfile> get(String id) {
        id("id", id);
        return context.store().getProfile(id).map(DefaultProfileStore::read);
    }

    @Override
    public Optional<StoredProfile> find(String subject, String key) {
        subject(subject);
        key(key);
        return context.store().findProfile(subject, key).map(DefaultProfileStore::read);
    }

    @Override
    public Page<StoredProfile> search(ProfileQuery query, PageRequest page) {
        query(query);
        Page<ProfileEntry> p = context.store().searchProfiles(query, page == null ? PageRequest.first() : page);
        return new Page<>(p.items().stream().map(DefaultProfileStore::read).toList(), p.nextPageToken());
    }

    @Override
    public StoredProfile getOrCompute(String subject, String key, Supplier<DatasetProfile> compute) {
        subject(subject);
        key(key);
        Validate.required("compute", compute);
        Optional<StoredProfile> stored = find(subject, key);
        if (stored.isPresent()) {
            return stored.get();
        }
        DatasetProfile computed = compute.get();
        if (computed == null) {
            throw new InvalidArgumentException("compute", "compute returned no profile for '" + key + "' of "
                    + subject);
        }
        return save(subject, key, computed).value();
    }

    // ---- drift reports --------------------------------------------------------------------------------------------

    @Override
    public Created<StoredDriftReport> saveWindow(String subject, String key, WindowReport report,
            String referenceProfileId) {
        subject(subject);
        key(key);
        Validate.required("report", report);
        if (referenceProfileId != null) {
            id("referenceProfileId", referenceProfileId);
        }
        StoredProfile profile = save(subject, key, report.profile(), report.start(), report.end()).value();
        String body = WindowReportJson.write(report, profile.digest());
        int decided = 0;
        int drifted = 0;
        for (WindowColumn c : report.columns()) {
            if (!Double.isNaN(c.statistic())) {
                decided++;
                drifted += c.drift() ? 1 : 0;
            }
        }
        Double share = decided == 0 ? null : (double) drifted / decided;
        return saveReport(subject, key, ReportKind.WINDOW, body, report.drift(), share, referenceProfileId,
                profile.id(), report.start(), report.end());
    }

    @Override
    public Created<StoredDriftReport> saveReport(String subject, String key, DriftReport report,
            String referenceProfileId, String currentProfileId, Instant windowStart, Instant windowEnd) {
        subject(subject);
        key(key);
        Validate.required("report", report);
        if (referenceProfileId != null) {
            id("referenceProfileId", referenceProfileId);
        }
        if (currentProfileId != null) {
            id("currentProfileId", currentProfileId);
        }
        window(windowStart, windowEnd);
        Double share = report.driftShare().isPresent() ? report.driftShare().getAsDouble() : null;
        return saveReport(subject, key, ReportKind.ANALYSIS, DriftReportJson.toJson(report), report.datasetDrift(),
                share, referenceProfileId, currentProfileId, windowStart, windowEnd);
    }

    private Created<StoredDriftReport> saveReport(String subject, String key, ReportKind kind, String body,
            boolean drift, Double share, String referenceProfileId, String currentProfileId, Instant windowStart,
            Instant windowEnd) {
        DriftReportEntry entry = new DriftReportEntry(RunIds.next(context.clock()), subject, key, kind, windowStart,
                windowEnd, referenceProfileId, currentProfileId, drift, share, digest(body), body, context.now(),
                context.actor());
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("id", entry.id());
        data.put("key", key);
        data.put("digest", entry.digest());
        if (referenceProfileId != null) {
            data.put("reference_profile_id", referenceProfileId);
        }
        if (currentProfileId != null) {
            data.put("current_profile_id", currentProfileId);
        }
        Created<DriftReportEntry> saved = context.store().saveDriftReport(entry,
                context.audit("drift_report.saved", subject, data));
        return new Created<>(read(saved.value()), saved.created());
    }

    @Override
    public Optional<StoredDriftReport> getReport(String id) {
        id("id", id);
        return context.store().getDriftReport(id).map(DefaultProfileStore::read);
    }

    @Override
    public Optional<StoredDriftReport> findReport(String subject, String key) {
        subject(subject);
        key(key);
        return context.store().findDriftReport(subject, key).map(DefaultProfileStore::read);
    }

    @Override
    public Page<StoredDriftReport> searchReports(ProfileQuery query, PageRequest page) {
        query(query);
        Page<DriftReportEntry> p = context.store().searchDriftReports(query,
                page == null ? PageRequest.first() : page);
        return new Page<>(p.items().stream().map(DefaultProfileStore::read).toList(), p.nextPageToken());
    }

    @Override
    public WindowReport windowReport(StoredDriftReport report) {
        Validate.required("report", report);
        if (report.kind() != ReportKind.WINDOW || report.currentProfileId() == null) {
            throw new InvalidArgumentException("report", "drift report " + report.id() + " is not a window report"
                    + " with a window profile (kind " + report.kind() + ")");
        }
        StoredProfile profile = get(report.currentProfileId()).orElseThrow(() -> new NotFoundException("profile "
                + report.currentProfileId() + " of drift report " + report.id() + " not found"));
        String where = "stored drift report " + report.id() + " ('" + report.key() + "' of " + report.subject() + ")";
        try {
            return WindowReportJson.read(report.json(), profile.profile(), where);
        } catch (InvalidArgumentException e) {
            throw new StorageException(e.getMessage(), e);
        }
    }

    // ---- reading --------------------------------------------------------------------------------------------------

    private static StoredProfile read(ProfileEntry e) {
        checkDigest("profile", e.id(), e.subject(), e.key(), e.body(), e.digest());
        DatasetProfile profile;
        try {
            profile = DatasetProfile.fromJson(e.body());
        } catch (MlopsException failure) {
            throw new StorageException("stored profile " + e.id() + " ('" + e.key() + "' of " + e.subject()
                    + ") cannot be read: " + failure.getMessage(), failure);
        }
        if (profile.rows() != e.rows()) {
            throw new IntegrityException("stored profile " + e.id() + " ('" + e.key() + "' of " + e.subject()
                    + ") has " + profile.rows() + " rows but its entry says " + e.rows());
        }
        return stored(e, profile);
    }

    private static StoredProfile stored(ProfileEntry e, DatasetProfile profile) {
        return new StoredProfile(e.id(), e.subject(), e.key(), e.windowStart(), e.windowEnd(), e.rows(), e.digest(),
                e.createdTime(), e.createdBy(), profile);
    }

    private static StoredDriftReport read(DriftReportEntry e) {
        checkDigest("drift report", e.id(), e.subject(), e.key(), e.body(), e.digest());
        OptionalDouble share = e.driftShare() == null ? OptionalDouble.empty() : OptionalDouble.of(e.driftShare());
        return new StoredDriftReport(e.id(), e.subject(), e.key(), e.kind(), e.windowStart(), e.windowEnd(),
                e.referenceProfileId(), e.currentProfileId(), e.datasetDrift(), share, e.digest(), e.body(),
                e.createdTime(), e.createdBy());
    }

    private static void checkDigest(String what, String id, String subject, String key, String body, String digest) {
        String actual = digest(body);
        if (!actual.equals(digest)) {
            throw new IntegrityException("stored " + what + " " + id + " ('" + key + "' of " + subject
                    + ") failed its digest check: the entry says " + digest + " but its JSON hashes to " + actual);
        }
    }

    static String digest(String body) {
        return "sha256:" + AuditChain.sha256Hex(body);
    }

    // ---- validation -----------------------------------------------------------------------------------------------

    /**
     * Checks a subject: {@code KIND:NAME}, at most {@value ProfileStore#MAX_SUBJECT} characters; see
     * {@link ProfileStore}.
     *
     * @throws InvalidArgumentException (field {@code subject}) when it is malformed
     */
    public static String checkSubject(String subject) {
        return subject(subject);
    }

    /**
     * Checks an entry id given as an argument: 1 to 128 characters, no control characters, no white space at
     * either end.
     *
     * @throws InvalidArgumentException (naming {@code field}) when it is malformed
     */
    public static void checkId(String field, String id) {
        id(field, id);
    }

    /**
     * Checks a key: 1 to {@value ProfileStore#MAX_KEY} characters, not blank, no control characters, no white space
     * at either end.
     *
     * @throws InvalidArgumentException (field {@code key}) when it is malformed
     */
    public static String checkKey(String key) {
        return key(key);
    }

    /**
     * Checks a time window: either end may be null; the end is not before the start.
     *
     * @throws InvalidArgumentException (field {@code windowEnd}) when it is
     */
    public static void checkWindow(Instant start, Instant end) {
        window(start, end);
    }

    private static String subject(String subject) {
        Validate.text("subject", subject, MAX_SUBJECT);
        noWhiteSpaceAtEnds("subject", subject);
        if (!SUBJECT.matcher(subject).matches()) {
            throw new InvalidArgumentException("subject", "subject must be KIND:NAME with a lower-case kind (for"
                    + " example dataset:NAME@sha256:..., model:NAME/3 or monitor:NAME), was '"
                    + Validate.printable(subject) + "'");
        }
        lineBreaks("subject", subject);
        return subject;
    }

    /** A key: 1 to {@value ProfileStore#MAX_KEY} characters, not blank, no control characters or end spaces. */
    private static String key(String key) {
        Validate.text("key", key, MAX_KEY);
        lineBreaks("key", key);
        if (key.isBlank()) {
            throw new InvalidArgumentException("key", "key must not be blank");
        }
        noWhiteSpaceAtEnds("key", key);
        return key;
    }

    private static void id(String field, String id) {
        Validate.text(field, id, MAX_ID);
        lineBreaks(field, id);
        noWhiteSpaceAtEnds(field, id);
    }

    private static void query(ProfileQuery query) {
        Validate.required("query", query);
        subject(query.subject());
        if (query.keyPrefix() != null) {
            Validate.text("keyPrefix", query.keyPrefix(), MAX_KEY);
            lineBreaks("keyPrefix", query.keyPrefix());
        }
        if (query.from() != null && query.to() != null && query.to().isBefore(query.from())) {
            throw new InvalidArgumentException("to", "to (" + query.to() + ") is before from (" + query.from() + ")");
        }
    }

    private static void window(Instant start, Instant end) {
        if (start != null && end != null && end.isBefore(start)) {
            throw new InvalidArgumentException("windowEnd", "windowEnd (" + end + ") is before windowStart ("
                    + start + ")");
        }
    }

    private static void noWhiteSpaceAtEnds(String field, String value) {
        if (!value.equals(value.strip())) {
            throw new InvalidArgumentException(field, field + " must not start or end with white space, was '"
                    + Validate.printable(value) + "'");
        }
    }

    private static void lineBreaks(String field, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\t' || c == '\n' || c == '\r') {
                throw new InvalidArgumentException(field, field + " must not contain control characters (found U+"
                        + String.format("%04X", (int) c) + " at index " + i + ")");
            }
        }
    }
}
