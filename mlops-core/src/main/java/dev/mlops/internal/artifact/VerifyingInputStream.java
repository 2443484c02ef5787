package dev.mlops.internal.artifact;

import dev.mlops.IntegrityException;
import dev.mlops.internal.data.Digests;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;

/**
 * Passes bytes through and, when the end is reached, checks that they had the expected SHA-256: if not, the read that
 * reaches the end throws an {@link IntegrityException} naming both digests (and so does every later read). A stream
 * closed before its end is not checked. Skipped bytes are read and digested. Not thread-safe.
 */
final class VerifyingInputStream extends FilterInputStream {
    private final String expected;
    private final String where;
    private final MessageDigest digest = Digests.sha256();
    private String mismatch;
    private boolean verified;

    /**
     * @param in       the stored bytes, closed with this stream
     * @param expected the digest they must have ({@code sha256:HEX})
     * @param where    where the bytes live, for the message
     */
    VerifyingInputStream(InputStream in, String expected, String where) {
        super(in);
        this.expected = expected;
        this.where = where;
    }

    @Override
    public int read() throws IOException {
        int b = in.read();
        if (b < 0) {
            atEnd();
        } else {
            digest.update((byte) b);
        }
        return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        int n = in.read(b, off, len);
        if (n < 0) {
            atEnd();
        } else if (n > 0) {
            digest.update(b, off, n);
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        return Digests.skipByReading(this, n);
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    @Override
    public synchronized void mark(int readlimit) {
    }

    @Override
    public synchronized void reset() throws IOException {
        throw new IOException("mark/reset not supported");
    }

    private void atEnd() {
        if (!verified) {
            verified = true;
            String actual = Digests.format(digest.digest());
            if (!actual.equals(expected)) {
                mismatch = "artifact " + expected + " in " + where + " is corrupt: its bytes have digest " + actual;
            }
        }
        if (mismatch != null) {
            throw new IntegrityException(mismatch);
        }
    }
}
