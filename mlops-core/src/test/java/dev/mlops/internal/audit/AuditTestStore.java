package dev.mlops.internal.audit;

import dev.mlops.artifact.ArtifactRef;
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
import dev.mlops.Created;
import dev.mlops.NotFoundException;
import dev.mlops.Page;
import dev.mlops.PageRequest;
import dev.mlops.audit.AuditChain;
import dev.mlops.audit.AuditCheckpoint;
import dev.mlops.audit.AuditEvent;
import dev.mlops.data.DatasetVersion;
import dev.mlops.lineage.Direction;
import dev.mlops.lineage.LineageEdge;
import dev.mlops.lineage.NodeRef;
import dev.mlops.spi.MetadataStore;
import dev.mlops.spi.PendingAuditEvent;
import dev.mlops.tracking.MetricPoint;
import dev.mlops.tracking.NewRun;
import dev.mlops.tracking.Run;
import dev.mlops.tracking.RunLink;
import dev.mlops.tracking.RunQuery;
import dev.mlops.tracking.RunStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Test-only store: keeps the audit chain and checkpoints in lists, like rows keyed by seq, and lets tests tamper
 * with them as someone with write access to a database could. Only the audit part of the SPI is implemented; the
 * rest is outside what these tests exercise. Thread-safe (synchronised).
 */
final class AuditTestStore implements MetadataStore {
    private final List<AuditEvent> events = new ArrayList<>();
    private final List<AuditCheckpoint> checkpoints = new ArrayList<>();
    private final List<Integer> requestedLimits = new ArrayList<>();

    /** Appends an event as a store does inside a change's transaction. */
    synchronized AuditEvent append(PendingAuditEvent pending) {
        AuditEvent sealed = AuditChain.seal(events.isEmpty() ? null : events.get(events.size() - 1), pending);
        events.add(sealed);
        return sealed;
    }

    /** The stored rows, for tampering: replace, remove or add events directly. */
    synchronized List<AuditEvent> rows() {
        return events;
    }

    /** The stored checkpoint rows, for tampering. */
    synchronized List<AuditCheckpoint> checkpointRows() {
        return checkpoints;
    }

    /** The {@code limit} of every {@link #auditEvents} call so far. */
    synchronized List<Integer> requestedLimits() {
        return List.copyOf(requestedLimits);
    }

    @Override
    public synchronized List<AuditEvent> auditEvents(long afterSeq, int limit) {
        requestedLimits.add(limit);
        return events.stream().filter(e -> e.seq() > afterSeq).sorted(Comparator.comparingLong(AuditEvent::seq))
                .limit(limit).toList();
    }

    @Override
    public synchronized Optional<AuditEvent> auditHead() {
        return events.stream().max(Comparator.comparingLong(AuditEvent::seq));
    }

    @Override
    public synchronized AuditEvent eraseAuditData(long seq, PendingAuditEvent audit) {
        for (int i = 0; i < events.size(); i++) {
            if (events.get(i).seq() == seq) {
                events.set(i, events.get(i).withDataErased());
                return append(audit);
            }
        }
        throw new NotFoundException("no audit event with seq " + seq);
    }

    @Override
    public synchronized void addCheckpoint(AuditCheckpoint checkpoint, PendingAuditEvent audit) {
        checkpoints.add(checkpoint);
        append(audit);
    }

    @Override
    public synchronized List<AuditCheckpoint> checkpoints() {
        return List.copyOf(checkpoints);
    }

    @Override
    public String describe() {
        return "audit-test-store";
    }

    @Override
    public void close() {
    }

    // ---- not part of the audit trail: not used by these tests ------------------------------------------------

    @Override
    public Created<Run> createRun(NewRun run, PendingAuditEvent audit) {
        throw new UnsupportedOperationException("audit test store");
    }

    @Override
    public Optional<Run> getRun(String runId) {
        throw new UnsupportedOperationException("audit test store");
    }

    @Override
    public Page<Run> searchRuns(RunQuery query, PageRequest page) {
        throw new UnsupportedOperationException("audit test store");
    }

    @Override
    public Run finishRun(String runId, RunStatus status, Instant endTime, String error, PendingAuditEvent audit) {
        throw new UnsupportedOperationException("audit test store");
    }

    @Override
    public void heartbeat(String runId, Instant at) {
        throw new UnsupportedOperationException("audit test store");
    }

    @Override
    public void logParams(String runId, Map<String, String> params, PendingAuditEvent audit) {
        throw new UnsupportedOperationException("audit test store");
    }

    @Override
    public void setTags(String runId, Map<String, String> tags, PendingAuditEvent audit) {
        throw new UnsupportedOperationException("audit test store");
    }

    @Override
    public void logMetrics(String runId, List<MetricPoint> points, PendingAuditEvent audit) {
        throw new UnsupportedOperationException("audit test store");
    }

    @Override
    public Page<MetricPoint> metricHistory(String runId, String key, PageRequest page) {
        throw new UnsupportedOperationException("audit test store");
    }

    @Override
    public void addLinks(String runId, List<RunLink> links, PendingAuditEvent audit) {
        throw new UnsupportedOperationException("audit test store");
    }

    @Override
    public Created<DatasetVersion> registerDataset(DatasetVersion version, PendingAuditEvent audit) {
        throw new UnsupportedOperationException("audit test store");
    }

    @Override
    public Optional<DatasetVersion> getDataset(String name, String version) {
        throw new UnsupportedOperationException("audit test store");
    }

    @Override
    public Page<DatasetVersion> listDatasets(String name, PageRequest page) {
        throw new UnsupportedOperationException("audit test store");
    }

    @Override
    public List<LineageEdge> lineageEdges(Collection<NodeRef> nodes, Direction direction) {
        throw new UnsupportedOperationException("audit test store");
    }

    @Override
    public Created<RegisteredModel> createModel(NewModel model, PendingAuditEvent audit) {
        throw new UnsupportedOperationException("audit test store");
    }

    @Override
    public Optional<RegisteredModel> getModel(String name) {
        throw new UnsupportedOperationException("audit test store");
    }

    @Override
    public Page<RegisteredModel> searchModels(ModelQuery query, PageRequest page) {
        throw new UnsupportedOperationException("audit test store");
    }

    @Override
    public RegisteredModel updateModel(String name, ModelUpdate update, PendingAuditEvent audit) {
        throw new UnsupportedOperationException("audit test store");
    }

    @Override
    public Created<ModelVersion> createModelVersion(NewModelVersion version, PendingAuditEvent audit) {
        throw new UnsupportedOperationException("audit test store");
    }

    @Override
    public Optional<ModelVersion> getModelVersion(String name, int version) {
        throw new UnsupportedOperationException("audit test store");
    }

    @Override
    public Page<ModelVersion> searchModelVersions(VersionQuery query, PageRequest page) {
        throw new UnsupportedOperationException("audit test store");
    }

    @Override
    public ModelVersion finishModelVersion(String name, int version, VersionStatus status, ArtifactRef artifact,
            String message, Instant time, PendingAuditEvent audit) {
        throw new UnsupportedOperationException("audit test store");
    }

    @Override
    public ModelVersion updateModelVersion(String name, int version, ModelUpdate update, PendingAuditEvent audit) {
        throw new UnsupportedOperationException("audit test store");
    }

    @Override
    public ModelVersion decideApproval(String name, int version, Approval decision, PendingAuditEvent audit) {
        throw new UnsupportedOperationException("audit test store");
    }

    @Override
    public AliasChange setAlias(String name, String alias, int version, Integer expectedCurrent, Instant time,
            PendingAuditEvent audit) {
        throw new UnsupportedOperationException("audit test store");
    }

    @Override
    public AliasChange deleteAlias(String name, String alias, int expectedCurrent, Instant time,
            PendingAuditEvent audit) {
        throw new UnsupportedOperationException("audit test store");
    }

    @Override
    public void deleteModelVersion(String name, int version, PendingAuditEvent audit) {
        throw new UnsupportedOperationException("audit test store");
    }

    @Override
    public void appendAuditEvent(PendingAuditEvent audit) {
        append(audit);
    }
}
