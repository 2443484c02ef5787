package dev.mlops.store.jdbc;

import static dev.mlops.store.jdbc.Fixtures.T0;
import static dev.mlops.store.jdbc.Fixtures.audit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.PageRequest;
import dev.mlops.StorageException;
import dev.mlops.artifact.ArtifactRef;
import dev.mlops.audit.AuditCheckpoint;
import dev.mlops.audit.AuditEvent;
import dev.mlops.audit.AuditVerification;
import dev.mlops.data.Column;
import dev.mlops.data.ColumnType;
import dev.mlops.data.DatasetSchema;
import dev.mlops.data.DatasetVersion;
import dev.mlops.internal.audit.AuditVerifier;
import dev.mlops.lineage.Direction;
import dev.mlops.lineage.EdgeKind;
import dev.mlops.lineage.LineageEdge;
import dev.mlops.lineage.NodeRef;
import dev.mlops.registry.ModelVersion;
import dev.mlops.registry.VersionQuery;
import dev.mlops.registry.VersionStatus;
import dev.mlops.spi.MetadataStore;
import dev.mlops.tracking.RunLink;
import dev.mlops.tracking.RunQuery;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Schema version 2 (the model registry) on SQLite files written by a version 1 library: a store opened by a library
 * that knows only the first script ({@link OlderSchemaDialect}) writes the file, the current library opens it (and
 * also applies the later versions).
 */
@DisplayName("Upgrading a SQLite store from schema version 1 to 2 and on")
class RegistryMigrationTest {
    /** The tables of schema version 1. */
    static final List<String> V1_TABLES = List.of("schema_version", "runs", "params", "tags", "metrics",
            "latest_metrics", "lineage_edges", "datasets", "audit_events", "audit_checkpoints");
    static final List<String> V2_TABLES = List.of("models", "model_tags", "model_versions", "model_version_tags",
            "model_aliases");

    @TempDir
    Path dir;

    @Test
    @DisplayName("a populated version 1 file is upgraded in place: every row and everything readable stays, the"
            + " audit chain verifies, and the registry works on the old runs")
    void populatedFileUpgradesInPlace() throws Exception {
        Path file = dir.resolve("v1.db");
        List<String> runIds;
        try (JdbcStore old = OlderSchemaDialect.sqlite(file, 1)) {
            assertThat(old.schemaVersion()).isEqualTo(1);
            runIds = populate(old);
        }
        assertThat(tables(file)).containsAll(V1_TABLES).doesNotContainAnyElementsOf(V2_TABLES);
        Map<String, List<String>> rowsBefore = rows(file, V1_TABLES);
        List<Object> readableBefore;
        int eventsBefore;
        try (JdbcStore old = OlderSchemaDialect.sqlite(file, 1)) {
            readableBefore = readable(old, runIds);
            eventsBefore = Fixtures.chain(old).size();
        }

        try (JdbcStore store = JdbcStore.sqlite(file)) {
            assertThat(store.schemaVersion()).isEqualTo(MigrationTest.LATEST);
            assertThat(readable(store, runIds)).isEqualTo(readableBefore);
            assertVerifies(store, eventsBefore);
        }
        Map<String, List<String>> rowsAfter = rows(file, V1_TABLES);
        List<String> versions = rowsAfter.remove("schema_version");
        List<String> versionsBefore = rowsBefore.remove("schema_version");
        assertThat(rowsAfter).as("every row of every version 1 table").isEqualTo(rowsBefore);
        assertThat(versions).hasSize(MigrationTest.LATEST).startsWith(versionsBefore.get(0));
        assertThat(versions.get(1)).startsWith("version=2\u0001description=model registry\u0001");
        assertThat(tables(file)).containsAll(V2_TABLES);

        try (JdbcStore store = JdbcStore.sqlite(file)) {
            int events = Fixtures.chain(store).size();
            String run = runIds.get(0);
            store.createModel(RegistryFixtures.newModel("fraud"), audit("model.create", "model:fraud"));
            ModelVersion v1 = store.createModelVersion(RegistryFixtures.newVersion("fraud", 1, run, "alice"),
                    RegistryFixtures.registerEvent("alice", "fraud", 1)).value();
            store.finishModelVersion("fraud", 1, VersionStatus.READY,
                    new ArtifactRef(v1.digest(), 10, "file:/a/" + v1.digest()), null, T0.plusSeconds(5),
                    audit("model.version.finish", "model:fraud/1"));
            store.setAlias("fraud", "production", 1, null, T0.plusSeconds(6),
                    audit("model.alias.set", "model:fraud"));
            assertThat(store.getModel("fraud").orElseThrow().aliases()).containsExactly(Map.entry("production", 1));
            assertThat(store.getRun(run).orElseThrow().outputs()).contains(RunLink.output(NodeRef.model("fraud", 1)));
            assertThat(store.lineageEdges(List.of(NodeRef.model("fraud", 1)), Direction.UPSTREAM))
                    .containsExactly(new LineageEdge(NodeRef.run(run), NodeRef.model("fraud", 1), EdgeKind.OUTPUT));
            assertVerifies(store, events + 4);
        }
    }

    @RepeatedTest(3)
    @DisplayName("six stores opening a populated version 1 file at the same moment apply versions 2 and 3 exactly once,"
            + " and all of them then register versions without a gap")
    void concurrentOpenersMigrateOnce() throws Exception {
        Path file = dir.resolve("race.db");
        try (JdbcStore old = OlderSchemaDialect.sqlite(file, 1)) {
            populate(old);
        }
        List<String> unchanged = V1_TABLES.stream()
                .filter(t -> !t.equals("schema_version") && !t.equals("audit_events")).toList();
        Map<String, List<String>> rowsBefore = rows(file, unchanged);
        int openers = 6;
        ExecutorService pool = Executors.newFixedThreadPool(openers);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Integer>> results = new ArrayList<>();
        try {
            for (int i = 0; i < openers; i++) {
                String actor = "opener-" + i;
                results.add(pool.submit(() -> {
                    start.await();
                    try (JdbcStore store = JdbcStore.sqlite(file)) {
                        store.createModel(RegistryFixtures.newModel("m"), audit(actor, "model.create", "model:m"));
                        RegistryFixtures.register(store, "m", null, actor);
                        return store.schemaVersion();
                    }
                }));
            }
            start.countDown();
            for (Future<Integer> r : results) {
                assertThat(r.get(60, TimeUnit.SECONDS)).isEqualTo(MigrationTest.LATEST);
            }
        } finally {
            pool.shutdownNow();
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT version FROM schema_version ORDER BY version")) {
            List<Integer> applied = new ArrayList<>();
            while (rs.next()) {
                applied.add(rs.getInt(1));
            }
            assertThat(applied).containsExactly(1, 2, 3, 4);
        }
        assertThat(rows(file, unchanged)).isEqualTo(rowsBefore);
        try (JdbcStore store = JdbcStore.sqlite(file)) {
            assertThat(store.searchModelVersions(VersionQuery.of("m"), PageRequest.first(100)).items())
                    .extracting(ModelVersion::version).containsExactly(1, 2, 3, 4, 5, 6);
            assertThat(Fixtures.chain(store).stream().filter(e -> e.action().equals("model.create"))).hasSize(1);
            assertVerifies(store, Fixtures.chain(store).size());
        }
    }

    @Test
    @DisplayName("when the version 2 script fails (a table of that name was added by hand), the file stays at"
            + " version 1 with all its data, and the older library still opens it")
    void failedUpgradeLeavesVersionOne() throws Exception {
        Path file = dir.resolve("blocked.db");
        try (JdbcStore old = OlderSchemaDialect.sqlite(file, 1)) {
            populate(old);
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE model_aliases (x INTEGER)");
        }
        Map<String, List<String>> before = rows(file, V1_TABLES);
        assertThatThrownBy(() -> JdbcStore.sqlite(file))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining("migrate the schema to version " + MigrationTest.LATEST)
                .hasMessageContaining("model_aliases");
        assertThat(rows(file, V1_TABLES)).isEqualTo(before);
        assertThat(tables(file)).doesNotContain("models", "model_versions");
        try (JdbcStore old = OlderSchemaDialect.sqlite(file, 1)) {
            assertThat(old.schemaVersion()).isEqualTo(1);
            assertVerifies(old, Fixtures.chain(old).size());
        }
    }

    /**
     * Writes what a version 1 store holds: runs with params, metrics and tags, datasets, links, an erased event
     * and a checkpoint.
     *
     * @return the ids of the runs
     */
    static List<String> populate(MetadataStore store) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ids.add(Fixtures.writeOneRun(store, "train", i));
        }
        DatasetVersion data = new DatasetVersion("train", RegistryFixtures.digest(77), "file:/data/train.csv", "csv",
                1234, new DatasetSchema(List.of(new Column("x", ColumnType.NUMERIC))), 99L, Map.of("split", "a"), T0,
                "alice");
        store.registerDataset(data, audit("dataset.register", "dataset:train"));
        String running = Fixtures.createRun(store, "evaluate", T0.plusSeconds(3));
        ids.add(running);
        store.addLinks(running, List.of(RunLink.input(data.node()), RunLink.output(NodeRef.model("legacy", 1))),
                audit("run.links", "run:" + running));
        store.eraseAuditData(2, audit("audit.erase", "audit:2"));
        AuditEvent head = store.auditHead().orElseThrow();
        store.addCheckpoint(new AuditCheckpoint(head.seq(), head.hash(), T0, "key-1", "signature-1"),
                audit("audit.checkpoint", "audit"));
        return ids;
    }

    /** Everything the SPI reads about what {@link #populate} wrote. */
    static List<Object> readable(MetadataStore store, List<String> runIds) {
        List<Object> state = new ArrayList<>();
        List<NodeRef> nodes = new ArrayList<>();
        for (String id : runIds) {
            state.add(store.getRun(id));
            state.add(JdbcStoreBehaviourTest.readAll(p -> store.metricHistory(id, "loss", p), 3));
            nodes.add(NodeRef.run(id));
        }
        state.add(JdbcStoreBehaviourTest.readAll(p -> store.searchRuns(RunQuery.all(), p), 2));
        state.add(JdbcStoreBehaviourTest.readAll(p -> store.listDatasets(null, p), 1));
        state.add(store.lineageEdges(nodes, Direction.BOTH));
        state.add(Fixtures.chain(store));
        state.add(store.checkpoints());
        return state;
    }

    /** The chain has {@code events} events, verifies, and its checkpoints match. */
    static void assertVerifies(MetadataStore store, int events) {
        List<AuditEvent> chain = Fixtures.chain(store);
        assertThat(chain).hasSize(events);
        Fixtures.assertChainIntact(chain);
        AuditVerification verification = AuditVerifier.verifyStore(store, null, List.of());
        assertThat(verification.ok()).as("verification: %s", verification).isTrue();
        assertThat(verification.events()).isEqualTo(events);
    }

    /** The names of the tables in the SQLite {@code file}, read through a separate connection. */
    static List<String> tables(Path file) throws SQLException {
        List<String> tables = new ArrayList<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT name FROM sqlite_master WHERE type = 'table'")) {
            while (rs.next()) {
                tables.add(rs.getString(1));
            }
        }
        return tables;
    }

    /** Every row of {@code tables}, read through a separate connection, sorted per table. */
    static Map<String, List<String>> rows(Path file, List<String> tables) throws SQLException {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
            return rows(c, tables);
        }
    }

    /** Every row of {@code tables} (names as the connection resolves them), sorted per table. */
    static Map<String, List<String>> rows(Connection c, List<String> tables) throws SQLException {
        Map<String, List<String>> rows = new TreeMap<>();
        for (String table : tables) {
            List<String> content = new ArrayList<>();
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT * FROM " + table)) {
                ResultSetMetaData meta = rs.getMetaData();
                while (rs.next()) {
                    StringBuilder row = new StringBuilder();
                    for (int i = 1; i <= meta.getColumnCount(); i++) {
                        row.append(meta.getColumnName(i)).append('=').append(rs.getString(i)).append('\u0001');
                    }
                    content.add(row.toString());
                }
            }
            content.sort(null);
            rows.put(table, content);
        }
        return rows;
    }
}
