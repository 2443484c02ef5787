package dev.mlops.internal.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.IntegrityException;
import dev.mlops.policy.Condition;
import dev.mlops.policy.Decision;
import dev.mlops.policy.Decision.Status;
import dev.mlops.policy.Observation;
import dev.mlops.policy.RetrainingPolicies;
import dev.mlops.policy.RetrainingPolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;

/** Property-style checks over seeded random policies and histories. */
class PolicyPropertiesTest {
    static final Instant START = Instant.parse("2024-01-01T00:00:00Z");
    private static final dev.mlops.drift.WindowReport WINDOW = ConditionsTest.window();

    /** A random history: metrics, rows, versions, error streams; the clock mostly moves on, sometimes back. */
    record Step(Observation observation, Instant now) {
    }

    static List<Step> history(SplittableRandom r, int n) {
        List<Step> steps = new ArrayList<>();
        Instant now = START;
        List<String> versions = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            now = r.nextInt(15) == 0 ? now.minus(Duration.ofMinutes(1 + r.nextInt(600)))
                    : now.plus(Duration.ofMinutes(r.nextInt(3 * 24 * 60)));
            if (r.nextInt(5) == 0) {
                versions.add("sha256:" + Integer.toHexString(r.nextInt()));
            }
            double[] errors = new double[r.nextInt(30)];
            for (int j = 0; j < errors.length; j++) {
                errors[j] = r.nextInt(4) == 0 ? 1 : 0;
            }
            // sometimes the same window id again
            String window = i > 0 && r.nextInt(20) == 0 ? "w" + r.nextInt(i) : "w" + i;
            Observation.Builder b = Observation.builder(window, now, "m")
                    .metric("accuracy", r.nextDouble()).metric("f1", r.nextDouble())
                    .metric("rmse", r.nextDouble() * 5).metric("loss", r.nextDouble())
                    .baseline("accuracy", 0.8).baseline("rmse", 2).baseline("f1", r.nextDouble())
                    .rows(r.nextInt(5000)).datasetVersions(versions).outcomes("error", errors)
                    .modelCreatedAt(START.minus(Duration.ofDays(r.nextInt(100))));
            if (r.nextBoolean()) {
                b.window(WINDOW);
            }
            steps.add(new Step(b.build(), now));
        }
        return steps;
    }

    /** A random policy whose decay conditions use the test detector (with its defaults, n = 5 and k = 3). */
    static RetrainingPolicy policy(SplittableRandom r) {
        RetrainingPolicy p = RandomPolicies.policy(r);
        return new RetrainingPolicy(p.name(), p.version(), p.description(), ddm(p.trigger()), p.guards());
    }

    private static Condition ddm(Condition c) {
        if (c instanceof Condition.Decay d) {
            return new Condition.Decay("ddm", Map.of(), "error", d.maxHistory());
        } else if (c instanceof Condition.AnyOf a) {
            return new Condition.AnyOf(a.conditions().stream().map(PolicyPropertiesTest::ddm).toList());
        } else if (c instanceof Condition.AllOf a) {
            return new Condition.AllOf(a.conditions().stream().map(PolicyPropertiesTest::ddm).toList());
        } else if (c instanceof Condition.AtLeast a) {
            return new Condition.AtLeast(a.k(), a.conditions().stream().map(PolicyPropertiesTest::ddm).toList());
        }
        return c;
    }

    static List<PolicyEngine.Evaluation> replay(RetrainingPolicy policy, List<Step> steps) {
        List<PolicyEngine.Evaluation> out = new ArrayList<>();
        PolicyState state = PolicyState.INITIAL;
        TestDetectors.MutableClock clock = new TestDetectors.MutableClock(START);
        for (Step s : steps) {
            clock.set(s.now());
            PolicyEngine.Evaluation e = PolicyEngine.evaluate(policy, state, s.observation(), clock,
                    TestDetectors.factory());
            out.add(e);
            state = e.state();
            // the state survives its JSON form exactly
            String json = PolicyStateJson.write(state);
            assertThat(PolicyStateJson.read(json)).isEqualTo(state);
            assertThat(PolicyStateJson.write(PolicyStateJson.read(json))).isEqualTo(json);
        }
        return out;
    }

    @RepeatedTest(40)
    void theSameHistoryAndClockGiveTheSameDecisions(RepetitionInfo info) {
        SplittableRandom r = new SplittableRandom(0xdec1_0000L + info.getCurrentRepetition());
        RetrainingPolicy policy = policy(r);
        List<Step> steps = history(r, 40);
        List<PolicyEngine.Evaluation> first = replay(policy, steps);
        List<PolicyEngine.Evaluation> second = replay(RetrainingPolicy.fromJson(policy.toJson()), steps);
        assertThat(second).isEqualTo(first);
    }

    @RepeatedTest(60)
    void invariantsHoldOnRandomHistories(RepetitionInfo info) {
        SplittableRandom r = new SplittableRandom(0x1a7_0000L + info.getCurrentRepetition());
        RetrainingPolicy policy = policy(r);
        List<Step> steps = history(r, 40);
        List<PolicyEngine.Evaluation> run = replay(policy, steps);
        List<String> retrained = new ArrayList<>();
        List<Instant> retrainTimes = new ArrayList<>();
        Instant last = null;
        long rowsSince = 0;
        for (int i = 0; i < run.size(); i++) {
            Decision d = run.get(i).decision();
            Step s = steps.get(i);
            assertThat(d.windowId()).isEqualTo(s.observation().windowId());
            assertThat(d.decidedAt()).isEqualTo(s.now());
            assertThat(d.policy()).isEqualTo(policy.name());
            assertThat(d.policyVersion()).isEqualTo(policy.version());
            boolean backwards = last != null && s.now().isBefore(last);
            if (backwards) {
                assertThat(d.status()).isEqualTo(Status.FAILED);
                assertThat(run.get(i).state()).isEqualTo(i == 0 ? PolicyState.INITIAL : run.get(i - 1).state());
                continue;
            }
            if (d.status() == Status.FAILED) {
                assertThat(d.reason()).contains("was already decided");
                continue;
            }
            last = s.now();
            rowsSince += s.observation().rows();
            // every condition is listed, the top-level combination first
            assertThat(d.conditions().get(0).path()).isEqualTo("conditions");
            assertThat(d.triggered()).isEqualTo(d.conditions().get(0).fired());
            assertThat(d.status() == Status.NO_RETRAIN).isEqualTo(!d.triggered());
            assertThat(d.guards()).extracting(g -> g.guard().ordinal()).isSorted();
            if (d.retrain()) {
                assertThat(retrained).doesNotContain(d.windowId());
                Instant now = s.now();
                policy.guards().budget().ifPresent(b -> assertThat(retrainTimes.stream()
                        .filter(t -> t.isAfter(now.minus(b.period()))).count()).isLessThan(b.max()));
                if (!retrainTimes.isEmpty()) {
                    Instant previous = retrainTimes.get(retrainTimes.size() - 1);
                    long rows = rowsSince;
                    policy.guards().cooldown().ifPresent(c -> {
                        assertThat(Duration.between(previous, now)).isGreaterThanOrEqualTo(c.minTime());
                        assertThat(rows).isGreaterThanOrEqualTo(c.minRows());
                    });
                }
                retrained.add(d.windowId());
                retrainTimes.add(now);
                rowsSince = 0;
            }
        }
    }

    @RepeatedTest(10)
    void theServiceDecidesAsThePureEvaluationAndRepeatsItsDecisions(RepetitionInfo info) {
        SplittableRandom r = new SplittableRandom(0x5e7_0000L + info.getCurrentRepetition());
        RetrainingPolicy policy = policy(r);
        policy = policy.toBuilder().approval(false).build();
        List<Step> steps = history(r, 30);
        List<PolicyEngine.Evaluation> pure = replay(policy, steps);
        InMemoryPolicyStateStore store = new InMemoryPolicyStateStore();
        TestDetectors.MutableClock clock = new TestDetectors.MutableClock(START);
        java.util.Set<String> decided = new java.util.HashSet<>();
        for (int i = 0; i < steps.size(); i++) {
            clock.set(steps.get(i).now());
            // a new service for every window: nothing is remembered outside the store
            RetrainingPolicies service = new PolicyEvaluator(store, clock, TestDetectors.factory());
            Decision d = service.evaluate(policy, steps.get(i).observation());
            Decision expected = pure.get(i).decision();
            if (decided.contains(d.windowId())) {
                // a decided window is answered with its stored decision, whatever the clock says
                assertThat(Optional.of(d)).isEqualTo(service.decision(policy.name(), "m", d.windowId()));
                assertThat(d.decidedAt()).isNotEqualTo(steps.get(i).now());
            } else {
                assertThat(d).isEqualTo(expected);
                if (d.status() != Status.FAILED) {
                    decided.add(d.windowId());
                }
            }
        }
        assertThat(store.decisions(new PolicyStateStore.Key(policy.name(), "m")).stream().filter(Decision::retrain)
                .map(Decision::windowId)).doesNotHaveDuplicates();
    }

    @Test
    void aDamagedStateIsAnIntegrityError() {
        Assertions.assertThatThrownBy(() -> PolicyStateJson.read("{\"format\": \"mlops.policy_state\"}"))
                .isInstanceOf(IntegrityException.class).hasMessageContaining("format_version is required");
        Assertions.assertThatThrownBy(() -> PolicyStateJson.read("not json"))
                .isInstanceOf(IntegrityException.class);
        String json = PolicyStateJson.write(PolicyState.INITIAL);
        assertThat(json).isEqualTo("{\"format\":\"mlops.policy_state\",\"format_version\":2,\"windows\":0,"
                + "\"windows_since_retrain\":0,\"rows_since_retrain\":0,\"retrain_times\":[],\"trigger_history\":[],"
                + "\"consecutive_failures\":0,\"recent_windows\":[],\"seen_dataset_versions\":[],"
                + "\"detector_history\":{},\"metric_history\":{},\"pending_triggers\":{}}");
        Assertions.assertThatThrownBy(() -> PolicyStateJson.read(json.replace("\"format_version\":2",
                "\"format_version\":3"))).isInstanceOf(IntegrityException.class).hasMessageContaining("version 1 to 2");
        Assertions.assertThatThrownBy(() -> PolicyStateJson.read(json.replace("\"windows\":0,", "\"windows\":0,"
                + "\"extra\":1,"))).isInstanceOf(IntegrityException.class).hasMessageContaining("extra");
    }
}
