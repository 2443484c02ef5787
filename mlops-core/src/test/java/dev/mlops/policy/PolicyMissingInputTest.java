package dev.mlops.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.IntegrityException;
import dev.mlops.Mlops;
import dev.mlops.PageRequest;
import dev.mlops.audit.AuditEvent;
import dev.mlops.drift.ProfileKind;
import dev.mlops.drift.WindowColumn;
import dev.mlops.drift.WindowReport;
import dev.mlops.internal.policy.DecisionJson;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A condition whose input is missing is visible in the decision: absent (not measured this window) or unknown (the
 * observation carries that kind of input but not the named one: a misspelt reference, recorded as a failure reason).
 */
class PolicyMissingInputTest {
    static final Instant T0 = Instant.parse("2024-03-01T00:00:00Z");

    static Observation.Builder obs(String window) {
        return Observation.builder(window, T0, "churn").rows(10);
    }

    static Decision decide(RetrainingPolicy p, Observation o) {
        return Mlops.builder().store(new dev.mlops.store.memory.InMemoryStore()).artifactUri("memory:").actor("svc")
                .clock(Clock.fixed(T0, ZoneOffset.UTC)).build().policies().evaluate(p, o);
    }

    static WindowReport window() {
        return new WindowReport(7, T0.minus(Duration.ofDays(1)), T0, 500, List.of(
                new WindowColumn("temp_max", ProfileKind.NUMERIC, "ks", 0.375, 0.0125, 0.1, true, 500, 0, 1000)),
                dev.mlops.drift.DatasetProfiler.builder().numeric("temp_max").build().toProfile());
    }

    @Test
    void aMisspeltMetricIsAnInputErrorWhileAnUnmeasuredOneIsOnlyAbsent() {
        RetrainingPolicy p = RetrainingPolicy.builder("p")
                .anyOf(Condition.metricBelow("acuracy", 0.8), Condition.newRows(5)).build();
        Decision typo = decide(p, obs("w1").metric("accuracy", 0.5).build());
        ConditionOutcome c = typo.condition("conditions[0]").orElseThrow();
        assertThat(c.input()).isEqualTo(ConditionOutcome.Input.UNKNOWN);
        assertThat(c.fired()).isFalse();
        assertThat(typo.missingInputs()).containsExactly("conditions[0]");
        assertThat(typo.inputErrors()).containsExactly(c);
        assertThat(typo.status()).isEqualTo(Decision.Status.RETRAIN);
        assertThat(typo.reasons()).containsExactly("conditions[1] new rows >= 5: 10",
                "input error conditions[0] acuracy < 0.8: the observation has no metric 'acuracy'");

        Decision unmeasured = decide(p, obs("w1").build());
        ConditionOutcome a = unmeasured.condition("conditions[0]").orElseThrow();
        assertThat(a.input()).isEqualTo(ConditionOutcome.Input.ABSENT);
        assertThat(unmeasured.missingInputs()).containsExactly("conditions[0]");
        assertThat(unmeasured.inputErrors()).isEmpty();
        assertThat(unmeasured.reasons()).containsExactly("conditions[1] new rows >= 5: 10");

        Decision fine = decide(p, obs("w1").metric("acuracy", 0.9).build());
        assertThat(fine.missingInputs()).isEmpty();
        assertThat(fine.conditions()).allSatisfy(o -> assertThat(o.input()).isEqualTo(ConditionOutcome.Input.MEASURED));
    }

    @Test
    void aMisspeltColumnStreamOrBaselineIsAnInputError() {
        Observation o = obs("w1").window("live", window()).metric("accuracy", 0.9).baseline("accuracy", 0.9)
                .outcomes("errors", List.of(0.0, 1.0)).build();
        RetrainingPolicy p = RetrainingPolicy.builder("p").anyOf(
                new Condition.ColumnDrift("live", "temp_mx"),
                new Condition.ColumnScore("live", "temp_max", "psi", 0.2),
                new Condition.ColumnDrift("other", "temp_max"),
                new Condition.Decay("ddm", java.util.Map.of(), "eror", 1000),
                Condition.worseThanBaseline("acc", MetricDirection.HIGHER_IS_BETTER, 0.1)).build();
        Decision d = decide(p, o);
        assertThat(d.conditions()).extracting(ConditionOutcome::input).containsExactly(
                ConditionOutcome.Input.MEASURED, ConditionOutcome.Input.UNKNOWN, ConditionOutcome.Input.UNKNOWN,
                ConditionOutcome.Input.ABSENT, ConditionOutcome.Input.UNKNOWN, ConditionOutcome.Input.UNKNOWN);
        assertThat(d.missingInputs()).containsExactly("conditions[0]", "conditions[1]", "conditions[2]",
                "conditions[3]", "conditions[4]");
        assertThat(d.inputErrors()).extracting(ConditionOutcome::path)
                .containsExactly("conditions[0]", "conditions[1]", "conditions[3]", "conditions[4]");
        assertThat(d.reasons()).hasSize(4).allSatisfy(r -> assertThat(r).startsWith("input error conditions["));
    }

    @Test
    void theFlagsAreStoredAndAuditedAndOldDecisionsStillRead(@TempDir Path dir) {
        RetrainingPolicy p = RetrainingPolicy.builder("p").anyOf(Condition.metricBelow("acuracy", 0.8)).build();
        Path file = dir.resolve("m.db");
        Decision d;
        try (Mlops m = Mlops.builder().storeUri("sqlite:" + file).artifactUri("memory:").actor("svc")
                .clock(Clock.fixed(T0, ZoneOffset.UTC)).build()) {
            d = m.policies().evaluate(p, obs("w1").metric("accuracy", 0.5).build());
        }
        try (Mlops m = Mlops.builder().storeUri("sqlite:" + file).artifactUri("memory:").actor("svc")
                .clock(Clock.fixed(T0, ZoneOffset.UTC)).build()) {
            Decision stored = m.policies().decision("p", "churn", "w1").orElseThrow();
            assertThat(stored).isEqualTo(d);
            assertThat(stored.inputErrors()).extracting(ConditionOutcome::path).containsExactly("conditions[0]");
            List<AuditEvent> events = m.audit().events(0, PageRequest.first(100)).items();
            assertThat(events).filteredOn(e -> e.action().equals("policy.decided")).singleElement()
                    .satisfies(e -> assertThat(e.data()).contains("\"input_errors\":[\"conditions[0]\"]")
                            .contains("\"missing_inputs\":[\"conditions[0]\"]"));
            assertThat(m.audit().verify().ok()).isTrue();
        }
        String json = DecisionJson.write(d);
        assertThat(json).contains("\"input\":\"unknown\"").contains("\"missing_inputs\":[\"conditions[0]\"]");
        assertThat(DecisionJson.read(json)).isEqualTo(d);
        // written before inputs were recorded: no "input", no "missing_inputs"; a null measured reads as absent
        String old = json.replace(",\"input\":\"unknown\"", "").replace(",\"missing_inputs\":[\"conditions[0]\"]", "");
        Decision legacy = DecisionJson.read(old);
        assertThat(legacy.condition("conditions[0]").orElseThrow().input()).isEqualTo(ConditionOutcome.Input.ABSENT);
        assertThat(legacy.missingInputs()).containsExactly("conditions[0]");
        assertThat(DecisionJson.write(legacy)).contains("\"input\":\"absent\"");
        assertThatThrownBy(() -> DecisionJson.read(json.replace("\"missing_inputs\":[\"conditions[0]\"]",
                "\"missing_inputs\":[]"))).isInstanceOf(IntegrityException.class)
                .hasMessageContaining("missing_inputs");
    }
}
