package dev.mlops.client;

import dev.mlops.InvalidArgumentException;
import dev.mlops.StorageException;
import dev.mlops.spi.MetadataStore;
import dev.mlops.spi.StoreProvider;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import okhttp3.HttpUrl;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens {@code http://} and {@code https://} store URIs as {@link RemoteMetadataStore}s with the default settings
 * and the library's shared HTTP client, and the bearer token of the environment variable {@value #TOKEN_VARIABLE}
 * when it is set, so that {@code Mlops.open("http://host:port")} works when mlops-client is on
 * the class path (registered in {@code META-INF/services/dev.mlops.spi.StoreProvider}).
 *
 * <p><b>Telemetry spool, on by default.</b> The remote store is wrapped in a {@link SpoolingMetadataStore} with room
 * for {@value #SPOOL_MAX_PENDING} undelivered entries and a flush timeout of {@value #SPOOL_FLUSH_SECONDS} seconds:
 * metric batches, profiles and drift reports never wait for the server and survive its outages (and crashes of the
 * process) on disk. Where, after the environment variables:
 * <ul>
 * <li>{@value #SPOOL_VARIABLE}{@code =off} (any case): no spool, every call goes straight to the server.</li>
 * <li>{@value #SPOOL_VARIABLE}{@code =<file>}: that one file ({@link SpoolingMetadataStore#wrap}); one file serves
 * one store at a time: a second store opened on it fails with {@code STORAGE} naming the file.</li>
 * <li>otherwise a directory per server, {@code <base>/<key>/}, shared by every process of the user that talks to
 * that server ({@link SpoolingMetadataStore#inDirectory}): each store writes its own file there, and takes over the
 * files that crashed or unreachable-at-close processes left. {@code <base>} is {@value #SPOOL_DIR_VARIABLE} when set,
 * else {@code ~/.mlops/spool} (in the user's home: private to the user, kept across reboots, unlike a temporary
 * directory). {@code <key>} is 16 hex digits of a SHA-256 of the normalized server URL (scheme and host in lower
 * case, the port always written, no user information, no trailing slash) and of the token's SHA-256 when there is a
 * token: the same server written differently shares one directory, and only a process with the same credentials
 * takes over (and delivers, under its principal) the entries of another; no secret is written. The directories are
 * created owner-only where the file system has POSIX permissions. When the directory cannot be created or written
 * (a read-only home, say), the store works without a spool, and one warning per directory and JVM is logged.</li>
 * </ul>
 * Thread-safe.
 */
public final class RemoteStoreProvider implements StoreProvider {
    private static final Logger LOG = LoggerFactory.getLogger(RemoteStoreProvider.class);
    /** The spool directories this JVM already warned about. */
    private static final Set<Path> WARNED = ConcurrentHashMap.newKeySet();

    /** The environment variable that holds the bearer token, when the server needs one. */
    public static final String TOKEN_VARIABLE = "MLOPS_TOKEN";
    /** The environment variable that names the telemetry spool file, or is {@code off} for no spool. */
    public static final String SPOOL_VARIABLE = "MLOPS_SPOOL";
    /** The environment variable that names the base directory of the per-server spool directories. */
    public static final String SPOOL_DIR_VARIABLE = "MLOPS_SPOOL_DIR";
    /** The value of {@value #SPOOL_VARIABLE} that turns the spool off. */
    public static final String SPOOL_OFF = "off";
    /** How many undelivered entries the spool of a store holds. */
    public static final int SPOOL_MAX_PENDING = 1000;
    /** How long, in seconds, a call waits for the spool to be delivered. */
    public static final int SPOOL_FLUSH_SECONDS = 30;

    private final UnaryOperator<String> environment;
    private final String home;

    public RemoteStoreProvider() {
        this(System::getenv);
    }

    RemoteStoreProvider(UnaryOperator<String> environment) {
        this(environment, System.getProperty("user.home"));
    }

    /** With the environment and the user's home directory (null: none) given, for tests. */
    RemoteStoreProvider(UnaryOperator<String> environment, String home) {
        this.environment = environment;
        this.home = home;
    }

    @Override
    public Set<String> schemes() {
        return Set.of("http", "https");
    }

    /**
     * @throws dev.mlops.InvalidArgumentException (field {@code store}) when the URI is not an http(s) URL; (field
     *                                            {@value #SPOOL_VARIABLE} or {@value #SPOOL_DIR_VARIABLE}) when that
     *                                            variable is not a path
     * @throws dev.mlops.StorageException when {@value #SPOOL_VARIABLE} names a file that cannot be read or written,
     *                                    or that another store holds (a spool directory that cannot be used only
     *                                    turns the spool off, with a warning)
     */
    @Override
    public MetadataStore open(String uri) {
        RemoteMetadataStore.Builder builder = RemoteMetadataStore.builder(uri);
        String token = environment.apply(TOKEN_VARIABLE);
        if (token != null && !token.isBlank()) {
            token = token.strip();
            builder.token(token);
        } else {
            token = null;
        }
        String spool = environment.apply(SPOOL_VARIABLE);
        boolean off = spool != null && spool.strip().equalsIgnoreCase(SPOOL_OFF);
        Path spoolFile = null;
        Path spoolDir = null;
        if (!off && spool != null && !spool.isBlank()) {
            spoolFile = path(SPOOL_VARIABLE, spool);
        } else if (!off) {
            String base = environment.apply(SPOOL_DIR_VARIABLE);
            Path baseDir = base != null && !base.isBlank() ? path(SPOOL_DIR_VARIABLE, base) : homeSpool();
            spoolDir = baseDir == null ? null : baseDir.resolve(key(uri, token));
        }
        RemoteMetadataStore remote = builder.build();
        Duration flush = Duration.ofSeconds(SPOOL_FLUSH_SECONDS);
        try {
            if (spoolFile != null) {
                return SpoolingMetadataStore.wrap(remote, spoolFile, SPOOL_MAX_PENDING, flush);
            }
            if (spoolDir != null) {
                try {
                    return SpoolingMetadataStore.inDirectory(remote, spoolDir, SPOOL_MAX_PENDING, flush);
                } catch (StorageException e) {
                    warnNoSpool(spoolDir, e);
                }
            }
            return remote;
        } catch (RuntimeException e) {
            remote.close();
            throw e;
        }
    }

    private static Path path(String variable, String value) {
        try {
            return Path.of(value.strip());
        } catch (InvalidPathException e) {
            throw new InvalidArgumentException(variable, variable + " is not a path: " + e.getReason());
        }
    }

    /** {@code ~/.mlops/spool}, or null when there is no usable home directory. */
    private Path homeSpool() {
        if (home == null || home.isBlank()) {
            warnNoSpool(null, null);
            return null;
        }
        try {
            return Path.of(home, ".mlops", "spool");
        } catch (InvalidPathException e) {
            warnNoSpool(null, null);
            return null;
        }
    }

    private static void warnNoSpool(Path dir, StorageException e) {
        Path key = dir == null ? Path.of("") : dir;
        if (WARNED.add(key)) {
            if (dir == null) {
                LOG.warn("telemetry is not spooled: there is no home directory for the spool; set {} to a"
                        + " writable directory (or {}={} to turn this warning off)", SPOOL_DIR_VARIABLE,
                        SPOOL_VARIABLE, SPOOL_OFF);
            } else {
                LOG.warn("telemetry is not spooled: the spool directory {} cannot be used ({}); metrics and reports go"
                        + " straight to the server; set {} to a writable directory (or {}={})", dir,
                        e.getCause() == null ? e.getClass().getSimpleName() : e.getCause().getClass().getSimpleName(),
                        SPOOL_DIR_VARIABLE, SPOOL_VARIABLE, SPOOL_OFF);
            }
        }
    }

    /**
     * The name of the spool directory of the server at {@code uri} (a valid URL: the builder checked it) for the
     * given token (null: none): 16 hex digits of the SHA-256 of the normalized URL and of the token's SHA-256.
     */
    static String key(String uri, String token) {
        HttpUrl url = HttpUrl.get(uri);
        String path = url.encodedPath();
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        String normalized = url.scheme().toLowerCase(Locale.ROOT) + "://" + url.host().toLowerCase(Locale.ROOT) + ":"
                + url.port() + path;
        String identity = normalized + "\n" + (token == null ? "" : sha256(token));
        return sha256(identity).substring(0, 16);
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
