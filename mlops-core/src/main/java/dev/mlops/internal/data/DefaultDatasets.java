package dev.mlops.internal.data;

import dev.mlops.Created;
import dev.mlops.InvalidArgumentException;
import dev.mlops.Page;
import dev.mlops.PageRequest;
import dev.mlops.data.Column;
import dev.mlops.data.DatasetSchema;
import dev.mlops.data.DatasetVersion;
import dev.mlops.data.Datasets;
import dev.mlops.data.SchemaDiff;
import dev.mlops.internal.Context;
import dev.mlops.internal.Validate;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * {@link Datasets} over the metadata store of a {@link Context}. Thread-safe (stateless apart from the context).
 * How content is identified and inspected: {@link DatasetContent}, {@link DirectoryDigest}, {@link TabularInspector}
 * and {@code docs/datasets.md}.
 */
public final class DefaultDatasets implements Datasets {
    private final Context context;

    public DefaultDatasets(Context context) {
        this.context = Objects.requireNonNull(context, "context");
    }

    @Override
    public Created<DatasetVersion> register(String name, Path path) {
        return register(name, path, Map.of());
    }

    @Override
    public Created<DatasetVersion> register(String name, Path path, Map<String, String> tags) {
        Validate.name("name", name);
        Validate.tags(tags);
        if (path == null) {
            throw new InvalidArgumentException("path", "path is required");
        }
        Path absolute = path.toAbsolutePath();
        DatasetContent.Content content = DatasetContent.read(absolute);
        // normalised for the record only: reading the path as given keeps the meaning of '..' after a link
        String sourceUri = absolute.normalize().toUri().toString();
        DatasetVersion version = new DatasetVersion(name, content.digest(), sourceUri,
                content.format(), content.size(), content.schema(), content.rows(), tags, context.now(),
                context.actor());
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("name", name);
        data.put("version", content.digest());
        data.put("format", content.format());
        data.put("rows", content.rows());
        data.put("size", content.size());
        return context.store().registerDataset(version,
                context.audit("dataset.register", version.node().id(), data));
    }

    @Override
    public Optional<DatasetVersion> get(String name, String version) {
        Validate.name("name", name);
        Digests.require("version", version);
        return context.store().getDataset(name, version);
    }

    /** The last version of {@code name} in registration order; reads every page of the listing. */
    @Override
    public Optional<DatasetVersion> latest(String name) {
        Validate.name("name", name);
        PageRequest request = PageRequest.first(PageRequest.MAX_PAGE_SIZE);
        DatasetVersion last = null;
        while (true) {
            Page<DatasetVersion> page = context.store().listDatasets(name, request);
            if (!page.items().isEmpty()) {
                last = page.items().get(page.items().size() - 1);
            }
            if (page.nextPageToken() == null) {
                return Optional.ofNullable(last);
            }
            request = request.next(page);
        }
    }

    @Override
    public Page<DatasetVersion> list(String name, PageRequest page) {
        if (name != null) {
            Validate.name("name", name);
        }
        return context.store().listDatasets(name, page == null ? PageRequest.first() : page);
    }

    @Override
    public SchemaDiff diff(DatasetVersion older, DatasetVersion newer) {
        DatasetSchema before = schemaOf("older", older);
        DatasetSchema after = schemaOf("newer", newer);
        Map<String, Column> beforeByName = byName(before);
        Map<String, Column> afterByName = byName(after);
        List<Column> added = new ArrayList<>();
        List<SchemaDiff.Retyped> retyped = new ArrayList<>();
        for (Column c : after.columns()) {
            Column old = beforeByName.get(c.name());
            if (old == null) {
                added.add(c);
            } else if (old.type() != c.type()) {
                retyped.add(new SchemaDiff.Retyped(c.name(), old.type(), c.type()));
            }
        }
        List<Column> removed = new ArrayList<>();
        for (Column c : before.columns()) {
            if (!afterByName.containsKey(c.name())) {
                removed.add(c);
            }
        }
        return new SchemaDiff(added, removed, retyped);
    }

    private static Map<String, Column> byName(DatasetSchema schema) {
        Map<String, Column> map = new LinkedHashMap<>();
        schema.columns().forEach(c -> map.putIfAbsent(c.name(), c));
        return map;
    }

    private static DatasetSchema schemaOf(String field, DatasetVersion version) {
        if (version == null) {
            throw new InvalidArgumentException(field, field + " is required");
        }
        if (version.schema() == null) {
            throw new InvalidArgumentException(field, field + " dataset version " + version.name() + "@"
                    + version.version() + " has no schema (format " + version.format()
                    + "); only CSV and JSON-records versions have one");
        }
        return version.schema();
    }
}
