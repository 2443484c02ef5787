package dev.mlops.store.jdbc;

import static dev.mlops.store.jdbc.Fixtures.T0;
import static dev.mlops.store.jdbc.Fixtures.audit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.mlops.Mlops;
import dev.mlops.PageRequest;
import dev.mlops.StorageException;
import dev.mlops.audit.AuditEvent;
import dev.mlops.tracking.NewRun;
import dev.mlops.tracking.Run;
import dev.mlops.tracking.RunQuery;
import dev.mlops.tracking.RunStatus;
import java.io.File;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the PostgreSQL dialect adds to the kit: writers in several processes, concurrent migrations, refused
 * schemas, connection failures without secrets, the lock timeout and the pool. Runs against the server of
 * {@value PostgresTestDatabase#VARIABLE} and is reported as skipped, with the reason, when it is not set.
 */
@RequiresPostgres
@DisplayName("The PostgreSQL store")
class PostgresStoreTest {
    static final int EVENTS_PER_RUN = Fixtures.EVENTS_PER_RUN;
    static final int POINTS_PER_RUN = Fixtures.POINTS_PER_RUN;
    /** The schema version this library migrates to. */
    static final int LATEST = new PostgresDialect("x", java.time.Duration.ofSeconds(1)).migrations().size();

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

    private static long count(String schema, String table) throws SQLException {
        return db.queryLong("SELECT count(*) FROM " + schema + "." + table);
    }

    // ---- many writers, migrations ---------------------------------------------------------------------------------

    @Test
    @DisplayName("three processes and four stores in this one open an empty schema at the same moment: it is migrated"
            + " once, and their writes form one audit chain without gap or fork, nothing lost")
    void manyProcessesAndStoresWriteOneChain() throws Exception {
        String schema = db.createSchema();
        String uri = db.uriOf(schema);
        Path go = dir.resolve("go");
        int children = 3;
        int childRuns = 8;
        int parentStores = 4;
        int parentRuns = 8;
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<Process> processes = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(parentStores + 1);
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicInteger reads = new AtomicInteger();
        try {
            for (int p = 0; p < children; p++) {
                Process child = new ProcessBuilder(java, "-cp", testClassPath(),
                        PostgresWriterProcess.class.getName(), uri, go.toString(), Integer.toString(childRuns),
                        "child-" + p).redirectErrorStream(true).start();
                processes.add(child);
                // "ready" is the child's first line: it waits for the go file from here on.
                byte[] ready = child.getInputStream().readNBytes(6);
                assertThat(new String(ready, StandardCharsets.UTF_8)).isEqualTo("ready\n");
            }
            CountDownLatch start = new CountDownLatch(1);
            List<Future<List<String>>> writers = new ArrayList<>();
            for (int s = 0; s < parentStores; s++) {
                String job = "parent-" + s;
                writers.add(pool.submit(() -> {
                    start.await();
                    List<String> ids = new ArrayList<>();
                    try (JdbcStore store = open(uri)) {
                        for (int i = 0; i < parentRuns; i++) {
                            ids.add(Fixtures.writeOneRun(store, job, i));
                        }
                    }
                    return ids;
                }));
            }
            Future<?> reader = pool.submit(() -> {
                start.await();
                try (JdbcStore store = open(uri)) {
                    while (writing.get()) {
                        store.searchRuns(RunQuery.all(), PageRequest.first(20)).items()
                                .forEach(r -> assertThat(r.jobName()).matches("(child|parent)-\\d"));
                        List<AuditEvent> head = store.auditEvents(0, 10_000);
                        Fixtures.assertChainIntact(head);
                        reads.incrementAndGet();
                    }
                }
                return null;
            });
            Files.createFile(go);
            start.countDown();
            List<String> ids = new ArrayList<>();
            for (Future<List<String>> w : writers) {
                ids.addAll(w.get(180, TimeUnit.SECONDS));
            }
            for (Process child : processes) {
                assertThat(child.waitFor(180, TimeUnit.SECONDS)).isTrue();
                String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(child.exitValue()).as(output).isZero();
                assertThat(output).contains("wrote " + childRuns);
            }
            writing.set(false);
            reader.get(60, TimeUnit.SECONDS);
            assertThat(reads.get()).isPositive();

            assertThat(count(schema, "schema_version")).isEqualTo(LATEST);
            int runs = children * childRuns + parentStores * parentRuns;
            try (JdbcStore store = open(uri)) {
                List<AuditEvent> chain = Fixtures.chain(store);
                assertThat(chain).hasSize(runs * EVENTS_PER_RUN);
                Fixtures.assertChainIntact(chain);
                long switches = 0;
                for (int i = 1; i < chain.size(); i++) {
                    switches += chain.get(i).actor().equals(chain.get(i - 1).actor()) ? 0 : 1;
                }
                assertThat(switches).as("times the writer changed along the chain").isGreaterThan(children);
                List<Run> all = store.searchRuns(RunQuery.all(), PageRequest.first(1000)).items();
                assertThat(all).hasSize(runs).allMatch(r -> r.status() == RunStatus.COMPLETED);
                assertThat(all.stream().map(Run::id)).containsAll(ids).doesNotHaveDuplicates();
                for (Run run : all) {
                    assertThat(run.latestMetrics().get("loss").step()).isEqualTo(POINTS_PER_RUN - 1);
                    assertThat(run.params()).containsOnlyKeys("i");
                }
                assertThat(count(schema, "metrics")).isEqualTo((long) runs * POINTS_PER_RUN);
            }
        } finally {
            writing.set(false);
            pool.shutdownNow();
            processes.forEach(Process::destroyForcibly);
        }
    }

    @RepeatedTest(3)
    @DisplayName("six stores opening an empty schema at the same moment migrate it exactly once, and none fails")
    void concurrentMigration() throws Exception {
        String schema = db.createSchema();
        String uri = db.uriOf(schema);
        int openers = 6;
        ExecutorService pool = Executors.newFixedThreadPool(openers);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<Integer>> results = new ArrayList<>();
        try {
            for (int i = 0; i < openers; i++) {
                results.add(pool.submit(() -> {
                    start.await();
                    try (JdbcStore store = open(uri)) {
                        Fixtures.createRun(store, "opener", T0);
                        return store.schemaVersion();
                    }
                }));
            }
            start.countDown();
            for (Future<Integer> r : results) {
                assertThat(r.get(60, TimeUnit.SECONDS)).isEqualTo(LATEST);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(count(schema, "schema_version")).isEqualTo(LATEST);
        assertThat(count(schema, "runs")).isEqualTo(openers);
        try (JdbcStore store = open(uri)) {
            Fixtures.assertChainIntact(Fixtures.chain(store));
        }
    }

    @Test
    @DisplayName("a schema written by a newer version is refused with a clear message and left as it was")
    void futureSchema() throws Exception {
        String schema = db.createSchema();
        String uri = db.uriOf(schema);
        try (JdbcStore store = open(uri)) {
            Fixtures.createRun(store, "kept", T0);
        }
        db.execute("INSERT INTO " + schema + ".schema_version (version, description, applied_time, library_version)"
                + " VALUES (" + (LATEST + 1) + ", 'from the future', 0, '9.9.9')");
        assertThatThrownBy(() -> open(uri))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining("written by a newer mlops version (schema " + (LATEST + 1)
                        + ", this library supports up to " + LATEST + ")")
                .hasMessageContaining("upgrade mlops");
        assertThat(count(schema, "schema_version")).isEqualTo(LATEST + 1);
        assertThat(count(schema, "runs")).isEqualTo(1);
        assertThat(count(schema, "audit_events")).isEqualTo(1);
    }

    @Test
    @DisplayName("a schema holding another application's tables is refused and nothing is created in it")
    void foreignSchema() throws Exception {
        String schema = db.createSchema();
        db.execute("CREATE TABLE " + schema + ".customers (id BIGINT PRIMARY KEY)");
        assertThatThrownBy(() -> open(db.uriOf(schema)))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining("customers")
                .hasMessageContaining("it is not an mlops store");
        assertThat(db.queryLong("SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = '" + schema + "'"))
                .isEqualTo(1);
    }

    @Test
    @DisplayName("a currentSchema that does not exist is reported, naming the search path")
    void missingSchema() {
        String missing = "mlops_missing_" + UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        assertThatThrownBy(() -> open(db.uriOf(missing)))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining("none of the schemas on the search path")
                .hasMessageContaining(missing)
                .hasMessageContaining("CREATE SCHEMA");
    }

    @Test
    @DisplayName("the tables, columns and indexes are those of the SQLite schema, and every text column sorts by code"
            + " point (collation C)")
    void schemaMirrorsSqlite() throws Exception {
        String schema = db.createSchema();
        open(db.uriOf(schema)).close();
        Path file = dir.resolve("mirror.db");
        JdbcStore.sqlite(file).close();
        Map<String, TreeSet<String>> sqliteColumns = new TreeMap<>();
        TreeSet<String> sqliteIndexes = new TreeSet<>();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT m.name, p.name FROM sqlite_master m, pragma_table_info(m.name) p"
                    + " WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'")) {
                while (rs.next()) {
                    sqliteColumns.computeIfAbsent(rs.getString(1), k -> new TreeSet<>()).add(rs.getString(2));
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT name FROM sqlite_master WHERE type = 'index'"
                    + " AND name NOT LIKE 'sqlite_autoindex%'")) {
                while (rs.next()) {
                    sqliteIndexes.add(rs.getString(1));
                }
            }
        }
        Map<String, TreeSet<String>> pgColumns = new TreeMap<>();
        TreeSet<String> pgIndexes = new TreeSet<>();
        List<String> textColumnsNotC = new ArrayList<>();
        try (Connection c = db.connect(); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT table_name, column_name, data_type, collation_name"
                    + " FROM information_schema.columns WHERE table_schema = '" + schema + "'")) {
                while (rs.next()) {
                    pgColumns.computeIfAbsent(rs.getString(1), k -> new TreeSet<>()).add(rs.getString(2));
                    if (rs.getString(3).equals("text") && !rs.getString(1).equals("schema_version")
                            && !"C".equals(rs.getString(4))) {
                        textColumnsNotC.add(rs.getString(1) + "." + rs.getString(2));
                    }
                }
            }
            try (ResultSet rs = s.executeQuery("SELECT i.relname FROM pg_catalog.pg_index x"
                    + " JOIN pg_catalog.pg_class i ON i.oid = x.indexrelid"
                    + " JOIN pg_catalog.pg_namespace n ON n.oid = i.relnamespace"
                    + " WHERE n.nspname = '" + schema + "'"
                    + " AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_constraint k WHERE k.conindid = x.indexrelid)")) {
                while (rs.next()) {
                    pgIndexes.add(rs.getString(1));
                }
            }
        }
        assertThat(pgColumns).isEqualTo(sqliteColumns);
        assertThat(pgIndexes).isEqualTo(sqliteIndexes);
        assertThat(textColumnsNotC).isEmpty();
    }

    @Test
    @DisplayName("runs started at the same millisecond come in descending code-point order of their ids")
    void codePointOrder() throws Exception {
        try (JdbcStore store = open(db.newSchema())) {
            List<String> ids = List.of("Zulu", "alpha", "Alpha", "zulu", "éclair", "eclair", "_x", "0");
            for (String id : ids) {
                store.createRun(new NewRun(id, "job", null, T0, Map.of(), null, Map.of()),
                        audit("run.create", "run:" + id));
            }
            List<String> expected = new ArrayList<>(ids);
            expected.sort((a, b) -> b.compareTo(a));
            List<String> paged = new ArrayList<>();
            String token = null;
            do {
                var page = store.searchRuns(RunQuery.all(), new PageRequest(3, token));
                page.items().forEach(r -> paged.add(r.id()));
                token = page.nextPageToken();
            } while (token != null);
            assertThat(paged).containsExactlyElementsOf(expected);
        }
    }

    // ---- locks and the pool ---------------------------------------------------------------------------------------

    @Test
    @DisplayName("a writer that waits longer than lockTimeout fails clearly and writes nothing; once the lock is free"
            + " it succeeds")
    void lockTimeout() throws Exception {
        String schema = db.createSchema();
        try (JdbcStore store = open(db.uriOf(schema) + "&lockTimeout=1")) {
            Fixtures.createRun(store, "before", T0);
            try (Connection holder = db.connect(); Statement s = holder.createStatement()) {
                s.execute("SELECT pg_advisory_lock(" + PostgresDialect.LOCK_NAMESPACE + ", hashtext('" + schema
                        + "'))");
                long started = System.nanoTime();
                assertThatThrownBy(() -> Fixtures.createRun(store, "blocked", T0))
                        .isInstanceOf(StorageException.class)
                        .hasMessageContaining("locked by another writer");
                assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isBetween(900L, 10_000L);
                // Reads are not blocked by the writer.
                assertThat(store.auditHead()).map(AuditEvent::seq).contains(1L);
                s.execute("SELECT pg_advisory_unlock(" + PostgresDialect.LOCK_NAMESPACE + ", hashtext('" + schema
                        + "'))");
            }
            assertThat(count(schema, "runs")).isEqualTo(1);
            assertThat(count(schema, "audit_events")).isEqualTo(1);
            Fixtures.createRun(store, "after", T0);
            Fixtures.assertChainIntact(Fixtures.chain(store));
        }
    }

    @Test
    @DisplayName("the pool keeps at most poolSize connections, and closing the store or the Mlops instance closes"
            + " them all")
    void poolSizeAndClose() throws Exception {
        String name = "mlops-pool-" + UUID.randomUUID().toString().substring(0, 8);
        String uri = db.newSchema() + "&poolSize=2&ApplicationName=" + name;
        String connections = "SELECT count(*) FROM pg_stat_activity WHERE application_name = '" + name + "'";
        JdbcStore store = open(uri);
        String runId = Fixtures.createRun(store, "job", T0);
        ExecutorService pool = Executors.newFixedThreadPool(6);
        AtomicBoolean reading = new AtomicBoolean(true);
        long most = 0;
        try {
            List<Future<?>> readers = new ArrayList<>();
            for (int t = 0; t < 6; t++) {
                readers.add(pool.submit(() -> {
                    while (reading.get()) {
                        assertThat(store.getRun(runId)).isPresent();
                    }
                    return null;
                }));
            }
            for (int i = 0; i < 20; i++) {
                most = Math.max(most, db.queryLong(connections));
                Thread.sleep(20);
            }
            reading.set(false);
            for (Future<?> r : readers) {
                r.get(30, TimeUnit.SECONDS);
            }
        } finally {
            reading.set(false);
            pool.shutdownNow();
        }
        assertThat(most).isBetween(1L, 2L);
        store.close();
        awaitConnections(connections, 0);

        try (Mlops mlops = Mlops.builder().storeUri(uri).artifactUri("memory:").build()) {
            assertThat(mlops.storeDescription()).contains(name);
            assertThat(db.queryLong(connections)).isPositive();
        }
        awaitConnections(connections, 0);
    }

    @Test
    @DisplayName("when the server drops the store's connections (a restart, a failover), the pool replaces them and"
            + " the next change succeeds with the chain intact")
    void droppedConnections() throws Exception {
        String name = "mlops-drop-" + UUID.randomUUID().toString().substring(0, 8);
        try (JdbcStore store = open(db.newSchema() + "&poolSize=3&ApplicationName=" + name)) {
            Fixtures.createRun(store, "before", T0);
            long dropped = db.queryLong("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                    + " WHERE application_name = '" + name + "'");
            assertThat(dropped).isPositive();
            // HikariCP checks a connection that has been idle for more than half a second before handing it out.
            Thread.sleep(1_000);
            Fixtures.createRun(store, "after", T0);
            assertThat(store.searchRuns(RunQuery.all(), PageRequest.first(10)).items()).hasSize(2);
            Fixtures.assertChainIntact(Fixtures.chain(store));
        }
    }

    private static void awaitConnections(String query, long expected) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        long n;
        while ((n = db.queryLong(query)) != expected && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(n).as("server connections of the store").isEqualTo(expected);
    }

    // ---- connection failures never show the password --------------------------------------------------------------

    private static String secret(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        return "Pw" + Long.toHexString(random.nextLong()) + "x" + Long.toHexString(random.nextLong());
    }

    /** The test server's address: what lies between {@code //} and the database name. */
    private static String hostPort() {
        String url = db.url();
        int start = url.indexOf("//") + 2;
        return url.substring(start, url.indexOf('/', start));
    }

    private static StorageException openFails(String uri) {
        StorageException e = catchThrowableOfType(StorageException.class, () -> open(uri).close());
        assertThat(e).as("opening %s", PostgresUri.redact(uri)).isNotNull();
        return e;
    }

    @Test
    @DisplayName("a server that cannot be reached is reported within the connect timeout, naming the address and"
            + " not the password")
    void unreachable() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        String password = secret(1);
        long started = System.nanoTime();
        StorageException e = openFails("jdbc:postgresql://127.0.0.1:" + port + "/mlops?user=alice&password="
                + password + "&connectTimeout=2");
        assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started)).isLessThan(10);
        assertThat(e.getMessage())
                .startsWith("jdbc:postgresql://127.0.0.1:" + port + "/mlops?user=alice&connectTimeout=2: ")
                .contains("cannot connect to PostgreSQL at 127.0.0.1:" + port + "/mlops as user alice")
                .contains("the server cannot be reached");
        assertThat(PostgresUriTest.fullText(e)).doesNotContain(password);
    }

    @Test
    @DisplayName("an unknown user or database is reported as such, without the password")
    void unknownUserOrDatabase() {
        String password = secret(2);
        StorageException user = openFails("jdbc:postgresql://" + hostPort() + "/postgres?user=mlops_nobody_"
                + Long.toHexString(System.nanoTime()) + "&password=" + password);
        // A server that asks for passwords does not say whether the user exists; one that trusts says it does not.
        assertThat(user.getMessage()).containsAnyOf("the server refused the user", "the server refused the password")
                .contains("as user mlops_nobody_");
        assertThat(PostgresUriTest.fullText(user)).doesNotContain(password);

        String database = "mlops_no_such_db_" + Long.toHexString(System.nanoTime());
        String url = db.url();
        String withPassword = url.contains("password=") ? url : url + "&password=" + password;
        String other = withPassword.replaceFirst("//([^/]+)/[^?]+", "//$1/" + database);
        StorageException missing = openFails(other);
        assertThat(missing.getMessage()).contains("the database does not exist").contains(database);
        assertThat(PostgresUriTest.fullText(missing)).doesNotContain(password);
    }

    @Test
    @DisplayName("a wrong password is reported as refused, and neither it nor the right one appears; the right one"
            + " opens a store whose description has no password")
    void wrongPassword() throws Exception {
        String role = "mlops_pw_" + Long.toHexString(System.nanoTime());
        String right = secret(3);
        String wrong = secret(4);
        try {
            db.execute("CREATE ROLE " + role + " LOGIN PASSWORD '" + right + "'");
        } catch (SQLException e) {
            assumeTrue(false, "the user of " + PostgresTestDatabase.VARIABLE + " may not create roles (CREATEROLE),"
                    + " so a wrong password cannot be tested: " + e.getMessage());
        }
        String schema = db.createSchema();
        db.execute("ALTER SCHEMA " + schema + " OWNER TO " + role);
        String database = db.url().replaceFirst(".*//[^/]+/([^?]+).*", "$1");
        String base = "jdbc:postgresql://" + hostPort() + "/" + database + "?user=" + role + "&currentSchema="
                + schema + "&password=";
        try {
            boolean checksPasswords;
            try (Connection c = DriverManager.getConnection(base + wrong)) {
                checksPasswords = !c.isValid(5);
            } catch (SQLException e) {
                checksPasswords = true;
            }
            assumeTrue(checksPasswords, "the server at " + hostPort() + " accepts any password for " + role
                    + " (trust authentication), so a wrong password cannot be tested; .ci/run's server asks"
                    + " passwords of every user but postgres");
            StorageException e = openFails(base + wrong);
            assertThat(e.getMessage()).contains("the server refused the password").contains("as user " + role);
            assertThat(PostgresUriTest.fullText(e)).doesNotContain(wrong).doesNotContain(right);

            try (JdbcStore store = open(base + right)) {
                Fixtures.createRun(store, "with a password", T0);
                assertThat(store.describe()).doesNotContain(right).doesNotContain("password")
                        .contains("user=" + role);
                assertThat(store.toString()).doesNotContain(right);
            }
        } finally {
            db.execute("DROP SCHEMA " + schema + " CASCADE");
            db.execute("DROP ROLE " + role);
        }
    }

    @Test
    @DisplayName("describe(), the Mlops description and the errors of a closed store never show the password")
    void descriptionsHideThePassword() throws Exception {
        String uri = db.newSchema();
        String password;
        if (uri.contains("password=")) {
            password = PostgresUri.parse(uri).password();
        } else {
            password = secret(5);
            uri = uri + "&password=" + password;
        }
        JdbcStore store = open(uri);
        assertThat(store.describe()).doesNotContain(password).startsWith("jdbc:postgresql://");
        assertThat(store.toString()).doesNotContain(password);
        store.close();
        StorageException closed = catchThrowableOfType(StorageException.class, () -> store.getRun("x"));
        assertThat(closed.getMessage()).contains("closed").doesNotContain(password);
        try (Mlops mlops = Mlops.builder().storeUri(uri).artifactUri("memory:").build()) {
            assertThat(mlops.storeDescription()).doesNotContain(password);
            assertThat(mlops.toString()).doesNotContain(password);
        }
    }

    /** The class path of this test run, as a child JVM needs it. */
    static String testClassPath() {
        String path = System.getProperty("surefire.test.class.path");
        if (path == null || path.isBlank()) {
            path = System.getProperty("java.class.path");
        }
        return String.join(File.pathSeparator, path.split(File.pathSeparator));
    }
}
