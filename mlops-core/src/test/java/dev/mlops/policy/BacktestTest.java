package dev.mlops.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.InvalidArgumentException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** Backtests of synthetic histories whose timelines are worked out by hand. */
class BacktestTest {
    static Instant month(int m) {
        return LocalDate.of(2014, 1, 1).plusMonths(m).atStartOfDay().toInstant(ZoneOffset.UTC);
    }

    /** 12 monthly windows w0..w11 (w0 closes 2014-02-01); accuracy 0.9, from w4 (May, closes 06-01) on 0.7. */
    static List<Observation> monthly() {
        List<Observation> out = new ArrayList<>();
        for (int m = 0; m < 12; m++) {
            out.add(Observation.builder("w" + m, month(m + 1), "rain").metric("accuracy", m < 4 ? 0.9 : 0.7)
                    .rows(30).build());
        }
        return out;
    }

    static final RetrainingPolicy HYSTERESIS = RetrainingPolicy.builder("h")
            .anyOf(Condition.metricBelow("accuracy", 0.8))
            .consecutive(2)
            .cooldown(Duration.ofDays(90), 0)
            .backoff(Duration.ofDays(30), 2, Duration.ofDays(120))
            .build();

    Backtest hysteresisBacktest() {
        return Backtest.builder(HYSTERESIS)
                .retrainDelay(1)
                .retrainSucceeds(d -> !d.windowId().equals("w5"))
                .changePoint(Instant.parse("2014-12-15T00:00:00Z"))
                .changePoint(month(4))
                .changePoint(Instant.parse("2015-06-01T00:00:00Z"))
                .build();
    }

    @Test
    void theTimelineRetrainsHeldBackCountsDetectionDelaysAndStaleTimesAreAsWorkedOut() {
        BacktestResult r = hysteresisBacktest().run(monthly());
        assertThat(r.statuses()).containsExactly("no_retrain", "no_retrain", "no_retrain", "no_retrain",
                "held", "retrain", "held", "held", "retrain", "held", "held", "retrain");
        assertThat(r.timeline()).extracting(d -> d.heldBy().map(g -> g.id()).orElse("-")).containsExactly(
                "-", "-", "-", "-", "hysteresis", "-", "hysteresis", "cooldown", "-", "hysteresis", "cooldown", "-");
        assertThat(r.retrainCount()).isEqualTo(3);
        assertThat(r.retrains()).containsExactly(
                new BacktestResult.Retrain("w5", 5, month(6), Optional.of(month(7)), Optional.of(false)),
                new BacktestResult.Retrain("w8", 8, month(9), Optional.of(month(10)), Optional.of(true)),
                new BacktestResult.Retrain("w11", 11, month(12), Optional.empty(), Optional.empty()));
        assertThat(r.heldBy()).isEqualTo(Map.of("cooldown", 2, "hysteresis", 3));
        // the failed retrain of w5 was reported when it took effect (w6): w8, 61 days later, passes the back-off
        assertThat(r.timeline().get(8).guard(dev.mlops.policy.Guards.Guard.BACKOFF).orElseThrow().reason())
                .startsWith("1 failed retrain in a row, the last at 2014-08-01T00:00:00Z");
        assertThat(r.detections()).containsExactly(
                // May's change: w4 (closes 06-01) is the first window after it, w5 (07-01) retrains; w5 failed, w8
                // succeeded and took effect at 11-01
                new BacktestResult.Detection(month(4), Optional.of("w5"), Optional.of(Duration.ofDays(61)),
                        OptionalInt.of(2), Duration.ofDays(184), false),
                new BacktestResult.Detection(Instant.parse("2014-12-15T00:00:00Z"), Optional.of("w11"),
                        Optional.of(Duration.ofDays(17)), OptionalInt.of(1), Duration.ofDays(17), true),
                new BacktestResult.Detection(Instant.parse("2015-06-01T00:00:00Z"), Optional.empty(),
                        Optional.empty(), OptionalInt.empty(), Duration.ZERO, true));
        assertThat(r.start()).isEqualTo(month(1));
        assertThat(r.end()).isEqualTo(month(12));
        assertThat(r.summary()).isEqualTo("""
                backtest of policy 'h' v1 for model 'rain': 12 windows from 2014-02-01T00:00:00Z to 2015-01-01T00:00:00Z
                3 retrains: w5, w8, w11 (1 failed)
                held back: cooldown 2, hysteresis 3
                change at 2014-05-01T00:00:00Z: detected by window w5 after 61 days (window 2 after the change); \
                stale model served 184 days
                change at 2014-12-15T00:00:00Z: detected by window w11 after 17 days (window 1 after the change); \
                stale model served 17 days (until the end of the history)
                change at 2015-06-01T00:00:00Z: not detected; stale model served 0 days (until the end of the history)
                """);
    }

    @Test
    void theSameHistoryGivesTheSameResultAndJson() {
        BacktestResult a = hysteresisBacktest().run(monthly());
        BacktestResult b = hysteresisBacktest().run(monthly());
        assertThat(a).isEqualTo(b);
        assertThat(a.toJson()).isEqualTo(b.toJson());
        assertThat(a.toJson()).startsWith("{\"format\":\"mlops.backtest_result\",\"format_version\":1,\"policy\":\"h\","
                + "\"policy_version\":1,\"model\":\"rain\",\"start\":\"2014-02-01T00:00:00Z\","
                + "\"end\":\"2015-01-01T00:00:00Z\",\"windows\":12,\"retrain_count\":3,\"retrains\":[{\"window_id\":"
                + "\"w5\",\"index\":5,\"decided_at\":\"2014-07-01T00:00:00Z\",\"effective_at\":\"2014-08-01T00:00:00Z\","
                + "\"succeeded\":false},")
                .contains("{\"window_id\":\"w11\",\"index\":11,\"decided_at\":\"2015-01-01T00:00:00Z\","
                        + "\"effective_at\":null,\"succeeded\":null}]")
                .contains("\"held_by\":{\"cooldown\":2,\"hysteresis\":3}")
                .contains("{\"change\":\"2014-05-01T00:00:00Z\",\"detected\":true,\"detected_by\":\"w5\","
                        + "\"delay\":\"PT1464H\",\"delay_seconds\":5270400,\"delay_windows\":2,\"stale\":\"PT4416H\","
                        + "\"stale_seconds\":15897600,\"stale_until_end\":false}")
                .contains("\"timeline\":[{\"format\":\"mlops.policy_decision\"");
    }

    @Test
    void failedRetrainsAreHeldBackByTheBackoffAsItGrows() {
        RetrainingPolicy policy = RetrainingPolicy.builder("b").anyOf(Condition.metricBelow("accuracy", 0.8))
                .backoff(Duration.ofDays(14), 2, Duration.ofDays(60)).build();
        List<Observation> weeks = new ArrayList<>();
        Instant t0 = Instant.parse("2024-01-01T00:00:00Z");
        for (int w = 0; w < 8; w++) {
            weeks.add(Observation.builder("week" + w, t0.plus(Duration.ofDays(7L * (w + 1))), "m")
                    .metric("accuracy", 0.5).build());
        }
        BacktestResult r = Backtest.builder(policy).retrainSucceeds(d -> false).build().run(weeks);
        // fail at day 7 (wait 14), at day 21 (wait 28), at day 49 (wait 56)
        assertThat(r.statuses()).containsExactly("retrain", "held", "retrain", "held", "held", "held", "retrain",
                "held");
        assertThat(r.heldBy()).isEqualTo(Map.of("backoff", 5));
        assertThat(r.retrains()).allSatisfy(x -> assertThat(x.succeeded()).contains(false));
        assertThat(r.detections()).isEmpty();
        assertThat(r.summary()).contains("3 retrains: week0, week2, week6 (3 failed)");
    }

    @Test
    void approvalIsGivenByTheBacktestOrLeftPending() {
        RetrainingPolicy policy = RetrainingPolicy.builder("a").anyOf(Condition.metricBelow("accuracy", 0.8))
                .cooldown(Duration.ofDays(1), 0).approval(true).build();
        BacktestResult approved = Backtest.builder(policy).build().run(monthly());
        assertThat(approved.retrainWindows()).containsExactly("w4", "w5", "w6", "w7", "w8", "w9", "w10", "w11");
        assertThat(approved.timeline().get(4).actor()).contains(Backtest.ACTOR);
        BacktestResult pending = Backtest.builder(policy).autoApprove(false).build().run(monthly());
        assertThat(pending.retrainCount()).isZero();
        assertThat(pending.timeline().get(4).status()).isEqualTo(Decision.Status.AWAITING_APPROVAL);
        assertThat(pending.heldBy()).isEqualTo(Map.of("approval", 1, "approval_pending", 7));
    }

    @Test
    void decayConditionsSeeTheOutcomeStreamsOfTheHistory() {
        RetrainingPolicy policy = RetrainingPolicy.builder("d").anyOf(Condition.decay("ddm")).build();
        List<Observation> history = new ArrayList<>();
        java.util.SplittableRandom random = new java.util.SplittableRandom(7);
        for (int w = 0; w < 10; w++) {
            double rate = w < 5 ? 0.1 : 0.6;
            double[] errors = new double[100];
            for (int i = 0; i < errors.length; i++) {
                errors[i] = random.nextDouble() < rate ? 1 : 0;
            }
            history.add(Observation.builder("w" + w, month(w + 1), "m").outcomes("error", errors).rows(100).build());
        }
        BacktestResult r = Backtest.builder(policy).changePoint(month(5)).build().run(history);
        assertThat(r.detections().get(0).detectedBy()).contains("w5");
        assertThat(r.timeline().subList(0, 5)).allSatisfy(d -> assertThat(d.retrain()).isFalse());
    }

    @Test
    void badHistoriesAndSettingsAreRejectedNamingTheIndex() {
        Backtest b = Backtest.builder(HYSTERESIS).build();
        List<Observation> h = new ArrayList<>(monthly());
        h.set(3, Observation.builder("w3", month(1), "rain").metric("accuracy", 0.9).build());
        assertThatThrownBy(() -> b.run(h)).isInstanceOf(InvalidArgumentException.class)
                .hasMessage("history[3].time 2014-02-01T00:00:00Z is before history[2].time 2014-04-01T00:00:00Z; "
                        + "a history must be in time order")
                .extracting(e -> ((InvalidArgumentException) e).field()).isEqualTo(Optional.of("history[3].time"));
        h.set(3, Observation.builder("w1", month(4), "rain").build());
        assertThatThrownBy(() -> b.run(h)).hasMessage("history[3].windowId 'w1' repeats an earlier window");
        h.set(3, Observation.builder("w3", month(4), "snow").build());
        assertThatThrownBy(() -> b.run(h)).hasMessage("history[3].model is 'snow', the history is of model 'rain'");
        assertThatThrownBy(() -> b.run(List.of())).hasMessage("history must not be empty");
        assertThatThrownBy(() -> Backtest.builder(HYSTERESIS).retrainDelay(-1))
                .isInstanceOf(InvalidArgumentException.class).hasMessage("retrainDelay must be >= 0, was -1");
        assertThatThrownBy(() -> Backtest.builder(HYSTERESIS).changePoint(month(1)).changePoint(month(1)).build())
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("repeats 2014-02-01T00:00:00Z");
        RetrainingPolicy decay = RetrainingPolicy.builder("x").anyOf(Condition.decay("adwin")).build();
        assertThatThrownBy(() -> Backtest.builder(decay).detectors(DetectorFactory.none()).build().run(monthly()))
                .isInstanceOf(InvalidArgumentException.class);
    }
}
