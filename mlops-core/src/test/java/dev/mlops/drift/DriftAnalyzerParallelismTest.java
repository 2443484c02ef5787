package dev.mlops.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.InvalidArgumentException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The report does not depend on how many threads compare the columns. */
class DriftAnalyzerParallelismTest {
    /**
     * Columns of every kind the analyzer treats differently: shifted and unshifted numbers (large enough for the radix
     * sort), out-of-range values, ties, a constant, an identifier-like column, a datetime column, categories with an
     * unseen one, a column with no values left, a changed type, and columns on one side only; so the checks of many
     * columns must come out in column order.
     */
    private static Map<String, ColumnValues>[] sides(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        Map<String, ColumnValues> ref = new LinkedHashMap<>();
        Map<String, ColumnValues> cur = new LinkedHashMap<>();
        int n = 3000 + rnd.nextInt(3000);
        int m = 3000 + rnd.nextInt(3000);
        for (int c = 0; c < 6; c++) {
            double shift = c % 2 == 0 ? 0 : 0.3 * c;
            int refMissing = rnd.nextInt(50);
            int curMissing = rnd.nextInt(500);
            ref.put("x" + c, ColumnValues.numeric(gaussian(rnd, n - refMissing, 0, c), refMissing));
            cur.put("x" + c, ColumnValues.numeric(gaussian(rnd, m - curMissing, shift, c), curMissing));
        }
        ref.put("ties", ColumnValues.numeric(ints(rnd, n, 7, 0), 0));
        cur.put("ties", ColumnValues.numeric(ints(rnd, m, 9, 0), 0));
        ref.put("constant", ColumnValues.numeric(new double[n], 0));
        cur.put("constant", ColumnValues.numeric(new double[m], 0));
        ref.put("id", ColumnValues.numeric(ints(rnd, n, Integer.MAX_VALUE, 1), 0));
        cur.put("id", ColumnValues.numeric(ints(rnd, m, Integer.MAX_VALUE, 1), 0));
        ref.put("when", ColumnValues.datetime(ints(rnd, n - 3, 1_000_000, 1_600_000_000), 3));
        cur.put("when", ColumnValues.datetime(ints(rnd, m, 2_000_000, 1_600_000_000), 0));
        ref.put("colour", ColumnValues.categorical(words(rnd, n, 3), 0));
        cur.put("colour", ColumnValues.categorical(words(rnd, m, 5), 0));
        ref.put("empty", ColumnValues.numeric(new double[0], n));
        cur.put("empty", ColumnValues.numeric(gaussian(rnd, m, 0, 0), 0));
        ref.put("changed", ColumnValues.numeric(gaussian(rnd, n, 0, 0), 0));
        cur.put("changed", ColumnValues.categorical(words(rnd, m, 2), 0));
        ref.put("only_ref", ColumnValues.numeric(gaussian(rnd, n, 0, 0), 0));
        cur.put("only_cur", ColumnValues.numeric(gaussian(rnd, m, 0, 0), 0));
        @SuppressWarnings("unchecked")
        Map<String, ColumnValues>[] out = new Map[] {ref, cur};
        return out;
    }

    private static double[] gaussian(SplittableRandom rnd, int n, double shift, int scale) {
        double[] v = new double[n];
        double s = Math.pow(10, scale % 4);
        for (int i = 0; i < n; i++) {
            v[i] = (rnd.nextGaussian() + shift) * s;
        }
        return v;
    }

    private static double[] ints(SplittableRandom rnd, int n, int bound, int offset) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = offset + rnd.nextInt(bound);
        }
        return v;
    }

    private static String[] words(SplittableRandom rnd, int n, int k) {
        String[] v = new String[n];
        for (int i = 0; i < n; i++) {
            v[i] = "w" + rnd.nextInt(k);
        }
        return v;
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4})
    void theReportIsTheSameOnOneThreadAndOnMany(long seed) {
        Map<String, ColumnValues>[] s = sides(seed);
        String one = DriftReportJson.toJson(DriftAnalyzer.builder().methods("all").parallelism(1).build()
                .analyze(s[0], s[1]));
        for (int threads : new int[] {2, 3, 16}) {
            String many = DriftReportJson.toJson(DriftAnalyzer.builder().methods("all").parallelism(threads).build()
                    .analyze(s[0], s[1]));
            assertThat(many).as("%d threads", threads).isEqualTo(one);
        }
        // the data exercise what the test is for: checks of several columns, errors, and drift
        assertThat(one).contains("out_of_range", "unseen_categories", "type changed", "no values left",
                "\"drift\":true");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, -1})
    void parallelismBelowOneNamesTheField(int threads) {
        assertThatThrownBy(() -> DriftAnalyzer.builder().parallelism(threads))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("parallelism");
    }
}
