package dev.mlops.registry;

import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A model version to register, in status {@code PENDING} with approval {@code PENDING} (what the API layer hands to
 * a store).
 *
 * @param modelName      the model (must exist)
 * @param version        the number to take: the model's latest version + 1 (optimistic: a store refuses any other
 *                       number with {@code CONFLICT}, and the API layer reads again and retries)
 * @param digest         the declared artifact digest, {@code sha256:<64 hex>}
 * @param runId          the producing run (must exist), or null
 * @param signature      input and output columns
 * @param metrics        metrics, finite values
 * @param tags           tags
 * @param description    free text, may be empty
 * @param idempotencyKey null, or a key unique per model: registering again with a key already used returns that
 *                       version ({@code created = false}) whatever the requested number
 * @param createdTime    when (milliseconds)
 * @param createdBy      who
 */
public record NewModelVersion(String modelName, int version, String digest, String runId, ModelSignature signature,
        Map<String, Double> metrics, Map<String, String> tags, String description, String idempotencyKey,
        Instant createdTime, String createdBy) {
    public NewModelVersion {
        Objects.requireNonNull(modelName, "modelName");
        if (version < 1) {
            throw new IllegalArgumentException("version must be >= 1, was " + version);
        }
        Objects.requireNonNull(digest, "digest");
        Objects.requireNonNull(signature, "signature");
        metrics = Collections.unmodifiableMap(new TreeMap<>(metrics));
        tags = Collections.unmodifiableMap(new TreeMap<>(tags));
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(createdTime, "createdTime");
        Objects.requireNonNull(createdBy, "createdBy");
    }

    /** The same registration asking for another number (used when retrying after a lost race). */
    public NewModelVersion withVersion(int number) {
        return new NewModelVersion(modelName, number, digest, runId, signature, metrics, tags, description,
                idempotencyKey, createdTime, createdBy);
    }
}
