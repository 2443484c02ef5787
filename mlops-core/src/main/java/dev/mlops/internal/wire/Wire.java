package dev.mlops.internal.wire;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.mlops.InvalidArgumentException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The shared pieces of the REST protocol's JSON encoding (see {@code docs/protocol.md}, "JSON encoding"): the
 * {@link ObjectMapper}, parsing and writing of documents, JSON paths, and strict readers of values.
 *
 * <p>Every reader takes the JSON node and its <em>path</em> (for example {@code points[3].value}; the empty string
 * for the document itself) and throws {@link InvalidArgumentException} whose {@code field()} is that path (null for
 * the document itself) and whose message says what was expected there. Messages never contain a string value from
 * the document (it may be a secret); they may contain field names, enum constants and out-of-range integers.
 *
 * <p>Stateless and thread-safe.
 */
public final class Wire {
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(StreamWriteFeature.AUTO_CLOSE_TARGET)
            .disable(StreamReadFeature.AUTO_CLOSE_SOURCE)
            .build();

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final Pattern SIMPLE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final int MAX_NAME_IN_PATH = 80;

    /** The strings that stand for the non-finite doubles. */
    public static final String NAN = "NaN";
    public static final String POSITIVE_INFINITY = "Infinity";
    public static final String NEGATIVE_INFINITY = "-Infinity";

    private Wire() {
    }

    /** Reads a value at a path; see {@link Wire} for the error contract. */
    @FunctionalInterface
    public interface Reader<T> {
        T read(JsonNode node, String path);
    }

    // ---- documents ----------------------------------------------------------------------------------------------

    /**
     * The shared mapper: refuses duplicate member names and anything after the value, never closes the streams it
     * is given. Do not reconfigure it; {@link ObjectMapper#copy()} it instead.
     */
    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /** A new empty object node. */
    public static ObjectNode object() {
        return NODES.objectNode();
    }

    /** A new empty array node. */
    public static ArrayNode array() {
        return NODES.arrayNode();
    }

    /**
     * Parses one JSON document (UTF-8).
     *
     * @throws InvalidArgumentException (field null) when it is not one well-formed JSON value without duplicate
     *     member names; the message gives the line and column, never the offending text
     */
    public static JsonNode parse(byte[] json) {
        try {
            return checkParsed(MAPPER.readTree(json));
        } catch (JsonProcessingException e) {
            throw malformed(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@link #parse(byte[])} of a text. */
    public static JsonNode parse(String json) {
        try {
            return checkParsed(MAPPER.readTree(json));
        } catch (JsonProcessingException e) {
            throw malformed(e);
        }
    }

    /**
     * {@link #parse(byte[])} of a stream, read to the end of the value (and checked for trailing content), not
     * closed.
     *
     * @throws UncheckedIOException when reading the stream fails
     */
    public static JsonNode parse(InputStream json) {
        try {
            return checkParsed(MAPPER.readTree(json));
        } catch (JsonProcessingException e) {
            throw malformed(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode checkParsed(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            throw new InvalidArgumentException(null, "the document is empty: expected a JSON value");
        }
        return node;
    }

    private static InvalidArgumentException malformed(JsonProcessingException e) {
        StringBuilder message = new StringBuilder("the document is not valid JSON");
        String original = e.getOriginalMessage();
        if (original != null && original.startsWith("Duplicate field")) {
            // Jackson names the field, which is not a value: say which.
            message.append(" (").append(original).append(')');
        }
        JsonLocation at = e.getLocation();
        if (at != null && at.getLineNr() > 0) {
            message.append(" at line ").append(at.getLineNr()).append(", column ").append(at.getColumnNr());
        }
        return new InvalidArgumentException(null, message.toString(), e);
    }

    /**
     * The UTF-8 bytes of {@code node} (compact). Jackson's UTF-8 writer escapes characters outside the Basic
     * Multilingual Plane, and unpaired surrogates, as {@code \}{@code uXXXX}: valid JSON that reads back exactly.
     */
    public static byte[] toBytes(JsonNode node) {
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new InvalidArgumentException(null, "cannot be written as UTF-8 JSON: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * Writes {@link #toBytes the UTF-8 bytes} of {@code node} to {@code out}, which is flushed, not closed.
     *
     * @throws UncheckedIOException when writing fails
     */
    public static void writeTo(JsonNode node, OutputStream out) {
        try {
            MAPPER.writeValue(out, node);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The JSON text of {@code node} (compact). */
    public static String toJson(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new InvalidArgumentException(null, "cannot be written as JSON: " + e.getOriginalMessage(), e);
        }
    }

    // ---- paths --------------------------------------------------------------------------------------------------

    /**
     * The path of member {@code name} of the object at {@code path}: {@code path.name}, or {@code path["name"]}
     * (JSON string syntax) when the name is not a simple identifier. Over-long names are shortened.
     */
    public static String field(String path, String name) {
        String shown = name.length() > MAX_NAME_IN_PATH ? name.substring(0, MAX_NAME_IN_PATH) + "..." : name;
        if (SIMPLE_NAME.matcher(shown).matches()) {
            return path.isEmpty() ? shown : path + "." + shown;
        }
        return path + "[" + TextNode.valueOf(shown) + "]";
    }

    /** The path of element {@code index} of the array at {@code path}: {@code path[index]}. */
    public static String index(String path, int index) {
        return path + "[" + index + "]";
    }

    /** How messages name the value at {@code path}. */
    static String where(String path) {
        return path.isEmpty() ? "the document" : path;
    }

    /** The exception's field for {@code path}: null for the document itself. */
    static String fieldOf(String path) {
        return path.isEmpty() ? null : path;
    }

    /** The failure "the value at {@code path} must be {@code expected}, was {@code describe(node)}". */
    public static InvalidArgumentException expected(JsonNode node, String path, String expected) {
        return new InvalidArgumentException(fieldOf(path), where(path) + " must be " + expected + ", was "
                + describe(node));
    }

    /** A failure at {@code path} with a message that starts with the path. */
    public static InvalidArgumentException invalid(String path, String problem) {
        return new InvalidArgumentException(fieldOf(path), where(path) + " " + problem);
    }

    private static String describe(JsonNode node) {
        if (node == null || node.isMissingNode()) {
            return "missing";
        }
        return switch (node.getNodeType()) {
            case STRING -> "a string";
            case NUMBER -> node.isIntegralNumber() ? "an integer" : "a number with a fraction or exponent";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            case OBJECT -> "an object";
            case ARRAY -> "an array";
            default -> "a " + node.getNodeType().name().toLowerCase(Locale.ROOT) + " value";
        };
    }

    /**
     * Runs a domain constructor, turning its validation failures into an {@link InvalidArgumentException} for
     * {@code path} whose message keeps the constructor's.
     */
    public static <T> T build(String path, Supplier<T> constructor) {
        try {
            return constructor.get();
        } catch (InvalidArgumentException e) {
            throw new InvalidArgumentException(fieldOf(path), where(path) + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            throw new InvalidArgumentException(fieldOf(path), where(path) + " is not valid: " + e.getMessage(), e);
        } catch (NullPointerException e) {
            // Objects.requireNonNull(x, "name"): the message is the component's name.
            throw new InvalidArgumentException(fieldOf(path), where(path) + " is incomplete: " + e.getMessage()
                    + " is required", e);
        }
    }

    // ---- writing values -----------------------------------------------------------------------------------------

    /** An instant as RFC 3339 in UTC ({@link Instant#toString()}): every nonzero fraction digit is kept. */
    public static String instantText(Instant instant) {
        return instant.toString();
    }

    /** A double: a JSON number when finite (reads back exactly), else {@code "NaN"}, {@code "Infinity"}, ... */
    public static JsonNode doubleNode(double value) {
        if (Double.isNaN(value)) {
            return TextNode.valueOf(NAN);
        }
        if (Double.isInfinite(value)) {
            return TextNode.valueOf(value > 0 ? POSITIVE_INFINITY : NEGATIVE_INFINITY);
        }
        return NODES.numberNode(value);
    }

    /** A map of strings as an object, in the map's order. */
    public static ObjectNode stringMapNode(Map<String, String> map) {
        ObjectNode node = object();
        map.forEach(node::put);
        return node;
    }

    /** A map of doubles as an object of {@link #doubleNode numbers}, in the map's order. */
    public static ObjectNode doubleMapNode(Map<String, Double> map) {
        ObjectNode node = object();
        map.forEach((k, v) -> node.set(k, doubleNode(v)));
        return node;
    }

    /** Strings as an array, in iteration order. */
    public static ArrayNode stringArray(Collection<String> values) {
        ArrayNode node = array();
        values.forEach(node::add);
        return node;
    }

    /** Values as an array of their encodings, in iteration order. */
    public static <T> ArrayNode arrayOf(Collection<? extends T> values, Function<? super T, ? extends JsonNode> writer) {
        ArrayNode node = array();
        for (T value : values) {
            node.add(writer.apply(value));
        }
        return node;
    }

    /** An enum constant as its name, in lower case when {@code lowerCase}. */
    public static String enumText(Enum<?> value, boolean lowerCase) {
        return lowerCase ? value.name().toLowerCase(Locale.ROOT) : value.name();
    }

    // ---- reading values -----------------------------------------------------------------------------------------

    /** A string. */
    public static String readString(JsonNode node, String path) {
        if (node == null || !node.isTextual()) {
            throw expected(node, path, "a string");
        }
        return node.textValue();
    }

    /** An RFC 3339 instant with any number of fraction digits (up to 9) and offset {@code Z} or {@code +hh:mm}. */
    public static Instant readInstant(JsonNode node, String path) {
        String text = readStringAs(node, path, INSTANT);
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new InvalidArgumentException(fieldOf(path), where(path) + " must be " + INSTANT
                    + ", was a string that is not one");
        }
    }

    private static final String INSTANT = "an RFC 3339 instant such as \"2026-01-02T03:04:05.123456789Z\"";

    private static String readStringAs(JsonNode node, String path, String expected) {
        if (node == null || !node.isTextual()) {
            throw expected(node, path, expected);
        }
        return node.textValue();
    }

    /** An integer in the range of {@code long}. */
    public static long readLong(JsonNode node, String path) {
        return readLong(node, path, Long.MIN_VALUE, Long.MAX_VALUE);
    }

    /** An integer in [{@code min}, {@code max}]. */
    public static long readLong(JsonNode node, String path, long min, long max) {
        String expected = "an integer" + range(min, max);
        if (node == null || !node.isIntegralNumber()) {
            throw expected(node, path, expected);
        }
        if (!node.canConvertToLong() || node.longValue() < min || node.longValue() > max) {
            String was = node.bigIntegerValue().toString();
            throw new InvalidArgumentException(fieldOf(path), where(path) + " must be " + expected + ", was "
                    + (was.length() > 40 ? "an integer of " + was.length() + " digits" : was));
        }
        return node.longValue();
    }

    /** An integer in the range of {@code int}. */
    public static int readInt(JsonNode node, String path) {
        return (int) readLong(node, path, Integer.MIN_VALUE, Integer.MAX_VALUE);
    }

    /** An integer in [{@code min}, {@code max}]. */
    public static int readInt(JsonNode node, String path, int min, int max) {
        return (int) readLong(node, path, min, max);
    }

    private static String range(long min, long max) {
        if (min == Long.MIN_VALUE && max == Long.MAX_VALUE) {
            return "";
        }
        if (max == Long.MAX_VALUE) {
            return " >= " + min;
        }
        return " between " + min + " and " + max;
    }

    private static final String DOUBLE = "a number, or one of \"NaN\", \"Infinity\", \"-Infinity\"";
    private static final String FINITE = "a finite number";

    /** A double: a JSON number within the range of double, or {@code "NaN"}, {@code "Infinity"}, ... */
    public static double readDouble(JsonNode node, String path) {
        if (node != null && node.isTextual()) {
            switch (node.textValue()) {
                case NAN:
                    return Double.NaN;
                case POSITIVE_INFINITY:
                    return Double.POSITIVE_INFINITY;
                case NEGATIVE_INFINITY:
                    return Double.NEGATIVE_INFINITY;
                default:
                    throw new InvalidArgumentException(fieldOf(path), where(path) + " must be " + DOUBLE
                            + ", was another string");
            }
        }
        return readNumber(node, path, DOUBLE);
    }

    /** A finite double, a JSON number. */
    public static double readFiniteDouble(JsonNode node, String path) {
        return readNumber(node, path, FINITE);
    }

    private static double readNumber(JsonNode node, String path, String expected) {
        if (node == null || !node.isNumber()) {
            throw expected(node, path, expected);
        }
        double value = node.doubleValue();
        if (!Double.isFinite(value)) {
            throw new InvalidArgumentException(fieldOf(path), where(path) + " must be " + expected
                    + ", was a number beyond the range of a double");
        }
        return value;
    }

    /** {@code true} or {@code false}. */
    public static boolean readBoolean(JsonNode node, String path) {
        if (node == null || !node.isBoolean()) {
            throw expected(node, path, "true or false");
        }
        return node.booleanValue();
    }

    /** An enum constant by its exact name (in lower case when {@code lowerCase}). */
    public static <E extends Enum<E>> E readEnum(JsonNode node, String path, Class<E> type, boolean lowerCase) {
        String expected = "one of " + names(type, lowerCase);
        String text = readStringAs(node, path, expected);
        for (E c : type.getEnumConstants()) {
            if (enumText(c, lowerCase).equals(text)) {
                return c;
            }
        }
        throw new InvalidArgumentException(fieldOf(path), where(path) + " must be " + expected
                + ", was another string");
    }

    /** An object of strings, in document order. */
    public static Map<String, String> readStringMap(JsonNode node, String path) {
        return readMap(node, path, Wire::readString, "an object whose values are strings");
    }

    /** An object of doubles ({@link #readDouble}), in document order. */
    public static Map<String, Double> readDoubleMap(JsonNode node, String path) {
        return readMap(node, path, Wire::readDouble, "an object whose values are numbers");
    }

    /** An object whose member values are read with {@code reader}, in document order. */
    public static <T> Map<String, T> readMap(JsonNode node, String path, Reader<T> reader, String expected) {
        if (node == null || !node.isObject()) {
            throw expected(node, path, expected);
        }
        Map<String, T> map = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            map.put(e.getKey(), reader.read(e.getValue(), field(path, e.getKey())));
        }
        return map;
    }

    /** An array whose elements are read with {@code reader}. */
    public static <T> List<T> readList(JsonNode node, String path, Reader<T> reader) {
        if (node == null || !node.isArray()) {
            throw expected(node, path, "an array");
        }
        List<T> list = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) {
            list.add(reader.read(node.get(i), index(path, i)));
        }
        return list;
    }

    /** An array of distinct strings, in document order. */
    public static Set<String> readStringSet(JsonNode node, String path) {
        List<String> list = readList(node, path, Wire::readString);
        Set<String> set = new LinkedHashSet<>(list);
        if (set.size() != list.size()) {
            throw invalid(path, "must not hold the same string twice");
        }
        return set;
    }

    /**
     * The members of the object at {@code path}, for reading them by name.
     *
     * @param known the member names the object may have; any other is refused
     * @throws InvalidArgumentException when the node is not an object, or has a member not in {@code known}
     */
    public static Fields fields(JsonNode node, String path, String... known) {
        if (node == null || !node.isObject()) {
            throw expected(node, path, "an object");
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!Arrays.asList(known).contains(name)) {
                throw new InvalidArgumentException(field(path, name), "unknown field " + TextNode.valueOf(
                        name.length() > MAX_NAME_IN_PATH ? name.substring(0, MAX_NAME_IN_PATH) + "..." : name)
                        + " in " + where(path) + "; the fields are " + String.join(", ", known));
            }
        }
        return new Fields((ObjectNode) node, path);
    }

    /**
     * The members of one object, read by name with the readers of {@link Wire}. A member that is JSON {@code null}
     * counts as absent for the optional readers ({@code opt...}, collections) and is refused by the required ones.
     * Not thread-safe (use it for one object, then drop it).
     */
    public static final class Fields {
        private final ObjectNode node;
        private final String path;

        private Fields(ObjectNode node, String path) {
            this.node = node;
            this.path = path;
        }

        /** The object's path. */
        public String path() {
            return path;
        }

        /** The path of member {@code name}. */
        public String path(String name) {
            return field(path, name);
        }

        /** Whether member {@code name} is present and not null. */
        public boolean has(String name) {
            JsonNode v = node.get(name);
            return v != null && !v.isNull();
        }

        /** Member {@code name}, read with {@code reader}. */
        public <T> T required(String name, Reader<T> reader, String expected) {
            JsonNode value = node.get(name);
            if (value == null) {
                throw new InvalidArgumentException(path(name), path(name) + " is missing: it must be " + expected);
            }
            if (value.isNull()) {
                throw expected(value, path(name), expected);
            }
            return reader.read(node.get(name), path(name));
        }

        /** Member {@code name} read with {@code reader}, or null when absent. */
        public <T> T optional(String name, Reader<T> reader) {
            return has(name) ? reader.read(node.get(name), path(name)) : null;
        }

        public String string(String name) {
            return required(name, Wire::readString, "a string");
        }

        public String optString(String name) {
            return optional(name, Wire::readString);
        }

        public Instant instant(String name) {
            return required(name, Wire::readInstant, INSTANT);
        }

        public Instant optInstant(String name) {
            return optional(name, Wire::readInstant);
        }

        public long longValue(String name) {
            return required(name, Wire::readLong, "an integer");
        }

        public long longValue(String name, long min, long max) {
            return required(name, (n, p) -> readLong(n, p, min, max), "an integer" + range(min, max));
        }

        public Long optLong(String name) {
            return optional(name, Wire::readLong);
        }

        public int intValue(String name) {
            return required(name, Wire::readInt, "an integer");
        }

        public int intValue(String name, int min, int max) {
            return required(name, (n, p) -> readInt(n, p, min, max), "an integer" + range(min, max));
        }

        public Integer optInt(String name) {
            return optional(name, Wire::readInt);
        }

        public double doubleValue(String name) {
            return required(name, Wire::readDouble, DOUBLE);
        }

        public double finiteDouble(String name) {
            return required(name, Wire::readFiniteDouble, FINITE);
        }

        public Double optDouble(String name) {
            return optional(name, Wire::readDouble);
        }

        public boolean bool(String name) {
            return required(name, Wire::readBoolean, "true or false");
        }

        public Boolean optBool(String name) {
            return optional(name, Wire::readBoolean);
        }

        public <E extends Enum<E>> E enumValue(String name, Class<E> type, boolean lowerCase) {
            return required(name, (n, p) -> readEnum(n, p, type, lowerCase), "one of " + names(type, lowerCase));
        }

        public <E extends Enum<E>> E optEnum(String name, Class<E> type, boolean lowerCase) {
            return optional(name, (n, p) -> readEnum(n, p, type, lowerCase));
        }

        /** An object of strings; absent means empty. */
        public Map<String, String> stringMap(String name) {
            Map<String, String> map = optional(name, Wire::readStringMap);
            return map == null ? new LinkedHashMap<>() : map;
        }

        /** An object of doubles; absent means empty. */
        public Map<String, Double> doubleMap(String name) {
            Map<String, Double> map = optional(name, Wire::readDoubleMap);
            return map == null ? new LinkedHashMap<>() : map;
        }

        /** An array of distinct strings; absent means empty. */
        public Set<String> stringSet(String name) {
            Set<String> set = optional(name, Wire::readStringSet);
            return set == null ? new LinkedHashSet<>() : set;
        }

        /** An array read with {@code reader}; absent means empty. */
        public <T> List<T> list(String name, Reader<T> reader) {
            List<T> list = optional(name, (n, p) -> readList(n, p, reader));
            return list == null ? new ArrayList<>() : list;
        }

        /** An array read with {@code reader}, required (an empty array is fine). */
        public <T> List<T> requiredList(String name, Reader<T> reader) {
            return required(name, (n, p) -> readList(n, p, reader), "an array");
        }

        /** An object read with {@code reader}. */
        public <T> T object(String name, Reader<T> reader) {
            return required(name, reader, "an object");
        }

        /** An object read with {@code reader}, or null when absent. */
        public <T> T optObject(String name, Reader<T> reader) {
            return optional(name, reader);
        }
    }

    private static <E extends Enum<E>> String names(Class<E> type, boolean lowerCase) {
        StringBuilder names = new StringBuilder();
        for (E c : type.getEnumConstants()) {
            names.append(names.length() == 0 ? "" : ", ").append(enumText(c, lowerCase));
        }
        return names.toString();
    }
}
