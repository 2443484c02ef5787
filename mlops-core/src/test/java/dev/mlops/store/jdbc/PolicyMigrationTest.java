package dev.mlops.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.Mlops;
import dev.mlops.StorageException;
import dev.mlops.drift.StoredProfile;
import dev.mlops.policy.Condition;
import dev.mlops.policy.Decision;
import dev.mlops.policy.Observation;
import dev.mlops.policy.RetrainingPolicy;
import dev.mlops.spi.MetadataStore;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
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
 * Schema version 4 (the state and decisions of retraining policies) on databases written by a version 3 library: a
 * store opened by a library that knows only the first three scripts ({@link OlderSchemaDialect}) writes runs,
 * datasets, the registry, a stored profile and the audit trail; the current library opens it.
 */
@DisplayName("Upgrading a store from schema version 3 to 4")
class PolicyMigrationTest {
    static final List<String> V3_TABLES = Stream.concat(ProfileMigrationTest.V2_TABLES.stream(),
            ProfileMigrationTest.V3_TABLES.stream()).toList();
    static final List<String> V4_TABLES = List.of("policy_states", "policy_decisions", "retraining_requests");
    static final Instant T0 = Instant.parse("2024-05-01T00:00:00Z");
    static final RetrainingPolicy POLICY = RetrainingPolicy.builder("nightly")
            .anyOf(Condition.metricBelow("accuracy", 0.8)).cooldown(Duration.ofDays(1), 0).build();

    /** What a version 3 store holds: {@link ProfileMigrationTest#populate} and a stored profile. */
    static List<String> populate(MetadataStore store) {
        List<String> runIds = ProfileMigrationTest.populate(store);
        ProfileMigrationTest.useProfiles(store);
        return runIds;
    }

    /** Everything readable about what {@link #populate} wrote. */
    static List<Object> readable(MetadataStore store, List<String> runIds) {
        List<Object> state = new ArrayList<>(ProfileMigrationTest.readable(store, runIds));
        state.add(store.searchProfiles(dev.mlops.drift.ProfileQuery.of("dataset:train@"
                + RegistryFixtures.digest(77)), dev.mlops.PageRequest.first()));
        return state;
    }

    /** Decides two windows through the API over {@code store}: a retrain, then one held by the cooldown. */
    static List<Decision> usePolicies(MetadataStore store) {
        try (Mlops mlops = Mlops.builder().store(store).artifactUri("memory:").actor("alice")
                .clock(Clock.fixed(T0, ZoneOffset.UTC)).build()) {
            Decision first = mlops.policies().evaluate(POLICY, Observation.builder("w1", T0, "churn")
                    .metric("accuracy", 0.5).build());
            Decision second = mlops.policies().evaluate(POLICY, Observation.builder("w2", T0, "churn")
                    .metric("accuracy", 0.5).build());
            assertThat(first.status()).isEqualTo(Decision.Status.RETRAIN);
            assertThat(second.status()).isEqualTo(Decision.Status.HELD);
            assertThat(mlops.policies().decisions("nightly", "churn")).containsExactly(first, second);
            return List.of(first, second);
        }
    }

    @Nested
    @DisplayName("SQLite")
    class Sqlite {
        @TempDir
        Path dir;

        @Test
        @DisplayName("a populated version 3 file is upgraded in place: every row and everything readable stays, the"
                + " audit chain verifies, policies can be evaluated, and a version 3 library then refuses the file")
        void populatedFileUpgradesInPlace() throws Exception {
            Path file = dir.resolve("v3.db");
            List<String> runIds;
            List<Object> readableBefore;
            int events;
            try (JdbcStore old = OlderSchemaDialect.sqlite(file, 3)) {
                assertThat(old.schemaVersion()).isEqualTo(3);
                runIds = populate(old);
                readableBefore = readable(old, runIds);
                events = Fixtures.chain(old).size();
                assertThatThrownBy(() -> old.getPolicyState("nightly", "churn")).isInstanceOf(StorageException.class);
            }
            Map<String, List<String>> rowsBefore = RegistryMigrationTest.rows(file, V3_TABLES);
            List<String> versionsBefore = RegistryMigrationTest.rows(file, List.of("schema_version"))
                    .get("schema_version");
            assertThat(RegistryMigrationTest.tables(file)).doesNotContainAnyElementsOf(V4_TABLES);

            List<Decision> decided;
            try (JdbcStore store = JdbcStore.sqlite(file)) {
                assertThat(store.schemaVersion()).isEqualTo(4);
                assertThat(readable(store, runIds)).isEqualTo(readableBefore);
                RegistryMigrationTest.assertVerifies(store, events);
                decided = usePolicies(store);
                RegistryMigrationTest.assertVerifies(store, events + 2);
            }
            assertThat(RegistryMigrationTest.rows(file, V3_TABLES).entrySet().stream()
                    .filter(e -> !e.getKey().equals("audit_events")).toList())
                    .as("every row of every version 3 table but the audit chain, which grew by two events")
                    .isEqualTo(rowsBefore.entrySet().stream().filter(e -> !e.getKey().equals("audit_events"))
                            .toList());
            assertThat(RegistryMigrationTest.rows(file, List.of("audit_events")).get("audit_events"))
                    .containsAll(rowsBefore.get("audit_events")).hasSize(events + 2);
            List<String> versions = RegistryMigrationTest.rows(file, List.of("schema_version")).get("schema_version");
            assertThat(versions).hasSize(4).startsWith(versionsBefore.toArray(new String[0]));
            assertThat(versions.get(3)).startsWith("version=4\u0001description=policies\u0001");
            assertThat(RegistryMigrationTest.tables(file)).containsAll(V4_TABLES);

            try (JdbcStore store = JdbcStore.sqlite(file);
                    Mlops mlops = Mlops.builder().store(store).artifactUri("memory:").build()) {
                assertThat(mlops.policies().decisions("nightly", "churn")).as("the decisions after reopening")
                        .isEqualTo(decided);
            }
            assertThatThrownBy(() -> OlderSchemaDialect.sqlite(file, 3)).isInstanceOf(StorageException.class)
                    .hasMessageContaining("newer mlops version").hasMessageContaining("schema 4");
        }

        @Test
        @DisplayName("when the version 4 script fails (a table of that name was added by hand), the file stays at"
                + " version 3 with all its data, and the version 3 library still opens it")
        void failedUpgradeLeavesVersionThree() throws Exception {
            Path file = dir.resolve("blocked.db");
            List<String> runIds;
            List<Object> readableBefore;
            try (JdbcStore old = OlderSchemaDialect.sqlite(file, 3)) {
                runIds = populate(old);
                readableBefore = readable(old, runIds);
            }
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file);
                    Statement s = c.createStatement()) {
                s.execute("CREATE TABLE policy_decisions (x INTEGER)");
            }
            Map<String, List<String>> before = RegistryMigrationTest.rows(file, V3_TABLES);
            assertThatThrownBy(() -> JdbcStore.sqlite(file))
                    .isInstanceOf(StorageException.class)
                    .hasMessageContaining("migrate the schema to version 4")
                    .hasMessageContaining("policy_decisions");
            assertThat(RegistryMigrationTest.rows(file, V3_TABLES)).isEqualTo(before);
            assertThat(RegistryMigrationTest.tables(file)).doesNotContain("policy_states");
            try (JdbcStore old = OlderSchemaDialect.sqlite(file, 3)) {
                assertThat(old.schemaVersion()).isEqualTo(3);
                assertThat(readable(old, runIds)).isEqualTo(readableBefore);
                RegistryMigrationTest.assertVerifies(old, Fixtures.chain(old).size());
            }
        }
    }

    @Nested
    @RequiresPostgres
    @DisplayName("PostgreSQL")
    class Postgres {

        @Test
        @DisplayName("a populated version 3 schema is upgraded in place: every row and everything readable stays,"
                + " the audit chain verifies, and policies can be evaluated")
        void populatedSchemaUpgradesInPlace() throws Exception {
            PostgresTestDatabase db = DATABASE.get();
            String schema = db.createSchema();
            String uri = db.uriOf(schema);
            List<String> runIds;
            List<Object> readableBefore;
            int events;
            try (JdbcStore old = OlderSchemaDialect.postgres(uri, 3)) {
                assertThat(old.schemaVersion()).isEqualTo(3);
                runIds = populate(old);
                readableBefore = readable(old, runIds);
                events = Fixtures.chain(old).size();
            }
            List<String> unchanged = V3_TABLES.stream().filter(t -> !t.equals("audit_events"))
                    .map(t -> schema + "." + t).toList();
            Map<String, List<String>> before;
            try (Connection c = db.connect()) {
                before = RegistryMigrationTest.rows(c, unchanged);
            }
            try (JdbcStore store = (JdbcStore) new JdbcStoreProvider().open(uri)) {
                assertThat(store.schemaVersion()).isEqualTo(4);
                assertThat(readable(store, runIds)).isEqualTo(readableBefore);
                RegistryMigrationTest.assertVerifies(store, events);
                usePolicies(store);
                RegistryMigrationTest.assertVerifies(store, events + 2);
                assertThat(db.queryLong("SELECT COUNT(*) FROM " + schema + ".policy_decisions")).isEqualTo(2);
            }
            try (Connection c = db.connect()) {
                assertThat(RegistryMigrationTest.rows(c, unchanged)).isEqualTo(before);
            }
            assertThat(db.queryLong("SELECT MAX(version) FROM " + schema + ".schema_version")).isEqualTo(4);
        }
    }

    private static final PostgresTestDatabase.OnFirstUse DATABASE = new PostgresTestDatabase.OnFirstUse();

    @AfterAll
    static void dropSchemas() throws Exception {
        DATABASE.close();
    }
}
