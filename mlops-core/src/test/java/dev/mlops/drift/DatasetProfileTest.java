package dev.mlops.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlops.InvalidArgumentException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;

@DisplayName("Dataset profiles: JSON, determinism, merge trees")
class DatasetProfileTest {
    private static final ObjectMapper M = new ObjectMapper();

    record Data(double[] temp, double[] load, String[] station) {
        int rows() {
            return temp.length;
        }
    }

    static Data data(int n, SplittableRandom r) {
        double[] temp = new double[n];
        double[] load = new double[n];
        String[] station = new String[n];
        for (int i = 0; i < n; i++) {
            temp[i] = r.nextInt(50) == 0 ? Double.NaN : 12 + 8 * ProfileTestData.gaussian(r);
            load[i] = 1e6 + Math.exp(3 * ProfileTestData.gaussian(r));
            station[i] = r.nextInt(30) == 0 ? null : "s" + (int) Math.floor(Math.pow(3000, r.nextDouble()));
        }
        return new Data(temp, load, station);
    }

    static DatasetProfile profile(Data d, int from, int to) {
        DatasetProfiler p = DatasetProfiler.builder().numeric("temp", "load").categorical("station").build();
        p.column("temp").addAll(d.temp(), from, to);
        p.column("load").addAll(d.load(), from, to);
        for (int i = from; i < to; i++) {
            p.column("station").add(d.station()[i]);
        }
        return p.toProfile();
    }

    @Test
    @DisplayName("the same data in the same order gives the same bytes, and JSON round-trips them exactly")
    void deterministicAndRoundTrip() {
        Data d = data(120_000, new SplittableRandom(42));
        DatasetProfile a = profile(d, 0, d.rows());
        DatasetProfile b = profile(d, 0, d.rows());
        assertThat(b.toJson()).isEqualTo(a.toJson());
        DatasetProfile back = DatasetProfile.fromJson(a.toJson());
        assertThat(back.toJson()).isEqualTo(a.toJson());
        assertThat(back).isEqualTo(a);
        assertThat(DatasetProfile.fromJson(a.toJsonString())).isEqualTo(a);
        ColumnProfile t = back.column("temp").orElseThrow();
        ColumnProfile t0 = a.column("temp").orElseThrow();
        assertThat(t.mean()).isEqualTo(t0.mean());
        assertThat(t.variance()).isEqualTo(t0.variance());
        assertThat(t.quantiles()).isEqualTo(t0.quantiles());
        assertThat(back.column("station").orElseThrow().categories().orElseThrow().distinctCount())
                .isEqualTo(a.column("station").orElseThrow().categories().orElseThrow().distinctCount());
        // a restored profile goes on merging as the original does
        DatasetProfile more = profile(data(5000, new SplittableRandom(1)), 0, 5000);
        assertThat(back.merge(more).toJson()).isEqualTo(a.merge(more).toJson());

        JsonNode root = json(a);
        assertThat(root.get("format").asText()).isEqualTo("mlops.profile");
        assertThat(root.get("format_version").asInt()).isEqualTo(DatasetProfile.FORMAT_VERSION);
        assertThat(root.get("rows").asLong()).isEqualTo(d.rows());
        assertThat(root.get("columns").get(0).get("quantiles").get("rank_error").asDouble())
                .isEqualTo(t0.rankErrorBound());
        assertThat(root.get("columns").get(2).get("categories").get("exact").asBoolean()).isFalse();
    }

    @Test
    @DisplayName("extreme doubles (signed zeros, subnormals, the largest finite) survive JSON bit for bit")
    void extremeDoublesRoundTrip() {
        double[] v = {-0.0, 0.0, Double.MIN_VALUE, -Double.MIN_VALUE, 4.9e-320, Double.MAX_VALUE / 4,
            -Double.MAX_VALUE / 4, 1.0000000000000002, 0.1, 1e-300, Math.PI};
        ColumnProfiler p = ColumnProfiler.numeric("x");
        SplittableRandom r = new SplittableRandom(4);
        for (int i = 0; i < 5000; i++) {
            p.add(v[r.nextInt(v.length)]);
        }
        DatasetProfile d = DatasetProfile.of(List.of(p.toProfile()));
        DatasetProfile back = DatasetProfile.fromJson(d.toJson());
        assertThat(back.toJson()).isEqualTo(d.toJson());
        KllQuantiles q0 = d.column("x").orElseThrow().quantiles().orElseThrow();
        KllQuantiles q1 = back.column("x").orElseThrow().quantiles().orElseThrow();
        assertThat(Arrays.stream(q1.values()).mapToLong(Double::doubleToRawLongBits).toArray())
                .isEqualTo(Arrays.stream(q0.values()).mapToLong(Double::doubleToRawLongBits).toArray());
        assertThat(back.column("x").orElseThrow().mean()).isEqualTo(d.column("x").orElseThrow().mean());
        // values of +-MAX/4 overflow the squared deviations, not the mean
        assertThat(d.column("x").orElseThrow().mean().getAsDouble()).isFinite();
        assertThat(d.column("x").orElseThrow().variance().getAsDouble()).isInfinite();
        assertThat(q0.min().getAsDouble()).isEqualTo(-Double.MAX_VALUE / 4);
    }

    @RepeatedTest(6)
    @DisplayName("parts merged in a seeded random tree equal the whole: counts and moments exactly, sketches within"
            + " their error")
    void mergeTrees(RepetitionInfo info) {
        SplittableRandom r = new SplittableRandom(100 + info.getCurrentRepetition());
        Data d = data(60_000 + r.nextInt(60_000), r);
        DatasetProfile whole = profile(d, 0, d.rows());
        List<DatasetProfile> parts = new ArrayList<>();
        for (int[] range : ProfileTestData.randomParts(d.rows(), 1 + r.nextInt(25), r)) {
            parts.add(profile(d, range[0], range[1]));
        }
        DatasetProfile merged = ProfileTestData.randomTree(parts, r, DatasetProfile::merge);
        // and again through JSON, in another tree
        List<DatasetProfile> viaJson = parts.stream().map(p -> DatasetProfile.fromJson(p.toJson())).toList();
        DatasetProfile merged2 = ProfileTestData.randomTree(viaJson, r, DatasetProfile::merge);

        for (DatasetProfile m : List.of(merged, merged2)) {
            assertThat(m.rows()).isEqualTo(whole.rows());
            assertThat(m.columnNames()).containsExactly("temp", "load", "station");
            for (String col : List.of("temp", "load")) {
                ColumnProfile w = whole.column(col).orElseThrow();
                ColumnProfile c = m.column(col).orElseThrow();
                assertThat(c.count()).isEqualTo(w.count());
                assertThat(c.nanCount()).isEqualTo(w.nanCount());
                assertThat(c.min()).isEqualTo(w.min());
                assertThat(c.max()).isEqualTo(w.max());
                assertThat(c.mean().getAsDouble()).isCloseTo(w.mean().getAsDouble(),
                        org.assertj.core.data.Percentage.withPercentage(1e-10));
                assertThat(c.variance().getAsDouble()).isCloseTo(w.variance().getAsDouble(),
                        org.assertj.core.data.Percentage.withPercentage(1e-10));
                double[] values = col.equals("temp") ? d.temp() : d.load();
                double[] sorted = Arrays.stream(values).filter(Double::isFinite).sorted().toArray();
                KllQuantiles q = c.quantiles().orElseThrow();
                assertThat(q.n()).isEqualTo(sorted.length);
                double eps = c.rankErrorBound();
                assertThat(eps).isEqualTo(w.rankErrorBound()).isGreaterThan(0.013).isLessThan(0.0134);
                for (double p = 0.05; p < 1; p += 0.05) {
                    double x = q.quantile(p).getAsDouble();
                    double lo = (double) lowerIndex(sorted, x) / sorted.length;
                    double hi = (double) upperIndex(sorted, x) / sorted.length;
                    // the estimate's true rank interval [lo, hi] comes within eps of p
                    assertThat(p).as(col + " quantile " + p).isBetween(lo - 2 * eps, hi + 2 * eps);
                }
            }
            ColumnProfile ws = whole.column("station").orElseThrow();
            ColumnProfile ms = m.column("station").orElseThrow();
            assertThat(ms.missing()).isEqualTo(ws.missing());
            assertThat(ms.count()).isEqualTo(ws.count());
            ProfileCategories mc = ms.categories().orElseThrow();
            java.util.Map<String, Long> truth = ProfileCategoriesTest.truth(d.station());
            ProfileCategoriesTest.assertWithinBounds(mc, truth, ws.count());
        }
    }

    private static int lowerIndex(double[] s, double x) {
        int i = Arrays.binarySearch(s, x);
        while (i > 0 && s[i - 1] == x) {
            i--;
        }
        return i;
    }

    private static int upperIndex(double[] s, double x) {
        int i = Arrays.binarySearch(s, x);
        while (i < s.length - 1 && s[i + 1] == x) {
            i++;
        }
        return i + 1;
    }

    private static JsonNode json(DatasetProfile p) {
        try {
            return M.readTree(p.toJson());
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    private static byte[] edit(DatasetProfile p, UnaryOperator<ObjectNode> f) {
        try {
            return M.writeValueAsBytes(f.apply((ObjectNode) json(p)));
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    @DisplayName("corrupted, inconsistent or other-version JSON is rejected with a message that says what is wrong")
    void badJson() {
        DatasetProfile p = profile(data(3000, new SplittableRandom(2)), 0, 3000);
        assertBad("not json".getBytes(StandardCharsets.UTF_8), "not valid JSON");
        assertBad("[]".getBytes(StandardCharsets.UTF_8), "must be a JSON object");
        assertBad(Arrays.copyOf(p.toJson(), p.toJson().length - 5), "not valid JSON");
        assertBad(edit(p, o -> o.put("format_version", 2)), "format_version 2 is not supported");
        assertBad(edit(p, o -> o.put("format", "whylogs")), "'format' must be");
        assertBad(edit(p, o -> o.put("rows", 1)), "says 1 rows");
        assertBad(edit(p, o -> {
            ((ObjectNode) o.get("columns").get(0)).put("nan", 1_000_000);
            return o;
        }), "column 'temp' is inconsistent");
        assertBad(edit(p, o -> {
            ((ObjectNode) o.get("columns").get(0)).put("kind", "text");
            return o;
        }), "'kind' must be");
        assertBad(edit(p, o -> {
            ObjectNode q = (ObjectNode) o.get("columns").get(1).get("quantiles");
            ArrayNode l1 = (ArrayNode) q.get("levels").get(0);
            l1.set(0, M.getNodeFactory().numberNode(1e300));
            return o;
        }), "column 'load' is inconsistent");
        assertBad(edit(p, o -> {
            ObjectNode c = (ObjectNode) o.get("columns").get(2).get("categories");
            ((ObjectNode) c.get("counts")).put("s1", 999_999);
            return o;
        }), "column 'station'");
        assertBad(edit(p, o -> {
            ObjectNode c = (ObjectNode) o.get("columns").get(2).get("categories");
            c.put("distinct_sketch", "AAAA");
            return o;
        }), "column 'station'");
        assertBad(edit(p, o -> {
            ((ObjectNode) o.get("columns").get(0)).put("mean", "x");
            return o;
        }), "'mean' must be a number");
        String dup = new String(p.toJson(), StandardCharsets.UTF_8).replaceFirst("\"rows\":", "\"rows\":1,\"rows\":");
        assertBad(dup.getBytes(StandardCharsets.UTF_8), "not valid JSON");
    }

    private static void assertBad(byte[] json, String message) {
        assertThatThrownBy(() -> DatasetProfile.fromJson(json))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining(message)
                .satisfies(e -> assertThat(((InvalidArgumentException) e).field()).contains("profile"));
    }

    @Test
    @DisplayName("bad arguments name the field: mismatched merges, wrong kinds, unequal rows, options")
    void badArguments() {
        ColumnProfile a = ColumnProfiler.numeric("a").add(1).toProfile();
        assertThatThrownBy(() -> a.merge(ColumnProfiler.numeric("b").add(1).toProfile()))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("column 'b'");
        assertThatThrownBy(() -> a.merge(ColumnProfiler.numeric("a", new ProfileOptions(100, 1000)).toProfile()))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("kllK 100");
        assertThatThrownBy(() -> a.merge(ColumnProfiler.categorical("a").toProfile()))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("categorical");
        assertThatThrownBy(() -> ColumnProfiler.numeric("a").add("x"))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("is numeric");
        assertThatThrownBy(() -> ColumnProfiler.categorical("a").add(1.0))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("is categorical");
        assertThatThrownBy(() -> ColumnProfiler.numeric("a").addAll(new double[3], 2, 5))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("[2, 5)");
        assertThatThrownBy(() -> ColumnProfiler.numeric(""))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("column name");
        assertThatThrownBy(() -> new ProfileOptions(4, 1000))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("kllK");
        assertThatThrownBy(() -> new ProfileOptions(200, 1))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("categoryCap");
        assertThatThrownBy(() -> DatasetProfile.of(List.of(a, ColumnProfiler.numeric("b").toProfile())))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("has 0 rows");
        assertThatThrownBy(() -> DatasetProfiler.builder().numeric("x").categorical("x"))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("declared twice");
        DatasetProfile one = DatasetProfile.of(List.of(a));
        DatasetProfile other = DatasetProfile.of(List.of(ColumnProfiler.numeric("z").add(1).toProfile()));
        assertThatThrownBy(() -> one.merge(other))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("only in this one [a]");
        assertThatThrownBy(() -> DatasetProfiler.builder().numeric("x").build().column("y"))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("no column 'y'");
    }
}
