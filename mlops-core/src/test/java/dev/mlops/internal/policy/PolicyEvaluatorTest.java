package dev.mlops.internal.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.ConflictException;
import dev.mlops.InvalidArgumentException;
import dev.mlops.NotFoundException;
import dev.mlops.policy.Condition;
import dev.mlops.policy.Decision;
import dev.mlops.policy.Decision.Status;
import dev.mlops.policy.DetectorFactory;
import dev.mlops.policy.Guards.Guard;
import dev.mlops.policy.Observation;
import dev.mlops.policy.RetrainingPolicies;
import dev.mlops.policy.RetrainingPolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The stateful service over a state store: idempotency, restarts, races, approval and results. */
class PolicyEvaluatorTest {
    static final Instant T0 = Instant.parse("2024-05-01T08:00:00Z");
    static final RetrainingPolicy POLICY = RetrainingPolicy.builder("nightly")
            .anyOf(Condition.metricBelow("accuracy", 0.8))
            .cooldown(Duration.ofHours(24), 0)
            .build();

    final InMemoryPolicyStateStore store = new InMemoryPolicyStateStore();
    final TestDetectors.MutableClock clock = new TestDetectors.MutableClock(T0);

    RetrainingPolicies service() {
        return new PolicyEvaluator(store, clock, TestDetectors.factory());
    }

    static Observation low(String window) {
        return Observation.builder(window, T0, "churn").metric("accuracy", 0.5).rows(100).build();
    }

    @Test
    void aWindowIsDecidedOnceAndNeverFiresTwice() {
        RetrainingPolicies service = service();
        Decision first = service.evaluate(POLICY, low("w1"));
        assertThat(first.status()).isEqualTo(Status.RETRAIN);
        clock.advance(Duration.ofDays(3));
        Decision again = service.evaluate(POLICY, low("w1"));
        assertThat(again).isEqualTo(first);
        assertThat(service.decisions("nightly", "churn")).containsExactly(first);
        assertThat(service.decision("nightly", "churn", "w1")).contains(first);
        assertThat(service.decision("nightly", "churn", "w2")).isEmpty();
        // another model has its own state
        assertThat(service.evaluate(POLICY, Observation.builder("w1", T0, "fraud").metric("accuracy", 0.5).build())
                .status()).isEqualTo(Status.RETRAIN);
    }

    @Test
    void aRestartInTheMiddleOfACooldownNeitherForgetsItNorFiresTwice() {
        Decision fired = service().evaluate(POLICY, low("w1"));
        assertThat(fired.retrain()).isTrue();

        clock.advance(Duration.ofHours(6));
        RetrainingPolicies restarted = service();
        Decision held = restarted.evaluate(POLICY, low("w2"));
        assertThat(held.status()).isEqualTo(Status.HELD);
        assertThat(held.heldBy()).contains(Guard.COOLDOWN);
        assertThat(held.guard(Guard.COOLDOWN).orElseThrow().reason()).isEqualTo("21600 s since the last retrain at "
                + "2024-05-01T08:00:00Z (window 'w1'), minimum 86400 s; 100 rows since, minimum 0");
        assertThat(restarted.evaluate(POLICY, low("w1"))).isEqualTo(fired);

        clock.advance(Duration.ofHours(18));
        RetrainingPolicies restartedAgain = service();
        assertThat(restartedAgain.evaluate(POLICY, low("w1"))).isEqualTo(fired);
        assertThat(restartedAgain.evaluate(POLICY, low("w2"))).isEqualTo(held);
        Decision next = restartedAgain.evaluate(POLICY, low("w3"));
        assertThat(next.status()).isEqualTo(Status.RETRAIN);
        assertThat(restartedAgain.decisions("nightly", "churn")).extracting(Decision::status)
                .containsExactly(Status.RETRAIN, Status.HELD, Status.RETRAIN);
        assertThat(store.load(new PolicyStateStore.Key("nightly", "churn")).orElseThrow().version()).isEqualTo(3);
    }

    @Test
    void aClockThatGoesBackwardsIsRecordedAndTheWindowCanBeDecidedLater() {
        RetrainingPolicies service = service();
        service.evaluate(POLICY, Observation.builder("w1", T0, "churn").metric("accuracy", 0.9).build());
        clock.set(T0.minus(Duration.ofMinutes(5)));
        Decision failed = service.evaluate(POLICY, low("w2"));
        assertThat(failed.status()).isEqualTo(Status.FAILED);
        assertThat(failed.reason()).startsWith("the clock went backwards");
        assertThat(service.decision("nightly", "churn", "w2")).isEmpty();
        assertThat(service.decisions("nightly", "churn")).hasSize(2).last().isEqualTo(failed);

        clock.set(T0.plus(Duration.ofMinutes(1)));
        Decision decided = service.evaluate(POLICY, low("w2"));
        assertThat(decided.status()).isEqualTo(Status.RETRAIN);
        assertThat(service.evaluate(POLICY, low("w2"))).isEqualTo(decided);
        assertThat(service.decisions("nightly", "churn")).extracting(Decision::status)
                .containsExactly(Status.NO_RETRAIN, Status.FAILED, Status.RETRAIN);
    }

    @Test
    void concurrentEvaluationsOfTheSameWindowDecideItOnce() throws Exception {
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            for (int round = 0; round < 20; round++) {
                CountDownLatch start = new CountDownLatch(1);
                List<Future<Decision>> futures = new ArrayList<>();
                String window = "w" + round;
                for (int i = 0; i < threads; i++) {
                    RetrainingPolicies service = service();
                    futures.add(pool.submit(() -> {
                        start.await();
                        return service.evaluate(POLICY, low(window));
                    }));
                }
                start.countDown();
                List<Decision> results = new ArrayList<>();
                for (Future<Decision> f : futures) {
                    results.add(f.get(10, TimeUnit.SECONDS));
                }
                assertThat(results).allSatisfy(d -> assertThat(d).isEqualTo(results.get(0)));
                clock.advance(Duration.ofHours(1));
            }
        } finally {
            pool.shutdownNow();
        }
        List<Decision> log = service().decisions("nightly", "churn");
        assertThat(log).hasSize(20);
        assertThat(log).extracting(Decision::windowId).doesNotHaveDuplicates();
        // a cooldown of a day: the first window and the one 24 hours later retrain
        assertThat(log.stream().filter(Decision::retrain).map(Decision::windowId)).containsExactly("w0");
    }

    @Test
    void approvalThroughTheService() {
        RetrainingPolicy gated = POLICY.toBuilder().approval(true).build();
        RetrainingPolicies service = service();
        Decision asked = service.evaluate(gated, low("w1"));
        assertThat(asked.status()).isEqualTo(Status.AWAITING_APPROVAL);
        assertThatThrownBy(() -> service.approve(gated, "churn", "w9", "alice"))
                .isInstanceOf(NotFoundException.class).hasMessageContaining("window 'w9'");
        assertThatThrownBy(() -> service.recordResult(gated, "churn", "w1", true))
                .isInstanceOf(ConflictException.class).hasMessageContaining("did not retrain (its decision is "
                        + "awaiting_approval)");

        clock.advance(Duration.ofMinutes(10));
        Decision approved = service().approve(gated, "churn", "w1", "alice");
        assertThat(approved.status()).isEqualTo(Status.RETRAIN);
        assertThat(approved.actor()).contains("alice");
        assertThat(service.approve(gated, "churn", "w1", "bob")).isEqualTo(approved);
        assertThatThrownBy(() -> service.reject(gated, "churn", "w1", "bob", "no"))
                .isInstanceOf(ConflictException.class);
        assertThat(service.evaluate(gated, low("w1"))).isEqualTo(approved);
        assertThat(service.decision("nightly", "churn", "w1")).contains(approved);

        service.recordResult(gated, "churn", "w1", false);
        service.recordResult(gated, "churn", "w1", false);
        assertThat(store.load(new PolicyStateStore.Key("nightly", "churn")).orElseThrow().state()
                .consecutiveFailures()).isEqualTo(1);

        clock.advance(Duration.ofDays(2));
        Decision asked2 = service.evaluate(gated, low("w2"));
        assertThat(asked2.status()).isEqualTo(Status.AWAITING_APPROVAL);
        Decision rejected = service.reject(gated, "churn", "w2", "bob", "holiday freeze");
        assertThat(rejected.status()).isEqualTo(Status.REJECTED);
        assertThat(service.reject(gated, "churn", "w2", "carol", "again")).isEqualTo(rejected);
        assertThat(service.decisions("nightly", "churn")).extracting(Decision::status).containsExactly(
                Status.AWAITING_APPROVAL, Status.RETRAIN, Status.AWAITING_APPROVAL, Status.REJECTED);
    }

    @Test
    void aPolicyNamingAnUnavailableDetectorIsRejectedBeforeAnythingIsStored() {
        RetrainingPolicy decay = RetrainingPolicy.builder("decay").anyOf(Condition.decay("adwin")).build();
        RetrainingPolicies service = new PolicyEvaluator(store, clock, DetectorFactory.none());
        assertThatThrownBy(() -> service.evaluate(decay, low("w1")))
                .isInstanceOfSatisfying(InvalidArgumentException.class,
                        e -> assertThat(e.field()).contains("conditions[0].detector"));
        assertThat(service.decisions("decay", "churn")).isEmpty();
        assertThat(store.load(new PolicyStateStore.Key("decay", "churn"))).isEmpty();
    }

    @Test
    void theStoreComparesAndSetsTheStateWithItsDecisionsAtomically() {
        PolicyStateStore.Key key = new PolicyStateStore.Key("p", "m");
        PolicyEngine.Evaluation e = PolicyEngine.evaluate(POLICY, PolicyState.INITIAL, low("w1"), clock,
                TestDetectors.factory());
        assertThat(store.save(key, 1, e.state(), List.of(e.decision()))).isFalse();
        assertThat(store.load(key)).isEmpty();
        assertThat(store.decisions(key)).isEmpty();
        assertThat(store.save(key, 0, e.state(), List.of(e.decision()))).isTrue();
        assertThat(store.save(key, 0, PolicyState.INITIAL, List.of())).isFalse();
        PolicyStateStore.Versioned loaded = store.load(key).orElseThrow();
        assertThat(loaded.version()).isEqualTo(1);
        assertThat(loaded.state()).isEqualTo(e.state());
        assertThat(store.decisions(key)).containsExactly(e.decision());
    }
}
