package dev.mlops.internal.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.policy.Condition;
import dev.mlops.policy.ConditionOutcome;
import dev.mlops.policy.Decision;
import dev.mlops.policy.Decision.Status;
import dev.mlops.policy.Guards.Guard;
import dev.mlops.policy.Observation;
import dev.mlops.policy.RetrainingPolicies;
import dev.mlops.policy.RetrainingPolicy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * One-shot triggers ({@code schedule}, {@code new_input_version}, {@code decay}) that fire while a guard holds the
 * retrain back stay pending in the state, survive a restart, and fire later until a retrain consumes them.
 */
class PolicyPendingTriggersTest {
    static final Instant D0 = Instant.parse("2024-03-01T00:00:00Z");

    static Instant at(int day, int hour) {
        return D0.plus(Duration.ofDays(day)).plus(Duration.ofHours(hour));
    }

    static Observation.Builder obs(String window, Instant t) {
        return Observation.builder(window, t, "churn");
    }

    static PolicyEngine.Evaluation eval(RetrainingPolicy p, PolicyState s, Observation o, Instant now) {
        return PolicyEngine.evaluate(p, s, o, Clock.fixed(now, ZoneOffset.UTC), TestDetectors.factory());
    }

    /** The state after a restart: written as a store keeps it and read back. */
    static PolicyState restarted(PolicyState s) {
        PolicyState read = PolicyStateJson.read(PolicyStateJson.write(s));
        assertThat(read).isEqualTo(s);
        return read;
    }

    @Test
    void aScheduleTickDuringTheCooldownRetrainsWhenTheCooldownEnds() {
        RetrainingPolicy p = RetrainingPolicy.builder("daily").anyOf(Condition.every(Duration.ofDays(1)))
                .cooldown(Duration.ofHours(30), 0).build();
        // day 1 12:00: the tick of day 1 00:00 since the model was created (day 0 12:00) retrains
        PolicyEngine.Evaluation w1 = eval(p, PolicyState.INITIAL, obs("w1", at(1, 12)).modelCreatedAt(at(0, 12))
                .build(), at(1, 12));
        assertThat(w1.decision().status()).isEqualTo(Status.RETRAIN);
        // day 2 12:00: the tick of day 2 00:00, 24 h after the retrain: held by the cooldown, and kept
        PolicyEngine.Evaluation w2 = eval(p, w1.state(), obs("w2", at(2, 12)).build(), at(2, 12));
        assertThat(w2.decision().status()).isEqualTo(Status.HELD);
        assertThat(w2.decision().heldBy()).contains(Guard.COOLDOWN);
        assertThat(w2.state().pendingTriggers()).hasSize(1).containsValue(new PolicyState.Pending("w2", 1,
                List.of()));
        // day 2 20:00, 32 h after: no new tick, the pending one retrains, after a restart
        PolicyEngine.Evaluation w3 = eval(p, restarted(w2.state()), obs("w3", at(2, 20)).build(), at(2, 20));
        assertThat(w3.decision().status()).isEqualTo(Status.RETRAIN);
        ConditionOutcome tick = w3.decision().condition("conditions[0]").orElseThrow();
        assertThat(tick.measured()).hasValue(1);
        assertThat(tick.note()).hasValueSatisfying(n -> assertThat(n).contains("0 ticks in (")
                .contains("pending: 1 trigger held back since window 'w2', not yet consumed by a retrain"));
        // consumed: the next window without a tick does not retrain
        assertThat(w3.state().pendingTriggers()).isEmpty();
        PolicyEngine.Evaluation w4 = eval(p, w3.state(), obs("w4", at(2, 22)).build(), at(2, 22));
        assertThat(w4.decision().status()).isEqualTo(Status.NO_RETRAIN);
        assertThat(w4.decision().condition("conditions[0]").orElseThrow().note()).hasValueSatisfying(
                n -> assertThat(n).doesNotContain("pending"));
    }

    @Test
    void aNewInputVersionDuringTheCooldownRetrainsLaterAndItsVersionIsNamed() {
        RetrainingPolicy p = RetrainingPolicy.builder("fresh-data").anyOf(Condition.newInputVersion())
                .cooldown(Duration.ofDays(2), 0).build();
        PolicyEngine.Evaluation w1 = eval(p, PolicyState.INITIAL, obs("w1", at(0, 0)).datasetVersions(List.of("v1"))
                .build(), at(0, 0));
        assertThat(w1.decision().status()).isEqualTo(Status.RETRAIN);
        PolicyEngine.Evaluation w2 = eval(p, w1.state(), obs("w2", at(1, 0)).datasetVersions(List.of("v1", "v2"))
                .build(), at(1, 0));
        assertThat(w2.decision().status()).isEqualTo(Status.HELD);
        PolicyEngine.Evaluation w3 = eval(p, restarted(w2.state()), obs("w3", at(3, 0))
                .datasetVersions(List.of("v1", "v2")).build(), at(3, 0));
        assertThat(w3.decision().status()).isEqualTo(Status.RETRAIN);
        assertThat(w3.decision().condition("conditions[0]").orElseThrow().note()).hasValueSatisfying(
                n -> assertThat(n).contains("no version that earlier windows did not list")
                        .contains("pending: 1 trigger (v2) held back since window 'w2'"));
        PolicyEngine.Evaluation w4 = eval(p, w3.state(), obs("w4", at(6, 0)).datasetVersions(List.of("v1", "v2"))
                .build(), at(6, 0));
        assertThat(w4.decision().status()).isEqualTo(Status.NO_RETRAIN);
    }

    @Test
    void aDetectionDuringTheWarmUpRetrainsAfterIt() {
        RetrainingPolicy p = RetrainingPolicy.builder("decay").anyOf(Condition.decay("ddm")).warmUp(2).build();
        PolicyEngine.Evaluation w1 = eval(p, PolicyState.INITIAL, obs("w1", at(0, 0)).outcomes("error", 0, 0).build(),
                at(0, 0));
        // three errors in five values: a change, in the warm-up
        PolicyEngine.Evaluation w2 = eval(p, w1.state(), obs("w2", at(1, 0)).outcomes("error", 1, 1, 1).build(),
                at(1, 0));
        assertThat(w2.decision().status()).isEqualTo(Status.HELD);
        assertThat(w2.decision().heldBy()).contains(Guard.WARM_UP);
        // the detector forgot its values after the change; this window has no errors and no change
        PolicyEngine.Evaluation w3 = eval(p, restarted(w2.state()), obs("w3", at(2, 0)).outcomes("error", 0, 0)
                .build(), at(2, 0));
        assertThat(w3.decision().status()).isEqualTo(Status.RETRAIN);
        assertThat(w3.decision().condition("conditions[0]").orElseThrow().note()).hasValueSatisfying(
                n -> assertThat(n).contains("no change in 2 values").contains("held back since window 'w2'"));
        // a window without the outcome stream still fires for a pending detection, and says why
        PolicyEngine.Evaluation w3b = eval(p, w2.state(), obs("w3", at(2, 0)).build(), at(2, 0));
        assertThat(w3b.decision().status()).isEqualTo(Status.RETRAIN);
        assertThat(w3b.decision().condition("conditions[0]").orElseThrow().note()).hasValueSatisfying(
                n -> assertThat(n).contains("no outcome stream 'error'").contains("pending: 1 trigger"));
    }

    @Test
    void pendingTriggersAccumulateWhileHeldAndAConditionThatDidNotFireKeepsNone() {
        RetrainingPolicy p = RetrainingPolicy.builder("daily").anyOf(Condition.every(Duration.ofDays(1)),
                Condition.metricBelow("accuracy", 0.8)).budget(1, Duration.ofDays(10)).build();
        PolicyEngine.Evaluation w1 = eval(p, PolicyState.INITIAL, obs("w1", at(0, 12)).metric("accuracy", 0.5)
                .build(), at(0, 12));
        assertThat(w1.decision().status()).isEqualTo(Status.RETRAIN);
        PolicyState s = w1.state();
        for (int day = 1; day <= 3; day++) {
            PolicyEngine.Evaluation e = eval(p, s, obs("d" + day, at(day, 12)).metric("accuracy", 0.5).build(),
                    at(day, 12));
            assertThat(e.decision().heldBy()).contains(Guard.BUDGET);
            s = e.state();
        }
        // three ticks held back, the first on d1; the metric condition is measured again each window, nothing pends
        assertThat(s.pendingTriggers()).containsOnlyKeys(ConditionKeys.key(Condition.every(Duration.ofDays(1))))
                .containsValue(new PolicyState.Pending("d1", 3, List.of()));
    }

    @Test
    void whatTheHysteresisHoldsBackIsNotKept() {
        // one new version is a blip the hysteresis (2 consecutive windows) is meant to ignore
        RetrainingPolicy p = RetrainingPolicy.builder("fresh-data").anyOf(Condition.newInputVersion())
                .consecutive(2).build();
        PolicyEngine.Evaluation w1 = eval(p, PolicyState.INITIAL, obs("w1", at(0, 0)).datasetVersions(List.of("v1"))
                .build(), at(0, 0));
        assertThat(w1.decision().heldBy()).contains(Guard.HYSTERESIS);
        assertThat(w1.state().pendingTriggers()).isEmpty();
        PolicyEngine.Evaluation w2 = eval(p, w1.state(), obs("w2", at(1, 0)).datasetVersions(List.of("v1")).build(),
                at(1, 0));
        assertThat(w2.decision().status()).isEqualTo(Status.NO_RETRAIN);
        assertThat(w2.state().triggerHistory()).containsExactly(true, false);
    }

    @Test
    void aPendingTriggerThatPassedTheHysteresisCountsAsFiringInLaterWindows() {
        RetrainingPolicy p = RetrainingPolicy.builder("fresh-data").anyOf(Condition.newInputVersion())
                .hysteresis(2, 3).warmUp(3).build();
        PolicyState s = PolicyState.INITIAL;
        List<List<String>> versions = List.of(List.of("v1"), List.of("v1", "v2"), List.of("v1", "v2"),
                List.of("v1", "v2"));
        List<Status> statuses = new java.util.ArrayList<>();
        List<Guard> heldBy = new java.util.ArrayList<>();
        for (int i = 0; i < versions.size(); i++) {
            PolicyEngine.Evaluation e = eval(p, s, obs("w" + i, at(i, 0)).datasetVersions(versions.get(i)).build(),
                    at(i, 0));
            statuses.add(e.decision().status());
            e.decision().heldBy().ifPresent(heldBy::add);
            s = e.state();
        }
        // w0: v1, 1 of 1 fired: the hysteresis holds and v1 is dropped; w1: v2, 2 of 2 fired, held by the warm-up
        // and kept; w2: v2 pending, 3 of 3, still the warm-up; w3: after the warm-up, v2 retrains
        assertThat(statuses).containsExactly(Status.HELD, Status.HELD, Status.HELD, Status.RETRAIN);
        assertThat(heldBy).containsExactly(Guard.HYSTERESIS, Guard.WARM_UP, Guard.WARM_UP);
    }

    @Test
    void aRetrainAwaitingApprovalKeepsItsTriggersUntilItIsApprovedOrRejected() {
        RetrainingPolicy p = RetrainingPolicy.builder("fresh-data").anyOf(Condition.newInputVersion())
                .approval(true).build();
        Clock clock = Clock.fixed(at(0, 0), ZoneOffset.UTC);
        PolicyEngine.Evaluation w1 = eval(p, PolicyState.INITIAL, obs("w1", at(0, 0)).datasetVersions(List.of("v1"))
                .build(), at(0, 0));
        assertThat(w1.decision().status()).isEqualTo(Status.AWAITING_APPROVAL);
        assertThat(w1.state().pendingTriggers()).hasSize(1);
        PolicyEngine.Evaluation rejected = PolicyEngine.reject(w1.state(), w1.decision(), "ana", "not now", clock);
        assertThat(rejected.state().pendingTriggers()).isEmpty();
        PolicyEngine.Evaluation after = eval(p, rejected.state(), obs("w2", at(0, 0)).datasetVersions(List.of("v1"))
                .build(), at(0, 0));
        assertThat(after.decision().status()).isEqualTo(Status.NO_RETRAIN);
        PolicyEngine.Evaluation approved = PolicyEngine.approve(w1.state(), w1.decision(), "ana", clock);
        assertThat(approved.decision().status()).isEqualTo(Status.RETRAIN);
        assertThat(approved.state().pendingTriggers()).isEmpty();
    }

    @Test
    void aHeldTickSurvivesARestartOfTheService() {
        RetrainingPolicy p = RetrainingPolicy.builder("daily").anyOf(Condition.every(Duration.ofDays(1)))
                .cooldown(Duration.ofHours(30), 0).build();
        InMemoryPolicyStateStore store = new InMemoryPolicyStateStore();
        TestDetectors.MutableClock clock = new TestDetectors.MutableClock(at(1, 12));
        RetrainingPolicies service = new PolicyEvaluator(store, clock, TestDetectors.factory());
        assertThat(service.evaluate(p, obs("w1", at(1, 12)).modelCreatedAt(at(0, 12)).build()).status())
                .isEqualTo(Status.RETRAIN);
        clock.set(at(2, 12));
        assertThat(service.evaluate(p, obs("w2", at(2, 12)).build()).status()).isEqualTo(Status.HELD);
        RetrainingPolicies restarted = new PolicyEvaluator(store, clock, TestDetectors.factory());
        clock.set(at(2, 20));
        Decision d = restarted.evaluate(p, obs("w3", at(2, 20)).build());
        assertThat(d.status()).isEqualTo(Status.RETRAIN);
        assertThat(d.reasons()).isNotEmpty();
    }
}
