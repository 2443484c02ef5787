package dev.mlops.internal.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.mlops.data.ColumnType;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ColumnTyperTest {

    private static ColumnType type(List<String> values) {
        ColumnTyper t = new ColumnTyper();
        values.forEach(t::accept);
        return t.type();
    }

    private static List<String> distinct(int n, String prefix) {
        return IntStream.range(0, n).mapToObj(i -> prefix + i).toList();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "NA", "na", "nA", "NaN", "nan", "NAN", "null", "NULL", "Null", " null "})
    void missingValues(String value) {
        assertThat(ColumnTyper.isMissing(value)).isTrue();
        ColumnTyper t = new ColumnTyper();
        t.accept(value);
        t.accept("1.5");
        assertThat(t.missing()).isEqualTo(1);
        assertThat(t.present()).isEqualTo(1);
        assertThat(t.type()).isEqualTo(ColumnType.NUMERIC);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-1", "+2", "3.", ".5", "-0.25", "1e9", "1.5E-3", "-2e+2", "inf", "-Infinity",
            " 7 ", "00012"})
    void numbers(String value) {
        assertThat(ColumnTyper.isNumber(value)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"1,5", "1.2.3", "e5", "0x1F", "1d", "12abc", "--1", "+", ".", "1e", "∞", "2012-01-01"})
    void notNumbers(String value) {
        assertThat(ColumnTyper.isNumber(value)).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"2012-01-31", "2012-01-31T10:15", "2012-01-31T10:15:30", "2012-01-31T10:15:30.123456",
            "2012-01-31 10:15:30", "2012-01-31T10:15:30Z", "2012-01-31t10:15:30z", "2012-01-31T10:15:30+01:00",
            "2012-01-31T10:15:30.5-08:00", " 2012-01-31 "})
    void dateTimes(String value) {
        assertThat(ColumnTyper.isDateTime(value)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"2012-02-30", "2012-13-01", "2012/01/31", "31-01-2012", "2012-01-31T25:00", "2012-01",
            "2012", "20120131", "2012-01-31X10:00", "yesterday"})
    void notDateTimes(String value) {
        assertThat(ColumnTyper.isDateTime(value)).isFalse();
    }

    @Test
    void numericColumnIgnoresMissingValues() {
        assertThat(type(List.of("1.5", "NA", "", "2", "null", "-3e2"))).isEqualTo(ColumnType.NUMERIC);
    }

    @Test
    void oneNonNumberMakesTextCategorical() {
        assertThat(type(List.of("1", "2", "3", "x"))).isEqualTo(ColumnType.CATEGORICAL);
    }

    @Test
    void dateColumnStaysDatetimeThoughEveryValueIsDistinct() {
        List<String> dates = IntStream.range(0, 100)
                .mapToObj(i -> java.time.LocalDate.of(2020, 1, 1).plusDays(i).toString()).toList();
        assertThat(type(dates)).isEqualTo(ColumnType.DATETIME);
    }

    @Test
    void mixedDatesAndTextAreCategorical() {
        assertThat(type(List.of("2012-01-01", "2012-01-02", "soon"))).isEqualTo(ColumnType.CATEGORICAL);
    }

    @Test
    void allMissingIsCategorical() {
        assertThat(type(List.of("", "NA", "null"))).isEqualTo(ColumnType.CATEGORICAL);
        assertThat(new ColumnTyper().type()).isEqualTo(ColumnType.CATEGORICAL);
    }

    @Test
    void identifierNeedsAtLeastTwentyValues() {
        assertThat(type(distinct(19, "id-"))).isEqualTo(ColumnType.CATEGORICAL);
        assertThat(type(distinct(20, "id-"))).isEqualTo(ColumnType.IDENTIFIER);
    }

    @Test
    void identifierNeedsNinetyFivePercentDistinct() {
        // 100 values: 95 distinct -> identifier, 94 distinct -> categorical
        List<String> ninetyFive = new java.util.ArrayList<>(distinct(95, "k"));
        ninetyFive.addAll(distinct(5, "k"));
        assertThat(type(ninetyFive)).isEqualTo(ColumnType.IDENTIFIER);
        List<String> ninetyFour = new java.util.ArrayList<>(distinct(94, "k"));
        ninetyFour.addAll(distinct(6, "k"));
        assertThat(type(ninetyFour)).isEqualTo(ColumnType.CATEGORICAL);
    }

    @Test
    void distinctIntegersAreIdentifiersDistinctDecimalsAreNumeric() {
        assertThat(type(distinct(50, ""))).isEqualTo(ColumnType.IDENTIFIER);
        assertThat(type(IntStream.range(0, 50).mapToObj(i -> i + ".5").toList())).isEqualTo(ColumnType.NUMERIC);
        // repeated integers are an ordinary numeric column
        assertThat(type(IntStream.range(0, 50).mapToObj(i -> Integer.toString(i % 10)).toList()))
                .isEqualTo(ColumnType.NUMERIC);
    }

    @Test
    void nestedValuesMakeACategoricalColumn() {
        ColumnTyper t = new ColumnTyper();
        t.accept("1");
        t.acceptNested();
        assertThat(t.type()).isEqualTo(ColumnType.CATEGORICAL);
    }

    @Test
    void distinctCounterIsExactUpToItsCapacity() {
        DistinctCounter c = new DistinctCounter();
        for (int round = 0; round < 3; round++) {
            for (int i = 0; i < DistinctCounter.CAPACITY; i++) {
                c.add("v" + i);
            }
        }
        assertThat(c.exact()).isTrue();
        assertThat(c.estimate()).isEqualTo(DistinctCounter.CAPACITY);
    }

    @ParameterizedTest
    @ValueSource(ints = {5_000, 50_000, 400_000})
    void distinctCounterEstimatesBeyondItsCapacity(int n) {
        SplittableRandom random = new SplittableRandom(n);
        DistinctCounter c = new DistinctCounter();
        Set<String> truth = new HashSet<>();
        for (int i = 0; i < 2 * n; i++) {
            String v = Long.toString(random.nextLong(n));
            truth.add(v);
            c.add(v);
        }
        assertThat(c.exact()).isFalse();
        assertThat((double) c.estimate()).isCloseTo(truth.size(), within(0.06 * truth.size()));
    }

    @Test
    void largeDistinctColumnIsStillRecognisedAsIdentifier() {
        ColumnTyper t = new ColumnTyper();
        for (int i = 0; i < 300_000; i++) {
            t.accept("user-" + i);
        }
        assertThat(t.type()).isEqualTo(ColumnType.IDENTIFIER);
        ColumnTyper few = new ColumnTyper();
        for (int i = 0; i < 300_000; i++) {
            few.accept("user-" + (i % 200_000)); // two thirds distinct
        }
        assertThat(few.type()).isEqualTo(ColumnType.CATEGORICAL);
    }
}
