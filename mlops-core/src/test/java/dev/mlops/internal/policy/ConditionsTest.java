package dev.mlops.internal.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.drift.ColumnReport;
import dev.mlops.drift.ColumnValues;
import dev.mlops.drift.DriftAnalyzer;
import dev.mlops.drift.DriftReport;
import dev.mlops.drift.MethodResult;
import dev.mlops.drift.ProfileKind;
import dev.mlops.drift.WindowColumn;
import dev.mlops.drift.WindowReport;
import dev.mlops.policy.Condition;
import dev.mlops.policy.ConditionOutcome;
import dev.mlops.policy.Decision;
import dev.mlops.policy.MetricDirection;
import dev.mlops.policy.Observation;
import dev.mlops.policy.RetrainingPolicy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

/** Each condition with exact numbers, through the pure engine on a fresh state. */
class ConditionsTest {
    static final Instant T0 = Instant.parse("2024-03-01T00:00:00Z");

    static Observation.Builder obs(String window) {
        return Observation.builder(window, T0, "churn");
    }

    static Decision decide(Condition c, Observation o) {
        return decide(c, o, T0);
    }

    static Decision decide(Condition c, Observation o, Instant now) {
        RetrainingPolicy p = RetrainingPolicy.builder("p").anyOf(c).build();
        return PolicyEngine.evaluate(p, PolicyState.INITIAL, o, Clock.fixed(now, ZoneOffset.UTC),
                TestDetectors.factory()).decision();
    }

    static ConditionOutcome outcome(Condition c, Observation o) {
        return decide(c, o).condition("conditions[0]").orElseThrow();
    }

    /** The state key of the policy's top-level condition {@code i}. */
    static String key(RetrainingPolicy p, int i) {
        return ConditionKeys.key(((Condition.AnyOf) p.trigger()).conditions().get(i));
    }

    static void assertOutcome(ConditionOutcome o, double measured, double threshold, String comparator,
            boolean fired) {
        assertThat(o.measured()).isEqualTo(OptionalDouble.of(measured));
        assertThat(o.threshold()).isEqualTo(threshold);
        assertThat(o.comparator()).isEqualTo(comparator);
        assertThat(o.fired()).isEqualTo(fired);
    }

    static void assertAbsent(ConditionOutcome o, String note) {
        assertThat(o.measured()).isEmpty();
        assertThat(o.fired()).isFalse();
        assertThat(o.note()).hasValueSatisfying(n -> assertThat(n).contains(note));
    }

    @Test
    void metricThresholdsAreStrictAndFollowTheDirection() {
        Condition below = Condition.metricBelow("accuracy", 0.8);
        assertOutcome(outcome(below, obs("w").metric("accuracy", 0.75).build()), 0.75, 0.8, "<", true);
        assertOutcome(outcome(below, obs("w").metric("accuracy", 0.8).build()), 0.8, 0.8, "<", false);
        Condition above = Condition.metricAbove("rmse", 3.5);
        assertOutcome(outcome(above, obs("w").metric("rmse", 3.625).build()), 3.625, 3.5, ">", true);
        assertOutcome(outcome(above, obs("w").metric("rmse", 3.5).build()), 3.5, 3.5, ">", false);
        ConditionOutcome missing = outcome(below, obs("w").metric("f1", 0.5).build());
        assertAbsent(missing, "the observation has no metric 'accuracy'");
        assertThat(missing.description()).isEqualTo("accuracy < 0.8");
    }

    @Test
    void baselineConditionsMeasureTheDegradationAbsoluteOrRelative() {
        Observation o = obs("w").metric("accuracy", 0.75).baseline("accuracy", 0.875).metric("rmse", 2.5)
                .baseline("rmse", 2).build();
        Condition abs = Condition.worseThanBaseline("accuracy", MetricDirection.HIGHER_IS_BETTER, 0.1);
        assertOutcome(outcome(abs, o), 0.125, 0.1, ">", true);
        Condition absEqual = Condition.worseThanBaseline("accuracy", MetricDirection.HIGHER_IS_BETTER, 0.125);
        assertOutcome(outcome(absEqual, o), 0.125, 0.125, ">", false);
        Condition rel = Condition.worseThanBaselineRelative("accuracy", MetricDirection.HIGHER_IS_BETTER, 0.125);
        assertOutcome(outcome(rel, o), 0.142857142857142857, 0.125, ">", true);
        Condition lower = Condition.worseThanBaselineRelative("rmse", MetricDirection.LOWER_IS_BETTER, 0.2);
        assertOutcome(outcome(lower, o), 0.25, 0.2, ">", true);
        assertThat(outcome(lower, o).note()).contains("rmse 2.5, baseline 2, lower_is_better");
        // better than the baseline: a negative degradation
        Condition better = Condition.worseThanBaseline("rmse", MetricDirection.HIGHER_IS_BETTER, 0);
        assertOutcome(outcome(better, o), -0.5, 0, ">", false);
        Observation zero = obs("w").metric("bias", 0.5).baseline("bias", 0).build();
        assertAbsent(outcome(Condition.worseThanBaselineRelative("bias", MetricDirection.LOWER_IS_BETTER, 0.1), zero),
                "a zero baseline has no relative change");
        assertAbsent(outcome(abs, obs("w").metric("accuracy", 0.5).build()), "no baseline 'accuracy'");
    }

    static DriftReport report() {
        double[] ref = new double[200];
        double[] same = new double[200];
        double[] shifted = new double[200];
        for (int i = 0; i < 200; i++) {
            ref[i] = i + 0.25;
            same[i] = (i * 7) % 200 + 0.25;
            shifted[i] = i + 120.25;
        }
        Map<String, ColumnValues> reference = new LinkedHashMap<>();
        reference.put("temp_max", ColumnValues.numeric(ref, 0));
        reference.put("wind", ColumnValues.numeric(ref, 0));
        Map<String, ColumnValues> current = new LinkedHashMap<>();
        current.put("temp_max", ColumnValues.numeric(shifted, 0));
        current.put("wind", ColumnValues.numeric(same, 0));
        return DriftAnalyzer.builder().methods("psi,ks").build().analyze(reference, current);
    }

    @Test
    void metricConditionsMayAverageTheLastWindows() {
        RetrainingPolicy p = RetrainingPolicy.builder("p")
                .anyOf(new Condition.MetricThreshold("accuracy", MetricDirection.HIGHER_IS_BETTER, 0.8, 3),
                        new Condition.MetricVsBaseline("accuracy", MetricDirection.HIGHER_IS_BETTER,
                                Condition.MetricVsBaseline.Change.ABSOLUTE, 0.1, 2))
                .build();
        Clock clock = Clock.fixed(T0, ZoneOffset.UTC);
        double[] accuracy = {0.875, 0.75, 0.625, 0.5};
        List<Decision> decisions = new java.util.ArrayList<>();
        PolicyState state = PolicyState.INITIAL;
        for (int i = 0; i < accuracy.length; i++) {
            PolicyEngine.Evaluation e = PolicyEngine.evaluate(p, state, obs("w" + i).metric("accuracy", accuracy[i])
                    .baseline("accuracy", 0.875).build(), clock, TestDetectors.factory());
            decisions.add(e.decision());
            state = e.state();
        }
        ConditionOutcome first = decisions.get(0).condition("conditions[0]").orElseThrow();
        assertAbsent(first, "accuracy 0.875; 1 of the 3 windows to average so far");
        assertThat(first.description()).isEqualTo("mean accuracy of the last 3 windows < 0.8");
        assertAbsent(decisions.get(1).condition("conditions[0]").orElseThrow(), "2 of the 3 windows");
        // (0.875 + 0.75) / 2 = 0.8125, 0.0625 below the baseline: not more than 0.1
        assertOutcome(decisions.get(1).condition("conditions[1]").orElseThrow(), 0.0625, 0.1, ">", false);
        ConditionOutcome third = decisions.get(2).condition("conditions[0]").orElseThrow();
        assertOutcome(third, 0.75, 0.8, "<", true);
        assertThat(third.note()).contains("mean of accuracy 0.875, 0.75, 0.625 = 0.75");
        ConditionOutcome baseline = decisions.get(2).condition("conditions[1]").orElseThrow();
        assertOutcome(baseline, 0.1875, 0.1, ">", true);
        assertThat(baseline.note()).contains("mean of accuracy 0.75, 0.625 = 0.6875, baseline 0.875, higher_is_better");
        assertThat(decisions.get(2).retrain()).isTrue();
        // the retrain starts the averages again
        assertAbsent(decisions.get(3).condition("conditions[0]").orElseThrow(), "1 of the 3 windows");
        assertThat(state.metricHistory()).containsEntry(key(p, 0), List.of(0.5))
                .containsEntry(key(p, 1), List.of(0.5));
        // a window without the metric keeps what was collected
        PolicyEngine.Evaluation without = PolicyEngine.evaluate(p, state, obs("w9").build(), clock,
                TestDetectors.factory());
        assertThat(without.state().metricHistory()).isEqualTo(state.metricHistory());
    }

    @Test
    void driftConditionsReadTheDriftReport() {
        DriftReport r = report();
        ColumnReport temp = r.column("temp_max").orElseThrow();
        assertThat(temp.drift()).isTrue();
        assertThat(r.column("wind").orElseThrow().drift()).isFalse();
        Observation o = obs("w").drift(r).build();

        ConditionOutcome drift = outcome(Condition.columnDrift("temp_max"), o);
        assertOutcome(drift, 1, 1, ">=", true);
        assertThat(drift.note()).contains(temp.decision().orElseThrow().reason());
        assertOutcome(outcome(Condition.columnDrift("wind"), o), 0, 1, ">=", false);
        assertAbsent(outcome(Condition.columnDrift("rain"), o), "report 'default' has no column 'rain'");

        double psi = temp.results().stream().filter(m -> m.method().id().equals("psi")).findFirst()
                .flatMap(m -> m.statistic().isPresent() ? java.util.Optional.of(m.statistic().getAsDouble())
                        : java.util.Optional.empty())
                .orElseThrow();
        assertOutcome(outcome(Condition.columnScore("temp_max", "psi", 0.2), o), psi, 0.2, ">=", psi >= 0.2);
        assertThat(psi).isGreaterThan(0.2);
        assertAbsent(outcome(Condition.columnScore("temp_max", "hellinger", 0.1), o),
                "report 'default' did not compute hellinger for column 'temp_max'");

        assertThat(r.driftShare()).isEqualTo(OptionalDouble.of(0.5));
        assertOutcome(outcome(Condition.driftShare(0.5), o), 0.5, 0.5, ">=", true);
        assertOutcome(outcome(Condition.driftShare(0.75), o), 0.5, 0.75, ">=", false);
        assertThat(outcome(Condition.driftShare(0.5), o).note()).contains("1 of 2 columns drift");

        assertAbsent(outcome(new Condition.DriftShare("features", 0.5), o),
                "the observation has no drift or window report 'features'");
    }

    static WindowReport window() {
        return new WindowReport(7, T0.minus(Duration.ofDays(1)), T0, 500, List.of(
                new WindowColumn("temp_max", ProfileKind.NUMERIC, "ks", 0.375, 0.0125, 0.1, true, 500, 0, 1000),
                new WindowColumn("wind", ProfileKind.NUMERIC, "ks", 0.0625, 0, 0.1, false, 500, 0, 1000),
                new WindowColumn("weather", ProfileKind.CATEGORICAL, "l_infinity", Double.NaN, 0, 0.1, false, 0,
                        500, 1000)), dev.mlops.drift.DatasetProfiler.builder().numeric("temp_max", "wind")
                        .categorical("weather").build().toProfile());
    }

    @Test
    void driftConditionsReadAWindowReport() {
        Observation o = obs("w").window("live", window()).build();
        ConditionOutcome drift = outcome(new Condition.ColumnDrift("live", "temp_max"), o);
        assertOutcome(drift, 1, 1, ">=", true);
        assertThat(drift.note()).contains("ks 0.375, threshold 0.1 + error bound 0.0125, 500 values");
        assertOutcome(outcome(new Condition.ColumnScore("live", "wind", "ks", 0.05), o), 0.0625, 0.05, ">=", true);
        assertAbsent(outcome(new Condition.ColumnScore("live", "wind", "psi", 0.05), o),
                "measures ks for column 'wind', not psi");
        assertAbsent(outcome(new Condition.ColumnScore("live", "weather", "l_infinity", 0.05), o),
                "no values to compare");
        ConditionOutcome share = outcome(new Condition.DriftShare("live", 0.3), o);
        assertOutcome(share, 1.0 / 3, 0.3, ">=", true);
        assertThat(share.note()).contains("1 of 3 columns drift");
    }

    @Test
    void volumeAndVersionConditions() {
        assertOutcome(outcome(Condition.newRows(500), obs("w").rows(500).build()), 500, 500, ">=", true);
        assertOutcome(outcome(Condition.newRows(500), obs("w").rows(499).build()), 499, 500, ">=", false);
        ConditionOutcome known = outcome(Condition.newRows(500), obs("w").rows(10).rowsSinceTraining(7000).build());
        assertOutcome(known, 7000, 500, ">=", true);
        assertThat(known.note()).contains("7000 rows since the training data, as observed");

        Observation versions = obs("w").datasetVersions(List.of("sha256:aa", "sha256:bb")).build();
        assertOutcome(outcome(Condition.newDatasetVersions(2), versions), 2, 2, ">=", true);
        assertOutcome(outcome(Condition.newDatasetVersions(3), versions), 2, 3, ">=", false);
    }

    @Test
    void newRowsAndNewVersionsCountAcrossWindowsThroughTheState() {
        RetrainingPolicy p = RetrainingPolicy.builder("p")
                .allOf(Condition.newRows(1000), Condition.newInputVersion()).build();
        Clock clock = Clock.fixed(T0, ZoneOffset.UTC);
        PolicyEngine.Evaluation e1 = PolicyEngine.evaluate(p, PolicyState.INITIAL,
                obs("w1").rows(400).datasetVersions(List.of("sha256:aa")).build(), clock, TestDetectors.factory());
        assertOutcome(e1.decision().condition("conditions[0]").orElseThrow(), 400, 1000, ">=", false);
        assertOutcome(e1.decision().condition("conditions[1]").orElseThrow(), 1, 1, ">=", true);
        PolicyEngine.Evaluation e2 = PolicyEngine.evaluate(p, e1.state(),
                obs("w2").rows(700).datasetVersions(List.of("sha256:aa")).build(), clock, TestDetectors.factory());
        assertOutcome(e2.decision().condition("conditions[0]").orElseThrow(), 1100, 1000, ">=", true);
        assertOutcome(e2.decision().condition("conditions[1]").orElseThrow(), 0, 1, ">=", false);
        assertThat(e2.decision().status()).isEqualTo(Decision.Status.NO_RETRAIN);
        PolicyEngine.Evaluation e3 = PolicyEngine.evaluate(p, e2.state(),
                obs("w3").rows(1).datasetVersions(List.of("sha256:aa", "sha256:bb")).build(), clock,
                TestDetectors.factory());
        ConditionOutcome fresh = e3.decision().condition("conditions[1]").orElseThrow();
        assertOutcome(fresh, 1, 1, ">=", true);
        assertThat(fresh.note()).contains("new: sha256:bb");
        assertThat(e3.decision().status()).isEqualTo(Decision.Status.RETRAIN);
        // the retrain starts the row count again
        assertThat(e3.state().rowsSinceRetrain()).isZero();
        PolicyEngine.Evaluation e4 = PolicyEngine.evaluate(p, e3.state(), obs("w4").rows(600).build(), clock,
                TestDetectors.factory());
        assertOutcome(e4.decision().condition("conditions[0]").orElseThrow(), 600, 1000, ">=", false);
    }

    @Test
    void timeConditions() {
        Condition age = Condition.modelAge(Duration.ofDays(30));
        Observation created = obs("w").modelCreatedAt(Instant.parse("2024-01-31T00:00:00Z")).build();
        ConditionOutcome o = decide(age, created, Instant.parse("2024-03-01T00:00:00Z")).condition("conditions[0]")
                .orElseThrow();
        assertOutcome(o, 2_592_000, 2_592_000, ">=", true);
        assertThat(o.description()).isEqualTo("model age >= PT720H (2592000 s)");
        ConditionOutcome younger = decide(age, created, Instant.parse("2024-02-29T23:59:59.5Z"))
                .condition("conditions[0]").orElseThrow();
        assertOutcome(younger, 2_591_999.5, 2_592_000, ">=", false);
        assertAbsent(outcome(age, obs("w").build()), "the observation has no model creation time");

        Condition daily = new Condition.Schedule(Duration.ofDays(1), Instant.parse("2024-01-01T00:00:00Z"));
        assertOutcome(decide(daily, obs("w").build(), T0).condition("conditions[0]").orElseThrow(), 0, 1, ">=",
                false);
        Observation since = obs("w").modelCreatedAt(Instant.parse("2024-01-01T12:00:00Z")).build();
        ConditionOutcome ticks = decide(daily, since, Instant.parse("2024-01-03T06:00:00Z"))
                .condition("conditions[0]").orElseThrow();
        assertOutcome(ticks, 2, 1, ">=", true);
        assertThat(ticks.note()).contains("2 ticks in (2024-01-01T12:00:00Z, 2024-01-03T06:00:00Z]");
    }

    @Test
    void aScheduleFiresOnTheFirstEvaluationAtOrAfterEachTick() {
        RetrainingPolicy p = RetrainingPolicy.builder("p")
                .anyOf(new Condition.Schedule(Duration.ofHours(6), Instant.parse("2024-01-01T00:00:00Z"))).build();
        TestDetectors.MutableClock clock = new TestDetectors.MutableClock(Instant.parse("2024-01-01T01:00:00Z"));
        PolicyState state = PolicyState.INITIAL;
        String[] times = {"2024-01-01T01:00:00Z", "2024-01-01T05:59:59Z", "2024-01-01T06:00:00Z",
            "2024-01-01T07:00:00Z", "2024-01-02T07:00:00Z"};
        double[] expected = {0, 0, 1, 0, 4};
        for (int i = 0; i < times.length; i++) {
            clock.set(Instant.parse(times[i]));
            PolicyEngine.Evaluation e = PolicyEngine.evaluate(p, state, obs("w" + i).build(), clock,
                    TestDetectors.factory());
            assertThat(e.decision().condition("conditions[0]").orElseThrow().measured())
                    .as("at %s", times[i]).isEqualTo(OptionalDouble.of(expected[i]));
            state = e.state();
        }
    }

    @Test
    void aDecayConditionCarriesItsDetectorsValuesAcrossWindows() {
        RetrainingPolicy p = RetrainingPolicy.builder("p")
                .anyOf(Condition.decay("ddm")).build();
        Clock clock = Clock.fixed(T0, ZoneOffset.UTC);
        PolicyEngine.Evaluation e1 = PolicyEngine.evaluate(p, PolicyState.INITIAL,
                obs("w1").outcomes("error", 1, 0, 1, 0).build(), clock, TestDetectors.factory());
        assertOutcome(e1.decision().condition("conditions[0]").orElseThrow(), 0, 1, ">=", false);
        assertThat(e1.state().detectorHistory()).containsEntry(key(p, 0), List.of(1.0, 0.0, 1.0, 0.0));
        PolicyEngine.Evaluation e2 = PolicyEngine.evaluate(p, e1.state(), obs("w2").outcomes("error", 0, 1).build(),
                clock, TestDetectors.factory());
        assertOutcome(e2.decision().condition("conditions[0]").orElseThrow(), 0, 1, ">=", false);
        // the third 1 among the last five values: 1 0 0 1 1
        PolicyEngine.Evaluation e3 = PolicyEngine.evaluate(p, e2.state(), obs("w3").outcomes("error", 1, 0).build(),
                clock, TestDetectors.factory());
        ConditionOutcome fired = e3.decision().condition("conditions[0]").orElseThrow();
        assertOutcome(fired, 1, 1, ">=", true);
        assertThat(fired.note()).contains("1 change, the first at value 0 of 2 in this window (after 6 earlier)");
        assertThat(e3.decision().retrain()).isTrue();
        assertThat(e3.state().detectorHistory()).isEmpty();

        // without a retrain the values after the change are kept
        RetrainingPolicy held = p.toBuilder().warmUp(10).build();
        PolicyEngine.Evaluation h = PolicyEngine.evaluate(held, e2.state(), obs("w3").outcomes("error", 1, 0).build(),
                clock, TestDetectors.factory());
        assertThat(h.decision().status()).isEqualTo(Decision.Status.HELD);
        assertThat(h.state().detectorHistory()).containsEntry(key(p, 0), List.of(0.0));

        assertAbsent(outcome(Condition.decay("ddm"), obs("w").outcomes("loss", 1).build()),
                "the observation has no outcome stream 'error'");
        ConditionOutcome rejected = outcome(Condition.decay("ddm"), obs("w").outcomes("error", 0, 2).build());
        assertAbsent(rejected, "ddm rejected value 1 of this window: value must be 0 or 1, was 2.0");
        assertAbsent(outcome(Condition.decay("adwin"), obs("w").outcomes("error", 0).build()),
                "detector not available: unknown detector 'adwin'");
    }

    @Test
    void aDecayConditionKeepsAtMostMaxHistoryValues() {
        RetrainingPolicy p = RetrainingPolicy.builder("p")
                .anyOf(new Condition.Decay("ddm", Map.of(), "error", 3)).build();
        PolicyEngine.Evaluation e = PolicyEngine.evaluate(p, PolicyState.INITIAL,
                obs("w1").outcomes("error", 1, 0, 0, 0, 1, 0).build(), Clock.fixed(T0, ZoneOffset.UTC),
                TestDetectors.factory());
        assertThat(e.state().detectorHistory()).containsEntry(key(p, 0), List.of(0.0, 1.0, 0.0));
    }

    @Test
    void combinationsCountTheirConditionsAndListEveryOneDepthFirst() {
        RetrainingPolicy p = RetrainingPolicy.builder("p")
                .atLeast(2, Condition.metricBelow("accuracy", 0.8),
                        Condition.anyOf(Condition.newRows(100), Condition.metricAbove("rmse", 3)),
                        Condition.allOf(Condition.newRows(10), Condition.metricBelow("f1", 0.5)))
                .build();
        Observation o = obs("w").metric("accuracy", 0.9).metric("rmse", 4).metric("f1", 0.625).rows(50).build();
        Decision d = PolicyEngine.evaluate(p, PolicyState.INITIAL, o, Clock.fixed(T0, ZoneOffset.UTC),
                TestDetectors.factory()).decision();
        assertThat(d.conditions()).extracting(ConditionOutcome::path).containsExactly("conditions",
                "conditions[0]", "conditions[1]", "conditions[1].conditions[0]", "conditions[1].conditions[1]",
                "conditions[2]", "conditions[2].conditions[0]", "conditions[2].conditions[1]");
        assertThat(d.conditions()).extracting(ConditionOutcome::fired)
                .containsExactly(false, false, true, false, true, false, true, false);
        assertOutcome(d.condition("conditions").orElseThrow(), 1, 2, ">=", false);
        assertOutcome(d.condition("conditions[1]").orElseThrow(), 1, 1, ">=", true);
        assertOutcome(d.condition("conditions[2]").orElseThrow(), 1, 2, ">=", false);
        assertThat(d.condition("conditions").orElseThrow().description()).isEqualTo("at least 2 of 3 conditions");
        assertThat(d.status()).isEqualTo(Decision.Status.NO_RETRAIN);
        assertThat(d.triggered()).isFalse();
        assertThat(d.reason()).isEqualTo("no retrain: at least 2 of 3 conditions needed, 1 of 3 fired "
                + "(conditions[1].conditions[1] rmse > 3 (4); conditions[2].conditions[0] new rows >= 10 (50))");
    }

    @Test
    void methodResultsWithoutAStatisticDoNotFire() {
        MethodResult none = new MethodResult(dev.mlops.drift.DriftMethod.PSI, OptionalDouble.empty(),
                OptionalDouble.empty(), 0.2, false, java.util.Optional.of("no values"), java.util.Optional.empty());
        assertThat(none.statistic()).isEmpty();
    }
}
