package dev.mlops.internal.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlops.InvalidArgumentException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * RFC 8785 JSON Canonicalization Scheme: object members sorted by the UTF-16 code units of their names, no
 * insignificant white space, strings with the minimal escapes, numbers as ECMAScript's {@code Number.toString}.
 * Thread-safe.
 */
public final class CanonicalJson {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private CanonicalJson() {
    }

    /** Canonicalises a JSON text. */
    public static String canonicalize(String json) {
        JsonNode node;
        try {
            node = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new InvalidArgumentException("data", "not valid JSON: " + e.getOriginalMessage());
        }
        if (node == null) {
            throw new InvalidArgumentException("data", "not valid JSON: empty text");
        }
        StringBuilder out = new StringBuilder();
        write(node, out);
        return out.toString();
    }

    /** Writes a value made of maps, lists, strings, numbers, booleans and nulls as canonical JSON. */
    public static String write(Object value) {
        return canonicalize(toJson(value));
    }

    /** Converts plain values to a JSON tree text (not canonical). */
    public static String toJson(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new InvalidArgumentException("data", "cannot be written as JSON: " + e.getOriginalMessage());
        }
    }

    private static void write(JsonNode node, StringBuilder out) {
        switch (node.getNodeType()) {
            case OBJECT -> {
                List<String> names = new ArrayList<>();
                for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
                    names.add(it.next());
                }
                names.sort(String::compareTo); // String.compareTo compares UTF-16 code units, as RFC 8785 requires
                out.append('{');
                boolean first = true;
                for (String name : names) {
                    if (!first) {
                        out.append(',');
                    }
                    first = false;
                    writeString(name, out);
                    out.append(':');
                    write(node.get(name), out);
                }
                out.append('}');
            }
            case ARRAY -> {
                out.append('[');
                for (int i = 0; i < node.size(); i++) {
                    if (i > 0) {
                        out.append(',');
                    }
                    write(node.get(i), out);
                }
                out.append(']');
            }
            case STRING -> writeString(node.textValue(), out);
            case NUMBER -> out.append(formatNumber(node.doubleValue()));
            case BOOLEAN -> out.append(node.booleanValue() ? "true" : "false");
            case NULL -> out.append("null");
            default -> throw new InvalidArgumentException("data", "unsupported JSON value: " + node.getNodeType());
        }
    }

    static void writeString(String s, StringBuilder out) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    /**
     * ECMAScript {@code Number.prototype.toString()} for a finite double: the shortest decimal that reads back as
     * the same double (the closest one when several have that length), in plain or exponent notation.
     */
    public static String formatNumber(double x) {
        if (!Double.isFinite(x)) {
            throw new InvalidArgumentException("data", "JSON numbers must be finite, was " + x);
        }
        if (x == 0) {
            return "0";
        }
        if (x < 0) {
            return "-" + formatNumber(-x);
        }
        BigDecimal exact = new BigDecimal(x);
        BigDecimal shortest = null;
        for (int p = 1; p <= 17; p++) {
            BigDecimal candidate = exact.round(new MathContext(p, RoundingMode.HALF_EVEN));
            if (candidate.doubleValue() == x) {
                shortest = candidate;
                break;
            }
        }
        if (shortest == null) {
            shortest = exact.round(new MathContext(17, RoundingMode.HALF_EVEN));
        }
        shortest = shortest.stripTrailingZeros();
        String digits = shortest.unscaledValue().toString();
        int k = digits.length();
        int n = k - shortest.scale(); // x = 0.digits * 10^n
        StringBuilder out = new StringBuilder();
        if (k <= n && n <= 21) {
            out.append(digits).append("0".repeat(n - k));
        } else if (0 < n && n <= 21) {
            out.append(digits, 0, n).append('.').append(digits, n, k);
        } else if (-6 < n && n <= 0) {
            out.append("0.").append("0".repeat(-n)).append(digits);
        } else {
            int e = n - 1;
            out.append(digits.charAt(0));
            if (k > 1) {
                out.append('.').append(digits, 1, k);
            }
            out.append('e').append(e < 0 ? '-' : '+').append(Math.abs(e));
        }
        return out.toString();
    }

    /** Reads a JSON text into plain values (maps, lists, strings, numbers, booleans, null). */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> readObject(String json) {
        try {
            return MAPPER.readValue(json, Map.class);
        } catch (JsonProcessingException e) {
            throw new InvalidArgumentException("data", "not a JSON object: " + e.getOriginalMessage());
        }
    }
}
