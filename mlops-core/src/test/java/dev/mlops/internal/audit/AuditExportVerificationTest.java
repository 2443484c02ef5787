package dev.mlops.internal.audit;

import static dev.mlops.internal.audit.AuditTestSupport.appendSamples;
import static dev.mlops.internal.audit.AuditTestSupport.context;
import static dev.mlops.internal.audit.AuditTestSupport.export;
import static dev.mlops.internal.audit.AuditTestSupport.steppingClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlops.InvalidArgumentException;
import dev.mlops.audit.AuditChain;
import dev.mlops.audit.AuditCheckpoint;
import dev.mlops.audit.AuditCheckpoints;
import dev.mlops.audit.AuditEvent;
import dev.mlops.audit.AuditKeys;
import dev.mlops.audit.AuditLog;
import dev.mlops.audit.AuditVerification;
import dev.mlops.spi.PendingAuditEvent;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.RepetitionInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Verifying exported JSON Lines files offline: every kind of tampering is found at the first bad seq. */
class AuditExportVerificationTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int EVENTS = 12;

    @TempDir
    Path dir;

    private AuditTestStore store;
    private DefaultAuditLog log;
    private List<String> lines;

    @BeforeEach
    void exportTwelveEvents() {
        store = new AuditTestStore();
        log = new DefaultAuditLog(context(store, steppingClock()));
        appendSamples(store, context(store, steppingClock()), EVENTS);
        lines = new ArrayList<>(Arrays.asList(export(log).split("\n")));
        assertThat(lines).hasSize(EVENTS);
    }

    private AuditVerification verify(List<String> exported) {
        return AuditLog.verifyExport(write(exported), null, List.of());
    }

    private Path write(List<String> exported) {
        Path file = dir.resolve("export-" + System.nanoTime() + ".jsonl");
        try {
            Files.write(file, exported, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return file;
    }

    private static ObjectNode parse(String line) {
        try {
            return (ObjectNode) JSON.readTree(line);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String text(ObjectNode node) {
        return node.toString();
    }

    private static void assertBad(AuditVerification result, long seq, String reason) {
        assertThat(result.ok()).as("ok").isFalse();
        assertThat(result.firstBadSeq()).as("first bad seq").isEqualTo(seq);
        assertThat(result.reason()).as("reason").startsWith(reason);
    }

    @Nested
    @DisplayName("an unmodified export")
    class Unmodified {

        @Test
        void verifiesWithTheStoresHead() {
            AuditVerification result = verify(lines);
            assertThat(result.ok()).isTrue();
            assertThat(result.events()).isEqualTo(EVENTS);
            assertThat(result.head()).isEqualTo(store.auditHead().orElseThrow().hash());
            assertThat(result.firstBadSeq()).isNull();
            assertThat(result.reason()).isNull();
            assertThat(result.anchored()).isFalse();
            assertThat(result.anchoredSeq()).isNull();
        }

        @Test
        void hasOneObjectPerLineWithTheDocumentedFieldsInOrder() {
            ObjectNode first = parse(lines.get(0));
            List<String> names = new ArrayList<>();
            first.fieldNames().forEachRemaining(names::add);
            assertThat(names).containsExactly("seq", "time", "actor", "action", "subject", "data", "data_digest",
                    "prev_hash", "hash");
            AuditEvent event = store.rows().get(0);
            assertThat(first.get("seq").asLong()).isEqualTo(1);
            assertThat(first.get("time").asText()).isEqualTo(AuditChain.formatTime(event.time()));
            assertThat(first.get("data").isObject()).isTrue();
            assertThat(first.get("data").toString()).isEqualTo(event.data());
            assertThat(first.get("data_digest").asText()).isEqualTo(event.dataDigest());
            assertThat(first.get("prev_hash").asText()).isEqualTo(AuditChain.GENESIS);
            assertThat(first.get("hash").asText()).isEqualTo(event.hash());
        }

        @Test
        void anEmptyFileIsAnEmptyIntactChain() {
            AuditVerification result = verify(List.of());
            assertThat(result.ok()).isTrue();
            assertThat(result.events()).isZero();
            assertThat(result.head()).isNull();
        }

        @Test
        void windowsLineEndingsUnknownFieldsAndReformattedDataStillVerify() {
            List<String> changed = new ArrayList<>();
            for (String line : lines) {
                ObjectNode node = parse(line);
                node.put("comment", "added by a tool");
                changed.add(node.toPrettyString().replace("\r", "").replace("\n", " ") + "\r");
            }
            // reorder the members of one event's data: canonical JSON makes the digest the same
            ObjectNode third = parse(lines.get(2));
            ObjectNode data = (ObjectNode) third.get("data");
            ObjectNode reordered = JSON.createObjectNode();
            List<String> keys = new ArrayList<>();
            data.fieldNames().forEachRemaining(keys::add);
            Collections.reverse(keys);
            keys.forEach(k -> reordered.set(k, data.get(k)));
            third.set("data", reordered);
            changed.set(2, text(third));
            assertThat(verify(changed).ok()).isTrue();
        }
    }

    @Nested
    @DisplayName("a tampered export fails at the first bad seq")
    class Tampered {

        @Test
        void oneChangedFieldIsAHashMismatchAtThatEvent() {
            ObjectNode fifth = parse(lines.get(4));
            fifth.put("actor", "mallory");
            lines.set(4, text(fifth));
            assertBad(verify(lines), 5, "hash mismatch");
        }

        @Test
        void aChangedTimeIsAHashMismatch() {
            ObjectNode fifth = parse(lines.get(4));
            fifth.put("time", "2026-01-31T11:00:00.000Z");
            lines.set(4, text(fifth));
            assertBad(verify(lines), 5, "hash mismatch");
        }

        @Test
        void aChangedHashFieldIsAHashMismatchAtThatEvent() {
            ObjectNode fifth = parse(lines.get(4));
            fifth.put("hash", AuditChain.sha256Hex("forged"));
            lines.set(4, text(fifth));
            assertBad(verify(lines), 5, "hash mismatch");
        }

        @Test
        void changedDataIsADataDigestMismatch() {
            ObjectNode fifth = parse(lines.get(4));
            ((ObjectNode) fifth.get("data")).put("job", "forged");
            lines.set(4, text(fifth));
            assertBad(verify(lines), 5, "data digest mismatch");
        }

        @Test
        void oneDeletedLineIsReportedAsTheMissingSeq() {
            lines.remove(4);
            AuditVerification result = verify(lines);
            assertBad(result, 5, "seq out of order: expected 5, found 6");
            assertThat(result.events()).isEqualTo(EVENTS - 1);
        }

        @Test
        void aDeletedFirstLineIsReportedAsSeqOne() {
            lines.remove(0);
            assertBad(verify(lines), 1, "seq out of order: expected 1, found 2");
        }

        @Test
        void twoSwappedLinesAreReportedAtTheFirstOfThem() {
            Collections.swap(lines, 3, 4);
            assertBad(verify(lines), 4, "seq out of order: expected 4, found 5");
        }

        @Test
        void twoDistantSwappedLinesAreReportedAtTheFirstOfThem() {
            Collections.swap(lines, 2, 9);
            assertBad(verify(lines), 3, "seq out of order: expected 3, found 10");
        }

        @Test
        void anInsertedCopyIsReportedWhereItWasInserted() {
            lines.add(7, lines.get(2));
            AuditVerification result = verify(lines);
            assertBad(result, 8, "seq out of order: expected 8, found 3");
            assertThat(result.events()).isEqualTo(EVENTS + 1);
        }

        /**
         * A forger who knows the format can append a valid-looking event 8 after event 7, but the original event 8
         * then no longer fits: it is reported, as the first record that is not the next event.
         */
        @Test
        void anInsertedForgedEventIsReportedAtTheOriginalItDisplaced() {
            AuditEvent seven = store.rows().get(6);
            AuditEvent forged = AuditChain.seal(seven,
                    new PendingAuditEvent(seven.time(), "mallory", "run.create", "run:forged", "{\"x\":1}"));
            lines.add(7, AuditJsonLines.eventLine(forged));
            assertBad(verify(lines), 9, "seq out of order: expected 9, found 8");
        }

        /** Removing event 5 and renumbering and resealing each later event alone still breaks the links. */
        @Test
        void aRemovedEventWithTheRestRenumberedAndRehashedDoesNotLink() {
            List<String> forged = new ArrayList<>(lines.subList(0, 4));
            for (int i = 5; i < EVENTS; i++) {
                AuditEvent original = store.rows().get(i);
                AuditEvent renumbered = new AuditEvent(original.seq() - 1, original.time(), original.actor(),
                        original.action(), original.subject(), original.data(), original.dataDigest(),
                        original.prevHash(), "");
                String hash = AuditChain.computeHash(renumbered);
                forged.add(AuditJsonLines.eventLine(new AuditEvent(renumbered.seq(), renumbered.time(),
                        renumbered.actor(), renumbered.action(), renumbered.subject(), renumbered.data(),
                        renumbered.dataDigest(), renumbered.prevHash(), hash)));
            }
            assertBad(verify(forged), 5, "prev_hash does not link");
        }

        @Test
        void aTruncatedTailWithoutACheckpointIsUndetectableButUnanchored() {
            AuditVerification result = verify(lines.subList(0, 9));
            assertThat(result.ok()).isTrue();
            assertThat(result.events()).isEqualTo(9);
            assertThat(result.anchored()).isFalse();
        }

        @Test
        void aTruncatedTailBeforeACheckpointIsReportedAtTheFirstMissingSeq() {
            KeyPair keys = AuditKeys.generate();
            AuditCheckpoint checkpoint = log.checkpoint(keys.getPrivate());
            assertThat(checkpoint.seq()).isEqualTo(EVENTS);
            AuditVerification result = AuditLog.verifyExport(write(lines.subList(0, 9)), keys.getPublic(),
                    List.of(checkpoint));
            assertBad(result, 10, "chain truncated before checkpoint seq 12");
        }

        @Test
        void aMalformedLineFailsWithItsLineNumberNotAnException() {
            lines.set(5, lines.get(5).substring(0, 40));
            AuditVerification result = verify(lines);
            assertBad(result, 6, "malformed line 6: not valid JSON");
            assertThat(result.events()).isEqualTo(EVENTS);
            assertThat(result.head()).isEqualTo(store.rows().get(EVENTS - 1).hash());
        }

        @Test
        void anEmptyLineIsMalformed() {
            lines.add(3, "");
            assertBad(verify(lines), 4, "malformed line 4: empty line");
        }

        @Test
        void aMissingFieldIsMalformed() {
            ObjectNode second = parse(lines.get(1));
            second.remove("prev_hash");
            lines.set(1, text(second));
            assertBad(verify(lines), 2, "malformed line 2: field \"prev_hash\" must be a string");
        }

        @Test
        void aTimeInAnotherFormatIsMalformed() {
            ObjectNode second = parse(lines.get(1));
            second.put("time", "2026-01-31T12:00:01.5Z");
            lines.set(1, text(second));
            assertBad(verify(lines), 2, "malformed line 2: field \"time\" must be UTC time");
        }

        @Test
        void aDuplicateFieldIsMalformed() {
            lines.set(1, lines.get(1).replace("{\"seq\":2,", "{\"seq\":2,\"actor\":\"mallory\","));
            assertBad(verify(lines), 2, "malformed line 2: not valid JSON");
        }

        @Test
        void invalidUtf8IsMalformed() throws IOException {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            for (int i = 0; i < EVENTS; i++) {
                byte[] line = (lines.get(i) + "\n").getBytes(StandardCharsets.UTF_8);
                if (i == 6) {
                    line[20] = (byte) 0xC3;
                    line[21] = (byte) 0x28;
                }
                bytes.write(line);
            }
            Path file = dir.resolve("bad-utf8.jsonl");
            Files.write(file, bytes.toByteArray());
            assertBad(AuditLog.verifyExport(file, null, List.of()), 7, "malformed line 7: not valid UTF-8");
        }

        @Test
        void dataErasedInTheFileWithoutAnEraseEventIsReported() {
            ObjectNode fourth = parse(lines.get(3));
            fourth.putNull("data");
            lines.set(3, text(fourth));
            assertBad(verify(lines), 4, "data erased without an audit.erase event");
        }
    }

    /**
     * Random chains and one random edit each; the first bad seq is where the edited sequence first differs from
     * 1, 2, 3, ... or where the changed event sits.
     */
    @RepeatedTest(60)
    void randomEditsAreFoundAtTheFirstBadSeq(RepetitionInfo repetition) {
        SplittableRandom random = new SplittableRandom(7919L * repetition.getCurrentRepetition());
        AuditTestStore chain = new AuditTestStore();
        DefaultAuditLog chainLog = new DefaultAuditLog(context(chain, steppingClock()));
        int n = 2 + random.nextInt(40);
        appendSamples(chain, context(chain, steppingClock()), n);
        List<String> exported = new ArrayList<>(Arrays.asList(export(chainLog).split("\n")));
        int kind = random.nextInt(5);
        int i = random.nextInt(n - 1);
        int j = i + 1 + random.nextInt(n - 1 - i);
        long expectedBad;
        String reason;
        switch (kind) {
            case 0 -> {
                ObjectNode node = parse(exported.get(i));
                node.put(List.of("actor", "action", "subject", "prev_hash", "data_digest").get(random.nextInt(5)),
                        "x" + random.nextInt());
                exported.set(i, text(node));
                expectedBad = i + 1;
                reason = "hash mismatch";
            }
            case 1 -> {
                exported.remove(i);
                expectedBad = i + 1;
                reason = "seq out of order";
            }
            case 2 -> {
                Collections.swap(exported, i, j);
                expectedBad = i + 1;
                reason = "seq out of order";
            }
            case 3 -> {
                exported.add(j, exported.get(i));
                expectedBad = j + 1;
                reason = "seq out of order";
            }
            default -> {
                ObjectNode node = parse(exported.get(i));
                ((ObjectNode) node.get("data")).put("index", -1);
                exported.set(i, text(node));
                expectedBad = i + 1;
                reason = "data digest mismatch";
            }
        }
        AuditVerification result = verify(exported);
        assertThat(result.ok()).isFalse();
        assertThat(result.firstBadSeq()).as("kind %d at %d/%d of %d", kind, i, j, n).isEqualTo(expectedBad);
        assertThat(result.reason()).startsWith(reason);
        assertThat(result.events()).isEqualTo(exported.size());
    }

    @Nested
    @DisplayName("checkpoints kept outside the store")
    class Checkpoints {

        @Test
        void anchorTheExportWhenReadBackFromTheirFile() {
            KeyPair keys = AuditKeys.generate();
            AuditCheckpoint first = log.checkpoint(keys.getPrivate());
            appendSamples(store, context(store, steppingClock()), 3);
            AuditCheckpoint second = log.checkpoint(keys.getPrivate());
            Path file = dir.resolve("checkpoints.jsonl");
            AuditCheckpoints.append(file, first);
            AuditCheckpoints.append(file, second);
            Path exported = write(Arrays.asList(export(log).split("\n")));

            AuditVerification result = AuditLog.verifyExport(exported, keys.getPublic(), AuditCheckpoints.read(file));
            assertThat(result.ok()).isTrue();
            assertThat(result.anchored()).isTrue();
            assertThat(result.anchoredSeq()).isEqualTo(second.seq());
            assertThat(second.seq()).isEqualTo(EVENTS + 1 + 3);
        }

        @Test
        void aRewrittenChainIsFoundAtTheCheckpoint() {
            KeyPair keys = AuditKeys.generate();
            AuditCheckpoint checkpoint = log.checkpoint(keys.getPrivate());
            // rewrite from event 3 on, consistently resealed: a valid chain, but not the one that was signed
            List<String> rewritten = new ArrayList<>(lines.subList(0, 2));
            AuditEvent previous = store.rows().get(1);
            for (int i = 2; i < EVENTS; i++) {
                AuditEvent original = store.rows().get(i);
                previous = AuditChain.seal(previous, new PendingAuditEvent(original.time(),
                        i == 2 ? "mallory" : original.actor(), original.action(), original.subject(), original.data()));
                rewritten.add(AuditJsonLines.eventLine(previous));
            }
            assertThat(verify(rewritten).ok()).as("without the checkpoint nothing shows").isTrue();
            AuditVerification result = AuditLog.verifyExport(write(rewritten), keys.getPublic(), List.of(checkpoint));
            assertBad(result, EVENTS, "chain rewritten: checkpoint at seq 12 does not match");
            assertThat(result.anchored()).isFalse();
        }

        @Test
        void aForgedSignatureIsReported() {
            KeyPair keys = AuditKeys.generate();
            AuditCheckpoint real = log.checkpoint(keys.getPrivate());
            AuditCheckpoint moved = new AuditCheckpoint(real.seq() - 2, store.rows().get(9).hash(), real.time(),
                    real.keyId(), real.signature());
            AuditVerification result = AuditLog.verifyExport(write(lines), keys.getPublic(), List.of(moved));
            assertThat(result.ok()).isFalse();
            assertThat(result.reason()).isEqualTo("invalid checkpoint signature: checkpoint at seq 10 (key "
                    + real.keyId() + ")");
            assertThat(result.firstBadSeq()).isNull();
            assertThat(result.anchored()).isFalse();
        }

        @Test
        void needAPublicKey() {
            KeyPair keys = AuditKeys.generate();
            AuditCheckpoint checkpoint = log.checkpoint(keys.getPrivate());
            Path exported = write(lines);
            assertThatThrownBy(() -> AuditLog.verifyExport(exported, null, List.of(checkpoint)))
                    .isInstanceOf(InvalidArgumentException.class)
                    .satisfies(e -> assertThat(((InvalidArgumentException) e).field()).contains("publicKey"));
        }
    }

    @Test
    void aMissingFileIsAnInvalidArgumentNamingIt() {
        Path missing = dir.resolve("nope.jsonl");
        assertThatThrownBy(() -> AuditLog.verifyExport(missing, null, List.of()))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining(missing.toString())
                .satisfies(e -> assertThat(((InvalidArgumentException) e).field()).contains("export"));
    }
}
