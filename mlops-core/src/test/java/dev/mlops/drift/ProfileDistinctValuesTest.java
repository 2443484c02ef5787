package dev.mlops.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.InvalidArgumentException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;

@DisplayName("Column profiles: the distinct values of low-cardinality numeric columns")
class ProfileDistinctValuesTest {

    @RepeatedTest(5)
    @DisplayName("up to 20 distinct values are kept with exact counts, whole or merged in random trees")
    void exactCounts(RepetitionInfo info) {
        SplittableRandom r = new SplittableRandom(info.getCurrentRepetition());
        int distinct = 1 + r.nextInt(20);
        double[] a = new double[20_000 + r.nextInt(20_000)];
        TreeMap<Double, Long> truth = new TreeMap<>();
        for (int i = 0; i < a.length; i++) {
            int k = r.nextInt(distinct);
            a[i] = k == 0 ? (r.nextBoolean() ? -0.0 : 0.0) : k * 0.5 - 3;
            truth.merge(a[i] + 0.0, 1L, Long::sum);
        }
        ColumnProfile whole = ColumnProfiler.numeric("x").addAll(a).add(Double.NaN).toProfile();
        assertThat(whole.distinctValues()).contains(truth);
        List<ColumnProfile> parts = new ArrayList<>();
        for (int[] range : ProfileTestData.randomParts(a.length, 1 + r.nextInt(20), r)) {
            parts.add(ColumnProfiler.numeric("x").addAll(a, range[0], range[1]).toProfile());
        }
        parts.add(ColumnProfiler.numeric("x").add(Double.NaN).toProfile());
        ColumnProfile merged = ProfileTestData.randomTree(parts, r, ColumnProfile::merge);
        assertThat(merged.distinctValues()).contains(truth);
        DatasetProfile d = DatasetProfile.of(List.of(merged));
        assertThat(DatasetProfile.fromJson(d.toJson())).isEqualTo(d);
    }

    @Test
    @DisplayName("a 21st distinct value drops them, also when it comes from a merge; categorical columns have none")
    void overflow() {
        double[] twenty = new double[20];
        java.util.Arrays.setAll(twenty, i -> i);
        ColumnProfile p20 = ColumnProfiler.numeric("x").addAll(twenty).addAll(twenty).toProfile();
        assertThat(p20.distinctValues()).hasValueSatisfying(m -> assertThat(m).hasSize(20).containsValue(2L));
        assertThat(ColumnProfiler.numeric("x").addAll(twenty).add(20).toProfile().distinctValues()).isEmpty();
        ColumnProfile other = ColumnProfiler.numeric("x").add(99).toProfile();
        assertThat(other.distinctValues()).isPresent();
        assertThat(p20.merge(other).distinctValues()).isEmpty();
        assertThat(other.merge(p20).distinctValues()).isEmpty();
        DatasetProfile d = DatasetProfile.of(List.of(p20.merge(other)));
        assertThat(d.toJsonString()).doesNotContain("distinct_values");
        assertThat(DatasetProfile.fromJson(d.toJson())).isEqualTo(d);
        assertThat(ColumnProfiler.categorical("c").add("a").toProfile().distinctValues()).isEmpty();
        assertThat(ColumnProfiler.numeric("x").toProfile().distinctValues()).contains(new TreeMap<>());
    }

    @Test
    @DisplayName("distinct values in a profile file must agree with the column")
    void badJson() {
        DatasetProfile d = DatasetProfile.of(List.of(ColumnProfiler.numeric("x").addAll(new double[] {1, 2, 2})
                .toProfile()));
        String json = d.toJsonString();
        assertThat(json).contains("\"distinct_values\":[[1.0,1],[2.0,2]]");
        for (String bad : List.of("[[1.0,1],[2.0,3]]", "[[2.0,2],[1.0,1]]", "[[1.0,1],[7.0,2]]", "[[1.0]]", "{}")) {
            byte[] b = json.replace("[[1.0,1],[2.0,2]]", bad).getBytes(StandardCharsets.UTF_8);
            assertThatThrownBy(() -> DatasetProfile.fromJson(b)).as(bad)
                    .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("column 'x'");
        }
    }
}
