package dev.mlops.internal.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.policy.Backtest;
import dev.mlops.policy.BacktestResult;
import dev.mlops.policy.Condition;
import dev.mlops.policy.Decision;
import dev.mlops.policy.Observation;
import dev.mlops.policy.Retraining;
import dev.mlops.policy.RetrainingPolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;

/**
 * A backtest decides as the live service would: the same random history sent window by window through
 * {@link Retraining} (clock at each window's time, the handler succeeding or failing as the backtest simulates) gives
 * the backtest's timeline, decision for decision.
 */
class BacktestMatchesServiceTest {
    static final RetrainingPolicy POLICY = RetrainingPolicy.builder("p")
            .anyOf(Condition.metricBelow("accuracy", 0.7), Condition.decay("ddm"))
            .warmUp(1)
            .cooldown(Duration.ofDays(2), 30)
            .backoff(Duration.ofDays(2), 2, Duration.ofDays(10))
            .budget(3, Duration.ofDays(30))
            .build();

    @RepeatedTest(10)
    void theBacktestsTimelineIsTheServicesDecisions(RepetitionInfo info) {
        SplittableRandom random = new SplittableRandom(4_000 + info.getCurrentRepetition());
        List<Observation> history = new ArrayList<>();
        Instant t = Instant.parse("2024-01-01T00:00:00Z");
        for (int w = 0; w < 60; w++) {
            t = t.plus(Duration.ofHours(6 + random.nextInt(48)));
            double[] errors = new double[random.nextInt(5)];
            for (int i = 0; i < errors.length; i++) {
                errors[i] = random.nextInt(3) == 0 ? 1 : 0;
            }
            history.add(Observation.builder("w" + w, t, "m").metric("accuracy", 0.6 + 0.35 * random.nextDouble())
                    .rows(random.nextInt(40)).outcomes("error", errors).build());
        }
        long seed = random.nextLong();
        BacktestResult backtest = Backtest.builder(POLICY).detectors(TestDetectors.factory())
                .retrainSucceeds(d -> new SplittableRandom(seed ^ d.windowId().hashCode()).nextBoolean())
                .build().run(history);

        TestDetectors.MutableClock clock = new TestDetectors.MutableClock(history.get(0).time());
        Retraining service = new RetrainingService(new PolicyEvaluator(new InMemoryPolicyStateStore(), clock,
                TestDetectors.factory()), new InMemoryRetrainingRequestStore(), clock, Duration.ofMinutes(1), 1);
        List<Decision> live = new ArrayList<>();
        for (Observation o : history) {
            clock.set(o.time());
            live.add(service.evaluateAndAct(POLICY, o, r -> {
                if (new SplittableRandom(seed ^ r.windowId().hashCode()).nextBoolean()) {
                    return Optional.empty();
                }
                throw new IllegalStateException("simulated failure");
            }).decision());
        }
        assertThat(backtest.timeline()).isEqualTo(live);
        // the seeded histories exercise retrains, holds by several guards and failed retrains
        assertThat(backtest.statuses()).contains("retrain", "held", "no_retrain");
        assertThat(backtest.heldBy()).containsKey("warm_up").hasSizeGreaterThanOrEqualTo(2);
        assertThat(backtest.retrains()).anySatisfy(r -> assertThat(r.succeeded()).contains(false));
        assertThat(backtest.retrainCount()).isEqualTo((int) live.stream().filter(Decision::retrain).count());
    }
}
