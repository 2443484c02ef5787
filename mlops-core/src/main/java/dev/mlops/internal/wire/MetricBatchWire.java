package dev.mlops.internal.wire;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.NumberOutput;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.JsonSerializable;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.jsontype.TypeSerializer;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.POJONode;
import dev.mlops.InvalidArgumentException;
import dev.mlops.tracking.MetricPoint;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * A batch of metric points as columns, the {@code points} member of {@code POST /runs/{runId}/metrics}:
 *
 * <pre>{@code {"keys": [STRING...], "values": [NUMBER...], "steps": [INTEGER...], "timestamps_ms": [INTEGER...],
 *  "timestamps_extra_ns"?: [INTEGER...]}}</pre>
 *
 * Element {@code i} of every array is point {@code i}: its key, its finite value, its step (&gt;= 0) and its
 * timestamp as milliseconds since the epoch (negative before 1970), plus, in {@code timestamps_extra_ns}, the
 * nanoseconds after that millisecond (0 to 999,999). {@code timestamps_extra_ns} is written only when some point
 * has them (the stores keep milliseconds) and absent reads as all zeros. All arrays have the same length; an empty
 * batch is five (or four) empty arrays.
 *
 * <p>This is the compact form of a list of {@link RunWire} metric points: one JSON value per field instead of one
 * object per point, with no timestamp text to format and parse. Writing streams the columns with Jackson's
 * {@link JsonGenerator} (no tree of the points is built); reading walks the parsed arrays and builds a path (such as
 * {@code points.values[3]}) only for the error it throws. Stateless and thread-safe.
 */
public final class MetricBatchWire {
    /** The member names, in the order they are written. */
    public static final String KEYS = "keys";
    public static final String VALUES = "values";
    public static final String STEPS = "steps";
    public static final String TIMESTAMPS_MS = "timestamps_ms";
    public static final String TIMESTAMPS_EXTRA_NS = "timestamps_extra_ns";

    private static final String[] MEMBERS = {KEYS, VALUES, STEPS, TIMESTAMPS_MS, TIMESTAMPS_EXTRA_NS};
    private static final int NANOS_PER_MILLI = 1_000_000;

    private MetricBatchWire() {
    }

    /**
     * The columns of {@code points} as a node to put into a tree (a {@link POJONode} that streams the arrays when
     * the tree is written with Jackson; {@link Wire#toBytes} and {@link Wire#toJson} do). The list is copied.
     *
     * @throws InvalidArgumentException naming {@code points[i].timestamp} when a timestamp is beyond the range of
     *     {@code long} milliseconds (about 292 million years from 1970)
     * @throws NullPointerException when {@code points} or one of its elements is null
     */
    public static JsonNode write(List<MetricPoint> points) {
        List<MetricPoint> copy = List.copyOf(points);
        boolean extraNanos = false;
        for (int i = 0; i < copy.size(); i++) {
            Instant t = copy.get(i).timestamp();
            epochMilli(t, i);
            extraNanos |= t.getNano() % NANOS_PER_MILLI != 0;
        }
        return new POJONode(new Columns(copy, extraNanos));
    }

    /**
     * The columns as a plain tree ({@link #write} streams the same JSON); for tests and for callers that inspect the
     * tree.
     */
    public static ObjectNode writeTree(List<MetricPoint> points) {
        return (ObjectNode) Wire.parse(Wire.toBytes(write(points)));
    }

    private static long epochMilli(Instant t, int index) {
        try {
            return t.toEpochMilli();
        } catch (ArithmeticException e) {
            throw new InvalidArgumentException("points[" + index + "].timestamp", "points[" + index
                    + "].timestamp is beyond the range of a metric timestamp (long milliseconds since 1970)");
        }
    }

    /** Streams the arrays; a {@link JsonSerializable} so that Jackson writes it in place of the {@link POJONode}. */
    private static final class Columns extends JsonSerializable.Base {
        private final List<MetricPoint> points;
        private final boolean extraNanos;

        Columns(List<MetricPoint> points, boolean extraNanos) {
            this.points = points;
            this.extraNanos = extraNanos;
        }

        @Override
        public void serialize(JsonGenerator g, SerializerProvider provider) throws IOException {
            int n = points.size();
            g.writeStartObject();
            g.writeFieldName(KEYS);
            g.writeStartArray(points, n);
            for (MetricPoint p : points) {
                g.writeString(p.key());
            }
            g.writeEndArray();
            g.writeFieldName(VALUES);
            g.writeStartArray(points, n);
            for (MetricPoint p : points) {
                // The shortest text that reads back as the same double (Schubfach), as JDK 19+ Double.toString
                // writes it; JDK 17's Double.toString costs several times as much for arbitrary doubles.
                g.writeNumber(NumberOutput.toString(p.value(), true));
            }
            g.writeEndArray();
            g.writeFieldName(STEPS);
            g.writeStartArray(points, n);
            for (MetricPoint p : points) {
                g.writeNumber(p.step());
            }
            g.writeEndArray();
            g.writeFieldName(TIMESTAMPS_MS);
            g.writeStartArray(points, n);
            for (MetricPoint p : points) {
                g.writeNumber(p.timestamp().toEpochMilli());
            }
            g.writeEndArray();
            if (extraNanos) {
                g.writeFieldName(TIMESTAMPS_EXTRA_NS);
                g.writeStartArray(points, n);
                for (MetricPoint p : points) {
                    g.writeNumber(p.timestamp().getNano() % NANOS_PER_MILLI);
                }
                g.writeEndArray();
            }
            g.writeEndObject();
        }

        @Override
        public void serializeWithType(JsonGenerator g, SerializerProvider provider, TypeSerializer typeSer)
                throws IOException {
            serialize(g, provider);
        }
    }

    /**
     * Reads the columns at {@code path} into points, in array order.
     *
     * @throws InvalidArgumentException naming the path of the first bad member or element ({@code points.steps[2]}),
     *     when the node is not an object of the members above, a member is missing, of the wrong type, or holds an
     *     element of the wrong type or out of range, or the arrays differ in length
     */
    public static List<MetricPoint> read(JsonNode node, String path) {
        if (node == null || !node.isObject()) {
            throw Wire.expected(node, path, "an object of metric columns (" + String.join(", ", MEMBERS) + ")");
        }
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            String name = it.next();
            if (!List.of(MEMBERS).contains(name)) {
                // Wire.fields words the refusal of an unknown member the same way for every object.
                Wire.fields(node, path, MEMBERS);
            }
        }
        ArrayNode keys = column(node, path, KEYS, true);
        ArrayNode values = column(node, path, VALUES, true);
        ArrayNode steps = column(node, path, STEPS, true);
        ArrayNode millis = column(node, path, TIMESTAMPS_MS, true);
        ArrayNode extra = column(node, path, TIMESTAMPS_EXTRA_NS, false);
        int n = keys.size();
        sameLength(values, n, path, VALUES);
        sameLength(steps, n, path, STEPS);
        sameLength(millis, n, path, TIMESTAMPS_MS);
        if (extra != null) {
            sameLength(extra, n, path, TIMESTAMPS_EXTRA_NS);
        }
        List<MetricPoint> points = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            JsonNode k = keys.get(i);
            if (!k.isTextual()) {
                throw Wire.expected(k, element(path, KEYS, i), "a string");
            }
            double value = finite(values.get(i), path, i);
            long step = integer(steps.get(i), path, STEPS, i, 0, Long.MAX_VALUE);
            long ms = integer(millis.get(i), path, TIMESTAMPS_MS, i, Long.MIN_VALUE, Long.MAX_VALUE);
            long ns = extra == null ? 0 : integer(extra.get(i), path, TIMESTAMPS_EXTRA_NS, i, 0, NANOS_PER_MILLI - 1);
            Instant timestamp = Instant.ofEpochMilli(ms);
            if (ns != 0) {
                timestamp = timestamp.plusNanos(ns);
            }
            // Every check of MetricPoint's constructor is made above, so it cannot fail here.
            points.add(new MetricPoint(k.textValue(), value, step, timestamp));
        }
        return points;
    }

    private static ArrayNode column(JsonNode node, String path, String name, boolean required) {
        JsonNode column = node.get(name);
        if (column == null || !required && column.isNull()) {
            if (required) {
                String at = Wire.field(path, name);
                throw new InvalidArgumentException(at, at + " is missing: it must be an array");
            }
            return null;
        }
        if (!column.isArray()) {
            throw Wire.expected(column, Wire.field(path, name), "an array");
        }
        return (ArrayNode) column;
    }

    private static void sameLength(ArrayNode column, int n, String path, String name) {
        if (column.size() != n) {
            String at = Wire.field(path, name);
            throw new InvalidArgumentException(at, at + " must have as many elements as " + Wire.field(path, KEYS)
                    + " (" + n + "), had " + column.size());
        }
    }

    private static String element(String path, String column, int i) {
        return Wire.index(Wire.field(path, column), i);
    }

    private static double finite(JsonNode node, String path, int i) {
        if (node.getNodeType() != JsonNodeType.NUMBER) {
            return Wire.readFiniteDouble(node, element(path, VALUES, i));
        }
        double value = node.doubleValue();
        return Double.isFinite(value) ? value : Wire.readFiniteDouble(node, element(path, VALUES, i));
    }

    private static long integer(JsonNode node, String path, String column, int i, long min, long max) {
        if (node.isIntegralNumber() && node.canConvertToLong()) {
            long v = node.longValue();
            if (v >= min && v <= max) {
                return v;
            }
        }
        return Wire.readLong(node, element(path, column, i), min, max);
    }
}
