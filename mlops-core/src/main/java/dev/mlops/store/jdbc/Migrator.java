package dev.mlops.store.jdbc;

import dev.mlops.StorageException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Brings a database to the schema version this library knows, with the dialect's ordered migration scripts.
 *
 * <p>The version lives in table {@code schema_version}, one row per applied script. An up-to-date database is
 * recognised with a read; otherwise the scripts run inside one write transaction that re-reads the version first,
 * so when several processes open a fresh database at once, one migrates and the others find it done. A database
 * whose version is newer than the library's, or that is not a store of this library, is refused, never changed:
 * {@link Dialect#prepareDatabase} runs only after that check.
 */
final class Migrator {
    static final String VERSION_TABLE = "schema_version";
    private static final Pattern SCRIPT_NAME = Pattern.compile("V([1-9][0-9]*)__([A-Za-z0-9_]+)\\.sql");

    private final String description;
    private final Transactions transactions;
    private final Dialect dialect;

    Migrator(String description, Transactions transactions) {
        this.description = description;
        this.transactions = transactions;
        this.dialect = transactions.dialect();
    }

    /** The highest schema version this library knows for the dialect. */
    int latestVersion() {
        return dialect.migrations().size();
    }

    /**
     * Migrates the database to {@link #latestVersion()}.
     *
     * @return the version the database had before (0 for a new database)
     * @throws StorageException when the database is newer than the library, is not a store of this library, or
     *         a script fails (the database then keeps its previous version)
     */
    int migrate() {
        int latest = latestVersion();
        int found = transactions.read("read the schema version", this::currentVersion);
        checkNotNewer(found);
        transactions.withoutTransaction("prepare the database", c -> {
            dialect.prepareDatabase(c);
            return null;
        });
        if (found == latest) {
            return found;
        }
        return transactions.write("migrate the schema to version " + latest, c -> {
            int before = currentVersion(c);
            checkNotNewer(before);
            if (!dialect.userTables(c).contains(VERSION_TABLE)) {
                createVersionTable(c);
            }
            for (int version = before + 1; version <= latest; version++) {
                apply(c, version);
            }
            return before;
        });
    }

    /** The schema version of the database: 0 for an empty one. */
    private int currentVersion(Connection c) throws SQLException {
        Set<String> tables = dialect.userTables(c);
        if (!tables.contains(VERSION_TABLE)) {
            if (!tables.isEmpty()) {
                throw new StorageException(description + ": the database has tables (" + String.join(", ",
                        tables.stream().limit(5).toList()) + (tables.size() > 5 ? ", ..." : "") + ") but no "
                        + VERSION_TABLE + " table: it is not an mlops store", null);
            }
            return 0;
        }
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT MAX(version) FROM " + VERSION_TABLE)) {
            return rs.next() ? rs.getInt(1) : 0;
        }
    }

    private void checkNotNewer(int found) {
        int latest = latestVersion();
        if (found > latest) {
            throw new StorageException(description + ": written by a newer mlops version (schema " + found
                    + ", this library supports up to " + latest + "); upgrade mlops to open it", null);
        }
    }

    private static void createVersionTable(Connection c) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute(Sql.CREATE_SCHEMA_VERSION);
        }
    }

    private void apply(Connection c, int version) throws SQLException {
        String name = dialect.migrations().get(version - 1);
        Matcher m = SCRIPT_NAME.matcher(name);
        if (!m.matches() || Integer.parseInt(m.group(1)) != version) {
            throw new StorageException(description + ": migration script '" + name + "' is not named V" + version
                    + "__<description>.sql", null);
        }
        List<String> statements = statements(readScript(name));
        try (Statement s = c.createStatement()) {
            for (String sql : statements) {
                s.execute(sql);
            }
        }
        try (PreparedStatement ps = c.prepareStatement(Sql.INSERT_SCHEMA_VERSION)) {
            ps.setInt(1, version);
            ps.setString(2, m.group(2).replace('_', ' '));
            ps.setLong(3, System.currentTimeMillis());
            ps.setString(4, libraryVersion());
            ps.executeUpdate();
        }
    }

    private String readScript(String name) {
        String resource = dialect.migrationFolder() + name;
        try (InputStream in = Migrator.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new StorageException(description + ": migration script " + resource
                        + " is missing from the class path", null);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new StorageException(description + ": cannot read migration script " + resource + ": "
                    + e.getMessage(), e);
        }
    }

    /**
     * Splits a script into statements: lines whose first non-blank characters are {@code --} are comments, and a
     * statement ends with a line that ends with {@code ;}.
     */
    static List<String> statements(String script) {
        List<String> statements = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : script.split("\\R")) {
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("--")) {
                continue;
            }
            current.append(line).append('\n');
            if (trimmed.endsWith(";")) {
                String sql = current.toString().strip();
                statements.add(sql.substring(0, sql.length() - 1).strip());
                current.setLength(0);
            }
        }
        if (!current.toString().isBlank()) {
            statements.add(current.toString().strip());
        }
        return statements;
    }

    private static String libraryVersion() {
        try (InputStream in = Migrator.class.getResourceAsStream("/dev/mlops/version.properties")) {
            if (in == null) {
                return "unknown";
            }
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
