package dev.mlops.internal.artifact;

import dev.mlops.IntegrityException;
import dev.mlops.InvalidArgumentException;
import dev.mlops.NotFoundException;
import dev.mlops.StorageException;
import dev.mlops.artifact.ArtifactRef;
import dev.mlops.internal.data.Digests;
import dev.mlops.spi.ArtifactStore;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * An {@link ArtifactStore} in a local directory {@code ROOT}: the artifact with digest {@code sha256:HEX} lives at
 * {@code ROOT/sha256/HE/HEX} (the first two hex digits name a sub-directory). Thread-safe, also across processes that
 * share the directory.
 *
 * <ul>
 *   <li>{@link #put} streams the bytes (a {@value Digests#BUFFER_SIZE}-byte buffer, never the whole artifact) into a
 *       new file with a unique name in {@code ROOT/tmp}, digesting them on the way, forces it to disk, then moves it
 *       into place atomically. A wrong {@code expectedDigest} deletes the temporary file and stores nothing. When the
 *       artifact exists already and its bytes are intact, the new copy is dropped; a stored copy that is corrupt is
 *       replaced. Concurrent puts of the same content leave one complete, correct file.</li>
 *   <li>{@link #open} and {@link #stat} accept only {@code sha256:} and 64 lower-case hex digits, so a path is never
 *       built from anything else, and check that the path stays under {@code ROOT}; the stream of {@link #open}
 *       verifies the digest at its end.</li>
 *   <li>Opening the store deletes files in {@code ROOT/tmp} older than an hour (left by crashed writers).</li>
 * </ul>
 */
public final class LocalArtifactStore implements ArtifactStore {
    /** Temporary files older than this are deleted when a store is opened. */
    public static final Duration STALE_TEMP_AGE = Duration.ofHours(1);

    private final Path root;
    private final Path objects;
    private final Path tmp;

    /**
     * Opens (creating when needed) the store in {@code root}.
     *
     * @throws StorageException when the directories cannot be created
     */
    public LocalArtifactStore(Path root) {
        this.root = Objects.requireNonNull(root, "root").toAbsolutePath().normalize();
        this.objects = this.root.resolve("sha256");
        this.tmp = this.root.resolve("tmp");
        try {
            Files.createDirectories(objects);
            Files.createDirectories(tmp);
        } catch (IOException e) {
            throw new StorageException("cannot create the artifact store in " + this.root + ": " + e, e);
        }
        cleanStaleTemps(Instant.now().minus(STALE_TEMP_AGE));
    }

    /** The root directory. */
    public Path root() {
        return root;
    }

    @Override
    public ArtifactRef put(InputStream content, String expectedDigest) {
        Objects.requireNonNull(content, "content");
        if (expectedDigest != null) {
            Digests.require("expectedDigest", expectedDigest);
        }
        Path temp = tmp.resolve("put-" + UUID.randomUUID() + ".tmp");
        try {
            String digest;
            long size = 0;
            try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                MessageDigest md = Digests.sha256();
                byte[] buffer = new byte[Digests.BUFFER_SIZE];
                ByteBuffer wrapped = ByteBuffer.wrap(buffer);
                for (int n; (n = readContent(content, buffer)) != -1; ) {
                    md.update(buffer, 0, n);
                    wrapped.clear().limit(n);
                    while (wrapped.hasRemaining()) {
                        out.write(wrapped);
                    }
                    size += n;
                }
                out.force(true);
                digest = Digests.format(md.digest());
            }
            if (expectedDigest != null && !expectedDigest.equals(digest)) {
                throw new IntegrityException("artifact digest mismatch: expected " + expectedDigest
                        + ", the bytes have " + digest + "; nothing was stored");
            }
            Path target = pathOf(digest);
            Files.createDirectories(target.getParent());
            if (Files.exists(target, LinkOption.NOFOLLOW_LINKS) && intact(target, digest)) {
                return new ArtifactRef(digest, size, target.toUri().toString());
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (FileAlreadyExistsException e) {
                // Another writer moved the same content into place meanwhile (on file systems where an atomic move
                // does not replace): keep theirs if intact, else replace it with this verified copy.
                if (!intact(target, digest)) {
                    Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                }
            }
            syncDirectory(target.getParent());
            return new ArtifactRef(digest, size, target.toUri().toString());
        } catch (AtomicMoveNotSupportedException e) {
            throw new StorageException("the file system of " + root + " cannot move files atomically", e);
        } catch (IOException e) {
            throw new StorageException("storing an artifact in " + root + " failed: " + e, e);
        } finally {
            try {
                Files.deleteIfExists(temp); // still there unless it was moved into place
            } catch (IOException ignored) {
                // a leftover temporary file is removed when a store is next opened
            }
        }
    }

    @Override
    public InputStream open(String digest) {
        Path path = checkedPath(digest);
        try {
            return new VerifyingInputStream(Files.newInputStream(path, LinkOption.NOFOLLOW_LINKS), digest,
                    describe());
        } catch (NoSuchFileException e) {
            throw new NotFoundException("no artifact " + digest + " in " + describe());
        } catch (IOException e) {
            throw new StorageException("cannot open artifact " + digest + " in " + root + ": " + e, e);
        }
    }

    @Override
    public Optional<ArtifactRef> stat(String digest) {
        Path path = checkedPath(digest);
        try {
            BasicFileAttributes attrs = Files.readAttributes(path, BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS);
            if (!attrs.isRegularFile()) {
                return Optional.empty();
            }
            return Optional.of(new ArtifactRef(digest, attrs.size(), path.toUri().toString()));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new StorageException("cannot read artifact " + digest + " in " + root + ": " + e, e);
        }
    }

    @Override
    public String describe() {
        return "file:" + root;
    }

    /** Nothing to release. Idempotent. */
    @Override
    public void close() {
    }

    @Override
    public String toString() {
        return "LocalArtifactStore[" + root + "]";
    }

    /** The path of a digest validated strictly, checked to lie under the root. */
    private Path checkedPath(String digest) {
        Digests.require("digest", digest);
        Path path = pathOf(digest);
        if (!path.normalize().startsWith(objects)) {
            throw new InvalidArgumentException("digest", "digest '" + digest + "' leads outside the artifact store");
        }
        return path;
    }

    private Path pathOf(String digest) {
        String hex = Digests.hex(digest);
        return objects.resolve(hex.substring(0, 2)).resolve(hex);
    }

    private static int readContent(InputStream content, byte[] buffer) {
        try {
            return content.read(buffer);
        } catch (IOException e) {
            throw new StorageException("reading the artifact content failed: " + e.getMessage(), e);
        }
    }

    private static boolean intact(Path file, String digest) throws IOException {
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            return Digests.of(in).digest().equals(digest);
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    private static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | RuntimeException ignored) {
            // not every platform can sync a directory; the file itself was forced before the move
        }
    }

    private void cleanStaleTemps(Instant olderThan) {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(tmp)) {
            for (Path f : files) {
                try {
                    BasicFileAttributes attrs = Files.readAttributes(f, BasicFileAttributes.class,
                            LinkOption.NOFOLLOW_LINKS);
                    if (attrs.isRegularFile() && attrs.lastModifiedTime().toInstant().isBefore(olderThan)) {
                        Files.deleteIfExists(f);
                    }
                } catch (IOException ignored) {
                    // another process may have removed or be writing it; try again next time
                }
            }
        } catch (IOException ignored) {
            // cleaning is best effort
        }
    }
}
