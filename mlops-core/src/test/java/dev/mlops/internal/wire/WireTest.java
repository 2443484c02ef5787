package dev.mlops.internal.wire;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.mlops.ErrorCode;
import dev.mlops.InvalidArgumentException;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The shared readers and writers of {@link Wire}. */
class WireTest {

    static InvalidArgumentException invalid(Runnable r) {
        try {
            r.run();
        } catch (InvalidArgumentException e) {
            assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
            return e;
        }
        throw new AssertionError("no InvalidArgumentException");
    }

    @Nested
    @DisplayName("documents")
    class Documents {
        @ParameterizedTest
        @ValueSource(strings = {"", "   ", "{", "{\"a\": 1,}", "{\"a\": 1} {}", "[1] x", "{\"a\": hunter2}", "NaN",
            "{\"a\": NaN}", "'a'", "{a: 1}"})
        void malformed_documents_are_refused_without_echoing_them(String text) {
            InvalidArgumentException e = invalid(() -> Wire.parse(text));
            assertThat(e.field()).isEmpty();
            assertThat(e.getMessage()).startsWith("the document is").doesNotContain("hunter2");
        }

        @Test
        void the_position_of_a_syntax_error_is_given() {
            InvalidArgumentException e = invalid(() -> Wire.parse("{\n  \"a\": tru\n}"));
            assertThat(e.getMessage()).contains("line 2");
        }

        @Test
        void duplicate_member_names_are_refused_and_named() {
            InvalidArgumentException e = invalid(() -> Wire.parse("{\"id\": \"a\", \"id\": \"b\"}"));
            assertThat(e.getMessage()).contains("Duplicate field 'id'");
        }

        @Test
        void bytes_strings_and_streams_parse_alike() {
            String text = "{\"a\": [1, 2.5, \"é😀\"]}";
            JsonNode node = Wire.parse(text);
            assertThat(Wire.parse(text.getBytes(StandardCharsets.UTF_8))).isEqualTo(node);
            ByteArrayInputStream in = new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
            assertThat(Wire.parse(in)).isEqualTo(node);
            assertThat(Wire.toJson(node)).isEqualTo("{\"a\":[1,2.5,\"é😀\"]}");
            // Jackson's UTF-8 writer escapes characters outside the BMP as their surrogate pair: valid JSON.
            assertThat(new String(Wire.toBytes(node), StandardCharsets.UTF_8))
                    .isEqualTo("{\"a\":[1,2.5,\"é\\uD83D\\uDE00\"]}");
            assertThat(Wire.parse(Wire.toBytes(node))).isEqualTo(node);
            java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            Wire.writeTo(node, out);
            out.write('!'); // still open
            assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo(
                    new String(Wire.toBytes(node), StandardCharsets.UTF_8) + "!");
        }

        @Test
        void an_unpaired_surrogate_is_escaped_and_read_back() {
            byte[] bytes = Wire.toBytes(TextNode.valueOf("a\ud800b\udfff"));
            assertThat(new String(bytes, StandardCharsets.US_ASCII)).isEqualTo("\"a\\uD800b\\uDFFF\"");
            assertThat(Wire.readString(Wire.parse(bytes), "s")).isEqualTo("a\ud800b\udfff");
        }
    }

    @Nested
    @DisplayName("paths")
    class Paths {
        @ParameterizedTest
        @CsvSource(delimiter = '|', value = {
            "''|points|points",
            "run|start_time|run.start_time",
            "params|lr|params.lr",
            "params|a.b|params[\"a.b\"]",
            "params|''|params[\"\"]",
            "tags|é|tags[\"é\"]",
            "tags|x\"y|tags[\"x\\\"y\"]",
        })
        void members_are_dotted_or_bracketed(String path, String name, String expected) {
            assertThat(Wire.field(path, name)).isEqualTo(expected);
        }

        @Test
        void elements_are_indexed_and_long_names_shortened() {
            assertThat(Wire.index("points", 3)).isEqualTo("points[3]");
            assertThat(Wire.field(Wire.index("points", 3), "value")).isEqualTo("points[3].value");
            assertThat(Wire.field("", "x".repeat(500))).isEqualTo("[\"" + "x".repeat(80) + "...\"]");
        }
    }

    @Nested
    @DisplayName("instants")
    class Instants {
        @ParameterizedTest
        @CsvSource({
            "2026-01-02T03:04:05Z, 2026-01-02T03:04:05Z",
            "2026-01-02T03:04:05.100Z, 2026-01-02T03:04:05.100Z",
            "2026-01-02T03:04:05.123456789Z, 2026-01-02T03:04:05.123456789Z",
            "2026-01-02T03:04:05.1234Z, 2026-01-02T03:04:05.123400Z",
            "2026-01-02T05:04:05.5+02:00, 2026-01-02T03:04:05.500Z",
            "-1000000000-01-01T00:00:00Z, -1000000000-01-01T00:00:00Z",
            "+1000000000-12-31T23:59:59.999999999Z, +1000000000-12-31T23:59:59.999999999Z",
        })
        void are_read_as_rfc_3339_and_written_in_utc(String text, String written) {
            Instant read = Wire.readInstant(TextNode.valueOf(text), "t");
            assertThat(Wire.instantText(read)).isEqualTo(written);
        }

        @RepeatedTest(200)
        void keep_every_nanosecond(RepetitionInfo info) {
            SplittableRandom random = new SplittableRandom(info.getCurrentRepetition());
            Instant t = Instant.ofEpochSecond(random.nextLong(Instant.MIN.getEpochSecond(),
                    Instant.MAX.getEpochSecond() + 1), random.nextInt(1_000_000_000));
            assertThat(Wire.readInstant(TextNode.valueOf(Wire.instantText(t)), "t")).isEqualTo(t);
        }

        @ParameterizedTest
        @ValueSource(strings = {"2026-01-02", "2026-01-02T03:04:05", "2026-13-02T03:04:05Z", "1767322800",
            "2026-01-02T03:04:05.1234567891Z", "yesterday", ""})
        void malformed_ones_are_refused_without_echo(String text) {
            InvalidArgumentException e = invalid(() -> Wire.readInstant(TextNode.valueOf(text), "points[2].timestamp"));
            assertThat(e.field()).contains("points[2].timestamp");
            assertThat(e.getMessage()).isEqualTo("points[2].timestamp must be an RFC 3339 instant such as"
                    + " \"2026-01-02T03:04:05.123456789Z\", was a string that is not one");
        }

        @Test
        void a_number_is_not_an_instant() {
            InvalidArgumentException e = invalid(() -> Wire.readInstant(Wire.parse("1767322800"), "t"));
            assertThat(e.getMessage()).endsWith("was an integer");
        }
    }

    @Nested
    @DisplayName("numbers")
    class Numbers {
        @RepeatedTest(500)
        void doubles_read_back_bit_for_bit(RepetitionInfo info) {
            SplittableRandom random = new SplittableRandom(info.getCurrentRepetition());
            double d = Double.longBitsToDouble(random.nextLong());
            JsonNode back = Wire.parse(Wire.toJson(Wire.doubleNode(d)));
            assertThat(Double.doubleToRawLongBits(Wire.readDouble(back, "x")))
                    .isEqualTo(Double.isNaN(d) ? Double.doubleToRawLongBits(Double.NaN) : Double.doubleToRawLongBits(d));
        }

        @Test
        void special_doubles_have_fixed_forms() {
            assertThat(Wire.toJson(Wire.doubleNode(Double.NaN))).isEqualTo("\"NaN\"");
            assertThat(Wire.toJson(Wire.doubleNode(Double.POSITIVE_INFINITY))).isEqualTo("\"Infinity\"");
            assertThat(Wire.toJson(Wire.doubleNode(Double.NEGATIVE_INFINITY))).isEqualTo("\"-Infinity\"");
            assertThat(Wire.toJson(Wire.doubleNode(-0.0))).isEqualTo("-0.0");
            assertThat(Wire.toJson(Wire.doubleNode(Double.MIN_VALUE))).isEqualTo("4.9E-324");
            assertThat(Wire.toJson(Wire.doubleNode(0.1))).isEqualTo("0.1");
            assertThat(Double.doubleToRawLongBits(Wire.readDouble(Wire.parse("-0.0"), "x")))
                    .isEqualTo(Double.doubleToRawLongBits(-0.0));
            assertThat(Wire.readDouble(Wire.parse("3"), "x")).isEqualTo(3.0);
            assertThat(Wire.readDouble(Wire.parse("1e2"), "x")).isEqualTo(100.0);
        }

        @Test
        void out_of_range_and_non_numbers_are_refused() {
            assertThat(invalid(() -> Wire.readDouble(Wire.parse("1e400"), "m.value")).getMessage())
                    .isEqualTo("m.value must be a number, or one of \"NaN\", \"Infinity\", \"-Infinity\", was a number"
                            + " beyond the range of a double");
            assertThat(invalid(() -> Wire.readDouble(Wire.parse("\"nan\""), "m.value")).getMessage())
                    .endsWith("was another string");
            assertThat(invalid(() -> Wire.readFiniteDouble(Wire.parse("\"NaN\""), "v")).getMessage())
                    .isEqualTo("v must be a finite number, was a string");
            assertThat(invalid(() -> Wire.readDouble(Wire.parse("true"), "v")).getMessage()).endsWith("was a boolean");
        }

        @Test
        void integers_are_range_checked() {
            assertThat(Wire.readLong(Wire.parse("9223372036854775807"), "x")).isEqualTo(Long.MAX_VALUE);
            assertThat(Wire.readLong(Wire.parse("-9223372036854775808"), "x")).isEqualTo(Long.MIN_VALUE);
            InvalidArgumentException big = invalid(() -> Wire.readLong(Wire.parse("9223372036854775808"), "seq"));
            assertThat(big.field()).contains("seq");
            assertThat(big.getMessage()).isEqualTo("seq must be an integer, was 9223372036854775808");
            assertThat(invalid(() -> Wire.readInt(Wire.parse("2147483648"), "n")).getMessage())
                    .isEqualTo("n must be an integer between -2147483648 and 2147483647, was 2147483648");
            assertThat(invalid(() -> Wire.readInt(Wire.parse("0"), "n", 1, 10)).getMessage())
                    .isEqualTo("n must be an integer between 1 and 10, was 0");
            assertThat(invalid(() -> Wire.readLong(Wire.parse("-1"), "step", 0, Long.MAX_VALUE)).getMessage())
                    .isEqualTo("step must be an integer >= 0, was -1");
            assertThat(invalid(() -> Wire.readLong(Wire.parse("1" + "0".repeat(60)), "n")).getMessage())
                    .isEqualTo("n must be an integer, was an integer of 61 digits");
            assertThat(invalid(() -> Wire.readLong(Wire.parse("1.0"), "n")).getMessage())
                    .isEqualTo("n must be an integer, was a number with a fraction or exponent");
            assertThat(invalid(() -> Wire.readLong(Wire.parse("\"1\""), "n")).getMessage())
                    .isEqualTo("n must be an integer, was a string");
        }
    }

    @Nested
    @DisplayName("objects")
    class Objects {
        @Test
        void unknown_members_are_refused_and_named() {
            InvalidArgumentException e = invalid(() -> Wire.fields(Wire.parse("{\"a\": 1, \"zz\": 2}"), "body", "a",
                    "b"));
            assertThat(e.field()).contains("body.zz");
            assertThat(e.getMessage()).isEqualTo("unknown field \"zz\" in body; the fields are a, b");
        }

        @Test
        void missing_and_null_members_of_required_fields_are_refused() {
            Wire.Fields f = Wire.fields(Wire.parse("{\"a\": null}"), "", "a", "b");
            assertThat(invalid(() -> f.string("a")).getMessage()).isEqualTo("a must be a string, was null");
            InvalidArgumentException e = invalid(() -> f.instant("b"));
            assertThat(e.field()).contains("b");
            assertThat(e.getMessage()).startsWith("b is missing: it must be an RFC 3339 instant");
            assertThat(f.optString("a")).isNull();
            assertThat(f.stringMap("b")).isEmpty();
        }

        @Test
        void the_document_itself_has_no_field() {
            InvalidArgumentException e = invalid(() -> Wire.fields(Wire.parse("[]"), "", "a"));
            assertThat(e.field()).isEmpty();
            assertThat(e.getMessage()).isEqualTo("the document must be an object, was an array");
        }

        @Test
        void maps_keep_document_order_and_refuse_non_strings_without_echo() {
            Map<String, String> map = Wire.readStringMap(Wire.parse("{\"z\": \"1\", \"a\": \"2\", \"m\": \"3\"}"),
                    "tags");
            assertThat(List.copyOf(map.keySet())).containsExactly("z", "a", "m");
            InvalidArgumentException e = invalid(() -> Wire.readStringMap(Wire.parse("{\"lr\": 0.5}"), "params"));
            assertThat(e.field()).contains("params.lr");
            assertThat(e.getMessage()).isEqualTo("params.lr must be a string, was a number with a fraction or"
                    + " exponent");
        }

        @Test
        void string_sets_refuse_duplicates() {
            assertThat(Wire.readStringSet(Wire.parse("[\"b\", \"a\"]"), "s")).containsExactly("b", "a");
            InvalidArgumentException e = invalid(() -> Wire.readStringSet(Wire.parse("[\"a\", \"a\"]"), "s"));
            assertThat(e.getMessage()).isEqualTo("s must not hold the same string twice");
        }

        @Test
        void enums_are_exact_names_and_not_echoed() {
            assertThat(Wire.readEnum(TextNode.valueOf("UPSTREAM"), "d", dev.mlops.lineage.Direction.class, false))
                    .isEqualTo(dev.mlops.lineage.Direction.UPSTREAM);
            InvalidArgumentException e = invalid(() -> Wire.readEnum(TextNode.valueOf("upstream-hunter2"), "d",
                    dev.mlops.lineage.Direction.class, false));
            assertThat(e.getMessage()).isEqualTo("d must be one of UPSTREAM, DOWNSTREAM, BOTH, was another string");
        }
    }
}
