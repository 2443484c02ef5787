package dev.mlops.store.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.mlops.StorageException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;

/**
 * Connections from a HikariCP pool over a {@link DriverDataSource}: at most {@code poolSize} connections, one kept
 * open when idle, more opened on demand and closed after HikariCP's idle timeout; a thread that finds them all in
 * use waits up to the connect timeout. Failures to connect become {@link SQLException}s whose message says where
 * the store tried to connect and why it failed, never with the password. Thread-safe.
 *
 * <p>Only {@link PostgresDialect#open} refers to this class, after checking that HikariCP is on the class path.
 */
final class HikariConnectionSource implements ConnectionSource {
    private static final AtomicInteger POOLS = new AtomicInteger();

    private final PostgresUri uri;
    private final HikariDataSource pool;

    private HikariConnectionSource(PostgresUri uri, HikariDataSource pool) {
        this.uri = uri;
        this.pool = pool;
    }

    /**
     * Starts a pool for {@code uri}, opening one connection at once so that a wrong address, database or
     * credentials fail here.
     *
     * @throws StorageException when the first connection cannot be opened
     */
    static HikariConnectionSource open(PostgresUri uri, DataSource source) {
        HikariConfig config = new HikariConfig();
        config.setDataSource(source);
        // Shown in HikariCP's log lines and thread names: a counter, not the URI (which names the user).
        config.setPoolName("mlops-postgresql-" + POOLS.incrementAndGet());
        config.setMaximumPoolSize(uri.poolSize());
        config.setMinimumIdle(1);
        long connectMillis = Math.max(250, uri.connectTimeout().toMillis());
        config.setConnectionTimeout(connectMillis);
        config.setValidationTimeout(Math.min(5_000, connectMillis));
        // Fail fast: one attempt when the pool starts, instead of retrying in the background.
        config.setInitializationFailTimeout(1);
        config.setAutoCommit(true);
        try {
            return new HikariConnectionSource(uri, new HikariDataSource(config));
        } catch (RuntimeException e) {
            SQLException failure = connectFailure(uri, e);
            throw new StorageException(uri.description() + ": " + failure.getMessage(), failure);
        }
    }

    @Override
    public Connection acquire() throws SQLException {
        try {
            return pool.getConnection();
        } catch (SQLException e) {
            if (pool.isClosed()) {
                throw new SQLException("the store is closed", e);
            }
            if (PostgresDialect.sqlState(e.getCause()) == null) {
                throw new SQLException("no connection of the pool (" + uri.poolSize() + " at most, URI parameter "
                        + PostgresUri.POOL_SIZE + ") became free within " + uri.connectTimeout().toSeconds() + " s",
                        e.getSQLState(), e);
            }
            throw connectFailure(uri, e.getCause());
        }
    }

    @Override
    public void release(Connection connection, boolean discard) {
        if (discard) {
            pool.evictConnection(connection);
            return;
        }
        try {
            connection.close();
        } catch (SQLException ignored) {
            // The pool closes a connection it cannot take back: nothing is left to release.
        }
    }

    @Override
    public void close() {
        pool.close();
    }

    /**
     * A failure to connect, with a message that says where and why: the driver's own message (which never
     * contains the password; it is scrubbed anyway) after a hint for the common causes.
     */
    static SQLException connectFailure(PostgresUri uri, Throwable failure) {
        SQLException sql = null;
        for (Throwable t = failure; t != null && sql == null; t = t.getCause()) {
            if (t instanceof SQLException s) {
                sql = s;
            }
        }
        String state = PostgresDialect.sqlState(failure);
        String detail = failure == null ? "unknown failure"
                : sql != null && sql.getMessage() != null ? sql.getMessage() : failure.toString();
        if (sql != null && sql.getCause() != null && !(sql.getCause() instanceof SQLException)) {
            // The network failure below the driver's message, such as an unknown host or a refused connection.
            detail = detail.strip() + " (" + sql.getCause() + ")";
        }
        String hint;
        if (state == null) {
            hint = "";
        } else if (state.equals("28P01")) {
            hint = "the server refused the password; ";
        } else if (state.startsWith("28")) {
            hint = "the server refused the user; ";
        } else if (state.equals("3D000")) {
            hint = "the database does not exist; ";
        } else if (state.startsWith("08")) {
            hint = "the server cannot be reached; ";
        } else {
            hint = "";
        }
        return new SQLException(uri.scrub("cannot connect to PostgreSQL at " + uri.target() + ": " + hint
                + detail.strip()), state, sql == null ? failure : sql);
    }
}
