package dev.mlops.spi;

import dev.mlops.Created;
import dev.mlops.Page;
import dev.mlops.PageRequest;
import dev.mlops.artifact.ArtifactRef;
import dev.mlops.audit.AuditCheckpoint;
import dev.mlops.audit.AuditEvent;
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
 * A {@link MetadataStore} that forwards every call to another store, {@link #delegate()}: the base of a decorator
 * that adds behaviour (metrics, change notifications, tracing, a read-only guard) to any store without re-implementing
 * one. Override the methods to decorate and call {@code super} (or the delegate) for the work; everything else goes
 * to the delegate unchanged, arguments, results and exceptions alike.
 *
 * <pre>{@code
 * final class CountingStore extends ForwardingMetadataStore {
 *     private final MetadataStore delegate;
 *     final LongAdder aliasMoves = new LongAdder();
 *
 *     CountingStore(MetadataStore delegate) { this.delegate = delegate; }
 *
 *     @Override protected MetadataStore delegate() { return delegate; }
 *
 *     @Override public AliasChange setAlias(String name, String alias, int version, Integer expectedCurrent,
 *             Instant time, PendingAuditEvent audit) {
 *         AliasChange change = super.setAlias(name, alias, version, expectedCurrent, time, audit);
 *         aliasMoves.increment();   // only after the store accepted the change
 *         return change;
 *     }
 * }
 * }</pre>
 *
 * <p>A decorator is a store like any other: give it to {@code Mlops.builder().store(...)} and test it with the
 * compatibility kit ({@code mlops-tck}). It keeps the contract as long as what it adds neither changes what the
 * delegate answers nor lets a failure of its own undo or break a change the delegate made.
 *
 * <p>Thread safety and {@link #close()} semantics are the delegate's; {@link #close()} closes the delegate.
 */
public abstract class ForwardingMetadataStore implements MetadataStore {

    /** Constructor for subclasses. */
    protected ForwardingMetadataStore() {
    }

    /** The store every call goes to; must return the same non-null store on every call. */
    protected abstract MetadataStore delegate();

    @Override
    public String describe() {
        return delegate().describe();
    }

    // ---- runs -------------------------------------------------------------------------------------------------

    @Override
    public Created<Run> createRun(NewRun run, PendingAuditEvent audit) {
        return delegate().createRun(run, audit);
    }

    @Override
    public Optional<Run> getRun(String runId) {
        return delegate().getRun(runId);
    }

    @Override
    public Page<Run> searchRuns(RunQuery query, PageRequest page) {
        return delegate().searchRuns(query, page);
    }

    @Override
    public Run finishRun(String runId, RunStatus status, Instant endTime, String error, PendingAuditEvent audit) {
        return delegate().finishRun(runId, status, endTime, error, audit);
    }

    @Override
    public void heartbeat(String runId, Instant at) {
        delegate().heartbeat(runId, at);
    }

    @Override
    public void logParams(String runId, Map<String, String> params, PendingAuditEvent audit) {
        delegate().logParams(runId, params, audit);
    }

    @Override
    public void setTags(String runId, Map<String, String> tags, PendingAuditEvent audit) {
        delegate().setTags(runId, tags, audit);
    }

    @Override
    public void logMetrics(String runId, List<MetricPoint> points, PendingAuditEvent audit) {
        delegate().logMetrics(runId, points, audit);
    }

    @Override
    public Page<MetricPoint> metricHistory(String runId, String key, PageRequest page) {
        return delegate().metricHistory(runId, key, page);
    }

    @Override
    public void addLinks(String runId, List<RunLink> links, PendingAuditEvent audit) {
        delegate().addLinks(runId, links, audit);
    }

    // ---- datasets ---------------------------------------------------------------------------------------------

    @Override
    public Created<DatasetVersion> registerDataset(DatasetVersion version, PendingAuditEvent audit) {
        return delegate().registerDataset(version, audit);
    }

    @Override
    public Optional<DatasetVersion> getDataset(String name, String version) {
        return delegate().getDataset(name, version);
    }

    @Override
    public Page<DatasetVersion> listDatasets(String name, PageRequest page) {
        return delegate().listDatasets(name, page);
    }

    // ---- model registry ---------------------------------------------------------------------------------------

    @Override
    public Created<RegisteredModel> createModel(NewModel model, PendingAuditEvent audit) {
        return delegate().createModel(model, audit);
    }

    @Override
    public Optional<RegisteredModel> getModel(String name) {
        return delegate().getModel(name);
    }

    @Override
    public Page<RegisteredModel> searchModels(ModelQuery query, PageRequest page) {
        return delegate().searchModels(query, page);
    }

    @Override
    public RegisteredModel updateModel(String name, ModelUpdate update, PendingAuditEvent audit) {
        return delegate().updateModel(name, update, audit);
    }

    @Override
    public Created<ModelVersion> createModelVersion(NewModelVersion version, PendingAuditEvent audit) {
        return delegate().createModelVersion(version, audit);
    }

    @Override
    public Optional<ModelVersion> getModelVersion(String name, int version) {
        return delegate().getModelVersion(name, version);
    }

    @Override
    public Page<ModelVersion> searchModelVersions(VersionQuery query, PageRequest page) {
        return delegate().searchModelVersions(query, page);
    }

    @Override
    public ModelVersion finishModelVersion(String name, int version, VersionStatus status, ArtifactRef artifact,
            String message, Instant time, PendingAuditEvent audit) {
        return delegate().finishModelVersion(name, version, status, artifact, message, time, audit);
    }

    @Override
    public ModelVersion updateModelVersion(String name, int version, ModelUpdate update, PendingAuditEvent audit) {
        return delegate().updateModelVersion(name, version, update, audit);
    }

    @Override
    public ModelVersion decideApproval(String name, int version, Approval decision, PendingAuditEvent audit) {
        return delegate().decideApproval(name, version, decision, audit);
    }

    @Override
    public AliasChange setAlias(String name, String alias, int version, Integer expectedCurrent, Instant time,
            PendingAuditEvent audit) {
        return delegate().setAlias(name, alias, version, expectedCurrent, time, audit);
    }

    @Override
    public AliasChange setAlias(String name, String alias, int version, Integer expectedCurrent, Instant time,
            List<PendingAuditEvent> audit) {
        return delegate().setAlias(name, alias, version, expectedCurrent, time, audit);
    }

    @Override
    public Optional<AuditEvent> recordPromotionVerdict(String name, String alias, int candidate, boolean move,
            Integer expectedCurrent, Instant time, List<PendingAuditEvent> audit) {
        return delegate().recordPromotionVerdict(name, alias, candidate, move, expectedCurrent, time, audit);
    }

    @Override
    public AliasChange deleteAlias(String name, String alias, int expectedCurrent, Instant time,
            PendingAuditEvent audit) {
        return delegate().deleteAlias(name, alias, expectedCurrent, time, audit);
    }

    @Override
    public void deleteModelVersion(String name, int version, PendingAuditEvent audit) {
        delegate().deleteModelVersion(name, version, audit);
    }

    // ---- profiles and drift reports ---------------------------------------------------------------------------

    @Override
    public Created<ProfileEntry> saveProfile(ProfileEntry profile, PendingAuditEvent audit) {
        return delegate().saveProfile(profile, audit);
    }

    @Override
    public Optional<ProfileEntry> getProfile(String id) {
        return delegate().getProfile(id);
    }

    @Override
    public Optional<ProfileEntry> findProfile(String subject, String key) {
        return delegate().findProfile(subject, key);
    }

    @Override
    public Page<ProfileEntry> searchProfiles(ProfileQuery query, PageRequest page) {
        return delegate().searchProfiles(query, page);
    }

    @Override
    public Created<DriftReportEntry> saveDriftReport(DriftReportEntry report, PendingAuditEvent audit) {
        return delegate().saveDriftReport(report, audit);
    }

    @Override
    public Optional<DriftReportEntry> getDriftReport(String id) {
        return delegate().getDriftReport(id);
    }

    @Override
    public Optional<DriftReportEntry> findDriftReport(String subject, String key) {
        return delegate().findDriftReport(subject, key);
    }

    @Override
    public Page<DriftReportEntry> searchDriftReports(ProfileQuery query, PageRequest page) {
        return delegate().searchDriftReports(query, page);
    }

    // ---- audit-only events ------------------------------------------------------------------------------------

    @Override
    public Optional<PolicyStateEntry> getPolicyState(String policy, String model) {
        return delegate().getPolicyState(policy, model);
    }

    @Override
    public void savePolicyState(PolicyStateEntry state, long expectedVersion, List<PolicyDecisionEntry> decisions,
            List<PendingAuditEvent> audit) {
        delegate().savePolicyState(state, expectedVersion, decisions, audit);
    }

    @Override
    public Optional<PolicyDecisionEntry> findPolicyDecision(String policy, String model, String windowId) {
        return delegate().findPolicyDecision(policy, model, windowId);
    }

    @Override
    public Page<PolicyDecisionEntry> listPolicyDecisions(String policy, String model, PageRequest page) {
        return delegate().listPolicyDecisions(policy, model, page);
    }

    @Override
    public Page<PolicyStateEntry> listPolicyStates(PageRequest page) {
        return delegate().listPolicyStates(page);
    }

    @Override
    public Created<RetrainingRequestEntry> createRetrainingRequest(RetrainingRequestEntry request,
            PendingAuditEvent audit) {
        return delegate().createRetrainingRequest(request, audit);
    }

    @Override
    public RetrainingRequestEntry updateRetrainingRequest(RetrainingRequestEntry next, String expectedStatus,
            int expectedAttempt, PendingAuditEvent audit) {
        return delegate().updateRetrainingRequest(next, expectedStatus, expectedAttempt, audit);
    }

    @Override
    public Optional<RetrainingRequestEntry> getRetrainingRequest(String key) {
        return delegate().getRetrainingRequest(key);
    }

    @Override
    public Page<RetrainingRequestEntry> listRetrainingRequests(String policy, String model,
            java.util.Set<String> statuses, PageRequest page) {
        return delegate().listRetrainingRequests(policy, model, statuses, page);
    }

    @Override
    public void appendAuditEvent(PendingAuditEvent audit) {
        delegate().appendAuditEvent(audit);
    }

    // ---- lineage ----------------------------------------------------------------------------------------------

    @Override
    public List<LineageEdge> lineageEdges(Collection<NodeRef> nodes, Direction direction) {
        return delegate().lineageEdges(nodes, direction);
    }

    // ---- audit ------------------------------------------------------------------------------------------------

    @Override
    public List<AuditEvent> auditEvents(long afterSeq, int limit) {
        return delegate().auditEvents(afterSeq, limit);
    }

    @Override
    public Optional<AuditEvent> auditHead() {
        return delegate().auditHead();
    }

    @Override
    public AuditEvent eraseAuditData(long seq, PendingAuditEvent audit) {
        return delegate().eraseAuditData(seq, audit);
    }

    @Override
    public void addCheckpoint(AuditCheckpoint checkpoint, PendingAuditEvent audit) {
        delegate().addCheckpoint(checkpoint, audit);
    }

    @Override
    public List<AuditCheckpoint> checkpoints() {
        return delegate().checkpoints();
    }

    /** Closes the delegate. */
    @Override
    public void close() {
        delegate().close();
    }

    /** The delegate's {@code toString()}. */
    @Override
    public String toString() {
        return delegate().toString();
    }
}
