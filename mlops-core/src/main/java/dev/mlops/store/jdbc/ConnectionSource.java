package dev.mlops.store.jdbc;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Where the JDBC store gets its connections. A connection is used by one thread between {@link #acquire()} and
 * {@link #release}, outside any transaction when it is released. Implementations are thread-safe.
 */
interface ConnectionSource extends AutoCloseable {

    /** A configured connection, waiting while all are in use. */
    Connection acquire() throws SQLException;

    /**
     * Gives back a connection from {@link #acquire()}.
     *
     * @param discard true when the connection may be in a bad state (a failed rollback): it is closed, not reused
     */
    void release(Connection connection, boolean discard);

    /** Closes idle connections now and the others when they are released. Idempotent. */
    @Override
    void close();
}
