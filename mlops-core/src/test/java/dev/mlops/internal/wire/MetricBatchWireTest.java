package dev.mlops.internal.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlops.InvalidArgumentException;
import dev.mlops.tracking.MetricPoint;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The column form of a metric batch: exact round trips, the documented JSON, and strict reading. */
@DisplayName("Metric batches as columns")
class MetricBatchWireTest {
    static final Instant T = Instant.parse("2026-01-02T03:04:05.123Z");

    static LongStream seeds() {
        return LongStream.range(0, 200);
    }

    /** Random points: keys, values and steps from {@link WireGen}, timestamps over the whole range of long ms. */
    static List<MetricPoint> batch(long seed) {
        WireGen g = new WireGen(seed);
        SplittableRandom r = new SplittableRandom(seed);
        int n = r.nextInt(4) == 0 ? r.nextInt(3) : r.nextInt(1, 60);
        List<MetricPoint> points = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Instant t = switch (r.nextInt(6)) {
                case 0 -> Instant.ofEpochMilli(r.nextBoolean() ? Long.MIN_VALUE : Long.MAX_VALUE);
                case 1 -> Instant.ofEpochMilli(Long.MAX_VALUE).plusNanos(999_999);
                case 2 -> Instant.ofEpochMilli(r.nextLong(-62_135_596_800_000L, 253_402_300_799_999L));
                case 3 -> Instant.ofEpochSecond(r.nextLong(-4_000_000_000L, 4_102_444_800L),
                        r.nextInt(1_000_000_000));
                default -> T.plusMillis(i);
            };
            points.add(new MetricPoint(g.string(), g.finiteDouble(), g.nonNegativeLong(), t));
        }
        return points;
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    @DisplayName("reads back, through bytes, exactly the points it wrote, and writes them again the same")
    void round_trip(long seed) {
        List<MetricPoint> points = batch(seed);
        byte[] bytes = Wire.toBytes(MetricBatchWire.write(points));
        List<MetricPoint> back = MetricBatchWire.read(Wire.parse(bytes), "points");
        assertThat(back).isEqualTo(points);
        assertThat(Wire.toBytes(MetricBatchWire.write(back))).isEqualTo(bytes);
        assertThat(MetricBatchWire.writeTree(points)).isEqualTo(Wire.parse(bytes));
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    @DisplayName("holds the same points as the list of point objects, in the same order")
    void agrees_with_the_point_objects(long seed) {
        List<MetricPoint> points = batch(seed);
        JsonNode objects = Wire.parse(Wire.toBytes(Wire.arrayOf(points, RunWire::write)));
        List<MetricPoint> fromObjects = Wire.readList(objects, "points", RunWire::readMetricPoint);
        assertThat(MetricBatchWire.read(MetricBatchWire.writeTree(points), "points")).isEqualTo(fromObjects);
    }

    @Test
    @DisplayName("the documented JSON: columns in order, extra nanoseconds only when a point has them")
    void golden() {
        List<MetricPoint> ms = List.of(new MetricPoint("loss", 0.25, 3, T), new MetricPoint("acc", -0.0, 4,
                Instant.ofEpochMilli(-1)));
        String msJson = "{\"keys\":[\"loss\",\"acc\"],\"values\":[0.25,-0.0],\"steps\":[3,4],"
                + "\"timestamps_ms\":[1767323045123,-1]}";
        assertThat(Wire.toJson(MetricBatchWire.write(ms))).isEqualTo(msJson);
        assertThat(MetricBatchWire.read(Wire.parse(msJson), "points")).isEqualTo(ms);

        List<MetricPoint> ns = List.of(new MetricPoint("loss", 1e300, 0, T.plusNanos(456_789)),
                new MetricPoint("loss", 2, 1, Instant.parse("1969-12-31T23:59:59.9995Z")));
        String nsJson = "{\"keys\":[\"loss\",\"loss\"],\"values\":[1.0E300,2.0],\"steps\":[0,1],"
                + "\"timestamps_ms\":[1767323045123,-1],\"timestamps_extra_ns\":[456789,500000]}";
        assertThat(Wire.toJson(MetricBatchWire.write(ns))).isEqualTo(nsJson);
        assertThat(MetricBatchWire.read(Wire.parse(nsJson), "points")).isEqualTo(ns);

        assertThat(Wire.toJson(MetricBatchWire.write(List.of())))
                .isEqualTo("{\"keys\":[],\"values\":[],\"steps\":[],\"timestamps_ms\":[]}");
        assertThat(MetricBatchWire.read(Wire.parse("{\"keys\":[],\"values\":[],\"steps\":[],\"timestamps_ms\":[],"
                + "\"timestamps_extra_ns\":null}"), "points")).isEmpty();
    }

    @Test
    @DisplayName("sits inside a request body like any other member")
    void inside_a_body() {
        ObjectNode body = Wire.object();
        body.set("points", MetricBatchWire.write(List.of(new MetricPoint("loss", 0.5, 1, T))));
        body.put("after", 1);
        assertThat(Wire.toJson(body)).isEqualTo("{\"points\":{\"keys\":[\"loss\"],\"values\":[0.5],\"steps\":[1],"
                + "\"timestamps_ms\":[1767323045123]},\"after\":1}");
    }

    @Test
    @DisplayName("a timestamp beyond long milliseconds is refused when writing, naming the point")
    void unrepresentable_timestamp() {
        assertThatThrownBy(() -> MetricBatchWire.write(List.of(new MetricPoint("a", 1, 0, T),
                new MetricPoint("b", 1, 0, Instant.MAX))))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage("points[1].timestamp is beyond the range of a metric timestamp (long milliseconds since"
                        + " 1970)")
                .satisfies(e -> assertThat(((InvalidArgumentException) e).field()).contains("points[1].timestamp"));
    }

    @Nested
    @DisplayName("bad input is refused with the path of the member or element")
    class BadInput {
        static final String OK_TAIL = ",\"steps\":[1,2],\"timestamps_ms\":[5,6]}";

        void refused(String json, String field, String message) {
            InvalidArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(
                    InvalidArgumentException.class, () -> MetricBatchWire.read(Wire.parse(json), "points"));
            assertThat(e.field()).as("field").contains(field);
            assertThat(e.getMessage()).as("message").isEqualTo(message);
        }

        @Test
        void not_an_object() {
            refused("[]", "points", "points must be an object of metric columns (keys, values, steps, timestamps_ms,"
                    + " timestamps_extra_ns), was an array");
            refused("null", "points", "points must be an object of metric columns (keys, values, steps,"
                    + " timestamps_ms, timestamps_extra_ns), was null");
        }

        @Test
        void missing_and_unknown_members() {
            refused("{\"keys\":[],\"values\":[],\"steps\":[]}", "points.timestamps_ms",
                    "points.timestamps_ms is missing: it must be an array");
            refused("{\"keys\":[],\"values\":[],\"steps\":[],\"timestamps_ms\":[],\"timestamps\":[]}",
                    "points.timestamps", "unknown field \"timestamps\" in points; the fields are keys, values, steps,"
                            + " timestamps_ms, timestamps_extra_ns");
            refused("{\"keys\":null,\"values\":[],\"steps\":[],\"timestamps_ms\":[]}", "points.keys",
                    "points.keys must be an array, was null");
            refused("{\"keys\":{},\"values\":[],\"steps\":[],\"timestamps_ms\":[]}", "points.keys",
                    "points.keys must be an array, was an object");
        }

        @Test
        void arrays_of_different_lengths() {
            refused("{\"keys\":[\"a\",\"b\"],\"values\":[1]" + OK_TAIL, "points.values",
                    "points.values must have as many elements as points.keys (2), had 1");
            refused("{\"keys\":[\"a\",\"b\"],\"values\":[1,2],\"steps\":[1,2],\"timestamps_ms\":[5,6],"
                    + "\"timestamps_extra_ns\":[0,0,0]}", "points.timestamps_extra_ns",
                    "points.timestamps_extra_ns must have as many elements as points.keys (2), had 3");
        }

        @Test
        void elements_of_the_wrong_type_or_out_of_range() {
            refused("{\"keys\":[\"a\",7],\"values\":[1,2]" + OK_TAIL, "points.keys[1]",
                    "points.keys[1] must be a string, was an integer");
            refused("{\"keys\":[\"a\",\"b\"],\"values\":[1,\"NaN\"]" + OK_TAIL, "points.values[1]",
                    "points.values[1] must be a finite number, was a string");
            refused("{\"keys\":[\"a\",\"b\"],\"values\":[1e999,1]" + OK_TAIL, "points.values[0]",
                    "points.values[0] must be a finite number, was a number beyond the range of a double");
            refused("{\"keys\":[\"a\",\"b\"],\"values\":[1,null]" + OK_TAIL, "points.values[1]",
                    "points.values[1] must be a finite number, was null");
            refused("{\"keys\":[\"a\",\"b\"],\"values\":[1,2],\"steps\":[1,-1],\"timestamps_ms\":[5,6]}",
                    "points.steps[1]", "points.steps[1] must be an integer >= 0, was -1");
            refused("{\"keys\":[\"a\",\"b\"],\"values\":[1,2],\"steps\":[1.5,2],\"timestamps_ms\":[5,6]}",
                    "points.steps[0]", "points.steps[0] must be an integer >= 0, was a number with a fraction or"
                            + " exponent");
            refused("{\"keys\":[\"a\",\"b\"],\"values\":[1,2],\"steps\":[1,2],\"timestamps_ms\":[5,"
                    + "9223372036854775808]}", "points.timestamps_ms[1]",
                    "points.timestamps_ms[1] must be an integer, was 9223372036854775808");
            refused("{\"keys\":[\"a\",\"b\"],\"values\":[1,2],\"steps\":[1,2],\"timestamps_ms\":[5,"
                    + "\"2026-01-02T03:04:05Z\"]}", "points.timestamps_ms[1]",
                    "points.timestamps_ms[1] must be an integer, was a string");
            refused("{\"keys\":[\"a\",\"b\"],\"values\":[1,2],\"steps\":[1,2],\"timestamps_ms\":[5,6],"
                    + "\"timestamps_extra_ns\":[0,1000000]}", "points.timestamps_extra_ns[1]",
                    "points.timestamps_extra_ns[1] must be an integer between 0 and 999999, was 1000000");
        }

        @Test
        void string_values_are_not_echoed() {
            InvalidArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(
                    InvalidArgumentException.class, () -> MetricBatchWire.read(Wire.parse(
                            "{\"keys\":[\"a\"],\"values\":[\"'; DROP TABLE metrics; --\"],\"steps\":[1],"
                                    + "\"timestamps_ms\":[5]}"), "points"));
            assertThat(e.getMessage()).doesNotContain("DROP");
        }
    }
}
