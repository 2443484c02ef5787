package dev.mlops.cli;

import dev.mlops.NotFoundException;
import dev.mlops.StorageException;
import dev.mlops.artifact.ArtifactRef;
import dev.mlops.spi.ArtifactStore;
import java.io.InputStream;
import java.util.Objects;
import java.util.Optional;

/**
 * The artifact store of a remote server, as the CLI uses it: the same calls, except that an upload to a server
 * started without an artifact store (which answers {@code 404} for the artifact routes; an upload is never
 * legitimately "not found") fails with a {@link StorageException} that says so and how to fix it. Thread-safe as the
 * store it wraps.
 */
final class ServerArtifactStore implements ArtifactStore {
    private final ArtifactStore server;
    private final String address;

    /**
     * @param server  the server's artifact store ({@code RemoteMetadataStore.artifactStore()})
     * @param address the server's address for messages, without secrets
     */
    ServerArtifactStore(ArtifactStore server, String address) {
        this.server = Objects.requireNonNull(server, "server");
        this.address = Objects.requireNonNull(address, "address");
    }

    @Override
    public ArtifactRef put(InputStream content, String expectedDigest) {
        try {
            return server.put(content, expectedDigest);
        } catch (NotFoundException e) {
            throw new StorageException("the server at " + address + " stores no artifacts (" + e.getMessage()
                    + "): start it with --artifacts URI, or give --artifacts URI to keep the artifacts elsewhere", e);
        }
    }

    @Override
    public InputStream open(String digest) {
        return server.open(digest);
    }

    @Override
    public Optional<ArtifactRef> stat(String digest) {
        return server.stat(digest);
    }

    @Override
    public String describe() {
        return server.describe();
    }

    @Override
    public void close() {
        server.close();
    }
}
