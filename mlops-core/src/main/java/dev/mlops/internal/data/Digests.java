package dev.mlops.internal.data;

import dev.mlops.InvalidArgumentException;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * SHA-256 content digests in the form {@code sha256:} and 64 lower-case hex digits. Stateless and thread-safe.
 */
public final class Digests {
    /** The prefix of every digest. */
    public static final String PREFIX = "sha256:";
    /** The size of the buffer every stream is read with. */
    public static final int BUFFER_SIZE = 64 * 1024;

    private static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");

    private Digests() {
    }

    /** A fresh SHA-256 digester. */
    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    /** {@code sha256:} and the lower-case hex of a finished digest. */
    public static String format(byte[] sha256) {
        return PREFIX + HexFormat.of().formatHex(sha256);
    }

    /** Whether {@code digest} is exactly {@code sha256:} and 64 lower-case hex digits. */
    public static boolean isValid(String digest) {
        return digest != null && DIGEST.matcher(digest).matches();
    }

    /**
     * Checks the form of a digest given by a caller.
     *
     * @return {@code digest}
     * @throws InvalidArgumentException naming {@code field} when it is null or not {@code sha256:} and 64 lower-case
     *         hex digits
     */
    public static String require(String field, String digest) {
        if (digest == null) {
            throw new InvalidArgumentException(field, field + " is required");
        }
        if (!isValid(digest)) {
            throw new InvalidArgumentException(field, field + " must be 'sha256:' followed by 64 lower-case hex"
                    + " digits, was '" + dev.mlops.internal.Validate.printable(digest) + "'");
        }
        return digest;
    }

    /** The 64 hex digits of a valid digest. */
    public static String hex(String digest) {
        return digest.substring(PREFIX.length());
    }

    /** Digests the rest of {@code in} (not closed) with a {@value #BUFFER_SIZE}-byte buffer. */
    public static Result of(InputStream in) throws IOException {
        MessageDigest md = sha256();
        byte[] buffer = new byte[BUFFER_SIZE];
        long size = 0;
        for (int n; (n = in.read(buffer)) != -1; ) {
            md.update(buffer, 0, n);
            size += n;
        }
        return new Result(format(md.digest()), size);
    }

    /** A digest and the number of bytes it covers. */
    public record Result(String digest, long size) {
    }

    /**
     * Skips by reading through {@code in}'s own {@code read}, so that a stream that digests what passes through it
     * also digests what is skipped. Returns how many bytes were skipped (fewer only at the end of the stream).
     */
    public static long skipByReading(InputStream in, long n) throws IOException {
        byte[] buffer = new byte[(int) Math.min(BUFFER_SIZE, Math.max(1, n))];
        long skipped = 0;
        while (skipped < n) {
            int r = in.read(buffer, 0, (int) Math.min(buffer.length, n - skipped));
            if (r < 0) {
                break;
            }
            skipped += r;
        }
        return skipped;
    }
}
