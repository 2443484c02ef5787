package dev.mlops.drift;

import dev.mlops.Created;
import dev.mlops.Page;
import dev.mlops.PageRequest;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Dataset profiles and drift reports kept in the metadata store, so that a reference profile is computed once and
 * reused, and a monitor's windows are kept for later (retraining policies, backtests). Obtain it from
 * {@code Mlops.profiles()}. See docs/drift.md, "Storing profiles and reports". Thread-safe.
 *
 * <p>Every profile and report is stored under a <em>subject</em>, what it is about, written {@code KIND:NAME} with a
 * lower-case kind (for example {@code dataset:train@sha256:...}, {@code model:churn/3}, {@code monitor:checkout}),
 * and a <em>key</em> that tells the entries of one subject apart ({@code reference}, a window id such as
 * {@code 2014-03}, a sequence number). (subject, key) is unique, per kind of entry: saving the same content under it
 * again returns the stored entry with {@code created = false} and changes nothing, other content is
 * {@code CONFLICT}. So a restarted service that recomputes a window it already stored finds the stored decision
 * instead of making a second one.
 *
 * <p>A profile is stored as its JSON ({@link DatasetProfile#toJson()}) with the text's SHA-256 and its row count;
 * reads check the digest ({@code INTEGRITY} on a mismatch) and parse the JSON (a corrupted profile, or one of
 * another format version, fails naming the stored entry). Every save that stores something appends one audit event
 * in the same transaction ({@code profile.saved}, {@code drift_report.saved}), whose data holds ids, the key and the
 * digest, never the profile.
 *
 * <p>Errors: {@code INVALID_ARGUMENT} naming the field for a malformed subject or key (a subject of at most
 * {@value #MAX_SUBJECT} characters, {@code KIND:NAME}; a key of at most {@value #MAX_KEY} characters, not blank; no
 * control characters, no white space at either end), a missing profile or report, a window whose end is before its
 * start; {@code NOT_FOUND} for a linked profile id that is not stored; {@code CONFLICT} as above; {@code STORAGE}
 * when the store fails or does not support profiles.
 */
public interface ProfileStore {
    /** The longest subject, in UTF-16 code units. */
    int MAX_SUBJECT = 512;
    /** The longest key, in UTF-16 code units. */
    int MAX_KEY = 256;

    /** Saves {@code profile} under (subject, key), with no window. */
    Created<StoredProfile> save(String subject, String key, DatasetProfile profile);

    /**
     * Saves {@code profile} under (subject, key) as the profile of the window [{@code windowStart},
     * {@code windowEnd}) (either may be null; times are kept to the millisecond).
     *
     * @throws dev.mlops.ConflictException when (subject, key) holds another profile or window (the message names
     *         both digests)
     */
    Created<StoredProfile> save(String subject, String key, DatasetProfile profile, Instant windowStart,
            Instant windowEnd);

    /** The stored profile with this id. */
    Optional<StoredProfile> get(String id);

    /** The profile stored under (subject, key). */
    Optional<StoredProfile> find(String subject, String key);

    /** The profiles that match {@code query}, in its order (see {@link ProfileQuery}); a null page is the first. */
    Page<StoredProfile> search(ProfileQuery query, PageRequest page);

    /**
     * The profile stored under (subject, key); when there is none, computes it with {@code compute} (in the calling
     * thread, outside every lock) and saves it. When another caller saved one meanwhile, that one is returned if it is
     * the same, and {@code CONFLICT} otherwise. Exceptions of {@code compute} reach the caller unchanged.
     *
     * @throws dev.mlops.InvalidArgumentException (field {@code compute}) when {@code compute} is null or returns null
     */
    StoredProfile getOrCompute(String subject, String key, Supplier<DatasetProfile> compute);

    /**
     * Saves a {@link DriftMonitor} window: its profile under (subject, key) with the window's start and end, then its
     * report under (subject, key), linked to that profile and to {@code referenceProfileId}. Idempotent as a whole:
     * repeating it after a failure stores what is missing; {@code created} is that of the report.
     *
     * @param referenceProfileId the stored reference profile the window was compared with, or null
     * @throws dev.mlops.NotFoundException when {@code referenceProfileId} is not stored
     */
    Created<StoredDriftReport> saveWindow(String subject, String key, WindowReport report, String referenceProfileId);

    /**
     * Saves a {@link DriftAnalyzer} report under (subject, key) as {@link ReportKind#ANALYSIS}, with the window it
     * covers and links to the stored profiles it compared (each may be null).
     *
     * @throws dev.mlops.NotFoundException when a given profile id is not stored
     */
    Created<StoredDriftReport> saveReport(String subject, String key, DriftReport report, String referenceProfileId,
            String currentProfileId, Instant windowStart, Instant windowEnd);

    /** The stored report with this id. */
    Optional<StoredDriftReport> getReport(String id);

    /** The report stored under (subject, key). */
    Optional<StoredDriftReport> findReport(String subject, String key);

    /**
     * The reports that match {@code query}, in window-start order (see {@link ProfileQuery}): the order a backtest
     * replays them in. A null page is the first.
     */
    Page<StoredDriftReport> searchReports(ProfileQuery query, PageRequest page);

    /**
     * A stored {@link ReportKind#WINDOW} report as the {@link WindowReport} it was saved from, with its window profile
     * read from the store.
     *
     * @throws dev.mlops.InvalidArgumentException (field {@code report}) when it is not a window report or has no
     *         current profile
     * @throws dev.mlops.NotFoundException when its window profile is no longer stored
     */
    WindowReport windowReport(StoredDriftReport report);
}
