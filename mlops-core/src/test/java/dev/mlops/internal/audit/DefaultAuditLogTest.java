package dev.mlops.internal.audit;

import static dev.mlops.internal.audit.AuditTestSupport.appendSamples;
import static dev.mlops.internal.audit.AuditTestSupport.context;
import static dev.mlops.internal.audit.AuditTestSupport.export;
import static dev.mlops.internal.audit.AuditTestSupport.steppingClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.ConflictException;
import dev.mlops.IntegrityException;
import dev.mlops.InvalidArgumentException;
import dev.mlops.NotFoundException;
import dev.mlops.Page;
import dev.mlops.PageRequest;
import dev.mlops.audit.AuditChain;
import dev.mlops.audit.AuditCheckpoint;
import dev.mlops.audit.AuditEvent;
import dev.mlops.audit.AuditKeys;
import dev.mlops.audit.AuditLog;
import dev.mlops.audit.AuditVerification;
import dev.mlops.internal.Context;
import dev.mlops.internal.json.CanonicalJson;
import dev.mlops.spi.PendingAuditEvent;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DefaultAuditLogTest {
    private AuditTestStore store;
    private Context context;
    private DefaultAuditLog log;

    @BeforeEach
    void setUp() {
        store = new AuditTestStore();
        context = context(store, steppingClock());
        log = new DefaultAuditLog(context);
    }

    private static void assertBad(AuditVerification result, long seq, String reason) {
        assertThat(result.ok()).as("ok").isFalse();
        assertThat(result.firstBadSeq()).as("first bad seq").isEqualTo(seq);
        assertThat(result.reason()).as("reason").startsWith(reason);
    }

    private static AuditEvent withActor(AuditEvent e, String actor) {
        return new AuditEvent(e.seq(), e.time(), actor, e.action(), e.subject(), e.data(), e.dataDigest(),
                e.prevHash(), e.hash());
    }

    @Nested
    @DisplayName("reading the chain")
    class Reading {

        @Test
        void eventsArePagedByKeysetWithoutGapsOrRepeats() {
            appendSamples(store, context, 25);
            List<Long> seen = new ArrayList<>();
            PageRequest request = PageRequest.first(10);
            int pages = 0;
            while (true) {
                Page<AuditEvent> page = log.events(0, request);
                page.items().forEach(e -> seen.add(e.seq()));
                pages++;
                if (page.next().isEmpty()) {
                    break;
                }
                request = request.next(page);
            }
            assertThat(pages).isEqualTo(3);
            assertThat(seen).hasSize(25).isSorted().doesNotHaveDuplicates().startsWith(1L).endsWith(25L);
            assertThat(log.events(20, PageRequest.first(10)).items()).extracting(AuditEvent::seq)
                    .containsExactly(21L, 22L, 23L, 24L, 25L);
            assertThat(log.events(0, PageRequest.first(26)).next()).isEmpty();
            Page<AuditEvent> full = log.events(0, PageRequest.first(25));
            assertThat(full.items()).hasSize(25);
            assertThat(log.events(0, PageRequest.first(25).next(full)).items()).isEmpty();
        }

        @Test
        void badPagingArgumentsAreRejectedByName() {
            assertThatThrownBy(() -> log.events(-1, PageRequest.first()))
                    .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("afterSeq");
            assertThatThrownBy(() -> log.events(0, new PageRequest(10, "not-a-token")))
                    .isInstanceOf(InvalidArgumentException.class)
                    .satisfies(e -> assertThat(((InvalidArgumentException) e).field()).contains("pageToken"));
            assertThatThrownBy(() -> log.events(0, null)).isInstanceOf(InvalidArgumentException.class);
        }

        @Test
        void headIsTheLastEvent() {
            assertThat(log.head()).isEmpty();
            appendSamples(store, context, 3);
            assertThat(log.head()).contains(store.rows().get(2));
        }

        @Test
        void anEmptyChainVerifies() {
            AuditVerification result = log.verify();
            assertThat(result).isEqualTo(new AuditVerification(true, 0, null, null, null, false, null));
        }
    }

    @Nested
    @DisplayName("verify() on the store")
    class VerifyStore {

        @Test
        void anIntactChainVerifiesInPages() {
            appendSamples(store, context, 2100);
            AuditVerification result = log.verify();
            assertThat(result.ok()).isTrue();
            assertThat(result.events()).isEqualTo(2100);
            assertThat(result.head()).isEqualTo(store.rows().get(2099).hash());
            assertThat(store.requestedLimits()).hasSize(4).allMatch(limit -> limit == AuditVerifier.PAGE);
        }

        @Test
        void aChangedRowIsAHashMismatchAtItsSeq() {
            appendSamples(store, context, 10);
            store.rows().set(6, withActor(store.rows().get(6), "mallory"));
            AuditVerification result = log.verify();
            assertBad(result, 7, "hash mismatch");
            assertThat(result.events()).isEqualTo(10);
        }

        @Test
        void aDeletedRowIsReportedAsTheMissingSeq() {
            appendSamples(store, context, 10);
            store.rows().remove(3);
            assertBad(log.verify(), 4, "seq out of order: expected 4, found 5");
        }

        @Test
        void changedDataIsADataDigestMismatch() {
            appendSamples(store, context, 5);
            AuditEvent e = store.rows().get(1);
            store.rows().set(1, new AuditEvent(e.seq(), e.time(), e.actor(), e.action(), e.subject(),
                    e.data().replace("train", "TRAIN"), e.dataDigest(), e.prevHash(), e.hash()));
            assertBad(log.verify(), 2, "data digest mismatch");
        }

        @Test
        void aRewrittenPrefixOfTheDigestIsMalformed() {
            appendSamples(store, context, 5);
            AuditEvent e = store.rows().get(1);
            store.rows().set(1, new AuditEvent(e.seq(), e.time(), e.actor(), e.action(), e.subject(), e.data(),
                    e.dataDigest().substring("sha256:".length()), e.prevHash(), e.hash()));
            assertBad(log.verify(), 2, "malformed event: data_digest");
        }
    }

    @Nested
    @DisplayName("export")
    class Export {

        @Test
        void writesEveryEventAPageAtATimeAndTheFileVerifies(@TempDir Path dir) throws IOException {
            appendSamples(store, context, 2100);
            Path file = dir.resolve("audit.jsonl");
            long written;
            try (OutputStream out = Files.newOutputStream(file)) {
                written = log.export(out);
            }
            assertThat(written).isEqualTo(2100);
            assertThat(store.requestedLimits()).hasSizeGreaterThanOrEqualTo(3)
                    .allMatch(limit -> limit <= AuditVerifier.PAGE);
            try (var lines = Files.lines(file, StandardCharsets.UTF_8)) {
                assertThat(lines.count()).isEqualTo(2100);
            }
            AuditVerification result = AuditLog.verifyExport(file, null, List.of());
            assertThat(result.ok()).isTrue();
            assertThat(result.events()).isEqualTo(2100);
            assertThat(result.head()).isEqualTo(log.head().orElseThrow().hash());
        }

        @Test
        void aFailingStreamIsAStorageError() {
            appendSamples(store, context, 3);
            OutputStream broken = new OutputStream() {
                @Override
                public void write(int b) throws IOException {
                    throw new IOException("disk full");
                }
            };
            assertThatThrownBy(() -> log.export(broken)).isInstanceOf(dev.mlops.StorageException.class)
                    .hasMessageContaining("disk full");
        }
    }

    @Nested
    @DisplayName("erase")
    class Erase {

        @Test
        void erasesTheDataRecordsTheErasureAndTheChainStillVerifies(@TempDir Path dir) throws IOException {
            appendSamples(store, context, 6);
            AuditEvent before = store.rows().get(2);
            AuditEvent erasure = log.erase(3, "GDPR request 17");

            AuditEvent erased = store.rows().get(2);
            assertThat(erased.data()).isNull();
            assertThat(erased.dataDigest()).isEqualTo(before.dataDigest());
            assertThat(erased.hash()).isEqualTo(before.hash());
            assertThat(erasure.seq()).isEqualTo(7);
            assertThat(erasure.action()).isEqualTo("audit.erase");
            assertThat(erasure.subject()).isEqualTo("audit:3");
            assertThat(erasure.actor()).isEqualTo("alice");
            assertThat(CanonicalJson.readObject(erasure.data()))
                    .isEqualTo(Map.of("erased_seq", 3, "reason", "GDPR request 17"));
            assertThat(log.verify().ok()).isTrue();

            String exported = export(log);
            assertThat(exported.split("\n")[2]).contains("\"data\":null");
            Path file = dir.resolve("erased.jsonl");
            Files.writeString(file, exported);
            AuditVerification result = AuditLog.verifyExport(file, null, List.of());
            assertThat(result.ok()).isTrue();
            assertThat(result.events()).isEqualTo(7);
        }

        @Test
        void theErasureEventItselfCanBeErased() {
            appendSamples(store, context, 2);
            log.erase(1, "personal data");
            log.erase(3, "the reason named a person");
            assertThat(store.rows().get(2).data()).isNull();
            assertThat(log.verify().ok()).isTrue();
        }

        @Test
        void dataRemovedBehindTheApisBackIsReported() {
            appendSamples(store, context, 5);
            store.rows().set(3, store.rows().get(3).withDataErased());
            assertBad(log.verify(), 4, "data erased without an audit.erase event");
        }

        @Test
        void badArgumentsAreRejected() {
            appendSamples(store, context, 2);
            assertThatThrownBy(() -> log.erase(0, "x")).isInstanceOf(InvalidArgumentException.class)
                    .hasMessageContaining("seq");
            assertThatThrownBy(() -> log.erase(1, "")).isInstanceOf(InvalidArgumentException.class)
                    .hasMessageContaining("reason");
            assertThatThrownBy(() -> log.erase(1, null)).isInstanceOf(InvalidArgumentException.class);
            assertThatThrownBy(() -> log.erase(9, "x")).isInstanceOf(NotFoundException.class);
            assertThat(store.rows()).hasSize(2);
        }
    }

    @Nested
    @DisplayName("checkpoints")
    class Checkpoints {
        private final KeyPair keys = AuditKeys.generate();

        @Test
        void signTheHeadAndAnchorTheChain() {
            appendSamples(store, context, 5);
            AuditEvent head = store.rows().get(4);
            AuditCheckpoint checkpoint = log.checkpoint(keys.getPrivate());

            assertThat(checkpoint.seq()).isEqualTo(5);
            assertThat(checkpoint.hash()).isEqualTo(head.hash());
            assertThat(checkpoint.keyId()).isEqualTo(AuditKeys.keyId(keys.getPublic())).matches("[0-9a-f]{16}");
            assertThat(Ed25519.verify(keys.getPublic(), checkpoint.signedMessage(), checkpoint.signature()))
                    .isTrue();
            assertThat(log.checkpoints()).containsExactly(checkpoint);
            AuditEvent recorded = store.rows().get(5);
            assertThat(recorded.action()).isEqualTo("audit.checkpoint");
            assertThat(recorded.subject()).isEqualTo("audit:5");
            assertThat(CanonicalJson.readObject(recorded.data()))
                    .isEqualTo(Map.of("seq", 5, "hash", head.hash(), "key_id", checkpoint.keyId()));

            appendSamples(store, context, 2);
            AuditVerification result = log.verify(keys.getPublic());
            assertThat(result.ok()).isTrue();
            assertThat(result.anchored()).isTrue();
            assertThat(result.anchoredSeq()).isEqualTo(5);
            assertThat(result.events()).isEqualTo(8);

            assertThat(log.verify().anchored()).as("no key, no anchor").isFalse();
            AuditVerification otherKey = log.verify(AuditKeys.generate().getPublic());
            assertThat(otherKey.ok()).isTrue();
            assertThat(otherKey.anchored()).as("checkpoints of other keys are ignored").isFalse();
        }

        @Test
        void theNewestValidCheckpointIsTheAnchor() {
            appendSamples(store, context, 3);
            log.checkpoint(keys.getPrivate());
            appendSamples(store, context, 3);
            AuditCheckpoint second = log.checkpoint(keys.getPrivate());
            assertThat(second.seq()).isEqualTo(7);
            assertThat(log.verify(keys.getPublic()).anchoredSeq()).isEqualTo(7);
        }

        @Test
        void anEmptyChainCannotBeCheckpointed() {
            assertThatThrownBy(() -> log.checkpoint(keys.getPrivate())).isInstanceOf(ConflictException.class)
                    .hasMessageContaining("empty");
            assertThat(store.checkpoints()).isEmpty();
        }

        @Test
        void aDamagedChainIsNeverSigned() {
            appendSamples(store, context, 4);
            store.rows().set(1, withActor(store.rows().get(1), "mallory"));
            assertThatThrownBy(() -> log.checkpoint(keys.getPrivate())).isInstanceOf(IntegrityException.class)
                    .hasMessageContaining("seq 2").hasMessageContaining("hash mismatch");
            assertThat(store.checkpoints()).isEmpty();
        }

        @Test
        void aTruncatedTailIsFoundWithTheKey() {
            appendSamples(store, context, 8);
            log.checkpoint(keys.getPrivate());
            store.rows().subList(5, store.rows().size()).clear();
            assertThat(log.verify().ok()).as("undetectable without the key").isTrue();
            AuditVerification result = log.verify(keys.getPublic());
            assertBad(result, 6, "chain truncated before checkpoint seq 8");
            assertThat(result.anchored()).isFalse();
        }

        @Test
        void aRewrittenChainIsFoundWithTheKey() {
            appendSamples(store, context, 8);
            AuditCheckpoint checkpoint = log.checkpoint(keys.getPrivate());
            appendSamples(store, context, 2);
            // whoever can write the store rewrites everything from seq 4 on and reseals it consistently
            List<AuditEvent> tail = new ArrayList<>(store.rows().subList(3, store.rows().size()));
            store.rows().subList(3, store.rows().size()).clear();
            for (AuditEvent e : tail) {
                store.append(new PendingAuditEvent(e.time(), e.seq() == 4 ? "mallory" : e.actor(), e.action(),
                        e.subject(), e.data()));
            }
            assertThat(log.verify().ok()).as("a consistent rewrite passes without the key").isTrue();
            AuditVerification result = log.verify(keys.getPublic());
            assertBad(result, checkpoint.seq(), "chain rewritten: checkpoint at seq 8 does not match");
            assertThat(result.anchored()).isFalse();
        }

        @Test
        void anEarlierCheckpointStillAnchorsWhatPrecedesALaterFailure() {
            appendSamples(store, context, 3);
            log.checkpoint(keys.getPrivate());
            appendSamples(store, context, 4);
            store.rows().set(5, withActor(store.rows().get(5), "mallory"));
            AuditVerification result = log.verify(keys.getPublic());
            assertBad(result, 6, "hash mismatch");
            assertThat(result.anchoredSeq()).isEqualTo(3);
        }

        @Test
        void aCheckpointWithABadSignatureIsReported() {
            appendSamples(store, context, 4);
            AuditCheckpoint real = log.checkpoint(keys.getPrivate());
            String otherSignature = Ed25519.sign(keys.getPrivate(), "something else");
            store.checkpointRows().set(0, new AuditCheckpoint(real.seq(), real.hash(), real.time(), real.keyId(),
                    otherSignature));
            AuditVerification result = log.verify(keys.getPublic());
            assertThat(result.ok()).isFalse();
            assertThat(result.reason()).startsWith("invalid checkpoint signature: checkpoint at seq 4");
            assertThat(result.firstBadSeq()).isNull();
            assertThat(result.anchored()).isFalse();
            assertThat(log.verify().ok()).as("without a key checkpoints are not read").isTrue();
        }

        @Test
        void keysMustBeEd25519() throws NoSuchAlgorithmException {
            appendSamples(store, context, 1);
            KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
            KeyPair ecKeys = ec.generateKeyPair();
            assertThatThrownBy(() -> log.checkpoint(ecKeys.getPrivate()))
                    .isInstanceOf(InvalidArgumentException.class)
                    .hasMessageContaining("Ed25519")
                    .satisfies(e -> assertThat(((InvalidArgumentException) e).field()).contains("privateKey"));
            assertThatThrownBy(() -> log.checkpoint(null)).isInstanceOf(InvalidArgumentException.class);
            assertThatThrownBy(() -> log.verify(ecKeys.getPublic()))
                    .isInstanceOf(InvalidArgumentException.class)
                    .satisfies(e -> assertThat(((InvalidArgumentException) e).field()).contains("publicKey"));
            assertThatThrownBy(() -> log.verify((java.security.PublicKey) null))
                    .isInstanceOf(InvalidArgumentException.class);
            KeyPair ed448 = ed448();
            assertThatThrownBy(() -> log.checkpoint(ed448.getPrivate())).isInstanceOf(InvalidArgumentException.class);
            assertThatThrownBy(() -> log.verify(ed448.getPublic())).isInstanceOf(InvalidArgumentException.class);
            assertThat(store.checkpoints()).isEmpty();
        }

        private KeyPair ed448() throws NoSuchAlgorithmException {
            return KeyPairGenerator.getInstance("Ed448").generateKeyPair();
        }

        @Test
        void theCheckpointTimeIsTheClocksInMilliseconds() {
            appendSamples(store, context, 1);
            AuditCheckpoint checkpoint = log.checkpoint(keys.getPrivate());
            assertThat(checkpoint.time()).isEqualTo(AuditChain.truncate(checkpoint.time()));
            assertThat(checkpoint.time()).isAfter(store.rows().get(0).time());
        }
    }
}
