package dev.mlops.internal.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.policy.Condition;
import dev.mlops.policy.Decision.Status;
import dev.mlops.policy.Observation;
import dev.mlops.policy.RetrainingPolicy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Retrains that overlap (a second decided before the first reported): each gives back its own triggers. */
class PolicyOverlappingRetrainsTest {
    static final Instant D0 = Instant.parse("2024-03-01T00:00:00Z");
    static final RetrainingPolicy POLICY = RetrainingPolicy.builder("fresh").anyOf(Condition.newInputVersion())
            .build();

    static PolicyEngine.Evaluation eval(PolicyState s, String window, int hour, String... versions) {
        Instant t = D0.plus(Duration.ofHours(hour));
        return PolicyEngine.evaluate(POLICY, s, Observation.builder(window, t, "churn").rows(10)
                .datasetVersions(List.of(versions)).build(), Clock.fixed(t, ZoneOffset.UTC), TestDetectors.factory());
    }

    static Clock at(int hour) {
        return Clock.fixed(D0.plus(Duration.ofHours(hour)), ZoneOffset.UTC);
    }

    static List<String> pendingItems(PolicyState s) {
        return s.pendingTriggers().values().stream().flatMap(p -> p.items().stream()).sorted().toList();
    }

    /** Both retrains ran: w1 retrained for v1, w2 for v2; then both fail, in either order. */
    static PolicyState bothRetrained() {
        PolicyEngine.Evaluation w1 = eval(PolicyState.INITIAL, "w1", 1, "v1");
        assertThat(w1.decision().status()).isEqualTo(Status.RETRAIN);
        PolicyEngine.Evaluation w2 = eval(w1.state(), "w2", 2, "v1", "v2");
        assertThat(w2.decision().status()).isEqualTo(Status.RETRAIN);
        assertThat(w2.state().pendingTriggers()).isEmpty();
        return w2.state();
    }

    @Test
    void theFirstRetrainsFailureAfterASecondRetrainGivesBackItsTrigger() {
        PolicyState s = bothRetrained();
        // w1 (no longer the latest retrain) failed: recorded, its version is pending again; the back-off untouched
        PolicyState afterW1 = PolicyEngine.recordResult(s, "w1", false, at(3));
        assertThat(pendingItems(afterW1)).containsExactly("v1");
        assertThat(afterW1.consecutiveFailures()).isZero();
        assertThat(afterW1.lastResultWindow()).isEqualTo(s.lastResultWindow());
        // reported again: nothing changes
        assertThat(PolicyEngine.recordResult(afterW1, "w1", false, at(3))).isEqualTo(afterW1);
        PolicyState afterW2 = PolicyEngine.recordResult(afterW1, "w2", false, at(4));
        assertThat(pendingItems(afterW2)).containsExactly("v1", "v2");
        assertThat(afterW2.consecutiveFailures()).isEqualTo(1);
        assertThat(afterW2.consumedTriggers()).isEmpty();
        // survives the JSON form a store keeps
        assertThat(PolicyStateJson.read(PolicyStateJson.write(afterW1))).isEqualTo(afterW1);
        // the next window retrains for both
        PolicyEngine.Evaluation w3 = eval(afterW2, "w3", 5, "v1", "v2");
        assertThat(w3.decision().status()).isEqualTo(Status.RETRAIN);
    }

    @Test
    void inTheOtherOrderEachFailureGivesBackOnlyItsOwnTrigger() {
        PolicyState s = bothRetrained();
        PolicyState afterW2 = PolicyEngine.recordResult(s, "w2", false, at(3));
        assertThat(pendingItems(afterW2)).containsExactly("v2");
        PolicyState afterW1 = PolicyEngine.recordResult(afterW2, "w1", true, at(4));
        // w1 succeeded: v1 is dropped, v2 (w2 failed) stays pending
        assertThat(pendingItems(afterW1)).containsExactly("v2");
        assertThat(afterW1.consumedTriggers()).isEmpty();
        assertThat(afterW1.consecutiveFailures()).isEqualTo(1);
    }

    @Test
    void aStateWrittenBeforeRetrainsWereKeptApartGivesBackItsTriggersToTheLatestRetrain() {
        PolicyEngine.Evaluation w1 = eval(PolicyState.INITIAL, "w1", 1, "v1");
        PolicyState s = w1.state();
        // as an older version wrote it: consumed triggers keyed by condition only
        Map<String, PolicyState.Pending> plain = new java.util.TreeMap<>();
        s.consumedTriggers().forEach((k, p) -> plain.put(PolicyEngine.conditionKeyOf(k), p));
        PolicyState old = s.withConsumed(plain);
        assertThat(pendingItems(PolicyEngine.recordResult(old, "w1", false, at(2)))).containsExactly("v1");
    }
}
