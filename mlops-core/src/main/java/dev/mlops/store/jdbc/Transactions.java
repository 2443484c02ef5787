package dev.mlops.store.jdbc;

import dev.mlops.AlreadyExistsException;
import dev.mlops.ConflictException;
import dev.mlops.MlopsException;
import dev.mlops.NotFoundException;
import dev.mlops.StorageException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Runs units of work in transactions on connections of a {@link ConnectionSource}, and turns driver failures into
 * {@link MlopsException}s. A write either commits completely or leaves nothing behind. Thread-safe.
 *
 * <p>Every connection taken from the source is given back on every path, discarded when a rollback failed (so a
 * connection that may still be inside a transaction is never reused); statements and result sets are closed by
 * the code that opens them, with try-with-resources. A writer waits at most the dialect's busy timeout, for the
 * database lock and for the in-process write lock alike, and then fails with {@link StorageException}.
 */
final class Transactions implements AutoCloseable {

    /** A unit of work on a connection inside a transaction. */
    @FunctionalInterface
    interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    private final String description;
    private final Dialect dialect;
    private final ConnectionSource connections;
    private final ReentrantLock writeLock;
    private volatile boolean closed;

    Transactions(String description, Dialect dialect, ConnectionSource connections) {
        this.description = description;
        this.dialect = dialect;
        this.connections = connections;
        this.writeLock = dialect.serializeWritesInProcess() ? new ReentrantLock(true) : null;
    }

    Dialect dialect() {
        return dialect;
    }

    /**
     * Runs {@code work} in a write transaction ({@link Dialect#beginWrite}) and commits; rolls back when it throws.
     *
     * @param what what is being done, for the message of a {@link StorageException} ("create run X")
     */
    <T> T write(String what, Work<T> work) {
        return inTransaction(what, true, work);
    }

    /** Runs {@code work} in a read transaction: its statements see one consistent snapshot. */
    <T> T read(String what, Work<T> work) {
        return inTransaction(what, false, work);
    }

    /**
     * Fails with {@link StorageException} when the store is closed; for calls that answer without a connection.
     *
     * @param what what is being done ("read lineage edges")
     */
    void requireOpen(String what) {
        if (closed) {
            throw new StorageException(description + " is closed; cannot " + what, null);
        }
    }

    /** Runs {@code work} on a connection outside any transaction (for statements that cannot run in one). */
    <T> T withoutTransaction(String what, Work<T> work) {
        requireOpen(what);
        Connection connection = acquire(what);
        try {
            return work.run(connection);
        } catch (SQLException e) {
            throw translate(e, what);
        } finally {
            connections.release(connection, false);
        }
    }

    private <T> T inTransaction(String what, boolean write, Work<T> work) {
        requireOpen(what);
        if (write && writeLock != null) {
            lockForWriting(what);
        }
        try {
            Connection connection = acquire(what);
            boolean discard = false;
            try {
                if (write) {
                    dialect.beginWrite(connection);
                } else {
                    dialect.beginRead(connection);
                }
                T result;
                try {
                    result = work.run(connection);
                    dialect.commit(connection);
                } catch (SQLException | RuntimeException | Error e) {
                    try {
                        dialect.rollback(connection);
                    } catch (SQLException rollback) {
                        discard = true;
                        e.addSuppressed(rollback);
                    }
                    throw e;
                }
                return result;
            } catch (SQLException e) {
                throw translate(e, what);
            } finally {
                connections.release(connection, discard);
            }
        } finally {
            if (write && writeLock != null) {
                writeLock.unlock();
            }
        }
    }

    /** Takes the in-process write lock, waiting at most the busy timeout, as SQLite waits for its own lock. */
    private void lockForWriting(String what) {
        boolean locked;
        try {
            locked = writeLock.tryLock(dialect.busyTimeout().toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageException(description + ": cannot " + what + ": interrupted while waiting for another"
                    + " writer", e);
        }
        if (!locked) {
            throw new StorageException(description + ": cannot " + what + ": " + busy()
                    + " (another writer of this store held it)", null);
        }
    }

    /** The common part of the messages of a writer that waited too long. */
    private String busy() {
        return "the database stayed locked by another writer for longer than the busy timeout of "
                + dialect.busyTimeout().toMillis() + " ms; nothing was changed, retry later";
    }

    private Connection acquire(String what) {
        try {
            return connections.acquire();
        } catch (SQLException e) {
            throw translate(e, what);
        }
    }

    /** The exception for a driver failure while doing {@code what}; the message names the store, never secrets. */
    MlopsException translate(SQLException e, String what) {
        String detail = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        String prefix = description + ": cannot " + what + ": ";
        return switch (dialect.classify(e)) {
            case UNIQUE -> new AlreadyExistsException(prefix + "it exists already (" + detail + ")");
            case FOREIGN_KEY -> new NotFoundException(prefix + "it refers to something that does not exist ("
                    + detail + ")");
            case CONSTRAINT -> new ConflictException(prefix + "a constraint of the stored data was violated ("
                    + detail + ")");
            case BUSY -> new StorageException(prefix + busy() + " (" + detail + ")", e);
            case NOT_A_DATABASE -> new StorageException(description + ": the file is not a " + dialect.name()
                    + " database (" + detail + ")", e);
            case CORRUPT -> new StorageException(description + ": the database file is damaged (" + detail + ")", e);
            case READ_ONLY -> new StorageException(prefix + "the database cannot be written; check the file's"
                    + " permissions and the file system (" + detail + ")", e);
            case CANNOT_OPEN -> new StorageException(description + ": the database file cannot be opened; check"
                    + " that its folder exists and is readable and writable (" + detail + ")", e);
            case OTHER -> new StorageException(prefix + detail, e);
        };
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        connections.close();
    }
}
