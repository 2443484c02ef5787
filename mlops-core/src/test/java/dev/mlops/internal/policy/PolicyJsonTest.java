package dev.mlops.internal.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.policy.Condition;
import dev.mlops.policy.Guards;
import dev.mlops.policy.MetricDirection;
import dev.mlops.policy.RetrainingPolicy;
import java.nio.charset.StandardCharsets;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.EnumSet;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;

class PolicyJsonTest {

    /** A policy with every kind of condition and guard. */
    static RetrainingPolicy full() {
        return RetrainingPolicy.builder("churn-retrain")
                .version(3)
                .description("monthly checks")
                .anyOf(
                        Condition.driftShare(0.5),
                        Condition.columnDrift("temp_max"),
                        new Condition.ColumnScore("features", "weather", "psi", 0.2),
                        Condition.allOf(new Condition.MetricThreshold("accuracy", MetricDirection.HIGHER_IS_BETTER,
                                        0.8, 3),
                                Condition.worseThanBaselineRelative("accuracy", MetricDirection.HIGHER_IS_BETTER,
                                        0.05)),
                        Condition.atLeast(2, Condition.metricAbove("rmse", 3.5),
                                Condition.worseThanBaseline("rmse", MetricDirection.LOWER_IS_BETTER, 0.25),
                                Condition.decay("adwin", Map.of("delta", 0.002))),
                        Condition.newRows(10_000),
                        Condition.newDatasetVersions(2),
                        Condition.newInputVersion(),
                        new Condition.Schedule(Duration.ofDays(7), Instant.parse("2024-01-01T03:00:00Z")),
                        Condition.modelAge(Duration.ofDays(90)))
                .hysteresis(2, 3)
                .warmUp(2)
                .cooldown(Duration.ofHours(24), 5000)
                .budget(4, Duration.ofDays(30))
                .backoff(Duration.ofHours(1), 2, Duration.ofHours(24))
                .allowedTimes(ZoneId.of("Europe/Paris"),
                        new Guards.TimeWindow(EnumSet.range(DayOfWeek.MONDAY, DayOfWeek.FRIDAY), LocalTime.of(1, 0),
                                LocalTime.of(5, 0)),
                        new Guards.TimeWindow(EnumSet.of(DayOfWeek.SATURDAY), LocalTime.of(22, 0),
                                LocalTime.of(6, 0)))
                .approval(true)
                .build();
    }

    @Test
    void aSmallPolicyIsWrittenExactlySo() {
        RetrainingPolicy p = RetrainingPolicy.builder("weekly")
                .allOf(Condition.metricBelow("accuracy", 0.8), Condition.newRows(1000))
                .cooldown(Duration.ofDays(1), 0)
                .build();
        assertThat(p.toJson()).isEqualTo("""
                {
                  "format": "mlops.retraining_policy",
                  "format_version": 1,
                  "name": "weekly",
                  "version": 1,
                  "description": "",
                  "match": "all_of",
                  "conditions": [
                    {
                      "type": "metric_threshold",
                      "metric": "accuracy",
                      "direction": "higher_is_better",
                      "threshold": 0.8
                    },
                    {
                      "type": "new_rows",
                      "min_rows": 1000
                    }
                  ],
                  "guards": {
                    "cooldown": {
                      "min_time": "PT24H",
                      "min_rows": 0
                    }
                  }
                }
                """);
    }

    @Test
    void everyConditionAndGuardRoundTripsByteForByte() {
        RetrainingPolicy p = full();
        String json = p.toJson();
        RetrainingPolicy back = RetrainingPolicy.fromJson(json);
        assertThat(back).isEqualTo(p);
        assertThat(back.toJson()).isEqualTo(json);
        assertThat(json).contains("\"windows\": 3", "\"match\": \"any_of\"", "\"type\": \"at_least\"", "\"k\": 2",
                "\"days\": [\n", "\"monday\"", "\"zone\": \"Europe/Paris\"", "\"params\": {\n");
    }

    @Test
    void defaultsMayBeLeftOutWhenWritingByHand() {
        RetrainingPolicy p = RetrainingPolicy.fromJson("""
                {"name": "hand", "match": "at_least", "k": 1,
                 "conditions": [{"type": "decay", "detector": "ddm"}, {"type": "schedule", "every": "P1D"},
                                {"type": "drift_share", "threshold": 0.5}]}
                """);
        assertThat(p).isEqualTo(RetrainingPolicy.builder("hand")
                .atLeast(1, Condition.decay("ddm"), Condition.every(Duration.ofDays(1)), Condition.driftShare(0.5))
                .build());
        assertThat(p.guards()).isEqualTo(Guards.NONE);
        assertThat(RetrainingPolicy.fromJson(p.toJson()).toJson()).isEqualTo(p.toJson());
    }

    @RepeatedTest(300)
    void randomPoliciesRoundTripThroughJson(RepetitionInfo info) {
        SplittableRandom r = new SplittableRandom(0x5eed_0000L + info.getCurrentRepetition());
        RetrainingPolicy p = RandomPolicies.policy(r);
        String json = p.toJson();
        RetrainingPolicy back = RetrainingPolicy.fromJson(json);
        assertThat(back).isEqualTo(p);
        assertThat(back.toJson().getBytes(StandardCharsets.UTF_8)).isEqualTo(json.getBytes(StandardCharsets.UTF_8));
        assertThat(back.hashCode()).isEqualTo(p.hashCode());
    }

    @RepeatedTest(100)
    void randomPoliciesRoundTripThroughYaml(RepetitionInfo info) {
        SplittableRandom r = new SplittableRandom(0xa11_0000L + info.getCurrentRepetition());
        RetrainingPolicy p = RandomPolicies.policy(r);
        String yaml = p.toYaml();
        RetrainingPolicy back = RetrainingPolicy.fromYaml(yaml);
        assertThat(back).isEqualTo(p);
        assertThat(back.toYaml()).isEqualTo(yaml);
        assertThat(RetrainingPolicy.fromJson(back.toJson())).isEqualTo(p);
    }

    @Test
    void aHandWrittenYamlPolicyReads() {
        assertThat(PolicyYaml.available()).isTrue();
        RetrainingPolicy p = RetrainingPolicy.fromYaml("""
                name: seattle
                version: 2
                match: any_of
                conditions:
                  - type: drift_share
                    threshold: 0.5
                  - type: metric_threshold
                    metric: accuracy
                    direction: higher_is_better
                    threshold: 0.8
                guards:
                  cooldown:
                    min_time: P30D
                  allowed_times:
                    zone: UTC
                    windows:
                      - days: [saturday, sunday]
                        from: "06:00"
                        to: "18:00"
                """);
        assertThat(p).isEqualTo(RetrainingPolicy.builder("seattle").version(2)
                .anyOf(Condition.driftShare(0.5), Condition.metricBelow("accuracy", 0.8))
                .cooldown(Duration.ofDays(30), 0)
                .allowedTimes(ZoneId.of("UTC"), new Guards.TimeWindow(
                        EnumSet.of(DayOfWeek.SATURDAY, DayOfWeek.SUNDAY), LocalTime.of(6, 0), LocalTime.of(18, 0)))
                .build());
        assertThat(RetrainingPolicy.fromYaml(full().toYaml())).isEqualTo(full());
    }
}
