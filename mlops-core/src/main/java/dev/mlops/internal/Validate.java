package dev.mlops.internal;

import dev.mlops.InvalidArgumentException;
import java.util.Map;

/** Argument checks at the API boundary; every message names the field and what was expected. */
public final class Validate {
    /** Longest entity name (job, dataset, artifact, model). */
    public static final int MAX_NAME = 256;
    /** Longest param, metric or tag key. */
    public static final int MAX_KEY = 250;
    /** Longest param value. */
    public static final int MAX_PARAM_VALUE = 6000;
    /** Longest tag value. */
    public static final int MAX_TAG_VALUE = 5000;
    /** Longest free text (error messages, reasons). */
    public static final int MAX_TEXT = 10_000;

    private Validate() {
    }

    /**
     * A name: 1 to {@value #MAX_NAME} characters, not blank, no control characters at all (also no tab or line
     * break), not starting with {@code :} or {@code /}, no {@code @} anywhere (it separates names from versions
     * in lineage ids), and not exactly {@code .} or {@code ..} (see {@link #segment}).
     */
    public static String name(String field, String value) {
        text(field, value, MAX_NAME);
        segment(field, value);
        noLineBreaksOrTabs(field, value);
        if (value.isBlank()) {
            throw new InvalidArgumentException(field, field + " must not be blank");
        }
        if (!value.equals(value.strip())) {
            throw new InvalidArgumentException(field, field + " must not start or end with white space, was '"
                    + printable(value) + "'");
        }
        if (value.indexOf('@') >= 0) {
            throw new InvalidArgumentException(field, field + " must not contain '@', was '" + printable(value) + "'");
        }
        if (value.charAt(0) == ':' || value.charAt(0) == '/') {
            throw new InvalidArgumentException(field, field + " must not start with '" + value.charAt(0) + "', was '"
                    + printable(value) + "'");
        }
        return value;
    }

    /**
     * A param, metric or tag key (also a run id): 1 to {@value #MAX_KEY} characters, not blank, no control characters
     * at all (also no tab or line break), and not exactly {@code .} or {@code ..} (see {@link #segment}).
     */
    public static String key(String field, String value) {
        text(field, value, MAX_KEY);
        segment(field, value);
        noLineBreaksOrTabs(field, value);
        if (value.isBlank()) {
            throw new InvalidArgumentException(field, field + " must not be blank");
        }
        return value;
    }

    /**
     * Refuses a value that is exactly {@code .} or {@code ..}: names and keys travel as URL path segments to a remote
     * store, where these two cannot (HTTP clients resolve them away), so no store accepts them, embedded or remote.
     * Other values, also ones holding dots ({@code ...}, {@code ./x}, {@code a..b}), pass.
     *
     * @return {@code value}
     * @throws InvalidArgumentException naming {@code field}
     */
    public static String segment(String field, String value) {
        if (".".equals(value) || "..".equals(value)) {
            throw new InvalidArgumentException(field, field + " must not be '" + value + "' (a name cannot be '.' or"
                    + " '..', which URL paths resolve away)");
        }
        return value;
    }

    public static void noLineBreaksOrTabs(String field, String value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\t' || c == '\n' || c == '\r') {
                throw new InvalidArgumentException(field, field + " must not contain control characters (found U+"
                        + String.format("%04X", (int) c) + " at index " + i + ")");
            }
        }
    }

    /** A value that must be present. */
    public static <T> T required(String field, T value) {
        if (value == null) {
            throw new InvalidArgumentException(field, field + " is required");
        }
        return value;
    }

    /** Non-null text of at most {@code max} characters without control characters (tab, CR and LF allowed). */
    public static String text(String field, String value, int max) {
        if (value == null) {
            throw new InvalidArgumentException(field, field + " is required");
        }
        if (value.isEmpty()) {
            throw new InvalidArgumentException(field, field + " must not be empty");
        }
        if (value.length() > max) {
            throw new InvalidArgumentException(field, field + " must be at most " + max + " characters, was "
                    + value.length());
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
                throw new InvalidArgumentException(field, field + " must not contain control characters (found U+"
                        + String.format("%04X", (int) c) + " at index " + i + ")");
            }
        }
        return value;
    }

    /** A value that may be empty but not null, at most {@code max} characters, no control characters. */
    public static String value(String field, String value, int max) {
        if (value == null) {
            throw new InvalidArgumentException(field, field + " is required");
        }
        return value.isEmpty() ? value : text(field, value, max);
    }

    /** Checks every key and value of a params map. */
    public static Map<String, String> params(Map<String, String> params) {
        if (params == null) {
            throw new InvalidArgumentException("params", "params is required");
        }
        params.forEach((k, v) -> {
            key("params key", k);
            value("params." + k, v, MAX_PARAM_VALUE);
        });
        return params;
    }

    /** Checks every key and value of a tags map. */
    public static Map<String, String> tags(Map<String, String> tags) {
        if (tags == null) {
            throw new InvalidArgumentException("tags", "tags is required");
        }
        tags.forEach((k, v) -> {
            key("tags key", k);
            value("tags." + k, v, MAX_TAG_VALUE);
        });
        return tags;
    }

    /** {@code s} with control characters escaped and cut to 80 code points, for messages. */
    public static String printable(String s) {
        StringBuilder b = new StringBuilder();
        s.codePoints().limit(80).forEach(cp -> {
            if (Character.isISOControl(cp)) {
                b.append(String.format("\\u%04x", cp));
            } else {
                b.appendCodePoint(cp);
            }
        });
        if (s.codePointCount(0, s.length()) > 80) {
            b.append("...");
        }
        return b.toString();
    }
}
