package dev.mlops.registry;

import dev.mlops.data.Column;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Registers one new version: set what is known, then {@link #upload}. Not thread-safe; use once.
 *
 * <p>Upload is two-phase. The version is stored {@code PENDING} with its declared digest (and, with a source run, the
 * lineage edge {@code run -> model:NAME/VERSION}); the bytes are streamed to the artifact store and hashed on the
 * way; the version becomes {@code READY} when the digest matches, else {@code FAILED} with a message and the upload
 * fails with {@code INTEGRITY}. If the process dies in between, the version stays {@code PENDING}.
 */
public interface VersionRegistration {

    /** The run that produced the model (it must exist). */
    VersionRegistration run(String runId);

    VersionRegistration signature(List<Column> inputs, List<Column> outputs);

    VersionRegistration signature(ModelSignature signature);

    /** A metric of the version (finite). */
    VersionRegistration metric(String key, double value);

    VersionRegistration metrics(Map<String, Double> metrics);

    VersionRegistration tag(String key, String value);

    VersionRegistration description(String description);

    /**
     * The digest the bytes must have ({@code sha256:<64 lower-case hex>}); required for {@link #upload(InputStream)},
     * checked against the file for {@link #upload(Path)}.
     */
    VersionRegistration expectedDigest(String digest);

    /**
     * A key that makes the registration idempotent across calls and processes: repeating it returns the version it
     * registered. Without one, the registration still carries a key of its own (random, {@code auto-UUID}), so a
     * request a remote store retries after a lost reply never registers a second version; only a new
     * {@code newVersion(...)} registers another.
     */
    VersionRegistration idempotencyKey(String key);

    /** Registers the version with the bytes of {@code file} (hashed first, then streamed). */
    ModelVersion upload(Path file);

    /**
     * Registers the version with the bytes of {@code content}, which must match {@link #expectedDigest}. The stream
     * is read to its end and closed.
     */
    ModelVersion upload(InputStream content);
}
