package dev.mlops.artifact;

import java.util.Objects;

/**
 * A stored artifact: content addressed by its digest.
 *
 * @param digest    {@code sha256:} and 64 lower-case hex digits of the bytes
 * @param sizeBytes the size in bytes
 * @param uri       where the bytes live (for example {@code file:/.../sha256/ab/abcd...})
 */
public record ArtifactRef(String digest, long sizeBytes, String uri) {
    public ArtifactRef {
        Objects.requireNonNull(digest, "digest");
        Objects.requireNonNull(uri, "uri");
    }
}
