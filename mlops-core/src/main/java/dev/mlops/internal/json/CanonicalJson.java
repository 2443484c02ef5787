package dev.mlops.internal.json;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
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
 *
 * <p>Input must be I-JSON (RFC 7493), as RFC 8785 requires: one JSON value with nothing after it, no duplicate
 * member names, no unpaired surrogates in strings, finite numbers. Every number is read as an IEEE 754 double
 * (so integers beyond 2^53 lose precision, exactly as in ECMAScript). Violations throw
 * {@link InvalidArgumentException} for field {@code data}. Thread-safe.
 */
public final class CanonicalJson {
    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

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
        if (node == null || node.isMissingNode()) {
            throw new InvalidArgumentException("data", "not valid JSON: empty text");
        }
        return canonicalize(node);
    }

    /** The canonical form of a parsed JSON tree. */
    public static String canonicalize(JsonNode node) {
        StringBuilder out = new StringBuilder();
        write(node, out);
        return out.toString();
    }

    /**
     * Writes a value made of maps, lists, strings, numbers, booleans and nulls as canonical JSON.
     *
     * @throws InvalidArgumentException when a number is not finite or a string has an unpaired surrogate
     */
    public static String write(Object value) {
        JsonNode node;
        try {
            node = MAPPER.valueToTree(value);
        } catch (IllegalArgumentException e) {
            throw new InvalidArgumentException("data", "cannot be written as JSON: " + e.getMessage());
        }
        return canonicalize(node);
    }

    /** Parses one JSON text under the same I-JSON rules as {@link #canonicalize(String)}. */
    public static JsonNode parse(String json) throws JsonProcessingException {
        return MAPPER.readTree(json);
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

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    /**
     * Appends {@code s} as an RFC 8785 string: in quotes; quotation mark and backslash escaped with a backslash;
     * backspace, form feed, line feed, carriage return and tab as their two-character escapes; other characters
     * below U+0020 as a six-character escape with lower-case hex (for example U+000F as backslash, {@code u000f});
     * everything else, including U+007F and non-ASCII characters, as is.
     *
     * @throws InvalidArgumentException when {@code s} has an unpaired surrogate
     */
    public static void writeString(String s, StringBuilder out) {
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
                        out.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xf]);
                    } else if (Character.isHighSurrogate(c) && i + 1 < s.length()
                            && Character.isLowSurrogate(s.charAt(i + 1))) {
                        out.append(c).append(s.charAt(++i));
                    } else if (Character.isSurrogate(c)) {
                        throw new InvalidArgumentException("data", "strings must be valid Unicode: unpaired surrogate U+"
                                + String.format("%04X", (int) c) + " at index " + i);
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    /** Below 2^53 every integer-valued double prints as its exact integer digits. */
    private static final double EXACT_INTEGERS = 0x1p53;

    /**
     * ECMAScript {@code Number.prototype.toString()} for a finite double (ECMA-262, Number::toString): the
     * shortest decimal that reads back as the same double; among several of that length the one closest to the
     * double, and among two equally close the one with an even last digit; written plainly when
     * {@code 1e-6 <= |x| < 1e21}, otherwise as {@code d.ddde+N} or {@code d.ddde-N}. Negative zero is {@code 0}.
     *
     * @throws InvalidArgumentException when {@code x} is NaN or infinite
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
        if (x < EXACT_INTEGERS && x == Math.rint(x)) {
            return Long.toString((long) x);
        }
        BigDecimal shortest = shortestDecimal(x).stripTrailingZeros();
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

    /**
     * The decimal with the fewest significant digits that reads back as {@code x} (positive, finite); among those,
     * the closest to {@code x}, and of two equally close the one with an even last digit.
     *
     * <p>The decimals that read back as {@code x} form an interval around it, so when any decimal of p digits does,
     * the p-digit decimal just below or just above {@code x} does; and when one of p digits does, one of p + 1 does.
     * So the search starts at the length of {@link Double#toString(double)}, which reads back as {@code x} but is
     * not always the shortest before JDK 19, and shortens while possible.
     *
     * <p>The exact value of a double can have hundreds of digits; it is first cut to 40 significant digits, plus a
     * digit 1 when anything was cut. No decimal of at most 17 digits (nor a midpoint of two, at most 18) lies
     * between the cut value and the exact one, so rounding, comparing and breaking ties give the same results.
     */
    private static BigDecimal shortestDecimal(double x) {
        BigDecimal jdk = new BigDecimal(Double.toString(x)).stripTrailingZeros();
        if (jdk.precision() <= 15 && x >= Double.MIN_NORMAL) {
            // in the normal range every decimal of at most 15 digits reads back from the double it rounds to
            // (DBL_DIG), so no two of them read back as the same double: this one is the only, hence the shortest
            // and closest, candidate (subnormals have fewer bits, and 4.9e-324 and 5e-324 are the same double)
            return jdk;
        }
        BigDecimal exact = new BigDecimal(x);
        if (exact.precision() > 40) {
            BigDecimal cut = exact.round(new MathContext(40, RoundingMode.DOWN));
            exact = cut.add(cut.ulp().movePointLeft(1));
        }
        int p = Math.min(17, jdk.precision());
        while (p > 1 && readsBack(exact.round(new MathContext(p - 1, RoundingMode.FLOOR)), x)
                || p > 1 && readsBack(exact.round(new MathContext(p - 1, RoundingMode.CEILING)), x)) {
            p--;
        }
        BigDecimal down = exact.round(new MathContext(p, RoundingMode.FLOOR));
        BigDecimal up = exact.round(new MathContext(p, RoundingMode.CEILING));
        boolean downOk = readsBack(down, x);
        boolean upOk = readsBack(up, x);
        if (downOk && upOk) {
            int cmp = exact.subtract(down).compareTo(up.subtract(exact));
            if (cmp != 0) {
                return cmp < 0 ? down : up;
            }
            return down.unscaledValue().testBit(0) ? up : down;
        }
        return downOk ? down : up;
    }

    private static boolean readsBack(BigDecimal decimal, double x) {
        return decimal.doubleValue() == x;
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
