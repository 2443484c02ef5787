package dev.mlops.store.jdbc;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * The PostgreSQL server of the tests, named by the environment variable {@value #VARIABLE} (for example
 * {@code jdbc:postgresql://127.0.0.1:5432/mlops_test?user=postgres}; {@code .ci/run} starts a throw-away server and
 * sets it). Tests get a fresh, empty schema each ({@link #newSchema()}), all of them in that one database, and
 * {@link #close()} drops them. Test classes that use it are annotated {@link RequiresPostgres}, so that without the
 * variable each of their tests is reported as skipped with the reason. Not thread-safe.
 */
public final class PostgresTestDatabase implements AutoCloseable {
    public static final String VARIABLE = "MLOPS_TEST_POSTGRES_URL";
    /** Why the PostgreSQL tests are skipped without {@value #VARIABLE}. */
    public static final String SKIPPED = VARIABLE + " is not set, so the PostgreSQL tests are skipped; set it to"
            + " jdbc:postgresql://HOST:PORT/DATABASE?user=USER&password=PASSWORD of a server where the user may create"
            + " schemas (.ci/run starts one and sets it; see docs/storage.md)";

    private final String url;
    private final String prefix;
    private final List<String> schemas = new ArrayList<>();

    private PostgresTestDatabase(String url) {
        this.url = url;
        this.prefix = "mlops_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }

    /**
     * The test database, checked with one connection.
     *
     * @throws org.opentest4j.TestAbortedException when {@value #VARIABLE} is not set: the test is skipped
     */
    public static PostgresTestDatabase open() {
        String url = System.getenv(VARIABLE);
        assumeTrue(url != null && !url.isBlank(), SKIPPED);
        if (url.contains("currentSchema=")) {
            throw new IllegalStateException(VARIABLE + " must not set currentSchema: each test gets its own schema");
        }
        PostgresTestDatabase db = new PostgresTestDatabase(url.strip());
        try (Connection c = db.connect()) {
            c.isValid(5);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot connect to the PostgreSQL server of " + VARIABLE + ": "
                    + e.getMessage(), e);
        }
        return db;
    }

    /** The URL of {@value #VARIABLE}, without a currentSchema: the database the test schemas are made in. */
    public String url() {
        return url;
    }

    /** A new connection to the test database, outside the store (for setup and checks). */
    public Connection connect() throws SQLException {
        return DriverManager.getConnection(url);
    }

    /** Creates a new, empty schema and returns its name. */
    public String createSchema() throws SQLException {
        String schema = prefix + "_" + (schemas.size() + 1);
        execute("CREATE SCHEMA " + schema);
        schemas.add(schema);
        return schema;
    }

    /** Creates a new, empty schema and returns the store URI that keeps its tables there. */
    public String newSchema() {
        try {
            return uriOf(createSchema());
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create a schema for a test: " + e.getMessage(), e);
        }
    }

    /** The store URI whose tables are in {@code schema}. */
    public String uriOf(String schema) {
        return url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    }

    /** Runs one statement on a new connection. */
    public void execute(String sql) throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute(sql);
        }
    }

    /** The first column of the first row of {@code sql}, as a long. */
    public long queryLong(String sql) throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Drops every schema this object created. */
    @Override
    public void close() throws SQLException {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            for (String schema : schemas) {
                s.execute("DROP SCHEMA IF EXISTS " + schema.toLowerCase(Locale.ROOT) + " CASCADE");
            }
        }
        schemas.clear();
    }

    /**
     * The test database of a test class whose PostgreSQL tests are nested in a {@link RequiresPostgres} class beside
     * others: {@link #get()} opens it on first use only, so the class's other tests run without PostgreSQL, and
     * {@link #close()}, from the class's {@code @AfterAll}, drops its schemas. Not thread-safe.
     */
    public static final class OnFirstUse implements AutoCloseable {
        private PostgresTestDatabase database;

        /**
         * The database, opened now if it is not open yet.
         *
         * @throws org.opentest4j.TestAbortedException when {@value PostgresTestDatabase#VARIABLE} is not set: the test
         *     is skipped
         */
        public PostgresTestDatabase get() {
            if (database == null) {
                database = open();
            }
            return database;
        }

        /** Drops the schemas of the database if it was opened; it is opened anew by the next {@link #get()}. */
        @Override
        public void close() throws SQLException {
            if (database != null) {
                database.close();
                database = null;
            }
        }
    }
}
