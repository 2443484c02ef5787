package dev.mlops.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.InvalidArgumentException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuditCheckpointsTest {
    private static final AuditCheckpoint FIRST = new AuditCheckpoint(12, "ab".repeat(32),
            Instant.parse("2026-01-31T12:00:04.500Z"), "d04de319ebea02bd", "c2lnbmF0dXJl");
    private static final AuditCheckpoint SECOND = new AuditCheckpoint(40, "cd".repeat(32),
            Instant.parse("2026-02-01T00:00:00Z"), "0123456789abcdef", "b3RoZXI=");

    @TempDir
    Path dir;

    @Test
    void aCheckpointIsOneJsonLine() {
        String line = AuditCheckpoints.toJsonLine(FIRST);
        assertThat(line).isEqualTo("{\"seq\":12,\"hash\":\"" + "ab".repeat(32) + "\",\"time\":\"2026-01-31T12:00:04.500Z\","
                + "\"key_id\":\"d04de319ebea02bd\",\"signature\":\"c2lnbmF0dXJl\"}");
        assertThat(AuditCheckpoints.fromJsonLine(line)).isEqualTo(FIRST);
    }

    @Test
    void appendedCheckpointsAreReadBackInOrder() {
        Path file = dir.resolve("checkpoints.jsonl");
        AuditCheckpoints.append(file, FIRST);
        AuditCheckpoints.append(file, SECOND);
        assertThat(AuditCheckpoints.read(file)).containsExactly(FIRST, SECOND);
    }

    @Test
    void blankLinesAreSkippedAndBadLinesNamed() throws IOException {
        Path file = dir.resolve("checkpoints.jsonl");
        Files.writeString(file, AuditCheckpoints.toJsonLine(FIRST) + "\n\n" + "{\"seq\":\"x\"}\n");
        assertThatThrownBy(() -> AuditCheckpoints.read(file))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("line 3")
                .hasMessageContaining("seq")
                .satisfies(e -> assertThat(((InvalidArgumentException) e).field()).contains(file + ":3"));
        Files.writeString(file, "\n" + AuditCheckpoints.toJsonLine(SECOND) + "\n\n");
        assertThat(AuditCheckpoints.read(file)).isEqualTo(List.of(SECOND));
    }

    @Test
    void malformedLinesAndMissingFilesAreInvalidArguments() {
        assertThatThrownBy(() -> AuditCheckpoints.fromJsonLine("{\"seq\":1}"))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("hash");
        assertThatThrownBy(() -> AuditCheckpoints.fromJsonLine("[1]"))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("object");
        assertThatThrownBy(() -> AuditCheckpoints.read(dir.resolve("none.jsonl")))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("does not exist");
    }
}
