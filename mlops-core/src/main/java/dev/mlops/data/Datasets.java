package dev.mlops.data;

import dev.mlops.Created;
import dev.mlops.Page;
import dev.mlops.PageRequest;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Registers dataset versions, content-addressed by SHA-256. Obtain it from {@code Mlops.datasets()}. Thread-safe.
 */
public interface Datasets {

    /**
     * Registers the file or directory at {@code path} under {@code name}: hashes it as a stream (constant memory),
     * reads the schema and row count of CSV and JSON-records files, and stores the version. The same bytes under the
     * same name give the existing version ({@code created = false}).
     *
     * @throws dev.mlops.InvalidArgumentException when the name is invalid, the path does not exist or cannot be
     *         read, or the file is not the format its extension claims (the message names the line)
     */
    Created<DatasetVersion> register(String name, Path path);

    /** As {@link #register(String, Path)}, with tags stored on a new version. */
    Created<DatasetVersion> register(String name, Path path, Map<String, String> tags);

    Optional<DatasetVersion> get(String name, String version);

    /** The newest registered version of {@code name}. */
    Optional<DatasetVersion> latest(String name);

    /** Versions of {@code name} (or of every dataset when null), in registration order. */
    Page<DatasetVersion> list(String name, PageRequest page);

    /** How {@code newer}'s schema differs from {@code older}'s (both must have schemas). */
    SchemaDiff diff(DatasetVersion older, DatasetVersion newer);
}
