package dev.mlops.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.InvalidArgumentException;
import dev.mlops.Mlops;
import dev.mlops.policy.MetricDirection;
import dev.mlops.store.memory.InMemoryStore;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("Promotion gate settings")
class PromotionGateSettingsTest {
    final InMemoryStore store = new InMemoryStore();
    final Mlops mlops = Mlops.builder().store(store).artifactUri("memory:").actor("alice").build();

    @AfterEach
    void close() {
        mlops.close();
        store.close();
    }

    static void invalid(ThrowingCallable call, String field, String... message) {
        var thrown = assertThatThrownBy(call).isInstanceOf(InvalidArgumentException.class)
                .satisfies(e -> assertThat(((InvalidArgumentException) e).field()).hasValue(field));
        if (message.length > 0) {
            thrown.hasMessageContainingAll(message);
        }
    }

    @Test
    @DisplayName("a metric threshold is built from a direction and any of bound, absolute and relative minimum")
    void thresholds() {
        GateThreshold t = GateThreshold.higherIsBetter("accuracy").atLeast(0.8).minAbsoluteChange(-0.01)
                .minRelativeChange(0.02);
        assertThat(t).isEqualTo(new GateThreshold("accuracy", MetricDirection.HIGHER_IS_BETTER, 0.8, -0.01, 0.02));
        assertThat(t.checksAnything()).isTrue();
        assertThat(t.hasChangeThreshold()).isTrue();
        GateThreshold loss = GateThreshold.lowerIsBetter("log_loss").atMost(0.5);
        assertThat(loss.bound()).isEqualTo(0.5);
        assertThat(loss.hasChangeThreshold()).isFalse();
        assertThat(GateThreshold.lowerIsBetter("x").checksAnything()).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(doubles = {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY})
    @DisplayName("thresholds out of range name the field")
    void thresholdOutOfRange(double bad) {
        invalid(() -> GateThreshold.higherIsBetter("acc").atLeast(bad), "bound", "acc", "finite");
        invalid(() -> GateThreshold.higherIsBetter("acc").minAbsoluteChange(bad), "minAbsoluteChange", "finite");
        invalid(() -> GateThreshold.lowerIsBetter("acc").minRelativeChange(bad), "minRelativeChange", "finite");
    }

    @Test
    @DisplayName("a bound in the wrong direction, a blank metric or no direction are refused")
    void thresholdMistakes() {
        invalid(() -> GateThreshold.lowerIsBetter("loss").atLeast(0.3), "bound", "lower-is-better", "atMost");
        invalid(() -> GateThreshold.higherIsBetter("acc").atMost(0.3), "bound", "higher-is-better", "atLeast");
        invalid(() -> GateThreshold.higherIsBetter(" "), "metric", "blank");
        invalid(() -> new GateThreshold("acc", null, 1.0, null, null), "direction", "acc");
    }

    @Test
    @DisplayName("bootstrap settings out of range name the field")
    void bootstrapRanges() {
        PairedBootstrap b = PairedBootstrap.higherIsBetter("acc");
        assertThat(b.resamples()).isEqualTo(10_000);
        assertThat(b.confidence()).isEqualTo(0.95);
        assertThat(b.seed()).isEqualTo(42L);
        assertThat(b.minImprovement()).isZero();
        invalid(() -> b.resamples(99), "resamples", "between 100 and 1000000");
        invalid(() -> b.resamples(1_000_001), "resamples");
        invalid(() -> b.confidence(1.0), "confidence", "(0, 1)");
        invalid(() -> b.confidence(0.0), "confidence");
        invalid(() -> b.confidence(Double.NaN), "confidence");
        invalid(() -> b.seed((1L << 53) + 1), "seed", "2^53");
        assertThat(b.seed(-(1L << 53)).seed()).isEqualTo(-(1L << 53));
        invalid(() -> b.minImprovement(Double.POSITIVE_INFINITY), "minImprovement", "finite");
        invalid(() -> new PairedBootstrap("x", null, 100, 0.9, 1, 0), "direction");
    }

    @Test
    @DisplayName("paired scores must match in length, have 2 pairs or more and be finite; they are copied")
    void pairedScores() {
        invalid(() -> HoldoutEvaluation.builder().pairedScores(new double[3], new double[2]), "pairedScores",
                "candidate has 3, the champion 2");
        invalid(() -> HoldoutEvaluation.builder().pairedScores(new double[1], new double[1]), "pairedScores",
                "at least 2");
        invalid(() -> HoldoutEvaluation.builder().pairedScores(null, new double[2]), "pairedScores");
        invalid(() -> HoldoutEvaluation.builder().pairedScores(new double[2], new double[] {0, Double.NaN}),
                "pairedScores", "champion's score at index 1");
        double[] cand = {1, 2};
        HoldoutEvaluation e = HoldoutEvaluation.builder().pairedScores(cand, new double[] {0, 0})
                .candidateMetrics(Map.of("acc", 0.9)).championMetric("acc", Double.NaN).build();
        cand[0] = 99;
        e.candidateScores().orElseThrow()[1] = 99;
        assertThat(e.candidateScores().orElseThrow()).containsExactly(1, 2);
        assertThat(e.hasPairedScores()).isTrue();
        assertThat(e.championMetrics().get("acc")).isNaN();
        assertThat(HoldoutEvaluation.NONE.hasPairedScores()).isFalse();
        assertThat(HoldoutEvaluation.NONE.candidateScores()).isEmpty();
    }

    @Test
    @DisplayName("the builder refuses a threshold that checks nothing, a second one on a metric, two bootstraps")
    void builder() {
        invalid(() -> PromotionGate.builder(mlops).threshold(GateThreshold.higherIsBetter("acc")),
                "thresholds[0]", "checks nothing");
        invalid(() -> PromotionGate.builder(mlops).threshold(GateThreshold.higherIsBetter("acc").atLeast(0.5))
                .threshold(GateThreshold.higherIsBetter("acc").minAbsoluteChange(0)), "thresholds[1]",
                "second threshold", "thresholds[0]");
        invalid(() -> PromotionGate.builder(mlops).threshold(null), "thresholds[0]");
        invalid(() -> PromotionGate.builder(mlops).significance(PairedBootstrap.higherIsBetter("a"))
                .significance(PairedBootstrap.higherIsBetter("b")), "significance", "at most one");
        invalid(() -> PromotionGate.builder(null), "mlops");

        PromotionGate g = PromotionGate.builder(mlops)
                .threshold(GateThreshold.higherIsBetter("acc").atLeast(0.5))
                .threshold(GateThreshold.lowerIsBetter("loss").minRelativeChange(0))
                .passWithoutChampion(false).build();
        assertThat(g.thresholds()).extracting(GateThreshold::metric).containsExactly("acc", "loss");
        assertThat(g.significance()).isEmpty();
        assertThat(g.passWithoutChampion()).isFalse();
    }

    @Test
    @DisplayName("validateMetrics names a threshold on a metric nobody logs")
    void validateMetrics() {
        PromotionGate g = PromotionGate.builder(mlops)
                .threshold(GateThreshold.higherIsBetter("accuracy").atLeast(0.5))
                .threshold(GateThreshold.lowerIsBetter("log_los").atMost(1)).build();
        assertThat(g.validateMetrics(Set.of("accuracy", "log_los", "f1"))).isSameAs(g);
        invalid(() -> g.validateMetrics(List.of("accuracy", "log_loss")), "thresholds[1].metric", "'log_los'",
                "[accuracy, log_loss]");
        invalid(() -> g.validateMetrics(null), "knownMetrics");
        invalid(() -> g.validateMetrics(java.util.Arrays.asList("accuracy", null)), "knownMetrics", "nulls");
    }

    @Test
    @DisplayName("a verdict's outcome must agree with its checks")
    void verdictInvariants() {
        GateCheck pass = new GateCheck("a.value", GateCheck.Kind.VALUE, "a", true, 1.0, 0.5, Map.of("candidate", 1.0),
                "a 1 >= 0.5");
        GateCheck fail = new GateCheck("b.value", GateCheck.Kind.VALUE, "b", false, 0.1, 0.5, Map.of(), "b < 0.5");
        Instant t = Instant.EPOCH;
        assertThatThrownBy(() -> new GateVerdict("m", "production", 2, 1, GateVerdict.Outcome.PROMOTED,
                List.of(pass, fail), null, t)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new GateVerdict("m", "production", 2, 1, GateVerdict.Outcome.FAILED,
                List.of(pass), null, t)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new GateVerdict("m", "production", 2, 1, GateVerdict.Outcome.CONFLICT,
                List.of(pass), null, t)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new GateCheck("x", GateCheck.Kind.VALUE, "x", true, Double.NaN, null, Map.of(), "d"))
                .isInstanceOf(IllegalArgumentException.class);
        GateVerdict failed = new GateVerdict("m", "production", 2, 1, GateVerdict.Outcome.FAILED,
                List.of(pass, fail), null, t);
        assertThat(failed.reasons()).containsExactly("b < 0.5");
        assertThat(failed.failedChecks()).containsExactly(fail);
    }
}
