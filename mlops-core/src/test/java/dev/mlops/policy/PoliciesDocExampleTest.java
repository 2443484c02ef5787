package dev.mlops.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.drift.ColumnValues;
import dev.mlops.drift.DriftAnalyzer;
import dev.mlops.drift.DriftReport;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The example of docs/policies.md, "Policies", through the public API only. */
class PoliciesDocExampleTest {

    @Test
    void theDocumentedExampleDecidesAsDescribed() {
        DetectorFactory detectors = DetectorFactory.none();
        DriftReport driftReport = report();

        RetrainingPolicy policy = RetrainingPolicy.builder("seattle-rain")
                .version(2)
                .anyOf(
                        Condition.driftShare(0.5),
                        Condition.metricBelow("accuracy", 0.8),
                        Condition.worseThanBaselineRelative("accuracy", MetricDirection.HIGHER_IS_BETTER, 0.05),
                        Condition.modelAge(Duration.ofDays(180)))
                .consecutive(2)
                .cooldown(Duration.ofDays(30), 1000)
                .budget(4, Duration.ofDays(365))
                .build();

        TestClock clock = new TestClock(Instant.parse("2014-04-01T06:00:00Z"));
        RetrainingPolicies policies = RetrainingPolicies.inMemory(clock, detectors);
        Observation window = Observation.builder("2014-03", Instant.parse("2014-04-01T00:00:00Z"), "rain")
                .drift(driftReport)
                .metric("accuracy", 0.74).baseline("accuracy", 0.83)
                .rows(31)
                .modelCreatedAt(Instant.parse("2014-01-01T00:00:00Z"))
                .build();
        Decision decision = policies.evaluate(policy, window);
        // the first firing window is held by the hysteresis of two consecutive windows
        assertThat(decision.status()).isEqualTo(Decision.Status.HELD);
        assertThat(decision.heldBy()).contains(Guards.Guard.HYSTERESIS);
        assertThat(decision.condition("conditions[1]").orElseThrow().fired()).isTrue();
        assertThat(decision.condition("conditions[2]").orElseThrow().measured().getAsDouble())
                .isCloseTo((0.83 - 0.74) / 0.83, org.assertj.core.data.Offset.offset(1e-15));

        clock.now = Instant.parse("2014-05-01T06:00:00Z");
        Decision next = policies.evaluate(policy, Observation.builder("2014-04", Instant.parse("2014-05-01T00:00:00Z"),
                "rain").drift(driftReport).metric("accuracy", 0.71).baseline("accuracy", 0.83).rows(30).build());
        assertThat(next.retrain()).isTrue();
        assertThat(next.idempotencyKey()).isEqualTo("seattle-rain/rain/2014-04");
        assertThat(next.reasons()).containsExactly("conditions[1] accuracy < 0.8: 0.71",
                "conditions[2] accuracy worse than its baseline by > 0.05 of the baseline (relative): "
                        + (0.83 - 0.71) / 0.83);
        assertThat(RetrainingPolicy.fromJson(policy.toJson())).isEqualTo(policy);
    }

    private static DriftReport report() {
        double[] a = new double[100];
        double[] b = new double[100];
        for (int i = 0; i < 100; i++) {
            a[i] = i * 0.5 + 0.25;
            b[i] = i * 0.5 + 0.5;
        }
        Map<String, ColumnValues> reference = new LinkedHashMap<>();
        reference.put("temp_max", ColumnValues.numeric(a, 0));
        Map<String, ColumnValues> current = new LinkedHashMap<>();
        current.put("temp_max", ColumnValues.numeric(b, 0));
        return DriftAnalyzer.builder().build().analyze(reference, current);
    }

    private static final class TestClock extends Clock {
        Instant now;

        TestClock(Instant now) {
            this.now = now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
