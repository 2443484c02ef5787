package dev.mlops.audit;

import dev.mlops.InvalidArgumentException;
import dev.mlops.StorageException;
import dev.mlops.internal.audit.AuditJsonLines;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Checkpoints kept outside the store, as JSON Lines: one checkpoint a line,
 * {@code {"seq":N,"hash":"HEX","time":"2026-01-31T12:00:00.000Z","key_id":"HEX16","signature":"BASE64"}}. Such a
 * file, read back, is what {@link AuditLog#verifyExport} takes as its {@code checkpoints}. Stateless and
 * thread-safe; concurrent appends to one file from several processes are not coordinated.
 */
public final class AuditCheckpoints {
    private AuditCheckpoints() {
    }

    /** The JSON line of {@code checkpoint}, without the line break. */
    public static String toJsonLine(AuditCheckpoint checkpoint) {
        return AuditJsonLines.checkpointLine(checkpoint);
    }

    /**
     * Reads one checkpoint line.
     *
     * @throws InvalidArgumentException when the line is not a checkpoint (field {@code checkpoint})
     */
    public static AuditCheckpoint fromJsonLine(String line) {
        try {
            return AuditJsonLines.parseCheckpoint(line);
        } catch (AuditJsonLines.MalformedLineException e) {
            throw new InvalidArgumentException("checkpoint", "not a checkpoint: " + e.getMessage());
        }
    }

    /**
     * Appends {@code checkpoint} as one line to {@code file} (created if absent) and forces it to disk.
     *
     * @throws StorageException when the file cannot be written
     */
    public static void append(Path file, AuditCheckpoint checkpoint) {
        byte[] line = (toJsonLine(checkpoint) + "\n").getBytes(StandardCharsets.UTF_8);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND)) {
            ByteBuffer buffer = ByteBuffer.wrap(line);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
            channel.force(true);
        } catch (IOException e) {
            throw new StorageException("cannot append a checkpoint to " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads every checkpoint of a JSON Lines file, in file order; blank lines are skipped.
     *
     * @throws InvalidArgumentException when the file does not exist or a line is not a checkpoint (the field is
     *                                  {@code FILE:LINE}, the message names both)
     * @throws StorageException         when the file cannot be read
     */
    public static List<AuditCheckpoint> read(Path file) {
        List<AuditCheckpoint> checkpoints = new ArrayList<>();
        try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            long number = 0;
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                try {
                    checkpoints.add(AuditJsonLines.parseCheckpoint(line));
                } catch (AuditJsonLines.MalformedLineException e) {
                    throw new InvalidArgumentException(file + ":" + number,
                            file + " line " + number + " is not a checkpoint: " + e.getMessage());
                }
            }
        } catch (NoSuchFileException e) {
            throw new InvalidArgumentException(file.toString(), "checkpoint file does not exist: " + file, e);
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new InvalidArgumentException(file.toString(), file + " is not UTF-8 text", e);
        } catch (IOException e) {
            throw new StorageException("cannot read checkpoints from " + file + ": " + e.getMessage(), e);
        }
        return List.copyOf(checkpoints);
    }
}
