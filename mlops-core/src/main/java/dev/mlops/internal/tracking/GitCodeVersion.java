package dev.mlops.internal.tracking;

import dev.mlops.tracking.CodeVersion;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads the code version of a git checkout from its files, without running {@code git}. Stateless and thread-safe;
 * never throws for a broken or unreadable repository (see {@link #read}).
 *
 * <ul>
 *   <li>The checkout is found by walking up from the start directory to the first {@code .git} directory, or
 *       {@code .git} file ({@code gitdir: PATH}, as {@code git worktree} and submodules write it). A linked
 *       worktree's branches, packed refs and config are read from the common directory named in its
 *       {@code commondir} file.</li>
 *   <li>{@code HEAD} is either a symbolic ref ({@code ref: refs/heads/NAME}: the branch is {@code NAME}, the commit
 *       comes from the loose ref file or {@code packed-refs}, and is null on a branch without commits) or a commit
 *       id (detached: the branch is null).</li>
 *   <li>The repository is {@code remote.origin.url} from the config, with credentials removed: the user info of
 *       {@code http(s)://} URLs entirely (tokens are often passed as user names), a {@code user:password@} part
 *       of other URLs.</li>
 *   <li>Dirty means a tracked file's content differs from the index: the index ({@code DIRC} versions 2, 3 and 4)
 *       lists each tracked file with its size, modification time and blob id; a file that is missing, has another
 *       type or size, or (where the file system has POSIX permissions and {@code core.fileMode} is not false)
 *       another executable bit is dirty; a file whose modification time differs from the index's, or is not older
 *       than the index itself ("racily clean"), is hashed as a git blob and compared. Entries marked
 *       skip-worktree (sparse checkouts) and submodules are not checked; an unmerged (conflicted) or
 *       intent-to-add entry counts as dirty. When the index cannot be read or uses a split index, the checkout
 *       counts as dirty: clean is only reported when it was verified.</li>
 * </ul>
 * Limits (see {@code docs/tracking.md}): staged changes that are not committed (index vs HEAD) are not detected;
 * untracked files do not count; clean/smudge filters and line-ending conversion are not applied, so a file that git
 * converts on checkout counts as dirty; {@code GIT_DIR} and other environment variables are ignored.
 */
public final class GitCodeVersion {
    private static final Pattern SHA1 = Pattern.compile("[0-9a-f]{40}");
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final long MAX_INDEX_BYTES = 512L * 1024 * 1024;
    private static final int MAX_SYMREF_DEPTH = 5;

    private GitCodeVersion() {
    }

    /**
     * The code version of the git checkout that contains {@code start}, or null when there is none (or its
     * {@code HEAD} cannot be read).
     */
    public static CodeVersion read(Path start) {
        if (start == null) {
            return null;
        }
        try {
            Path dir = start.toAbsolutePath().normalize();
            if (!Files.isDirectory(dir) && dir.getParent() != null) {
                dir = dir.getParent();
            }
            for (; dir != null; dir = dir.getParent()) {
                Path gitDir = gitDirOf(dir);
                if (gitDir != null) {
                    return read(dir, gitDir);
                }
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
        return null;
    }

    /** The git directory that {@code dir/.git} names, or null when it names none. */
    private static Path gitDirOf(Path dir) throws IOException {
        Path dotGit = dir.resolve(".git");
        Path gitDir = null;
        if (Files.isDirectory(dotGit)) {
            gitDir = dotGit;
        } else if (Files.isRegularFile(dotGit)) {
            String text = Files.readString(dotGit, StandardCharsets.UTF_8).strip();
            if (text.startsWith("gitdir:")) {
                gitDir = dir.resolve(text.substring("gitdir:".length()).strip()).normalize();
            }
        }
        return gitDir != null && Files.isRegularFile(gitDir.resolve("HEAD")) ? gitDir : null;
    }

    private static CodeVersion read(Path workTree, Path gitDir) throws IOException {
        Path commonDir = gitDir;
        Path commonFile = gitDir.resolve("commondir");
        if (Files.isRegularFile(commonFile)) {
            commonDir = gitDir.resolve(Files.readString(commonFile, StandardCharsets.UTF_8).strip()).normalize();
        }
        Map<String, String> config = Files.isRegularFile(commonDir.resolve("config"))
                ? parseConfig(Files.readAllLines(commonDir.resolve("config"), StandardCharsets.UTF_8))
                : Map.of();
        String head = Files.readString(gitDir.resolve("HEAD"), StandardCharsets.UTF_8).strip();
        String commit;
        String branch;
        if (head.startsWith("ref:")) {
            String ref = head.substring(4).strip();
            branch = ref.startsWith("refs/heads/") ? ref.substring("refs/heads/".length()) : ref;
            commit = resolveRef(gitDir, commonDir, ref, 0);
        } else if (isObjectId(head)) {
            commit = head;
            branch = null;
        } else {
            return null;
        }
        String url = config.get("remote.origin.url");
        boolean sha256 = "sha256".equalsIgnoreCase(config.getOrDefault("extensions.objectformat", "sha1"));
        boolean fileMode = !"false".equalsIgnoreCase(config.getOrDefault("core.filemode", "true"));
        boolean dirty = dirty(workTree, gitDir.resolve("index"), sha256, fileMode);
        return new CodeVersion(commit, branch, dirty, url == null ? null : withoutCredentials(url));
    }

    private static boolean isObjectId(String s) {
        return SHA1.matcher(s).matches() || SHA256.matcher(s).matches();
    }

    /** The commit a ref points at, following symbolic refs; null when the ref does not exist (yet). */
    private static String resolveRef(Path gitDir, Path commonDir, String ref, int depth) throws IOException {
        if (depth > MAX_SYMREF_DEPTH || !ref.startsWith("refs/") || ref.contains("..") || ref.contains("\\")) {
            return null;
        }
        for (Path base : List.of(gitDir, commonDir)) {
            Path loose = base.resolve(ref).normalize();
            if (loose.startsWith(base) && Files.isRegularFile(loose)) {
                String text = Files.readString(loose, StandardCharsets.UTF_8).strip();
                if (text.startsWith("ref:")) {
                    return resolveRef(gitDir, commonDir, text.substring(4).strip(), depth + 1);
                }
                return isObjectId(text) ? text : null;
            }
        }
        Path packed = commonDir.resolve("packed-refs");
        if (Files.isRegularFile(packed)) {
            for (String line : Files.readAllLines(packed, StandardCharsets.UTF_8)) {
                if (line.isEmpty() || line.startsWith("#") || line.startsWith("^")) {
                    continue;
                }
                int space = line.indexOf(' ');
                if (space > 0 && line.substring(space + 1).strip().equals(ref)) {
                    String id = line.substring(0, space);
                    return isObjectId(id) ? id : null;
                }
            }
        }
        return null;
    }

    /**
     * The entries of a git config file as {@code section.subsection.key} (section and key lower-cased, the
     * subsection as written) to the last value given; {@code include} directives are not followed.
     */
    static Map<String, String> parseConfig(List<String> lines) {
        Map<String, String> out = new LinkedHashMap<>();
        String section = "";
        for (String raw : lines) {
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                continue;
            }
            if (line.startsWith("[")) {
                int end = line.lastIndexOf(']');
                if (end < 0) {
                    continue;
                }
                String header = line.substring(1, end).strip();
                int quote = header.indexOf('"');
                if (quote >= 0) {
                    String name = header.substring(0, quote).strip().toLowerCase(Locale.ROOT);
                    String sub = header.substring(quote + 1, header.lastIndexOf('"') > quote
                            ? header.lastIndexOf('"') : header.length()).replace("\\\"", "\"").replace("\\\\", "\\");
                    section = name + "." + sub;
                } else {
                    int dot = header.indexOf('.');
                    section = dot < 0 ? header.toLowerCase(Locale.ROOT)
                            : header.substring(0, dot).toLowerCase(Locale.ROOT) + header.substring(dot);
                }
                String rest = line.substring(end + 1).strip();
                if (rest.isEmpty() || rest.startsWith("#") || rest.startsWith(";")) {
                    continue;
                }
                line = rest; // a key on the same line as its section header
            }
            int eq = line.indexOf('=');
            String key = (eq < 0 ? line : line.substring(0, eq)).strip().toLowerCase(Locale.ROOT);
            String value = eq < 0 ? "true" : configValue(line.substring(eq + 1));
            out.put(section + "." + key, value);
        }
        return out;
    }

    private static String configValue(String raw) {
        String s = raw.stripLeading();
        StringBuilder b = new StringBuilder();
        boolean quoted = false;
        int trimTo = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"') {
                quoted = !quoted;
                trimTo = b.length();
            } else if (!quoted && (c == '#' || c == ';')) {
                break;
            } else if (c == '\\' && i + 1 < s.length()) {
                char n = s.charAt(++i);
                b.append(switch (n) {
                    case 'n' -> '\n';
                    case 't' -> '\t';
                    case 'b' -> '\b';
                    default -> n;
                });
                trimTo = b.length();
            } else {
                b.append(c);
                if (quoted || !Character.isWhitespace(c)) {
                    trimTo = b.length();
                }
            }
        }
        return b.substring(0, trimTo);
    }

    /** {@code url} without credentials (see the class comment). */
    static String withoutCredentials(String url) {
        int scheme = url.indexOf("://");
        if (scheme < 0) {
            // scp-like user@host:path carries no password; strip a user:password@ all the same
            int at = url.indexOf('@');
            int colon = url.indexOf(':');
            return at > 0 && colon >= 0 && colon < at ? url.substring(at + 1) : url;
        }
        int start = scheme + 3;
        int end = url.length();
        for (char c : new char[] {'/', '?', '#'}) {
            int i = url.indexOf(c, start);
            if (i >= 0 && i < end) {
                end = i;
            }
        }
        int at = url.lastIndexOf('@', end - 1);
        if (at < start) {
            return url;
        }
        String userInfo = url.substring(start, at);
        String schemeName = url.substring(0, scheme).toLowerCase(Locale.ROOT);
        boolean http = schemeName.equals("http") || schemeName.equals("https");
        if (http || userInfo.indexOf(':') >= 0) {
            return url.substring(0, start) + url.substring(at + 1);
        }
        return url;
    }

    // ---- the index ----------------------------------------------------------------------------------------------

    private static final int MODE_TYPE = 0170000;
    private static final int MODE_REGULAR = 0100000;
    private static final int MODE_SYMLINK = 0120000;
    private static final int FLAG_EXTENDED = 0x4000;
    private static final int EXT_SKIP_WORKTREE = 0x4000;
    private static final int EXT_INTENT_TO_ADD = 0x2000;

    /** Whether a tracked file differs from the index; true when that cannot be decided. */
    static boolean dirty(Path workTree, Path indexFile, boolean sha256, boolean fileMode) {
        try {
            if (!Files.isRegularFile(indexFile)) {
                return false; // nothing is tracked yet
            }
            long size = Files.size(indexFile);
            if (size > MAX_INDEX_BYTES) {
                return true;
            }
            FileTime indexTime = Files.getLastModifiedTime(indexFile);
            ByteBuffer buf = ByteBuffer.wrap(Files.readAllBytes(indexFile));
            int hashLen = sha256 ? 32 : 20;
            if (buf.remaining() < 12 + hashLen || buf.getInt() != 0x44495243) { // "DIRC"
                return true;
            }
            int version = buf.getInt();
            if (version < 2 || version > 4) {
                return true;
            }
            long entries = Integer.toUnsignedLong(buf.getInt());
            byte[] previous = new byte[0];
            for (long i = 0; i < entries; i++) {
                int entryStart = buf.position();
                buf.position(entryStart + 8); // ctime
                long mtimeSec = Integer.toUnsignedLong(buf.getInt());
                int mtimeNsec = buf.getInt();
                buf.position(buf.position() + 8); // dev, ino
                int mode = buf.getInt();
                buf.position(buf.position() + 8); // uid, gid
                long fileSize = Integer.toUnsignedLong(buf.getInt());
                byte[] objectId = new byte[hashLen];
                buf.get(objectId);
                int flags = Short.toUnsignedInt(buf.getShort());
                int extFlags = version >= 3 && (flags & FLAG_EXTENDED) != 0 ? Short.toUnsignedInt(buf.getShort()) : 0;
                byte[] name;
                if (version == 4) {
                    long strip = varint(buf);
                    byte[] suffix = untilNul(buf);
                    if (strip > previous.length) {
                        return true;
                    }
                    int keep = previous.length - (int) strip;
                    name = new byte[keep + suffix.length];
                    System.arraycopy(previous, 0, name, 0, keep);
                    System.arraycopy(suffix, 0, name, keep, suffix.length);
                } else {
                    name = untilNul(buf);
                    int length = buf.position() - entryStart; // including the NUL
                    int padded = (length + 7) & ~7;
                    buf.position(entryStart + padded);
                }
                previous = name;
                int stage = (flags >> 12) & 3;
                if ((extFlags & EXT_SKIP_WORKTREE) != 0) {
                    continue;
                }
                if (stage != 0 || (extFlags & EXT_INTENT_TO_ADD) != 0) {
                    return true;
                }
                int type = mode & MODE_TYPE;
                if (type != MODE_REGULAR && type != MODE_SYMLINK) {
                    continue; // submodule (gitlink) or sparse directory entry
                }
                String path = new String(name, StandardCharsets.UTF_8);
                if (entryDiffers(workTree, path, mode, fileSize, mtimeSec, mtimeNsec, objectId, indexTime, sha256,
                        fileMode)) {
                    return true;
                }
            }
            // Extensions: a split index keeps most entries in another file, which is not read.
            while (buf.remaining() >= 8 + hashLen) {
                byte[] signature = new byte[4];
                buf.get(signature);
                long extSize = Integer.toUnsignedLong(buf.getInt());
                if ("link".equals(new String(signature, StandardCharsets.US_ASCII))) {
                    return true;
                }
                if (extSize > buf.remaining()) {
                    return true;
                }
                buf.position(buf.position() + (int) extSize);
            }
            return false;
        } catch (IOException | RuntimeException e) {
            return true;
        }
    }

    private static boolean entryDiffers(Path workTree, String path, int mode, long indexSize, long mtimeSec,
            int mtimeNsec, byte[] objectId, FileTime indexTime, boolean sha256, boolean fileMode) throws IOException {
        Path file = workTree.resolve(path).normalize();
        if (path.isEmpty() || path.startsWith("/") || !file.startsWith(workTree) || file.equals(workTree)) {
            return true;
        }
        BasicFileAttributes attrs;
        try {
            attrs = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            return true; // missing or unreadable
        }
        boolean symlink = (mode & MODE_TYPE) == MODE_SYMLINK;
        byte[] content = null;
        long actualSize;
        if (symlink) {
            if (!attrs.isSymbolicLink()) {
                return true;
            }
            content = Files.readSymbolicLink(file).toString().getBytes(StandardCharsets.UTF_8);
            actualSize = content.length;
        } else {
            if (!attrs.isRegularFile()) {
                return true;
            }
            actualSize = attrs.size();
            if (fileMode && executableDiffers(file, mode)) {
                return true;
            }
        }
        if ((actualSize & 0xFFFFFFFFL) != indexSize) {
            return true;
        }
        Instant mtime = attrs.lastModifiedTime().toInstant();
        boolean sameTime = mtime.getEpochSecond() == mtimeSec && (mtimeNsec == 0 || mtime.getNano() == mtimeNsec);
        boolean racy = attrs.lastModifiedTime().compareTo(indexTime) >= 0;
        if (sameTime && !racy) {
            return false;
        }
        byte[] actual = content != null ? blobId(content, sha256) : blobId(file, actualSize, sha256);
        return actual == null || !MessageDigest.isEqual(actual, objectId);
    }

    private static boolean executableDiffers(Path file, int mode) {
        try {
            PosixFileAttributes posix = Files.readAttributes(file, PosixFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS);
            boolean indexExec = (mode & 0100) != 0;
            return indexExec != posix.permissions().contains(PosixFilePermission.OWNER_EXECUTE);
        } catch (UnsupportedOperationException | IOException e) {
            return false; // no POSIX permissions here: git would not compare them either
        }
    }

    /** The git blob id of {@code content}: the hash of {@code "blob <size>\0"} and the bytes. */
    static byte[] blobId(byte[] content, boolean sha256) {
        MessageDigest md = objectDigest(sha256);
        md.update(("blob " + content.length + "\0").getBytes(StandardCharsets.US_ASCII));
        md.update(content);
        return md.digest();
    }

    /** The git blob id of a file of {@code size} bytes, streamed; null when the file no longer has that size. */
    private static byte[] blobId(Path file, long size, boolean sha256) throws IOException {
        MessageDigest md = objectDigest(sha256);
        md.update(("blob " + size + "\0").getBytes(StandardCharsets.US_ASCII));
        long read = 0;
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = in.read(buffer)) != -1; ) {
                md.update(buffer, 0, n);
                read += n;
            }
        }
        return read == size ? md.digest() : null;
    }

    private static MessageDigest objectDigest(boolean sha256) {
        try {
            return MessageDigest.getInstance(sha256 ? "SHA-256" : "SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Git's offset varint (index v4): 7 bits a byte, high bit = more, each continuation adds one. */
    private static long varint(ByteBuffer buf) {
        int c = Byte.toUnsignedInt(buf.get());
        long value = c & 0x7f;
        while ((c & 0x80) != 0) {
            c = Byte.toUnsignedInt(buf.get());
            value = ((value + 1) << 7) | (c & 0x7f);
            if (value > Integer.MAX_VALUE) {
                throw new IllegalStateException("bad varint in index");
            }
        }
        return value;
    }

    private static byte[] untilNul(ByteBuffer buf) {
        int start = buf.position();
        int end = start;
        while (buf.get(end) != 0) {
            end++;
        }
        byte[] out = new byte[end - start];
        buf.get(out);
        buf.get(); // the NUL
        return out;
    }
}
