package dev.mlops.internal.data;

import dev.mlops.InvalidArgumentException;
import dev.mlops.data.DatasetSchema;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Locale;

/**
 * What registering a file or directory learns about its content: the format, the digest, the size and, for CSV and
 * JSON-records files, the row count and schema. A file is read once: the digest is computed from the same bytes the
 * parser reads. Stateless and thread-safe.
 *
 * <p>The format comes from the name: {@code .csv} and {@code .json} (any case) are parsed, any other file is
 * {@code binary}, a directory is {@code directory} (see {@link DirectoryDigest}).
 */
public final class DatasetContent {
    /** Format of CSV files. */
    public static final String CSV = "csv";
    /** Format of JSON-records files. */
    public static final String JSON = "json";
    /** Format of other files. */
    public static final String BINARY = "binary";
    /** Format of directories. */
    public static final String DIRECTORY = "directory";

    private DatasetContent() {
    }

    /**
     * The content of a file or directory.
     *
     * @param format  one of {@link #CSV}, {@link #JSON}, {@link #BINARY}, {@link #DIRECTORY}
     * @param digest  {@code sha256:HEX}
     * @param size    bytes (for a directory, of all its files)
     * @param rows    the number of data rows, or null when not tabular
     * @param schema  the columns, or null when not tabular
     */
    public record Content(String format, String digest, long size, Long rows, DatasetSchema schema) {
    }

    /**
     * Reads {@code path}.
     *
     * @throws InvalidArgumentException naming the path when it does not exist, cannot be read, is neither a
     *         regular file nor a directory, or is not the format its name claims (naming the line)
     */
    public static Content read(Path path) {
        if (!Files.exists(path)) {
            throw new InvalidArgumentException("path", "path does not exist: " + path);
        }
        if (!Files.isReadable(path)) {
            throw new InvalidArgumentException("path", "path cannot be read (permission denied): " + path);
        }
        if (Files.isDirectory(path)) {
            DirectoryDigest.Result r = DirectoryDigest.digest(path);
            return new Content(DIRECTORY, r.digest(), r.size(), null, null);
        }
        if (!Files.isRegularFile(path)) {
            throw new InvalidArgumentException("path", "path is neither a regular file nor a directory: " + path);
        }
        String format = formatOf(path);
        String source = String.valueOf(path.getFileName());
        try (InputStream file = Files.newInputStream(path)) {
            DigestingStream in = new DigestingStream(file);
            TabularInspector.Inspection inspection = switch (format) {
                case CSV -> TabularInspector.csv(in, source);
                case JSON -> TabularInspector.jsonRecords(in, source);
                default -> null;
            };
            in.drain();
            return new Content(format, Digests.format(in.digest.digest()), in.size,
                    inspection == null ? null : inspection.rows(),
                    inspection == null ? null : inspection.schema());
        } catch (IOException e) {
            throw new InvalidArgumentException("path", "cannot read " + path + ": " + DirectoryDigest.describe(e), e);
        }
    }

    /** The format a file's name claims: {@code csv}, {@code json} or {@code binary}. */
    public static String formatOf(Path file) {
        String name = String.valueOf(file.getFileName()).toLowerCase(Locale.ROOT);
        if (name.endsWith(".csv")) {
            return CSV;
        }
        if (name.endsWith(".json")) {
            return JSON;
        }
        return BINARY;
    }

    /** Digests and counts every byte read through it. */
    private static final class DigestingStream extends FilterInputStream {
        final MessageDigest digest = Digests.sha256();
        long size;

        DigestingStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                digest.update((byte) b);
                size++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
                digest.update(b, off, n);
                size += n;
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
        public void mark(int readlimit) {
        }

        @Override
        public void reset() throws IOException {
            throw new IOException("mark/reset not supported");
        }

        /** Reads what the parser left, so that the digest covers the whole file. */
        void drain() throws IOException {
            byte[] buffer = new byte[Digests.BUFFER_SIZE];
            while (read(buffer, 0, buffer.length) >= 0) {
                // digested by read
            }
        }
    }
}
