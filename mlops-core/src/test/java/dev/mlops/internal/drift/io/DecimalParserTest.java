package dev.mlops.internal.drift.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.internal.data.ColumnTyper;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Exactness of {@link DecimalParser}: every result is compared bit for bit with {@link Double#parseDouble}, and the
 * grammar with {@link ColumnTyper#isNumber}.
 */
class DecimalParserTest {
    private static final int N = 20_000;

    /** Parses s, padded with junk on both sides so that offsets are exercised. */
    private static double parse(String s) {
        byte[] b = ("#@" + s + "x,").getBytes(StandardCharsets.ISO_8859_1);
        return DecimalParser.parse(b, 2, b.length - 2);
    }

    /** What Double.parseDouble says for a text of the grammar (it spells infinity only as "Infinity"). */
    private static double expected(String s) {
        String t = s.toLowerCase(Locale.ROOT);
        String unsigned = t.startsWith("-") || t.startsWith("+") ? t.substring(1) : t;
        if (unsigned.equals("inf") || unsigned.equals("infinity")) {
            return t.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        }
        return Double.parseDouble(s);
    }

    private static void assertExact(String s) {
        double got = parse(s);
        double want = expected(s);
        assertThat(Double.doubleToRawLongBits(got))
                .as("%s: got %s, Double.parseDouble gives %s", s, got, want)
                .isEqualTo(Double.doubleToRawLongBits(want));
    }

    private static void assertNotANumber(String s) {
        assertThat(parse(s)).as(s).isNaN();
        assertThat(ColumnTyper.isNumber(s)).as("ColumnTyper on %s", s).isFalse();
    }

    private static double randomDouble(SplittableRandom r) {
        return switch (r.nextInt(6)) {
            case 0 -> Double.longBitsToDouble(r.nextLong() & Long.MAX_VALUE); // any finite or not, any exponent
            case 1 -> r.nextDouble() * Math.pow(10, r.nextInt(-30, 30));
            case 2 -> r.nextGaussian() * 100;
            case 3 -> Double.longBitsToDouble(r.nextLong(1L, 1L << 52)); // subnormal
            case 4 -> Math.rint(r.nextDouble() * 1e6) / 1e3; // like measured data
            default -> r.nextLong(-1_000_000_000_000L, 1_000_000_000_000L);
        };
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void randomDoublesPrintedByToStringParseExactly(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < N; i++) {
            double d = randomDouble(r);
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                continue;
            }
            String s = Double.toString(r.nextBoolean() ? d : -d);
            assertExact(s);
            assertThat(parse(s)).isEqualTo(Double.parseDouble(s));
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {4, 5, 6})
    void randomDoublesPrintedWithSeventeenAndOtherDigitCountsParseExactly(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        String[] formats = {"%.17g", "%.17e", "%.16e", "%.15g", "%.6f", "%.20e", "%.25g", "%.3e"};
        for (int i = 0; i < N; i++) {
            double d = randomDouble(r);
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                continue;
            }
            String s = String.format(Locale.ROOT, formats[r.nextInt(formats.length)], d);
            assertExact(s);
            assertExact(s.toUpperCase(Locale.ROOT));
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {7, 8})
    void randomDigitStringsParseExactly(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < N; i++) {
            StringBuilder s = new StringBuilder();
            switch (r.nextInt(3)) {
                case 0 -> s.append('-');
                case 1 -> s.append('+');
                default -> { }
            }
            s.append("0".repeat(r.nextInt(3) == 0 ? r.nextInt(30) : 0));
            int intDigits = r.nextInt(r.nextBoolean() ? 5 : 40);
            for (int k = 0; k < intDigits; k++) {
                s.append((char) ('0' + r.nextInt(10)));
            }
            boolean point = intDigits == 0 || r.nextBoolean();
            int fracDigits = point ? r.nextInt(intDigits == 0 ? 1 : 0, r.nextBoolean() ? 6 : 45) : 0;
            if (point) {
                s.append('.');
                if (r.nextInt(4) == 0) {
                    s.append("0".repeat(r.nextInt(400)));
                }
                for (int k = 0; k < fracDigits; k++) {
                    s.append((char) ('0' + r.nextInt(10)));
                }
            }
            if (r.nextBoolean()) {
                s.append(r.nextBoolean() ? 'e' : 'E');
                switch (r.nextInt(3)) {
                    case 0 -> s.append('-');
                    case 1 -> s.append('+');
                    default -> { }
                }
                s.append(r.nextInt(-1, 2) == 0 ? "00" : "").append(r.nextInt(r.nextBoolean() ? 30 : 400));
            }
            String text = s.toString();
            assertExact(text);
            assertThat(ColumnTyper.isNumber(text)).as(text).isTrue();
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {9, 10})
    void nineteenAndMoreSignificantDigitsNearTiesParseExactly(long seed) {
        // Exact decimal expansions of doubles and of the midpoints between neighbours: the hardest inputs.
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < N / 4; i++) {
            double d = Math.abs(randomDouble(r));
            if (Double.isNaN(d) || Double.isInfinite(d) || d == Double.MAX_VALUE) {
                continue;
            }
            BigDecimal a = new BigDecimal(d);
            BigDecimal mid = a.add(new BigDecimal(Math.nextUp(d))).divide(BigDecimal.valueOf(2));
            assertExact(a.toString());
            assertExact(mid.toString());
            assertExact(mid.toPlainString().length() < 2000 ? mid.toPlainString() : mid.toString());
            BigDecimal nudge = mid.ulp().scaleByPowerOfTen(0);
            assertExact(mid.add(nudge).toString());
            assertExact(mid.subtract(nudge).toString());
            // Truncated to 19, 20 and 25 significant digits.
            for (int digits : new int[] {19, 20, 25}) {
                assertExact(mid.round(new java.math.MathContext(digits)).toString());
            }
        }
    }

    @Test
    void edgeValuesParseExactly() {
        String[] cases = {
            "0", "-0", "+0", "0.0", "-0.0", "00000", ".0", "0.", "0e0", "0e999999999999", "-0e-99999",
            "1", "-1", "+1", "1.", ".5", "-.5", "+.5e1", "1e0", "1E+0", "1e-0", "01", "000123.4500",
            "4.9e-324", "4.9E-324", "2.4703282292062327e-324", "2.4703282292062328e-324", "2.47e-324", "3e-324",
            "2.2250738585072011e-308", "2.2250738585072012e-308", "2.2250738585072014E-308",
            "1.7976931348623157e308", "1.7976931348623158e308", "1.7976931348623159e308", "1.8e308", "1e309",
            "1e-400", "1e400", "-1e400", "123456789012345678901234567890", "0.1", "0.2", "0.3",
            "9007199254740992", "9007199254740993", "9007199254740995", "18446744073709551615",
            "18446744073709551616", "9999999999999999999", "99999999999999999999", "1e22", "1e23", "1e-22", "1e-23",
            "7.2057594037927933e16", "1.00000000000000011102230246251565404236316680908203125",
            "1.00000000000000011102230246251565404236316680908203124",
            "1.00000000000000011102230246251565404236316680908203126",
            "0.000000000000000000000000000000000000000000001e45", "1" + "0".repeat(400) + "e-400",
            "0." + "0".repeat(330) + "1", "1" + "0".repeat(308), "1" + "0".repeat(309),
            "1e2147483648", "1e-2147483649", "1e99999999999999999999", "2e-99999999999999999999",
            "inf", "-inf", "+inf", "INF", "Infinity", "-INFINITY", "+infinity", "iNfInItY",
        };
        for (String s : cases) {
            assertExact(s);
            assertThat(ColumnTyper.isNumber(s)).as(s).isTrue();
        }
    }

    @Test
    void textOutsideTheGrammarIsNotANumber() {
        String[] cases = {
            "", "+", "-", ".", "-.", "+.", "e5", ".e5", "1e", "1e+", "1E-", "1.2.3", "1..2", "--1", "+-1", "1-",
            "0x10", "0x1p3", "1d", "1f", "1D", "1.5F", "1_000", "1,5", " 1", "1 ", "1e5.5", "1e 5", "nan", "NaN",
            "-nan", "+NaN", "infin", "infinit", "infinityy", "-", "in", "i", "∞", "١٢", "1\u00A0",
        };
        for (String s : cases) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            assertThat(DecimalParser.parse(b, 0, b.length)).as(s).isNaN();
            if (!s.strip().equals(s) || ColumnTyper.isMissing(s)) {
                continue; // ColumnTyper strips white space; the missing words are not numbers either way
            }
            assertNotANumber(s);
        }
    }

    @ParameterizedTest
    @ValueSource(longs = {11, 12})
    void randomShortTextsAgreeWithColumnTyperAndParseDouble(long seed) {
        // Random strings over the number alphabet: the grammar must match ColumnTyper's, values Double.parseDouble's.
        SplittableRandom r = new SplittableRandom(seed);
        String alphabet = "0123456789.eE+-0011.";
        for (int i = 0; i < N * 2; i++) {
            int n = r.nextInt(1, 9);
            StringBuilder s = new StringBuilder();
            for (int k = 0; k < n; k++) {
                s.append(alphabet.charAt(r.nextInt(alphabet.length())));
            }
            String text = s.toString();
            double got = parse(text);
            if (ColumnTyper.isNumber(text)) {
                assertExact(text);
            } else {
                assertThat(got).as(text).isNaN();
            }
        }
    }

    @Test
    void theWholeRangeOfDecimalExponentsParsesExactly() {
        SplittableRandom r = new SplittableRandom(13);
        Function<Integer, String> digits = n -> {
            StringBuilder s = new StringBuilder().append((char) ('1' + r.nextInt(9)));
            for (int k = 1; k < n; k++) {
                s.append((char) ('0' + r.nextInt(10)));
            }
            return s.toString();
        };
        for (int q = -360; q <= 330; q++) {
            for (int n : new int[] {1, 5, 16, 17, 18, 19, 20}) {
                assertExact(digits.apply(n) + "e" + q);
            }
        }
    }

    @Test
    void rangeOutsideTheArrayIsRefused() {
        byte[] b = "12".getBytes(StandardCharsets.US_ASCII);
        assertThatThrownBy(() -> DecimalParser.parse(b, 0, 3)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> DecimalParser.parse(b, 2, 1)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThat(DecimalParser.parse(b, 0, 1)).isEqualTo(1.0);
        assertThat(DecimalParser.parse(b, 1, 2)).isEqualTo(2.0);
    }

    @Test
    void theFastPathsDecideAlmostEverythingWithoutTheFallback() {
        // Eisel-Lemire must accept (not refuse) typical inputs; refusing them would be correct but slow.
        SplittableRandom r = new SplittableRandom(14);
        int refused = 0;
        for (int i = 0; i < N; i++) {
            long w = r.nextLong(1, Long.MAX_VALUE);
            int q = r.nextInt(-300, 290);
            long bits = DecimalParser.eiselLemire(w, q);
            if (bits < 0) {
                refused++;
            } else {
                assertThat(bits).isEqualTo(Double.doubleToRawLongBits(Double.parseDouble(w + "e" + q)));
            }
        }
        assertThat(refused).isLessThan(N / 100);
    }
}
