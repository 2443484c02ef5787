package dev.mlops.store.jdbc;

import static dev.mlops.store.jdbc.Fixtures.T0;
import static dev.mlops.store.jdbc.Fixtures.audit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.Mlops;
import dev.mlops.StorageException;
import dev.mlops.artifact.ArtifactRef;
import dev.mlops.drift.DatasetProfile;
import dev.mlops.drift.DatasetProfiler;
import dev.mlops.drift.ProfileQuery;
import dev.mlops.drift.StoredProfile;
import dev.mlops.registry.ModelVersion;
import dev.mlops.registry.VersionStatus;
import dev.mlops.spi.MetadataStore;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Schema version 3 (stored profiles and drift reports) on databases written by a version 2 library: a store opened by
 * a library that knows only the first two scripts ({@link OlderSchemaDialect}) writes runs, datasets, the registry
 * and the audit trail, the current library opens it.
 */
@DisplayName("Upgrading a store from schema version 2 to 3")
class ProfileMigrationTest {
    /** Every table of schema version 2 but schema_version. */
    static final List<String> V2_TABLES = Stream.concat(RegistryMigrationTest.V1_TABLES.stream()
            .filter(t -> !t.equals("schema_version")), RegistryMigrationTest.V2_TABLES.stream()).toList();
    static final List<String> V3_TABLES = List.of("profiles", "drift_reports");

    /** Writes what a version 2 store holds: {@link RegistryMigrationTest#populate} and a model with an alias. */
    static List<String> populate(MetadataStore store) {
        List<String> runIds = RegistryMigrationTest.populate(store);
        store.createModel(RegistryFixtures.newModel("churn"), audit("model.create", "model:churn"));
        ModelVersion v = store.createModelVersion(RegistryFixtures.newVersion("churn", 1, runIds.get(0), "alice"),
                RegistryFixtures.registerEvent("alice", "churn", 1)).value();
        store.finishModelVersion("churn", 1, VersionStatus.READY, new ArtifactRef(v.digest(), 1, "file:/a"), null,
                T0, audit("model.version.finish", "model:churn/1"));
        store.setAlias("churn", "production", 1, null, T0, audit("model.alias.set", "model:churn"));
        return runIds;
    }

    /** Everything readable about what {@link #populate} wrote. */
    static List<Object> readable(MetadataStore store, List<String> runIds) {
        List<Object> state = new ArrayList<>(RegistryMigrationTest.readable(store, runIds));
        state.add(store.getModel("churn"));
        state.add(store.getModelVersion("churn", 1));
        return state;
    }

    static DatasetProfile profile(int rows) {
        DatasetProfiler p = DatasetProfiler.builder().numeric("x").categorical("c").build();
        for (int i = 0; i < rows; i++) {
            p.column("x").add(i * 0.5);
            p.column("c").add(i % 3 == 0 ? "a" : "b");
        }
        return p.toProfile();
    }

    /** Saves a profile through the API over {@code store} and reads it back; returns it. */
    static StoredProfile useProfiles(MetadataStore store) {
        try (Mlops mlops = Mlops.builder().store(store).artifactUri("memory:").actor("alice").build()) {
            StoredProfile saved = mlops.profiles().save("dataset:train@" + RegistryFixtures.digest(77), "reference",
                    profile(100)).value();
            assertThat(mlops.profiles().find(saved.subject(), "reference")).contains(saved);
            assertThat(mlops.profiles().search(ProfileQuery.of(saved.subject()), null).items())
                    .containsExactly(saved);
            return saved;
        }
    }

    @Nested
    @DisplayName("SQLite")
    class Sqlite {
        @TempDir
        Path dir;

        @Test
        @DisplayName("a populated version 2 file is upgraded in place: every row and everything readable stays, the"
                + " audit chain verifies, profiles can be saved, and a version 2 library then refuses the file")
        void populatedFileUpgradesInPlace() throws Exception {
            Path file = dir.resolve("v2.db");
            List<String> runIds;
            List<Object> readableBefore;
            int events;
            try (JdbcStore old = OlderSchemaDialect.sqlite(file, 2)) {
                assertThat(old.schemaVersion()).isEqualTo(2);
                runIds = populate(old);
                readableBefore = readable(old, runIds);
                events = Fixtures.chain(old).size();
            }
            Map<String, List<String>> rowsBefore = RegistryMigrationTest.rows(file, V2_TABLES);
            List<String> versionsBefore = RegistryMigrationTest.rows(file, List.of("schema_version"))
                    .get("schema_version");
            assertThat(RegistryMigrationTest.tables(file)).doesNotContainAnyElementsOf(V3_TABLES);

            StoredProfile saved;
            try (JdbcStore store = JdbcStore.sqlite(file)) {
                assertThat(store.schemaVersion()).isEqualTo(MigrationTest.LATEST);
                assertThat(readable(store, runIds)).isEqualTo(readableBefore);
                RegistryMigrationTest.assertVerifies(store, events);
                saved = useProfiles(store);
                RegistryMigrationTest.assertVerifies(store, events + 1);
            }
            assertThat(RegistryMigrationTest.rows(file, V2_TABLES).entrySet().stream()
                    .filter(e -> !e.getKey().equals("audit_events")).toList())
                    .as("every row of every version 2 table but the audit chain, which grew by one event")
                    .isEqualTo(rowsBefore.entrySet().stream().filter(e -> !e.getKey().equals("audit_events"))
                            .toList());
            assertThat(RegistryMigrationTest.rows(file, List.of("audit_events")).get("audit_events"))
                    .containsAll(rowsBefore.get("audit_events")).hasSize(events + 1);
            List<String> versions = RegistryMigrationTest.rows(file, List.of("schema_version")).get("schema_version");
            assertThat(versions).hasSize(MigrationTest.LATEST).startsWith(versionsBefore.toArray(new String[0]));
            assertThat(versions.get(2)).startsWith("version=3\u0001description=profiles\u0001");
            assertThat(RegistryMigrationTest.tables(file)).containsAll(V3_TABLES);

            try (JdbcStore store = JdbcStore.sqlite(file);
                    Mlops mlops = Mlops.builder().store(store).artifactUri("memory:").build()) {
                assertThat(mlops.profiles().get(saved.id())).as("the profile after reopening").contains(saved);
            }
            assertThatThrownBy(() -> OlderSchemaDialect.sqlite(file, 2)).isInstanceOf(StorageException.class)
                    .hasMessageContaining("newer mlops version")
                    .hasMessageContaining("schema " + MigrationTest.LATEST);
        }

        @Test
        @DisplayName("when the version 3 script fails (a table of that name was added by hand), the file stays at"
                + " version 2 with all its data, and the version 2 library still opens it")
        void failedUpgradeLeavesVersionTwo() throws Exception {
            Path file = dir.resolve("blocked.db");
            try (JdbcStore old = OlderSchemaDialect.sqlite(file, 2)) {
                populate(old);
            }
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
                    Statement s = c.createStatement()) {
                s.execute("CREATE TABLE drift_reports (x INTEGER)");
            }
            Map<String, List<String>> before = RegistryMigrationTest.rows(file, V2_TABLES);
            assertThatThrownBy(() -> JdbcStore.sqlite(file))
                    .isInstanceOf(StorageException.class)
                    .hasMessageContaining("migrate the schema to version " + MigrationTest.LATEST)
                    .hasMessageContaining("drift_reports");
            assertThat(RegistryMigrationTest.rows(file, V2_TABLES)).isEqualTo(before);
            assertThat(RegistryMigrationTest.tables(file)).doesNotContain("profiles");
            try (JdbcStore old = OlderSchemaDialect.sqlite(file, 2)) {
                assertThat(old.schemaVersion()).isEqualTo(2);
                RegistryMigrationTest.assertVerifies(old, Fixtures.chain(old).size());
            }
        }
    }

    @Nested
    @RequiresPostgres
    @DisplayName("PostgreSQL")
    class Postgres {

        @Test
        @DisplayName("a populated version 2 schema is upgraded in place: every row and everything readable stays,"
                + " the audit chain verifies, and profiles can be saved")
        void populatedSchemaUpgradesInPlace() throws Exception {
            PostgresTestDatabase db = DATABASE.get();
            String schema = db.createSchema();
            String uri = db.uriOf(schema);
            List<String> runIds;
            List<Object> readableBefore;
            int events;
            try (JdbcStore old = OlderSchemaDialect.postgres(uri, 2)) {
                assertThat(old.schemaVersion()).isEqualTo(2);
                runIds = populate(old);
                readableBefore = readable(old, runIds);
                events = Fixtures.chain(old).size();
            }
            List<String> unchanged = V2_TABLES.stream().filter(t -> !t.equals("audit_events"))
                    .map(t -> schema + "." + t).toList();
            Map<String, List<String>> before;
            try (Connection c = db.connect()) {
                before = RegistryMigrationTest.rows(c, unchanged);
            }
            try (JdbcStore store = (JdbcStore) new JdbcStoreProvider().open(uri)) {
                assertThat(store.schemaVersion()).isEqualTo(MigrationTest.LATEST);
                assertThat(readable(store, runIds)).isEqualTo(readableBefore);
                RegistryMigrationTest.assertVerifies(store, events);
                StoredProfile saved = useProfiles(store);
                RegistryMigrationTest.assertVerifies(store, events + 1);
                assertThat(db.queryLong("SELECT COUNT(*) FROM " + schema + ".profiles WHERE id = '" + saved.id()
                        + "'")).isEqualTo(1);
            }
            try (Connection c = db.connect()) {
                assertThat(RegistryMigrationTest.rows(c, unchanged)).isEqualTo(before);
            }
            assertThat(db.queryLong("SELECT MAX(version) FROM " + schema + ".schema_version"))
                    .isEqualTo(MigrationTest.LATEST);
        }
    }

    private static final PostgresTestDatabase.OnFirstUse DATABASE = new PostgresTestDatabase.OnFirstUse();

    @AfterAll
    static void dropSchemas() throws Exception {
        DATABASE.close();
    }
}
