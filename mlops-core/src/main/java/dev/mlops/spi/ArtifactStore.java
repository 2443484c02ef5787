package dev.mlops.spi;

import dev.mlops.artifact.ArtifactRef;
import java.io.InputStream;
import java.util.Optional;

/**
 * Where artifact bytes live, content-addressed by SHA-256. Implementations stream (never hold a whole artifact in
 * memory), make a write visible only once complete (write to a temporary file, then rename), verify the digest on
 * read, and are thread-safe. Writing the same content twice stores it once.
 */
public interface ArtifactStore extends AutoCloseable {

    /**
     * Stores the bytes of {@code content} (read to its end, not closed).
     *
     * @param expectedDigest the digest the caller expects ({@code sha256:HEX}), or null; when given and the bytes
     *                       differ, nothing is stored and an {@code IntegrityException} is thrown
     */
    ArtifactRef put(InputStream content, String expectedDigest);

    /**
     * Opens the artifact for reading. The stream throws an {@code IntegrityException} at its end if the bytes no
     * longer match the digest.
     *
     * @throws dev.mlops.NotFoundException when no artifact has this digest
     */
    InputStream open(String digest);

    /** The stored artifact with this digest, if any. */
    Optional<ArtifactRef> stat(String digest);

    /** Where this store keeps its bytes, for messages (no secrets). */
    String describe();

    @Override
    void close();
}
