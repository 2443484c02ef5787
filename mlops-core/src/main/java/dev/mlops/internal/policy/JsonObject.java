package dev.mlops.internal.policy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlops.InvalidArgumentException;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Reads the fields of one JSON object of a policy document, each error naming the field's path
 * ({@code conditions[2].threshold must be a number, was "high"}); {@link #finish()} rejects fields that were not
 * read. Not thread-safe; one per object.
 */
final class JsonObject {
    private final ObjectNode node;
    private final String path;
    private final Set<String> read = new LinkedHashSet<>();

    private JsonObject(ObjectNode node, String path) {
        this.node = node;
        this.path = path;
    }

    /** The object at {@code path}, or an error when {@code value} is not an object. */
    static JsonObject of(JsonNode value, String path) {
        if (value == null || !value.isObject()) {
            throw wrongType(path, "an object", value);
        }
        return new JsonObject((ObjectNode) value, path);
    }

    String path() {
        return path;
    }

    String path(String field) {
        return path.isEmpty() ? field : path + "." + field;
    }

    boolean has(String field) {
        JsonNode v = node.get(field);
        return v != null && !v.isNull();
    }

    /** The raw value (null when absent or null), marked as read. */
    JsonNode get(String field) {
        read.add(field);
        JsonNode v = node.get(field);
        return v == null || v.isNull() ? null : v;
    }

    JsonNode required(String field) {
        JsonNode v = get(field);
        if (v == null) {
            throw new InvalidArgumentException(path(field), path(field) + " is required");
        }
        return v;
    }

    String string(String field) {
        JsonNode v = required(field);
        if (!v.isTextual()) {
            throw wrongType(path(field), "a string", v);
        }
        return v.textValue();
    }

    Optional<String> optString(String field) {
        return has(field) ? Optional.of(string(field)) : mark(field);
    }

    private <T> Optional<T> mark(String field) {
        read.add(field);
        return Optional.empty();
    }

    double number(String field) {
        JsonNode v = required(field);
        return number(v, path(field));
    }

    static double number(JsonNode v, String path) {
        if (!v.isNumber()) {
            throw wrongType(path, "a number", v);
        }
        double d = v.doubleValue();
        if (!Double.isFinite(d)) {
            throw new InvalidArgumentException(path, path + " must be a finite number, was " + v);
        }
        return d;
    }

    long integer(String field) {
        JsonNode v = required(field);
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw wrongType(path(field), "an integer", v);
        }
        return v.longValue();
    }

    int int32(String field) {
        long v = integer(field);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw new InvalidArgumentException(path(field), path(field) + " must be an integer in the int range, was "
                    + v);
        }
        return (int) v;
    }

    boolean bool(String field) {
        JsonNode v = required(field);
        if (!v.isBoolean()) {
            throw wrongType(path(field), "true or false", v);
        }
        return v.booleanValue();
    }

    Duration duration(String field) {
        String s = string(field);
        try {
            return Duration.parse(s);
        } catch (DateTimeParseException e) {
            throw new InvalidArgumentException(path(field), path(field)
                    + " must be an ISO-8601 duration such as PT24H or P7D, was \"" + s + "\"");
        }
    }

    Instant instant(String field) {
        String s = string(field);
        try {
            return Instant.parse(s);
        } catch (DateTimeParseException e) {
            throw new InvalidArgumentException(path(field), path(field)
                    + " must be an ISO-8601 instant such as 2024-01-01T00:00:00Z, was \"" + s + "\"");
        }
    }

    LocalTime localTime(String field) {
        String s = string(field);
        try {
            return LocalTime.parse(s);
        } catch (DateTimeException e) {
            throw new InvalidArgumentException(path(field), path(field)
                    + " must be a local time such as 06:00 or 22:30, was \"" + s + "\"");
        }
    }

    /** The elements of an array field, each with its path. */
    List<JsonNode> array(String field) {
        JsonNode v = required(field);
        if (!v.isArray()) {
            throw wrongType(path(field), "an array", v);
        }
        List<JsonNode> out = new ArrayList<>(v.size());
        v.forEach(out::add);
        return out;
    }

    /** One of {@code ids}, by position. */
    int choice(String field, List<String> ids) {
        String s = string(field);
        int i = ids.indexOf(s);
        if (i < 0) {
            throw new InvalidArgumentException(path(field), path(field) + " must be one of " + String.join(", ", ids)
                    + ", was \"" + s + "\"");
        }
        return i;
    }

    /** The names of the object's fields, in document order. */
    Iterator<String> fieldNames() {
        return node.fieldNames();
    }

    /** Rejects every field that no accessor read. */
    void finish() {
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            String f = names.next();
            if (!read.contains(f)) {
                throw new InvalidArgumentException(path(f), path(f) + " is not a known field"
                        + (read.isEmpty() ? "" : "; known here: " + String.join(", ", read)));
            }
        }
    }

    static InvalidArgumentException wrongType(String path, String expected, JsonNode v) {
        String was = v == null ? "missing" : v.getNodeType().name().toLowerCase(java.util.Locale.ROOT) + " "
                + abbreviate(v.toString());
        return new InvalidArgumentException(path, (path.isEmpty() ? "the document" : path) + " must be " + expected
                + ", was " + was);
    }

    private static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }
}
