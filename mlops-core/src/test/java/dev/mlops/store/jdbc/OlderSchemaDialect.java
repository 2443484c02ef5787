package dev.mlops.store.jdbc;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * A dialect that knows only the first {@code versions} migration scripts of another: a store opened with it is the
 * store of an older library, for migration tests. Everything else is delegated.
 */
final class OlderSchemaDialect implements Dialect {
    private final Dialect dialect;
    private final int versions;

    OlderSchemaDialect(Dialect dialect, int versions) {
        this.dialect = dialect;
        this.versions = versions;
    }

    /** The SQLite store in {@code file} as a library with schema version {@code version} opens it. */
    static JdbcStore sqlite(Path file, int version) {
        String description = "sqlite:" + file.toAbsolutePath().normalize();
        SqliteDialect sqlite = new SqliteDialect(description);
        return new JdbcStore(description, new OlderSchemaDialect(sqlite, version),
                new ConnectionPool(sqlite.opener(file), SqliteDialect.POOL_SIZE));
    }

    /** The PostgreSQL store at {@code uri} as a library with schema version {@code version} opens it. */
    static JdbcStore postgres(String uri, int version) {
        PostgresUri parsed = PostgresUri.parse(uri);
        Dialect dialect = new OlderSchemaDialect(new PostgresDialect(parsed.description(), parsed.lockTimeout()),
                version);
        return new JdbcStore(parsed.description(), dialect, HikariConnectionSource.open(parsed,
                new DriverDataSource(new org.postgresql.Driver(), parsed.driverUrl(), parsed.driverProperties(),
                        dialect)));
    }

    @Override
    public String name() {
        return dialect.name();
    }

    @Override
    public void configure(Connection connection) throws SQLException {
        dialect.configure(connection);
    }

    @Override
    public void prepareDatabase(Connection connection) throws SQLException {
        dialect.prepareDatabase(connection);
    }

    @Override
    public void beginWrite(Connection connection) throws SQLException {
        dialect.beginWrite(connection);
    }

    @Override
    public void beginRead(Connection connection) throws SQLException {
        dialect.beginRead(connection);
    }

    @Override
    public void commit(Connection connection) throws SQLException {
        dialect.commit(connection);
    }

    @Override
    public void rollback(Connection connection) throws SQLException {
        dialect.rollback(connection);
    }

    @Override
    public boolean serializeWritesInProcess() {
        return dialect.serializeWritesInProcess();
    }

    @Override
    public Duration busyTimeout() {
        return dialect.busyTimeout();
    }

    @Override
    public int maxInListSize() {
        return dialect.maxInListSize();
    }

    @Override
    public String migrationFolder() {
        return dialect.migrationFolder();
    }

    @Override
    public List<String> migrations() {
        return dialect.migrations().subList(0, versions);
    }

    @Override
    public Set<String> userTables(Connection connection) throws SQLException {
        return dialect.userTables(connection);
    }

    @Override
    public String upsert(String table, List<String> columns, List<String> keyColumns, List<String> updateColumns,
            String condition) {
        return dialect.upsert(table, columns, keyColumns, updateColumns, condition);
    }

    @Override
    public String insertIgnoringDuplicates(String table, List<String> columns) {
        return dialect.insertIgnoringDuplicates(table, columns);
    }

    @Override
    public Failure classify(SQLException e) {
        return dialect.classify(e);
    }
}
