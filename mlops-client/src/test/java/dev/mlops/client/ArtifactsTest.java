package dev.mlops.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.IntegrityException;
import dev.mlops.InvalidArgumentException;
import dev.mlops.NotFoundException;
import dev.mlops.artifact.ArtifactRef;
import dev.mlops.internal.artifact.LocalArtifactStore;
import dev.mlops.server.MlopsServer;
import dev.mlops.spi.ArtifactStore;
import dev.mlops.store.memory.InMemoryStore;
import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("artifacts over HTTP, streamed both ways")
class ArtifactsTest {
    @TempDir
    Path dir;

    private InMemoryStore metadata;
    private LocalArtifactStore local;
    private MlopsServer server;
    private RemoteMetadataStore remote;
    private ArtifactStore artifacts;

    @BeforeEach
    void start() {
        metadata = new InMemoryStore();
        local = new LocalArtifactStore(dir.resolve("artifacts"));
        // JSON bodies are limited to 64 KiB: artifacts far larger pass only because they are streamed.
        server = MlopsServer.builder().store(metadata).artifacts(local).maxRequestBytes(64 * 1024)
                .maxArtifactBytes(8L * 1024 * 1024).port(0).build().start();
        remote = RemoteMetadataStore.builder(server.uri().toString()).build();
        artifacts = remote.artifactStore();
    }

    @AfterEach
    void stop() {
        remote.close();
        server.close();
        local.close();
        metadata.close();
    }

    private static byte[] bytes(int size, long seed) {
        byte[] b = new byte[size];
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < size; i++) {
            b[i] = (byte) random.nextInt(256);
        }
        return b;
    }

    private static String digest(byte[] b) throws Exception {
        return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    @Test
    @DisplayName("a 5 MiB artifact goes up and comes back byte for byte, with its digest and size")
    void roundTrip() throws Exception {
        byte[] content = bytes(5 * 1024 * 1024 + 17, 7);
        ArtifactRef ref = artifacts.put(new ByteArrayInputStream(content), digest(content));

        assertThat(ref.digest()).isEqualTo(digest(content));
        assertThat(ref.sizeBytes()).isEqualTo(content.length);
        assertThat(artifacts.stat(ref.digest())).contains(ref);
        assertThat(local.stat(ref.digest())).contains(ref);
        try (InputStream in = artifacts.open(ref.digest())) {
            assertThat(in.readAllBytes()).isEqualTo(content);
        }
        ArtifactRef again = artifacts.put(new ByteArrayInputStream(content), null);
        assertThat(again).isEqualTo(ref);
    }

    @Test
    @DisplayName("a wrong expected digest is INTEGRITY and stores nothing")
    void wrongDigest() throws Exception {
        byte[] content = bytes(1000, 1);
        String other = digest(bytes(1000, 2));
        assertThatThrownBy(() -> artifacts.put(new ByteArrayInputStream(content), other))
                .isInstanceOf(IntegrityException.class);
        assertThat(local.stat(digest(content))).isEmpty();
    }

    @Test
    @DisplayName("an upload over the artifact limit is refused and stores nothing; the server goes on")
    void tooLarge() throws Exception {
        byte[] content = bytes(9 * 1024 * 1024, 3);
        // The server answers 413 and closes the connection while the client is still sending: the client sees the
        // 413 (INVALID_ARGUMENT) when it reads the reply in time, else the closed connection (STORAGE).
        assertThatThrownBy(() -> artifacts.put(new ByteArrayInputStream(content), null))
                .isInstanceOfAny(InvalidArgumentException.class, dev.mlops.StorageException.class);
        assertThat(local.stat(digest(content))).isEmpty();
        assertThat(artifacts.put(new ByteArrayInputStream(new byte[] {1}), null).sizeBytes()).isEqualTo(1);
    }

    @Test
    @DisplayName("an unknown digest is NOT_FOUND to open and empty to stat; a malformed one, or a path, is refused")
    void unknownAndMalformed() throws Exception {
        String unknown = digest(new byte[] {42});
        assertThatThrownBy(() -> artifacts.open(unknown)).isInstanceOf(NotFoundException.class);
        assertThat(artifacts.stat(unknown)).isEmpty();
        for (String bad : new String[] {"../../etc/passwd", "sha256:xyz", "md5:00", ".."}) {
            assertThatThrownBy(() -> artifacts.open(bad)).as(bad).isInstanceOf(InvalidArgumentException.class);
        }
    }

    @Test
    @DisplayName("an artifact changed on the server fails its digest check at the end of the download")
    void corruptedOnServer() throws Exception {
        byte[] content = bytes(100_000, 5);
        ArtifactRef ref = artifacts.put(new ByteArrayInputStream(content), null);
        Path stored;
        try (Stream<Path> files = Files.walk(dir.resolve("artifacts"))) {
            stored = files.filter(Files::isRegularFile)
                    .filter(p -> p.getFileName().toString().equals(ref.digest().substring(7))).findFirst()
                    .orElseThrow();
        }
        byte[] changed = content.clone();
        changed[50_000] ^= 1;
        Files.write(stored, changed);

        assertThatThrownBy(() -> {
            try (InputStream in = artifacts.open(ref.digest())) {
                in.readAllBytes();
            }
        }).isInstanceOfAny(IntegrityException.class, java.io.IOException.class);
    }

    @Test
    @DisplayName("after the metadata store is closed its artifact store refuses calls")
    void closedWithTheStore() {
        remote.close();
        assertThatThrownBy(() -> artifacts.stat(ArtifactsTestDigests.ZERO))
                .isInstanceOf(dev.mlops.StorageException.class).hasMessageContaining("closed");
    }

    /** A well-formed digest. */
    private static final class ArtifactsTestDigests {
        static final String ZERO = "sha256:" + "0".repeat(64);
    }
}
