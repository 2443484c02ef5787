package dev.mlops.internal.artifact;

import dev.mlops.IntegrityException;
import dev.mlops.NotFoundException;
import dev.mlops.StorageException;
import dev.mlops.artifact.ArtifactRef;
import dev.mlops.internal.data.Digests;
import dev.mlops.spi.ArtifactStore;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * An {@link ArtifactStore} that keeps the bytes of each artifact in memory (the {@code memory:} store, and tests):
 * every artifact is held whole, so it suits small artifacts only. Thread-safe; content is lost on {@link #close()}.
 */
public final class InMemoryArtifactStore implements ArtifactStore {
    private final ConcurrentMap<String, byte[]> blobs = new ConcurrentHashMap<>();

    @Override
    public ArtifactRef put(InputStream content, String expectedDigest) {
        Objects.requireNonNull(content, "content");
        if (expectedDigest != null) {
            Digests.require("expectedDigest", expectedDigest);
        }
        MessageDigest md = Digests.sha256();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        byte[] buffer = new byte[Digests.BUFFER_SIZE];
        try {
            for (int n; (n = content.read(buffer)) != -1; ) {
                md.update(buffer, 0, n);
                bytes.write(buffer, 0, n);
            }
        } catch (IOException e) {
            throw new StorageException("reading the artifact content failed: " + e.getMessage(), e);
        }
        String digest = Digests.format(md.digest());
        if (expectedDigest != null && !expectedDigest.equals(digest)) {
            throw new IntegrityException("artifact digest mismatch: expected " + expectedDigest + ", the bytes have "
                    + digest + "; nothing was stored");
        }
        byte[] stored = blobs.computeIfAbsent(digest, d -> bytes.toByteArray());
        return ref(digest, stored);
    }

    @Override
    public InputStream open(String digest) {
        Digests.require("digest", digest);
        byte[] stored = blobs.get(digest);
        if (stored == null) {
            throw new NotFoundException("no artifact " + digest + " in " + describe());
        }
        return new VerifyingInputStream(new ByteArrayInputStream(stored), digest, describe());
    }

    @Override
    public Optional<ArtifactRef> stat(String digest) {
        Digests.require("digest", digest);
        byte[] stored = blobs.get(digest);
        return stored == null ? Optional.empty() : Optional.of(ref(digest, stored));
    }

    @Override
    public String describe() {
        return "memory:";
    }

    /** Drops every artifact. Idempotent. */
    @Override
    public void close() {
        blobs.clear();
    }

    private static ArtifactRef ref(String digest, byte[] stored) {
        return new ArtifactRef(digest, stored.length, "memory:" + digest);
    }
}
