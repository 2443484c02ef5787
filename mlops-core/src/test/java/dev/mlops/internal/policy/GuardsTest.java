package dev.mlops.internal.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.ConflictException;
import dev.mlops.policy.Condition;
import dev.mlops.policy.Decision;
import dev.mlops.policy.Decision.Status;
import dev.mlops.policy.GuardOutcome;
import dev.mlops.policy.Guards;
import dev.mlops.policy.Guards.Guard;
import dev.mlops.policy.Observation;
import dev.mlops.policy.RetrainingPolicy;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.EnumSet;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Each guard with exact numbers, through the pure engine, the state threaded from window to window. */
class GuardsTest {
    static final Instant T0 = Instant.parse("2024-03-04T10:00:00Z");
    /** Fires when accuracy < 0.8. */
    static final Condition LOW = Condition.metricBelow("accuracy", 0.8);

    /** Threads state and a clock through windows w1, w2, ... */
    static final class Run {
        final RetrainingPolicy policy;
        final TestDetectors.MutableClock clock = new TestDetectors.MutableClock(T0);
        PolicyState state = PolicyState.INITIAL;
        int window;

        Run(RetrainingPolicy policy) {
            this.policy = policy;
        }

        Decision step(boolean fire) {
            return step(fire, 0);
        }

        Decision step(boolean fire, long rows) {
            window++;
            Observation o = Observation.builder("w" + window, clock.instant(), "churn")
                    .metric("accuracy", fire ? 0.5 : 0.9).rows(rows).build();
            PolicyEngine.Evaluation e = PolicyEngine.evaluate(policy, state, o, clock, TestDetectors.factory());
            state = e.state();
            return e.decision();
        }

        Decision at(Instant t, boolean fire) {
            clock.set(t);
            return step(fire);
        }

        Decision after(Duration d, boolean fire, long rows) {
            clock.advance(d);
            return step(fire, rows);
        }
    }

    static RetrainingPolicy.Builder low() {
        return RetrainingPolicy.builder("p").anyOf(LOW);
    }

    static String reason(Decision d, Guard g) {
        return d.guard(g).map(GuardOutcome::reason).orElseThrow();
    }

    @Test
    void withoutGuardsEveryFiringWindowRetrains() {
        Run run = new Run(low().build());
        Decision d = run.step(true);
        assertThat(d.status()).isEqualTo(Status.RETRAIN);
        assertThat(d.retrain()).isTrue();
        assertThat(d.guards()).isEmpty();
        assertThat(d.reason()).isEqualTo("retrain: conditions[0] accuracy < 0.8 (0.5)");
        assertThat(d.idempotencyKey()).isEqualTo("p/churn/w1");
        assertThat(run.step(false).status()).isEqualTo(Status.NO_RETRAIN);
        assertThat(run.step(true).status()).isEqualTo(Status.RETRAIN);
    }

    @Test
    void hysteresisNeedsMOfTheLastKWindowsAndThisOne() {
        Run run = new Run(low().hysteresis(2, 3).build());
        Decision d1 = run.step(true);
        assertThat(d1.status()).isEqualTo(Status.HELD);
        assertThat(d1.heldBy()).contains(Guard.HYSTERESIS);
        assertThat(reason(d1, Guard.HYSTERESIS))
                .isEqualTo("fired in 1 of the last 1 windows (of 3 once there are that many), 2 required");
        assertThat(run.step(false).status()).isEqualTo(Status.NO_RETRAIN);
        Decision d3 = run.step(true);
        assertThat(d3.status()).isEqualTo(Status.RETRAIN);
        assertThat(reason(d3, Guard.HYSTERESIS)).isEqualTo("fired in 2 of the last 3 windows, 2 required");
        // the retrain starts the history again
        assertThat(run.state.triggerHistory()).isEmpty();
        assertThat(run.step(true).heldBy()).contains(Guard.HYSTERESIS);
    }

    @Test
    void consecutiveWindows() {
        Run run = new Run(low().consecutive(3).build());
        assertThat(run.step(true).status()).isEqualTo(Status.HELD);
        assertThat(run.step(true).status()).isEqualTo(Status.HELD);
        assertThat(run.step(false).status()).isEqualTo(Status.NO_RETRAIN);
        assertThat(run.step(true).status()).isEqualTo(Status.HELD);
        assertThat(run.step(true).status()).isEqualTo(Status.HELD);
        Decision d = run.step(true);
        assertThat(d.status()).isEqualTo(Status.RETRAIN);
        assertThat(reason(d, Guard.HYSTERESIS)).isEqualTo("fired in 3 of the last 3 windows, 3 required");
    }

    @Test
    void warmUpHoldsTheFirstWindowsOfEachModel() {
        Run run = new Run(low().warmUp(2).build());
        Decision d1 = run.step(true);
        assertThat(d1.heldBy()).contains(Guard.WARM_UP);
        assertThat(reason(d1, Guard.WARM_UP)).isEqualTo("window 1 of the model's first 2 (warm-up)");
        assertThat(run.step(true).heldBy()).contains(Guard.WARM_UP);
        Decision d3 = run.step(true);
        assertThat(d3.status()).isEqualTo(Status.RETRAIN);
        assertThat(reason(d3, Guard.WARM_UP)).isEqualTo("window 3 since the last retrain, after the warm-up of 2");
        assertThat(run.step(true).heldBy()).contains(Guard.WARM_UP);
    }

    @Test
    void cooldownNeedsBothTheTimeAndTheRows() {
        Run run = new Run(low().cooldown(Duration.ofHours(24), 1000).build());
        Decision first = run.step(true, 50);
        assertThat(first.status()).isEqualTo(Status.RETRAIN);
        assertThat(reason(first, Guard.COOLDOWN)).isEqualTo("no retrain yet");

        Decision early = run.after(Duration.ofHours(12), true, 300);
        assertThat(early.status()).isEqualTo(Status.HELD);
        assertThat(early.heldBy()).contains(Guard.COOLDOWN);
        assertThat(reason(early, Guard.COOLDOWN)).isEqualTo("43200 s since the last retrain at 2024-03-04T10:00:00Z "
                + "(window 'w1'), minimum 86400 s; 300 rows since, minimum 1000");
        assertThat(early.reason()).isEqualTo("retrain wanted (conditions[0] accuracy < 0.8 (0.5)) but held by "
                + "cooldown: " + reason(early, Guard.COOLDOWN));

        Decision fewRows = run.after(Duration.ofHours(12), true, 600);
        assertThat(fewRows.heldBy()).contains(Guard.COOLDOWN);
        assertThat(reason(fewRows, Guard.COOLDOWN)).endsWith("86400 s since the last retrain at "
                + "2024-03-04T10:00:00Z (window 'w1'), minimum 86400 s; 900 rows since, minimum 1000");

        Decision enough = run.after(Duration.ofHours(1), true, 100);
        assertThat(enough.status()).isEqualTo(Status.RETRAIN);
        assertThat(run.state.rowsSinceRetrain()).isZero();
        assertThat(run.state.lastRetrainWindow()).contains("w4");
    }

    @Test
    void budgetAllowsAtMostNRetrainsInAnyPeriod() {
        Run run = new Run(low().budget(2, Duration.ofDays(7)).build());
        assertThat(run.step(true).status()).isEqualTo(Status.RETRAIN);
        assertThat(run.after(Duration.ofDays(1), true, 0).status()).isEqualTo(Status.RETRAIN);
        Decision third = run.after(Duration.ofDays(1), true, 0);
        assertThat(third.heldBy()).contains(Guard.BUDGET);
        assertThat(reason(third, Guard.BUDGET))
                .isEqualTo("2 retrains in the PT168H since 2024-02-28T10:00:00Z, at most 2");
        // seven days after the first retrain it has left the period
        Decision later = run.at(T0.plus(Duration.ofDays(7)), true);
        assertThat(later.status()).isEqualTo(Status.RETRAIN);
        assertThat(reason(later, Guard.BUDGET)).isEqualTo("1 retrain in the PT168H since 2024-03-04T10:00:00Z, at most 2");
    }

    @Test
    void backoffGrowsAfterEachFailureUpToItsMaximumAndASuccessEndsIt() {
        Run run = new Run(low().backoff(Duration.ofHours(1), 2, Duration.ofHours(3)).build());
        assertThat(run.step(true).status()).isEqualTo(Status.RETRAIN);
        run.state = PolicyEngine.recordResult(run.state, "w1", false, run.clock);
        assertThat(PolicyEngine.recordResult(run.state, "w1", true, run.clock)).isEqualTo(run.state);

        Decision waiting = run.after(Duration.ofMinutes(30), true, 0);
        assertThat(waiting.heldBy()).contains(Guard.BACKOFF);
        assertThat(reason(waiting, Guard.BACKOFF)).isEqualTo("1 failed retrain in a row, the last at "
                + "2024-03-04T10:00:00Z; wait 3600 s (3600 s x 2^0, at most 10800 s), 1800 s passed");
        Decision second = run.after(Duration.ofMinutes(30), true, 0);
        assertThat(second.status()).isEqualTo(Status.RETRAIN);
        run.state = PolicyEngine.recordResult(run.state, second.windowId(), false, run.clock);

        Decision waiting2 = run.after(Duration.ofMinutes(119), true, 0);
        assertThat(reason(waiting2, Guard.BACKOFF)).isEqualTo("2 failed retrains in a row, the last at "
                + "2024-03-04T11:00:00Z; wait 7200 s (3600 s x 2^1, at most 10800 s), 7140 s passed");
        Decision third = run.after(Duration.ofMinutes(1), true, 0);
        assertThat(third.status()).isEqualTo(Status.RETRAIN);
        run.state = PolicyEngine.recordResult(run.state, third.windowId(), false, run.clock);
        Decision capped = run.after(Duration.ofHours(1), true, 0);
        assertThat(reason(capped, Guard.BACKOFF)).isEqualTo("3 failed retrains in a row, the last at "
                + "2024-03-04T13:00:00Z; wait 10800 s (3600 s x 2^2, at most 10800 s), 3600 s passed");
        assertThat(PolicyEngine.backoffSeconds(run.policy.guards().backoff().orElseThrow(), 10)).isEqualTo(10800);

        Decision fourth = run.after(Duration.ofHours(2), true, 0);
        assertThat(fourth.status()).isEqualTo(Status.RETRAIN);
        run.state = PolicyEngine.recordResult(run.state, fourth.windowId(), true, run.clock);
        assertThat(run.state.consecutiveFailures()).isZero();
        Decision free = run.after(Duration.ofMinutes(1), true, 0);
        assertThat(free.status()).isEqualTo(Status.RETRAIN);
        assertThat(reason(free, Guard.BACKOFF)).isEqualTo("no failed retrain since the last success");

        // an earlier retrain's result does not drive the back-off (it consumed no one-shot trigger: nothing changes)
        assertThat(PolicyEngine.recordResult(run.state, "w1", false, run.clock)).isEqualTo(run.state);
    }

    @Test
    void allowedTimesAreReadInTheirZoneAndMayRunPastMidnight() {
        Run run = new Run(low().allowedTimes(ZoneId.of("Europe/Paris"),
                new Guards.TimeWindow(EnumSet.range(DayOfWeek.MONDAY, DayOfWeek.FRIDAY), LocalTime.of(1, 0),
                        LocalTime.of(5, 0)),
                new Guards.TimeWindow(EnumSet.of(DayOfWeek.SATURDAY), LocalTime.of(22, 0), LocalTime.of(6, 0)))
                .build());
        // Monday 3 June 2024, 01:30 in Paris (UTC+2)
        Decision monday = run.at(Instant.parse("2024-06-02T23:30:00Z"), true);
        assertThat(monday.status()).isEqualTo(Status.RETRAIN);
        assertThat(reason(monday, Guard.ALLOWED_TIMES)).isEqualTo("MONDAY 01:30 in Europe/Paris is inside allowed "
                + "window 0 ([MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY] 01:00-05:00)");
        Decision mondayNoon = run.at(Instant.parse("2024-06-03T10:00:00Z"), true);
        assertThat(mondayNoon.heldBy()).contains(Guard.ALLOWED_TIMES);
        assertThat(reason(mondayNoon, Guard.ALLOWED_TIMES))
                .isEqualTo("MONDAY 12:00 in Europe/Paris is outside the allowed times");
        // Sunday 9 June, 03:00 in Paris: inside Saturday's window that runs past midnight
        Decision sundayNight = run.at(Instant.parse("2024-06-09T01:00:00Z"), true);
        assertThat(sundayNight.status()).isEqualTo(Status.RETRAIN);
        assertThat(reason(sundayNight, Guard.ALLOWED_TIMES)).contains("SUNDAY 03:00", "inside allowed window 1");
        assertThat(run.at(Instant.parse("2024-06-09T04:00:00Z"), true).heldBy()).contains(Guard.ALLOWED_TIMES);
        // Saturday 22:00 exactly is inside, 21:59 is not
        assertThat(run.at(Instant.parse("2024-06-15T19:59:00Z"), true).heldBy()).contains(Guard.ALLOWED_TIMES);
        assertThat(run.at(Instant.parse("2024-06-15T20:00:00Z"), true).status()).isEqualTo(Status.RETRAIN);
    }

    @Test
    void approvalMakesADecisionWaitForAPerson() {
        Run run = new Run(low().approval(true).cooldown(Duration.ofHours(1), 0).build());
        Decision asked = run.step(true);
        assertThat(asked.status()).isEqualTo(Status.AWAITING_APPROVAL);
        assertThat(asked.retrain()).isFalse();
        assertThat(asked.heldBy()).contains(Guard.APPROVAL);
        assertThat(asked.reason()).isEqualTo("retrain wanted (conditions[0] accuracy < 0.8 (0.5)), awaiting a "
                + "person's approval");
        assertThat(run.state.pendingWindow()).contains("w1");

        Decision meanwhile = run.after(Duration.ofMinutes(10), true, 0);
        assertThat(meanwhile.heldBy()).contains(Guard.APPROVAL_PENDING);
        assertThat(reason(meanwhile, Guard.APPROVAL_PENDING)).isEqualTo("window 'w1' awaits approval");

        run.clock.advance(Duration.ofMinutes(5));
        PolicyEngine.Evaluation approved = PolicyEngine.approve(run.state, asked, "alice", run.clock);
        assertThat(approved.decision().status()).isEqualTo(Status.RETRAIN);
        assertThat(approved.decision().windowId()).isEqualTo("w1");
        assertThat(approved.decision().actor()).contains("alice");
        assertThat(approved.decision().decidedAt()).isEqualTo(T0.plus(Duration.ofMinutes(15)));
        assertThat(approved.decision().conditions()).isEqualTo(asked.conditions());
        assertThat(approved.decision().reason()).startsWith("retrain approved by alice; retrain wanted");
        assertThat(approved.state().lastRetrainAt()).contains(T0.plus(Duration.ofMinutes(15)));
        assertThat(approved.state().pendingWindow()).isEmpty();
        assertThatThrownBy(() -> PolicyEngine.approve(approved.state(), asked, "bob", run.clock))
                .isInstanceOf(ConflictException.class).hasMessageContaining("does not await approval");
        run.state = approved.state();

        // the cooldown runs from the approval
        Decision cooling = run.after(Duration.ofMinutes(30), true, 0);
        assertThat(cooling.heldBy()).contains(Guard.COOLDOWN);
        Decision askedAgain = run.after(Duration.ofMinutes(30), true, 0);
        assertThat(askedAgain.status()).isEqualTo(Status.AWAITING_APPROVAL);
        PolicyEngine.Evaluation rejected = PolicyEngine.reject(run.state, askedAgain, "bob", "data incomplete",
                run.clock);
        assertThat(rejected.decision().status()).isEqualTo(Status.REJECTED);
        assertThat(rejected.decision().reason()).isEqualTo("retrain rejected by bob: data incomplete");
        assertThat(rejected.state().lastRetrainAt()).isEqualTo(run.state.lastRetrainAt());
        assertThat(rejected.state().pendingWindow()).isEmpty();
    }

    @Test
    void everyConfiguredGuardIsReportedAndTheFirstThatHoldsIsNamed() {
        Run run = new Run(low().cooldown(Duration.ofDays(1), 0).budget(1, Duration.ofDays(7)).warmUp(1).build());
        Decision warm = run.step(true);
        assertThat(warm.heldBy()).contains(Guard.WARM_UP);
        assertThat(run.step(true).status()).isEqualTo(Status.RETRAIN);
        Decision both = run.after(Duration.ofHours(1), true, 0);
        assertThat(both.guards()).extracting(GuardOutcome::guard)
                .containsExactly(Guard.WARM_UP, Guard.COOLDOWN, Guard.BUDGET);
        assertThat(both.guards()).extracting(GuardOutcome::held).containsExactly(true, true, true);
        assertThat(both.heldBy()).contains(Guard.WARM_UP);
        Decision quiet = run.after(Duration.ofHours(1), false, 0);
        assertThat(quiet.status()).isEqualTo(Status.NO_RETRAIN);
        assertThat(quiet.heldBy()).isEmpty();
        assertThat(quiet.guards()).hasSize(3);
    }

    @Test
    void aClockThatGoesBackwardsIsARecordedFailureThatChangesNothing() {
        Run run = new Run(low().build());
        run.step(false);
        PolicyState before = run.state;
        Decision back = run.at(T0.minusSeconds(1), true);
        assertThat(back.status()).isEqualTo(Status.FAILED);
        assertThat(back.retrain()).isFalse();
        assertThat(back.reason()).isEqualTo("the clock went backwards: now 2024-03-04T09:59:59Z is before the last "
                + "evaluation at 2024-03-04T10:00:00Z; nothing was decided, evaluate the window again later");
        assertThat(run.state).isSameAs(before);
        Decision again = run.at(T0, true);
        assertThat(again.status()).isEqualTo(Status.RETRAIN);

        PolicyEngine.Evaluation duplicate = PolicyEngine.evaluate(run.policy, run.state,
                Observation.builder(again.windowId(), T0, "churn").metric("accuracy", 0.5).build(), run.clock,
                TestDetectors.factory());
        assertThat(duplicate.decision().status()).isEqualTo(Status.FAILED);
        assertThat(duplicate.decision().reason()).contains("was already decided");
        assertThat(duplicate.state()).isSameAs(run.state);
        assertThat(Optional.of(duplicate.decision().heldBy())).contains(Optional.empty());
    }
}
