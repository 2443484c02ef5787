package dev.mlops.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MigrationTest {
    /** The schema version this library migrates to. */
    static final int LATEST = new SqliteDialect("x").migrations().size();

    @TempDir
    Path dir;

    @Test
    void everyListedScriptExistsIsNumberedInOrderAndNoScriptIsLeftOut() throws Exception {
        SqliteDialect dialect = new SqliteDialect("x");
        List<String> listed = dialect.migrations();
        for (int i = 0; i < listed.size(); i++) {
            assertThat(listed.get(i)).startsWith("V" + (i + 1) + "__").endsWith(".sql");
            assertThat(getClass().getClassLoader().getResource(dialect.migrationFolder() + listed.get(i)))
                    .as(listed.get(i)).isNotNull();
        }
        Path folder = Path.of(getClass().getClassLoader().getResource(dialect.migrationFolder() + listed.get(0))
                .toURI()).getParent();
        try (Stream<Path> files = Files.list(folder)) {
            assertThat(files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".sql")))
                    .containsExactlyInAnyOrderElementsOf(listed);
        }
    }

    @Test
    void scriptsAreSplitIntoStatementsAtLinesEndingWithASemicolon() {
        String script = """
                -- a comment; with a semicolon
                CREATE TABLE a (
                    x INTEGER -- trailing words
                );

                   -- indented comment
                CREATE INDEX a_x ON a (x);
                INSERT INTO a VALUES (1)""";
        assertThat(Migrator.statements(script)).containsExactly(
                "CREATE TABLE a (\n    x INTEGER -- trailing words\n)",
                "CREATE INDEX a_x ON a (x)",
                "INSERT INTO a VALUES (1)");
    }

    @Test
    void theFirstOpenCreatesTheDocumentedTablesAndIndexes() throws Exception {
        Path file = dir.resolve("m.db");
        JdbcStore.sqlite(file).close();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file)) {
            assertThat(names(c, "table")).contains("schema_version", "runs", "params", "tags", "metrics",
                    "latest_metrics", "lineage_edges", "datasets", "audit_events", "audit_checkpoints");
            assertThat(names(c, "index")).contains("lineage_edges_to", "runs_by_start", "metrics_series");
        }
    }

    @Test
    void reopeningAnUpToDateStoreDoesNotApplyAnythingAgain() throws Exception {
        Path file = dir.resolve("m.db");
        for (int i = 0; i < 3; i++) {
            JdbcStore.sqlite(file).close();
        }
        assertThat(versionRows(file)).isEqualTo(LATEST);
    }

    @RepeatedTest(5)
    void storesOpeningAFreshFileAtOnceMigrateItExactlyOnce() throws Exception {
        Path file = dir.resolve("race.db");
        int openers = 6;
        ExecutorService pool = Executors.newFixedThreadPool(openers);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Integer>> results = new ArrayList<>();
        try {
            for (int i = 0; i < openers; i++) {
                results.add(pool.submit(() -> {
                    start.await();
                    try (JdbcStore store = JdbcStore.sqlite(file)) {
                        return store.schemaVersion();
                    }
                }));
            }
            start.countDown();
            for (Future<Integer> r : results) {
                assertThat(r.get(30, TimeUnit.SECONDS)).isEqualTo(LATEST);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(versionRows(file)).isEqualTo(LATEST);
    }

    private static int versionRows(Path file) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM schema_version")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static List<String> names(Connection c, String type) throws Exception {
        List<String> names = new ArrayList<>();
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT name FROM sqlite_master WHERE type = '" + type + "'")) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        }
        return names;
    }
}
