package dev.mlops.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.InvalidArgumentException;
import dev.mlops.Mlops;
import dev.mlops.PageRequest;
import dev.mlops.StorageException;
import dev.mlops.audit.AuditEvent;
import dev.mlops.internal.artifact.InMemoryArtifactStore;
import dev.mlops.policy.GateVerdict.Outcome;
import dev.mlops.registry.AliasChange;
import dev.mlops.registry.ModelRef;
import dev.mlops.spi.MetadataStore;
import dev.mlops.spi.PendingAuditEvent;
import dev.mlops.store.memory.InMemoryStore;
import dev.mlops.testing.MutableClock;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gate over a store whose implementation predates {@code setAlias} with a list of audit events, so that it
 * inherits the SPI's default: a single event still goes through, several fail with STORAGE and change nothing.
 */
@DisplayName("The promotion gate over a store that predates setAlias with several audit events")
class PromotionGateOldStoreTest {
    final MutableClock clock = new MutableClock(Instant.parse("2026-04-01T00:00:00Z"));
    final InMemoryStore real = new InMemoryStore();
    MetadataStore old;
    Mlops mlops;

    @TempDir
    Path dir;

    @BeforeEach
    void open() throws Exception {
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
        old = (MetadataStore) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {MetadataStore.class},
                handler);
        mlops = Mlops.builder().store(old).artifactStore(new InMemoryArtifactStore()).clock(clock).actor("alice")
                .build();
        for (int n = 1; n <= 2; n++) {
            Path file = dir.resolve("model-" + n + ".bin");
            Files.writeString(file, "weights " + n);
            mlops.registry().newVersion("rain").metrics(Map.of("accuracy", 0.7 + n / 10.0)).upload(file);
        }
        mlops.registry().setAlias("rain", "canary", 1);
    }

    @AfterEach
    void close() {
        mlops.close();
        real.close();
    }

    List<AuditEvent> audit() {
        return mlops.audit().events(0, PageRequest.first(10_000)).items();
    }

    @Test
    @DisplayName("a passing promotion fails with STORAGE naming the store: the alias stays and nothing is"
            + " appended; a failing verdict is still recorded")
    void passingPromotionRefused() {
        List<AuditEvent> before = audit();
        PromotionGate passing = PromotionGate.builder(mlops)
                .threshold(GateThreshold.higherIsBetter("accuracy").minAbsoluteChange(0.0)).build();

        assertThatThrownBy(() -> passing.promote(ModelRef.of("rain", 2), "canary"))
                .isInstanceOf(StorageException.class).hasMessageContaining("old-store:")
                .hasMessageContaining("predates");
        assertThat(mlops.registry().model("rain").aliases()).containsEntry("canary", 1);
        assertThat(audit()).isEqualTo(before);

        PromotionGate failing = PromotionGate.builder(mlops)
                .threshold(GateThreshold.higherIsBetter("accuracy").atLeast(0.95)).build();
        GateVerdict v = failing.promote(ModelRef.of("rain", 2), "canary");
        assertThat(v.outcome()).isEqualTo(Outcome.FAILED);
        assertThat(audit()).hasSize(before.size() + 1);
        assertThat(audit().get(before.size()).action()).isEqualTo("promotion.decided");
        assertThat(mlops.audit().verify().ok()).isTrue();
    }

    @Test
    @DisplayName("the SPI default stores one event through the single-event setAlias, refuses an empty list, and"
            + " refuses several events with STORAGE, changing nothing")
    void spiDefault() {
        int before = audit().size();
        PendingAuditEvent one = new PendingAuditEvent(clock.instant(), "alice", "model_alias.move",
                "model:rain@canary", "{}");

        AliasChange change = old.setAlias("rain", "canary", 2, 1, clock.instant(), List.of(one));

        assertThat(change).isEqualTo(new AliasChange("rain", "canary", 1, 2));
        assertThat(audit()).hasSize(before + 1);
        assertThat(audit().get(before).action()).isEqualTo("model_alias.move");
        assertThatThrownBy(() -> old.setAlias("rain", "canary", 1, 2, clock.instant(), List.of()))
                .isInstanceOf(InvalidArgumentException.class)
                .satisfies(e -> assertThat(((InvalidArgumentException) e).field()).hasValue("audit"));
        assertThatThrownBy(() -> old.setAlias("rain", "canary", 1, 2, clock.instant(), List.of(one, one)))
                .isInstanceOf(StorageException.class).hasMessageContaining("old-store:");
        assertThat(mlops.registry().model("rain").aliases()).containsEntry("canary", 2);
        assertThat(audit()).hasSize(before + 1);
    }

    @Test
    @DisplayName("promoteOnce over the SPI default of recordPromotionVerdict (look-up, then record): a failing verdict"
            + " is recorded once, a second call returns it and records nothing; a passing one needs the move with two"
            + " events, which the old store refuses with STORAGE, changing nothing")
    void promoteOnceThroughTheDefault() {
        PromotionGate failing = PromotionGate.builder(mlops)
                .threshold(GateThreshold.higherIsBetter("accuracy").atLeast(0.95)).build();
        PromotionGate passing = PromotionGate.builder(mlops)
                .threshold(GateThreshold.higherIsBetter("accuracy").minAbsoluteChange(0.0)).build();

        assertThatThrownBy(() -> passing.promoteOnce(ModelRef.of("rain", 2), "canary", HoldoutEvaluation.NONE))
                .isInstanceOf(StorageException.class).hasMessageContaining("old-store:");
        int before = audit().size();
        dev.mlops.Created<GateVerdict> first = failing.promoteOnce(ModelRef.of("rain", 2), "canary",
                HoldoutEvaluation.NONE);
        dev.mlops.Created<GateVerdict> second = passing.promoteOnce(ModelRef.of("rain", 2), "canary",
                HoldoutEvaluation.NONE);

        assertThat(first.created()).isTrue();
        assertThat(first.value().outcome()).isEqualTo(Outcome.FAILED);
        assertThat(second.created()).isFalse();
        assertThat(second.value().outcome()).isEqualTo(Outcome.FAILED);
        assertThat(audit()).hasSize(before + 1);
        assertThat(mlops.registry().model("rain").aliases()).containsEntry("canary", 1);
        assertThat(mlops.audit().verify().ok()).isTrue();
    }
}
