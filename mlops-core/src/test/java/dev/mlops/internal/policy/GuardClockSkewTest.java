package dev.mlops.internal.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.policy.Condition;
import dev.mlops.policy.Decision;
import dev.mlops.policy.DetectorFactory;
import dev.mlops.policy.GuardOutcome;
import dev.mlops.policy.Guards;
import dev.mlops.policy.Observation;
import dev.mlops.policy.RetrainingPolicy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The back-off measured from a failure reported later than the evaluation clock's now: clock skew, not a hold
 * forever; the cooldown cannot meet a later retrain.
 */
class GuardClockSkewTest {
    static final Instant NOW = Instant.parse("2024-05-01T00:00:00Z");
    static final Instant LATER = Instant.parse("2030-01-01T00:00:00Z");
    static final RetrainingPolicy POLICY = RetrainingPolicy.builder("p")
            .anyOf(Condition.metricBelow("accuracy", 0.8)).cooldown(Duration.ofHours(1), 0)
            .backoff(Duration.ofHours(1), 2, Duration.ofHours(8)).build();

    static PolicyState state(Optional<Instant> lastRetrainAt, int failures, Optional<Instant> lastFailureAt) {
        return new PolicyState(3, Optional.empty(), 1, 100, lastRetrainAt, lastRetrainAt.map(t -> "w0"),
                lastRetrainAt.map(List::of).orElse(List.of()), List.of(), failures, lastFailureAt,
                lastRetrainAt.map(t -> "w0"), Optional.empty(), List.of("w0"), List.of(), Map.of(), Map.of(),
                Optional.empty(), Optional.empty(), Map.of());
    }

    static Decision decide(PolicyState s) {
        Observation obs = Observation.builder("w1", NOW, "m").metric("accuracy", 0.5).rows(100).build();
        return PolicyEngine.evaluate(POLICY, s, obs, Clock.fixed(NOW, ZoneOffset.UTC), DetectorFactory.standard())
                .decision();
    }

    @Test
    void aFailureRecordedLaterThanNowDoesNotHold() {
        Decision d = decide(state(Optional.of(NOW.minus(Duration.ofDays(1))), 2, Optional.of(LATER)));
        GuardOutcome backoff = d.guard(Guards.Guard.BACKOFF).orElseThrow();
        assertThat(backoff.held()).isFalse();
        assertThat(backoff.reason()).contains("clock skew", LATER.toString());
        assertThat(d.status()).isEqualTo(Decision.Status.RETRAIN);
    }

    @Test
    void theCooldownNeverMeasuresFromALaterRetrainSoItHasNoClockSkewCase() {
        // a retrain at LATER: its state's last evaluation is LATER too, so a window evaluated at NOW decides nothing
        Observation w0 = Observation.builder("w0", LATER, "m").metric("accuracy", 0.5).rows(100).build();
        PolicyEngine.Evaluation retrain = PolicyEngine.evaluate(POLICY, PolicyState.INITIAL, w0,
                Clock.fixed(LATER, ZoneOffset.UTC), DetectorFactory.standard());
        assertThat(retrain.decision().status()).isEqualTo(Decision.Status.RETRAIN);
        assertThat(retrain.state().lastRetrainAt()).isEqualTo(retrain.state().lastEvaluatedAt());
        Observation w1 = Observation.builder("w1", NOW, "m").metric("accuracy", 0.5).rows(100).build();
        PolicyEngine.Evaluation earlier = PolicyEngine.evaluate(POLICY, retrain.state(), w1,
                Clock.fixed(NOW, ZoneOffset.UTC), DetectorFactory.standard());
        assertThat(earlier.decision().status()).isEqualTo(Decision.Status.FAILED);
        assertThat(earlier.decision().reason()).contains("the clock went backwards");
        assertThat(earlier.state()).isEqualTo(retrain.state());
        // a state built by hand with a later retrain (no evaluation writes one) is held, not let through as skew
        GuardOutcome cooldown = decide(state(Optional.of(LATER), 0, Optional.empty()))
                .guard(Guards.Guard.COOLDOWN).orElseThrow();
        assertThat(cooldown.held()).isTrue();
        assertThat(cooldown.reason()).doesNotContain("clock skew");
    }

    @Test
    void aRecentFailureStillHolds() {
        Decision d = decide(state(Optional.of(NOW.minus(Duration.ofDays(1))), 1,
                Optional.of(NOW.minus(Duration.ofMinutes(10)))));
        assertThat(d.heldBy()).contains(Guards.Guard.BACKOFF);
    }
}
