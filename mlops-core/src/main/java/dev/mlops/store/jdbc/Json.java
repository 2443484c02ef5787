package dev.mlops.store.jdbc;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlops.StorageException;
import dev.mlops.data.Column;
import dev.mlops.data.ColumnType;
import dev.mlops.data.DatasetSchema;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The JSON the store keeps in text columns: string maps (keys sorted, so equal maps are equal texts) and dataset
 * schemas ({@code {"columns":[{"name":"a","type":"NUMERIC"}]}}). Thread-safe.
 */
final class Json {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final TypeReference<TreeMap<String, String>> STRING_MAP = new TypeReference<>() {
    };

    private Json() {
    }

    static String map(Map<String, String> map) {
        return write(new TreeMap<>(map));
    }

    static Map<String, String> readMap(String json, String what) {
        try {
            return MAPPER.readValue(json, STRING_MAP);
        } catch (JsonProcessingException e) {
            throw unreadable(what, e);
        }
    }

    static String schema(DatasetSchema schema) {
        if (schema == null) {
            return null;
        }
        ObjectNode root = MAPPER.createObjectNode();
        ArrayNode columns = root.putArray("columns");
        for (Column c : schema.columns()) {
            columns.addObject().put("name", c.name()).put("type", c.type().name());
        }
        return write(root);
    }

    static DatasetSchema readSchema(String json, String what) {
        if (json == null) {
            return null;
        }
        try {
            JsonNode columns = MAPPER.readTree(json).path("columns");
            List<Column> list = new ArrayList<>();
            for (JsonNode c : columns) {
                list.add(new Column(c.get("name").asText(), ColumnType.valueOf(c.get("type").asText())));
            }
            return new DatasetSchema(list);
        } catch (JsonProcessingException e) {
            throw unreadable(what, e);
        } catch (RuntimeException e) {
            throw new StorageException("the stored schema of " + what + " is not readable: " + e, e);
        }
    }

    private static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("plain maps and trees always serialise", e);
        }
    }

    private static StorageException unreadable(String what, JsonProcessingException e) {
        return new StorageException("the stored JSON of " + what + " is not readable: " + e.getOriginalMessage(), e);
    }
}
