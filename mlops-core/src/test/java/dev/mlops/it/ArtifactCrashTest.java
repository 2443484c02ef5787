package dev.mlops.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.NotFoundException;
import dev.mlops.artifact.ArtifactRef;
import dev.mlops.internal.data.Digests;
import dev.mlops.internal.artifact.LocalArtifactStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local artifact store under several processes and under SIGKILL: writers of the same content in separate
 * JVMs end with one correct file; a writer killed in the middle of an upload leaves no file under its digest (only
 * a temporary file, which a later store removes once it is older than {@link LocalArtifactStore#STALE_TEMP_AGE});
 * whatever the moment of the kill, every file visible under {@code sha256/} is complete and correct.
 */
class ArtifactCrashTest {
    @TempDir
    Path dir;

    private final List<Child> children = new ArrayList<>();

    @AfterEach
    void killChildren() throws InterruptedException {
        for (Child child : children) {
            child.close();
        }
    }

    @Test
    void fourProcessesPuttingTheSameContentAtOnceEndWithOneCorrectFileAndNoTemporaryFiles() throws Exception {
        Path root = dir.resolve("artifacts");
        long seed = 42;
        long size = 12L * 1024 * 1024;
        String digest = SeededBytes.digest(seed, size);
        Path go = dir.resolve("go");
        for (int i = 0; i < 4; i++) {
            children.add(Child.start(dir.resolve("c" + i), "c" + i, "put", "root=" + root, "seed=" + seed,
                    "size=" + size, "go=" + go));
        }
        for (Child child : children) {
            child.await("READY", Duration.ofSeconds(60));
        }
        Files.createFile(go);
        for (Child child : children) {
            assertThat(child.awaitExit(Duration.ofMinutes(2))).as(child.describe("failed")).isZero();
            assertThat(child.lines()).contains("PUT " + digest + " " + size);
        }

        assertThat(objects(root)).containsExactly(root.resolve("sha256").resolve(Digests.hex(digest).substring(0, 2))
                .resolve(Digests.hex(digest)));
        assertThat(temporaries(root)).isEmpty();
        LocalArtifactStore store = new LocalArtifactStore(root);
        assertThat(store.stat(digest)).map(ArtifactRef::sizeBytes).contains(size);
        try (InputStream in = store.open(digest); InputStream expected = new SeededBytes(seed, size)) {
            assertSameBytes(in, expected);
        }
    }

    @Test
    void aWriterKilledMidUploadLeavesNothingUnderTheDigestAndItsTemporaryFileGoesOnceStale() throws Exception {
        Path root = dir.resolve("artifacts");
        long seed = 7;
        long size = 64L * 1024 * 1024;
        long streamed = 5L * 1024 * 1024 + 123;
        String digest = SeededBytes.digest(seed, size);
        Child child = Child.start(dir.resolve("slow"), "slow", "slow-put", "root=" + root, "seed=" + seed,
                "size=" + size, "pause-after=" + streamed);
        children.add(child);
        child.await(l -> l.startsWith("STREAMED "), Duration.ofSeconds(60));
        child.kill();

        // Nothing is visible under the digest of the whole content, nor under that of the part written.
        LocalArtifactStore store = new LocalArtifactStore(root);
        assertThat(objects(root)).isEmpty();
        assertThat(store.stat(digest)).isEmpty();
        assertThatThrownBy(() -> store.open(digest)).isInstanceOf(NotFoundException.class);
        String partDigest = SeededBytes.digest(seed, streamed);
        assertThat(store.stat(partDigest)).isEmpty();
        assertThatThrownBy(() -> store.open(partDigest)).isInstanceOf(NotFoundException.class);

        // The part written is in a temporary file, which a store opened now keeps: it may be a live upload.
        List<Path> temps = temporaries(root);
        assertThat(temps).hasSize(1);
        Path temp = temps.get(0);
        assertThat(Files.size(temp)).isEqualTo(streamed);

        // Once older than the threshold, the next store opened removes it, and only it.
        Path fresh = root.resolve("tmp").resolve("put-live-upload.tmp");
        Files.writeString(fresh, "another writer, still uploading");
        Files.setLastModifiedTime(temp, FileTime.from(Instant.now().minus(LocalArtifactStore.STALE_TEMP_AGE)
                .minus(Duration.ofMinutes(1))));
        new LocalArtifactStore(root).close();
        assertThat(temporaries(root)).containsExactly(fresh);
        Files.delete(fresh);

        // A retry of the upload then succeeds.
        try (InputStream in = new SeededBytes(seed, size)) {
            assertThat(store.put(in, digest).sizeBytes()).isEqualTo(size);
        }
        assertThat(temporaries(root)).isEmpty();
        try (InputStream in = store.open(digest); InputStream expected = new SeededBytes(seed, size)) {
            assertSameBytes(in, expected);
        }
    }

    @Test
    void writersKilledAtRandomMomentsNeverLeaveAPartialOrWrongFileVisible() throws Exception {
        killWritersAtRandom(6, 11L);
    }

    @Tag("soak")
    @Test
    void soakWritersKilledAtRandomMoments() throws Exception {
        killWritersAtRandom(60, Long.getLong("mlops.soak.seed", 13L));
    }

    /**
     * Rounds of two children putting 24 MiB each (one the same content every round, one new content), killed
     * after a seeded random delay; after each round every visible artifact is whole and correct, and the artifact
     * a child reported as stored is there.
     */
    private void killWritersAtRandom(int rounds, long seed) throws Exception {
        Path root = dir.resolve("artifacts");
        long size = 24L * 1024 * 1024;
        SplittableRandom random = new SplittableRandom(seed);
        int completed = 0;
        for (int round = 0; round < rounds; round++) {
            List<Child> group = new ArrayList<>();
            for (long content : new long[] {1000, 2000 + round}) {
                String name = "r" + round + "-" + content;
                Child child = Child.start(dir.resolve(name), name, "put", "root=" + root, "seed=" + content,
                        "size=" + size);
                children.add(child);
                group.add(child);
            }
            for (Child child : group) {
                child.await("READY", Duration.ofSeconds(60));
            }
            Thread.sleep(random.nextLong(1_500));
            for (Child child : group) {
                child.kill();
                for (String line : child.lines()) {
                    if (line.startsWith("PUT ")) {
                        completed++;
                        String reported = line.split(" ")[1];
                        assertThat(objects(root)).anyMatch(p -> p.getFileName().toString()
                                .equals(Digests.hex(reported)));
                    }
                }
            }
            for (Path object : objects(root)) {
                try (InputStream in = Files.newInputStream(object)) {
                    Digests.Result result = Digests.of(in);
                    assertThat(Digests.hex(result.digest())).as("content of %s", object)
                            .isEqualTo(object.getFileName().toString());
                    assertThat(result.size()).isEqualTo(size);
                }
            }
        }
        int cut = temporaries(root).size();
        System.out.printf("%d artifact writers killed (seed %d): %d had finished their upload, %d left a partial"
                + " temporary file%n", 2 * rounds, seed, completed, cut);
        assertThat(cut).as("uploads cut short by their kill").isGreaterThanOrEqualTo(rounds / 3);
        for (Path temp : temporaries(root)) {
            Files.setLastModifiedTime(temp, FileTime.from(Instant.now().minus(Duration.ofDays(1))));
        }
        new LocalArtifactStore(root).close();
        assertThat(temporaries(root)).isEmpty();
    }

    /** The regular files under {@code sha256/}. */
    private static List<Path> objects(Path root) throws IOException {
        Path objects = root.resolve("sha256");
        if (!Files.exists(objects)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(objects)) {
            return files.filter(Files::isRegularFile).sorted().toList();
        }
    }

    private static List<Path> temporaries(Path root) throws IOException {
        try (Stream<Path> files = Files.list(root.resolve("tmp"))) {
            return files.sorted().toList();
        }
    }

    private static void assertSameBytes(InputStream actual, InputStream expected) throws IOException {
        byte[] a = new byte[64 * 1024];
        byte[] e = new byte[64 * 1024];
        long position = 0;
        while (true) {
            int n = actual.readNBytes(a, 0, a.length);
            int m = expected.readNBytes(e, 0, e.length);
            assertThat(n).as("bytes read at %d", position).isEqualTo(m);
            if (n == 0) {
                return;
            }
            assertThat(java.util.Arrays.equals(a, 0, n, e, 0, m)).as("bytes from %d on", position).isTrue();
            position += n;
        }
    }
}
