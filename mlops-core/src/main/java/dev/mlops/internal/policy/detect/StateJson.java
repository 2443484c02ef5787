package dev.mlops.internal.policy.detect;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.mlops.InvalidArgumentException;
import dev.mlops.internal.json.CanonicalJson;
import dev.mlops.policy.ChangeDetector;
import dev.mlops.policy.DetectorState;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes and reads {@link DetectorState} JSON. Members are written in snake_case ({@code warning_level},
 * {@code min_instances}, {@code row_sizes}), as detector parameters are named in policy files; the callers name them
 * as their record components (camelCase), and reading accepts both spellings, so states written before the members
 * were renamed still load. Stateless and thread-safe.
 */
public final class StateJson {
    private StateJson() {
    }

    /** A map that starts with the detector's name and the format; the caller adds the members in order. */
    public static Map<String, Object> start(String detector) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("detector", detector);
        m.put("format", DetectorState.FORMAT);
        return m;
    }

    /** The canonical JSON of a map made by {@link #start(String)}, its member names in snake_case. */
    public static String write(Map<String, Object> members) {
        Map<String, Object> out = new LinkedHashMap<>();
        members.forEach((name, value) -> out.put(snake(name), value));
        return CanonicalJson.write(out);
    }

    /** {@code name} in snake_case: {@code minSubWindowLength} is {@code min_sub_window_length}. */
    public static String snake(String name) {
        StringBuilder out = new StringBuilder(name.length() + 4);
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isUpperCase(c)) {
                if (i > 0) {
                    out.append('_');
                }
                out.append(Character.toLowerCase(c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /**
     * Parses a state's JSON and checks its format; the caller dispatches on {@link Fields#detector()}.
     *
     * @throws InvalidArgumentException (field {@code state...}) when the text is not a state object of this format
     */
    public static Fields open(String json) {
        if (json == null) {
            throw new InvalidArgumentException("state", "state JSON is required");
        }
        JsonNode node;
        try {
            node = CanonicalJson.parse(json);
        } catch (JsonProcessingException e) {
            throw new InvalidArgumentException("state", "state is not valid JSON: " + e.getOriginalMessage());
        }
        if (node == null || !node.isObject()) {
            throw new InvalidArgumentException("state", "state must be a JSON object");
        }
        Fields f = new Fields(node);
        long format = f.integer("format", Long.MIN_VALUE, Long.MAX_VALUE);
        if (format != DetectorState.FORMAT) {
            throw new InvalidArgumentException("state.format", "state format must be " + DetectorState.FORMAT
                    + ", was " + format);
        }
        f.text("detector");
        return f;
    }

    /** Rethrows a record's validation failure with its field, in snake_case, under {@code state.}. */
    public static InvalidArgumentException inState(InvalidArgumentException e) {
        String field = e.field().orElse(null);
        if (field == null || field.startsWith("state")) {
            return e;
        }
        return new InvalidArgumentException("state." + snake(field), e.getMessage(), e);
    }

    /**
     * Typed access to the members of a state object by their record component names (camelCase): the snake_case
     * member is read, or when absent the camelCase one written before; every failure names
     * {@code state.<snake_case member>}.
     */
    public static final class Fields {
        private final JsonNode node;

        Fields(JsonNode node) {
            this.node = node;
        }

        /** The {@code detector} member. */
        public String detector() {
            return text("detector");
        }

        private JsonNode get(String name) {
            String snake = snake(name);
            JsonNode v = node.get(snake);
            if (v == null && !snake.equals(name)) {
                v = node.get(name);
            }
            if (v == null || v.isNull()) {
                throw new InvalidArgumentException("state." + snake, "state member '" + snake + "' is missing");
            }
            return v;
        }

        private static InvalidArgumentException mustBe(String name, String what) {
            String member = snake(name);
            return new InvalidArgumentException("state." + member, "state member '" + member + "' must be " + what);
        }

        public String text(String name) {
            JsonNode v = get(name);
            if (!v.isTextual()) {
                throw mustBe(name, "a string");
            }
            return v.asText();
        }

        public boolean bool(String name) {
            JsonNode v = get(name);
            if (!v.isBoolean()) {
                throw mustBe(name, "a boolean");
            }
            return v.booleanValue();
        }

        public double number(String name) {
            JsonNode v = get(name);
            if (!v.isNumber()) {
                throw mustBe(name, "a number");
            }
            return v.doubleValue();
        }

        public long integer(String name, long min, long max) {
            double d = number(name);
            if (d != Math.rint(d) || d < min || d > max || Math.abs(d) > 0x1p53) {
                throw new InvalidArgumentException("state." + snake(name), "state member '" + snake(name)
                        + "' must be an integer in [" + min + ", " + max + "], was " + d);
            }
            return (long) d;
        }

        public ChangeDetector.Signal signal(String name) {
            String s = text(name);
            for (ChangeDetector.Signal sig : ChangeDetector.Signal.values()) {
                if (sig.name().equals(s)) {
                    return sig;
                }
            }
            throw new InvalidArgumentException("state." + snake(name), "state member '" + snake(name)
                    + "' must be NONE, WARNING or CHANGE, was '" + s + "'");
        }

        public double[] numbers(String name) {
            JsonNode v = get(name);
            if (!v.isArray()) {
                throw mustBe(name, "an array");
            }
            double[] out = new double[v.size()];
            for (int i = 0; i < out.length; i++) {
                JsonNode e = v.get(i);
                if (!e.isNumber()) {
                    throw new InvalidArgumentException("state." + snake(name), "state member '" + snake(name) + "[" + i
                            + "]' must be a number");
                }
                out[i] = e.doubleValue();
            }
            return out;
        }

        public int[] integers(String name) {
            double[] d = numbers(name);
            int[] out = new int[d.length];
            for (int i = 0; i < d.length; i++) {
                if (d[i] != Math.rint(d[i]) || d[i] < 0 || d[i] > Integer.MAX_VALUE) {
                    throw new InvalidArgumentException("state." + snake(name), "state member '" + snake(name) + "[" + i
                            + "]' must be a non-negative integer, was " + d[i]);
                }
                out[i] = (int) d[i];
            }
            return out;
        }
    }
}
