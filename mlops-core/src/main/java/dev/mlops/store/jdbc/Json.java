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
import dev.mlops.registry.ModelSignature;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The JSON the store keeps in text columns: string maps and number maps (keys sorted, so equal maps are equal
 * texts), dataset schemas ({@code {"columns":[{"name":"a","type":"NUMERIC"}]}}) and model signatures
 * ({@code {"inputs":[{"name":"a","type":"NUMERIC"}],"outputs":[...]}}). Thread-safe.
 */
final class Json {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final TypeReference<TreeMap<String, String>> STRING_MAP = new TypeReference<>() {
    };
    private static final TypeReference<TreeMap<String, Double>> NUMBER_MAP = new TypeReference<>() {
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

    /** A map of finite numbers; each value reads back as the same double. */
    static String numbers(Map<String, Double> map) {
        return write(new TreeMap<>(map));
    }

    static Map<String, Double> readNumbers(String json, String what) {
        try {
            Map<String, Double> map = MAPPER.readValue(json, NUMBER_MAP);
            if (map.containsValue(null)) {
                throw new StorageException("the stored numbers of " + what + " are not readable: a value is null",
                        null);
            }
            return map;
        } catch (JsonProcessingException e) {
            throw unreadable(what, e);
        }
    }

    static String signature(ModelSignature signature) {
        ObjectNode root = MAPPER.createObjectNode();
        putColumns(root.putArray("inputs"), signature.inputs());
        putColumns(root.putArray("outputs"), signature.outputs());
        return write(root);
    }

    static ModelSignature readSignature(String json, String what) {
        try {
            JsonNode root = MAPPER.readTree(json);
            return new ModelSignature(readColumns(root.path("inputs")), readColumns(root.path("outputs")));
        } catch (JsonProcessingException e) {
            throw unreadable(what, e);
        } catch (RuntimeException e) {
            throw new StorageException("the stored signature of " + what + " is not readable: " + e, e);
        }
    }

    private static void putColumns(ArrayNode array, List<Column> columns) {
        for (Column c : columns) {
            array.addObject().put("name", c.name()).put("type", c.type().name());
        }
    }

    private static List<Column> readColumns(JsonNode array) {
        List<Column> list = new ArrayList<>();
        for (JsonNode c : array) {
            list.add(new Column(c.get("name").asText(), ColumnType.valueOf(c.get("type").asText())));
        }
        return list;
    }

    static String schema(DatasetSchema schema) {
        if (schema == null) {
            return null;
        }
        ObjectNode root = MAPPER.createObjectNode();
        putColumns(root.putArray("columns"), schema.columns());
        return write(root);
    }

    static DatasetSchema readSchema(String json, String what) {
        if (json == null) {
            return null;
        }
        try {
            return new DatasetSchema(readColumns(MAPPER.readTree(json).path("columns")));
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
