package dev.mlops.store.jdbc;

import static dev.mlops.store.jdbc.Fixtures.T0;
import static dev.mlops.store.jdbc.Fixtures.audit;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.PageRequest;
import dev.mlops.artifact.ArtifactRef;
import dev.mlops.lineage.NodeRef;
import dev.mlops.registry.ModelQuery;
import dev.mlops.registry.ModelVersion;
import dev.mlops.registry.RegisteredModel;
import dev.mlops.registry.VersionQuery;
import dev.mlops.registry.VersionStatus;
import dev.mlops.tracking.RunLink;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The registry on PostgreSQL: the behaviour of {@link JdbcRegistryTest}, the upgrade of a populated version 1
 * schema, concurrent openers and writers in several processes. Runs against the server of
 * {@value PostgresTestDatabase#VARIABLE} and is reported as skipped, with the reason, when it is not set.
 */
@RequiresPostgres
@DisplayName("The PostgreSQL store's registry")
class PostgresRegistryTest extends JdbcRegistryTest {
    private static PostgresTestDatabase db;

    @TempDir
    Path dir;

    @BeforeAll
    static void connect() {
        db = PostgresTestDatabase.open();
    }

    @AfterAll
    static void dropSchemas() throws Exception {
        if (db != null) {
            db.close();
        }
    }

    private static JdbcStore open(String uri) {
        return (JdbcStore) new JdbcStoreProvider().open(uri);
    }

    @Override
    JdbcStore openStore() {
        return open(db.newSchema());
    }

    private static List<String> qualified(String schema, List<String> tables) {
        return tables.stream().map(t -> schema + "." + t).toList();
    }

    private static Map<String, List<String>> rows(String schema, List<String> tables) throws Exception {
        try (Connection c = db.connect()) {
            return RegistryMigrationTest.rows(c, qualified(schema, tables));
        }
    }

    @Test
    @DisplayName("names sort in String.compareTo order whatever the database's collation: case, accents, and"
            + " characters beyond the basic plane")
    void codeUnitOrder() {
        List<String> names = List.of("Zulu", "alpha", "Beta", "éclair", "eclair", "_x", "0", "\uD83D\uDE00 smile",
                "\uFF21 wide", "\uE000 private", "a b", "a|b", "a-b");
        for (String name : names) {
            store.createModel(RegistryFixtures.newModel(name), audit("model.create", "model:" + name));
        }
        List<String> sorted = names.stream().sorted().toList();
        assertThat(store.searchModels(ModelQuery.all(), PageRequest.first()).items())
                .extracting(RegisteredModel::name).isEqualTo(sorted);
        assertThat(JdbcStoreBehaviourTest.readAll(p -> store.searchModels(ModelQuery.all(), p), 2))
                .extracting(RegisteredModel::name).isEqualTo(sorted);
        assertThat(store.searchModels(ModelQuery.builder().namePrefix("a").build(), PageRequest.first()).items())
                .extracting(RegisteredModel::name).containsExactly("a b", "a-b", "alpha", "a|b");
    }

    @Test
    @DisplayName("a populated version 1 schema is upgraded in place: every row and everything readable stays, the"
            + " audit chain verifies, and the registry works on the old runs")
    void populatedSchemaUpgradesInPlace() throws Exception {
        String schema = db.createSchema();
        String uri = db.uriOf(schema);
        List<String> runIds;
        List<Object> readableBefore;
        int eventsBefore;
        try (JdbcStore old = OlderSchemaDialect.postgres(uri, 1)) {
            assertThat(old.schemaVersion()).isEqualTo(1);
            runIds = RegistryMigrationTest.populate(old);
            readableBefore = RegistryMigrationTest.readable(old, runIds);
            eventsBefore = Fixtures.chain(old).size();
        }
        List<String> v1 = RegistryMigrationTest.V1_TABLES.stream().filter(t -> !t.equals("schema_version")).toList();
        Map<String, List<String>> before = rows(schema, v1);
        try (JdbcStore upgraded = open(uri)) {
            assertThat(upgraded.schemaVersion()).isEqualTo(MigrationTest.LATEST);
            assertThat(RegistryMigrationTest.readable(upgraded, runIds)).isEqualTo(readableBefore);
            RegistryMigrationTest.assertVerifies(upgraded, eventsBefore);
            assertThat(rows(schema, v1)).isEqualTo(before);
            assertThat(versionsApplied(schema)).containsExactly(1, 2, 3, 4);

            String run = runIds.get(0);
            upgraded.createModel(RegistryFixtures.newModel("fraud"), audit("model.create", "model:fraud"));
            ModelVersion v = upgraded.createModelVersion(RegistryFixtures.newVersion("fraud", 1, run, "alice"),
                    RegistryFixtures.registerEvent("alice", "fraud", 1)).value();
            upgraded.finishModelVersion("fraud", 1, VersionStatus.READY, new ArtifactRef(v.digest(), 1, "file:/a"),
                    null, T0, audit("model.version.finish", "model:fraud/1"));
            upgraded.setAlias("fraud", "production", 1, null, T0, audit("model.alias.set", "model:fraud"));
            assertThat(upgraded.getRun(run).orElseThrow().outputs()).contains(RunLink.output(NodeRef.model("fraud",
                    1)));
            RegistryMigrationTest.assertVerifies(upgraded, eventsBefore + 4);
        }
    }

    @RepeatedTest(2)
    @DisplayName("six stores opening a populated version 1 schema at the same moment apply versions 2 and 3 exactly"
            + " once")
    void concurrentOpenersMigrateOnce() throws Exception {
        String schema = db.createSchema();
        String uri = db.uriOf(schema);
        try (JdbcStore old = OlderSchemaDialect.postgres(uri, 1)) {
            RegistryMigrationTest.populate(old);
        }
        int openers = 6;
        ExecutorService pool = Executors.newFixedThreadPool(openers);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Integer>> results = new ArrayList<>();
        try {
            for (int i = 0; i < openers; i++) {
                String actor = "opener-" + i;
                results.add(pool.submit(() -> {
                    start.await();
                    try (JdbcStore store = open(uri)) {
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
        assertThat(versionsApplied(schema)).containsExactly(1, 2, 3, 4);
        try (JdbcStore upgraded = open(uri)) {
            assertThat(upgraded.searchModelVersions(VersionQuery.of("m"), PageRequest.first()).items())
                    .extracting(ModelVersion::version).containsExactly(1, 2, 3, 4, 5, 6);
            RegistryMigrationTest.assertVerifies(upgraded, Fixtures.chain(upgraded).size());
        }
    }

    @Test
    @DisplayName("six threads over three stores that read the same latest number and register at once: one wins"
            + " each round, the others get a conflict naming the next number")
    void lockstepRounds() throws Exception {
        String uri = db.newSchema();
        RegistryRace.lockstep(() -> open(uri), 3, 6, 10);
    }

    @Test
    @DisplayName("three processes and four stores in this one open a version 1 schema at once and register with the"
            + " optimistic loop: versions exactly 1..N, each linked from its writer's run")
    void processesAndThreads() throws Exception {
        String uri = db.newSchema();
        try (JdbcStore old = OlderSchemaDialect.postgres(uri, 1)) {
            RegistryMigrationTest.populate(old);
        }
        RegistryRace.freeForAll(uri, () -> open(uri), dir, 3, 4, 6);
    }

    private static List<Integer> versionsApplied(String schema) throws Exception {
        List<Integer> versions = new ArrayList<>();
        try (Connection c = db.connect(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT version FROM " + schema + ".schema_version ORDER BY version")) {
            while (rs.next()) {
                versions.add(rs.getInt(1));
            }
        }
        return versions;
    }
}
