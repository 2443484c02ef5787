package dev.mlops.store.jdbc;

import dev.mlops.StorageException;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * PostgreSQL: a server shared by many processes. The store's tables live in the connection's current schema
 * (the first existing schema of the {@code search_path}; choose another with the driver parameter
 * {@code currentSchema}).
 *
 * <p>Write transactions run at READ COMMITTED and first take a transaction-level advisory lock
 * ({@code pg_advisory_xact_lock}) whose key is derived from the schema name: writers of one store, in any number of
 * processes, run one after the other, so every statement of a write sees all earlier writes, the audit chain gets
 * exactly one event per sequence number (no gap, no fork), and check-then-insert logic is race-free. Because the
 * migrator migrates inside such a write transaction, several processes opening an empty or old database at once
 * migrate it once: the others wait for the lock and find the work done. A writer waits at most the lock timeout
 * ({@code lock_timeout}, the URI parameter {@code lockTimeout}) and then fails with a "database stayed locked"
 * {@link StorageException}. Read transactions are REPEATABLE READ, READ ONLY: one consistent snapshot, never
 * blocked by writers and never failing with serialisation errors.
 *
 * <p>The driver ({@code org.postgresql:postgresql}) and the pool ({@code com.zaxxer:HikariCP}) are optional
 * dependencies, looked up when a store is opened; their absence is reported with what to add. Immutable and
 * thread-safe.
 */
final class PostgresDialect implements Dialect {
    /** The driver class of {@code org.postgresql:postgresql}. */
    static final String DRIVER_CLASS = "org.postgresql.Driver";
    /** The pool class of {@code com.zaxxer:HikariCP}. */
    static final String POOL_CLASS = "com.zaxxer.hikari.HikariDataSource";
    /** First half of the advisory lock key: "mlop" in ASCII; the second half is the hash of the schema name. */
    static final int LOCK_NAMESPACE = 0x6D6C6F70;
    static final String WRITE_LOCK = "SELECT pg_advisory_xact_lock(" + LOCK_NAMESPACE
            + ", hashtext(coalesce(current_schema(), '')))";

    private static final List<String> MIGRATIONS = List.of("V1__init.sql", "V2__model_registry.sql",
            "V3__profiles.sql", "V4__policies.sql");

    private final String description;
    private final Duration lockTimeout;

    /**
     * @param description the store's description, for messages (no secrets)
     * @param lockTimeout how long a statement waits for a lock, the store's write lock included
     */
    PostgresDialect(String description, Duration lockTimeout) {
        this.description = description;
        this.lockTimeout = lockTimeout;
    }

    /** The write-lock wait: the same budget as a statement's wait for the database lock. */
    @Override
    public Duration busyTimeout() {
        return lockTimeout;
    }

    /**
     * Opens the store at {@code uri}: checks the URI, loads the driver and the pool, connects (once, to fail fast
     * on a wrong address or credentials) and migrates the schema.
     *
     * @throws dev.mlops.InvalidArgumentException (field {@code store}) when the URI does not parse
     * @throws StorageException when the driver or the pool is missing, the server cannot be reached, refuses the
     *         credentials or the database, or the schema is not one this library can use
     */
    static JdbcStore open(String uri) {
        PostgresUri parsed = PostgresUri.parse(uri);
        String description = parsed.description();
        ClassLoader loader = PostgresDialect.class.getClassLoader();
        Driver driver = (Driver) instantiate(description, load(description, DRIVER_CLASS, loader, true,
                "the PostgreSQL JDBC driver (" + DRIVER_CLASS + ") is not on the class path; add"
                        + " org.postgresql:postgresql (42.7 or later) to use jdbc:postgresql: stores"),
                "the PostgreSQL JDBC driver");
        // HikariConnectionSource links to HikariCP directly, so the pool must be visible to this class's loader.
        load(description, POOL_CLASS, loader, false, "the connection pool HikariCP (" + POOL_CLASS + ") is not on"
                + " the class path; add com.zaxxer:HikariCP (5.1 or later) beside org.postgresql:postgresql to use"
                + " jdbc:postgresql: stores");
        PostgresDialect dialect = new PostgresDialect(description, parsed.lockTimeout());
        ConnectionSource pool = HikariConnectionSource.open(parsed, new DriverDataSource(driver, parsed.driverUrl(),
                parsed.driverProperties(), dialect));
        return new JdbcStore(description, dialect, pool);
    }

    /** Loads {@code className} with {@code loader}, then with the thread's context loader when allowed. */
    private static Class<?> load(String description, String className, ClassLoader loader, boolean orContext,
            String missing) {
        try {
            return Class.forName(className, false, loader);
        } catch (ClassNotFoundException | LinkageError first) {
            ClassLoader context = Thread.currentThread().getContextClassLoader();
            if (orContext && context != null && context != loader) {
                try {
                    return Class.forName(className, false, context);
                } catch (ClassNotFoundException | LinkageError e) {
                    first.addSuppressed(e);
                }
            }
            throw new StorageException(description + ": " + missing, first);
        }
    }

    private static Object instantiate(String description, Class<?> type, String what) {
        try {
            return type.getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | ClassCastException | LinkageError e) {
            throw new StorageException(description + ": " + what + " (" + type.getName() + ") could not be loaded: "
                    + e, e);
        }
    }

    @Override
    public String name() {
        return "postgresql";
    }

    @Override
    public void configure(Connection connection) throws SQLException {
        try (Statement s = connection.createStatement()) {
            s.execute("SET lock_timeout = " + lockTimeout.toMillis());
        }
    }

    /**
     * Checks that there is a schema to keep the tables in (the {@code currentSchema} parameter may name one that
     * does not exist); nothing is kept in the database itself.
     */
    @Override
    public void prepareDatabase(Connection connection) throws SQLException {
        try (Statement s = connection.createStatement();
                ResultSet rs = s.executeQuery("SELECT current_schema(), current_setting('search_path')")) {
            if (rs.next() && rs.getString(1) == null) {
                throw new StorageException(description + ": none of the schemas on the search path ("
                        + rs.getString(2) + ") exists, so there is no schema to keep the store's tables in; create"
                        + " the schema (CREATE SCHEMA ...) or fix the currentSchema parameter", null);
            }
        }
    }

    /** Starts a READ COMMITTED transaction and takes the store's write lock, waiting at most the lock timeout. */
    @Override
    public void beginWrite(Connection connection) throws SQLException {
        begin(connection, WRITE_LOCK);
    }

    @Override
    public void beginRead(Connection connection) throws SQLException {
        begin(connection, "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
    }

    /** Leaves auto-commit and runs {@code first} as the transaction's first statement; undoes both on failure. */
    private static void begin(Connection connection, String first) throws SQLException {
        connection.setAutoCommit(false);
        try (Statement s = connection.createStatement()) {
            s.execute(first);
        } catch (SQLException | RuntimeException e) {
            try {
                endTransaction(connection);
            } catch (SQLException undo) {
                e.addSuppressed(undo);
            }
            throw e;
        }
    }

    @Override
    public void commit(Connection connection) throws SQLException {
        connection.commit();
        connection.setAutoCommit(true);
    }

    @Override
    public void rollback(Connection connection) throws SQLException {
        endTransaction(connection);
    }

    /** Rolls back and returns to auto-commit, the state in which connections go back to the pool. */
    private static void endTransaction(Connection connection) throws SQLException {
        connection.rollback();
        connection.setAutoCommit(true);
    }

    /**
     * True: writers serialise on the database's write lock anyway, so the writers of one store queue in the JVM
     * without holding a pooled connection, which leaves the other connections to readers.
     */
    @Override
    public boolean serializeWritesInProcess() {
        return true;
    }

    @Override
    public int maxInListSize() {
        return 1000;
    }

    @Override
    public String migrationFolder() {
        return "dev/mlops/store/jdbc/postgresql/";
    }

    @Override
    public List<String> migrations() {
        return MIGRATIONS;
    }

    /** The ordinary and partitioned tables of the current schema. */
    @Override
    public Set<String> userTables(Connection connection) throws SQLException {
        Set<String> names = new TreeSet<>();
        try (Statement s = connection.createStatement();
                ResultSet rs = s.executeQuery("SELECT c.relname FROM pg_catalog.pg_class c"
                        + " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
                        + " WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')")) {
            while (rs.next()) {
                names.add(rs.getString(1).toLowerCase(Locale.ROOT));
            }
        }
        return names;
    }

    /** Classifies by SQLSTATE (of the exception or, when it has none, of its first cause that has one). */
    @Override
    public Failure classify(SQLException e) {
        String state = sqlState(e);
        if (state == null) {
            return Failure.OTHER;
        }
        return switch (state) {
            case "23505" -> Failure.UNIQUE;
            case "23503" -> Failure.FOREIGN_KEY;
            // lock_not_available (lock timeout), serialization_failure, deadlock_detected
            case "55P03", "40001", "40P01" -> Failure.BUSY;
            // data_corrupted, index_corrupted
            case "XX001", "XX002" -> Failure.CORRUPT;
            default -> state.startsWith("23") ? Failure.CONSTRAINT : Failure.OTHER;
        };
    }

    static String sqlState(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null) {
                return sql.getSQLState();
            }
        }
        return null;
    }
}
