package dev.mlops.store.jdbc;

import dev.mlops.InvalidArgumentException;
import dev.mlops.spi.MetadataStore;
import dev.mlops.spi.StoreProvider;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;

/**
 * Opens JDBC metadata stores: {@code sqlite:PATH}, a SQLite database file at {@code PATH} (relative to the working
 * directory or absolute; the file and its folders are created when missing), and
 * {@code jdbc:postgresql://HOST:PORT/DATABASE?user=USER&password=PASSWORD}, a PostgreSQL database (the parameters
 * are described in {@code docs/storage.md}). Stateless and thread-safe.
 *
 * @see JdbcStore
 */
public final class JdbcStoreProvider implements StoreProvider {
    private static final String SQLITE = "sqlite";

    @Override
    public Set<String> schemes() {
        return Set.of(SQLITE, PostgresUri.SCHEME);
    }

    /**
     * @throws InvalidArgumentException (field {@code store}) when the URI is not {@code sqlite:PATH} with a usable
     *         path or a valid {@code jdbc:postgresql://} URI; the message never contains a password
     * @throws dev.mlops.StorageException when the store cannot be opened (see {@link JdbcStore#sqlite(Path)}; for
     *         PostgreSQL: the driver or the pool is missing, the server cannot be reached, refuses the credentials,
     *         or holds a schema of a newer version)
     */
    @Override
    public MetadataStore open(String uri) {
        if (PostgresUri.isPostgresUri(uri)) {
            return PostgresDialect.open(uri);
        }
        return JdbcStore.sqlite(sqlitePath(uri));
    }

    /** The file of a {@code sqlite:PATH} URI. */
    static Path sqlitePath(String uri) {
        if (uri == null) {
            throw new InvalidArgumentException("store", "the store URI is required");
        }
        int colon = uri.indexOf(':');
        if (colon < 0 || !uri.substring(0, colon).toLowerCase(Locale.ROOT).equals(SQLITE)) {
            throw new InvalidArgumentException("store", "'" + uri + "' is not a sqlite: store URI; expected"
                    + " sqlite:PATH, for example sqlite:./mlops-data/mlops.db");
        }
        String path = uri.substring(colon + 1);
        if (path.isBlank()) {
            throw new InvalidArgumentException("store", "store URI '" + uri + "' has no file path; expected"
                    + " sqlite:PATH, for example sqlite:./mlops-data/mlops.db");
        }
        if (path.equals(":memory:") || path.startsWith("file:") || path.startsWith("//")) {
            throw new InvalidArgumentException("store", "store URI '" + uri + "' is not supported; expected"
                    + " sqlite:PATH with a plain file path (sqlite:/abs/path.db or sqlite:relative/path.db); for a"
                    + " store in memory use memory:");
        }
        if (!path.equals(path.strip())) {
            throw new InvalidArgumentException("store", "the path of store URI '" + uri
                    + "' starts or ends with white space");
        }
        try {
            return Path.of(path);
        } catch (InvalidPathException e) {
            throw new InvalidArgumentException("store", "store URI '" + uri + "' has an invalid path: "
                    + e.getReason(), e);
        }
    }
}
