package dev.mlops.registry;

import dev.mlops.artifact.ArtifactRef;
import java.time.Instant;
import java.util.Objects;

/**
 * What a {@link ModelResolver} answers: the version a reference names now, and its artifact.
 *
 * @param reference  the reference as asked ({@code NAME@ALIAS} or {@code NAME/VERSION})
 * @param version    the version it names
 * @param artifact   the version's stored artifact
 * @param resolvedAt when this answer was read from the store
 */
public record ResolvedModel(ModelRef reference, ModelVersion version, ArtifactRef artifact, Instant resolvedAt) {
    public ResolvedModel {
        Objects.requireNonNull(reference, "reference");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(artifact, "artifact");
        Objects.requireNonNull(resolvedAt, "resolvedAt");
    }
}
