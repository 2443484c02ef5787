package dev.mlops.store.jdbc;

import dev.mlops.StorageException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SQLite: one database file in WAL mode (readers do not block the writer and the writer does not block readers),
 * {@code synchronous=NORMAL} (durable at checkpoints, never corrupt), foreign keys enforced, and a busy timeout so
 * that a writer waits for another one (in this or another process) instead of failing. Write transactions start
 * with {@code BEGIN IMMEDIATE}, which takes the database's single write lock up front.
 *
 * <p>The driver, {@code org.xerial:sqlite-jdbc}, is an optional dependency: it is looked up by class name when a
 * store is opened, and its absence is reported with what to add.
 */
final class SqliteDialect implements Dialect {
    /** The driver class of {@code org.xerial:sqlite-jdbc}. */
    static final String DRIVER_CLASS = "org.sqlite.JDBC";
    /**
     * The time budget of a writer waiting for the write lock: SQLite's busy handler retries with backoff (sleeps of
     * 1 ms growing to 100 ms) until it passes, then the write fails with a {@code StorageException} and changes
     * nothing. Writers take the lock in no fixed order, so under N busy writers a wait of several times N
     * transactions is normal; 60 s keeps that from surfacing as an error (10 s did, with a dozen processes
     * writing 50,000-point batches on two cores).
     */
    static final Duration BUSY_TIMEOUT = Duration.ofSeconds(60);
    /** Connections per store: several readers at once; writers queue anyway. */
    static final int POOL_SIZE = 4;

    private static final Logger LOG = LoggerFactory.getLogger(SqliteDialect.class);
    private static final List<String> MIGRATIONS = List.of("V1__init.sql", "V2__model_registry.sql",
            "V3__profiles.sql", "V4__policies.sql");

    private final String description;
    private final Duration busyTimeout;

    /** @param description the store's description ({@code sqlite:/path}), for messages */
    SqliteDialect(String description) {
        this(description, BUSY_TIMEOUT);
    }

    /** As {@link #SqliteDialect(String)} with another busy timeout (tests). */
    SqliteDialect(String description, Duration busyTimeout) {
        this.description = description;
        this.busyTimeout = busyTimeout;
    }

    @Override
    public String name() {
        return "sqlite";
    }

    /**
     * Opens connections to {@code file} with the SQLite driver.
     *
     * @throws StorageException when the driver is not on the class path
     */
    ConnectionPool.Opener opener(Path file) {
        Driver driver = loadDriver(DRIVER_CLASS, SqliteDialect.class.getClassLoader());
        String url = "jdbc:sqlite:" + file;
        return () -> {
            Connection connection = driver.connect(url, new Properties());
            if (connection == null) {
                throw new SQLException("the SQLite driver did not accept " + url);
            }
            try {
                configure(connection);
                return connection;
            } catch (SQLException | RuntimeException e) {
                try {
                    connection.close();
                } catch (SQLException closing) {
                    e.addSuppressed(closing);
                }
                throw e;
            }
        };
    }

    /** Loads and instantiates the driver class, with a message that says what to add when it is missing. */
    Driver loadDriver(String className, ClassLoader loader) {
        Class<?> type;
        try {
            type = Class.forName(className, true, loader);
        } catch (ClassNotFoundException | LinkageError first) {
            ClassLoader context = Thread.currentThread().getContextClassLoader();
            try {
                if (context == null || context == loader) {
                    throw first;
                }
                type = Class.forName(className, true, context);
            } catch (ClassNotFoundException | LinkageError e) {
                throw new StorageException(description + ": the SQLite JDBC driver (" + className + ") is not on"
                        + " the class path; add org.xerial:sqlite-jdbc to use sqlite: stores", e);
            }
        }
        try {
            return (Driver) type.getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | ClassCastException | LinkageError e) {
            throw new StorageException(description + ": the SQLite JDBC driver (" + className
                    + ") could not be loaded: " + e, e);
        }
    }

    @Override
    public void configure(Connection connection) throws SQLException {
        try (Statement s = connection.createStatement()) {
            // First, so that everything after it (switching to WAL included) waits for other processes.
            s.execute("PRAGMA busy_timeout = " + busyTimeout.toMillis());
            s.execute("PRAGMA synchronous = NORMAL");
            s.execute("PRAGMA foreign_keys = ON");
        }
    }

    /**
     * Switches the database to WAL mode (kept in the file). Switching needs a moment with no other connection in
     * a transaction, and SQLite reports a conflict at once instead of waiting, so this retries until the busy
     * timeout has passed.
     */
    @Override
    public void prepareDatabase(Connection connection) throws SQLException {
        long deadline = System.nanoTime() + busyTimeout.toNanos();
        String mode;
        while (true) {
            try (Statement s = connection.createStatement();
                    ResultSet rs = s.executeQuery("PRAGMA journal_mode = WAL")) {
                mode = rs.next() ? rs.getString(1) : null;
                break;
            } catch (SQLException e) {
                if (classify(e) != Failure.BUSY || System.nanoTime() > deadline) {
                    throw e;
                }
                pause();
            }
        }
        if (mode == null || !mode.toLowerCase(Locale.ROOT).equals("wal")) {
            LOG.warn("{}: SQLite kept journal mode '{}' instead of WAL (is the file on a network file"
                    + " system?); readers and writers will block each other", description, mode);
        }
    }

    private static void pause() throws SQLException {
        try {
            Thread.sleep(5 + java.util.concurrent.ThreadLocalRandom.current().nextInt(20));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while waiting to switch the database to WAL mode", e);
        }
    }

    @Override
    public void beginWrite(Connection connection) throws SQLException {
        execute(connection, "BEGIN IMMEDIATE");
    }

    @Override
    public void beginRead(Connection connection) throws SQLException {
        execute(connection, "BEGIN DEFERRED");
    }

    @Override
    public void commit(Connection connection) throws SQLException {
        execute(connection, "COMMIT");
    }

    @Override
    public void rollback(Connection connection) throws SQLException {
        execute(connection, "ROLLBACK");
    }

    private static void execute(Connection connection, String sql) throws SQLException {
        try (Statement s = connection.createStatement()) {
            s.execute(sql);
        }
    }

    @Override
    public boolean serializeWritesInProcess() {
        return true;
    }

    @Override
    public Duration busyTimeout() {
        return busyTimeout;
    }

    @Override
    public int maxInListSize() {
        return 500;
    }

    @Override
    public String migrationFolder() {
        return "dev/mlops/store/jdbc/sqlite/";
    }

    @Override
    public List<String> migrations() {
        return MIGRATIONS;
    }

    @Override
    public Set<String> userTables(Connection connection) throws SQLException {
        Set<String> names = new TreeSet<>();
        try (Statement s = connection.createStatement();
                ResultSet rs = s.executeQuery("SELECT name FROM sqlite_master WHERE type = 'table'")) {
            while (rs.next()) {
                String name = rs.getString(1).toLowerCase(Locale.ROOT);
                if (!name.startsWith("sqlite_")) {
                    names.add(name);
                }
            }
        }
        return names;
    }

    @Override
    public Failure classify(SQLException e) {
        String message = e.getMessage() == null ? "" : e.getMessage();
        return switch (e.getErrorCode() & 0xff) {
            // The schema has no triggers: one that refuses a statement was added to the database by someone else,
            // so its refusal is a failure of the backend (OTHER, that is STORAGE), not a conflict with stored state.
            case 19 -> message.contains("SQLITE_CONSTRAINT_PRIMARYKEY") || message.contains("SQLITE_CONSTRAINT_UNIQUE")
                    ? Failure.UNIQUE
                    : message.contains("SQLITE_CONSTRAINT_FOREIGNKEY") ? Failure.FOREIGN_KEY
                    : message.contains("SQLITE_CONSTRAINT_TRIGGER") ? Failure.OTHER : Failure.CONSTRAINT;
            case 5, 6 -> Failure.BUSY;
            case 26 -> Failure.NOT_A_DATABASE;
            case 11 -> Failure.CORRUPT;
            case 3, 8 -> Failure.READ_ONLY;
            case 14 -> Failure.CANNOT_OPEN;
            default -> Failure.OTHER;
        };
    }
}
