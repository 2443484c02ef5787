package dev.mlops.internal.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.IntegrityException;
import dev.mlops.policy.ChangeDetector;
import dev.mlops.policy.Condition;
import dev.mlops.policy.DetectorFactory;
import dev.mlops.policy.Observation;
import dev.mlops.policy.RetrainingPolicy;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The decay state is the detector's exact snapshot; the raw-value form of older states is replayed once. */
class PolicyDetectorSnapshotTest {
    static final Instant T0 = Instant.parse("2024-06-01T00:00:00Z");
    static final Clock CLOCK = Clock.fixed(T0, ZoneOffset.UTC);

    static RetrainingPolicy policy(String detector) {
        return RetrainingPolicy.builder("p").allOf(new Condition.Decay(detector, Map.of(), "errors", 1_000_000),
                Condition.newRows(1_000_000_000L)).build();
    }

    static List<Double> bits(SplittableRandom r, int n, double rate) {
        List<Double> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(r.nextDouble() < rate ? 1.0 : 0.0);
        }
        return out;
    }

    static PolicyEngine.Evaluation eval(RetrainingPolicy p, PolicyState s, String window, List<Double> values) {
        return PolicyEngine.evaluate(p, s, Observation.builder(window, T0, "churn").rows(values.size())
                .outcomes("errors", values).build(), CLOCK, DetectorFactory.standard());
    }

    @ParameterizedTest
    @ValueSource(strings = {"adwin", "ddm", "eddm", "page_hinkley"})
    void anOldRawValueStateIsReplayedOnceThenKeptAsASnapshot(String name) {
        SplittableRandom r = new SplittableRandom(0x01d5_7a7eL + name.hashCode());
        RetrainingPolicy p = policy(name);
        String key = ConditionKeys.key(((Condition.AllOf) p.trigger()).conditions().get(0));
        List<Double> stored = bits(r, 3000, 0.1);
        PolicyState old = PolicyState.INITIAL.withHistories(List.of(), java.util.Optional.empty(),
                Map.of(key, stored), Map.of(), Map.of());
        ChangeDetector reference = DetectorFactory.standard().create(name, Map.of());
        stored.forEach(reference::add);
        PolicyState s = PolicyStateJson.read(PolicyStateJson.write(old));
        for (int w = 0; w < 6; w++) {
            List<Double> values = bits(r, 1500, w < 3 ? 0.1 : 0.6);
            long expected = values.stream().filter(v -> reference.add(v) == ChangeDetector.Signal.CHANGE).count();
            PolicyEngine.Evaluation e = eval(p, s, "w" + w, values);
            assertThat(e.decision().condition("conditions[0]").orElseThrow().measured().getAsDouble())
                    .as("window %d", w).isEqualTo(expected);
            assertThat(e.state().detectorHistory()).doesNotContainKey(key);
            assertThat(e.state().detectorStates()).containsOnlyKeys(key);
            assertThat(e.state().detectorStates().get(key)).isEqualTo(reference.snapshot().toJson());
            String json = PolicyStateJson.write(e.state());
            assertThat(PolicyStateJson.read(json)).isEqualTo(e.state());
            assertThat(PolicyStateJson.write(PolicyStateJson.read(json))).isEqualTo(json);
            s = PolicyStateJson.read(json);
        }
        assertThat(reference.changes()).isPositive();
    }

    @Test
    void theStateStaysSmallOverALongStream() {
        SplittableRandom r = new SplittableRandom(42);
        for (String name : Condition.Decay.DETECTORS) {
            RetrainingPolicy p = policy(name);
            PolicyState s = PolicyState.INITIAL;
            long values = 0;
            int largest = 0;
            for (int w = 0; w < 100; w++) {
                List<Double> window = bits(r, 10_000, 0.1);
                values += window.size();
                s = eval(p, s, "w" + w, window).state();
                largest = Math.max(largest, PolicyStateJson.write(s).length());
            }
            // the raw-value form kept every value since the last change, up to max_history (here 1,000,000)
            System.out.println("decay state of " + name + " after " + values + " values: "
                    + PolicyStateJson.write(s).length() + " chars (largest " + largest + ")");
            assertThat(largest).as(name).isLessThan(8_000);
        }
    }

    @Test
    void aDamagedDetectorStateIsAnIntegrityError() {
        PolicyState s = eval(policy("ddm"), PolicyState.INITIAL, "w0", List.of(0.0, 1.0, 0.0)).state();
        String json = PolicyStateJson.write(s);
        assertThat(json).contains("\"detector_states\":");
        String damaged = json.replace("\\\"detector\\\":\\\"ddm\\\"", "\\\"detector\\\":\\\"nope\\\"");
        assertThat(damaged).isNotEqualTo(json);
        assertThatThrownBy(() -> PolicyStateJson.read(damaged)).isInstanceOf(IntegrityException.class)
                .hasMessageContaining("detector_states.");
        // a state without detector snapshots writes no detector_states, as before
        assertThat(PolicyStateJson.write(PolicyState.INITIAL)).doesNotContain("detector_states");
    }
}
