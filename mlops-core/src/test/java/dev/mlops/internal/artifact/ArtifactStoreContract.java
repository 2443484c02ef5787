package dev.mlops.internal.artifact;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.IntegrityException;
import dev.mlops.InvalidArgumentException;
import dev.mlops.NotFoundException;
import dev.mlops.artifact.ArtifactRef;
import dev.mlops.spi.ArtifactStore;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What every artifact store does; subclasses give the store. */
abstract class ArtifactStoreContract {
    protected ArtifactStore store;

    protected abstract ArtifactStore newStore() throws IOException;

    @BeforeEach
    void open() throws IOException {
        store = newStore();
    }

    @AfterEach
    void close() {
        store.close();
    }

    static String sha256(byte[] bytes) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 65_536, 200_001})
    void putThenOpenRoundTripsAndDigestIsSha256(int size) throws IOException {
        byte[] bytes = random(size, size);
        ArtifactRef ref = store.put(new ByteArrayInputStream(bytes), null);
        assertThat(ref.digest()).isEqualTo(sha256(bytes));
        assertThat(ref.sizeBytes()).isEqualTo(size);
        try (InputStream in = store.open(ref.digest())) {
            assertThat(in.readAllBytes()).isEqualTo(bytes);
        }
        assertThat(store.stat(ref.digest())).contains(ref);
    }

    @Test
    void putWithTheRightExpectedDigestStoresAndIsIdempotent() throws IOException {
        byte[] bytes = random(1000, 7);
        ArtifactRef first = store.put(new ByteArrayInputStream(bytes), sha256(bytes));
        ArtifactRef second = store.put(new ByteArrayInputStream(bytes), sha256(bytes));
        assertThat(second).isEqualTo(first);
    }

    @Test
    void putWithAWrongExpectedDigestStoresNothingAndNamesBothDigests() {
        byte[] bytes = random(1000, 8);
        String wrong = sha256(new byte[] {1});
        assertThatThrownBy(() -> store.put(new ByteArrayInputStream(bytes), wrong))
                .isInstanceOf(IntegrityException.class)
                .hasMessageContaining(wrong)
                .hasMessageContaining(sha256(bytes));
        assertThat(store.stat(sha256(bytes))).isEmpty();
        assertThatThrownBy(() -> store.put(new ByteArrayInputStream(bytes), "sha256:XYZ"))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("expectedDigest");
    }

    @Test
    void putDoesNotCloseTheCallersStream() {
        boolean[] closed = {false};
        InputStream in = new ByteArrayInputStream(new byte[] {1, 2, 3}) {
            @Override
            public void close() {
                closed[0] = true;
            }
        };
        store.put(in, null);
        assertThat(closed[0]).isFalse();
    }

    @Test
    void absentArtifactIsNotFound() {
        String absent = sha256("absent".getBytes());
        assertThatThrownBy(() -> store.open(absent))
                .isInstanceOf(NotFoundException.class)
                .hasMessageContaining(absent);
        assertThat(store.stat(absent)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"../../etc/passwd", "sha256:../..", "sha256:../../../../../../../../etc/passwd",
            "/etc/passwd", "sha256:/etc/passwd", "sha256:", "SHA256:0000000000000000000000000000000000000000000000000000000000000000",
            "sha256:000000000000000000000000000000000000000000000000000000000000000",
            "sha256:00000000000000000000000000000000000000000000000000000000000000000",
            "sha256:ABCDEF0000000000000000000000000000000000000000000000000000000000",
            "sha256:00/000000000000000000000000000000000000000000000000000000000000",
            "sha256:0000000000000000000000000000000000000000000000000000000000000000\n", ""})
    void digestsThatCouldEscapeAreRefused(String digest) {
        assertThatThrownBy(() -> store.open(digest))
                .isInstanceOf(InvalidArgumentException.class)
                .satisfies(e -> assertThat(((InvalidArgumentException) e).field()).contains("digest"));
        assertThatThrownBy(() -> store.stat(digest)).isInstanceOf(InvalidArgumentException.class);
    }

    @Test
    void nullDigestIsRefused() {
        assertThatThrownBy(() -> store.open(null)).isInstanceOf(InvalidArgumentException.class);
    }

    @Test
    void concurrentPutsOfTheSameAndOfDifferentContent() throws Exception {
        int threads = 8;
        byte[] same = random(300_000, 42);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CyclicBarrier start = new CyclicBarrier(threads);
            List<Future<ArtifactRef>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                results.add(pool.submit(() -> {
                    start.await();
                    ArtifactRef ref = store.put(new ByteArrayInputStream(same), null);
                    store.put(new ByteArrayInputStream(random(10_000, 1000 + id)), null);
                    return ref;
                }));
            }
            for (Future<ArtifactRef> f : results) {
                assertThat(f.get(60, TimeUnit.SECONDS).digest()).isEqualTo(sha256(same));
            }
        } finally {
            pool.shutdownNow();
        }
        try (InputStream in = store.open(sha256(same))) {
            assertThat(in.readAllBytes()).isEqualTo(same);
        }
        for (int t = 0; t < threads; t++) {
            byte[] other = random(10_000, 1000 + t);
            try (InputStream in = store.open(sha256(other))) {
                assertThat(in.readAllBytes()).isEqualTo(other);
            }
        }
    }

    @Test
    void closeIsIdempotent() {
        store.close();
        store.close();
    }
}
