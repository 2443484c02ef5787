package dev.mlops.internal.data;

import dev.mlops.InvalidArgumentException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;

/**
 * The identity of a directory: the SHA-256 of its manifest. The manifest has one line per regular file below the
 * directory, at any depth:
 *
 * <pre>{@code <64 lower-case hex digits of the file's SHA-256> SP <size in bytes, decimal> SP <relative path> LF}</pre>
 *
 * <p>The relative path joins the names below the directory with {@code /}; lines are sorted by the UTF-8 bytes of
 * the relative path, compared as unsigned bytes. The manifest is UTF-8 and ends with a line feed. Directories
 * themselves (also empty ones) are not listed. Refused with an {@link InvalidArgumentException} naming the relative
 * path: symbolic links (never followed, so nothing outside the directory is read), special files (pipes, sockets,
 * devices), names with a line feed or carriage return, and a directory without any regular file. See
 * {@code docs/datasets.md}. Stateless and thread-safe; memory grows with the number of files, not their size.
 */
public final class DirectoryDigest {
    private DirectoryDigest() {
    }

    /** A file of the manifest. */
    public record Entry(String path, String digest, long size) {
        /** The manifest line of this entry, with its line feed. */
        public String line() {
            return Digests.hex(digest) + " " + size + " " + path + "\n";
        }
    }

    /** The digest of a directory, its total size and its entries in manifest order. */
    public record Result(String digest, long size, List<Entry> entries) {
        public Result {
            entries = List.copyOf(entries);
        }

        /** The manifest text whose SHA-256 is {@link #digest()}. */
        public String manifest() {
            StringBuilder b = new StringBuilder();
            entries.forEach(e -> b.append(e.line()));
            return b.toString();
        }
    }

    /**
     * Digests the directory {@code dir}; a symbolic link given as {@code dir} itself is resolved first.
     *
     * @throws InvalidArgumentException naming the path when the directory or a file below it cannot be read, or
     *         holds something refused (see the class comment)
     */
    public static Result digest(Path dir) {
        Path root;
        try {
            root = dir.toRealPath();
        } catch (IOException e) {
            throw new InvalidArgumentException("path", "cannot read directory " + dir + ": " + describe(e), e);
        }
        List<Entry> entries = new ArrayList<>();
        try {
            Files.walkFileTree(root, EnumSet.noneOf(java.nio.file.FileVisitOption.class), Integer.MAX_VALUE,
                    new SimpleFileVisitor<>() {
                        @Override
                        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                            String relative = relative(root, file);
                            if (attrs.isSymbolicLink()) {
                                throw refuse(dir, relative, "is a symbolic link; links are not followed, copy the"
                                        + " file into the directory instead");
                            }
                            if (!attrs.isRegularFile()) {
                                throw refuse(dir, relative, "is not a regular file (pipe, socket or device)");
                            }
                            if (relative.indexOf('\n') >= 0 || relative.indexOf('\r') >= 0) {
                                throw refuse(dir, dev.mlops.internal.Validate.printable(relative),
                                        "has a line feed or carriage return in its name");
                            }
                            try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
                                Digests.Result r = Digests.of(in);
                                entries.add(new Entry(relative, r.digest(), r.size()));
                            }
                            return FileVisitResult.CONTINUE;
                        }

                        @Override
                        public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                            throw e;
                        }
                    });
        } catch (IOException e) {
            throw new InvalidArgumentException("path", "cannot read directory " + dir + ": " + describe(e), e);
        }
        if (entries.isEmpty()) {
            throw new InvalidArgumentException("path", "directory " + dir + " holds no regular file; an empty"
                    + " dataset cannot be registered");
        }
        entries.sort((a, b) -> Arrays.compareUnsigned(a.path().getBytes(StandardCharsets.UTF_8),
                b.path().getBytes(StandardCharsets.UTF_8)));
        MessageDigest md = Digests.sha256();
        long size = 0;
        for (Entry e : entries) {
            md.update(e.line().getBytes(StandardCharsets.UTF_8));
            size += e.size();
        }
        return new Result(Digests.format(md.digest()), size, entries);
    }

    private static String relative(Path root, Path file) {
        Path rel = root.relativize(file);
        StringBuilder b = new StringBuilder();
        for (Path name : rel) {
            if (b.length() > 0) {
                b.append('/');
            }
            b.append(name);
        }
        return b.toString();
    }

    private static InvalidArgumentException refuse(Path dir, String relative, String why) {
        return new InvalidArgumentException("path", "cannot register directory " + dir + ": '" + relative + "' "
                + why);
    }

    static String describe(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied (" + e.getMessage() + ")";
        }
        return e.getClass().getSimpleName() + ": " + e.getMessage();
    }
}
