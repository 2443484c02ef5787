package dev.mlops.store.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * What differs between the databases the JDBC store runs on: how connections are configured, how transactions
 * start and end, where the migration scripts are, a few statements whose syntax differs, and how driver errors
 * are classified. Everything else is the standard SQL in {@link Sql}; connections come from a
 * {@link ConnectionSource}. Implementations are immutable and thread-safe.
 */
interface Dialect {

    /** The short name used in messages and as the store URI scheme, for example {@code sqlite}. */
    String name();

    /** Sets the per-connection settings (pragmas, session parameters) on a freshly opened connection. */
    void configure(Connection connection) throws SQLException;

    /**
     * Applies the settings that are kept in the database itself (for SQLite, WAL mode), outside any transaction.
     * Called when a store opens, once the database is known to be a store this library may use.
     */
    void prepareDatabase(Connection connection) throws SQLException;

    /**
     * Starts a write transaction that takes the write lock up front, so that a transaction never has to upgrade a
     * read lock (which can fail without waiting) and so that appends to the audit chain are serialised.
     */
    void beginWrite(Connection connection) throws SQLException;

    /** Starts a read transaction: the statements that follow see one consistent snapshot. */
    void beginRead(Connection connection) throws SQLException;

    void commit(Connection connection) throws SQLException;

    void rollback(Connection connection) throws SQLException;

    /**
     * Whether write transactions of one store instance should queue on a lock in the JVM before asking the
     * database: true where the database serialises writers anyway and waits by polling (SQLite).
     */
    boolean serializeWritesInProcess();

    /**
     * How long a writer waits for another one, in the database and in the JVM lock of
     * {@link #serializeWritesInProcess()}, before it fails with {@code STORAGE}.
     */
    Duration busyTimeout();

    /** The largest number of {@code ?} parameters the store puts into one {@code IN (...)} list. */
    int maxInListSize();

    /** The class-path folder of the migration scripts, ending with {@code /}. */
    String migrationFolder();

    /**
     * The migration scripts in order; the n-th is named {@code V<n>__<description>.sql} and brings the schema to
     * version n.
     */
    List<String> migrations();

    /** The names of the tables in the database, lower case, leaving out the database's own tables. */
    Set<String> userTables(Connection connection) throws SQLException;

    /**
     * {@code INSERT ... } of {@code columns} into {@code table} that, when a row with the same {@code keyColumns}
     * exists, updates {@code updateColumns} to the new values, but only where {@code condition} (which may refer
     * to the new row as {@code excluded} and to the stored one by the table name) holds; null for always.
     */
    default String upsert(String table, List<String> columns, List<String> keyColumns, List<String> updateColumns,
            String condition) {
        StringBuilder sql = new StringBuilder(insert(table, columns));
        sql.append(" ON CONFLICT (").append(String.join(", ", keyColumns)).append(") DO UPDATE SET ");
        for (int i = 0; i < updateColumns.size(); i++) {
            String column = updateColumns.get(i);
            sql.append(i == 0 ? "" : ", ").append(column).append(" = excluded.").append(column);
        }
        if (condition != null) {
            sql.append(" WHERE ").append(condition);
        }
        return sql.toString();
    }

    /** {@code INSERT ...} of {@code columns} that does nothing when the row would violate a unique constraint. */
    default String insertIgnoringDuplicates(String table, List<String> columns) {
        return insert(table, columns) + " ON CONFLICT DO NOTHING";
    }

    /** A plain {@code INSERT INTO table (columns) VALUES (?, ...)}. */
    static String insert(String table, List<String> columns) {
        return "INSERT INTO " + table + " (" + String.join(", ", columns) + ") VALUES ("
                + String.join(", ", java.util.Collections.nCopies(columns.size(), "?")) + ")";
    }

    /** What kind of failure a driver exception reports. */
    Failure classify(SQLException e);

    /** Kinds of driver failure that get their own error code or message. */
    enum Failure {
        /** A unique or primary key constraint was violated. */
        UNIQUE,
        /** A foreign key constraint was violated. */
        FOREIGN_KEY,
        /** Another constraint (check, not null) was violated; not a trigger that refused a statement. */
        CONSTRAINT,
        /** Another writer held the lock for longer than the busy timeout. */
        BUSY,
        /** The file is not a database of this kind. */
        NOT_A_DATABASE,
        /** The database is damaged. */
        CORRUPT,
        /** The database cannot be written (permissions, read-only file system). */
        READ_ONLY,
        /** The database file cannot be opened. */
        CANNOT_OPEN,
        /** Anything else. */
        OTHER
    }
}
