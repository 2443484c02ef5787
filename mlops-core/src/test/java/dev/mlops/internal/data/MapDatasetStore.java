package dev.mlops.internal.data;

import dev.mlops.AlreadyExistsException;
import dev.mlops.Created;
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
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Test helper: the dataset part of a {@link MetadataStore} over a list, with the audit events it sealed. Serves at
 * most {@code maxPageSize} items a page (so callers must follow page tokens). The other methods are not needed by the
 * dataset tests and throw.
 */
final class MapDatasetStore implements MetadataStore {
    private final List<DatasetVersion> versions = new ArrayList<>();
    private final List<AuditEvent> events = new ArrayList<>();
    private final int maxPageSize;

    MapDatasetStore(int maxPageSize) {
        this.maxPageSize = maxPageSize;
    }

    synchronized List<AuditEvent> events() {
        return List.copyOf(events);
    }

    synchronized List<DatasetVersion> all() {
        return List.copyOf(versions);
    }

    @Override
    public synchronized Created<DatasetVersion> registerDataset(DatasetVersion version, PendingAuditEvent audit) {
        Optional<DatasetVersion> existing = getDataset(version.name(), version.version());
        if (existing.isPresent()) {
            DatasetVersion e = existing.get();
            if (!Objects.equals(e.schema(), version.schema()) || e.sizeBytes() != version.sizeBytes()) {
                throw new AlreadyExistsException("dataset " + version.name() + "@" + version.version()
                        + " exists with other content");
            }
            return new Created<>(e, false);
        }
        versions.add(version);
        events.add(AuditChain.seal(events.isEmpty() ? null : events.get(events.size() - 1), audit));
        return new Created<>(version, true);
    }

    @Override
    public synchronized Optional<DatasetVersion> getDataset(String name, String version) {
        return versions.stream().filter(v -> v.name().equals(name) && v.version().equals(version)).findFirst();
    }

    @Override
    public synchronized Page<DatasetVersion> listDatasets(String name, PageRequest page) {
        List<DatasetVersion> matching = versions.stream().filter(v -> name == null || v.name().equals(name)).toList();
        int from = page.pageToken() == null ? 0 : Integer.parseInt(page.pageToken());
        int to = Math.min(matching.size(), from + Math.min(page.pageSize(), maxPageSize));
        return new Page<>(matching.subList(from, to), to < matching.size() ? Integer.toString(to) : null);
    }

    @Override
    public String describe() {
        return "map:";
    }

    @Override
    public void close() {
    }

    // ---- not used by the dataset tests ------------------------------------------------------------------------

    @Override
    public Created<Run> createRun(NewRun run, PendingAuditEvent audit) {
        throw new UnsupportedOperationException("test helper: datasets only");
    }

    @Override
    public Optional<Run> getRun(String runId) {
        throw new UnsupportedOperationException("test helper: datasets only");
    }

    @Override
    public Page<Run> searchRuns(RunQuery query, PageRequest page) {
        throw new UnsupportedOperationException("test helper: datasets only");
    }

    @Override
    public Run finishRun(String runId, RunStatus status, Instant endTime, String error, PendingAuditEvent audit) {
        throw new UnsupportedOperationException("test helper: datasets only");
    }

    @Override
    public void heartbeat(String runId, Instant at) {
        throw new UnsupportedOperationException("test helper: datasets only");
    }

    @Override
    public void logParams(String runId, Map<String, String> params, PendingAuditEvent audit) {
        throw new UnsupportedOperationException("test helper: datasets only");
    }

    @Override
    public void setTags(String runId, Map<String, String> tags, PendingAuditEvent audit) {
        throw new UnsupportedOperationException("test helper: datasets only");
    }

    @Override
    public void logMetrics(String runId, List<MetricPoint> points, PendingAuditEvent audit) {
        throw new UnsupportedOperationException("test helper: datasets only");
    }

    @Override
    public Page<MetricPoint> metricHistory(String runId, String key, PageRequest page) {
        throw new UnsupportedOperationException("test helper: datasets only");
    }

    @Override
    public void addLinks(String runId, List<RunLink> links, PendingAuditEvent audit) {
        throw new UnsupportedOperationException("test helper: datasets only");
    }

    @Override
    public List<LineageEdge> lineageEdges(Collection<NodeRef> nodes, Direction direction) {
        throw new UnsupportedOperationException("test helper: datasets only");
    }

    @Override
    public List<AuditEvent> auditEvents(long afterSeq, int limit) {
        throw new UnsupportedOperationException("test helper: datasets only");
    }

    @Override
    public Optional<AuditEvent> auditHead() {
        throw new UnsupportedOperationException("test helper: datasets only");
    }

    @Override
    public AuditEvent eraseAuditData(long seq, PendingAuditEvent audit) {
        throw new UnsupportedOperationException("test helper: datasets only");
    }

    @Override
    public void addCheckpoint(AuditCheckpoint checkpoint, PendingAuditEvent audit) {
        throw new UnsupportedOperationException("test helper: datasets only");
    }

    @Override
    public List<AuditCheckpoint> checkpoints() {
        throw new UnsupportedOperationException("test helper: datasets only");
    }
}
