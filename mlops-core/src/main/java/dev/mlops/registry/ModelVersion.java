package dev.mlops.registry;

import dev.mlops.artifact.ArtifactRef;
import dev.mlops.lineage.NodeRef;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One version of a registered model.
 *
 * @param modelName     the model's name
 * @param version       1, 2, 3, ... per model, without gaps or duplicates
 * @param digest        the declared SHA-256 of the artifact ({@code sha256:<64 hex>})
 * @param artifact      the stored artifact (digest, size, URI), set when the version became {@code READY}, else null
 * @param status        {@code PENDING -> READY | FAILED}
 * @param statusMessage why the version {@code FAILED}; null otherwise
 * @param runId         the run that produced it (its lineage reaches the data and code); null when unknown
 * @param signature     the input and output columns
 * @param metrics       metrics recorded with the version (for example its evaluation), sorted by key
 * @param tags          tags, sorted by key
 * @param description   free text, may be empty
 * @param approval      the approval decision
 * @param aliases       the aliases that point at this version, sorted
 * @param createdTime   when it was registered (milliseconds)
 * @param createdBy     who registered it (the four-eyes rule compares the approver with this)
 * @param updatedTime   when its status, approval, tags or aliases last changed
 */
public record ModelVersion(String modelName, int version, String digest, ArtifactRef artifact, VersionStatus status,
        String statusMessage, String runId, ModelSignature signature, Map<String, Double> metrics,
        Map<String, String> tags, String description, Approval approval, List<String> aliases, Instant createdTime,
        String createdBy, Instant updatedTime) {
    public ModelVersion {
        Objects.requireNonNull(modelName, "modelName");
        if (version < 1) {
            throw new IllegalArgumentException("version must be >= 1, was " + version);
        }
        Objects.requireNonNull(digest, "digest");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(signature, "signature");
        metrics = Collections.unmodifiableMap(new TreeMap<>(metrics));
        tags = Collections.unmodifiableMap(new TreeMap<>(tags));
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(approval, "approval");
        aliases = List.copyOf(new java.util.TreeSet<>(aliases));
        Objects.requireNonNull(createdTime, "createdTime");
        Objects.requireNonNull(createdBy, "createdBy");
        Objects.requireNonNull(updatedTime, "updatedTime");
    }

    /** This version as a lineage node, {@code model:NAME/VERSION}. */
    public NodeRef node() {
        return NodeRef.model(modelName, version);
    }

    /** {@code NAME/VERSION}. */
    public String ref() {
        return modelName + "/" + version;
    }

    /** The stored artifact, present once the version is {@code READY}. */
    public Optional<ArtifactRef> storedArtifact() {
        return Optional.ofNullable(artifact);
    }
}
