package dev.mlops.internal.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.InvalidArgumentException;
import dev.mlops.policy.Condition;
import dev.mlops.policy.Decision;
import dev.mlops.policy.Decision.Status;
import dev.mlops.policy.Guards.Guard;
import dev.mlops.policy.MetricDirection;
import dev.mlops.policy.Observation;
import dev.mlops.policy.RetrainingPolicy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A promoted model starts its own metric, detector and hysteresis history; the guards' state carries over. */
class PolicyModelVersionTest {
    static final Instant D0 = Instant.parse("2024-03-01T00:00:00Z");
    static final Condition MEAN = new Condition.MetricThreshold("accuracy", MetricDirection.HIGHER_IS_BETTER, 0.8, 3);
    static final Condition DECAY = Condition.decay("ddm");
    static final RetrainingPolicy POLICY = RetrainingPolicy.builder("monthly").anyOf(MEAN, DECAY)
            .budget(5, Duration.ofDays(365)).build();

    record Window(String id, String version, double accuracy, double... errors) {
    }

    static List<PolicyEngine.Evaluation> run(List<Window> windows) {
        PolicyState s = PolicyState.INITIAL;
        List<PolicyEngine.Evaluation> out = new ArrayList<>();
        for (int i = 0; i < windows.size(); i++) {
            Window w = windows.get(i);
            Instant t = D0.plus(Duration.ofDays(30L * i));
            Observation.Builder b = Observation.builder(w.id(), t, "rain").metric("accuracy", w.accuracy())
                    .outcomes("error", w.errors());
            if (w.version() != null) {
                b.modelVersion(w.version());
            }
            PolicyEngine.Evaluation e = PolicyEngine.evaluate(POLICY, s, b.build(), Clock.fixed(t, ZoneOffset.UTC),
                    TestDetectors.factory());
            out.add(e);
            s = e.state();
        }
        return out;
    }

    @Test
    void thePreviousModelsAccuracyDoesNotRetrainTheNewOne() {
        List<PolicyEngine.Evaluation> e = run(List.of(
                new Window("m1", "1", 0.7, 0), new Window("m2", "1", 0.7, 0), new Window("m3", "1", 0.7, 0),
                // retrained at m3; version 1 still serves until version 2 is promoted
                new Window("m4", "1", 0.7, 1, 1), new Window("m5", "1", 0.75, 0),
                new Window("m6", "2", 0.9, 1, 0), new Window("m7", "2", 0.9, 0), new Window("m8", null, 0.9, 0)));
        List<Status> statuses = e.stream().map(x -> x.decision().status()).toList();
        // without the reset, m6 would average 0.7, 0.75 (version 1) and 0.9: 0.783 < 0.8, a retrain
        assertThat(statuses).containsExactly(Status.NO_RETRAIN, Status.NO_RETRAIN, Status.RETRAIN, Status.NO_RETRAIN,
                Status.NO_RETRAIN, Status.NO_RETRAIN, Status.NO_RETRAIN, Status.NO_RETRAIN);
        Decision m6 = e.get(5).decision();
        assertThat(m6.condition("conditions[0]").orElseThrow().note()).hasValueSatisfying(
                n -> assertThat(n).isEqualTo("accuracy 0.9; 1 of the 3 windows to average so far"));
        // the detector starts from the new model's errors only (version 1's two errors are forgotten)
        assertThat(m6.condition("conditions[1]").orElseThrow().note()).hasValueSatisfying(
                n -> assertThat(n).contains("after 0 earlier"));
        PolicyState after = e.get(5).state();
        assertThat(after.modelVersion()).contains("2");
        assertThat(after.metricHistory()).containsEntry(ConditionKeys.key(MEAN), List.of(0.9));
        assertThat(after.detectorHistory()).containsEntry(ConditionKeys.key(DECAY), List.of(1.0, 0.0));
        // the guards' state is the same as before the promotion
        PolicyState before = e.get(4).state();
        assertThat(after.lastRetrainAt()).isEqualTo(before.lastRetrainAt()).contains(D0.plus(Duration.ofDays(60)));
        assertThat(after.lastRetrainWindow()).contains("m3");
        assertThat(after.retrainTimes()).isEqualTo(before.retrainTimes()).hasSize(1);
        assertThat(after.windowsSinceRetrain()).isEqualTo(before.windowsSinceRetrain() + 1);
        assertThat(m6.guards()).singleElement().satisfies(g -> {
            assertThat(g.guard()).isEqualTo(Guard.BUDGET);
            assertThat(g.reason()).startsWith("1 retrain in the");
        });
        // an observation without a version keeps the recorded one and its history
        PolicyState m8 = e.get(7).state();
        assertThat(m8.modelVersion()).contains("2");
        assertThat(m8.metricHistory()).containsEntry(ConditionKeys.key(MEAN), List.of(0.9, 0.9, 0.9));
    }

    @Test
    void theFirstVersionNamedIsRecordedWithoutAReset() {
        List<PolicyEngine.Evaluation> e = run(List.of(new Window("a", null, 0.7, 0), new Window("b", null, 0.7, 0),
                new Window("c", "7", 0.7, 0)));
        assertThat(e.get(2).decision().status()).isEqualTo(Status.RETRAIN);
        assertThat(e.get(2).state().modelVersion()).contains("7");
    }

    @Test
    void theHysteresisOfTheOldModelDoesNotCountForTheNewOne() {
        RetrainingPolicy p = RetrainingPolicy.builder("p").anyOf(Condition.metricBelow("accuracy", 0.8))
                .consecutive(2).build();
        Clock clock = Clock.fixed(D0, ZoneOffset.UTC);
        PolicyEngine.Evaluation w1 = PolicyEngine.evaluate(p, PolicyState.INITIAL, Observation.builder("w1", D0, "m")
                .metric("accuracy", 0.7).modelVersion(1).build(), clock, TestDetectors.factory());
        PolicyEngine.Evaluation w2 = PolicyEngine.evaluate(p, w1.state(), Observation.builder("w2", D0, "m")
                .metric("accuracy", 0.7).modelVersion(2).build(), clock, TestDetectors.factory());
        assertThat(w2.decision().heldBy()).contains(Guard.HYSTERESIS);
        assertThat(w2.state().triggerHistory()).containsExactly(true);
    }

    @Test
    void aModelVersionIsValidated() {
        assertThatThrownBy(() -> Observation.builder("w", D0, "m").modelVersion(" ").build())
                .isInstanceOf(InvalidArgumentException.class)
                .satisfies(x -> assertThat(((InvalidArgumentException) x).field()).contains("modelVersion"));
        assertThat(Observation.builder("w", D0, "m").modelVersion(3).build().modelVersion()).contains("3");
        assertThat(Observation.builder("w", D0, "m").modelVersion(null).build().modelVersion()).isEmpty();
    }

    @Test
    void aFailedDecisionKeepsTheModelVersionTheObservationNamed() {
        Observation w1 = Observation.builder("w1", D0, "rain").metric("accuracy", 0.9).modelVersion("3").build();
        PolicyEngine.Evaluation first = PolicyEngine.evaluate(POLICY, PolicyState.INITIAL, w1,
                Clock.fixed(D0, ZoneOffset.UTC), TestDetectors.factory());
        // the same window again: FAILED (decided once); a clock earlier than the last evaluation: FAILED
        Decision again = PolicyEngine.evaluate(POLICY, first.state(), w1, Clock.fixed(D0, ZoneOffset.UTC),
                TestDetectors.factory()).decision();
        Observation w2 = Observation.builder("w2", D0, "rain").metric("accuracy", 0.9).modelVersion("3").build();
        Decision backwards = PolicyEngine.evaluate(POLICY, first.state(), w2,
                Clock.fixed(D0.minusSeconds(1), ZoneOffset.UTC), TestDetectors.factory()).decision();
        assertThat(List.of(again, backwards)).allSatisfy(d -> {
            assertThat(d.status()).isEqualTo(Status.FAILED);
            assertThat(d.modelVersion()).contains("3");
        });
    }
}
