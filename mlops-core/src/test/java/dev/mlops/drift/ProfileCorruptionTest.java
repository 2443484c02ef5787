package dev.mlops.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlops.InvalidArgumentException;
import java.io.IOException;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Profiles edited by hand into states no data can produce are rejected on reading, naming the column and the field:
 * moments that contradict each other, and sketch levels whose weights overflow or that a count cannot have. Profiles
 * of real data, however extreme, are still read back.
 */
@DisplayName("profile JSON: impossible moments and sketch levels are rejected")
class ProfileCorruptionTest {
    private static final ObjectMapper M = new ObjectMapper();

    private static DatasetProfile profile(double[] values) {
        return DatasetProfile.of(List.of(ColumnProfiler.numeric("temp").addAll(values).toProfile()));
    }

    private static byte[] edit(DatasetProfile p, Consumer<ObjectNode> f) throws IOException {
        ObjectNode root = (ObjectNode) M.readTree(p.toJson());
        f.accept((ObjectNode) root.get("columns").get(0));
        return M.writeValueAsBytes(root);
    }

    private static void assertRejected(byte[] json, String... parts) {
        assertThatThrownBy(() -> DatasetProfile.fromJson(json))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("column 'temp'")
                .hasMessageContainingAll(parts)
                .satisfies(e -> assertThat(((InvalidArgumentException) e).field()).contains("profile"));
    }

    private static double[] values(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = 10 + 5 * r.nextGaussian();
        }
        return v;
    }

    @Test
    @DisplayName("moments: a mean outside [min, max], a mean_low beyond half an ulp, an m2 beyond Popoviciu's bound")
    void impossibleMoments() throws IOException {
        DatasetProfile p = profile(values(3000, 1));
        ColumnProfile c = p.columns().get(0);
        double max = c.max().orElseThrow();
        assertThat(DatasetProfile.fromJson(edit(p, o -> { }))).isEqualTo(p);
        assertRejected(edit(p, o -> o.put("mean", 1.0E308)), "'mean' 1.0E308", "outside");
        assertRejected(edit(p, o -> o.put("mean", Math.nextUp(max) + 1e-6)), "'mean'", "outside");
        assertRejected(edit(p, o -> o.put("mean_low", 1e-3)), "'mean_low' 0.001");
        assertRejected(edit(p, o -> o.put("m2", -1.0)), "'m2' -1.0");
        double range = max - c.min().orElseThrow();
        assertRejected(edit(p, o -> o.put("m2", 3000 * range * range / 4 * 1.001)), "'m2'");
        assertRejected(edit(p, o -> o.put("m2", "Infinity")), "'m2' Infinity");
        assertRejected(edit(p, o -> o.put("min", "Infinity")), "'min'");
    }

    @Test
    @DisplayName("sketch: 8 items at level 61 (weight 2^64 wraps to 0), more levels than the count allows")
    void impossibleLevels() throws IOException {
        double[] eight = {1, 2, 3, 4, 5, 6, 7, 8};
        DatasetProfile p = profile(eight);
        assertThat(DatasetProfile.fromJson(p.toJson())).isEqualTo(p);
        byte[] wrapped = edit(p, o -> {
            ArrayNode levels = (ArrayNode) o.get("quantiles").get("levels");
            for (int h = 1; h < 61; h++) {
                levels.addArray();
            }
            ArrayNode top = levels.addArray();
            for (double v : eight) {
                top.add(v);
            }
        });
        assertRejected(wrapped, "quantiles.levels");
        // 8 values: a level h holding items weighs 2^h <= 8, so h <= 3; at most one more, empty, level: 5
        byte[] fiveLevels = edit(p, o -> {
            ArrayNode levels = (ArrayNode) o.get("quantiles").get("levels");
            for (int h = 1; h < 5; h++) {
                levels.addArray();
            }
        });
        assertThat(DatasetProfile.fromJson(fiveLevels).columns().get(0).count()).isEqualTo(8);
        byte[] sixLevels = edit(p, o -> {
            ArrayNode levels = (ArrayNode) o.get("quantiles").get("levels");
            for (int h = 1; h < 6; h++) {
                levels.addArray();
            }
        });
        assertRejected(sixLevels, "quantiles.levels must be 1 to 5 arrays for a count of 8, was 6 arrays");
        // one item of weight 16 among 8 values
        byte[] heavy = edit(p, o -> {
            ArrayNode levels = (ArrayNode) o.get("quantiles").get("levels");
            ((ArrayNode) levels.get(0)).remove(0);
            for (int h = 1; h < 5; h++) {
                levels.addArray();
            }
            ((ArrayNode) levels.get(4)).add(1.0);
        });
        assertRejected(heavy, "quantiles.levels", "level 4 holds 1 items of weight 2^4, more than n = 8");
    }

    @ParameterizedTest(name = "{0} + {1} * N(0, 1), {2} values, merged from {3} parts")
    @CsvSource({
        "0, 1, 100000, 7",
        "1e9, 1e-6, 50000, 3",
        "-1e300, 1e290, 20000, 5",
        "1e-300, 1e-310, 20000, 2",
        "5, 0, 10000, 4",
        "0, 1e150, 30000, 6",
        "1e307, 1e307, 20000, 3",
        "0, 1e-320, 5000, 2",
    })
    @DisplayName("profiles of real data, extreme or constant, single or merged, are read back unchanged")
    void realProfilesAreAccepted(double offset, double scale, int n, int parts) {
        SplittableRandom r = new SplittableRandom(n + parts);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = offset + scale * r.nextGaussian();
        }
        DatasetProfile whole = profile(v);
        assertThat(DatasetProfile.fromJson(whole.toJson())).isEqualTo(whole);
        DatasetProfile merged = null;
        for (int k = 0; k < parts; k++) {
            double[] part = java.util.Arrays.copyOfRange(v, k * n / parts, (k + 1) * n / parts);
            DatasetProfile pp = profile(part);
            assertThat(DatasetProfile.fromJson(pp.toJson())).isEqualTo(pp);
            merged = merged == null ? pp : merged.merge(pp);
            assertThat(DatasetProfile.fromJson(merged.toJson())).isEqualTo(merged);
        }
    }
}
