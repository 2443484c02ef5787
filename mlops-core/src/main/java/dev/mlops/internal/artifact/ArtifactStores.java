package dev.mlops.internal.artifact;

import dev.mlops.InvalidArgumentException;
import dev.mlops.spi.ArtifactStore;
import java.net.URI;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Locale;

/** Opens artifact stores by URI: {@code file:PATH} and {@code memory:}. Stateless and thread-safe. */
public final class ArtifactStores {
    private ArtifactStores() {
    }

    /**
     * Opens the artifact store at {@code uri}: {@code file:PATH} (a relative PATH is taken from the working
     * directory; {@code file:///abs/path} works too) opens a {@link LocalArtifactStore}, {@code memory:} a new
     * {@link InMemoryArtifactStore}.
     *
     * @throws InvalidArgumentException naming {@code artifacts} when the scheme is neither, listing both
     * @throws dev.mlops.StorageException when the directory cannot be created
     */
    public static ArtifactStore open(String uri) {
        if (uri == null || uri.isBlank()) {
            throw new InvalidArgumentException("artifacts", "an artifact store URI is required: file:PATH or"
                    + " memory:");
        }
        String scheme = scheme(uri);
        if (scheme.equals("memory")) {
            return new InMemoryArtifactStore();
        }
        if (scheme.equals("file")) {
            return new LocalArtifactStore(filePath(uri));
        }
        throw new InvalidArgumentException("artifacts", "no artifact store for '" + uri + "'; available: file:PATH,"
                + " memory:");
    }

    /**
     * The artifact store that goes with a metadata store by default: {@code memory:} for {@code memory:},
     * {@code file:DIR/artifacts} for {@code sqlite:DIR/NAME.db} (DIR made absolute), and the absolute form of
     * {@code file:./mlops-data/artifacts} for anything else.
     */
    public static String defaultUriFor(String storeUri) {
        String scheme = storeUri == null ? "" : scheme(storeUri);
        if (scheme.equals("memory")) {
            return "memory:";
        }
        if (scheme.equals("sqlite")) {
            String file = storeUri.substring("sqlite:".length());
            int query = file.indexOf('?');
            if (query >= 0) {
                file = file.substring(0, query);
            }
            if (file.equals(":memory:")) {
                return "memory:";
            }
            if (!file.isEmpty()) {
                try {
                    Path parent = Path.of(file).toAbsolutePath().normalize().getParent();
                    if (parent != null) {
                        return "file:" + parent.resolve("artifacts");
                    }
                } catch (InvalidPathException e) {
                    // fall back to the default below; opening the store reports the bad path
                }
            }
        }
        return "file:" + Path.of("mlops-data", "artifacts").toAbsolutePath();
    }

    private static String scheme(String uri) {
        int colon = uri.indexOf(':');
        return colon <= 0 ? "" : uri.substring(0, colon).toLowerCase(Locale.ROOT);
    }

    private static Path filePath(String uri) {
        String rest = uri.substring("file:".length());
        try {
            if (rest.startsWith("//")) {
                return Path.of(URI.create(uri));
            }
            if (rest.isEmpty()) {
                throw new InvalidArgumentException("artifacts", "artifact store URI '" + uri + "' has no path;"
                        + " expected file:PATH");
            }
            return Path.of(rest).toAbsolutePath();
        } catch (IllegalArgumentException e) {
            throw new InvalidArgumentException("artifacts", "artifact store URI '" + uri + "' is not a valid file"
                    + " path: " + e.getMessage(), e);
        }
    }
}
