package dev.mlops.internal.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlops.data.Column;
import dev.mlops.data.ColumnType;
import dev.mlops.data.DatasetSchema;
import dev.mlops.data.DatasetVersion;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Dataset versions, with the field names of the CLI's dataset output:
 *
 * <ul>
 *   <li>{@link DatasetVersion}: {@code name, version, source_uri, format, size_bytes, columns?, rows?, tags,
 *       created_time, created_by}; {@code columns} (the schema) and {@code rows} are omitted when unknown, and
 *       {@code "columns": []} is a known schema without columns</li>
 *   <li>{@link Column}: {@code {"name", "type"}} with the type in lower case ({@code numeric}, {@code categorical},
 *       {@code datetime}, {@code identifier})</li>
 *   <li>{@link DatasetSchema}: the array of its columns</li>
 * </ul>
 * Stateless and thread-safe.
 */
public final class DatasetWire {
    private DatasetWire() {
    }

    public static ObjectNode write(DatasetVersion version) {
        ObjectNode node = Wire.object();
        node.put("name", version.name());
        node.put("version", version.version());
        node.put("source_uri", version.sourceUri());
        node.put("format", version.format());
        node.put("size_bytes", version.sizeBytes());
        if (version.schema() != null) {
            node.set("columns", write(version.schema()));
        }
        if (version.rowCount() != null) {
            node.put("rows", version.rowCount());
        }
        node.set("tags", Wire.stringMapNode(version.tags()));
        node.put("created_time", Wire.instantText(version.createdTime()));
        node.put("created_by", version.createdBy());
        return node;
    }

    public static DatasetVersion read(JsonNode node, String path) {
        Wire.Fields f = Wire.fields(node, path, "name", "version", "source_uri", "format", "size_bytes", "columns",
                "rows", "tags", "created_time", "created_by");
        String name = f.string("name");
        String version = f.string("version");
        String sourceUri = f.string("source_uri");
        String format = f.string("format");
        long size = f.longValue("size_bytes");
        DatasetSchema schema = f.optional("columns", DatasetWire::readSchema);
        Long rows = f.optLong("rows");
        Map<String, String> tags = f.stringMap("tags");
        Instant created = f.instant("created_time");
        String createdBy = f.string("created_by");
        return Wire.build(path, () -> new DatasetVersion(name, version, sourceUri, format, size, schema, rows, tags,
                created, createdBy));
    }

    public static ArrayNode write(DatasetSchema schema) {
        return Wire.arrayOf(schema.columns(), DatasetWire::write);
    }

    public static DatasetSchema readSchema(JsonNode node, String path) {
        List<Column> columns = Wire.readList(node, path, DatasetWire::readColumn);
        return Wire.build(path, () -> new DatasetSchema(columns));
    }

    public static ObjectNode write(Column column) {
        ObjectNode node = Wire.object();
        node.put("name", column.name());
        node.put("type", Wire.enumText(column.type(), true));
        return node;
    }

    public static Column readColumn(JsonNode node, String path) {
        Wire.Fields f = Wire.fields(node, path, "name", "type");
        String name = f.string("name");
        ColumnType type = f.enumValue("type", ColumnType.class, true);
        return Wire.build(path, () -> new Column(name, type));
    }
}
