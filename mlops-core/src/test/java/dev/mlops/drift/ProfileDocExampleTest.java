package dev.mlops.drift;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The examples of {@code docs/drift.md}, section "Profiles": the JSON shown there is the JSON this code writes, so
 * the documentation cannot drift from the format.
 */
@DisplayName("docs/drift.md profile examples")
class ProfileDocExampleTest {
    /** The JSON of the format section, joined into one line (the page breaks it for reading). */
    static final String DOC_JSON = String.join("",
            "{\"format\":\"mlops.profile\",\"format_version\":1,\"rows\":5,\"columns\":[",
            "{\"name\":\"temp\",\"kind\":\"numeric\",\"rows\":5,\"missing\":1,\"nan\":1,\"positive_infinity\":0,",
            "\"negative_infinity\":0,",
            "\"count\":3,\"min\":9.75,\"max\":14.0,\"mean\":12.083333333333334,\"mean_low\":-5.921189464667501E-16,",
            "\"m2\":9.291666666666668,\"distinct_values\":[[9.75,1],[12.5,1],[14.0,1]],",
            "\"quantiles\":{\"sketch\":\"kll\",\"k\":200,\"rank_error\":0.013294757464848584,",
            "\"coin_state\":\"6d6c6f70732d6b6c\",",
            "\"levels\":[[12.5,14.0,9.75]]}},",
            "{\"name\":\"station\",\"kind\":\"categorical\",\"rows\":5,\"missing\":1,",
            "\"categories\":{\"cap\":1000,\"exact\":true,\"total\":4,\"max_error\":0,",
            "\"counts\":{\"bonn\":1,\"kiel\":1,\"ulm\":2}}}]}");

    @Test
    @DisplayName("the format example is what the profiler writes for its data")
    void formatExample() {
        DatasetProfiler p = DatasetProfiler.builder().numeric("temp").categorical("station").build();
        p.column("temp").addAll(new double[] {12.5, 14.0, Double.NaN, 9.75}).addMissing();
        p.column("station").addAll(new String[] {"ulm", "bonn", "ulm", null, "kiel"});
        DatasetProfile profile = p.toProfile();
        assertThat(profile.toJsonString()).isEqualTo(DOC_JSON);
        assertThat(DatasetProfile.fromJson(DOC_JSON)).isEqualTo(profile);
        ColumnProfile temp = profile.column("temp").orElseThrow();
        assertThat(temp.mean().getAsDouble()).isEqualTo((12.5 + 14.0 + 9.75) / 3, org.assertj.core.data.Offset
                .offset(1e-15));
        assertThat(temp.rankErrorBound()).isZero(); // three values: the sketch holds them all
        assertThat(temp.quantiles().orElseThrow().quantile(0.5).getAsDouble()).isEqualTo(12.5);
    }

    @Test
    @DisplayName("the usage example runs as written")
    void usageExample() {
        double[] temps = {1, 2, 3};
        double[] loads = {10, 20, 30};
        String[] stations = {"a", null, "b"};
        DatasetProfiler profiler = DatasetProfiler.builder()
                .numeric("temp", "load")
                .categorical("station")
                .build();
        profiler.column("temp").addAll(temps);
        profiler.column("load").addAll(loads);
        profiler.column("station").addAll(stations);
        DatasetProfile profile = profiler.toProfile();
        byte[] json = profile.toJson();
        DatasetProfile again = DatasetProfile.fromJson(json);
        DatasetProfile otherPartProfile = again;
        DatasetProfile both = profile.merge(otherPartProfile);
        assertThat(both.rows()).isEqualTo(6);
        assertThat(both.column("station").orElseThrow().missing()).isEqualTo(2);
        assertThat(both.columnNames()).isEqualTo(List.of("temp", "load", "station"));
        assertThat(both.column("temp").orElseThrow().rankErrorBound()).isZero();
        double[] many = new double[10_000];
        java.util.Arrays.setAll(many, i -> i);
        ColumnProfile big = ColumnProfiler.numeric("temp").addAll(many).toProfile();
        assertThat(big.rankErrorBound()).isEqualTo(0.013294757464848584);
    }
}
