package dev.mlops.store.jdbc;

import dev.mlops.AlreadyExistsException;
import dev.mlops.ConflictException;
import dev.mlops.Created;
import dev.mlops.InvalidArgumentException;
import dev.mlops.NotFoundException;
import dev.mlops.Page;
import dev.mlops.PageRequest;
import dev.mlops.StorageException;
import dev.mlops.audit.AuditCheckpoint;
import dev.mlops.audit.AuditEvent;
import dev.mlops.data.DatasetVersion;
import dev.mlops.lineage.Direction;
import dev.mlops.lineage.EdgeKind;
import dev.mlops.lineage.LineageEdge;
import dev.mlops.lineage.NodeRef;
import dev.mlops.spi.MetadataStore;
import dev.mlops.spi.PendingAuditEvent;
import dev.mlops.tracking.CodeVersion;
import dev.mlops.tracking.MetricPoint;
import dev.mlops.tracking.NewRun;
import dev.mlops.tracking.Run;
import dev.mlops.tracking.RunLink;
import dev.mlops.tracking.RunQuery;
import dev.mlops.tracking.RunStatus;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The metadata store on a relational database over JDBC: SQLite (one file, see {@link #sqlite(Path)} and the
 * {@code sqlite:PATH} store URI) or PostgreSQL (the {@code jdbc:postgresql://} URI of {@link JdbcStoreProvider}).
 * Every change and its audit event are one write transaction; listings are keyset-paginated; the schema is
 * versioned and migrated when the store is opened. Several instances, in one or several processes, may use the same
 * database at once.
 *
 * <p>Thread-safe. {@link #close()} releases the connections; afterwards every method except {@link #close()} and
 * {@link #describe()} fails with {@link StorageException}. The layout of the database is documented in
 * {@code docs/storage.md}.
 */
public final class JdbcStore implements MetadataStore {
    private final String description;
    private final Transactions transactions;
    private final RunTable runs;
    private final int schemaVersion;

    JdbcStore(String description, Dialect dialect, ConnectionSource connections) {
        this.description = description;
        this.transactions = new Transactions(description, dialect, connections);
        this.runs = new RunTable(dialect);
        try {
            Migrator migrator = new Migrator(description, transactions);
            migrator.migrate();
            this.schemaVersion = migrator.latestVersion();
        } catch (RuntimeException e) {
            transactions.close();
            throw e;
        }
    }

    /**
     * Opens (creating it and its parent folders when missing, and migrating its schema when older) the SQLite
     * store in {@code file}.
     *
     * @throws StorageException when the SQLite driver ({@code org.xerial:sqlite-jdbc}) is missing, the file cannot
     *         be created or read, is not a SQLite database or not an mlops store, or was written by a newer version
     */
    public static JdbcStore sqlite(Path file) {
        Objects.requireNonNull(file, "file");
        Path path = file.toAbsolutePath().normalize();
        String description = "sqlite:" + path;
        if (Files.isDirectory(path)) {
            throw new StorageException(description + ": is a folder, not a database file", null);
        }
        Path parent = path.getParent();
        if (parent != null) {
            try {
                Files.createDirectories(parent);
            } catch (FileAlreadyExistsException e) {
                throw new StorageException(description + ": cannot create folder " + parent
                        + ": a file of that name exists", e);
            } catch (IOException e) {
                throw new StorageException(description + ": cannot create folder " + parent + ": " + e, e);
            }
        }
        if (Files.exists(path) && !Files.isReadable(path)) {
            throw new StorageException(description + ": the file cannot be read; check its permissions", null);
        }
        SqliteDialect dialect = new SqliteDialect(description);
        return new JdbcStore(description, dialect, new ConnectionPool(dialect.opener(path), SqliteDialect.POOL_SIZE));
    }

    @Override
    public String describe() {
        return description;
    }

    /** The schema version of the database (the highest this library knows, once opened). */
    public int schemaVersion() {
        return schemaVersion;
    }

    // ---- runs -----------------------------------------------------------------------------------------------------

    @Override
    public Created<Run> createRun(NewRun run, PendingAuditEvent audit) {
        return transactions.write("create run " + run.id(), c -> {
            Optional<RunTable.Row> existing = runs.row(c, run.id());
            if (existing.isPresent()) {
                String difference = difference(existing.get(), run);
                if (difference != null) {
                    throw new AlreadyExistsException("run " + run.id() + " exists already with a different "
                            + difference);
                }
                return new Created<>(runs.load(c, run.id()).orElseThrow(), false);
            }
            if (run.parentRunId() != null && runs.row(c, run.parentRunId()).isEmpty()) {
                throw new NotFoundException("parent run " + run.parentRunId() + " of run " + run.id()
                        + " not found");
            }
            runs.insert(c, run);
            AuditTable.append(c, audit);
            return new Created<>(runs.load(c, run.id()).orElseThrow(), true);
        });
    }

    /** What differs between the stored creation of a run and {@code run}, or null when nothing does. */
    private static String difference(RunTable.Row stored, NewRun run) {
        if (!stored.jobName().equals(run.jobName())) {
            return "job name ('" + stored.jobName() + "', not '" + run.jobName() + "')";
        }
        if (!Objects.equals(stored.parentRunId(), run.parentRunId())) {
            return "parent run (" + stored.parentRunId() + ", not " + run.parentRunId() + ")";
        }
        if (Jdbc.millis(stored.startTime()) != Jdbc.millis(run.startTime())) {
            return "start time (" + stored.startTime() + ", not " + run.startTime() + ")";
        }
        CodeVersion code = run.codeVersion();
        if (!Objects.equals(stored.codeVersion(), code)) {
            return "code version";
        }
        if (!stored.environment().equals(run.environment())) {
            return "environment";
        }
        if (!stored.initialTags().equals(run.tags())) {
            return "set of initial tags";
        }
        return null;
    }

    @Override
    public Optional<Run> getRun(String runId) {
        return transactions.read("read run " + runId, c -> runs.load(c, runId));
    }

    @Override
    public Page<Run> searchRuns(RunQuery query, PageRequest page) {
        return transactions.read("search runs", c -> runs.search(c, query, page.pageSize(), page.pageToken()));
    }

    @Override
    public Run finishRun(String runId, RunStatus status, Instant endTime, String error, PendingAuditEvent audit) {
        transactions.requireOpen("finish run " + runId);
        if (!status.isTerminal()) {
            throw new InvalidArgumentException("status", "status must be COMPLETED, FAILED or ABORTED to finish run "
                    + runId + ", was " + status);
        }
        return transactions.write("finish run " + runId, c -> {
            RunStatus current = runs.status(c, runId);
            if (current != RunStatus.RUNNING) {
                throw new ConflictException("cannot finish run " + runId + " as " + status + ": it is " + current
                        + " already");
            }
            runs.finish(c, runId, status, endTime, error);
            AuditTable.append(c, audit);
            return runs.load(c, runId).orElseThrow();
        });
    }

    @Override
    public void heartbeat(String runId, Instant at) {
        transactions.write("record a heartbeat of run " + runId, c -> {
            if (!runs.heartbeat(c, runId, at)) {
                runs.status(c, runId);
            }
            return null;
        });
    }

    @Override
    public void logParams(String runId, Map<String, String> params, PendingAuditEvent audit) {
        transactions.write("log params of run " + runId, c -> {
            runs.requireRunning(c, runId, "log params");
            Map<String, String> stored = runs.params(c, runId);
            Map<String, String> added = new LinkedHashMap<>();
            for (String key : new TreeSet<>(params.keySet())) {
                String value = params.get(key);
                String old = stored.get(key);
                if (old == null) {
                    added.put(key, value);
                } else if (!old.equals(value)) {
                    // Neither value is named: a param may be a secret.
                    throw new ConflictException("param '" + key + "' of run " + runId + " already has another value;"
                            + " params are write-once");
                }
            }
            runs.insertParams(c, runId, added);
            AuditTable.append(c, audit);
            return null;
        });
    }

    @Override
    public void setTags(String runId, Map<String, String> tags, PendingAuditEvent audit) {
        transactions.write("set tags of run " + runId, c -> {
            runs.status(c, runId);
            runs.upsertTags(c, runId, tags);
            AuditTable.append(c, audit);
            return null;
        });
    }

    @Override
    public void logMetrics(String runId, List<MetricPoint> points, PendingAuditEvent audit) {
        transactions.write("log metrics of run " + runId, c -> {
            runs.requireRunning(c, runId, "log metrics");
            runs.insertMetrics(c, runId, points);
            AuditTable.append(c, audit);
            return null;
        });
    }

    @Override
    public Page<MetricPoint> metricHistory(String runId, String key, PageRequest page) {
        return transactions.read("read metric " + key + " of run " + runId, c -> {
            runs.status(c, runId);
            return runs.metricHistory(c, runId, key, page.pageSize(), page.pageToken());
        });
    }

    @Override
    public void addLinks(String runId, List<RunLink> links, PendingAuditEvent audit) {
        transactions.write("add inputs and outputs of run " + runId, c -> {
            runs.requireRunning(c, runId, "add inputs or outputs");
            runs.insertLinks(c, runId, links);
            AuditTable.append(c, audit);
            return null;
        });
    }

    // ---- datasets -------------------------------------------------------------------------------------------------

    /**
     * Registers a dataset version. The digest is the content, so a (name, digest) that exists is the same version
     * whatever the new registration says about its source, format, tags, time or author: the stored one is
     * returned with {@code created = false} (a schema inferred differently by another library version does not
     * make the same bytes another version).
     */
    @Override
    public Created<DatasetVersion> registerDataset(DatasetVersion version, PendingAuditEvent audit) {
        String id = version.name() + "@" + version.version();
        return transactions.write("register dataset version " + id, c -> {
            Optional<DatasetVersion> existing = DatasetTable.find(c, version.name(), version.version());
            if (existing.isPresent()) {
                return new Created<>(existing.get(), false);
            }
            DatasetTable.insert(c, version);
            AuditTable.append(c, audit);
            return new Created<>(DatasetTable.find(c, version.name(), version.version()).orElseThrow(), true);
        });
    }

    @Override
    public Optional<DatasetVersion> getDataset(String name, String version) {
        return transactions.read("read dataset version " + name + "@" + version,
                c -> DatasetTable.find(c, name, version));
    }

    @Override
    public Page<DatasetVersion> listDatasets(String name, PageRequest page) {
        return transactions.read("list dataset versions",
                c -> DatasetTable.list(c, name, page.pageSize(), page.pageToken()));
    }

    // ---- lineage --------------------------------------------------------------------------------------------------

    @Override
    public List<LineageEdge> lineageEdges(Collection<NodeRef> nodes, Direction direction) {
        List<String> ids = nodes.stream().map(NodeRef::id).distinct().toList();
        if (ids.isEmpty()) {
            transactions.requireOpen("read lineage edges");
            return List.of();
        }
        return transactions.read("read lineage edges", c -> {
            Map<String, LineageEdge> edges = new LinkedHashMap<>();
            for (List<String> chunk : RunTable.chunks(ids, transactions.dialect().maxInListSize())) {
                String in = Sql.parameters(chunk.size());
                if (direction != Direction.DOWNSTREAM) {
                    collectEdges(c, Sql.EDGES_TO + in, chunk, edges);
                }
                if (direction != Direction.UPSTREAM) {
                    collectEdges(c, Sql.EDGES_FROM + in, chunk, edges);
                }
            }
            List<LineageEdge> sorted = new ArrayList<>(edges.values());
            sorted.sort(Comparator.comparing((LineageEdge e) -> e.from().id()).thenComparing(e -> e.to().id())
                    .thenComparing(LineageEdge::kind));
            return sorted;
        });
    }

    private static void collectEdges(Connection c, String sql, List<String> ids, Map<String, LineageEdge> into)
            throws SQLException {
        Jdbc.query(c, sql, ids, rs -> {
            LineageEdge edge = new LineageEdge(NodeRef.parse(rs.getString(1)), NodeRef.parse(rs.getString(2)),
                    EdgeKind.valueOf(rs.getString(3)));
            return into.putIfAbsent(edge.from().id() + "\n" + edge.to().id() + "\n" + edge.kind(), edge);
        });
    }

    // ---- audit ----------------------------------------------------------------------------------------------------

    @Override
    public List<AuditEvent> auditEvents(long afterSeq, int limit) {
        if (limit <= 0) {
            transactions.requireOpen("read audit events");
            return List.of();
        }
        return transactions.read("read audit events", c -> AuditTable.after(c, afterSeq, limit));
    }

    @Override
    public Optional<AuditEvent> auditHead() {
        return transactions.read("read the audit head", AuditTable::head);
    }

    /** Returns the event with its data erased. */
    @Override
    public AuditEvent eraseAuditData(long seq, PendingAuditEvent audit) {
        return transactions.write("erase the data of audit event " + seq, c -> {
            AuditEvent target = AuditTable.event(c, seq)
                    .orElseThrow(() -> new NotFoundException("audit event " + seq + " not found"));
            AuditTable.eraseData(c, seq);
            AuditTable.append(c, audit);
            return target.withDataErased();
        });
    }

    @Override
    public void addCheckpoint(AuditCheckpoint checkpoint, PendingAuditEvent audit) {
        transactions.write("add an audit checkpoint", c -> {
            AuditTable.insertCheckpoint(c, checkpoint);
            AuditTable.append(c, audit);
            return null;
        });
    }

    @Override
    public List<AuditCheckpoint> checkpoints() {
        return transactions.read("read audit checkpoints", AuditTable::checkpoints);
    }

    @Override
    public void close() {
        transactions.close();
    }

    @Override
    public String toString() {
        return "JdbcStore[" + description + "]";
    }
}
