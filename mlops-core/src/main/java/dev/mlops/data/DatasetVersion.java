package dev.mlops.data;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A dataset version: the content of a file or directory at one moment, identified by its name and the SHA-256
 * digest of the content. The same bytes registered under the same name are the same version.
 *
 * @param name        the dataset name
 * @param version     {@code sha256:} and 64 lower-case hex digits: for a file the digest of its bytes, for a
 *                    directory the digest of its manifest (see {@code docs/datasets.md})
 * @param sourceUri   where the content was read from (a {@code file:} URI or any URI the caller gives)
 * @param format      {@code csv}, {@code json}, {@code directory} or {@code binary}
 * @param sizeBytes   the total size in bytes
 * @param schema      the columns, for CSV and JSON-records files; null otherwise
 * @param rowCount    the number of data rows, for CSV and JSON-records files; null otherwise
 * @param tags        free tags
 * @param createdTime when it was first registered
 * @param createdBy   who registered it first
 */
public record DatasetVersion(String name, String version, String sourceUri, String format, long sizeBytes,
        DatasetSchema schema, Long rowCount, Map<String, String> tags, Instant createdTime, String createdBy) {
    public DatasetVersion {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(sourceUri, "sourceUri");
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(createdTime, "createdTime");
        Objects.requireNonNull(createdBy, "createdBy");
        tags = Map.copyOf(tags);
    }

    public Optional<DatasetSchema> schemaIfKnown() {
        return Optional.ofNullable(schema);
    }

    public Optional<Long> rows() {
        return Optional.ofNullable(rowCount);
    }

    /** The lineage node of this version. */
    public dev.mlops.lineage.NodeRef node() {
        return dev.mlops.lineage.NodeRef.dataset(name, version);
    }
}
