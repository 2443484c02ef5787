package dev.mlops.internal.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.ConflictException;
import dev.mlops.Mlops;
import dev.mlops.StorageException;
import dev.mlops.policy.Condition;
import dev.mlops.policy.Decision;
import dev.mlops.policy.Observation;
import dev.mlops.policy.RetrainingPolicy;
import dev.mlops.spi.ForwardingMetadataStore;
import dev.mlops.spi.MetadataStore;
import dev.mlops.spi.PendingAuditEvent;
import dev.mlops.spi.PolicyDecisionEntry;
import dev.mlops.spi.PolicyStateEntry;
import dev.mlops.store.memory.InMemoryStore;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@code Mlops.policies()} over stores that lose races, refuse saves, or predate policy state. */
class StorePolicyStateStoreTest {
    static final Instant T0 = Instant.parse("2024-05-01T08:00:00Z");
    static final RetrainingPolicy POLICY = RetrainingPolicy.builder("nightly")
            .anyOf(Condition.metricBelow("accuracy", 0.8)).cooldown(Duration.ofHours(24), 0).build();

    static Observation low(String window) {
        return Observation.builder(window, T0, "churn").metric("accuracy", 0.5).rows(100).build();
    }

    static Mlops mlops(MetadataStore store) {
        return Mlops.builder().store(store).artifactUri("memory:").actor("svc")
                .clock(Clock.fixed(T0, ZoneOffset.UTC)).build();
    }

    @Test
    @DisplayName("a writer that loses the race to another instance returns the decision the winner stored")
    void lostRaceReturnsTheWinnersDecision() {
        InMemoryStore real = new InMemoryStore();
        AtomicInteger saves = new AtomicInteger();
        Decision[] winner = new Decision[1];
        // Before the first save of this instance goes through, another instance decides the same window.
        MetadataStore racing = new ForwardingMetadataStore() {
            @Override
            protected MetadataStore delegate() {
                return real;
            }

            @Override
            public void savePolicyState(PolicyStateEntry state, long expectedVersion,
                    List<PolicyDecisionEntry> decisions, List<PendingAuditEvent> audit) {
                if (saves.getAndIncrement() == 0) {
                    try (Mlops other = Mlops.builder().store(real).artifactUri("memory:").actor("other")
                            .clock(Clock.fixed(T0.minusSeconds(60), ZoneOffset.UTC)).build()) {
                        winner[0] = other.policies().evaluate(POLICY, low("w1"));
                    }
                }
                super.savePolicyState(state, expectedVersion, decisions, audit);
            }
        };
        try (Mlops mlops = mlops(racing)) {
            Decision d = mlops.policies().evaluate(POLICY, low("w1"));
            assertThat(d).isEqualTo(winner[0]);
            assertThat(d.decidedAt()).isEqualTo(T0.minusSeconds(60));
            assertThat(saves).hasValue(1);
            assertThat(mlops.policies().decisions("nightly", "churn")).containsExactly(winner[0]);
        }
    }

    @Test
    @DisplayName("a CONFLICT that is not a lost race (the stored version did not move) is passed on, not retried")
    void otherConflictsArePassedOn() {
        InMemoryStore real = new InMemoryStore();
        AtomicInteger saves = new AtomicInteger();
        MetadataStore refusing = new ForwardingMetadataStore() {
            @Override
            protected MetadataStore delegate() {
                return real;
            }

            @Override
            public void savePolicyState(PolicyStateEntry state, long expectedVersion,
                    List<PolicyDecisionEntry> decisions, List<PendingAuditEvent> audit) {
                saves.incrementAndGet();
                throw new ConflictException("a constraint of the stored data was violated");
            }
        };
        try (Mlops mlops = mlops(refusing)) {
            assertThatThrownBy(() -> mlops.policies().evaluate(POLICY, low("w1")))
                    .isInstanceOf(ConflictException.class).hasMessageContaining("constraint");
            assertThat(saves).hasValue(1);
            assertThat(real.getPolicyState("nightly", "churn")).isEmpty();
        }
    }

    @Test
    @DisplayName("over a store written before policy state, policies fail with STORAGE naming the store; the rest"
            + " works")
    void storeWithoutPolicies() {
        InMemoryStore real = new InMemoryStore();
        InvocationHandler handler = (proxy, method, args) -> {
            if (method.isDefault()) {
                return InvocationHandler.invokeDefault(proxy, method, args);
            }
            if (method.getName().equals("describe")) {
                return "old-store:";
            }
            try {
                return method.invoke(real, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
        MetadataStore old = (MetadataStore) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {MetadataStore.class}, handler);
        try (Mlops mlops = mlops(old)) {
            assertThat(mlops.tracking().start("job").id()).isNotBlank();
            assertThatThrownBy(() -> mlops.policies().evaluate(POLICY, low("w1")))
                    .isInstanceOf(StorageException.class).hasMessageContaining("old-store:")
                    .hasMessageContaining("does not store retraining policy state");
            assertThatThrownBy(() -> mlops.policies().decisions("nightly", "churn"))
                    .isInstanceOf(StorageException.class);
        }
    }

    @Test
    @DisplayName("decisions() returns the whole log in the order decided")
    void longLog() {
        try (Mlops mlops = Mlops.builder().store(new InMemoryStore()).artifactUri("memory:")
                .clock(Clock.fixed(T0, ZoneOffset.UTC)).build()) {
            RetrainingPolicy never = RetrainingPolicy.builder("never")
                    .anyOf(Condition.metricBelow("accuracy", 0.1)).build();
            for (int i = 0; i < 150; i++) {
                mlops.policies().evaluate(never, low("w" + i));
            }
            List<Decision> all = mlops.policies().decisions("never", "churn");
            assertThat(all).hasSize(150);
            assertThat(all.get(149).windowId()).isEqualTo("w149");
        }
    }
}
