package dev.mlops.store.jdbc;

import static dev.mlops.store.jdbc.Fixtures.T0;
import static dev.mlops.store.jdbc.Fixtures.audit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.AlreadyExistsException;
import dev.mlops.ConflictException;
import dev.mlops.InvalidArgumentException;
import dev.mlops.MlopsException;
import dev.mlops.NotFoundException;
import dev.mlops.PageRequest;
import dev.mlops.StorageException;
import dev.mlops.artifact.ArtifactRef;
import dev.mlops.audit.AuditCheckpoint;
import dev.mlops.audit.AuditEvent;
import dev.mlops.data.DatasetVersion;
import dev.mlops.lineage.Direction;
import dev.mlops.lineage.NodeRef;
import dev.mlops.registry.Approval;
import dev.mlops.registry.ApprovalStatus;
import dev.mlops.registry.ModelQuery;
import dev.mlops.registry.ModelUpdate;
import dev.mlops.registry.VersionQuery;
import dev.mlops.registry.VersionStatus;
import dev.mlops.tracking.MetricPoint;
import dev.mlops.tracking.NewRun;
import dev.mlops.tracking.RunLink;
import dev.mlops.tracking.RunQuery;
import dev.mlops.tracking.RunStatus;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every connection, statement and result set the JDBC store opens is closed again, on every path: success, each
 * kind of refusal, a locked database, a failing statement, a damaged row and a failed rollback. The store runs on a
 * real SQLite file with a real {@link ConnectionPool}; only the connections it hands out are wrapped, to record what
 * is opened. After each call no connection is out of the pool, every statement and result set is closed, and the
 * database is not held in a transaction by anyone (a separate connection can take the write lock and truncate the
 * write-ahead log at once). Closing the store closes every connection it opened.
 */
class ResourceHandlingTest {
    private static final Duration BUSY_TIMEOUT = Duration.ofMillis(300);
    private static final String RUN = "0190a1b2-0000-7000-8000-000000000001";
    private static final String FINISHED = "0190a1b2-0000-7000-8000-000000000002";
    private static final DatasetVersion DATASET = new DatasetVersion("train", "sha256:" + "a".repeat(64),
            "file:/data/train.csv", "csv", 10, null, null, Map.of(), T0, "alice");

    @TempDir
    Path dir;

    private Path file;
    private Tracking connections;
    private JdbcStore store;
    private Connection admin;

    @BeforeEach
    void open() throws SQLException {
        file = dir.resolve("resources.db");
        String description = "sqlite:" + file;
        SqliteDialect dialect = new SqliteDialect(description, BUSY_TIMEOUT);
        connections = new Tracking(dialect.opener(file), 3);
        store = new JdbcStore(description, dialect, connections);
        admin = DriverManager.getConnection("jdbc:sqlite:" + file);
        execute("PRAGMA busy_timeout = 0");

        store.registerDataset(DATASET, audit("dataset.register", "d"));
        store.createRun(new NewRun(RUN, "train", null, T0, Map.of("a", "1"), null, Map.of()), audit("run.create", "r"));
        store.logParams(RUN, Map.of("lr", "0.1"), audit("run.params", "r"));
        store.logMetrics(RUN, List.of(new MetricPoint("loss", 0.5, 0, T0), new MetricPoint("loss", 0.4, 1, T0)),
                audit("run.metrics", "r"));
        store.addLinks(RUN, List.of(RunLink.input(DATASET.node())), audit("run.links", "r"));
        store.createRun(new NewRun(FINISHED, "train", null, T0, Map.of(), null, Map.of()), audit("run.create", "f"));
        store.finishRun(FINISHED, RunStatus.COMPLETED, T0, null, audit("run.finish", "f"));
        store.createModel(RegistryFixtures.newModel("m"), audit("model.create", "m"));
        store.createModelVersion(RegistryFixtures.newVersion("m", 1, RUN, "alice"),
                audit("model.version.create", "m"));
        store.createModelVersion(RegistryFixtures.newVersion("m", 2, null, "alice"),
                audit("model.version.create", "m"));
        store.finishModelVersion("m", 1, VersionStatus.READY, artifact(1), null, T0,
                audit("model.version.finish", "m"));
        store.setAlias("m", "prod", 1, null, T0, audit("model.alias.set", "m"));
        assertEverythingReleased("setting up");
    }

    private static ArtifactRef artifact(int n) {
        return new ArtifactRef(RegistryFixtures.digest(n), n, "file:/m/" + n);
    }

    @AfterEach
    void close() throws SQLException {
        store.close();
        admin.close();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"createRun", "getRun", "searchRuns", "finishRun", "heartbeat", "logParams", "setTags",
            "logMetrics", "metricHistory", "addLinks", "registerDataset", "getDataset", "listDatasets",
            "lineageEdges", "auditEvents", "auditHead", "eraseAuditData", "addCheckpoint", "checkpoints",
            "createModel", "getModel", "searchModels", "updateModel", "createModelVersion", "getModelVersion",
            "searchModelVersions", "finishModelVersion", "updateModelVersion", "decideApproval", "setAlias",
            "deleteAlias", "deleteModelVersion", "appendAuditEvent"})
    @DisplayName("a call that succeeds gives back its connection and closes its statements and result sets")
    void success(String method) throws SQLException {
        switch (method) {
            case "createRun" -> store.createRun(Fixtures.newRun("train", T0), audit("run.create", "x"));
            case "getRun" -> assertThat(store.getRun(RUN)).isPresent();
            case "searchRuns" -> assertThat(store.searchRuns(RunQuery.all(), PageRequest.first(1)).nextPageToken())
                    .isNotNull();
            case "finishRun" -> store.finishRun(RUN, RunStatus.FAILED, T0, "boom", audit("run.finish", "r"));
            case "heartbeat" -> store.heartbeat(RUN, T0.plusSeconds(1));
            case "logParams" -> store.logParams(RUN, Map.of("epochs", "3"), audit("run.params", "r"));
            case "setTags" -> store.setTags(FINISHED, Map.of("b", "2"), audit("run.tags", "f"));
            case "logMetrics" -> store.logMetrics(RUN, List.of(new MetricPoint("acc", 1, 0, T0)),
                    audit("run.metrics", "r"));
            case "metricHistory" -> assertThat(store.metricHistory(RUN, "loss", PageRequest.first(1)).items())
                    .hasSize(1);
            case "addLinks" -> store.addLinks(RUN, List.of(RunLink.output(NodeRef.model("m", 1))),
                    audit("run.links", "r"));
            case "registerDataset" -> store.registerDataset(new DatasetVersion("test", "sha256:" + "b".repeat(64),
                    "file:/t", "binary", 1, null, null, Map.of(), T0, "bob"), audit("dataset.register", "t"));
            case "getDataset" -> assertThat(store.getDataset(DATASET.name(), DATASET.version())).isPresent();
            case "listDatasets" -> assertThat(store.listDatasets(null, PageRequest.first()).items()).hasSize(1);
            case "lineageEdges" -> assertThat(store.lineageEdges(List.of(DATASET.node()), Direction.BOTH))
                    .hasSize(1);
            case "auditEvents" -> assertThat(store.auditEvents(0, 3)).hasSize(3);
            case "auditHead" -> assertThat(store.auditHead()).isPresent();
            case "eraseAuditData" -> store.eraseAuditData(1, audit("audit.erase", "audit:1"));
            case "addCheckpoint" -> {
                AuditEvent head = store.auditHead().orElseThrow();
                store.addCheckpoint(new AuditCheckpoint(head.seq(), head.hash(), T0, "k", "s"),
                        audit("audit.checkpoint", "c"));
            }
            case "checkpoints" -> assertThat(store.checkpoints()).isEmpty();
            case "createModel" -> store.createModel(RegistryFixtures.newModel("n"), audit("model.create", "n"));
            case "getModel" -> assertThat(store.getModel("m")).isPresent();
            case "searchModels" -> assertThat(store.searchModels(ModelQuery.builder().tag("x", "y").build(),
                    PageRequest.first(1)).items()).isEmpty();
            case "updateModel" -> store.updateModel("m", new ModelUpdate("d", Map.of("a", "1"), Set.of("b"), null,
                    T0), audit("model.update", "m"));
            case "createModelVersion" -> store.createModelVersion(RegistryFixtures.newVersion("m", 3, RUN, "bob"),
                    audit("model.version.create", "m"));
            case "getModelVersion" -> assertThat(store.getModelVersion("m", 1)).isPresent();
            case "searchModelVersions" -> assertThat(store.searchModelVersions(VersionQuery.of("m"),
                    PageRequest.first(1)).nextPageToken()).isNotNull();
            case "finishModelVersion" -> store.finishModelVersion("m", 2, VersionStatus.READY, artifact(2), null, T0,
                    audit("model.version.finish", "m"));
            case "updateModelVersion" -> store.updateModelVersion("m", 1, new ModelUpdate(null, Map.of("a", "1"),
                    Set.of(), null, T0), audit("model.version.update", "m"));
            case "decideApproval" -> store.decideApproval("m", 1, Approval.decided(ApprovalStatus.APPROVED, "c", T0,
                    "ok"), audit("model.version.approve", "m"));
            case "setAlias" -> store.setAlias("m", "prod", 1, 1, T0, audit("model.alias.set", "m"));
            case "deleteAlias" -> store.deleteAlias("m", "prod", 1, T0, audit("model.alias.delete", "m"));
            case "deleteModelVersion" -> store.deleteModelVersion("m", 2, audit("model.version.delete", "m"));
            case "appendAuditEvent" -> store.appendAuditEvent(audit("access.denied", "m"));
            default -> throw new IllegalArgumentException(method);
        }
        assertEverythingReleased(method);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"unknown run", "param conflict", "run exists with other content", "malformed page token",
            "finishing as RUNNING", "metrics on a finished run", "unknown audit seq", "database locked",
            "failing statement", "failing statement that ends the transaction", "damaged row",
            "model name differs in case", "stale version number", "digest mismatch", "stale alias expectation",
            "malformed version page token", "damaged version row"})
    @DisplayName("a call that fails gives back its connection and closes its statements and result sets")
    void failure(String kind) throws SQLException {
        Class<? extends MlopsException> expected = switch (kind) {
            case "unknown run", "unknown audit seq" -> NotFoundException.class;
            case "param conflict", "metrics on a finished run", "stale version number", "stale alias expectation" ->
                    ConflictException.class;
            case "run exists with other content", "model name differs in case" -> AlreadyExistsException.class;
            case "malformed page token", "finishing as RUNNING", "digest mismatch", "malformed version page token" ->
                    InvalidArgumentException.class;
            default -> StorageException.class;
        };
        switch (kind) {
            case "database locked" -> execute("BEGIN IMMEDIATE");
            case "failing statement" -> execute("CREATE TRIGGER fail BEFORE INSERT ON audit_events"
                    + " BEGIN SELECT RAISE(ABORT, 'injected'); END");
            case "failing statement that ends the transaction" -> execute("CREATE TRIGGER fail BEFORE INSERT ON"
                    + " audit_events BEGIN SELECT RAISE(ROLLBACK, 'injected'); END");
            case "damaged row" -> execute("UPDATE runs SET environment = '{not json' WHERE id = '" + RUN + "'");
            case "damaged version row" -> execute("UPDATE model_versions SET signature = '{not json'"
                    + " WHERE version = 2");
            default -> {
            }
        }
        assertThatThrownBy(() -> {
            switch (kind) {
                case "unknown run" -> store.logMetrics("nope", List.of(new MetricPoint("m", 1, 0, T0)),
                        audit("run.metrics", "x"));
                case "param conflict" -> store.logParams(RUN, Map.of("lr", "0.2"), audit("run.params", "r"));
                case "run exists with other content" -> store.createRun(new NewRun(RUN, "other", null, T0,
                        Map.of("a", "1"), null, Map.of()), audit("run.create", "r"));
                case "malformed page token" -> store.searchRuns(RunQuery.all(), new PageRequest(10, "%%%"));
                case "finishing as RUNNING" -> store.finishRun(RUN, RunStatus.RUNNING, T0, null,
                        audit("run.finish", "r"));
                case "metrics on a finished run" -> store.logMetrics(FINISHED,
                        List.of(new MetricPoint("m", 1, 0, T0)), audit("run.metrics", "f"));
                case "unknown audit seq" -> store.eraseAuditData(99, audit("audit.erase", "audit:99"));
                case "database locked", "failing statement", "failing statement that ends the transaction" ->
                        store.setTags(RUN, Map.of("c", "3"), audit("run.tags", "r"));
                case "damaged row" -> store.searchRuns(RunQuery.all(), PageRequest.first());
                case "model name differs in case" -> store.createModel(RegistryFixtures.newModel("M"),
                        audit("model.create", "M"));
                case "stale version number" -> store.createModelVersion(RegistryFixtures.newVersion("m", 2, null,
                        "bob"), audit("model.version.create", "m"));
                case "digest mismatch" -> store.finishModelVersion("m", 2, VersionStatus.READY, artifact(3), null, T0,
                        audit("model.version.finish", "m"));
                case "stale alias expectation" -> store.setAlias("m", "prod", 1, null, T0,
                        audit("model.alias.set", "m"));
                case "malformed version page token" -> store.searchModelVersions(VersionQuery.all(),
                        new PageRequest(10, "%%%"));
                case "damaged version row" -> store.searchModelVersions(VersionQuery.all(), PageRequest.first());
                default -> throw new IllegalArgumentException(kind);
            }
        }).isInstanceOf(expected);
        if (kind.equals("database locked")) {
            execute("ROLLBACK");
        }
        assertEverythingReleased(kind);
        if (kind.startsWith("failing statement")) {
            execute("DROP TRIGGER fail");
        }
        if (kind.equals("damaged row")) {
            execute("UPDATE runs SET environment = '{}' WHERE id = '" + RUN + "'");
        }
        if (kind.equals("damaged version row")) {
            execute("UPDATE model_versions SET signature = '{}' WHERE version = 2");
        }
        store.setTags(RUN, Map.of("after", kind), audit("run.tags", "r"));
        assertThat(store.getRun(RUN).orElseThrow().tags()).containsEntry("after", kind);
        assertEverythingReleased("a write after: " + kind);
    }

    @Test
    @DisplayName("closing the store closes every connection it opened, also one that was in use meanwhile")
    void closeClosesEverything() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<?>> readers = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                readers.add(pool.submit(() -> {
                    for (int i = 0; i < 50; i++) {
                        store.searchRuns(RunQuery.all(), PageRequest.first());
                    }
                    return null;
                }));
            }
            for (Future<?> f : readers) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(connections.opened).hasSizeBetween(1, 3);
        store.close();
        assertThat(connections.outstanding.get()).isZero();
        for (Connection c : connections.opened) {
            assertThat(c.isClosed()).as("connection closed").isTrue();
        }
    }

    @Test
    @DisplayName("a writer that waits for another writer of the same store longer than the busy timeout fails with"
            + " STORAGE naming the timeout, and changes nothing")
    void inProcessWriterWaitsAtMostTheBusyTimeout() throws Exception {
        String description = "sqlite:" + file;
        SqliteDialect dialect = new SqliteDialect(description, BUSY_TIMEOUT);
        Transactions tx = new Transactions(description, dialect, connections);
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean secondRan = new AtomicBoolean();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<?> first = pool.submit(() -> tx.write("hold the lock", c -> {
                holding.countDown();
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new SQLException("interrupted", e);
                }
                return null;
            }));
            assertThat(holding.await(30, TimeUnit.SECONDS)).isTrue();
            long start = System.nanoTime();
            assertThatThrownBy(() -> tx.write("set a tag", c -> {
                secondRan.set(true);
                return null;
            })).isInstanceOf(StorageException.class)
                    .hasMessageContaining(description)
                    .hasMessageContaining("cannot set a tag")
                    .hasMessageContaining("locked by another writer")
                    .hasMessageContaining("busy timeout of 300 ms")
                    .hasMessageContaining("nothing was changed");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(BUSY_TIMEOUT)
                    .isLessThan(Duration.ofSeconds(20));
            assertThat(secondRan).isFalse();
            release.countDown();
            first.get(30, TimeUnit.SECONDS);
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
        Integer written = tx.write("write once the lock is free", c -> 1);
        assertThat(written).isEqualTo(1);
        assertEverythingReleased("in-process busy");
    }

    @Test
    @DisplayName("a writer that finds the file locked by another connection longer than the busy timeout fails with"
            + " STORAGE naming the timeout, and changes nothing")
    void databaseLockedLongerThanTheBusyTimeout() throws SQLException {
        execute("BEGIN IMMEDIATE");
        try {
            assertThatThrownBy(() -> store.setTags(RUN, Map.of("late", "yes"), audit("run.tags", "r")))
                    .isInstanceOf(StorageException.class)
                    .hasMessageContaining(store.describe())
                    .hasMessageContaining("cannot set tags of run " + RUN)
                    .hasMessageContaining("locked by another writer")
                    .hasMessageContaining("busy timeout of 300 ms")
                    .hasMessageContaining("nothing was changed");
        } finally {
            execute("ROLLBACK");
        }
        assertThat(store.getRun(RUN).orElseThrow().tags()).doesNotContainKey("late");
        assertEverythingReleased("database locked");
    }

    /** No connection out of the pool, every statement and result set closed, no transaction open on the file. */
    private void assertEverythingReleased(String after) throws SQLException {
        assertThat(connections.outstanding.get()).as("connections not given back after %s", after).isZero();
        synchronized (connections.statements) {
            for (Statement s : connections.statements) {
                assertThat(s.isClosed()).as("a statement left open after %s", after).isTrue();
            }
        }
        synchronized (connections.resultSets) {
            for (ResultSet rs : connections.resultSets) {
                assertThat(rs.isClosed()).as("a result set left open after %s", after).isTrue();
            }
        }
        assertThat(connections.statements).as("statements recorded").isNotEmpty();
        // Nobody holds the write lock: BEGIN IMMEDIATE succeeds at once (busy_timeout is 0 on this connection).
        execute("BEGIN IMMEDIATE");
        execute("ROLLBACK");
        // Nobody holds a read snapshot: the write-ahead log can be checkpointed completely and truncated at once.
        try (Statement s = admin.createStatement(); ResultSet rs = s.executeQuery("PRAGMA wal_checkpoint(TRUNCATE)")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getInt(1)).as("wal_checkpoint busy after %s (a read transaction is open)", after)
                    .isZero();
        }
    }

    private void execute(String sql) throws SQLException {
        try (Statement s = admin.createStatement()) {
            s.execute(sql);
        }
    }

    /**
     * A {@link ConnectionSource} over a real {@link ConnectionPool} that counts connections out of the pool and
     * records every connection opened and every statement and result set created on them.
     */
    static final class Tracking implements ConnectionSource {
        final List<Connection> opened = Collections.synchronizedList(new ArrayList<>());
        final List<Statement> statements = Collections.synchronizedList(new ArrayList<>());
        final List<ResultSet> resultSets = Collections.synchronizedList(new ArrayList<>());
        final AtomicInteger outstanding = new AtomicInteger();
        private final ConnectionPool pool;

        Tracking(ConnectionPool.Opener opener, int size) {
            this.pool = new ConnectionPool(() -> {
                Connection real = opener.open();
                opened.add(real);
                return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(),
                        new Class<?>[] {Connection.class}, recording(real));
            }, size);
        }

        /** Calls {@code target}, recording the statements and result sets it returns. */
        private InvocationHandler recording(Object target) {
            return (proxy, method, args) -> {
                Object result;
                try {
                    result = method.invoke(target, args);
                } catch (InvocationTargetException e) {
                    throw e.getCause();
                }
                if (result instanceof Statement s && Statement.class.isAssignableFrom(method.getReturnType())) {
                    statements.add(s);
                    return Proxy.newProxyInstance(Statement.class.getClassLoader(),
                            new Class<?>[] {method.getReturnType()}, recording(s));
                }
                if (result instanceof ResultSet rs) {
                    resultSets.add(rs);
                }
                return result;
            };
        }

        @Override
        public Connection acquire() throws SQLException {
            Connection c = pool.acquire();
            outstanding.incrementAndGet();
            return c;
        }

        @Override
        public void release(Connection connection, boolean discard) {
            outstanding.decrementAndGet();
            pool.release(connection, discard);
        }

        @Override
        public void close() {
            pool.close();
        }
    }
}
