package dev.mlops.internal.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.policy.Condition;
import dev.mlops.policy.Decision.Status;
import dev.mlops.policy.Guards.Guard;
import dev.mlops.policy.MetricDirection;
import dev.mlops.policy.Observation;
import dev.mlops.policy.RetrainingPolicy;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Per-condition state follows the condition's definition, not its path, when a policy is edited. */
class PolicyConditionKeysTest {
    static final Instant T0 = Instant.parse("2024-03-01T00:00:00Z");
    static final Clock CLOCK = Clock.fixed(T0, ZoneOffset.UTC);

    static PolicyEngine.Evaluation eval(RetrainingPolicy p, PolicyState s, Observation o) {
        return PolicyEngine.evaluate(p, s, o, CLOCK, TestDetectors.factory());
    }

    static Observation window(String id, double accuracy, double... errors) {
        return Observation.builder(id, T0, "churn").metric("accuracy", accuracy).outcomes("error", errors).build();
    }

    @Test
    void anEditedAndReorderedPolicyDoesNotApplyOneConditionsHistoryToAnother() {
        Condition mean08 = new Condition.MetricThreshold("accuracy", MetricDirection.HIGHER_IS_BETTER, 0.8, 3);
        Condition decay = Condition.decay("ddm");
        RetrainingPolicy a = RetrainingPolicy.builder("p").anyOf(mean08, decay).build();
        PolicyState s = PolicyState.INITIAL;
        s = eval(a, s, window("w1", 0.875, 1, 0)).state();
        s = eval(a, s, window("w2", 0.75, 0, 1)).state();
        assertThat(s.metricHistory()).containsOnlyKeys(ConditionKeys.key(mean08));
        assertThat(s.detectorHistory()).containsOnlyKeys(ConditionKeys.key(decay));

        // version 2: the decay condition first, the metric's threshold edited
        Condition mean07 = new Condition.MetricThreshold("accuracy", MetricDirection.HIGHER_IS_BETTER, 0.7, 3);
        RetrainingPolicy b = RetrainingPolicy.builder("p").version(2).anyOf(decay, mean07).build();
        PolicyEngine.Evaluation e = eval(b, s, window("w3", 0.625, 0, 0));
        // the detector's own four values carried over to its new path; nothing fed it the accuracies
        assertThat(e.decision().condition("conditions[0]").orElseThrow().note()).hasValueSatisfying(
                n -> assertThat(n).isEqualTo("no change in 2 values of this window after 4 earlier"));
        // the edited condition starts its average again instead of averaging the old one's values
        assertThat(e.decision().condition("conditions[1]").orElseThrow().note()).hasValueSatisfying(
                n -> assertThat(n).isEqualTo("accuracy 0.625; 1 of the 3 windows to average so far"));
        // what belonged to the old condition is gone
        assertThat(e.state().metricHistory()).containsOnlyKeys(ConditionKeys.key(mean07));
        assertThat(e.state().detectorHistory()).containsOnlyKeys(ConditionKeys.key(decay))
                .containsEntry(ConditionKeys.key(decay), List.of(1.0, 0.0, 0.0, 1.0, 0.0, 0.0));
    }

    @Test
    void theHysteresisHistoryStartsAgainWhenTheConditionsChange() {
        RetrainingPolicy a = RetrainingPolicy.builder("p").anyOf(Condition.metricBelow("accuracy", 0.8))
                .consecutive(2).build();
        PolicyEngine.Evaluation w1 = eval(a, PolicyState.INITIAL, window("w1", 0.7));
        assertThat(w1.decision().heldBy()).contains(Guard.HYSTERESIS);
        // the same policy fires in two consecutive windows
        assertThat(eval(a, w1.state(), window("w2", 0.5)).decision().status()).isEqualTo(Status.RETRAIN);
        // an edited policy does not count the window in which the old conditions fired
        RetrainingPolicy b = RetrainingPolicy.builder("p").version(2).anyOf(Condition.metricBelow("accuracy", 0.6))
                .consecutive(2).build();
        PolicyEngine.Evaluation w2 = eval(b, w1.state(), window("w2", 0.5));
        assertThat(w2.decision().heldBy()).contains(Guard.HYSTERESIS);
        assertThat(w2.state().triggerHistory()).containsExactly(true);
        assertThat(eval(b, w2.state(), window("w3", 0.5)).decision().status()).isEqualTo(Status.RETRAIN);
        // a guard changed, the conditions did not: the history stays
        RetrainingPolicy c = a.toBuilder().version(3).warmUp(1).build();
        assertThat(eval(c, w1.state(), window("w2", 0.5)).decision().status()).isEqualTo(Status.RETRAIN);
    }

    @Test
    void keysFollowTheDefinitionOnly() {
        Condition d1 = Condition.decay("ddm", Map.of("n", 5.0));
        Condition d2 = Condition.decay("ddm", Map.of("n", 5.0));
        assertThat(ConditionKeys.key(d1)).isEqualTo(ConditionKeys.key(d2)).matches("decay:[0-9a-f]{64}");
        assertThat(ConditionKeys.key(Condition.decay("ddm", Map.of("n", 6.0)))).isNotEqualTo(ConditionKeys.key(d1));
        assertThat(ConditionKeys.key(new Condition.Decay("ddm", Map.of("n", 5.0), "error", 10)))
                .isNotEqualTo(ConditionKeys.key(d1));
        assertThat(ConditionKeys.key(Condition.metricBelow("accuracy", 0.8)))
                .isNotEqualTo(ConditionKeys.key(Condition.metricBelow("accuracy", 0.7)))
                .isNotEqualTo(ConditionKeys.key(Condition.metricBelow("f1", 0.8)));
    }

    @Test
    void aVersionOneStateStillReadsAndItsPathKeyedHistoriesAreDropped() {
        String v1 = "{\"format\":\"mlops.policy_state\",\"format_version\":1,\"windows\":2,"
                + "\"last_evaluated_at\":\"2024-02-29T00:00:00Z\",\"windows_since_retrain\":2,\"rows_since_retrain\":0,"
                + "\"retrain_times\":[],\"trigger_history\":[],\"consecutive_failures\":0,\"recent_windows\":[\"a\","
                + "\"b\"],\"seen_dataset_versions\":[],\"detector_history\":{\"conditions[0]\":[1,0]},"
                + "\"metric_history\":{\"conditions[0]\":[0.5,0.5]}}";
        PolicyState old = PolicyStateJson.read(v1);
        assertThat(old.windows()).isEqualTo(2);
        assertThat(old.detectorHistory()).containsOnlyKeys("conditions[0]");
        assertThat(old.modelVersion()).isEmpty();
        assertThat(old.triggerKey()).isEmpty();
        assertThat(old.pendingTriggers()).isEmpty();
        RetrainingPolicy p = RetrainingPolicy.builder("p").anyOf(Condition.decay("ddm")).build();
        PolicyEngine.Evaluation e = eval(p, old, window("c", 0.9, 1, 1));
        assertThat(e.decision().condition("conditions[0]").orElseThrow().note()).hasValueSatisfying(
                n -> assertThat(n).contains("after 0 earlier"));
        assertThat(e.state().detectorHistory()).containsOnlyKeys(ConditionKeys.key(Condition.decay("ddm")));
        assertThat(e.state().metricHistory()).isEmpty();
        assertThat(PolicyStateJson.write(e.state())).contains("\"format_version\":2");
    }

    @Test
    void theNewStateFieldsRoundTrip() {
        PolicyState s = PolicyState.INITIAL.withHistories(List.of(true), java.util.Optional.of("any_of:ab"),
                Map.of("decay:cd", List.of(1.0)), Map.of(), Map.of("new_input_version:ef",
                        new PolicyState.Pending("w7", 2, List.of("v2", "v3")), "schedule:01",
                        new PolicyState.Pending("w8", 1, List.of())));
        s = PolicyEngine.forModel(s, Observation.builder("x", T0, "churn").modelVersion(4).build());
        assertThat(s.modelVersion()).contains("4");
        String json = PolicyStateJson.write(s);
        assertThat(json).contains("\"model_version\":\"4\"", "\"trigger_key\":\"any_of:ab\"",
                "\"pending_triggers\":{\"new_input_version:ef\":{\"window\":\"w7\",\"count\":2,"
                        + "\"items\":[\"v2\",\"v3\"]},\"schedule:01\":{\"window\":\"w8\",\"count\":1,\"items\":[]}}");
        assertThat(PolicyStateJson.read(json)).isEqualTo(s);
        assertThat(PolicyStateJson.write(PolicyStateJson.read(json))).isEqualTo(json);
    }
}
