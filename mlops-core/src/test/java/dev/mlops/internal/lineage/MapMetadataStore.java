package dev.mlops.internal.lineage;

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
import dev.mlops.Page;
import dev.mlops.PageRequest;
import dev.mlops.audit.AuditCheckpoint;
import dev.mlops.audit.AuditEvent;
import dev.mlops.data.DatasetVersion;
import dev.mlops.lineage.Direction;
import dev.mlops.lineage.EdgeKind;
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
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Test-only store for the lineage tests: keeps runs, dataset versions and (for broken-store cases) extra edges in
 * maps. Implements only what the lineage API reads; every other method throws. Lineage edges are derived from run
 * links ({@code node -> run} for an input, {@code run -> node} for an output). {@code searchRuns} pages with an
 * offset token and serves at most {@code pageCap} runs per page, so callers must page. Records each
 * {@code lineageEdges} call. Not thread-safe.
 */
final class MapMetadataStore implements MetadataStore {
    private final Map<String, Run> runs = new LinkedHashMap<>();
    private final Map<String, DatasetVersion> datasets = new LinkedHashMap<>();
    private final Set<LineageEdge> extraEdges = new LinkedHashSet<>();
    private final List<List<NodeRef>> edgeCalls = new ArrayList<>();
    private final int pageCap;

    MapMetadataStore() {
        this(PageRequest.MAX_PAGE_SIZE);
    }

    MapMetadataStore(int pageCap) {
        this.pageCap = pageCap;
    }

    MapMetadataStore put(Run run) {
        runs.put(run.id(), run);
        return this;
    }

    MapMetadataStore put(DatasetVersion dataset) {
        datasets.put(dataset.name() + "@" + dataset.version(), dataset);
        return this;
    }

    /** An edge not backed by a run link (to model a store that holds something odd, such as a cycle). */
    MapMetadataStore edge(LineageEdge edge) {
        extraEdges.add(edge);
        return this;
    }

    /** The frontier of each {@code lineageEdges} call so far. */
    List<List<NodeRef>> edgeCalls() {
        return edgeCalls;
    }

    Set<LineageEdge> allEdges() {
        Set<LineageEdge> all = new LinkedHashSet<>(extraEdges);
        for (Run run : runs.values()) {
            NodeRef node = NodeRef.run(run.id());
            for (RunLink link : run.links()) {
                all.add(link.role() == RunLink.Role.INPUT
                        ? new LineageEdge(link.node(), node, EdgeKind.INPUT)
                        : new LineageEdge(node, link.node(), EdgeKind.OUTPUT));
            }
        }
        return all;
    }

    @Override
    public List<LineageEdge> lineageEdges(Collection<NodeRef> nodes, Direction direction) {
        edgeCalls.add(List.copyOf(nodes));
        Set<NodeRef> wanted = new HashSet<>(nodes);
        return allEdges().stream()
                .filter(e -> switch (direction) {
                    case UPSTREAM -> wanted.contains(e.to());
                    case DOWNSTREAM -> wanted.contains(e.from());
                    case BOTH -> wanted.contains(e.from()) || wanted.contains(e.to());
                })
                .sorted(Comparator.comparing((LineageEdge e) -> e.from().id()).thenComparing(e -> e.to().id()))
                .toList();
    }

    @Override
    public Optional<Run> getRun(String runId) {
        return Optional.ofNullable(runs.get(runId));
    }

    @Override
    public Page<Run> searchRuns(RunQuery query, PageRequest page) {
        List<Run> matching = runs.values().stream().filter(query::matches)
                .sorted(Comparator.comparing(Run::startTime).thenComparing(Run::id).reversed())
                .toList();
        int from = page.pageToken() == null ? 0 : Integer.parseInt(page.pageToken());
        int to = Math.min(matching.size(), from + Math.min(page.pageSize(), pageCap));
        return new Page<>(matching.subList(from, to), to < matching.size() ? Integer.toString(to) : null);
    }

    @Override
    public Optional<DatasetVersion> getDataset(String name, String version) {
        return Optional.ofNullable(datasets.get(name + "@" + version));
    }

    @Override
    public String describe() {
        return "map:test";
    }

    @Override
    public void close() {
    }

    // ---- not used by the lineage API ----------------------------------------------------------------------------

    @Override
    public Created<Run> createRun(NewRun run, PendingAuditEvent audit) {
        throw unused();
    }

    @Override
    public Run finishRun(String runId, RunStatus status, Instant endTime, String error, PendingAuditEvent audit) {
        throw unused();
    }

    @Override
    public void heartbeat(String runId, Instant at) {
        throw unused();
    }

    @Override
    public void logParams(String runId, Map<String, String> params, PendingAuditEvent audit) {
        throw unused();
    }

    @Override
    public void setTags(String runId, Map<String, String> tags, PendingAuditEvent audit) {
        throw unused();
    }

    @Override
    public void logMetrics(String runId, List<MetricPoint> points, PendingAuditEvent audit) {
        throw unused();
    }

    @Override
    public Page<MetricPoint> metricHistory(String runId, String key, PageRequest page) {
        throw unused();
    }

    @Override
    public void addLinks(String runId, List<RunLink> links, PendingAuditEvent audit) {
        throw unused();
    }

    @Override
    public Created<DatasetVersion> registerDataset(DatasetVersion version, PendingAuditEvent audit) {
        throw unused();
    }

    @Override
    public Page<DatasetVersion> listDatasets(String name, PageRequest page) {
        throw unused();
    }

    @Override
    public List<AuditEvent> auditEvents(long afterSeq, int limit) {
        throw unused();
    }

    @Override
    public Optional<AuditEvent> auditHead() {
        throw unused();
    }

    @Override
    public AuditEvent eraseAuditData(long seq, PendingAuditEvent audit) {
        throw unused();
    }

    @Override
    public void addCheckpoint(AuditCheckpoint checkpoint, PendingAuditEvent audit) {
        throw unused();
    }

    @Override
    public List<AuditCheckpoint> checkpoints() {
        throw unused();
    }

    private static UnsupportedOperationException unused() {
        return new UnsupportedOperationException("the lineage test store does not implement this");
    }

    @Override
    public Created<RegisteredModel> createModel(NewModel model, PendingAuditEvent audit) {
        throw unused();
    }

    @Override
    public Optional<RegisteredModel> getModel(String name) {
        throw unused();
    }

    @Override
    public Page<RegisteredModel> searchModels(ModelQuery query, PageRequest page) {
        throw unused();
    }

    @Override
    public RegisteredModel updateModel(String name, ModelUpdate update, PendingAuditEvent audit) {
        throw unused();
    }

    @Override
    public Created<ModelVersion> createModelVersion(NewModelVersion version, PendingAuditEvent audit) {
        throw unused();
    }

    /** This store holds no model versions: a model node is known only by its edges. */
    @Override
    public Optional<ModelVersion> getModelVersion(String name, int version) {
        return Optional.empty();
    }

    @Override
    public Page<ModelVersion> searchModelVersions(VersionQuery query, PageRequest page) {
        throw unused();
    }

    @Override
    public ModelVersion finishModelVersion(String name, int version, VersionStatus status, ArtifactRef artifact,
            String message, Instant time, PendingAuditEvent audit) {
        throw unused();
    }

    @Override
    public ModelVersion updateModelVersion(String name, int version, ModelUpdate update, PendingAuditEvent audit) {
        throw unused();
    }

    @Override
    public ModelVersion decideApproval(String name, int version, Approval decision, PendingAuditEvent audit) {
        throw unused();
    }

    @Override
    public AliasChange setAlias(String name, String alias, int version, Integer expectedCurrent, Instant time,
            PendingAuditEvent audit) {
        throw unused();
    }

    @Override
    public AliasChange deleteAlias(String name, String alias, int expectedCurrent, Instant time,
            PendingAuditEvent audit) {
        throw unused();
    }

    @Override
    public void deleteModelVersion(String name, int version, PendingAuditEvent audit) {
        throw unused();
    }

    @Override
    public void appendAuditEvent(PendingAuditEvent audit) {
        throw unused();
    }
}
