package dev.mlops.store.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.Semaphore;

/**
 * A small bounded pool: at most {@code size} connections exist at once; a thread that finds them all in use waits.
 * Connections are opened lazily with {@link Opener} and kept until {@link #close()}. Thread-safe.
 */
final class ConnectionPool implements ConnectionSource {

    /** Opens and configures one new connection. */
    @FunctionalInterface
    interface Opener {
        Connection open() throws SQLException;
    }

    private final Opener opener;
    private final Semaphore permits;
    private final Deque<Connection> idle = new ArrayDeque<>();
    private boolean closed;

    ConnectionPool(Opener opener, int size) {
        if (size < 1) {
            throw new IllegalArgumentException("pool size must be at least 1, was " + size);
        }
        this.opener = opener;
        this.permits = new Semaphore(size, true);
    }

    @Override
    public Connection acquire() throws SQLException {
        try {
            permits.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while waiting for a database connection", e);
        }
        Connection reused;
        synchronized (idle) {
            if (closed) {
                permits.release();
                throw new SQLException("the store is closed");
            }
            reused = idle.pollFirst();
        }
        if (reused != null) {
            return reused;
        }
        try {
            return opener.open();
        } catch (SQLException | RuntimeException e) {
            permits.release();
            throw e;
        }
    }

    @Override
    public void release(Connection connection, boolean discard) {
        boolean keep;
        synchronized (idle) {
            keep = !discard && !closed;
            if (keep) {
                idle.addFirst(connection);
            }
        }
        if (!keep) {
            closeQuietly(connection);
        }
        permits.release();
    }

    @Override
    public void close() {
        Deque<Connection> toClose;
        synchronized (idle) {
            if (closed) {
                return;
            }
            closed = true;
            toClose = new ArrayDeque<>(idle);
            idle.clear();
        }
        toClose.forEach(ConnectionPool::closeQuietly);
    }

    private static void closeQuietly(Connection connection) {
        try {
            connection.close();
        } catch (SQLException ignored) {
            // Closing failed: nothing is left to release that the driver still tracks.
        }
    }
}
