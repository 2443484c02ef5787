package dev.mlops.spi;

import dev.mlops.Created;
import dev.mlops.Page;
import dev.mlops.PageRequest;
import dev.mlops.audit.AuditCheckpoint;
import dev.mlops.audit.AuditEvent;
import dev.mlops.data.DatasetVersion;
import dev.mlops.lineage.Direction;
import dev.mlops.lineage.LineageEdge;
import dev.mlops.lineage.NodeRef;
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
 *   <li>Every mutation takes a {@link PendingAuditEvent} and stores the change and the sealed event
 *       ({@link dev.mlops.audit.AuditChain#seal}) atomically: both or neither. Appends are serialised (one chain,
 *       seq without gaps).</li>
 *   <li>Creates are idempotent. A run's id is its idempotency key: repeating {@link #createRun} with the same
 *       content returns the stored run with {@code created = false} and appends no audit event; with different
 *       content it fails with {@code ALREADY_EXISTS}. A dataset version's identity is its (name, digest): see
 *       {@link #registerDataset}.</li>
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
