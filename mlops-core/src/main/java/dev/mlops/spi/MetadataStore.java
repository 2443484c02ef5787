package dev.mlops.spi;

import dev.mlops.Created;
import dev.mlops.Page;
import dev.mlops.PageRequest;
import dev.mlops.artifact.ArtifactRef;
import dev.mlops.audit.AuditCheckpoint;
import dev.mlops.audit.AuditEvent;
import dev.mlops.StorageException;
import dev.mlops.data.DatasetVersion;
import dev.mlops.drift.ProfileQuery;
import dev.mlops.lineage.Direction;
import dev.mlops.lineage.LineageEdge;
import dev.mlops.lineage.NodeRef;
import dev.mlops.registry.AliasChange;
import dev.mlops.registry.Approval;
import dev.mlops.registry.ModelQuery;
import dev.mlops.registry.ModelUpdate;
import dev.mlops.registry.ModelVersion;
import dev.mlops.registry.NewModel;
import dev.mlops.registry.NewModelVersion;
import dev.mlops.registry.RegisteredModel;
import dev.mlops.registry.VersionQuery;
import dev.mlops.registry.VersionStatus;
import dev.mlops.tracking.MetricPoint;
import dev.mlops.tracking.NewRun;
import dev.mlops.tracking.Run;
import dev.mlops.tracking.RunLink;
import dev.mlops.tracking.RunQuery;
import dev.mlops.tracking.RunStatus;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a metadata storage adapter implements. The API layer ({@code Mlops}) validates every argument before calling
 * a store, so a store may assume well-formed input; it decides only what depends on stored state (existence,
 * conflicts, write-once values).
 *
 * <p>The contract, pinned down by the compatibility kit ({@code mlops-tck}):
 * <ul>
 *   <li>Plain data in and out, no callbacks, no iterators that stay open across calls: every method can be served
 *       over HTTP unchanged.</li>
 *   <li>Every mutation takes a {@link PendingAuditEvent} ({@link #savePolicyState} and one {@code setAlias} a list
 *       of them) and stores the change and the sealed events ({@link dev.mlops.audit.AuditChain#seal}) atomically:
 *       all or nothing. Appends are serialised (one chain, seq without gaps).</li>
 *   <li>Creates are idempotent. A run's id is its idempotency key: repeating {@link #createRun} with the same
 *       content returns the stored run with {@code created = false} and appends no audit event; with different
 *       content it fails with {@code ALREADY_EXISTS}. A dataset version's identity is its (name, digest): see
 *       {@link #registerDataset}. A stored profile's or drift report's is its (subject, key): see
 *       {@link #saveProfile}.</li>
 *   <li>Listings are keyset-paginated with opaque tokens: an item present for the whole listing is returned exactly
 *       once, whatever is inserted meanwhile.</li>
 *   <li>Failures are {@code MlopsException}s: {@code NOT_FOUND}, {@code ALREADY_EXISTS}, {@code CONFLICT} for
 *       state, {@code STORAGE} for the backend (with the change not applied). Messages name the key, id or field
 *       concerned, never a value that may be a secret (a param's value, for one).</li>
 *   <li>After {@link #close()}, every method except {@link #close()} and {@link #describe()} fails with
 *       {@code STORAGE}, whatever its arguments.</li>
 *   <li>Implementations are thread-safe.</li>
 * </ul>
 */
public interface MetadataStore extends AutoCloseable {

    /** A description of the store for messages and the CLI, without secrets (for example {@code sqlite:/x/m.db}). */
    String describe();

    // ---- runs -------------------------------------------------------------------------------------------------

    /** Creates a run in status {@code RUNNING}; idempotent on {@code run.id()}. */
    Created<Run> createRun(NewRun run, PendingAuditEvent audit);

    Optional<Run> getRun(String runId);

    /** Runs matching {@code query} (see {@link RunQuery#matches}), newest start time first, then id descending. */
    Page<Run> searchRuns(RunQuery query, PageRequest page);

    /**
     * Moves a {@code RUNNING} run to an end state.
     *
     * @throws dev.mlops.InvalidArgumentException (field {@code status}) when {@code status} is {@code RUNNING}
     * @throws dev.mlops.NotFoundException when the run does not exist
     * @throws dev.mlops.ConflictException when the run is not {@code RUNNING}
     */
    Run finishRun(String runId, RunStatus status, Instant endTime, String error, PendingAuditEvent audit);

    /**
     * Records that the run's process is alive. Not a change of metadata, so not audited; a heartbeat for a run that
     * is no longer {@code RUNNING} is ignored. The last heartbeat (at first the start time) only moves forward: a
     * heartbeat {@code at} or before it changes nothing.
     *
     * @throws dev.mlops.NotFoundException when the run does not exist
     */
    void heartbeat(String runId, Instant at);

    /**
     * Adds params; write-once: a key that exists with the same value is accepted, with another value the whole
     * call fails with {@code CONFLICT} naming the key and the run (never the stored or the new value, since a param
     * may be a secret), and nothing is stored.
     */
    void logParams(String runId, Map<String, String> params, PendingAuditEvent audit);

    /** Sets tags (a tag can be overwritten). */
    void setTags(String runId, Map<String, String> tags, PendingAuditEvent audit);

    /*
     * Params, metrics and links can only be added to a RUNNING run; tags to any run. Otherwise CONFLICT.
     */

    /** Appends metric points, all or none, with one audit event for the batch. */
    void logMetrics(String runId, List<MetricPoint> points, PendingAuditEvent audit);

    /** The series of one metric, ordered by step, then timestamp, then insertion order. */
    Page<MetricPoint> metricHistory(String runId, String key, PageRequest page);

    /**
     * Adds inputs and outputs; a link that exists already is ignored. Each link is a lineage edge
     * ({@code node -> run} for an input, {@code run -> node} for an output).
     */
    void addLinks(String runId, List<RunLink> links, PendingAuditEvent audit);

    // ---- datasets ---------------------------------------------------------------------------------------------

    /**
     * Registers a dataset version. Its identity is (name, digest): the digest is the content, so registering a
     * (name, digest) that exists returns the stored version with {@code created = false} and appends no audit event,
     * whatever the new registration says about source URI, format, size, schema, row count, tags, created time or
     * author (the first registration is kept). Never {@code ALREADY_EXISTS}.
     */
    Created<DatasetVersion> registerDataset(DatasetVersion version, PendingAuditEvent audit);

    Optional<DatasetVersion> getDataset(String name, String version);

    /** Dataset versions, of one name or (when {@code name} is null) of all, in registration order. */
    Page<DatasetVersion> listDatasets(String name, PageRequest page);

    // ---- model registry ---------------------------------------------------------------------------------------

    /*
     * The registry's state rules live here, where they can be atomic; the API layer decides everything that depends
     * on who acts (access control, the four-eyes rule, guarded aliases). Every number the API layer read and wants
     * to change is passed back as an expectation, so a change based on a stale read fails with CONFLICT instead of
     * silently overwriting, and its audit event always tells the truth.
     */

    /**
     * Creates a model. Idempotent on the exact name: when a model of that name exists, returns it with
     * {@code created = false} and appends no audit event, whatever {@code model} says otherwise.
     *
     * @throws dev.mlops.AlreadyExistsException when a model exists whose name differs from {@code model.name()}
     *     only in case ({@link String#toLowerCase(java.util.Locale)} with {@code Locale.ROOT}); the message names it
     */
    Created<RegisteredModel> createModel(NewModel model, PendingAuditEvent audit);

    /** The model with exactly this name. */
    Optional<RegisteredModel> getModel(String name);

    /** Models matching {@code query} ({@link ModelQuery#matches}), ordered by name. */
    Page<RegisteredModel> searchModels(ModelQuery query, PageRequest page);

    /**
     * Changes a model's description, tags or governance record (see {@link ModelUpdate}; the governance record is
     * replaced whole) and sets its updated time.
     *
     * @throws dev.mlops.NotFoundException when the model does not exist
     */
    RegisteredModel updateModel(String name, ModelUpdate update, PendingAuditEvent audit);

    /**
     * Registers a version in status {@code PENDING}, approval {@code PENDING}, no aliases, with the number
     * {@code version.version()}. When {@code version.runId()} is not null, also adds the lineage edge
     * {@code run -> model:NAME/VERSION} (kind {@code OUTPUT}, listed among the run's outputs), whatever the run's
     * status.
     *
     * <p>Idempotency: when {@code version.idempotencyKey()} is not null and a version of the model was registered
     * with that key, returns it with {@code created = false} and appends no audit event.
     *
     * @throws dev.mlops.NotFoundException when the model or the run does not exist
     * @throws dev.mlops.ConflictException when {@code version.version()} is not the model's latest version + 1 (the
     *     message says which number is next); nothing is stored
     */
    Created<ModelVersion> createModelVersion(NewModelVersion version, PendingAuditEvent audit);

    Optional<ModelVersion> getModelVersion(String name, int version);

    /** Versions matching {@code query} ({@link VersionQuery#matches}), ordered by model name, then number. */
    Page<ModelVersion> searchModelVersions(VersionQuery query, PageRequest page);

    /**
     * Ends a {@code PENDING} version's registration: {@code READY} with its stored artifact (whose digest equals
     * the declared one), or {@code FAILED} with a message.
     *
     * @param artifact the stored artifact for {@code READY}; null for {@code FAILED}
     * @param message  why it failed, for {@code FAILED}; null for {@code READY}
     * @throws dev.mlops.InvalidArgumentException when {@code status} is {@code PENDING}, or the artifact is missing
     *     for {@code READY} or its digest is not the declared one
     * @throws dev.mlops.NotFoundException when the version does not exist
     * @throws dev.mlops.ConflictException when the version is not {@code PENDING}
     */
    ModelVersion finishModelVersion(String name, int version, VersionStatus status, ArtifactRef artifact,
            String message, Instant time, PendingAuditEvent audit);

    /**
     * Changes a version's description or tags ({@link ModelUpdate#governance()} is ignored) and sets its updated
     * time.
     *
     * @throws dev.mlops.NotFoundException when the version does not exist
     */
    ModelVersion updateModelVersion(String name, int version, ModelUpdate update, PendingAuditEvent audit);

    /**
     * Decides a version's approval, once.
     *
     * @throws dev.mlops.NotFoundException when the version does not exist
     * @throws dev.mlops.ConflictException when it is already decided (approving twice, or rejecting an approved
     *     version); the stored decision is unchanged
     */
    ModelVersion decideApproval(String name, int version, Approval decision, PendingAuditEvent audit);

    /**
     * Points {@code alias} at {@code version}, a compare-and-set on the alias's current target.
     *
     * @param expectedCurrent the version the alias points at now, or null when it must not exist yet
     * @throws dev.mlops.NotFoundException when the model or the version does not exist
     * @throws dev.mlops.ConflictException when the alias's current target is not {@code expectedCurrent} (the message
     *     names the actual one), or the version is not {@code READY}
     */
    AliasChange setAlias(String name, String alias, int version, Integer expectedCurrent, Instant time,
            PendingAuditEvent audit);

    /**
     * {@link #setAlias(String, String, int, Integer, Instant, PendingAuditEvent)} with several audit events: moves the
     * alias and appends the {@code audit} events in the given order, in one transaction, all or nothing. A decision
     * and the alias move it causes are stored together this way (the promotion gate passes its
     * {@code promotion.decided} verdict first, then the alias's own {@code model_alias.*} event), so a crash or a
     * lost compare-and-set never leaves a moved alias without its recorded reason, nor a recorded move that did not
     * happen. Added after schema version 4.
     *
     * <p>The default keeps stores written before this method working: with exactly one event it calls
     * {@link #setAlias(String, String, int, Integer, Instant, PendingAuditEvent)}, which is atomic; with more it
     * fails with {@code STORAGE} saying that the store cannot store them atomically, and changes nothing (appending
     * them one by one would break the all-or-nothing contract).
     *
     * @param audit at least one event, none null
     * @throws dev.mlops.InvalidArgumentException (field {@code audit}) when {@code audit} is empty or holds a null
     * @throws dev.mlops.NotFoundException when the model or the version does not exist
     * @throws dev.mlops.ConflictException as the single-event method; no event is appended
     */
    default AliasChange setAlias(String name, String alias, int version, Integer expectedCurrent, Instant time,
            List<PendingAuditEvent> audit) {
        checkAliasAudit(name, alias, audit);
        if (audit.size() == 1) {
            return setAlias(name, alias, version, expectedCurrent, time, audit.get(0));
        }
        throw new StorageException(describe() + " cannot set alias '" + alias + "' of model '" + name + "' together"
                + " with " + audit.size() + " audit events in one transaction (its MetadataStore implementation"
                + " predates setAlias with a list of events)", null);
    }

    /**
     * Records the verdict of a promotion gate on version {@code candidate} of model {@code name} taking
     * {@code alias}, unless one is recorded already: at most one verdict per (model, alias, candidate), whatever the
     * number of processes gating it. A recorded verdict is an audit event with action {@code promotion.decided},
     * subject {@code model:NAME/CANDIDATE} and data (not erased) a JSON object whose {@code alias} is {@code alias}
     * (also one appended by {@link #appendAuditEvent} or {@link #setAlias(String, String, int, Integer, Instant,
     * List)}); an event whose data was erased does not count.
     *
     * <p>In one transaction: when such an event exists, nothing is changed and the latest one is returned (also when
     * the alias's compare-and-set would fail); otherwise the {@code audit} events are appended in the given order
     * (the verdict's first) and, when {@code move} is true, {@code alias} is pointed at {@code candidate} as
     * {@link #setAlias(String, String, int, Integer, Instant, List)} does, a compare-and-set on
     * {@code expectedCurrent}; empty is returned. A decision recorded once this way never has a second record: a
     * process that loses the race gets the winner's verdict back. Added after schema version 4 (no schema change: the
     * check reads the audit chain).
     *
     * <p>The default keeps stores written before this method working, <b>without the guarantee</b>: it looks the
     * verdict up ({@link #auditEvents}) and then calls {@code setAlias} with the list (for a move) or
     * {@link #appendAuditEvent} (for a single event), in separate transactions, so two callers at the same time may
     * both record one; a move with a lost compare-and-set records nothing. Without a move it accepts one event only
     * ({@code STORAGE} otherwise, changing nothing).
     *
     * @param move            whether to point {@code alias} at {@code candidate} together with the events
     * @param expectedCurrent for a move, the version the alias points at now, or null when it must not exist yet;
     *                        ignored without a move
     * @param time            the time of the alias change (for a move)
     * @param audit           at least one event, none null; the first is the verdict: action {@code promotion.decided},
     *                        subject {@code model:NAME/CANDIDATE}, data naming {@code alias}
     * @return the verdict recorded before this call, when there is one (then nothing was changed); empty when this
     *     call recorded it
     * @throws dev.mlops.InvalidArgumentException (field {@code audit}) when {@code audit} is empty, holds a null, or
     *     its first event is not a verdict on {@code candidate} taking {@code alias}
     * @throws dev.mlops.NotFoundException for a move when the model or the version does not exist; nothing is stored
     * @throws dev.mlops.ConflictException for a move, as {@code setAlias}, when no verdict is recorded; nothing is
     *     stored
     */
    default Optional<AuditEvent> recordPromotionVerdict(String name, String alias, int candidate, boolean move,
            Integer expectedCurrent, Instant time, List<PendingAuditEvent> audit) {
        dev.mlops.internal.policy.VerdictJson.checkAudit(name, alias, candidate, audit);
        Optional<AuditEvent> recorded = Optional.empty();
        long after = 0;
        while (true) {
            List<AuditEvent> page = auditEvents(after, 1000);
            for (AuditEvent e : page) {
                after = e.seq();
                if (dev.mlops.internal.policy.VerdictJson.records(e.action(), e.subject(), e.data(), name, alias,
                        candidate)) {
                    recorded = Optional.of(e);
                }
            }
            if (page.isEmpty()) {
                break;
            }
        }
        if (recorded.isPresent()) {
            return recorded;
        }
        if (move) {
            setAlias(name, alias, candidate, expectedCurrent, time, audit);
        } else if (audit.size() == 1) {
            appendAuditEvent(audit.get(0));
        } else {
            throw new StorageException(describe() + " cannot record the verdict on version " + candidate + " of model '"
                    + name + "' with " + audit.size() + " audit events in one transaction (its MetadataStore"
                    + " implementation predates recordPromotionVerdict)", null);
        }
        return Optional.empty();
    }

    /** Checks the events of the default {@code setAlias} with a list: at least one, none null. */
    private static void checkAliasAudit(String name, String alias, List<PendingAuditEvent> audit) {
        if (audit == null || audit.isEmpty()) {
            throw new dev.mlops.InvalidArgumentException("audit", "setting alias '" + alias + "' of model '" + name
                    + "' needs at least one audit event");
        }
        for (int i = 0; i < audit.size(); i++) {
            if (audit.get(i) == null) {
                throw new dev.mlops.InvalidArgumentException("audit", "audit[" + i + "] of setting alias '" + alias
                        + "' of model '" + name + "' is null");
            }
        }
    }

    /**
     * Deletes {@code alias}, a compare-and-set on its current target.
     *
     * @throws dev.mlops.NotFoundException when the model or the alias does not exist
     * @throws dev.mlops.ConflictException when the alias does not point at {@code expectedCurrent}
     */
    AliasChange deleteAlias(String name, String alias, int expectedCurrent, Instant time, PendingAuditEvent audit);

    /**
     * Deletes a version that no alias points at. Its number is never reused; lineage edges to it stay (they are
     * history).
     *
     * @throws dev.mlops.NotFoundException when the version does not exist
     * @throws dev.mlops.ConflictException when an alias points at it (the message names the aliases)
     */
    void deleteModelVersion(String name, int version, PendingAuditEvent audit);

    // ---- profiles and drift reports ---------------------------------------------------------------------------

    /*
     * Stored dataset profiles and drift reports (Mlops.profiles()). Added in schema version 3; a store written before
     * them inherits these defaults, which fail with STORAGE saying that the store does not keep profiles, so that
     * everything else keeps working. (subject, key) is unique per kind of entry; ids are unique per kind of entry.
     * Listings (ProfileQuery#matches) are ordered by window start, entries without one first, then by id.
     */

    /**
     * Saves a profile. Idempotent on (subject, key): when an entry with the same content
     * ({@link ProfileEntry#sameContent}) is stored under it, returns the stored entry (its own id, time and author)
     * with {@code created = false} and appends no audit event.
     *
     * @throws dev.mlops.ConflictException when (subject, key) holds an entry with other content; the message names
     *     the subject, the key and both digests; nothing is stored
     * @throws dev.mlops.AlreadyExistsException when the id is taken by an entry under another (subject, key)
     */
    default Created<ProfileEntry> saveProfile(ProfileEntry profile, PendingAuditEvent audit) {
        throw profilesUnsupported(this);
    }

    default Optional<ProfileEntry> getProfile(String id) {
        throw profilesUnsupported(this);
    }

    /** The profile stored under (subject, key). */
    default Optional<ProfileEntry> findProfile(String subject, String key) {
        throw profilesUnsupported(this);
    }

    /** Profiles matching {@code query}, by window start (none first), then id. */
    default Page<ProfileEntry> searchProfiles(ProfileQuery query, PageRequest page) {
        throw profilesUnsupported(this);
    }

    /**
     * Saves a drift report; idempotent on (subject, key) as {@link #saveProfile} is.
     *
     * @throws dev.mlops.NotFoundException when {@code referenceProfileId} or {@code currentProfileId} is given and no
     *     profile has it; nothing is stored
     * @throws dev.mlops.ConflictException when (subject, key) holds a report with other content
     * @throws dev.mlops.AlreadyExistsException when the id is taken by a report under another (subject, key)
     */
    default Created<DriftReportEntry> saveDriftReport(DriftReportEntry report, PendingAuditEvent audit) {
        throw profilesUnsupported(this);
    }

    default Optional<DriftReportEntry> getDriftReport(String id) {
        throw profilesUnsupported(this);
    }

    /** The drift report stored under (subject, key). */
    default Optional<DriftReportEntry> findDriftReport(String subject, String key) {
        throw profilesUnsupported(this);
    }

    /** Drift reports matching {@code query}, by window start (none first), then id. */
    default Page<DriftReportEntry> searchDriftReports(ProfileQuery query, PageRequest page) {
        throw profilesUnsupported(this);
    }

    /** The failure of the profile methods of a store that does not implement them. */
    private static StorageException profilesUnsupported(MetadataStore store) {
        return new StorageException(store.describe() + " does not store profiles or drift reports (its MetadataStore"
                + " implementation predates them)", null);
    }

    // ---- retraining policies ---------------------------------------------------------------------------------

    /*
     * The state and decisions of retraining policies (Mlops.policies()), per (policy, model), and the retraining
     * requests of retrain decisions, per idempotency key. Added in schema version 4; a store written before them inherits these defaults, which fail with STORAGE saying that the store
     * does not keep policy state, so that everything else keeps working.
     */

    /** The stored state of {@code policy} for {@code model}, empty before its first save. */
    default Optional<PolicyStateEntry> getPolicyState(String policy, String model) {
        throw policiesUnsupported(this);
    }

    /**
     * Stores {@code state} (version {@code expectedVersion + 1}) if the stored version of (policy, model) is
     * {@code expectedVersion} (0: nothing stored), appends {@code decisions} (all of the same policy and model) to
     * its log in the given order, assigning their seq, and appends the {@code audit} events in the given order: all
     * or nothing.
     *
     * @throws dev.mlops.ConflictException when the stored version is not {@code expectedVersion} (another writer
     *     saved first); the message names the policy, the model and both versions; nothing is stored
     * @throws dev.mlops.InvalidArgumentException when {@code state.version()} is not {@code expectedVersion + 1}, a
     *     decision belongs to another policy or model, or {@code audit} is empty
     */
    default void savePolicyState(PolicyStateEntry state, long expectedVersion, List<PolicyDecisionEntry> decisions,
            List<PendingAuditEvent> audit) {
        throw policiesUnsupported(this);
    }

    /** The current decision of the window: its latest decision whose status is not {@code failed}. */
    default Optional<PolicyDecisionEntry> findPolicyDecision(String policy, String model, String windowId) {
        throw policiesUnsupported(this);
    }

    /** The decisions of (policy, model), failed ones included, by seq (the order they were saved). */
    default Page<PolicyDecisionEntry> listPolicyDecisions(String policy, String model, PageRequest page) {
        throw policiesUnsupported(this);
    }

    /** The stored states, by policy, then model (each pair once). */
    default Page<PolicyStateEntry> listPolicyStates(PageRequest page) {
        throw policiesUnsupported(this);
    }

    /**
     * Stores a retraining request unless its key has one. Idempotent on the key: when a request is stored under it,
     * returns the stored request with {@code created = false} and appends no audit event, whatever the content.
     */
    default Created<RetrainingRequestEntry> createRetrainingRequest(RetrainingRequestEntry request,
            PendingAuditEvent audit) {
        throw policiesUnsupported(this);
    }

    /**
     * Replaces the request stored under {@code next.key()} by {@code next} if the stored one has status
     * {@code expectedStatus} and attempt {@code expectedAttempt}, and appends {@code audit}: both or neither.
     *
     * @throws dev.mlops.NotFoundException when no request has the key
     * @throws dev.mlops.ConflictException when the stored request has another status or attempt (another caller
     *     moved it on first); the message names the key and both; nothing is stored
     * @throws dev.mlops.InvalidArgumentException when {@code next} changes the policy, model, window or requested
     *     time of the stored request
     */
    default RetrainingRequestEntry updateRetrainingRequest(RetrainingRequestEntry next, String expectedStatus,
            int expectedAttempt, PendingAuditEvent audit) {
        throw policiesUnsupported(this);
    }

    /** The request stored under {@code key}. */
    default Optional<RetrainingRequestEntry> getRetrainingRequest(String key) {
        throw policiesUnsupported(this);
    }

    /**
     * Requests in the order they were created, filtered: {@code policy} and {@code model} when not null, and
     * {@code statuses} when not empty.
     */
    default Page<RetrainingRequestEntry> listRetrainingRequests(String policy, String model,
            java.util.Set<String> statuses, PageRequest page) {
        throw policiesUnsupported(this);
    }

    /** The failure of the policy methods of a store that does not implement them. */
    private static StorageException policiesUnsupported(MetadataStore store) {
        return new StorageException(store.describe() + " does not store retraining policy state (its MetadataStore"
                + " implementation predates it)", null);
    }

    // ---- audit-only events ------------------------------------------------------------------------------------

    /** Appends an event that records no change of state (for example a denied attempt). */
    void appendAuditEvent(PendingAuditEvent audit);

    // ---- lineage ----------------------------------------------------------------------------------------------

    /**
     * The edges that touch {@code nodes}: for {@code UPSTREAM} the edges that end at one of them, for
     * {@code DOWNSTREAM} the edges that start at one, for {@code BOTH} either. Ordered by (from, to). One call per
     * level of a traversal, so a traversal of depth d costs d calls.
     */
    List<LineageEdge> lineageEdges(Collection<NodeRef> nodes, Direction direction);

    // ---- audit ------------------------------------------------------------------------------------------------

    /** Up to {@code limit} events with seq greater than {@code afterSeq}, in seq order. */
    List<AuditEvent> auditEvents(long afterSeq, int limit);

    /** The last event. */
    Optional<AuditEvent> auditHead();

    /**
     * Erases the data of event {@code seq} (sets it to null, keeps its digest) and appends {@code audit}, atomically.
     *
     * @throws dev.mlops.NotFoundException when no event has this seq
     */
    AuditEvent eraseAuditData(long seq, PendingAuditEvent audit);

    /** Stores a checkpoint and appends {@code audit}, atomically. */
    void addCheckpoint(AuditCheckpoint checkpoint, PendingAuditEvent audit);

    /** The stored checkpoints, in the order they were added. */
    List<AuditCheckpoint> checkpoints();

    /** Releases connections and files. Idempotent. */
    @Override
    void close();
}
