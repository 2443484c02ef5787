package dev.mlops.store.memory;

import dev.mlops.AlreadyExistsException;
import dev.mlops.ConflictException;
import dev.mlops.Created;
import dev.mlops.InvalidArgumentException;
import dev.mlops.NotFoundException;
import dev.mlops.Page;
import dev.mlops.PageRequest;
import dev.mlops.StorageException;
import dev.mlops.audit.AuditChain;
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
 * (start time desc, id desc) from the page's keyset position, so paging through all runs is linear.
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

    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();

    private final Map<String, RunState> runs = new HashMap<>();
    private final NavigableMap<RunKey, RunState> runsByStart = new TreeMap<>(RUN_ORDER);
    private long pointSeq;

    private final Map<DatasetKey, DatasetVersion> datasets = new HashMap<>();
    private final NavigableMap<Long, DatasetVersion> datasetsBySeq = new TreeMap<>();
    private final Map<String, NavigableMap<Long, DatasetVersion>> datasetsByName = new HashMap<>();
    private long datasetSeq;

    private final Map<NodeRef, Set<LineageEdge>> edgesFrom = new HashMap<>();
    private final Map<NodeRef, Set<LineageEdge>> edgesTo = new HashMap<>();

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
                edgesFrom.computeIfAbsent(edge.from(), n -> new HashSet<>()).add(edge);
                edgesTo.computeIfAbsent(edge.to(), n -> new HashSet<>()).add(edge);
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
        AuditEvent head = audit.isEmpty() ? null : audit.get(audit.size() - 1);
        audit.add(AuditChain.seal(head, Objects.requireNonNull(event, "audit")));
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
