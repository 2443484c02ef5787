package dev.mlops.examples;

import dev.mlops.Created;
import dev.mlops.artifact.ArtifactRef;
import dev.mlops.audit.AuditCheckpoint;
import dev.mlops.audit.AuditEvent;
import dev.mlops.data.DatasetVersion;
import dev.mlops.registry.AliasChange;
import dev.mlops.registry.Approval;
import dev.mlops.registry.ModelUpdate;
import dev.mlops.registry.ModelVersion;
import dev.mlops.registry.NewModel;
import dev.mlops.registry.NewModelVersion;
import dev.mlops.registry.RegisteredModel;
import dev.mlops.registry.VersionStatus;
import dev.mlops.spi.DriftReportEntry;
import dev.mlops.spi.PolicyDecisionEntry;
import dev.mlops.spi.PolicyStateEntry;
import dev.mlops.spi.RetrainingRequestEntry;
import dev.mlops.spi.ForwardingMetadataStore;
import dev.mlops.spi.MetadataStore;
import dev.mlops.spi.PendingAuditEvent;
import dev.mlops.spi.ProfileEntry;
import dev.mlops.tracking.MetricPoint;
import dev.mlops.tracking.NewRun;
import dev.mlops.tracking.Run;
import dev.mlops.tracking.RunLink;
import dev.mlops.tracking.RunStatus;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A storage adapter that decorates any {@link MetadataStore} with a change feed: after every change the store
 * accepted, each listener hears what changed ("alias {@code production} of model {@code churn} moved", "run
 * created"). What a webhook, a chat notification, or a cache invalidation across processes (publish to a message bus,
 * let every service's {@code ModelResolver} drop its answer) hangs on.
 *
 * <p>It is a {@link ForwardingMetadataStore}: each mutation calls the wrapped store and, when that returns, publishes
 * one {@link Change} made from the mutation's audit event (its action, subject, actor and time; never its data,
 * which may hold parameter values or personal data). Nothing is published for a failed mutation, for an idempotent
 * create that found the item already there ({@code created = false}: the store appended no audit event either), or
 * for a heartbeat (not a change of metadata). Reads go straight through. It passes the compatibility kit like the
 * store it wraps.
 *
 * <p>Listeners run on the writing thread, after the change is committed, in the order they were added. A listener
 * that throws (short of a {@link VirtualMachineError}) never breaks the write or the other listeners: the failure is
 * counted ({@link #listenerFailures()}) and logged with the change's action and subject. Keep listeners fast (hand
 * the change to a queue); concurrent writes may be delivered in an order other than the audit chain's, which remains
 * the ordered record ({@link MetadataStore#auditEvents}). Thread-safe if the wrapped store is; listeners may be added and removed at any
 * time.
 */
public final class ChangeFeedStore extends ForwardingMetadataStore {
    private static final Logger LOG = LoggerFactory.getLogger(ChangeFeedStore.class);

    /**
     * One accepted change.
     *
     * @param action  what was done, the audit action (for example {@code run.create}, {@code model_alias.move},
     *                {@code model_version.ready}, {@code access.denied})
     * @param subject what it was done to, the audit subject (for example {@code run:ID},
     *                {@code model:churn@production}, {@code model:churn/3})
     * @param actor   who did it
     * @param time    when (milliseconds)
     */
    public record Change(String action, String subject, String actor, Instant time) {
        public Change {
            Objects.requireNonNull(action, "action");
            Objects.requireNonNull(subject, "subject");
            Objects.requireNonNull(actor, "actor");
            Objects.requireNonNull(time, "time");
        }
    }

    /** Hears about accepted changes; see the class comment for the threading and failure rules. */
    @FunctionalInterface
    public interface Listener {
        void onChange(Change change);
    }

    private final MetadataStore delegate;
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final AtomicLong listenerFailures = new AtomicLong();

    /** Decorates {@code delegate}, which this store then owns: {@link #close()} closes it. */
    public ChangeFeedStore(MetadataStore delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    @Override
    protected MetadataStore delegate() {
        return delegate;
    }

    /** Adds a listener; it hears every change accepted from now on. */
    public ChangeFeedStore addListener(Listener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
        return this;
    }

    /** Removes a listener (the first registration of it); returns whether it was there. */
    public boolean removeListener(Listener listener) {
        return listeners.remove(listener);
    }

    /** How many times a listener threw, since this store was created. */
    public long listenerFailures() {
        return listenerFailures.get();
    }

    private void publish(PendingAuditEvent audit) {
        Change change = new Change(audit.action(), audit.subject(), audit.actor(), audit.time());
        for (Listener listener : listeners) {
            try {
                listener.onChange(change);
            } catch (VirtualMachineError e) {
                throw e;                            // out of memory and the like: nothing sensible to do here
            } catch (RuntimeException | Error e) {
                listenerFailures.incrementAndGet();
                LOG.warn("change listener {} failed on {} {}: {}", listener.getClass().getName(), change.action(),
                        change.subject(), e.getClass().getName());
            }
        }
    }

    private <T> Created<T> publishIfCreated(Created<T> created, PendingAuditEvent audit) {
        if (created.created()) {
            publish(audit);
        }
        return created;
    }

    // ---- runs and datasets ------------------------------------------------------------------------------------

    @Override
    public Created<Run> createRun(NewRun run, PendingAuditEvent audit) {
        return publishIfCreated(super.createRun(run, audit), audit);
    }

    @Override
    public Run finishRun(String runId, RunStatus status, Instant endTime, String error, PendingAuditEvent audit) {
        Run run = super.finishRun(runId, status, endTime, error, audit);
        publish(audit);
        return run;
    }

    @Override
    public void logParams(String runId, Map<String, String> params, PendingAuditEvent audit) {
        super.logParams(runId, params, audit);
        publish(audit);
    }

    @Override
    public void setTags(String runId, Map<String, String> tags, PendingAuditEvent audit) {
        super.setTags(runId, tags, audit);
        publish(audit);
    }

    @Override
    public void logMetrics(String runId, List<MetricPoint> points, PendingAuditEvent audit) {
        super.logMetrics(runId, points, audit);
        publish(audit);
    }

    @Override
    public void addLinks(String runId, List<RunLink> links, PendingAuditEvent audit) {
        super.addLinks(runId, links, audit);
        publish(audit);
    }

    @Override
    public Created<DatasetVersion> registerDataset(DatasetVersion version, PendingAuditEvent audit) {
        return publishIfCreated(super.registerDataset(version, audit), audit);
    }

    // ---- profiles and drift reports ---------------------------------------------------------------------------

    @Override
    public Created<ProfileEntry> saveProfile(ProfileEntry profile, PendingAuditEvent audit) {
        return publishIfCreated(super.saveProfile(profile, audit), audit);
    }

    @Override
    public Created<DriftReportEntry> saveDriftReport(DriftReportEntry report, PendingAuditEvent audit) {
        return publishIfCreated(super.saveDriftReport(report, audit), audit);
    }

    // ---- retraining policies ----------------------------------------------------------------------------------

    @Override
    public void savePolicyState(PolicyStateEntry state, long expectedVersion, List<PolicyDecisionEntry> decisions,
            List<PendingAuditEvent> audit) {
        super.savePolicyState(state, expectedVersion, decisions, audit);
        audit.forEach(this::publish);                // one change per stored decision (policy.decided)
    }

    @Override
    public Created<RetrainingRequestEntry> createRetrainingRequest(RetrainingRequestEntry request,
            PendingAuditEvent audit) {
        return publishIfCreated(super.createRetrainingRequest(request, audit), audit);
    }

    @Override
    public RetrainingRequestEntry updateRetrainingRequest(RetrainingRequestEntry next, String expectedStatus,
            int expectedAttempt, PendingAuditEvent audit) {
        RetrainingRequestEntry updated = super.updateRetrainingRequest(next, expectedStatus, expectedAttempt, audit);
        publish(audit);
        return updated;
    }

    // ---- model registry ---------------------------------------------------------------------------------------

    @Override
    public Created<RegisteredModel> createModel(NewModel model, PendingAuditEvent audit) {
        return publishIfCreated(super.createModel(model, audit), audit);
    }

    @Override
    public RegisteredModel updateModel(String name, ModelUpdate update, PendingAuditEvent audit) {
        RegisteredModel model = super.updateModel(name, update, audit);
        publish(audit);
        return model;
    }

    @Override
    public Created<ModelVersion> createModelVersion(NewModelVersion version, PendingAuditEvent audit) {
        return publishIfCreated(super.createModelVersion(version, audit), audit);
    }

    @Override
    public ModelVersion finishModelVersion(String name, int version, VersionStatus status, ArtifactRef artifact,
            String message, Instant time, PendingAuditEvent audit) {
        ModelVersion finished = super.finishModelVersion(name, version, status, artifact, message, time, audit);
        publish(audit);
        return finished;
    }

    @Override
    public ModelVersion updateModelVersion(String name, int version, ModelUpdate update, PendingAuditEvent audit) {
        ModelVersion updated = super.updateModelVersion(name, version, update, audit);
        publish(audit);
        return updated;
    }

    @Override
    public ModelVersion decideApproval(String name, int version, Approval decision, PendingAuditEvent audit) {
        ModelVersion decided = super.decideApproval(name, version, decision, audit);
        publish(audit);
        return decided;
    }

    @Override
    public AliasChange setAlias(String name, String alias, int version, Integer expectedCurrent, Instant time,
            PendingAuditEvent audit) {
        AliasChange change = super.setAlias(name, alias, version, expectedCurrent, time, audit);
        publish(audit);
        return change;
    }

    @Override
    public AliasChange setAlias(String name, String alias, int version, Integer expectedCurrent, Instant time,
            List<PendingAuditEvent> audit) {
        AliasChange change = super.setAlias(name, alias, version, expectedCurrent, time, audit);
        audit.forEach(this::publish);                // for a promotion: promotion.decided, then model_alias.*
        return change;
    }

    @Override
    public Optional<AuditEvent> recordPromotionVerdict(String name, String alias, int candidate, boolean move,
            Integer expectedCurrent, Instant time, List<PendingAuditEvent> audit) {
        Optional<AuditEvent> before = super.recordPromotionVerdict(name, alias, candidate, move, expectedCurrent,
                time, audit);
        if (before.isEmpty()) {
            audit.forEach(this::publish);            // recorded now: the verdict, then model_alias.* for a move
        }
        return before;
    }

    @Override
    public AliasChange deleteAlias(String name, String alias, int expectedCurrent, Instant time,
            PendingAuditEvent audit) {
        AliasChange change = super.deleteAlias(name, alias, expectedCurrent, time, audit);
        publish(audit);
        return change;
    }

    @Override
    public void deleteModelVersion(String name, int version, PendingAuditEvent audit) {
        super.deleteModelVersion(name, version, audit);
        publish(audit);
    }

    // ---- audit ------------------------------------------------------------------------------------------------

    @Override
    public void appendAuditEvent(PendingAuditEvent audit) {
        super.appendAuditEvent(audit);
        publish(audit);
    }

    @Override
    public AuditEvent eraseAuditData(long seq, PendingAuditEvent audit) {
        AuditEvent erased = super.eraseAuditData(seq, audit);
        publish(audit);
        return erased;
    }

    @Override
    public void addCheckpoint(AuditCheckpoint checkpoint, PendingAuditEvent audit) {
        super.addCheckpoint(checkpoint, audit);
        publish(audit);
    }

    @Override
    public String toString() {
        return "ChangeFeedStore[" + delegate + ", " + listeners.size() + " listeners]";
    }
}
