package dev.mlops.store.memory;

import dev.mlops.AlreadyExistsException;
import dev.mlops.ConflictException;
import dev.mlops.Created;
import dev.mlops.InvalidArgumentException;
import dev.mlops.NotFoundException;
import dev.mlops.Page;
import dev.mlops.PageRequest;
import dev.mlops.StorageException;
import dev.mlops.artifact.ArtifactRef;
import dev.mlops.audit.AuditChain;
import dev.mlops.audit.AuditCheckpoint;
import dev.mlops.audit.AuditEvent;
import dev.mlops.data.DatasetVersion;
import dev.mlops.internal.policy.VerdictJson;
import dev.mlops.drift.ProfileQuery;
import dev.mlops.lineage.Direction;
import dev.mlops.lineage.EdgeKind;
import dev.mlops.lineage.LineageEdge;
import dev.mlops.lineage.NodeRef;
import dev.mlops.registry.AliasChange;
import dev.mlops.registry.Approval;
import dev.mlops.registry.ApprovalStatus;
import dev.mlops.registry.Governance;
import dev.mlops.registry.ModelQuery;
import dev.mlops.registry.ModelUpdate;
import dev.mlops.registry.ModelVersion;
import dev.mlops.registry.NewModel;
import dev.mlops.registry.NewModelVersion;
import dev.mlops.registry.RegisteredModel;
import dev.mlops.registry.VersionQuery;
import dev.mlops.registry.VersionStatus;
import dev.mlops.spi.DriftReportEntry;
import dev.mlops.spi.MetadataStore;
import dev.mlops.spi.ProfileEntry;
import dev.mlops.spi.PendingAuditEvent;
import dev.mlops.spi.PolicyDecisionEntry;
import dev.mlops.spi.PolicyStateEntry;
import dev.mlops.spi.RetrainingRequestEntry;
import dev.mlops.tracking.MetricPoint;
import dev.mlops.tracking.NewRun;
import dev.mlops.tracking.Run;
import dev.mlops.tracking.RunLink;
import dev.mlops.tracking.RunQuery;
import dev.mlops.tracking.RunStatus;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Supplier;

/**
 * The reference {@link MetadataStore}: everything in memory, lost when the store is closed or the JVM exits. Meant
 * for tests, examples and short-lived jobs ({@code Mlops.open("memory:")}); it passes the compatibility kit and is
 * the behaviour other stores are compared with.
 *
 * <p>Thread-safe: one read-write lock guards all state, so every mutation (validated in full first, then applied
 * together with its audit event) is atomic and appends are serialised. Reads return immutable snapshots.
 * Instants are kept to the millisecond, as in the durable stores. Run searches walk an index ordered by
 * (start time desc, id desc) from the page's keyset position, so paging through all runs is linear; model and
 * version searches walk indexes ordered by name and by (model name, number) the same way.
 *
 * <p>Model names are unique ignoring case ({@link String#toLowerCase(Locale)} with {@link Locale#ROOT}): an index of
 * folded names finds the model a new name collides with. A version's idempotency key is remembered while the
 * version exists.
 *
 * <p>After {@link #close()} every method except {@link #close()} and {@link #describe()} fails with
 * {@link StorageException}.
 */
public final class InMemoryStore implements MetadataStore {

    private static final Comparator<RunKey> RUN_ORDER = Comparator.comparing(RunKey::start)
            .thenComparing(RunKey::id).reversed();
    private static final Comparator<StoredPoint> POINT_ORDER = Comparator.comparingLong(StoredPoint::step)
            .thenComparingLong(StoredPoint::timestampMillis).thenComparingLong(StoredPoint::seq);
    private static final Comparator<LineageEdge> EDGE_ORDER = Comparator.comparing(LineageEdge::from)
            .thenComparing(LineageEdge::to).thenComparing(LineageEdge::kind);
    private static final Comparator<VersionKey> VERSION_ORDER = Comparator.comparing(VersionKey::model)
            .thenComparingInt(VersionKey::version);

    private static final Comparator<PolicyKey> POLICY_ORDER = Comparator.comparing(PolicyKey::policy)
            .thenComparing(PolicyKey::model);

    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();

    private final Map<String, RunState> runs = new HashMap<>();
    private final NavigableMap<RunKey, RunState> runsByStart = new TreeMap<>(RUN_ORDER);
    private long pointSeq;

    private final Map<DatasetKey, DatasetVersion> datasets = new HashMap<>();
    private final NavigableMap<Long, DatasetVersion> datasetsBySeq = new TreeMap<>();
    private final Map<String, NavigableMap<Long, DatasetVersion>> datasetsByName = new HashMap<>();
    private long datasetSeq;

    private final NavigableMap<String, ModelState> models = new TreeMap<>();
    private final Map<String, String> modelNamesByFolded = new HashMap<>();
    private final NavigableMap<VersionKey, VersionState> versions = new TreeMap<>(VERSION_ORDER);

    private final Map<NodeRef, Set<LineageEdge>> edgesFrom = new HashMap<>();
    private final Map<NodeRef, Set<LineageEdge>> edgesTo = new HashMap<>();

    private final EntryTable<ProfileEntry> profiles = new EntryTable<>("profile", "p1",
            e -> new EntryTable.Fields(e.id(), e.subject(), e.key(), e.windowStart(), e.digest()),
            ProfileEntry::sameContent);
    private final EntryTable<DriftReportEntry> reports = new EntryTable<>("drift report", "d1",
            e -> new EntryTable.Fields(e.id(), e.subject(), e.key(), e.windowStart(), e.digest()),
            DriftReportEntry::sameContent);

    /** Policy states by (policy, model), ordered for listings; their decision logs, by seq. */
    private final NavigableMap<PolicyKey, PolicyStateEntry> policyStates = new TreeMap<>(POLICY_ORDER);
    private final Map<PolicyKey, List<PolicyDecisionEntry>> policyDecisions = new HashMap<>();
    /** Retraining requests by creation seq, and the seq of each key. */
    private final NavigableMap<Long, RetrainingRequestEntry> requestsBySeq = new TreeMap<>();
    private final Map<String, Long> requestSeqs = new HashMap<>();

    private final List<AuditEvent> audit = new ArrayList<>();
    private final List<AuditCheckpoint> checkpoints = new ArrayList<>();

    /** Written under the write lock; also read without it, so that a closed store fails before anything else. */
    private volatile boolean closed;

    /** Creates an empty store. */
    public InMemoryStore() {
    }

    @Override
    public String describe() {
        return "memory:";
    }

    // ---- runs -------------------------------------------------------------------------------------------------

    @Override
    public Created<Run> createRun(NewRun run, PendingAuditEvent event) {
        checkOpen();
        NewRun normalized = normalize(run);
        return write(() -> {
            RunState existing = runs.get(normalized.id());
            if (existing != null) {
                if (existing.created.equals(normalized)) {
                    return new Created<>(existing.snapshot, false);
                }
                throw new AlreadyExistsException("run " + normalized.id()
                        + " already exists with other content (job, start time, parent, tags, code version or"
                        + " environment differ)");
            }
            if (normalized.parentRunId() != null && !runs.containsKey(normalized.parentRunId())) {
                throw new NotFoundException("parent run " + normalized.parentRunId() + " of run " + normalized.id()
                        + " does not exist");
            }
            RunState state = new RunState(normalized);
            runs.put(normalized.id(), state);
            runsByStart.put(new RunKey(normalized.startTime(), normalized.id()), state);
            append(event);
            return new Created<>(state.snapshot, true);
        });
    }

    @Override
    public Optional<Run> getRun(String runId) {
        return read(() -> Optional.ofNullable(runs.get(runId)).map(s -> s.snapshot));
    }

    @Override
    public Page<Run> searchRuns(RunQuery query, PageRequest page) {
        checkOpen();
        Objects.requireNonNull(query, "query");
        RunKey after = page.pageToken() == null ? null : Tokens.decodeRun(page.pageToken());
        return read(() -> {
            Collection<RunState> candidates = after == null ? runsByStart.values()
                    : runsByStart.tailMap(after, false).values();
            List<Run> items = new ArrayList<>();
            boolean more = false;
            for (RunState s : candidates) {
                if (!query.matches(s.snapshot)) {
                    continue;
                }
                if (items.size() == page.pageSize()) {
                    more = true;
                    break;
                }
                items.add(s.snapshot);
            }
            String next = more ? Tokens.encodeRun(keyOf(items.get(items.size() - 1))) : null;
            return new Page<>(items, next);
        });
    }

    @Override
    public Run finishRun(String runId, RunStatus status, Instant endTime, String error, PendingAuditEvent event) {
        checkOpen();
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(endTime, "endTime");
        if (!status.isTerminal()) {
            throw new InvalidArgumentException("status", "status must be COMPLETED, FAILED or ABORTED to finish run "
                    + runId + ", was " + status);
        }
        Instant end = AuditChain.truncate(endTime);
        return write(() -> {
            RunState s = running(runId, "finish");
            s.status = status;
            s.endTime = end;
            s.error = error;
            s.refresh();
            append(event);
            return s.snapshot;
        });
    }

    @Override
    public void heartbeat(String runId, Instant at) {
        checkOpen();
        Instant time = AuditChain.truncate(Objects.requireNonNull(at, "at"));
        write(() -> {
            RunState s = existing(runId);
            if (s.status == RunStatus.RUNNING && time.isAfter(s.lastHeartbeat)) {
                s.lastHeartbeat = time;
                s.refresh();
            }
            return null;
        });
    }

    @Override
    public void logParams(String runId, Map<String, String> params, PendingAuditEvent event) {
        checkOpen();
        Map<String, String> copy = new TreeMap<>(params);
        write(() -> {
            RunState s = running(runId, "log params to");
            for (Map.Entry<String, String> e : copy.entrySet()) {
                String stored = s.params.get(e.getKey());
                if (stored != null && !stored.equals(e.getValue())) {
                    // Neither value is named: a param may be a secret.
                    throw new ConflictException(paramConflict(e.getKey(), runId));
                }
            }
            s.params.putAll(copy);
            s.refresh();
            append(event);
            return null;
        });
    }

    @Override
    public void setTags(String runId, Map<String, String> tags, PendingAuditEvent event) {
        checkOpen();
        Map<String, String> copy = new LinkedHashMap<>(tags);
        write(() -> {
            RunState s = existing(runId);
            s.tags.putAll(copy);
            s.refresh();
            append(event);
            return null;
        });
    }

    @Override
    public void logMetrics(String runId, List<MetricPoint> points, PendingAuditEvent event) {
        checkOpen();
        List<MetricPoint> copy = new ArrayList<>(points.size());
        for (MetricPoint p : points) {
            copy.add(new MetricPoint(p.key(), p.value(), p.step(), AuditChain.truncate(p.timestamp())));
        }
        write(() -> {
            RunState s = running(runId, "log metrics to");
            for (MetricPoint p : copy) {
                NavigableSet<StoredPoint> series = s.metrics.computeIfAbsent(p.key(), k -> new TreeSet<>(POINT_ORDER));
                series.add(new StoredPoint(p.step(), p.timestamp().toEpochMilli(), ++pointSeq, p));
                s.latest.put(p.key(), series.last().point());
            }
            s.refresh();
            append(event);
            return null;
        });
    }

    @Override
    public Page<MetricPoint> metricHistory(String runId, String key, PageRequest page) {
        checkOpen();
        StoredPoint after = page.pageToken() == null ? null : Tokens.decodePoint(page.pageToken());
        return read(() -> {
            RunState s = existing(runId);
            NavigableSet<StoredPoint> series = s.metrics.get(key);
            if (series == null) {
                return Page.last(List.of());
            }
            NavigableSet<StoredPoint> rest = after == null ? series : series.tailSet(after, false);
            List<MetricPoint> items = new ArrayList<>();
            StoredPoint last = null;
            boolean more = false;
            for (StoredPoint p : rest) {
                if (items.size() == page.pageSize()) {
                    more = true;
                    break;
                }
                items.add(p.point());
                last = p;
            }
            return new Page<>(items, more ? Tokens.encodePoint(last) : null);
        });
    }

    @Override
    public void addLinks(String runId, List<RunLink> links, PendingAuditEvent event) {
        checkOpen();
        List<RunLink> copy = List.copyOf(links);
        write(() -> {
            RunState s = running(runId, "add links to");
            NodeRef runNode = NodeRef.run(runId);
            for (RunLink link : copy) {
                if (!s.linkSet.add(link)) {
                    continue;
                }
                s.links.add(link);
                LineageEdge edge = link.role() == RunLink.Role.INPUT
                        ? new LineageEdge(link.node(), runNode, EdgeKind.INPUT)
                        : new LineageEdge(runNode, link.node(), EdgeKind.OUTPUT);
                addEdge(edge);
            }
            s.refresh();
            append(event);
            return null;
        });
    }

    // ---- datasets ---------------------------------------------------------------------------------------------

    @Override
    public Created<DatasetVersion> registerDataset(DatasetVersion version, PendingAuditEvent event) {
        checkOpen();
        DatasetVersion normalized = new DatasetVersion(version.name(), version.version(), version.sourceUri(),
                version.format(), version.sizeBytes(), version.schema(), version.rowCount(), version.tags(),
                AuditChain.truncate(version.createdTime()), version.createdBy());
        DatasetKey key = new DatasetKey(normalized.name(), normalized.version());
        return write(() -> {
            DatasetVersion existing = datasets.get(key);
            if (existing != null) {
                // Same name and digest: the same bytes, so the same version, whoever registers it from wherever.
                return new Created<>(existing, false);
            }
            long seq = ++datasetSeq;
            datasets.put(key, normalized);
            datasetsBySeq.put(seq, normalized);
            datasetsByName.computeIfAbsent(normalized.name(), n -> new TreeMap<>()).put(seq, normalized);
            append(event);
            return new Created<>(normalized, true);
        });
    }

    @Override
    public Optional<DatasetVersion> getDataset(String name, String version) {
        return read(() -> Optional.ofNullable(datasets.get(new DatasetKey(name, version))));
    }

    @Override
    public Page<DatasetVersion> listDatasets(String name, PageRequest page) {
        checkOpen();
        Long after = page.pageToken() == null ? null : Tokens.decodeDataset(page.pageToken());
        return read(() -> {
            NavigableMap<Long, DatasetVersion> all = name == null ? datasetsBySeq
                    : datasetsByName.getOrDefault(name, new TreeMap<>());
            NavigableMap<Long, DatasetVersion> rest = after == null ? all : all.tailMap(after, false);
            List<DatasetVersion> items = new ArrayList<>();
            long last = 0;
            boolean more = false;
            for (Map.Entry<Long, DatasetVersion> e : rest.entrySet()) {
                if (items.size() == page.pageSize()) {
                    more = true;
                    break;
                }
                items.add(e.getValue());
                last = e.getKey();
            }
            return new Page<>(items, more ? Tokens.encodeDataset(last) : null);
        });
    }

    // ---- model registry ---------------------------------------------------------------------------------------

    @Override
    public Created<RegisteredModel> createModel(NewModel model, PendingAuditEvent event) {
        checkOpen();
        NewModel normalized = new NewModel(model.name(), model.description(), model.tags(), model.governance(),
                AuditChain.truncate(model.createdTime()), model.createdBy());
        String folded = fold(normalized.name());
        return write(() -> {
            ModelState existing = models.get(normalized.name());
            if (existing != null) {
                return new Created<>(existing.snapshot, false);
            }
            String other = modelNamesByFolded.get(folded);
            if (other != null) {
                throw new AlreadyExistsException("model '" + normalized.name() + "' differs only in case from the"
                        + " existing model '" + other + "'; model names are unique ignoring case");
            }
            AuditEvent sealed = seal(event);
            ModelState state = new ModelState(normalized);
            models.put(normalized.name(), state);
            modelNamesByFolded.put(folded, normalized.name());
            audit.add(sealed);
            return new Created<>(state.snapshot, true);
        });
    }

    @Override
    public Optional<RegisteredModel> getModel(String name) {
        return read(() -> Optional.ofNullable(models.get(name)).map(m -> m.snapshot));
    }

    @Override
    public Page<RegisteredModel> searchModels(ModelQuery query, PageRequest page) {
        checkOpen();
        Objects.requireNonNull(query, "query");
        String after = page.pageToken() == null ? null : Tokens.decodeModel(page.pageToken());
        return read(() -> {
            // Names with the prefix form one range of the name order: start at the prefix, stop after the range.
            String from = query.namePrefix();
            boolean inclusive = true;
            if (after != null && (from == null || after.compareTo(from) >= 0)) {
                from = after;
                inclusive = false;
            }
            Collection<ModelState> candidates = from == null ? models.values()
                    : models.tailMap(from, inclusive).values();
            List<RegisteredModel> items = new ArrayList<>();
            boolean more = false;
            for (ModelState m : candidates) {
                if (query.namePrefix() != null && !m.snapshot.name().startsWith(query.namePrefix())) {
                    break;
                }
                if (!query.matches(m.snapshot)) {
                    continue;
                }
                if (items.size() == page.pageSize()) {
                    more = true;
                    break;
                }
                items.add(m.snapshot);
            }
            String next = more ? Tokens.encodeModel(items.get(items.size() - 1).name()) : null;
            return new Page<>(items, next);
        });
    }

    @Override
    public RegisteredModel updateModel(String name, ModelUpdate update, PendingAuditEvent event) {
        checkOpen();
        Instant time = AuditChain.truncate(update.time());
        return write(() -> {
            ModelState m = model(name);
            AuditEvent sealed = seal(event);
            if (update.description() != null) {
                m.description = update.description();
            }
            m.tags.putAll(update.setTags());
            m.tags.keySet().removeAll(update.removeTags());
            if (update.governance() != null) {
                m.governance = update.governance();
            }
            m.updatedTime = time;
            m.refresh();
            audit.add(sealed);
            return m.snapshot;
        });
    }

    @Override
    public Created<ModelVersion> createModelVersion(NewModelVersion version, PendingAuditEvent event) {
        checkOpen();
        NewModelVersion normalized = new NewModelVersion(version.modelName(), version.version(), version.digest(),
                version.runId(), version.signature(), version.metrics(), version.tags(), version.description(),
                version.idempotencyKey(), AuditChain.truncate(version.createdTime()), version.createdBy());
        NodeRef node = NodeRef.model(normalized.modelName(), normalized.version());
        return write(() -> {
            ModelState m = model(normalized.modelName());
            if (normalized.idempotencyKey() != null) {
                Integer number = m.versionsByKey.get(normalized.idempotencyKey());
                if (number != null) {
                    return new Created<>(versions.get(new VersionKey(m.name, number)).snapshot, false);
                }
            }
            int next = m.latestVersion + 1;
            if (normalized.version() != next) {
                throw new ConflictException("cannot register version " + normalized.version() + " of model '"
                        + m.name + "': the next version number is " + next + " (latest is " + m.latestVersion
                        + ")");
            }
            RunState run = null;
            if (normalized.runId() != null) {
                run = runs.get(normalized.runId());
                if (run == null) {
                    throw new NotFoundException("run " + normalized.runId() + " that produced version "
                            + node.key() + " does not exist");
                }
            }
            AuditEvent sealed = seal(event);
            VersionState state = new VersionState(normalized);
            versions.put(new VersionKey(m.name, normalized.version()), state);
            m.latestVersion = normalized.version();
            m.updatedTime = normalized.createdTime();
            if (normalized.idempotencyKey() != null) {
                m.versionsByKey.put(normalized.idempotencyKey(), normalized.version());
            }
            m.refresh();
            if (run != null) {
                RunLink link = RunLink.output(node);
                if (run.linkSet.add(link)) {
                    run.links.add(link);
                    addEdge(new LineageEdge(NodeRef.run(run.created.id()), node, EdgeKind.OUTPUT));
                    run.refresh();
                }
            }
            audit.add(sealed);
            return new Created<>(state.snapshot, true);
        });
    }

    @Override
    public Optional<ModelVersion> getModelVersion(String name, int version) {
        return read(() -> Optional.ofNullable(versions.get(new VersionKey(name, version))).map(v -> v.snapshot));
    }

    @Override
    public Page<ModelVersion> searchModelVersions(VersionQuery query, PageRequest page) {
        checkOpen();
        Objects.requireNonNull(query, "query");
        VersionKey after = page.pageToken() == null ? null : Tokens.decodeVersion(page.pageToken());
        return read(() -> {
            // The versions of one model form one range of the (name, number) order.
            VersionKey from = query.modelName() == null ? null : new VersionKey(query.modelName(), 0);
            boolean inclusive = true;
            if (after != null && (from == null || VERSION_ORDER.compare(after, from) >= 0)) {
                from = after;
                inclusive = false;
            }
            Collection<VersionState> candidates = from == null ? versions.values()
                    : versions.tailMap(from, inclusive).values();
            List<ModelVersion> items = new ArrayList<>();
            boolean more = false;
            for (VersionState v : candidates) {
                if (query.modelName() != null && !query.modelName().equals(v.snapshot.modelName())) {
                    break;
                }
                if (!query.matches(v.snapshot)) {
                    continue;
                }
                if (items.size() == page.pageSize()) {
                    more = true;
                    break;
                }
                items.add(v.snapshot);
            }
            String next = null;
            if (more) {
                ModelVersion last = items.get(items.size() - 1);
                next = Tokens.encodeVersion(new VersionKey(last.modelName(), last.version()));
            }
            return new Page<>(items, next);
        });
    }

    @Override
    public ModelVersion finishModelVersion(String name, int version, VersionStatus status, ArtifactRef artifact,
            String message, Instant time, PendingAuditEvent event) {
        checkOpen();
        Objects.requireNonNull(status, "status");
        if (status == VersionStatus.PENDING) {
            throw new InvalidArgumentException("status", "status must be READY or FAILED to finish version "
                    + name + "/" + version + ", was PENDING");
        }
        if (status == VersionStatus.READY && artifact == null) {
            throw new InvalidArgumentException("artifact", "version " + name + "/" + version
                    + " needs its stored artifact to become READY");
        }
        if (status == VersionStatus.FAILED && message == null) {
            throw new InvalidArgumentException("message", "version " + name + "/" + version
                    + " needs a message saying why it FAILED");
        }
        Instant at = AuditChain.truncate(Objects.requireNonNull(time, "time"));
        return write(() -> {
            VersionState v = version(name, version);
            if (v.status != VersionStatus.PENDING) {
                throw new ConflictException("version " + name + "/" + version + " is " + v.status
                        + ", not PENDING; its registration has ended");
            }
            if (status == VersionStatus.READY && !artifact.digest().equals(v.created.digest())) {
                throw new InvalidArgumentException("artifact", "the artifact's digest " + artifact.digest()
                        + " is not the declared digest " + v.created.digest() + " of version " + name + "/"
                        + version);
            }
            AuditEvent sealed = seal(event);
            v.status = status;
            v.artifact = status == VersionStatus.READY ? artifact : null;
            v.statusMessage = status == VersionStatus.FAILED ? message : null;
            v.updatedTime = at;
            v.refresh();
            audit.add(sealed);
            return v.snapshot;
        });
    }

    @Override
    public ModelVersion updateModelVersion(String name, int version, ModelUpdate update, PendingAuditEvent event) {
        checkOpen();
        Instant time = AuditChain.truncate(update.time());
        return write(() -> {
            VersionState v = version(name, version);
            AuditEvent sealed = seal(event);
            if (update.description() != null) {
                v.description = update.description();
            }
            v.tags.putAll(update.setTags());
            v.tags.keySet().removeAll(update.removeTags());
            v.updatedTime = time;
            v.refresh();
            audit.add(sealed);
            return v.snapshot;
        });
    }

    @Override
    public ModelVersion decideApproval(String name, int version, Approval decision, PendingAuditEvent event) {
        checkOpen();
        if (decision.status() == ApprovalStatus.PENDING) {
            throw new InvalidArgumentException("decision", "a decision on version " + name + "/" + version
                    + " is APPROVED or REJECTED, not PENDING");
        }
        Approval normalized = Approval.decided(decision.status(), decision.actor(),
                AuditChain.truncate(decision.time()), decision.reason());
        return write(() -> {
            VersionState v = version(name, version);
            if (v.approval.status() != ApprovalStatus.PENDING) {
                throw new ConflictException("version " + name + "/" + version + " was already "
                        + v.approval.status() + " by " + v.approval.actor() + "; an approval is decided once");
            }
            AuditEvent sealed = seal(event);
            v.approval = normalized;
            v.updatedTime = normalized.time();
            v.refresh();
            audit.add(sealed);
            return v.snapshot;
        });
    }

    @Override
    public AliasChange setAlias(String name, String alias, int version, Integer expectedCurrent, Instant time,
            PendingAuditEvent event) {
        checkOpen();
        return setAlias(name, alias, version, expectedCurrent, time, List.of(Objects.requireNonNull(event, "audit")));
    }

    @Override
    public AliasChange setAlias(String name, String alias, int version, Integer expectedCurrent, Instant time,
            List<PendingAuditEvent> events) {
        checkOpen();
        Objects.requireNonNull(alias, "alias");
        Instant at = AuditChain.truncate(Objects.requireNonNull(time, "time"));
        List<PendingAuditEvent> pending = aliasEvents(name, alias, events);
        return write(() -> moveAlias(name, alias, version, expectedCurrent, at, pending));
    }

    /**
     * Call with the write lock held: points {@code alias} at {@code version} if it points at {@code expectedCurrent}
     * and the version is READY, and appends {@code pending}; all or nothing.
     */
    private AliasChange moveAlias(String name, String alias, int version, Integer expectedCurrent, Instant at,
            List<PendingAuditEvent> pending) {
        ModelState m = model(name);
        VersionState target = version(name, version);
        Integer current = m.aliases.get(alias);
        if (!Objects.equals(current, expectedCurrent)) {
            throw new ConflictException(aliasMismatch(name, alias, current, expectedCurrent));
        }
        if (target.status != VersionStatus.READY) {
            throw new ConflictException("version " + name + "/" + version + " is " + target.status
                    + ", not READY; only a READY version can get alias '" + alias + "'");
        }
        List<AuditEvent> sealed = sealAll(pending);
        if (current != null) {
            VersionState old = versions.get(new VersionKey(name, current));
            old.aliases.remove(alias);
            old.updatedTime = at;
            old.refresh();
        }
        target.aliases.add(alias);
        target.updatedTime = at;
        target.refresh();
        m.aliases.put(alias, version);
        m.updatedTime = at;
        m.refresh();
        audit.addAll(sealed);
        return new AliasChange(name, alias, current, version);
    }

    @Override
    public Optional<AuditEvent> recordPromotionVerdict(String name, String alias, int candidate, boolean move,
            Integer expectedCurrent, Instant time, List<PendingAuditEvent> events) {
        checkOpen();
        Objects.requireNonNull(alias, "alias");
        VerdictJson.checkAudit(name, alias, candidate, events);
        List<PendingAuditEvent> pending = List.copyOf(events);
        Instant at = move ? AuditChain.truncate(Objects.requireNonNull(time, "time")) : null;
        return write(() -> {
            for (int i = audit.size() - 1; i >= 0; i--) {
                AuditEvent e = audit.get(i);
                if (VerdictJson.records(e.action(), e.subject(), e.data(), name, alias, candidate)) {
                    return Optional.of(e);
                }
            }
            if (move) {
                moveAlias(name, alias, candidate, expectedCurrent, at, pending);
            } else {
                audit.addAll(sealAll(pending));
            }
            return Optional.<AuditEvent>empty();
        });
    }

    @Override
    public AliasChange deleteAlias(String name, String alias, int expectedCurrent, Instant time,
            PendingAuditEvent event) {
        checkOpen();
        Objects.requireNonNull(alias, "alias");
        Instant at = AuditChain.truncate(Objects.requireNonNull(time, "time"));
        return write(() -> {
            ModelState m = model(name);
            Integer current = m.aliases.get(alias);
            if (current == null) {
                throw new NotFoundException("model '" + name + "' has no alias '" + alias + "'");
            }
            if (current != expectedCurrent) {
                throw new ConflictException(aliasMismatch(name, alias, current, expectedCurrent));
            }
            AuditEvent sealed = seal(event);
            VersionState old = versions.get(new VersionKey(name, current));
            old.aliases.remove(alias);
            old.updatedTime = at;
            old.refresh();
            m.aliases.remove(alias);
            m.updatedTime = at;
            m.refresh();
            audit.add(sealed);
            return new AliasChange(name, alias, current, null);
        });
    }

    @Override
    public void deleteModelVersion(String name, int version, PendingAuditEvent event) {
        checkOpen();
        write(() -> {
            VersionState v = version(name, version);
            if (!v.aliases.isEmpty()) {
                throw new ConflictException("version " + name + "/" + version + " cannot be deleted: alias"
                        + (v.aliases.size() == 1 ? " " : "es ") + String.join(", ", v.aliases)
                        + (v.aliases.size() == 1 ? " points" : " point") + " at it; move or delete "
                        + (v.aliases.size() == 1 ? "it" : "them") + " first");
            }
            AuditEvent sealed = seal(event);
            versions.remove(new VersionKey(name, version));
            if (v.created.idempotencyKey() != null) {
                models.get(name).versionsByKey.remove(v.created.idempotencyKey());
            }
            audit.add(sealed);
            return null;
        });
    }

    // ---- profiles and drift reports ---------------------------------------------------------------------------

    @Override
    public Created<ProfileEntry> saveProfile(ProfileEntry profile, PendingAuditEvent event) {
        checkOpen();
        return write(() -> profiles.save(profile, () -> append(event)));
    }

    @Override
    public Optional<ProfileEntry> getProfile(String id) {
        return read(() -> profiles.get(id));
    }

    @Override
    public Optional<ProfileEntry> findProfile(String subject, String key) {
        return read(() -> profiles.find(subject, key));
    }

    @Override
    public Page<ProfileEntry> searchProfiles(ProfileQuery query, PageRequest page) {
        checkOpen();
        EntryTable.Position after = page.pageToken() == null ? null
                : Tokens.decodeEntry(profiles.tokenKind(), page.pageToken());
        return read(() -> profiles.search(query, page, after));
    }

    @Override
    public Created<DriftReportEntry> saveDriftReport(DriftReportEntry report, PendingAuditEvent event) {
        checkOpen();
        return write(() -> {
            for (String id : java.util.Arrays.asList(report.referenceProfileId(), report.currentProfileId())) {
                if (id != null && !profiles.containsId(id)) {
                    throw new NotFoundException("profile " + id + ", linked by drift report '" + report.key()
                            + "' of " + report.subject() + ", not found");
                }
            }
            return reports.save(report, () -> append(event));
        });
    }

    @Override
    public Optional<DriftReportEntry> getDriftReport(String id) {
        return read(() -> reports.get(id));
    }

    @Override
    public Optional<DriftReportEntry> findDriftReport(String subject, String key) {
        return read(() -> reports.find(subject, key));
    }

    @Override
    public Page<DriftReportEntry> searchDriftReports(ProfileQuery query, PageRequest page) {
        checkOpen();
        EntryTable.Position after = page.pageToken() == null ? null
                : Tokens.decodeEntry(reports.tokenKind(), page.pageToken());
        return read(() -> reports.search(query, page, after));
    }

    // ---- retraining policies ---------------------------------------------------------------------------------

    @Override
    public Optional<PolicyStateEntry> getPolicyState(String policy, String model) {
        return read(() -> Optional.ofNullable(policyStates.get(new PolicyKey(policy, model))));
    }

    @Override
    public void savePolicyState(PolicyStateEntry state, long expectedVersion, List<PolicyDecisionEntry> decisions,
            List<PendingAuditEvent> events) {
        checkOpen();
        state.checkSave(expectedVersion, decisions, events);
        List<PolicyDecisionEntry> given = List.copyOf(decisions);
        List<PendingAuditEvent> pending = List.copyOf(events);
        write(() -> {
            PolicyKey key = new PolicyKey(state.policy(), state.model());
            PolicyStateEntry stored = policyStates.get(key);
            long version = stored == null ? 0 : stored.version();
            if (version != expectedVersion) {
                throw new ConflictException("policy '" + state.policy() + "' for model '" + state.model()
                        + "': the stored state has version " + version + ", not " + expectedVersion
                        + " (another writer saved first)");
            }
            List<AuditEvent> sealed = sealAll(pending);
            List<PolicyDecisionEntry> log = policyDecisions.computeIfAbsent(key, k -> new ArrayList<>());
            long seq = log.size();
            for (PolicyDecisionEntry d : given) {
                log.add(d.withSeq(++seq));
            }
            policyStates.put(key, state);
            audit.addAll(sealed);
            return null;
        });
    }

    @Override
    public Optional<PolicyDecisionEntry> findPolicyDecision(String policy, String model, String windowId) {
        return read(() -> {
            List<PolicyDecisionEntry> log = policyDecisions.getOrDefault(new PolicyKey(policy, model), List.of());
            for (int i = log.size() - 1; i >= 0; i--) {
                PolicyDecisionEntry d = log.get(i);
                if (d.windowId().equals(windowId) && !d.status().equals(PolicyDecisionEntry.FAILED)) {
                    return Optional.of(d);
                }
            }
            return Optional.empty();
        });
    }

    @Override
    public Page<PolicyDecisionEntry> listPolicyDecisions(String policy, String model, PageRequest page) {
        checkOpen();
        long after = page.pageToken() == null ? 0 : Tokens.decodeDecision(page.pageToken());
        return read(() -> {
            List<PolicyDecisionEntry> log = policyDecisions.getOrDefault(new PolicyKey(policy, model), List.of());
            int from = (int) Math.min(after, log.size());
            int to = (int) Math.min((long) from + page.pageSize(), log.size());
            List<PolicyDecisionEntry> items = List.copyOf(log.subList(from, to));
            String next = to < log.size() ? Tokens.encodeDecision(items.get(items.size() - 1).seq()) : null;
            return new Page<>(items, next);
        });
    }

    @Override
    public Page<PolicyStateEntry> listPolicyStates(PageRequest page) {
        checkOpen();
        PolicyKey after = page.pageToken() == null ? null : Tokens.decodePolicy(page.pageToken());
        return read(() -> {
            Collection<PolicyStateEntry> candidates = after == null ? policyStates.values()
                    : policyStates.tailMap(after, false).values();
            List<PolicyStateEntry> items = new ArrayList<>();
            boolean more = false;
            for (PolicyStateEntry e : candidates) {
                if (items.size() == page.pageSize()) {
                    more = true;
                    break;
                }
                items.add(e);
            }
            String next = null;
            if (more) {
                PolicyStateEntry last = items.get(items.size() - 1);
                next = Tokens.encodePolicy(new PolicyKey(last.policy(), last.model()));
            }
            return new Page<>(items, next);
        });
    }

    @Override
    public Created<RetrainingRequestEntry> createRetrainingRequest(RetrainingRequestEntry request,
            PendingAuditEvent event) {
        checkOpen();
        Objects.requireNonNull(request, "request");
        return write(() -> {
            Long seq = requestSeqs.get(request.key());
            if (seq != null) {
                return new Created<>(requestsBySeq.get(seq), false);
            }
            AuditEvent sealed = seal(event);
            long next = requestsBySeq.isEmpty() ? 1 : requestsBySeq.lastKey() + 1;
            requestsBySeq.put(next, request);
            requestSeqs.put(request.key(), next);
            audit.add(sealed);
            return new Created<>(request, true);
        });
    }

    @Override
    public RetrainingRequestEntry updateRetrainingRequest(RetrainingRequestEntry next, String expectedStatus,
            int expectedAttempt, PendingAuditEvent event) {
        checkOpen();
        Objects.requireNonNull(next, "next");
        Objects.requireNonNull(expectedStatus, "expectedStatus");
        return write(() -> {
            Long seq = requestSeqs.get(next.key());
            if (seq == null) {
                throw new NotFoundException("retraining request '" + next.key() + "' not found");
            }
            RetrainingRequestEntry stored = requestsBySeq.get(seq);
            next.checkReplaces(stored);
            if (!stored.status().equals(expectedStatus) || stored.attempt() != expectedAttempt) {
                throw requestConflict(next.key(), stored, expectedStatus, expectedAttempt);
            }
            AuditEvent sealed = seal(event);
            requestsBySeq.put(seq, next);
            audit.add(sealed);
            return next;
        });
    }

    @Override
    public Optional<RetrainingRequestEntry> getRetrainingRequest(String key) {
        return read(() -> Optional.ofNullable(requestSeqs.get(key)).map(requestsBySeq::get));
    }

    @Override
    public Page<RetrainingRequestEntry> listRetrainingRequests(String policy, String model, Set<String> statuses,
            PageRequest page) {
        checkOpen();
        Set<String> wanted = Set.copyOf(statuses);
        long after = page.pageToken() == null ? 0 : Tokens.decodeRequest(page.pageToken());
        return read(() -> {
            List<RetrainingRequestEntry> items = new ArrayList<>();
            long last = 0;
            boolean more = false;
            for (Map.Entry<Long, RetrainingRequestEntry> e : requestsBySeq.tailMap(after, false).entrySet()) {
                RetrainingRequestEntry r = e.getValue();
                if ((policy != null && !policy.equals(r.policy())) || (model != null && !model.equals(r.model()))
                        || (!wanted.isEmpty() && !wanted.contains(r.status()))) {
                    continue;
                }
                if (items.size() == page.pageSize()) {
                    more = true;
                    break;
                }
                items.add(r);
                last = e.getKey();
            }
            return new Page<>(items, more ? Tokens.encodeRequest(last) : null);
        });
    }

    /** The failure of a request update whose expected status or attempt is not the stored one. */
    private static ConflictException requestConflict(String key, RetrainingRequestEntry stored, String status,
            int attempt) {
        return new ConflictException("retraining request '" + key + "' is " + stored.status() + " (attempt "
                + stored.attempt() + "), not " + status + " (attempt " + attempt + "); another caller moved it on");
    }

    // ---- audit-only events ------------------------------------------------------------------------------------

    @Override
    public void appendAuditEvent(PendingAuditEvent event) {
        checkOpen();
        write(() -> {
            audit.add(seal(event));
            return null;
        });
    }

    // ---- lineage ----------------------------------------------------------------------------------------------

    @Override
    public List<LineageEdge> lineageEdges(Collection<NodeRef> nodes, Direction direction) {
        checkOpen();
        Objects.requireNonNull(direction, "direction");
        List<NodeRef> copy = List.copyOf(nodes);
        return read(() -> {
            Set<LineageEdge> found = new TreeSet<>(EDGE_ORDER);
            for (NodeRef node : copy) {
                if (direction != Direction.DOWNSTREAM) {
                    found.addAll(edgesTo.getOrDefault(node, Set.of()));
                }
                if (direction != Direction.UPSTREAM) {
                    found.addAll(edgesFrom.getOrDefault(node, Set.of()));
                }
            }
            return List.copyOf(found);
        });
    }

    // ---- audit ------------------------------------------------------------------------------------------------

    @Override
    public List<AuditEvent> auditEvents(long afterSeq, int limit) {
        return read(() -> {
            int from = (int) Math.min(Math.max(afterSeq, 0), audit.size());
            int to = (int) Math.min((long) from + Math.max(limit, 0), audit.size());
            return List.copyOf(audit.subList(from, to));
        });
    }

    @Override
    public Optional<AuditEvent> auditHead() {
        return read(() -> audit.isEmpty() ? Optional.empty() : Optional.of(audit.get(audit.size() - 1)));
    }

    @Override
    public AuditEvent eraseAuditData(long seq, PendingAuditEvent event) {
        return write(() -> {
            if (seq < 1 || seq > audit.size()) {
                throw new NotFoundException("no audit event with seq " + seq + " (the chain has " + audit.size()
                        + " events)");
            }
            AuditEvent erased = audit.get((int) seq - 1).withDataErased();
            audit.set((int) seq - 1, erased);
            append(event);
            return erased;
        });
    }

    @Override
    public void addCheckpoint(AuditCheckpoint checkpoint, PendingAuditEvent event) {
        checkOpen();
        AuditCheckpoint copy = new AuditCheckpoint(checkpoint.seq(), checkpoint.hash(),
                AuditChain.truncate(checkpoint.time()), checkpoint.keyId(), checkpoint.signature());
        write(() -> {
            checkpoints.add(copy);
            append(event);
            return null;
        });
    }

    @Override
    public List<AuditCheckpoint> checkpoints() {
        return read(() -> List.copyOf(checkpoints));
    }

    @Override
    public void close() {
        Lock w = lock.writeLock();
        w.lock();
        try {
            closed = true;
        } finally {
            w.unlock();
        }
    }

    // ---- internals --------------------------------------------------------------------------------------------

    /** Call with the write lock held, after every check passed: seals and appends the event. */
    private void append(PendingAuditEvent event) {
        audit.add(seal(event));
    }

    /**
     * Call with the write lock held: the event sealed onto the current head, not yet appended. Sealing before
     * changing anything keeps a change and its event together even if sealing fails.
     */
    private AuditEvent seal(PendingAuditEvent event) {
        AuditEvent head = audit.isEmpty() ? null : audit.get(audit.size() - 1);
        return AuditChain.seal(head, Objects.requireNonNull(event, "audit"));
    }

    /**
     * Call with the write lock held: the events sealed in order onto the current head, not yet appended. Sealing
     * every event before changing anything keeps a change and its events together even if sealing fails.
     */
    private List<AuditEvent> sealAll(List<PendingAuditEvent> events) {
        List<AuditEvent> sealed = new ArrayList<>();
        AuditEvent head = audit.isEmpty() ? null : audit.get(audit.size() - 1);
        for (PendingAuditEvent e : events) {
            head = AuditChain.seal(head, Objects.requireNonNull(e, "audit"));
            sealed.add(head);
        }
        return sealed;
    }

    /** The events of an alias change, copied: at least one, none null. */
    private static List<PendingAuditEvent> aliasEvents(String name, String alias, List<PendingAuditEvent> events) {
        if (events == null || events.isEmpty()) {
            throw new InvalidArgumentException("audit", "setting alias '" + alias + "' of model '" + name
                    + "' needs at least one audit event");
        }
        for (int i = 0; i < events.size(); i++) {
            if (events.get(i) == null) {
                throw new InvalidArgumentException("audit", "audit[" + i + "] of setting alias '" + alias
                        + "' of model '" + name + "' is null");
            }
        }
        return List.copyOf(events);
    }

    private void addEdge(LineageEdge edge) {
        edgesFrom.computeIfAbsent(edge.from(), n -> new HashSet<>()).add(edge);
        edgesTo.computeIfAbsent(edge.to(), n -> new HashSet<>()).add(edge);
    }

    private ModelState model(String name) {
        ModelState m = models.get(name);
        if (m == null) {
            throw new NotFoundException("model '" + name + "' does not exist");
        }
        return m;
    }

    private VersionState version(String name, int version) {
        VersionState v = versions.get(new VersionKey(name, version));
        if (v == null) {
            throw new NotFoundException(models.containsKey(name)
                    ? "version " + version + " of model '" + name + "' does not exist"
                    : "model '" + name + "' does not exist (looking for its version " + version + ")");
        }
        return v;
    }

    private static String aliasMismatch(String name, String alias, Integer current, Integer expected) {
        String actual = current == null ? "does not exist" : "points at version " + current;
        String wanted = expected == null ? "not to exist" : "to point at version " + expected;
        return "alias '" + alias + "' of model '" + name + "' " + actual + ", but the change expected it " + wanted
                + "; read the model again and retry";
    }

    private static String fold(String name) {
        return name.toLowerCase(Locale.ROOT);
    }

    private RunState existing(String runId) {
        RunState s = runs.get(runId);
        if (s == null) {
            throw new NotFoundException("run " + runId + " does not exist");
        }
        return s;
    }

    private RunState running(String runId, String what) {
        RunState s = existing(runId);
        if (s.status != RunStatus.RUNNING) {
            throw new ConflictException("cannot " + what + " run " + runId + ": it is " + s.status
                    + ", not RUNNING");
        }
        return s;
    }

    private <T> T read(Supplier<T> action) {
        Lock r = lock.readLock();
        r.lock();
        try {
            checkOpen();
            return action.get();
        } finally {
            r.unlock();
        }
    }

    private <T> T write(Supplier<T> action) {
        Lock w = lock.writeLock();
        w.lock();
        try {
            checkOpen();
            return action.get();
        } finally {
            w.unlock();
        }
    }

    /**
     * Called under the lock by {@link #read} and {@link #write}, and before anything else by the methods that do work
     * before taking the lock, so that a closed store fails with STORAGE whatever the arguments.
     */
    private void checkOpen() {
        if (closed) {
            throw new StorageException("the in-memory store is closed", null);
        }
    }

    /** The message of a write-once conflict: the key and the run, never a value (a param may be a secret). */
    private static String paramConflict(String key, String runId) {
        return "param '" + key + "' of run " + runId + " already has another value; params are write-once";
    }

    private static NewRun normalize(NewRun run) {
        return new NewRun(run.id(), run.jobName(), run.parentRunId(), AuditChain.truncate(run.startTime()),
                run.tags(), run.codeVersion(), run.environment());
    }

    private static RunKey keyOf(Run run) {
        return new RunKey(run.startTime(), run.id());
    }

    /** A run's position in search order. */
    record RunKey(Instant start, String id) {
    }

    /** A metric point with its position in history order. */
    record StoredPoint(long step, long timestampMillis, long seq, MetricPoint point) {
    }

    private record DatasetKey(String name, String version) {
    }

    /** A policy state's key and position in listing order: policy, then model. */
    record PolicyKey(String policy, String model) {
    }

    /** A model version's position in search order: model name, then number. */
    record VersionKey(String model, int version) {
    }

    /** The mutable state of a model; guarded by the store's lock. {@link #snapshot} is rebuilt after each change. */
    private static final class ModelState {
        final String name;
        final Instant createdTime;
        final String createdBy;
        String description;
        final Map<String, String> tags = new TreeMap<>();
        Governance governance;
        final Map<String, Integer> aliases = new TreeMap<>();
        int latestVersion;
        Instant updatedTime;
        /** Idempotency key to the number of the existing version registered with it. */
        final Map<String, Integer> versionsByKey = new HashMap<>();
        RegisteredModel snapshot;

        ModelState(NewModel created) {
            this.name = created.name();
            this.createdTime = created.createdTime();
            this.createdBy = created.createdBy();
            this.description = created.description();
            this.tags.putAll(created.tags());
            this.governance = created.governance();
            this.updatedTime = created.createdTime();
            refresh();
        }

        void refresh() {
            snapshot = new RegisteredModel(name, description, tags, governance, aliases, latestVersion, createdTime,
                    createdBy, updatedTime);
        }
    }

    /** The mutable state of a model version; guarded by the store's lock. */
    private static final class VersionState {
        final NewModelVersion created;
        VersionStatus status = VersionStatus.PENDING;
        ArtifactRef artifact;
        String statusMessage;
        final Map<String, String> tags = new TreeMap<>();
        String description;
        Approval approval = Approval.PENDING;
        final Set<String> aliases = new TreeSet<>();
        Instant updatedTime;
        ModelVersion snapshot;

        VersionState(NewModelVersion created) {
            this.created = created;
            this.tags.putAll(created.tags());
            this.description = created.description();
            this.updatedTime = created.createdTime();
            refresh();
        }

        void refresh() {
            snapshot = new ModelVersion(created.modelName(), created.version(), created.digest(), artifact, status,
                    statusMessage, created.runId(), created.signature(), created.metrics(), tags, description,
                    approval, List.copyOf(aliases), created.createdTime(), created.createdBy(), updatedTime);
        }
    }

    /** The mutable state of a run; guarded by the store's lock. {@link #snapshot} is rebuilt after each change. */
    private static final class RunState {
        final NewRun created;
        RunStatus status = RunStatus.RUNNING;
        Instant endTime;
        Instant lastHeartbeat;
        String error;
        final Map<String, String> params = new LinkedHashMap<>();
        final Map<String, String> tags = new LinkedHashMap<>();
        final Map<String, NavigableSet<StoredPoint>> metrics = new HashMap<>();
        final Map<String, MetricPoint> latest = new HashMap<>();
        final List<RunLink> links = new ArrayList<>();
        final Set<RunLink> linkSet = new LinkedHashSet<>();
        Run snapshot;

        RunState(NewRun created) {
            this.created = created;
            this.lastHeartbeat = created.startTime();
            this.tags.putAll(created.tags());
            refresh();
        }

        void refresh() {
            snapshot = new Run(created.id(), created.jobName(), status, created.startTime(), endTime, lastHeartbeat,
                    error, created.parentRunId(), params, tags, latest, links, created.codeVersion(),
                    created.environment());
        }
    }

    /**
     * Page tokens: URL-safe base64 (no padding) of a kind prefix and the keyset position of the last item returned.
     * Opaque to callers; a token that does not decode is {@code INVALID_ARGUMENT} on field {@code pageToken}.
     */
    static final class Tokens {
        private Tokens() {
        }

        static String encodeRun(RunKey key) {
            return encode("r1:" + key.start().toEpochMilli() + ":" + key.id());
        }

        static RunKey decodeRun(String token) {
            String[] parts = decode(token, "r1", 3);
            return new RunKey(Instant.ofEpochMilli(number(parts[1], token)), parts[2]);
        }

        static String encodePoint(StoredPoint p) {
            return encode("m1:" + p.step() + ":" + p.timestampMillis() + ":" + p.seq());
        }

        static StoredPoint decodePoint(String token) {
            String[] parts = decode(token, "m1", 4);
            return new StoredPoint(number(parts[1], token), number(parts[2], token), number(parts[3], token), null);
        }

        static String encodeDataset(long seq) {
            return encode("d1:" + seq);
        }

        static long decodeDataset(String token) {
            return number(decode(token, "d1", 2)[1], token);
        }

        static String encodeModel(String name) {
            return encode("g1:" + name);
        }

        static String decodeModel(String token) {
            return decode(token, "g1", 2)[1];
        }

        static String encodeVersion(VersionKey key) {
            return encode("v1:" + key.version() + ":" + key.model());
        }

        static VersionKey decodeVersion(String token) {
            String[] parts = decode(token, "v1", 3);
            long number = number(parts[1], token);
            if (number < 1 || number > Integer.MAX_VALUE) {
                throw invalid(token);
            }
            return new VersionKey(parts[2], (int) number);
        }

        static String encodeEntry(String kind, EntryTable.Position p) {
            return encode(kind + ":" + p.time() + ":" + p.id());
        }

        static EntryTable.Position decodeEntry(String kind, String token) {
            String[] parts = decode(token, kind, 3);
            return new EntryTable.Position(number(parts[1], token), parts[2]);
        }

        static String encodeDecision(long seq) {
            return encode("q1:" + seq);
        }

        static long decodeDecision(String token) {
            long seq = number(decode(token, "q1", 2)[1], token);
            if (seq < 1) {
                throw invalid(token);
            }
            return seq;
        }

        static String encodeRequest(long seq) {
            return encode("t1:" + seq);
        }

        static long decodeRequest(String token) {
            long seq = number(decode(token, "t1", 2)[1], token);
            if (seq < 1) {
                throw invalid(token);
            }
            return seq;
        }

        static String encodePolicy(PolicyKey key) {
            return encode("s1:" + key.policy().length() + ":" + key.policy() + key.model());
        }

        static PolicyKey decodePolicy(String token) {
            String[] parts = decode(token, "s1", 3);
            long length = number(parts[1], token);
            if (length < 1 || length >= parts[2].length()) {
                throw invalid(token);
            }
            return new PolicyKey(parts[2].substring(0, (int) length), parts[2].substring((int) length));
        }

        private static String encode(String position) {
            return Base64.getUrlEncoder().withoutPadding().encodeToString(position.getBytes(StandardCharsets.UTF_8));
        }

        private static String[] decode(String token, String kind, int parts) {
            String text;
            try {
                text = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw invalid(token);
            }
            String[] split = text.split(":", parts);
            if (split.length != parts || !split[0].equals(kind) || split[parts - 1].isEmpty()) {
                throw invalid(token);
            }
            return split;
        }

        private static long number(String text, String token) {
            try {
                return Long.parseLong(text);
            } catch (NumberFormatException e) {
                throw invalid(token);
            }
        }

        private static InvalidArgumentException invalid(String token) {
            String shown = token.length() > 40 ? token.substring(0, 40) + "..." : token;
            return new InvalidArgumentException("pageToken", "pageToken '" + shown
                    + "' is not a token of this listing; pass the nextPageToken of the previous page unchanged");
        }
    }
}
