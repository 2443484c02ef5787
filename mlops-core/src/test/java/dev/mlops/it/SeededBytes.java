package dev.mlops.it;

import dev.mlops.internal.data.Digests;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.SplittableRandom;

/**
 * {@code size} pseudo-random bytes determined by {@code seed}, generated as they are read (never held in memory):
 * the same seed and size give the same bytes in every process, so a test can know the digest a child uploads.
 */
class SeededBytes extends InputStream {
    private final SplittableRandom random;
    private final long size;
    private long position;

    SeededBytes(long seed, long size) {
        this.random = new SplittableRandom(seed);
        this.size = size;
    }

    /** How many bytes were read so far. */
    long position() {
        return position;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) == -1 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (position >= size) {
            return -1;
        }
        int n = (int) Math.min(len, size - position);
        // One random draw a byte keeps the sequence independent of how the reader splits its reads.
        for (int i = 0; i < n; i++) {
            b[off + i] = (byte) random.nextInt(256);
        }
        position += n;
        return n;
    }

    /** The {@code sha256:HEX} digest of the bytes of {@code seed} and {@code size}. */
    static String digest(long seed, long size) {
        try (InputStream in = new SeededBytes(seed, size)) {
            return Digests.of(in).digest();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
