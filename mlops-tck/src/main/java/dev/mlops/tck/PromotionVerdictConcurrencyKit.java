package dev.mlops.tck;

import static dev.mlops.tck.KitSupport.allAuditEvents;
import static dev.mlops.tck.KitSupport.assertChainIntact;
import static dev.mlops.tck.KitSupport.runConcurrently;
import static dev.mlops.tck.TckData.at;
import static dev.mlops.tck.TckData.audit;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.audit.AuditEvent;
import dev.mlops.spi.PendingAuditEvent;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.RepeatedTest;

/**
 * The concurrency guarantee of {@link dev.mlops.spi.MetadataStore#recordPromotionVerdict}: of several writers
 * recording a verdict on one candidate at once, exactly one records it and every other gets that verdict back. Kept
 * apart from {@link MetadataStoreCompatibilityKit} because the method's default implementation (for stores written
 * before it) does not give the guarantee: a store that implements the method runs this kit too, for example as a
 * {@code @Nested} class of its compatibility test:
 *
 * <pre>{@code
 * @Nested
 * class VerdictRaces extends PromotionVerdictConcurrencyKit {
 *     @Override
 *     protected MetadataStore createStore() {
 *         return MyStoreCompatibilityTest.this.createStore();
 *     }
 * }
 * }</pre>
 */
public abstract class PromotionVerdictConcurrencyKit extends RegistryKitBase {
    private static final int THREADS = 8;

    @RepeatedTest(3)
    @DisplayName("8 writers record a verdict on the same candidate at once, some with the alias move, some alone:"
            + " exactly one records it (with its move, if it had one), the others get that verdict back and store"
            + " nothing; round after round on new candidates")
    void oneWinnerPerCandidate(org.junit.jupiter.api.RepetitionInfo repetition) throws Exception {
        SplittableRandom random = new SplittableRandom(7919L * repetition.getCurrentRepetition());
        createModel(CHURN);
        readyVersion(CHURN);
        setAlias(CHURN, PRODUCTION, 1, null, 700);
        for (int round = 0; round < 5; round++) {
            int candidate = readyVersion(CHURN).version();
            Integer champion = getModel(CHURN).aliases().get(PRODUCTION);
            long seed = random.nextLong();
            AuditEvent before = head();
            long seconds = 800 + round;

            List<Optional<AuditEvent>> results = runConcurrently(THREADS, thread -> {
                boolean move = new SplittableRandom(seed + thread).nextBoolean();
                PendingAuditEvent verdict = ModelRegistryConsistencyKit.verdict(CHURN, PRODUCTION, candidate,
                        move ? "PROMOTED" : "FAILED");
                List<PendingAuditEvent> events = move
                        ? List.of(verdict, audit("model_alias.move", "model:" + CHURN + "@" + PRODUCTION))
                        : List.of(verdict);
                return store.recordPromotionVerdict(CHURN, PRODUCTION, candidate, move, champion, at(seconds),
                        events);
            });

            assertThat(results.stream().filter(Optional::isEmpty)).as("writers that recorded the verdict")
                    .hasSize(1);
            List<AuditEvent> appended = store.auditEvents(before.seq(), 100);
            assertThat(appended).as("events of round %d", round).isNotEmpty();
            AuditEvent recorded = appended.get(0);
            assertThat(recorded.action()).isEqualTo("promotion.decided");
            assertThat(recorded.subject()).isEqualTo(subject(CHURN, candidate));
            boolean promoted = recorded.data().contains("PROMOTED");
            assertThat(appended).hasSize(promoted ? 2 : 1);
            assertThat(results.stream().filter(Optional::isPresent).map(Optional::get))
                    .as("what the others got back").hasSize(THREADS - 1).allMatch(recorded::equals);
            assertThat(getModel(CHURN).aliases().get(PRODUCTION)).isEqualTo(promoted ? candidate : champion);
        }
        assertChainIntact(allAuditEvents(store));
    }
}
