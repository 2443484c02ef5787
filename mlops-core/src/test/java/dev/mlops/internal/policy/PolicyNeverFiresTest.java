package dev.mlops.internal.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.InvalidArgumentException;
import dev.mlops.drift.DriftMethod;
import dev.mlops.policy.Condition;
import dev.mlops.policy.RetrainingPolicy;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Policies that could never retrain are refused when built or read, naming the field. */
class PolicyNeverFiresTest {

    static Stream<Arguments> outOfRange() {
        return Stream.of(Arguments.of("ks", 2.0), Arguments.of("ks", 5.0), Arguments.of("jensen_shannon", 1.5),
                Arguments.of("hellinger", 1.0000001), Arguments.of("tvd", 3.0), Arguments.of("l_infinity", 1.25));
    }

    @ParameterizedTest
    @MethodSource("outOfRange")
    void aColumnScoreThresholdAboveTheStatisticsRangeIsRefused(String method, double threshold) {
        assertThatThrownBy(() -> RetrainingPolicy.builder("p")
                .anyOf(Condition.newRows(10), Condition.columnScore("temp", method, threshold)).build())
                .isInstanceOfSatisfying(InvalidArgumentException.class, e -> {
                    assertThat(e.field()).hasValue("conditions[1].threshold");
                    assertThat(e.getMessage()).isEqualTo("conditions[1].threshold must be <= 1 (the largest "
                            + method + " statistic), was " + threshold);
                });
        String json = "{\"format\": \"mlops.retraining_policy\", \"format_version\": 1, \"name\": \"p\", "
                + "\"version\": 1, \"match\": \"any_of\", \"conditions\": [{\"type\": \"column_score\", "
                + "\"report\": \"drift\", \"column\": \"temp\", \"method\": \"" + method + "\", \"threshold\": "
                + threshold + "}]}";
        assertThatThrownBy(() -> RetrainingPolicy.fromJson(json))
                .isInstanceOfSatisfying(InvalidArgumentException.class,
                        e -> assertThat(e.field()).hasValue("conditions[0].threshold"));
    }

    @Test
    void thresholdsWithinTheRangeAreAccepted() {
        for (DriftMethod m : DriftMethod.values()) {
            double top = Math.min(m.statisticUpperBound(), 7.5);
            RetrainingPolicy p = RetrainingPolicy.builder("p").anyOf(Condition.columnScore("temp", m.id(), top))
                    .build();
            assertThat(RetrainingPolicy.fromJson(p.toJson())).isEqualTo(p);
        }
        assertThat(DriftMethod.KS.statisticUpperBound()).isEqualTo(1.0);
        assertThat(DriftMethod.PSI.statisticUpperBound()).isEqualTo(Double.POSITIVE_INFINITY);
    }
}
