package dev.mlops.internal.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.InvalidArgumentException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class CanonicalJsonTest {

    private static double bits(String hex) {
        return Double.longBitsToDouble(HexFormat.fromHexDigitsToLong(hex));
    }

    @Nested
    @DisplayName("numbers are written as ECMAScript Number.prototype.toString")
    class Numbers {

        /** RFC 8785 Appendix B: IEEE 754 bits and their canonical text. */
        @ParameterizedTest(name = "{0} -> {1}")
        @CsvSource({
                "0000000000000000, 0",
                "8000000000000000, 0",
                "0000000000000001, 5e-324",
                "8000000000000001, -5e-324",
                "7fefffffffffffff, 1.7976931348623157e+308",
                "ffefffffffffffff, -1.7976931348623157e+308",
                "4340000000000000, 9007199254740992",
                "c340000000000000, -9007199254740992",
                "4430000000000000, 295147905179352830000",
                "44b52d02c7e14af5, 9.999999999999997e+22",
                "44b52d02c7e14af6, 1e+23",
                "44b52d02c7e14af7, 1.0000000000000001e+23",
                "444b1ae4d6e2ef4e, 999999999999999700000",
                "444b1ae4d6e2ef4f, 999999999999999900000",
                "444b1ae4d6e2ef50, 1e+21",
                "3eb0c6f7a0b5ed8c, 9.999999999999997e-7",
                "3eb0c6f7a0b5ed8d, 0.000001",
                "41b3de4355555553, 333333333.3333332",
                "41b3de4355555554, 333333333.33333325",
                "41b3de4355555555, 333333333.3333333",
                "41b3de4355555556, 333333333.3333334",
                "41b3de4355555557, 333333333.33333343",
                "becbf647612f3696, -0.0000033333333333333333",
                "43143ff3c1cb0959, 1424953923781206.2",
        })
        void rfc8785AppendixB(String hex, String expected) {
            assertThat(CanonicalJson.formatNumber(bits(hex))).isEqualTo(expected);
        }

        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {"7fffffffffffffff", "7ff8000000000000", "7ff0000000000000", "fff0000000000000"})
        void nanAndInfinityAreRejected(String hex) {
            assertThatThrownBy(() -> CanonicalJson.formatNumber(bits(hex)))
                    .isInstanceOf(InvalidArgumentException.class)
                    .hasMessageContaining("finite");
        }

        @ParameterizedTest(name = "{0} -> {1}")
        @CsvSource({
                "1e21, 1e+21",
                "1e20, 100000000000000000000",
                "1e-7, 1e-7",
                "1e-6, 0.000001",
                "0.000001, 0.000001",
                "1.5e-7, 1.5e-7",
                "123456789012345678901, 123456789012345680000",
                "0.1, 0.1",
                "-0.0, 0",
                "-0, 0",
                "2.5, 2.5",
                "4.50, 4.5",
                "2e-3, 0.002",
                "1E30, 1e+30",
                "0.000000000000000000000000001, 1e-27",
                "333333333.33333329, 333333333.3333333",
                "9007199254740993, 9007199254740992",
                "18446744073709551616, 18446744073709552000",
                "5e-324, 5e-324",
                "2.2250738585072014e-308, 2.2250738585072014e-308",
                "1.7976931348623157e308, 1.7976931348623157e+308",
                "100, 100",
                "1.0, 1",
                "-1.25e-10, -1.25e-10",
        })
        void jsonNumberTextsAreCanonicalised(String json, String expected) {
            assertThat(CanonicalJson.canonicalize(json)).isEqualTo(expected);
        }

        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {"1e400", "-1e400", "1" + "000000000000000000000000000000000000000000000000000000000000"
                + "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
                + "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
                + "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"})
        void numbersBeyondTheDoubleRangeAreRejected(String json) {
            assertThatThrownBy(() -> CanonicalJson.canonicalize(json))
                    .isInstanceOf(InvalidArgumentException.class)
                    .hasMessageContaining("finite");
        }

        /**
         * Golden values written by a JavaScript engine's own {@code String(number)}: every power of two (asymmetric
         * rounding intervals), powers of ten and their neighbours, random bit patterns, integers and decimals.
         * Made by {@code generate-es6-numbers.js} next to the fixture.
         */
        @Test
        void agreesWithAJavaScriptEngineOnNineThousandDoubles() throws IOException {
            List<String> mismatches = new ArrayList<>();
            int count = 0;
            try (InputStream in = CanonicalJsonTest.class.getResourceAsStream("es6-numbers.txt");
                    BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                    String[] parts = line.split(" ");
                    String actual = CanonicalJson.formatNumber(bits(parts[0]));
                    if (!actual.equals(parts[1])) {
                        mismatches.add(parts[0] + ": expected " + parts[1] + ", got " + actual);
                    }
                    count++;
                }
            }
            assertThat(count).isGreaterThan(8000);
            assertThat(mismatches).isEmpty();
        }

        private static final Pattern ES_NUMBER =
                Pattern.compile("-?(0|[1-9][0-9]*)(\\.[0-9]*[1-9])?|-?[1-9](\\.[0-9]*[1-9])?e[+-][1-9][0-9]*");

        /**
         * For random doubles: the text reads back as the same double, has the JSON/ECMAScript shape, and no decimal
         * with one digit less reads back as that double (the two nearest ones are the only candidates).
         */
        @Test
        void randomDoublesRoundTripWithTheFewestDigits() {
            SplittableRandom random = new SplittableRandom(8785);
            for (int i = 0; i < 5_000; i++) {
                double x = Double.longBitsToDouble(random.nextLong());
                if (!Double.isFinite(x)) {
                    continue;
                }
                String text = CanonicalJson.formatNumber(x);
                assertThat(text).matches(ES_NUMBER);
                assertThat(Double.parseDouble(text)).as(text).isEqualTo(x == 0 ? 0.0 : x);
                if (x == 0) {
                    continue;
                }
                BigDecimal exact = new BigDecimal(Math.abs(x));
                int digits = new BigDecimal(text.replace("-", "")).stripTrailingZeros().precision();
                if (digits > 1) {
                    MathContext shorter = new MathContext(digits - 1, RoundingMode.FLOOR);
                    MathContext shorterUp = new MathContext(digits - 1, RoundingMode.CEILING);
                    assertThat(exact.round(shorter).doubleValue()).as(text).isNotEqualTo(Math.abs(x));
                    assertThat(exact.round(shorterUp).doubleValue()).as(text).isNotEqualTo(Math.abs(x));
                }
            }
        }
    }

    @Nested
    @DisplayName("object members are sorted by UTF-16 code units")
    class Sorting {

        /** RFC 8785 section 3.2.3: the emoji (D83D DE00) sorts before U+FB33, unlike code point order. */
        @Test
        void rfc8785SortingExample() {
            String input = "{\n"
                    + "  \"\\u20ac\": \"Euro Sign\",\n"
                    + "  \"\\r\": \"Carriage Return\",\n"
                    + "  \"\\ufb33\": \"Hebrew Letter Dalet With Dagesh\",\n"
                    + "  \"1\": \"One\",\n"
                    + "  \"\\ud83d\\ude00\": \"Emoji: Grinning Face\",\n"
                    + "  \"\\u0080\": \"Control\",\n"
                    + "  \"\\u00f6\": \"Latin Small Letter O With Diaeresis\"\n"
                    + "}";
            String expected = "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u0080\":\"Control\","
                    + "\"\u00f6\":\"Latin Small Letter O With Diaeresis\",\"\u20ac\":\"Euro Sign\","
                    + "\"\uD83D\uDE00\":\"Emoji: Grinning Face\",\"\uFB33\":\"Hebrew Letter Dalet With Dagesh\"}";
            assertThat(CanonicalJson.canonicalize(input)).isEqualTo(expected);
            // the RFC lists the UTF-8 bytes of the result; the non-ASCII names are written raw, not escaped
            assertThat(HexFormat.of().formatHex(expected.getBytes(StandardCharsets.UTF_8)))
                    .contains("22c280223a", "22c3b6223a", "22e282ac223a", "22f09f9880223a", "22efacb3223a");
        }

        @Test
        void nestedObjectsAreSortedAtEveryLevelAndArraysKeepTheirOrder() {
            String input = "{ \"b\" : [ 3, {\"z\": 1, \"a\": [2, 1]} ], \"a\" : { \"d\": true, \"c\": null },"
                    + " \"A\": {}, \"\": [] }";
            assertThat(CanonicalJson.canonicalize(input))
                    .isEqualTo("{\"\":[],\"A\":{},\"a\":{\"c\":null,\"d\":true},\"b\":[3,{\"a\":[2,1],\"z\":1}]}");
        }

        @Test
        void writeSortsMapsWhateverTheirIterationOrder() {
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("\uFFFF", 1);
            data.put("\uD83D\uDE00", 2);
            data.put("z", List.of(1.5, "x", Map.of("b", 1, "a", 2)));
            assertThat(CanonicalJson.write(data))
                    .isEqualTo("{\"z\":[1.5,\"x\",{\"a\":2,\"b\":1}],\"\uD83D\uDE00\":2,\"\uFFFF\":1}");
        }
    }

    @Nested
    @DisplayName("strings get the minimal escapes")
    class Strings {

        /** RFC 8785 section 3.2.2's example, which covers numbers, literals and string escapes together. */
        @Test
        void rfc8785Example() {
            String input = "{\n"
                    + "  \"numbers\": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],\n"
                    + "  \"string\": \"\\u20ac$\\u000F\\u000aA'\\u0042\\u0022\\u005c\\\\\\\"\\/\",\n"
                    + "  \"literals\": [null, true, false]\n"
                    + "}";
            String expected = "{\"literals\":[null,true,false],\"numbers\":[333333333.3333333,1e+30,4.5,0.002,1e-27],"
                    + "\"string\":\"\u20ac$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}";
            assertThat(CanonicalJson.canonicalize(input)).isEqualTo(expected);
        }

        @Test
        void everyControlCharacterIsEscapedAndNothingElse() {
            StringBuilder raw = new StringBuilder();
            for (char c = 0; c < 0x20; c++) {
                raw.append(c);
            }
            raw.append("\u007f\"\\/\u00e9\u2028\uD83D\uDE00");
            String expected = "\"\\u0000\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\b\\t\\n\\u000b\\f\\r"
                    + "\\u000e\\u000f\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017\\u0018\\u0019\\u001a"
                    + "\\u001b\\u001c\\u001d\\u001e\\u001f\u007f\\\"\\\\/\u00e9\u2028\uD83D\uDE00\"";
            assertThat(CanonicalJson.write(raw.toString())).isEqualTo(expected);
            // reading the escaped form gives the same canonical text
            assertThat(CanonicalJson.canonicalize(expected)).isEqualTo(expected);
        }

        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {"\"\\ud800\"", "\"\\udc00x\"", "{\"\\ud83d\": 1}", "\"a\\ude00\\ud83d\""})
        void unpairedSurrogatesAreRejected(String json) {
            assertThatThrownBy(() -> CanonicalJson.canonicalize(json))
                    .isInstanceOf(InvalidArgumentException.class)
                    .hasMessageContaining("surrogate");
        }

        @Test
        void unpairedSurrogatesInJavaValuesAreRejected() {
            assertThatThrownBy(() -> CanonicalJson.write(Map.of("k", "x\uD800")))
                    .isInstanceOf(InvalidArgumentException.class)
                    .hasMessageContaining("unpaired surrogate");
        }
    }

    @Nested
    @DisplayName("input must be I-JSON")
    class Input {

        @ParameterizedTest(name = "[{index}] {0}")
        @ValueSource(strings = {"{\"a\":1,\"a\":2}", "{\"a\":1} {}", "[1] x", "", "   ", "{", "NaN", "[1,]",
                "{'a':1}"})
        void invalidTextsAreRejectedWithField(String json) {
            assertThatThrownBy(() -> CanonicalJson.canonicalize(json))
                    .isInstanceOf(InvalidArgumentException.class)
                    .satisfies(e -> assertThat(((InvalidArgumentException) e).field()).contains("data"));
        }

        @Test
        void nonFiniteJavaNumbersAreRejected() {
            assertThatThrownBy(() -> CanonicalJson.write(Map.of("x", Double.NaN)))
                    .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("finite");
            assertThatThrownBy(() -> CanonicalJson.write(List.of(Float.POSITIVE_INFINITY)))
                    .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("finite");
        }

        @Test
        void scalarsAtTheTopLevelAreCanonicalisedToo() {
            assertThat(CanonicalJson.canonicalize(" \"x\" ")).isEqualTo("\"x\"");
            assertThat(CanonicalJson.canonicalize("true")).isEqualTo("true");
            assertThat(CanonicalJson.canonicalize("null")).isEqualTo("null");
            assertThat(CanonicalJson.canonicalize("-12.50")).isEqualTo("-12.5");
        }

        @Test
        void canonicalFormIsAFixedPoint() {
            SplittableRandom random = new SplittableRandom(42);
            for (int i = 0; i < 200; i++) {
                Map<String, Object> value = new LinkedHashMap<>();
                for (int k = 0; k < 6; k++) {
                    String key = new String(Character.toChars(0x20 + random.nextInt(0x1F000)))
                            .replaceAll("[\\uD800-\\uDFFF]", "s") + k;
                    value.put(key, random.nextBoolean() ? random.nextDouble() * Math.pow(10, random.nextInt(-30, 30))
                            : List.of(random.nextLong(), "t" + random.nextInt()));
                }
                String once = CanonicalJson.write(value);
                assertThat(CanonicalJson.canonicalize(once)).isEqualTo(once);
            }
        }
    }
}
