package dev.mlops.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.Mlops;
import dev.mlops.internal.policy.PolicyState;
import dev.mlops.internal.policy.PolicyStateJson;
import dev.mlops.policy.RetrainingRequest.Status;
import dev.mlops.testing.MutableClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A failed retrain gives back the one-shot triggers it consumed, so the next window after the back-off retrains
 * again for them: through {@code Mlops.retraining()} on a SQLite file (the state survives as JSON).
 */
@DisplayName("Retraining: a failed retrain keeps its one-shot triggers")
class RetrainingFailedTriggersTest {
    static final Instant T0 = Instant.parse("2024-05-01T00:00:00Z");

    @TempDir
    Path dir;

    static final class Flaky implements RetrainingHandler {
        final AtomicBoolean fail = new AtomicBoolean(true);
        final List<RetrainingRequest> calls = new CopyOnWriteArrayList<>();

        @Override
        public Optional<String> retrain(RetrainingRequest request) {
            calls.add(request);
            if (fail.get()) {
                throw new IllegalStateException("out of GPUs");
            }
            return Optional.empty();
        }
    }

    static Observation window(String id, Instant time, String... versions) {
        return Observation.builder(id, time, "churn").rows(10).datasetVersions(List.of(versions)).build();
    }

    @Test
    void theNextWindowAfterTheBackoffRetrainsForTheNewVersionAgain() {
        MutableClock clock = new MutableClock(T0);
        Mlops mlops = Mlops.builder().storeUri("sqlite:" + dir.resolve("mlops.db")).artifactUri("memory:")
                .actor("svc").clock(clock).build();
        RetrainingPolicy p = RetrainingPolicy.builder("fresh").anyOf(Condition.newInputVersion())
                .backoff(Duration.ofHours(1), 2, Duration.ofHours(8)).build();
        Retraining retraining = mlops.retraining(Duration.ofSeconds(30), 1);
        Flaky handler = new Flaky();

        Retraining.Outcome w1 = retraining.evaluateAndAct(p, window("w1", T0, "v1"), handler);
        assertThat(w1.decision().retrain()).isTrue();
        assertThat(w1.request().orElseThrow().status()).isEqualTo(Status.FAILED);

        // within the back-off: held, the version stays pending
        clock.advance(Duration.ofMinutes(30));
        Decision w2 = retraining.evaluateAndAct(p, window("w2", clock.instant(), "v1"), handler).decision();
        assertThat(w2.heldBy()).contains(Guards.Guard.BACKOFF);
        assertThat(w2.triggered()).isTrue();
        assertThat(w2.conditions().get(1).note().orElseThrow()).contains("pending");

        // after the back-off: retrains again although no version is new since w1
        handler.fail.set(false);
        clock.advance(Duration.ofMinutes(31));
        Retraining.Outcome w3 = retraining.evaluateAndAct(p, window("w3", clock.instant(), "v1"), handler);
        assertThat(w3.decision().status()).isEqualTo(Decision.Status.RETRAIN);
        assertThat(w3.request().orElseThrow().status()).isEqualTo(Status.COMPLETED);
        assertThat(handler.calls).extracting(RetrainingRequest::windowId).containsExactly("w1", "w3");

        // after a success nothing is pending: the same version does not retrain again
        clock.advance(Duration.ofHours(1));
        Decision w4 = retraining.evaluateAndAct(p, window("w4", clock.instant(), "v1"), handler).decision();
        assertThat(w4.status()).isEqualTo(Decision.Status.NO_RETRAIN);
        assertThat(handler.calls).hasSize(2);
    }

    @Test
    void aFailedRetrainWithoutOneShotTriggersRestoresNothing() {
        MutableClock clock = new MutableClock(T0);
        RetrainingPolicies policies = RetrainingPolicies.inMemory(clock, DetectorFactory.standard());
        RetrainingPolicy p = RetrainingPolicy.builder("acc").anyOf(Condition.metricBelow("accuracy", 0.8)).build();
        Observation low = Observation.builder("w1", T0, "churn").metric("accuracy", 0.5).rows(10).build();
        assertThat(policies.evaluate(p, low).retrain()).isTrue();
        policies.recordResult(p, "churn", "w1", false);
        clock.advance(Duration.ofMinutes(1));
        Observation fine = Observation.builder("w2", clock.instant(), "churn").metric("accuracy", 0.9).rows(10)
                .build();
        assertThat(policies.evaluate(p, fine).status()).isEqualTo(Decision.Status.NO_RETRAIN);
    }

    @Test
    void consumedTriggersSurviveTheJsonForm() {
        PolicyState s = PolicyState.INITIAL;
        PolicyState withConsumed = new PolicyState(s.windows(), s.lastEvaluatedAt(), s.windowsSinceRetrain(),
                s.rowsSinceRetrain(), s.lastRetrainAt(), s.lastRetrainWindow(), s.retrainTimes(), s.triggerHistory(),
                s.consecutiveFailures(), s.lastFailureAt(), s.lastResultWindow(), s.pendingWindow(),
                s.recentWindows(), s.seenDatasetVersions(), s.detectorHistory(), s.metricHistory(), s.modelVersion(),
                s.triggerKey(), Map.of(), Map.of("new_input_version#k", new PolicyState.Pending("w1", 2,
                        List.of("v1", "v2"))), Map.of());
        assertThat(PolicyStateJson.read(PolicyStateJson.write(withConsumed))).isEqualTo(withConsumed);
        // a state without consumed triggers is written as before
        assertThat(PolicyStateJson.write(s)).doesNotContain("consumed_triggers");
    }
}
