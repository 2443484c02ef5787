package dev.mlops.internal.audit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mlops.InvalidArgumentException;
import dev.mlops.StorageException;
import dev.mlops.audit.AuditCheckpoint;
import dev.mlops.audit.AuditEvent;
import dev.mlops.audit.AuditVerification;
import dev.mlops.internal.json.CanonicalJson;
import dev.mlops.spi.MetadataStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.Arrays;
import java.util.List;

/**
 * Verifies an audit chain read from a store (in pages) or from an exported JSON Lines file (streamed), in one pass
 * and in constant memory.
 *
 * <p>Records are numbered 1, 2, 3, ... in the order they are read; record {@code n} must be event {@code n}. The
 * first record that is not becomes {@code firstBadSeq = n}: everything before it verified, so {@code n} is the
 * first seq that is missing, out of place, changed or unreadable. Each record is checked in this order, and the first
 * check that fails names the reason:
 * <ol>
 *   <li>{@code malformed line L: ...} (files only): line {@code L} is empty, not JSON, not I-JSON, or lacks a field
 *       or has one of the wrong type; not an exception, since a damaged file is a failed verification;</li>
 *   <li>{@code seq out of order: expected n, found m}: an event was removed (m &gt; n), or one was inserted,
 *       duplicated or moved (the first out-of-place record);</li>
 *   <li>{@code hash mismatch}: the hash recomputed with {@link dev.mlops.audit.AuditChain#computeHash} differs from
 *       the recorded one: a field of the event was changed;</li>
 *   <li>{@code prev_hash does not link}: the event is consistent in itself but its {@code prev_hash} is not the hash
 *       of event {@code n - 1}: events were removed or inserted and the rest rehashed one by one;</li>
 *   <li>{@code malformed event: ...}: {@code data_digest} is not {@code sha256:} and 64 lower-case hex digits (the
 *       hash covers only the hex digits, so this catches a rewritten prefix);</li>
 *   <li>{@code data digest mismatch}: the event's data is present and its canonical JSON's SHA-256 is not the
 *       recorded digest (erased data, {@code null}, is not checked).</li>
 * </ol>
 * An intact chain in which an event's data is erased ({@code null}) without a later {@code audit.erase} event for
 * it (subject {@code audit:SEQ}) fails with {@code data erased without an audit.erase event} at the lowest such
 * seq: erasure must be recorded, and the digest keeps the chain intact, so only this check notices data removed
 * behind the API's back.
 *
 * <p>After the first failure the remaining records are counted ({@code events}) but not checked; {@code head} is the
 * recorded hash of the last record (null for an empty chain, or when the last line is unreadable).
 *
 * <p>With a public key, the checkpoints whose {@code keyId} is that key's are checked too (others are ignored: they
 * belong to other keys). A checkpoint whose signature does not verify fails with {@code invalid checkpoint
 * signature: ...} and {@code firstBadSeq} null (unless a located failure is reported). A valid checkpoint at seq
 * {@code N}:
 * <ul>
 *   <li>beyond the end of an otherwise intact chain of {@code n} events: {@code chain truncated before checkpoint
 *       seq N}, {@code firstBadSeq = n + 1} (with several, N is the highest);</li>
 *   <li>whose hash is not the hash of event {@code N}: {@code chain rewritten: checkpoint at seq N does not match},
 *       {@code firstBadSeq = N} (the rewrite began at or before N);</li>
 *   <li>otherwise it anchors the chain up to N: {@code anchored} is true and {@code anchoredSeq} the highest such N
 *       before the first failure.</li>
 * </ul>
 * When several failures are found the one with the lowest {@code firstBadSeq} is reported.
 *
 * <p>Without a checkpoint beyond the end, a truncated tail cannot be detected: the shorter chain is intact, only
 * unanchored beyond the last checkpoint. Stateless and thread-safe.
 */
public final class AuditVerifier {
    /** How many events are read from a store at a time. */
    static final int PAGE = 1000;

    private AuditVerifier() {
    }

    /**
     * Verifies the chain of {@code store}, paging through {@link MetadataStore#auditEvents(long, int)}.
     *
     * @param publicKey   the checkpoint key, or null to verify the chain alone
     * @param checkpoints the checkpoints to check (ignored when {@code publicKey} is null)
     */
    public static AuditVerification verifyStore(MetadataStore store, PublicKey publicKey,
            List<AuditCheckpoint> checkpoints) {
        if (publicKey != null) {
            Ed25519.publicKey(publicKey, "publicKey");
        }
        ChainCheck check = new ChainCheck(publicKey, publicKey == null ? List.of() : List.copyOf(checkpoints));
        long after = 0;
        while (true) {
            List<AuditEvent> page = store.auditEvents(after, PAGE);
            if (page.isEmpty()) {
                break;
            }
            long highest = after;
            for (AuditEvent event : page) {
                check.accept(event);
                highest = Math.max(highest, event.seq());
            }
            if (highest == after) {
                throw new StorageException("the store returned audit events at or before seq " + after
                        + " when asked for those after it", null);
            }
            after = highest;
        }
        return check.result();
    }

    /**
     * Verifies an exported JSON Lines file, offline.
     *
     * @param export      the file
     * @param publicKey   the checkpoint key, or null
     * @param checkpoints checkpoints kept outside the store; null or empty for none; must be empty without a key
     * @throws InvalidArgumentException when the file does not exist, or checkpoints are given without a key
     * @throws StorageException         when the file cannot be read
     */
    public static AuditVerification verifyExport(Path export, PublicKey publicKey, List<AuditCheckpoint> checkpoints) {
        if (export == null) {
            throw new InvalidArgumentException("export", "export is required");
        }
        try (InputStream in = Files.newInputStream(export)) {
            return verifyExport(in, publicKey, checkpoints);
        } catch (NoSuchFileException e) {
            throw new InvalidArgumentException("export", "export file does not exist: " + export, e);
        } catch (IOException e) {
            throw new StorageException("cannot read export file " + export + ": " + e.getMessage(), e);
        }
    }

    /**
     * Verifies an export read from {@code in} (read to its end, not closed), for example standard input.
     *
     * @throws IOException when reading fails (invalid UTF-8 is not an I/O failure: it fails the verification)
     * @see #verifyExport(Path, PublicKey, List)
     */
    public static AuditVerification verifyExport(InputStream in, PublicKey publicKey,
            List<AuditCheckpoint> checkpoints) throws IOException {
        List<AuditCheckpoint> given = checkpoints == null ? List.of() : List.copyOf(checkpoints);
        if (publicKey == null && !given.isEmpty()) {
            throw new InvalidArgumentException("publicKey",
                    "publicKey is required to check checkpoints (" + given.size() + " given)");
        }
        if (publicKey != null) {
            Ed25519.publicKey(publicKey, "publicKey");
        }
        ChainCheck check = new ChainCheck(publicKey, given);
        LineReader reader = new LineReader(in);
        long lineNumber = 0;
        String lastSkipped = null;
        while (reader.next()) {
            lineNumber++;
            String line;
            try {
                line = reader.decode();
            } catch (CharacterCodingException e) {
                if (check.failed()) {
                    check.skipped();
                } else {
                    check.unreadable("malformed line " + lineNumber + ": not valid UTF-8");
                }
                lastSkipped = null;
                continue;
            }
            if (check.failed()) {
                check.skipped();
                lastSkipped = line;
                continue;
            }
            try {
                check.accept(AuditJsonLines.parseEvent(line));
            } catch (AuditJsonLines.MalformedLineException e) {
                check.unreadable("malformed line " + lineNumber + ": " + e.getMessage());
            }
        }
        if (lastSkipped != null) {
            check.lastHash(hashOf(lastSkipped));
        }
        return check.result();
    }

    /**
     * Splits a byte stream into lines at LF (a CR before it is dropped) and decodes each line on its own, so that
     * invalid UTF-8 is reported on the line where it occurs. Holds one line at a time.
     */
    private static final class LineReader {
        private final InputStream in;
        private final byte[] buffer = new byte[1 << 16];
        private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        private int position;
        private int limit;
        private byte[] line = new byte[1024];
        private int length;

        LineReader(InputStream in) {
            this.in = in;
        }

        /** Reads the next line's bytes; false at the end of the stream. */
        boolean next() throws IOException {
            length = 0;
            boolean any = false;
            while (true) {
                if (position == limit) {
                    limit = in.read(buffer);
                    position = 0;
                    if (limit <= 0) {
                        limit = 0;
                        return any;
                    }
                }
                any = true;
                int start = position;
                while (position < limit && buffer[position] != '\n') {
                    position++;
                }
                append(start, position);
                if (position < limit) {
                    position++;
                    if (length > 0 && line[length - 1] == '\r') {
                        length--;
                    }
                    return true;
                }
            }
        }

        private void append(int from, int to) {
            int n = to - from;
            if (length + n > line.length) {
                line = Arrays.copyOf(line, Math.max(line.length * 2, length + n));
            }
            System.arraycopy(buffer, from, line, length, n);
            length += n;
        }

        /** The current line as text. */
        String decode() throws CharacterCodingException {
            return decoder.decode(ByteBuffer.wrap(line, 0, length)).toString();
        }
    }

    /** The recorded hash of a line that was not verified, or null when it has none. */
    private static String hashOf(String line) {
        try {
            JsonNode node = CanonicalJson.parse(line);
            JsonNode hash = node == null ? null : node.get("hash");
            return hash != null && hash.isTextual() ? hash.textValue() : null;
        } catch (IOException e) {
            return null;
        }
    }
}
