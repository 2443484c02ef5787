package dev.mlops.internal.artifact;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.IntegrityException;
import dev.mlops.MlopsException;
import dev.mlops.artifact.ArtifactRef;
import dev.mlops.spi.ArtifactStore;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalArtifactStoreTest extends ArtifactStoreContract {
    /** {@code sha256sum seattle-weather.csv}. */
    private static final String SEATTLE = "sha256:0845078a290b48e3149ab8639966824110a251db4e06fc144c06ebb534af23be";

    @TempDir
    Path dir;

    private Path root() {
        return dir.resolve("artifacts");
    }

    @Override
    protected ArtifactStore newStore() {
        return new LocalArtifactStore(root());
    }

    private List<Path> tempFiles() throws IOException {
        try (Stream<Path> s = Files.list(root().resolve("tmp"))) {
            return s.toList();
        }
    }

    @Test
    void agreesWithSha256sumAndUsesTheDocumentedLayout() throws IOException {
        ArtifactRef ref;
        try (InputStream in = getClass().getResourceAsStream("/data/seattle-weather.csv")) {
            ref = store.put(in, SEATTLE);
        }
        assertThat(ref.digest()).isEqualTo(SEATTLE);
        Path file = root().resolve("sha256/08/" + SEATTLE.substring(7));
        assertThat(file).isRegularFile().hasSize(48219);
        assertThat(ref.uri()).isEqualTo(file.toUri().toString());
        assertThat(store.describe()).isEqualTo("file:" + root());
        assertThat(tempFiles()).isEmpty();
    }

    @Test
    void aFailedPutLeavesNoTemporaryFile() throws IOException {
        byte[] bytes = random(100_000, 3);
        assertThatThrownBy(() -> store.put(new ByteArrayInputStream(bytes), sha256(new byte[0])))
                .isInstanceOf(IntegrityException.class);
        InputStream failing = new InputStream() {
            int n;

            @Override
            public int read() throws IOException {
                if (++n > 70_000) {
                    throw new IOException("disk on fire");
                }
                return 1;
            }
        };
        assertThatThrownBy(() -> store.put(failing, null))
                .isInstanceOf(MlopsException.class)
                .hasMessageContaining("disk on fire");
        assertThat(tempFiles()).isEmpty();
        try (Stream<Path> s = Files.walk(root().resolve("sha256"))) {
            assertThat(s.filter(Files::isRegularFile)).isEmpty();
        }
    }

    @Test
    void corruptionIsDetectedAtTheEndOfReading() throws IOException {
        byte[] bytes = random(150_000, 5);
        ArtifactRef ref = store.put(new ByteArrayInputStream(bytes), null);
        Path file = Path.of(java.net.URI.create(ref.uri()));
        byte[] corrupt = bytes.clone();
        corrupt[100_000] ^= 1;
        Files.write(file, corrupt);
        try (InputStream in = store.open(ref.digest())) {
            assertThatThrownBy(in::readAllBytes)
                    .isInstanceOf(IntegrityException.class)
                    .hasMessageContaining(ref.digest())
                    .hasMessageContaining(sha256(corrupt));
            assertThatThrownBy(in::read).isInstanceOf(IntegrityException.class);
        }
        // a truncated file too
        Files.write(file, java.util.Arrays.copyOf(bytes, 10));
        try (InputStream in = store.open(ref.digest())) {
            assertThatThrownBy(() -> in.transferTo(java.io.OutputStream.nullOutputStream()))
                    .isInstanceOf(IntegrityException.class);
        }
        // putting the right bytes again repairs the stored copy
        store.put(new ByteArrayInputStream(bytes), ref.digest());
        try (InputStream in = store.open(ref.digest())) {
            assertThat(in.readAllBytes()).isEqualTo(bytes);
        }
    }

    @Test
    void skippingStillVerifies() throws IOException {
        byte[] bytes = random(200_000, 6);
        ArtifactRef ref = store.put(new ByteArrayInputStream(bytes), null);
        Path file = Path.of(java.net.URI.create(ref.uri()));
        bytes[5] ^= 1;
        Files.write(file, bytes);
        try (InputStream in = store.open(ref.digest())) {
            assertThat(in.skip(150_000)).isEqualTo(150_000);
            assertThatThrownBy(in::readAllBytes).isInstanceOf(IntegrityException.class);
        }
    }

    @Test
    void aLinkPlantedInTheStoreIsNotFollowed() throws IOException {
        Path secret = Files.writeString(dir.resolve("secret.txt"), "not an artifact");
        String digest = sha256("whatever".getBytes());
        Path target = root().resolve("sha256/" + digest.substring(7, 9) + "/" + digest.substring(7));
        Files.createDirectories(target.getParent());
        Files.createSymbolicLink(target, secret);
        assertThatThrownBy(() -> store.open(digest)).isInstanceOf(MlopsException.class);
        assertThat(store.stat(digest)).isEmpty();
    }

    @Test
    void staleTemporaryFilesAreCleanedOnOpen() throws IOException {
        Path tmp = root().resolve("tmp");
        Path stale = Files.writeString(tmp.resolve("put-old.tmp"), "left by a crash");
        Files.setLastModifiedTime(stale, FileTime.from(Instant.now().minus(61, ChronoUnit.MINUTES)));
        Path fresh = Files.writeString(tmp.resolve("put-new.tmp"), "being written");
        new LocalArtifactStore(root()).close();
        assertThat(stale).doesNotExist();
        assertThat(fresh).exists();
    }

    /**
     * 200 MB generated on the fly: while the last part is still being produced, most of it is already on disk in
     * the temporary file, so put streams instead of buffering.
     */
    @Test
    void largeContentIsStreamedToDisk() throws Exception {
        long total = 200L * 1024 * 1024;
        long[] tempSizeSeen = {-1};
        MessageDigest produced = MessageDigest.getInstance("SHA-256");
        InputStream generator = new InputStream() {
            final SplittableRandom random = new SplittableRandom(2026);
            final byte[] chunk = new byte[1 << 20];
            long sent;

            @Override
            public int read() {
                throw new UnsupportedOperationException("read in chunks");
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (sent == total) {
                    return -1;
                }
                if (sent >= 150L * 1024 * 1024 && tempSizeSeen[0] < 0) {
                    try {
                        List<Path> temps = tempFiles();
                        tempSizeSeen[0] = temps.size() == 1 ? Files.size(temps.get(0)) : -2;
                    } catch (IOException e) {
                        throw new AssertionError(e);
                    }
                }
                int n = (int) Math.min(len, Math.min(chunk.length, total - sent));
                random.nextBytes(chunk);
                System.arraycopy(chunk, 0, b, off, n);
                produced.update(b, off, n);
                sent += n;
                return n;
            }
        };
        ArtifactRef ref = store.put(generator, null);
        String expected = "sha256:" + HexFormat.of().formatHex(produced.digest());
        assertThat(ref.digest()).isEqualTo(expected);
        assertThat(ref.sizeBytes()).isEqualTo(total);
        assertThat(tempSizeSeen[0]).isGreaterThanOrEqualTo(140L * 1024 * 1024);
        MessageDigest read = MessageDigest.getInstance("SHA-256");
        long count = 0;
        try (InputStream in = store.open(ref.digest())) {
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) != -1; ) {
                read.update(buffer, 0, n);
                count += n;
            }
        }
        assertThat(count).isEqualTo(total);
        assertThat("sha256:" + HexFormat.of().formatHex(read.digest())).isEqualTo(expected);
        assertThat(tempFiles()).isEmpty();
    }
}
