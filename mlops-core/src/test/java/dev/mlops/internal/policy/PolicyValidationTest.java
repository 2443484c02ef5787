package dev.mlops.internal.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.InvalidArgumentException;
import dev.mlops.policy.Condition;
import dev.mlops.policy.PolicyContext;
import dev.mlops.policy.RetrainingPolicy;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PolicyValidationTest {

    private static String policy(String top, String conditions, String guards) {
        return "{\"name\": \"p\", " + top + "\"conditions\": [" + conditions + "], \"guards\": {" + guards + "}}";
    }

    private static String conditions(String conditions) {
        return policy("\"match\": \"any_of\", ", conditions, "");
    }

    private static String guards(String guards) {
        return policy("\"match\": \"any_of\", ", "{\"type\": \"new_rows\", \"min_rows\": 10}", guards);
    }

    private static final String METRIC = "{\"type\": \"metric_threshold\", \"metric\": \"accuracy\", "
            + "\"direction\": \"higher_is_better\", \"threshold\": 0.8}";

    static Stream<Arguments> badPolicies() {
        return Stream.of(
                Arguments.of(conditions(METRIC + ", " + METRIC + ", {\"type\": \"column_score\", \"column\": \"x\", "
                        + "\"method\": \"psi\", \"threshold\": 0}"),
                        "conditions[2].threshold", "conditions[2].threshold must be > 0, was 0.0"),
                Arguments.of(conditions("{\"type\": \"drift_share\", \"threshold\": 1.5}"),
                        "conditions[0].threshold", "conditions[0].threshold must be in (0, 1], was 1.5"),
                Arguments.of(guards("\"cooldown\": {\"min_time\": \"-PT1H\", \"min_rows\": 10}"),
                        "guards.cooldown.min_time", "guards.cooldown.min_time must be >= 0, was PT-1H"),
                Arguments.of(guards("\"cooldown\": {\"min_time\": \"PT1H\", \"min_rows\": -1}"),
                        "guards.cooldown.min_rows", "guards.cooldown.min_rows must be >= 0, was -1"),
                Arguments.of(guards("\"cooldown\": {}"), "guards.cooldown",
                        "guards.cooldown needs min_time > 0 or min_rows > 0"),
                Arguments.of(policy("\"match\": \"at_least\", \"k\": 4, ", METRIC + "," + METRIC + "," + METRIC, ""),
                        "k", "k must be <= 3 (the number of its conditions), was 4"),
                Arguments.of(conditions(METRIC + ", {\"type\": \"at_least\", \"k\": 0, \"conditions\": [" + METRIC
                        + "]}"), "conditions[1].k", "conditions[1].k must be >= 1, was 0"),
                Arguments.of(policy("\"match\": \"all_of\", ", "{\"type\": \"metric_threshold\", \"metric\": \"acc\", "
                        + "\"direction\": \"higher_is_better\", \"threshold\": 0.5}, {\"type\": \"metric_threshold\", "
                        + "\"metric\": \"acc\", \"direction\": \"lower_is_better\", \"threshold\": 0.7}", ""),
                        "conditions[1]", "conditions[1] can never fire together with conditions[0]: acc > 0.7 and "
                                + "acc < 0.5 exclude each other"),
                Arguments.of(conditions("{\"type\": \"all_of\", \"conditions\": [{\"type\": \"metric_threshold\", "
                        + "\"metric\": \"rmse\", \"direction\": \"lower_is_better\", \"threshold\": 2}, "
                        + "{\"type\": \"all_of\", \"conditions\": [{\"type\": \"metric_threshold\", \"metric\": "
                        + "\"rmse\", \"direction\": \"higher_is_better\", \"threshold\": 2}]}]}"),
                        "conditions[0].conditions[1].conditions[0]",
                        "conditions[0].conditions[1].conditions[0] can never fire together with "
                                + "conditions[0].conditions[0]: rmse < 2 and rmse > 2"),
                Arguments.of(conditions("{\"type\": \"metric_threshold\", \"metric\": \"accuracy\", "
                        + "\"direction\": \"higher_is_better\", \"treshold\": 0.8}"),
                        "conditions[0].threshold", "conditions[0].threshold is required"),
                Arguments.of(conditions("{\"type\": \"new_rows\", \"min_rows\": 5, \"rows\": 3}"),
                        "conditions[0].rows", "conditions[0].rows is not a known field; known here: type, min_rows"),
                Arguments.of("{\"name\": \"p\", \"match\": \"any_of\", \"conditions\": [" + METRIC + "], "
                        + "\"guard\": {}}", "guard", "guard is not a known field"),
                Arguments.of(guards("\"cooldown\": {\"min_time\": \"PT1H\", \"rows\": 3}"), "guards.cooldown.rows",
                        "guards.cooldown.rows is not a known field"),
                Arguments.of(guards("\"approve\": true"), "guards.approve", "guards.approve is not a known field"),
                Arguments.of(conditions("{\"type\": \"metric_threshold\", \"metric\": \"accuracy\", "
                        + "\"direction\": \"higher_is_better\", \"threshold\": \"high\"}"),
                        "conditions[0].threshold", "conditions[0].threshold must be a number, was string \"high\""),
                Arguments.of("{\"name\": \"p\", \"version\": 1.5, \"match\": \"any_of\", \"conditions\": [" + METRIC
                        + "]}", "version", "version must be an integer, was number 1.5"),
                Arguments.of("{\"name\": \"p\", \"version\": 0, \"match\": \"any_of\", \"conditions\": [" + METRIC
                        + "]}", "version", "version must be >= 1, was 0"),
                Arguments.of("{\"name\": 7, \"match\": \"any_of\", \"conditions\": []}", "name",
                        "name must be a string, was number 7"),
                Arguments.of("{\"name\": \" \", \"match\": \"any_of\", \"conditions\": [" + METRIC + "]}", "name",
                        "name must not be blank"),
                Arguments.of("[1, 2]", "", "the document must be an object, was array [1,2]"),
                Arguments.of(conditions("{\"type\": \"metric_treshold\"}"), "conditions[0].type",
                        "conditions[0].type must be one of column_drift"),
                Arguments.of(conditions("{\"type\": \"metric_threshold\", \"metric\": \"accuracy\", "
                        + "\"direction\": \"up\", \"threshold\": 0.8}"), "conditions[0].direction",
                        "conditions[0].direction must be one of higher_is_better, lower_is_better, was \"up\""),
                Arguments.of(conditions("{\"type\": \"metric_threshold\", \"direction\": \"higher_is_better\", "
                        + "\"threshold\": 0.8}"), "conditions[0].metric", "conditions[0].metric is required"),
                Arguments.of(conditions("{\"type\": \"decay\", \"detector\": \"cusum\"}"), "conditions[0].detector",
                        "conditions[0].detector must be one of adwin, ddm, eddm, page_hinkley, was 'cusum'"),
                Arguments.of(conditions("{\"type\": \"decay\", \"detector\": \"adwin\", \"params\": {\"delta\": "
                        + "\"small\"}}"), "conditions[0].params.delta",
                        "conditions[0].params.delta must be a number"),
                Arguments.of(conditions("{\"type\": \"decay\", \"detector\": \"adwin\", \"max_history\": 0}"),
                        "conditions[0].max_history", "conditions[0].max_history must be in [1, 1000000], was 0"),
                Arguments.of(conditions(""), "conditions", "conditions must not be empty"),
                Arguments.of(conditions("{\"type\": \"any_of\", \"conditions\": []}"), "conditions[0].conditions",
                        "conditions[0].conditions must not be empty"),
                Arguments.of("{\"name\": \"p\", \"match\": \"first_of\", \"conditions\": [" + METRIC + "]}", "match",
                        "match must be one of any_of, all_of, at_least, was \"first_of\""),
                Arguments.of("{\"name\": \"p\", \"match\": \"any_of\", \"conditions\": [" + METRIC + "]",
                        "json", "malformed policy JSON at line 1"),
                Arguments.of("{\"name\": \"p\", \"name\": \"q\", \"match\": \"any_of\", \"conditions\": [" + METRIC
                        + "]}", "json", "Duplicate field 'name'"),
                Arguments.of("{\"format\": \"mlops.retraining_policy\", \"format_version\": 2, \"name\": \"p\", "
                        + "\"match\": \"any_of\", \"conditions\": [" + METRIC + "]}", "format_version",
                        "format_version must be 1, was 2"),
                Arguments.of(guards("\"hysteresis\": {\"required\": 3, \"of\": 2}"), "guards.hysteresis.of",
                        "guards.hysteresis.of must be >= required (3), was 2"),
                Arguments.of(guards("\"hysteresis\": {\"required\": 0, \"of\": 2}"), "guards.hysteresis.required",
                        "guards.hysteresis.required must be >= 1, was 0"),
                Arguments.of(guards("\"warm_up\": {\"windows\": 0}"), "guards.warm_up.windows",
                        "guards.warm_up.windows must be >= 1, was 0"),
                Arguments.of(guards("\"budget\": {\"max\": 0, \"period\": \"P7D\"}"), "guards.budget.max",
                        "guards.budget.max must be in [1, 1000], was 0"),
                Arguments.of(guards("\"budget\": {\"max\": 2, \"period\": \"PT0S\"}"), "guards.budget.period",
                        "guards.budget.period must be > 0, was PT0S"),
                Arguments.of(guards("\"backoff\": {\"initial\": \"PT1H\", \"multiplier\": 0.5, \"max\": \"PT2H\"}"),
                        "guards.backoff.multiplier", "guards.backoff.multiplier must be a finite number >= 1, was 0.5"),
                Arguments.of(guards("\"backoff\": {\"initial\": \"PT2H\", \"multiplier\": 2, \"max\": \"PT1H\"}"),
                        "guards.backoff.max", "guards.backoff.max must be >= initial (PT2H), was PT1H"),
                Arguments.of(guards("\"allowed_times\": {\"zone\": \"Mars/Olympus\", \"windows\": []}"),
                        "guards.allowed_times.zone", "guards.allowed_times.zone must be a time-zone id"),
                Arguments.of(guards("\"allowed_times\": {\"zone\": \"UTC\", \"windows\": []}"),
                        "guards.allowed_times.windows", "guards.allowed_times.windows must not be empty"),
                Arguments.of(guards("\"allowed_times\": {\"zone\": \"UTC\", \"windows\": [{\"days\": [\"monday\", "
                        + "\"funday\"], \"from\": \"01:00\", \"to\": \"02:00\"}]}"),
                        "guards.allowed_times.windows[0].days[1]",
                        "guards.allowed_times.windows[0].days[1] must be one of monday, tuesday"),
                Arguments.of(guards("\"allowed_times\": {\"zone\": \"UTC\", \"windows\": [{\"days\": [\"monday\"], "
                        + "\"from\": \"01:00\", \"to\": \"01:00\"}]}"), "guards.allowed_times.windows[0].to",
                        "guards.allowed_times.windows[0].to must differ from from (01:00)"),
                Arguments.of(guards("\"allowed_times\": {\"zone\": \"UTC\", \"windows\": [{\"days\": [], "
                        + "\"from\": \"01:00\", \"to\": \"02:00\"}]}"), "guards.allowed_times.windows[0].days",
                        "guards.allowed_times.windows[0].days must not be empty"),
                Arguments.of(guards("\"allowed_times\": {\"zone\": \"UTC\", \"windows\": [{\"days\": [\"monday\"], "
                        + "\"from\": \"25:00\", \"to\": \"02:00\"}]}"), "guards.allowed_times.windows[0].from",
                        "guards.allowed_times.windows[0].from must be a local time"),
                Arguments.of(guards("\"approval\": \"yes\""), "guards.approval",
                        "guards.approval must be true or false, was string \"yes\""),
                Arguments.of(conditions("{\"type\": \"schedule\", \"every\": \"PT0S\"}"), "conditions[0].every",
                        "conditions[0].every must be > 0, was PT0S"),
                Arguments.of(conditions("{\"type\": \"model_age\", \"max_age\": \"30 days\"}"),
                        "conditions[0].max_age", "conditions[0].max_age must be an ISO-8601 duration"),
                Arguments.of(conditions("{\"type\": \"schedule\", \"every\": \"P1D\", \"anchor\": \"monday\"}"),
                        "conditions[0].anchor", "conditions[0].anchor must be an ISO-8601 instant"),
                Arguments.of(conditions("{\"type\": \"new_rows\", \"min_rows\": 0}"), "conditions[0].min_rows",
                        "conditions[0].min_rows must be >= 1, was 0"),
                Arguments.of(conditions("{\"type\": \"new_dataset_versions\", \"min_versions\": 0}"),
                        "conditions[0].min_versions", "conditions[0].min_versions must be >= 1, was 0"),
                Arguments.of(conditions("{\"type\": \"column_score\", \"column\": \"x\", \"method\": \"psy\", "
                        + "\"threshold\": 0.2}"), "conditions[0].method",
                        "conditions[0].method: unknown drift method 'psy'"),
                Arguments.of(conditions("{\"type\": \"metric_vs_baseline\", \"metric\": \"f1\", "
                        + "\"direction\": \"higher_is_better\", \"change\": \"relative\", \"margin\": -0.1}"),
                        "conditions[0].margin", "conditions[0].margin must be >= 0, was -0.1"),
                Arguments.of(conditions("{\"type\": \"metric_vs_baseline\", \"metric\": \"f1\", "
                        + "\"direction\": \"higher_is_better\", \"change\": \"percent\", \"margin\": 0.1}"),
                        "conditions[0].change", "conditions[0].change must be one of absolute, relative"),
                Arguments.of(conditions("{\"type\": \"metric_threshold\", \"metric\": \"accuracy\", "
                        + "\"direction\": \"higher_is_better\", \"threshold\": 0.8, \"windows\": 0}"),
                        "conditions[0].windows", "conditions[0].windows must be in [1, 1000], was 0"),
                Arguments.of(conditions("{\"type\": \"column_drift\", \"column\": \"\"}"), "conditions[0].column",
                        "conditions[0].column must not be empty"));
    }

    @ParameterizedTest
    @MethodSource("badPolicies")
    void badPoliciesAreRejectedNamingThePath(String json, String field, String message) {
        assertThatThrownBy(() -> RetrainingPolicy.fromJson(json))
                .isInstanceOfSatisfying(InvalidArgumentException.class, e -> {
                    assertThat(e.field()).contains(field);
                    assertThat(e.getMessage()).contains(message);
                });
    }

    @Test
    void theBuilderChecksAsJsonReadingDoes() {
        assertThatThrownBy(() -> RetrainingPolicy.builder("p").build())
                .isInstanceOfSatisfying(InvalidArgumentException.class,
                        e -> assertThat(e.field()).contains("conditions"));
        assertThatThrownBy(() -> RetrainingPolicy.builder("p").when(Condition.newRows(5)).build())
                .isInstanceOfSatisfying(InvalidArgumentException.class, e -> {
                    assertThat(e.field()).contains("match");
                    assertThat(e.getMessage()).contains("must be any_of, all_of or at_least, was new_rows");
                });
        assertThatThrownBy(() -> RetrainingPolicy.builder("p").anyOf(Condition.newRows(5))
                .cooldown(Duration.ofHours(-2), 0).build())
                .isInstanceOfSatisfying(InvalidArgumentException.class, e -> {
                    assertThat(e.field()).contains("guards.cooldown.min_time");
                    assertThat(e.getMessage()).isEqualTo("guards.cooldown.min_time must be >= 0, was PT-2H");
                });
        assertThatThrownBy(() -> RetrainingPolicy.builder("p").anyOf(Condition.metricBelow("a", Double.NaN)).build())
                .isInstanceOfSatisfying(InvalidArgumentException.class, e -> {
                    assertThat(e.field()).contains("conditions[0].threshold");
                    assertThat(e.getMessage()).isEqualTo("conditions[0].threshold must be a finite number, was NaN");
                });
        assertThatThrownBy(() -> RetrainingPolicy.fromYaml("name: [unclosed"))
                .isInstanceOfSatisfying(InvalidArgumentException.class,
                        e -> assertThat(e.field()).contains("yaml"));
    }

    @Test
    void contradictionsOnlyMatterWhereEveryConditionMustFire() {
        // any_of and at_least below the number of conditions may hold either side
        RetrainingPolicy.builder("p").anyOf(Condition.metricBelow("acc", 0.5), Condition.metricAbove("acc", 0.7))
                .build();
        RetrainingPolicy.builder("p").atLeast(1, Condition.metricBelow("acc", 0.5), Condition.metricAbove("acc", 0.7))
                .build();
        // overlapping ranges can fire together: 0.6 < acc < 0.9
        RetrainingPolicy.builder("p").allOf(Condition.metricBelow("acc", 0.9), Condition.metricAbove("acc", 0.6))
                .build();
        assertThatThrownBy(() -> RetrainingPolicy.builder("p").atLeast(2, Condition.metricBelow("acc", 0.5),
                Condition.metricAbove("acc", 0.5)).build())
                .isInstanceOfSatisfying(InvalidArgumentException.class,
                        e -> assertThat(e.field()).contains("conditions[1]"));
    }

    private static final RetrainingPolicy BOUND = RetrainingPolicy.builder("bound")
            .anyOf(Condition.metricBelow("accuracy", 0.8),
                    Condition.allOf(Condition.columnDrift("temp_max"), Condition.decay("ddm")))
            .build();

    @Test
    void aPolicyBoundToAModelNamesOnlyItsMetricsColumnsAndDetectors() {
        PolicyContext context = PolicyContext.of(Set.of("accuracy", "f1"), Set.of("temp_max", "weather"))
                .withDetectors(TestDetectors.factory());
        BOUND.validate(context);

        assertThatThrownBy(() -> BOUND.validate(PolicyContext.of(Set.of("f1", "auc"), Set.of("temp_max"))))
                .isInstanceOfSatisfying(InvalidArgumentException.class, e -> {
                    assertThat(e.field()).contains("conditions[0].metric");
                    assertThat(e.getMessage()).isEqualTo(
                            "conditions[0].metric names unknown metric 'accuracy'; known: auc, f1");
                });
        assertThatThrownBy(() -> BOUND.validate(PolicyContext.of(Set.of("accuracy"), Set.of("weather"))))
                .isInstanceOfSatisfying(InvalidArgumentException.class, e -> {
                    assertThat(e.field()).contains("conditions[1].conditions[0].column");
                    assertThat(e.getMessage()).isEqualTo(
                            "conditions[1].conditions[0].column names unknown column 'temp_max'; known: weather");
                });
        assertThatThrownBy(() -> BOUND.validate(context.withDetectors(dev.mlops.policy.DetectorFactory.none())))
                .isInstanceOfSatisfying(InvalidArgumentException.class, e -> {
                    assertThat(e.field()).contains("conditions[1].conditions[1].detector");
                    assertThat(e.getMessage()).contains("names detector 'ddm' that is not available");
                });
        // valid for the published DDM, but the context's factory (a stand-in under the same name) refuses it
        RetrainingPolicy otherParams = RetrainingPolicy.builder("b")
                .anyOf(Condition.decay("ddm", Map.of("min_instances", 10.0))).build();
        assertThatThrownBy(() -> otherParams.validate(context))
                .isInstanceOfSatisfying(InvalidArgumentException.class, e -> {
                    assertThat(e.field()).contains("conditions[0].params.min_instances");
                    assertThat(e.getMessage()).startsWith("conditions[0].params.min_instances: ")
                            .contains("unknown parameter 'min_instances'");
                });
    }

    /** A one-condition policy with a decay condition, as JSON and as YAML. */
    private static String decayJson(String detector, String params) {
        return "{\"name\": \"d\", \"match\": \"any_of\", \"conditions\": [" + METRIC + ", {\"type\": \"decay\", "
                + "\"detector\": \"" + detector + "\", \"params\": " + params + ", \"stream\": \"error\"}]}";
    }

    private static String decayYaml(String detector, String params) {
        return "name: d\nmatch: any_of\nconditions:\n  - type: metric_threshold\n    metric: accuracy\n"
                + "    direction: higher_is_better\n    threshold: 0.8\n  - type: decay\n    detector: " + detector
                + "\n    params: " + params + "\n    stream: error\n";
    }

    static Stream<Arguments> badDetectorParameters() {
        return Stream.of(
                Arguments.of("ddm", Map.of("lamda", 3.0), "conditions[1].params.lamda",
                        "conditions[1].params.lamda: unknown parameter 'lamda'; known: [change_level, min_instances, "
                                + "warning_level]"),
                Arguments.of("page_hinkley", Map.of("lambda", -1.0), "conditions[1].params.lambda",
                        "conditions[1].params.lambda: lambda must be finite and > 0.0, was -1.0"),
                Arguments.of("ddm", Map.of("min_instances", 2.5), "conditions[1].params.min_instances",
                        "conditions[1].params.min_instances must be a whole number, was 2.5"),
                Arguments.of("adwin", Map.of("delta", 1.5), "conditions[1].params.delta",
                        "conditions[1].params.delta: delta must be in (0.0, 1.0), was 1.5"),
                Arguments.of("eddm", Map.of("alpha", 0.9, "beta", 0.95), "conditions[1].params.beta",
                        "conditions[1].params.beta: beta must be <= alpha (0.9), was 0.95"));
    }

    @ParameterizedTest
    @MethodSource("badDetectorParameters")
    void aDecayConditionsParametersAreCheckedAgainstThePublishedDetectorWhenBuiltOrRead(String detector,
            Map<String, Double> params, String field, String message) {
        String json = "{" + String.join(", ", params.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(e -> "\"" + e.getKey() + "\": " + e.getValue()).toList()) + "}";
        java.util.List<org.assertj.core.api.ThrowableAssert.ThrowingCallable> ways = java.util.List.of(
                () -> RetrainingPolicy.builder("d").anyOf(Condition.metricBelow("accuracy", 0.8),
                        Condition.decay(detector, params)).build(),
                () -> RetrainingPolicy.fromJson(decayJson(detector, json)),
                () -> RetrainingPolicy.fromYaml(decayYaml(detector, json)));
        for (org.assertj.core.api.ThrowableAssert.ThrowingCallable way : ways) {
            assertThatThrownBy(way).isInstanceOfSatisfying(InvalidArgumentException.class, e -> {
                assertThat(e.field()).contains(field);
                assertThat(e.getMessage()).isEqualTo(message);
            });
        }
    }

    @Test
    void aDecayConditionWithValidParametersIsBuiltAndReadBack() {
        Map<String, Double> params = Map.of("lambda", 25.0, "delta", 0.01, "min_instances", 20.0);
        RetrainingPolicy built = RetrainingPolicy.builder("d").anyOf(Condition.metricBelow("accuracy", 0.8),
                Condition.decay("page_hinkley", params)).build();
        String json = "{\"delta\": 0.01, \"lambda\": 25, \"min_instances\": 20}";
        assertThat(RetrainingPolicy.fromJson(decayJson("page_hinkley", json)).trigger()).isEqualTo(built.trigger());
        assertThat(RetrainingPolicy.fromYaml(decayYaml("page_hinkley", json)).trigger()).isEqualTo(built.trigger());
        assertThat(RetrainingPolicy.fromJson(built.toJson())).isEqualTo(built);
        // no parameters: the published defaults
        RetrainingPolicy.builder("d").anyOf(Condition.decay("adwin")).build();
    }

    @Test
    void contradictionsAreFoundThroughAOneConditionAnyOfAndAnAtLeastNeedingAll() {
        assertThatThrownBy(() -> RetrainingPolicy.builder("p").allOf(Condition.metricBelow("acc", 0.5),
                Condition.anyOf(Condition.metricAbove("acc", 0.6))).build())
                .isInstanceOfSatisfying(InvalidArgumentException.class, e -> {
                    assertThat(e.field()).contains("conditions[1].conditions[0]");
                    assertThat(e.getMessage()).isEqualTo("conditions[1].conditions[0] can never fire together with "
                            + "conditions[0]: acc > 0.6 and acc < 0.5 exclude each other, so all of them never fire");
                });
        assertThatThrownBy(() -> RetrainingPolicy.builder("p").allOf(Condition.metricBelow("acc", 0.5),
                Condition.atLeast(1, Condition.metricAbove("acc", 0.6))).build())
                .isInstanceOfSatisfying(InvalidArgumentException.class,
                        e -> assertThat(e.field()).contains("conditions[1].conditions[0]"));
        assertThatThrownBy(() -> RetrainingPolicy.builder("p").allOf(Condition.metricBelow("acc", 0.5),
                Condition.atLeast(2, Condition.columnDrift("x"), Condition.metricAbove("acc", 0.6))).build())
                .isInstanceOfSatisfying(InvalidArgumentException.class,
                        e -> assertThat(e.field()).contains("conditions[1].conditions[1]"));
        // nested all the way down: all_of[acc < 0.5, any_of[all_of[any_of[acc > 0.6]]]]
        assertThatThrownBy(() -> RetrainingPolicy.builder("p").allOf(Condition.metricBelow("acc", 0.5),
                Condition.anyOf(Condition.allOf(Condition.anyOf(Condition.metricAbove("acc", 0.6))))).build())
                .isInstanceOfSatisfying(InvalidArgumentException.class, e -> assertThat(e.field())
                        .contains("conditions[1].conditions[0].conditions[0].conditions[0]"));
        // the same from JSON
        assertThatThrownBy(() -> RetrainingPolicy.fromJson(policy("\"match\": \"all_of\", ", "{\"type\": "
                + "\"metric_threshold\", \"metric\": \"acc\", \"direction\": \"higher_is_better\", \"threshold\": 0.5}, "
                + "{\"type\": \"any_of\", \"conditions\": [{\"type\": \"metric_threshold\", \"metric\": \"acc\", "
                + "\"direction\": \"lower_is_better\", \"threshold\": 0.6}]}", "")))
                .isInstanceOfSatisfying(InvalidArgumentException.class,
                        e -> assertThat(e.field()).contains("conditions[1].conditions[0]"));
        // satisfiable: another condition of the any_of can fire with acc < 0.5, as can at_least 1 of 2
        RetrainingPolicy.builder("p").allOf(Condition.metricBelow("acc", 0.5),
                Condition.anyOf(Condition.metricAbove("acc", 0.6), Condition.driftShare(0.5))).build();
        RetrainingPolicy.builder("p").allOf(Condition.metricBelow("acc", 0.5),
                Condition.atLeast(1, Condition.metricAbove("acc", 0.6), Condition.driftShare(0.5))).build();
        // a one-condition any_of whose range overlaps: 0.4 < acc < 0.5
        RetrainingPolicy.builder("p").allOf(Condition.metricBelow("acc", 0.5),
                Condition.anyOf(Condition.metricAbove("acc", 0.4))).build();
    }
}
