package dev.mlops.internal.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.InvalidArgumentException;
import dev.mlops.Mlops;
import dev.mlops.Page;
import dev.mlops.PageRequest;
import dev.mlops.policy.Condition;
import dev.mlops.policy.Decision;
import dev.mlops.policy.Observation;
import dev.mlops.policy.RetrainingPolicies;
import dev.mlops.policy.RetrainingPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The stored decisions, page by page, in memory and in a SQLite file. */
class PolicyDecisionPagesTest {
    static final Instant T0 = Instant.parse("2024-05-01T08:00:00Z");
    static final RetrainingPolicy POLICY = RetrainingPolicy.builder("nightly")
            .anyOf(Condition.metricBelow("accuracy", 0.8)).cooldown(Duration.ofHours(36), 0).build();

    static List<Decision> decide(RetrainingPolicies policies, TestDetectors.MutableClock clock, int n) {
        List<Decision> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            clock.set(T0.plus(Duration.ofDays(i)));
            out.add(policies.evaluate(POLICY, Observation.builder("d" + i, clock.instant(), "churn")
                    .metric("accuracy", 0.5).build()));
        }
        return out;
    }

    static List<Decision> allPages(RetrainingPolicies policies, int size) {
        List<Decision> out = new ArrayList<>();
        PageRequest page = PageRequest.first(size);
        int pages = 0;
        while (true) {
            Page<Decision> p = policies.decisions("nightly", "churn", page);
            assertThat(p.items().size()).isLessThanOrEqualTo(size);
            out.addAll(p.items());
            pages++;
            assertThat(pages).as("pages end").isLessThan(1000);
            if (p.next().isEmpty()) {
                return out;
            }
            page = page.next(p);
        }
    }

    @RepeatedTest(5)
    void pagesOfAnySizeListEveryDecisionOnceInOrderInMemory(RepetitionInfo info) {
        SplittableRandom random = new SplittableRandom(info.getCurrentRepetition());
        TestDetectors.MutableClock clock = new TestDetectors.MutableClock(T0);
        RetrainingPolicies policies = new PolicyEvaluator(new InMemoryPolicyStateStore(), clock,
                TestDetectors.factory());
        List<Decision> decided = decide(policies, clock, random.nextInt(0, 12));
        int size = random.nextInt(1, 6);
        assertThat(allPages(policies, size)).containsExactlyElementsOf(decided);
        assertThat(policies.decisions("nightly", "churn")).containsExactlyElementsOf(decided);
    }

    @Test
    void pagesInMemory() {
        TestDetectors.MutableClock clock = new TestDetectors.MutableClock(T0);
        RetrainingPolicies policies = new PolicyEvaluator(new InMemoryPolicyStateStore(), clock,
                TestDetectors.factory());
        List<Decision> decided = decide(policies, clock, 5);
        Page<Decision> first = policies.decisions("nightly", "churn", PageRequest.first(2));
        assertThat(first.items()).containsExactlyElementsOf(decided.subList(0, 2));
        assertThat(first.next()).isPresent();
        Page<Decision> last = policies.decisions("nightly", "churn", PageRequest.first(5));
        assertThat(last.items()).containsExactlyElementsOf(decided);
        assertThat(last.next()).isEmpty();
        assertThat(policies.decisions("nightly", "other", PageRequest.first()).items()).isEmpty();
        for (String bad : List.of("x", "0", "6", "-1")) {
            assertThatThrownBy(() -> policies.decisions("nightly", "churn", new PageRequest(2, bad)))
                    .isInstanceOf(InvalidArgumentException.class)
                    .satisfies(e -> assertThat(((InvalidArgumentException) e).field()).contains("pageToken"));
        }
    }

    @Test
    void pagesInASqliteFile(@TempDir Path dir) {
        TestDetectors.MutableClock clock = new TestDetectors.MutableClock(T0);
        String uri = "sqlite:" + dir.resolve("mlops.db");
        List<Decision> decided;
        try (Mlops mlops = Mlops.builder().storeUri(uri).artifactUri("memory:").actor("svc").clock(clock).build()) {
            decided = decide(mlops.policies(), clock, 7);
        }
        try (Mlops mlops = Mlops.builder().storeUri(uri).artifactUri("memory:").actor("svc").clock(clock).build()) {
            assertThat(decided).extracting(Decision::status).contains(Decision.Status.RETRAIN, Decision.Status.HELD);
            assertThat(allPages(mlops.policies(), 3)).containsExactlyElementsOf(decided);
            Page<Decision> first = mlops.policies().decisions("nightly", "churn", PageRequest.first(3));
            assertThat(first.items()).containsExactlyElementsOf(decided.subList(0, 3));
            assertThat(mlops.policies().decisions("nightly", "churn")).containsExactlyElementsOf(decided);
        }
    }
}
