package dev.mlops.internal.data;

import dev.mlops.Created;
import dev.mlops.Page;
import dev.mlops.PageRequest;
import dev.mlops.data.*;
import dev.mlops.internal.Context;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/** PLACEHOLDER: replaced by the real implementation of {@link Datasets}. */
public class DefaultDatasets implements Datasets {
    public DefaultDatasets(Context context) {
    }

    @Override
    public Created<DatasetVersion> register(String name, Path path) {
        throw new UnsupportedOperationException("placeholder");
    }

    @Override
    public Created<DatasetVersion> register(String name, Path path, Map<String, String> tags) {
        throw new UnsupportedOperationException("placeholder");
    }

    @Override
    public Optional<DatasetVersion> get(String name, String version) {
        throw new UnsupportedOperationException("placeholder");
    }

    @Override
    public Optional<DatasetVersion> latest(String name) {
        throw new UnsupportedOperationException("placeholder");
    }

    @Override
    public Page<DatasetVersion> list(String name, PageRequest page) {
        throw new UnsupportedOperationException("placeholder");
    }

    @Override
    public SchemaDiff diff(DatasetVersion older, DatasetVersion newer) {
        throw new UnsupportedOperationException("placeholder");
    }
}
