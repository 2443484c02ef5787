package dev.mlops.store.jdbc;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Properties;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A {@link DataSource} over one JDBC driver instance: each connection is opened with {@link Driver#connect} and
 * the dialect's {@link Dialect#configure} settings. The password stays in the properties, never in the URL, and
 * {@link #toString()} shows neither. Thread-safe; what the pool gives it to hold (a log writer, a login timeout) is
 * kept but not used: the driver properties carry the timeouts.
 */
final class DriverDataSource implements DataSource {
    private final Driver driver;
    private final String url;
    private final Properties properties;
    private final Dialect dialect;
    private volatile PrintWriter logWriter;
    private volatile int loginTimeoutSeconds;

    DriverDataSource(Driver driver, String url, Properties properties, Dialect dialect) {
        this.driver = driver;
        this.url = url;
        this.properties = properties;
        this.dialect = dialect;
    }

    @Override
    public Connection getConnection() throws SQLException {
        Properties copy = new Properties();
        copy.putAll(properties);
        Connection connection = driver.connect(url, copy);
        if (connection == null) {
            throw new SQLException("the driver " + driver.getClass().getName() + " does not accept the URL " + url,
                    "08001");
        }
        try {
            dialect.configure(connection);
            return connection;
        } catch (SQLException | RuntimeException e) {
            try {
                connection.close();
            } catch (SQLException closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
    }

    /** Not supported: the credentials are part of the store's configuration. */
    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        throw new SQLFeatureNotSupportedException("the store's data source takes its credentials from the store"
                + " URI");
    }

    @Override
    public PrintWriter getLogWriter() {
        return logWriter;
    }

    @Override
    public void setLogWriter(PrintWriter out) {
        this.logWriter = out;
    }

    @Override
    public void setLoginTimeout(int seconds) {
        this.loginTimeoutSeconds = seconds;
    }

    @Override
    public int getLoginTimeout() {
        return loginTimeoutSeconds;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException("java.util.logging is not used");
    }

    @Override
    public <T> T unwrap(Class<T> type) throws SQLException {
        if (type.isInstance(this)) {
            return type.cast(this);
        }
        throw new SQLException("not a wrapper of " + type.getName());
    }

    @Override
    public boolean isWrapperFor(Class<?> type) {
        return type.isInstance(this);
    }

    @Override
    public String toString() {
        return "DriverDataSource[" + url + "]";
    }
}
