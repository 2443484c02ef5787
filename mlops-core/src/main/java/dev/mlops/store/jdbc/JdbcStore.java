package dev.mlops.store.jdbc;

import dev.mlops.AlreadyExistsException;
import dev.mlops.ConflictException;
import dev.mlops.Created;
import dev.mlops.InvalidArgumentException;
import dev.mlops.NotFoundException;
import dev.mlops.Page;
import dev.mlops.PageRequest;
import dev.mlops.StorageException;
import dev.mlops.artifact.ArtifactRef;
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
import dev.mlops.spi.PolicyDecisionEntry;
import dev.mlops.spi.PolicyStateEntry;
import dev.mlops.spi.RetrainingRequestEntry;
import dev.mlops.spi.ProfileEntry;
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
import java.util.Collections;
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
    private final ModelTable models;
    private final ModelVersionTable versions;
    private final int schemaVersion;

    JdbcStore(String description, Dialect dialect, ConnectionSource connections) {
        this.description = description;
        this.transactions = new Transactions(description, dialect, connections);
        this.runs = new RunTable(dialect);
        this.models = new ModelTable(dialect);
        this.versions = new ModelVersionTable(dialect);
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

    // ---- model registry -------------------------------------------------------------------------------------------

    /**
     * Creates a model, idempotent on the exact name. A model whose name equals {@code model.name()} ignoring case
     * ({@code toLowerCase(Locale.ROOT)}) but not exactly is {@code ALREADY_EXISTS}, naming that model; the unique
     * {@code name_key} column enforces it even against a writer that skipped this check.
     */
    @Override
    public Created<RegisteredModel> createModel(NewModel model, PendingAuditEvent audit) {
        String name = model.name();
        return transactions.write("create model " + name, c -> {
            Optional<RegisteredModel> existing = models.load(c, name);
            if (existing.isPresent()) {
                return new Created<>(existing.get(), false);
            }
            Optional<String> other = models.nameIgnoringCase(c, name);
            if (other.isPresent()) {
                throw new AlreadyExistsException("cannot create model '" + name + "': model '" + other.get()
                        + "' exists, and model names must differ in more than case");
            }
            models.insert(c, model);
            AuditTable.append(c, audit);
            return new Created<>(models.load(c, name).orElseThrow(), true);
        });
    }

    @Override
    public Optional<RegisteredModel> getModel(String name) {
        return transactions.read("read model " + name, c -> models.load(c, name));
    }

    @Override
    public Page<RegisteredModel> searchModels(ModelQuery query, PageRequest page) {
        return transactions.read("search models", c -> models.search(c, query, page.pageSize(), page.pageToken()));
    }

    @Override
    public RegisteredModel updateModel(String name, ModelUpdate update, PendingAuditEvent audit) {
        return transactions.write("update model " + name, c -> {
            requireModel(c, name);
            if (update.description() != null) {
                models.setDescription(c, name, update.description());
            }
            if (update.governance() != null) {
                models.setGovernance(c, name, update.governance());
            }
            models.upsertTags(c, name, update.setTags());
            models.removeTags(c, name, update.removeTags());
            models.touch(c, name, update.time());
            AuditTable.append(c, audit);
            return models.load(c, name).orElseThrow();
        });
    }

    /**
     * Registers a version with the next number. The check of the number and the insert run in one write
     * transaction, which holds the database's write lock, so concurrent writers get 1, 2, 3, ... without gap or
     * duplicate, the losers a {@code CONFLICT} that names the next number.
     */
    @Override
    public Created<ModelVersion> createModelVersion(NewModelVersion version, PendingAuditEvent audit) {
        String name = version.modelName();
        int number = version.version();
        return transactions.write("register model version " + name + "/" + number, c -> {
            ModelTable.Row model = requireModel(c, name);
            if (version.idempotencyKey() != null) {
                Optional<Integer> registered = versions.numberOf(c, name, version.idempotencyKey());
                if (registered.isPresent()) {
                    return new Created<>(versions.load(c, name, registered.get()).orElseThrow(), false);
                }
            }
            int next = model.latestVersion() + 1;
            if (number != next) {
                throw new ConflictException("cannot register version " + number + " of model '" + name
                        + "': the next version is " + next + " (latest registered: " + model.latestVersion() + ")");
            }
            if (version.runId() != null && runs.row(c, version.runId()).isEmpty()) {
                throw new NotFoundException("run " + version.runId() + " of model version " + name + "/" + number
                        + " not found");
            }
            versions.insert(c, version);
            models.setLatestVersion(c, name, number, version.createdTime());
            if (version.runId() != null) {
                runs.insertLinks(c, version.runId(), List.of(RunLink.output(NodeRef.model(name, number))));
            }
            AuditTable.append(c, audit);
            return new Created<>(versions.load(c, name, number).orElseThrow(), true);
        });
    }

    @Override
    public Optional<ModelVersion> getModelVersion(String name, int version) {
        return transactions.read("read model version " + name + "/" + version, c -> versions.load(c, name, version));
    }

    @Override
    public Page<ModelVersion> searchModelVersions(VersionQuery query, PageRequest page) {
        return transactions.read("search model versions",
                c -> versions.search(c, query, page.pageSize(), page.pageToken()));
    }

    @Override
    public ModelVersion finishModelVersion(String name, int version, VersionStatus status, ArtifactRef artifact,
            String message, Instant time, PendingAuditEvent audit) {
        String ref = name + "/" + version;
        transactions.requireOpen("finish model version " + ref);
        if (status == VersionStatus.PENDING) {
            throw new InvalidArgumentException("status", "status must be READY or FAILED to finish model version "
                    + ref + ", was PENDING");
        }
        if (status == VersionStatus.READY && artifact == null) {
            throw new InvalidArgumentException("artifact", "a READY model version needs its stored artifact; none"
                    + " was given for " + ref);
        }
        if (status == VersionStatus.FAILED && message == null) {
            throw new InvalidArgumentException("message", "a FAILED model version needs a message saying why; none"
                    + " was given for " + ref);
        }
        return transactions.write("finish model version " + ref, c -> {
            ModelVersionTable.Row row = requireVersion(c, name, version);
            if (row.status() != VersionStatus.PENDING) {
                throw new ConflictException("cannot finish model version " + ref + " as " + status + ": it is "
                        + row.status() + " already, and only a PENDING version can be finished");
            }
            if (status == VersionStatus.READY && !artifact.digest().equals(row.digest())) {
                throw new InvalidArgumentException("artifact", "the artifact's digest " + artifact.digest()
                        + " is not the declared digest " + row.digest() + " of model version " + ref);
            }
            versions.finish(c, name, version, status, artifact, message, time);
            AuditTable.append(c, audit);
            return versions.load(c, name, version).orElseThrow();
        });
    }

    @Override
    public ModelVersion updateModelVersion(String name, int version, ModelUpdate update, PendingAuditEvent audit) {
        return transactions.write("update model version " + name + "/" + version, c -> {
            requireVersion(c, name, version);
            if (update.description() != null) {
                versions.setDescription(c, name, version, update.description());
            }
            versions.upsertTags(c, name, version, update.setTags());
            versions.removeTags(c, name, version, update.removeTags());
            versions.touch(c, name, version, update.time());
            AuditTable.append(c, audit);
            return versions.load(c, name, version).orElseThrow();
        });
    }

    @Override
    public ModelVersion decideApproval(String name, int version, Approval decision, PendingAuditEvent audit) {
        String ref = name + "/" + version;
        transactions.requireOpen("decide the approval of model version " + ref);
        if (decision.status() == ApprovalStatus.PENDING) {
            throw new InvalidArgumentException("decision", "a decision on model version " + ref
                    + " is APPROVED or REJECTED, not PENDING");
        }
        return transactions.write("decide the approval of model version " + ref, c -> {
            ModelVersionTable.Row row = requireVersion(c, name, version);
            if (row.approval().status() != ApprovalStatus.PENDING) {
                throw new ConflictException("cannot " + (decision.status() == ApprovalStatus.APPROVED ? "approve"
                        : "reject") + " model version " + ref + ": it is " + row.approval().status()
                        + " already, and an approval is decided once");
            }
            versions.decide(c, name, version, decision);
            AuditTable.append(c, audit);
            return versions.load(c, name, version).orElseThrow();
        });
    }

    @Override
    public AliasChange setAlias(String name, String alias, int version, Integer expectedCurrent, Instant time,
            PendingAuditEvent audit) {
        return setAlias(name, alias, version, expectedCurrent, time, Collections.singletonList(audit));
    }

    @Override
    public AliasChange setAlias(String name, String alias, int version, Integer expectedCurrent, Instant time,
            List<PendingAuditEvent> audit) {
        String what = "set alias " + alias + " of model " + name;
        transactions.requireOpen(what);
        List<PendingAuditEvent> events = aliasEvents(name, alias, audit);
        return transactions.write(what, c -> moveAlias(c, name, alias, version, expectedCurrent, time, events));
    }

    /**
     * Inside the caller's write transaction: points {@code alias} at {@code version} if it points at
     * {@code expectedCurrent} and the version is READY, and appends {@code events}.
     */
    private AliasChange moveAlias(Connection c, String name, String alias, int version, Integer expectedCurrent,
            Instant time, List<PendingAuditEvent> events) throws SQLException {
        requireModel(c, name);
        ModelVersionTable.Row row = requireVersion(c, name, version);
        Integer current = models.alias(c, name, alias);
        if (!Objects.equals(current, expectedCurrent)) {
            throw new ConflictException("cannot point alias '" + alias + "' of model '" + name + "' at version "
                    + version + ": " + target(current) + " (" + expectation(expectedCurrent) + ")");
        }
        if (row.status() != VersionStatus.READY) {
            throw new ConflictException("cannot point alias '" + alias + "' of model '" + name + "' at version "
                    + version + ": it is " + row.status() + ", and only a READY version can have an alias");
        }
        models.putAlias(c, name, alias, version);
        models.touch(c, name, time);
        versions.touch(c, name, version, time);
        if (current != null && current != version) {
            versions.touch(c, name, current, time);
        }
        for (PendingAuditEvent e : events) {
            AuditTable.append(c, e);
        }
        return new AliasChange(name, alias, current, version);
    }

    @Override
    public Optional<AuditEvent> recordPromotionVerdict(String name, String alias, int candidate, boolean move,
            Integer expectedCurrent, Instant time, List<PendingAuditEvent> audit) {
        String what = "record the gate verdict on version " + candidate + " of model " + name + " taking alias "
                + alias;
        transactions.requireOpen(what);
        VerdictJson.checkAudit(name, alias, candidate, audit);
        List<PendingAuditEvent> events = List.copyOf(audit);
        // The write transaction holds the store's write lock from its start (BEGIN IMMEDIATE, the advisory lock), so
        // no other writer can record a verdict between the look-up and the appends.
        return transactions.write(what, c -> {
            List<AuditEvent> recorded = AuditTable.bySubject(c, VerdictJson.ACTION,
                    VerdictJson.subject(name, candidate));
            for (int i = recorded.size() - 1; i >= 0; i--) {
                AuditEvent e = recorded.get(i);
                if (VerdictJson.records(e.action(), e.subject(), e.data(), name, alias, candidate)) {
                    return Optional.of(e);
                }
            }
            if (move) {
                moveAlias(c, name, alias, candidate, expectedCurrent, time, events);
            } else {
                for (PendingAuditEvent e : events) {
                    AuditTable.append(c, e);
                }
            }
            return Optional.<AuditEvent>empty();
        });
    }

    /** The events of an alias change, copied: at least one, none null. */
    private static List<PendingAuditEvent> aliasEvents(String name, String alias, List<PendingAuditEvent> audit) {
        if (audit == null || audit.isEmpty()) {
            throw new InvalidArgumentException("audit", "setting alias '" + alias + "' of model '" + name
                    + "' needs at least one audit event");
        }
        for (int i = 0; i < audit.size(); i++) {
            if (audit.get(i) == null) {
                throw new InvalidArgumentException("audit", "audit[" + i + "] of setting alias '" + alias
                        + "' of model '" + name + "' is null");
            }
        }
        return List.copyOf(audit);
    }

    @Override
    public AliasChange deleteAlias(String name, String alias, int expectedCurrent, Instant time,
            PendingAuditEvent audit) {
        return transactions.write("delete alias " + alias + " of model " + name, c -> {
            requireModel(c, name);
            Integer current = models.alias(c, name, alias);
            if (current == null) {
                throw new NotFoundException("alias '" + alias + "' of model '" + name + "' not found");
            }
            if (current != expectedCurrent) {
                throw new ConflictException("cannot delete alias '" + alias + "' of model '" + name + "': "
                        + target(current) + " (" + expectation(expectedCurrent) + ")");
            }
            models.deleteAlias(c, name, alias);
            models.touch(c, name, time);
            versions.touch(c, name, current, time);
            AuditTable.append(c, audit);
            return new AliasChange(name, alias, current, null);
        });
    }

    /** What an alias points at, for a conflict's message. */
    private static String target(Integer current) {
        return current == null ? "the alias does not exist" : "the alias points at version " + current;
    }

    private static String expectation(Integer expected) {
        return expected == null ? "expected it not to exist" : "expected version " + expected;
    }

    @Override
    public void deleteModelVersion(String name, int version, PendingAuditEvent audit) {
        String ref = name + "/" + version;
        transactions.write("delete model version " + ref, c -> {
            requireVersion(c, name, version);
            List<String> aliases = models.aliasesOf(c, name, version);
            if (!aliases.isEmpty()) {
                throw new ConflictException("cannot delete model version " + ref + ": alias"
                        + (aliases.size() == 1 ? " " : "es ") + String.join(", ", aliases)
                        + (aliases.size() == 1 ? " points" : " point") + " at it; move or delete "
                        + (aliases.size() == 1 ? "it" : "them") + " first");
            }
            versions.delete(c, name, version);
            AuditTable.append(c, audit);
            return null;
        });
    }

    private ModelTable.Row requireModel(Connection c, String name) throws SQLException {
        Optional<ModelTable.Row> row = models.row(c, name);
        if (row.isEmpty()) {
            throw new NotFoundException("model '" + name + "' not found");
        }
        return row.get();
    }

    private ModelVersionTable.Row requireVersion(Connection c, String name, int version) throws SQLException {
        Optional<ModelVersionTable.Row> row = versions.row(c, name, version);
        if (row.isEmpty()) {
            throw new NotFoundException("model version " + name + "/" + version + " not found");
        }
        return row.get();
    }

    // ---- audit-only events ----------------------------------------------------------------------------------------

    @Override
    public void appendAuditEvent(PendingAuditEvent audit) {
        transactions.write("append an audit event", c -> {
            AuditTable.append(c, audit);
            return null;
        });
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

    // ---- profiles and drift reports -------------------------------------------------------------------------------

    @Override
    public Created<ProfileEntry> saveProfile(ProfileEntry profile, PendingAuditEvent audit) {
        return transactions.write("save profile '" + profile.key() + "' of " + profile.subject(), c -> {
            Optional<ProfileEntry> existing = ProfileTable.existing(c, profile);
            if (existing.isPresent()) {
                return new Created<>(existing.get(), false);
            }
            ProfileTable.insert(c, profile);
            AuditTable.append(c, audit);
            return new Created<>(ProfileTable.profile(c, profile.id()).orElseThrow(), true);
        });
    }

    @Override
    public Optional<ProfileEntry> getProfile(String id) {
        return transactions.read("read profile " + id, c -> ProfileTable.profile(c, id));
    }

    @Override
    public Optional<ProfileEntry> findProfile(String subject, String key) {
        return transactions.read("read profile '" + key + "' of " + subject,
                c -> ProfileTable.profile(c, subject, key));
    }

    @Override
    public Page<ProfileEntry> searchProfiles(ProfileQuery query, PageRequest page) {
        return transactions.read("search profiles of " + query.subject(),
                c -> ProfileTable.searchProfiles(c, query, page.pageSize(), page.pageToken()));
    }

    @Override
    public Created<DriftReportEntry> saveDriftReport(DriftReportEntry report, PendingAuditEvent audit) {
        return transactions.write("save drift report '" + report.key() + "' of " + report.subject(), c -> {
            for (String id : java.util.Arrays.asList(report.referenceProfileId(), report.currentProfileId())) {
                if (id != null && ProfileTable.profile(c, id).isEmpty()) {
                    throw new NotFoundException("profile " + id + ", linked by drift report '" + report.key()
                            + "' of " + report.subject() + ", not found");
                }
            }
            Optional<DriftReportEntry> existing = ProfileTable.existing(c, report);
            if (existing.isPresent()) {
                return new Created<>(existing.get(), false);
            }
            ProfileTable.insert(c, report);
            AuditTable.append(c, audit);
            return new Created<>(ProfileTable.report(c, report.id()).orElseThrow(), true);
        });
    }

    @Override
    public Optional<DriftReportEntry> getDriftReport(String id) {
        return transactions.read("read drift report " + id, c -> ProfileTable.report(c, id));
    }

    @Override
    public Optional<DriftReportEntry> findDriftReport(String subject, String key) {
        return transactions.read("read drift report '" + key + "' of " + subject,
                c -> ProfileTable.report(c, subject, key));
    }

    @Override
    public Page<DriftReportEntry> searchDriftReports(ProfileQuery query, PageRequest page) {
        return transactions.read("search drift reports of " + query.subject(),
                c -> ProfileTable.searchReports(c, query, page.pageSize(), page.pageToken()));
    }

    // ---- retraining policies -------------------------------------------------------------------------------------

    @Override
    public Optional<PolicyStateEntry> getPolicyState(String policy, String model) {
        return transactions.read("read the state of policy '" + policy + "' for model '" + model + "'",
                c -> PolicyTable.state(c, policy, model));
    }

    @Override
    public void savePolicyState(PolicyStateEntry state, long expectedVersion, List<PolicyDecisionEntry> decisions,
            List<PendingAuditEvent> audit) {
        String what = "save the state of policy '" + state.policy() + "' for model '" + state.model() + "'";
        transactions.requireOpen(what);
        state.checkSave(expectedVersion, decisions, audit);
        List<PolicyDecisionEntry> given = List.copyOf(decisions);
        List<PendingAuditEvent> events = List.copyOf(audit);
        transactions.write(what, c -> {
            PolicyTable.save(c, state, expectedVersion, given);
            for (PendingAuditEvent e : events) {
                AuditTable.append(c, e);
            }
            return null;
        });
    }

    @Override
    public Optional<PolicyDecisionEntry> findPolicyDecision(String policy, String model, String windowId) {
        return transactions.read("read the decision of policy '" + policy + "' for model '" + model + "', window '"
                + windowId + "'", c -> PolicyTable.decision(c, policy, model, windowId));
    }

    @Override
    public Page<PolicyDecisionEntry> listPolicyDecisions(String policy, String model, PageRequest page) {
        return transactions.read("list the decisions of policy '" + policy + "' for model '" + model + "'",
                c -> PolicyTable.decisions(c, policy, model, page.pageSize(), page.pageToken()));
    }

    @Override
    public Page<PolicyStateEntry> listPolicyStates(PageRequest page) {
        return transactions.read("list policy states",
                c -> PolicyTable.states(c, page.pageSize(), page.pageToken()));
    }

    @Override
    public Created<RetrainingRequestEntry> createRetrainingRequest(RetrainingRequestEntry request,
            PendingAuditEvent audit) {
        return transactions.write("create retraining request '" + request.key() + "'", c -> {
            Optional<RetrainingRequestEntry> stored = PolicyTable.request(c, request.key());
            if (stored.isPresent()) {
                return new Created<>(stored.get(), false);
            }
            PolicyTable.insert(c, request);
            AuditTable.append(c, audit);
            return new Created<>(PolicyTable.request(c, request.key()).orElseThrow(), true);
        });
    }

    @Override
    public RetrainingRequestEntry updateRetrainingRequest(RetrainingRequestEntry next, String expectedStatus,
            int expectedAttempt, PendingAuditEvent audit) {
        return transactions.write("update retraining request '" + next.key() + "'", c -> {
            RetrainingRequestEntry stored = PolicyTable.request(c, next.key()).orElseThrow(
                    () -> new NotFoundException("retraining request '" + next.key() + "' not found"));
            next.checkReplaces(stored);
            if (!PolicyTable.update(c, next, expectedStatus, expectedAttempt)) {
                throw new ConflictException("retraining request '" + next.key() + "' is " + stored.status()
                        + " (attempt " + stored.attempt() + "), not " + expectedStatus + " (attempt "
                        + expectedAttempt + "); another caller moved it on");
            }
            AuditTable.append(c, audit);
            return PolicyTable.request(c, next.key()).orElseThrow();
        });
    }

    @Override
    public Optional<RetrainingRequestEntry> getRetrainingRequest(String key) {
        return transactions.read("read retraining request '" + key + "'", c -> PolicyTable.request(c, key));
    }

    @Override
    public Page<RetrainingRequestEntry> listRetrainingRequests(String policy, String model,
            java.util.Set<String> statuses, PageRequest page) {
        return transactions.read("list retraining requests",
                c -> PolicyTable.requests(c, policy, model, statuses, page.pageSize(), page.pageToken()));
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
