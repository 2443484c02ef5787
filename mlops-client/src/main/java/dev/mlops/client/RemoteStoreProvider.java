package dev.mlops.client;

import dev.mlops.InvalidArgumentException;
import dev.mlops.spi.MetadataStore;
import dev.mlops.spi.StoreProvider;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Opens {@code http://} and {@code https://} store URIs as {@link RemoteMetadataStore}s with the default settings
 * and the library's shared HTTP client, and the bearer token of the environment variable {@value #TOKEN_VARIABLE}
 * when it is set, so that {@code Mlops.open("http://host:port")} works when mlops-client is on
 * the class path (registered in {@code META-INF/services/dev.mlops.spi.StoreProvider}).
 *
 * <p>When the environment variable {@value #SPOOL_VARIABLE} names a file, the remote store is wrapped in a
 * {@link SpoolingMetadataStore} on that file, with room for {@value #SPOOL_MAX_PENDING} undelivered entries and a
 * flush timeout of {@value #SPOOL_FLUSH_SECONDS} seconds: metric batches, profiles and drift reports then never wait
 * for the server and survive its outages (and restarts of the process) in the file. One file serves one store at a
 * time: a second store opened on it fails with {@code STORAGE} naming the file, so give each process its own.
 * Thread-safe.
 */
public final class RemoteStoreProvider implements StoreProvider {
    /** The environment variable that holds the bearer token, when the server needs one. */
    public static final String TOKEN_VARIABLE = "MLOPS_TOKEN";
    /** The environment variable that names the telemetry spool file, when telemetry is to be spooled. */
    public static final String SPOOL_VARIABLE = "MLOPS_SPOOL";
    /** How many undelivered entries the spool of {@value #SPOOL_VARIABLE} holds. */
    public static final int SPOOL_MAX_PENDING = 1000;
    /** How long, in seconds, a call waits for the spool of {@value #SPOOL_VARIABLE} to be delivered. */
    public static final int SPOOL_FLUSH_SECONDS = 30;

    private final UnaryOperator<String> environment;

    public RemoteStoreProvider() {
        this(System::getenv);
    }

    RemoteStoreProvider(UnaryOperator<String> environment) {
        this.environment = environment;
    }

    @Override
    public Set<String> schemes() {
        return Set.of("http", "https");
    }

    /**
     * @throws dev.mlops.InvalidArgumentException (field {@code store}) when the URI is not an http(s) URL; (field
     *                                            {@value #SPOOL_VARIABLE}) when that variable is not a file path
     * @throws dev.mlops.StorageException when {@value #SPOOL_VARIABLE} names a file that cannot be read or written,
     *                                    or that another store holds
     */
    @Override
    public MetadataStore open(String uri) {
        RemoteMetadataStore.Builder builder = RemoteMetadataStore.builder(uri);
        String token = environment.apply(TOKEN_VARIABLE);
        if (token != null && !token.isBlank()) {
            builder.token(token.strip());
        }
        String spool = environment.apply(SPOOL_VARIABLE);
        Path spoolFile = null;
        if (spool != null && !spool.isBlank()) {
            try {
                spoolFile = Path.of(spool.strip());
            } catch (InvalidPathException e) {
                throw new InvalidArgumentException(SPOOL_VARIABLE, SPOOL_VARIABLE + " is not a file path: "
                        + e.getReason());
            }
        }
        RemoteMetadataStore remote = builder.build();
        if (spoolFile == null) {
            return remote;
        }
        try {
            return SpoolingMetadataStore.wrap(remote, spoolFile, SPOOL_MAX_PENDING,
                    Duration.ofSeconds(SPOOL_FLUSH_SECONDS));
        } catch (RuntimeException e) {
            remote.close();
            throw e;
        }
    }
}
