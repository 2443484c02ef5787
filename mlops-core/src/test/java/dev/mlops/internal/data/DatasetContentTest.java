package dev.mlops.internal.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.InvalidArgumentException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DatasetContentTest {
    /** {@code sha256sum seattle-weather.csv}. */
    static final String SEATTLE_SHA256 = "sha256:0845078a290b48e3149ab8639966824110a251db4e06fc144c06ebb534af23be";

    @TempDir
    Path dir;

    static Path copySeattle(Path to) throws IOException {
        try (InputStream in = TabularInspectorTest.seattle()) {
            Files.createDirectories(to.getParent());
            Files.copy(in, to);
        }
        return to;
    }

    private static String sha256(byte[] bytes) throws Exception {
        return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    @Test
    void csvFileDigestAgreesWithSha256sumAndIsInspected() throws IOException {
        Path csv = copySeattle(dir.resolve("seattle-weather.csv"));
        DatasetContent.Content c = DatasetContent.read(csv);
        assertThat(c.format()).isEqualTo("csv");
        assertThat(c.digest()).isEqualTo(SEATTLE_SHA256);
        assertThat(c.size()).isEqualTo(Files.size(csv));
        assertThat(c.rows()).isEqualTo(1461L);
        assertThat(c.schema()).isEqualTo(TabularInspectorTest.SEATTLE);
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 65_535, 65_536, 65_537, 1_000_003})
    void binaryFileDigestEqualsSha256OfItsBytes(int size) throws Exception {
        byte[] bytes = new byte[size];
        new SplittableRandom(size).nextBytes(bytes);
        Path f = Files.write(dir.resolve("blob.bin"), bytes);
        DatasetContent.Content c = DatasetContent.read(f);
        assertThat(c.format()).isEqualTo("binary");
        assertThat(c.digest()).isEqualTo(sha256(bytes));
        assertThat(c.size()).isEqualTo(size);
        assertThat(c.rows()).isNull();
        assertThat(c.schema()).isNull();
        assertThat(Digests.of(new ByteArrayInputStream(bytes)).digest()).isEqualTo(sha256(bytes));
    }

    @Test
    void jsonDigestCoversTrailingBytesTheParserDoesNotNeed() throws Exception {
        byte[] bytes = "[{\"a\": 1}]\n\n      \n".getBytes(StandardCharsets.UTF_8);
        DatasetContent.Content c = DatasetContent.read(Files.write(dir.resolve("t.JSON"), bytes));
        assertThat(c.format()).isEqualTo("json");
        assertThat(c.digest()).isEqualTo(sha256(bytes));
        assertThat(c.size()).isEqualTo(bytes.length);
        assertThat(c.rows()).isEqualTo(1L);
    }

    @Test
    void missingPathIsNamed() {
        Path missing = dir.resolve("nope.csv");
        assertThatThrownBy(() -> DatasetContent.read(missing))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("does not exist")
                .hasMessageContaining(missing.toString());
    }

    @Test
    void fileThatIsNotItsClaimedFormatNamesFileAndLine() throws IOException {
        Path bad = Files.writeString(dir.resolve("bad.csv"), "a,b\n1,2\n3\n");
        assertThatThrownBy(() -> DatasetContent.read(bad))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("bad.csv line 3");
        Path notRecords = Files.writeString(dir.resolve("obj.json"), "{\"rows\": []}");
        assertThatThrownBy(() -> DatasetContent.read(notRecords))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("obj.json")
                .hasMessageContaining("found an object");
    }

    // ---- directories ------------------------------------------------------------------------------------------

    private Path tree() throws IOException {
        Path root = dir.resolve("ds");
        Files.createDirectories(root.resolve("train/part"));
        Files.writeString(root.resolve("train/part/b.txt"), "bee\n");
        Files.writeString(root.resolve("train/a.txt"), "a");
        Files.writeString(root.resolve("a.txt"), "");
        Files.writeString(root.resolve("Z.txt"), "zed");
        Files.writeString(root.resolve("é.txt"), "accent");
        Files.writeString(root.resolve("train.txt"), "t");
        return root;
    }

    @Test
    void directoryManifestIsSortedByUtf8BytesOfSlashSeparatedPaths() throws Exception {
        DirectoryDigest.Result r = DirectoryDigest.digest(tree());
        // byte order: 'Z' (0x5A) < 'a' < "train.txt" ('.' 0x2E) < "train/..." ('/' 0x2F) < 'é' (0xC3 0xA9)
        assertThat(r.entries()).extracting(DirectoryDigest.Entry::path).containsExactly(
                "Z.txt", "a.txt", "train.txt", "train/a.txt", "train/part/b.txt", "é.txt");
        String expectedManifest = ""
                + hex("zed") + " 3 Z.txt\n"
                + hex("") + " 0 a.txt\n"
                + hex("t") + " 1 train.txt\n"
                + hex("a") + " 1 train/a.txt\n"
                + hex("bee\n") + " 4 train/part/b.txt\n"
                + hex("accent") + " 6 é.txt\n";
        assertThat(r.manifest()).isEqualTo(expectedManifest);
        assertThat(r.digest()).isEqualTo(sha256(expectedManifest.getBytes(StandardCharsets.UTF_8)));
        assertThat(r.size()).isEqualTo(3 + 0 + 1 + 1 + 4 + 6);
        DatasetContent.Content c = DatasetContent.read(dir.resolve("ds"));
        assertThat(c.format()).isEqualTo("directory");
        assertThat(c.digest()).isEqualTo(r.digest());
        assertThat(c.size()).isEqualTo(r.size());
        assertThat(c.rows()).isNull();
    }

    private static String hex(String content) throws Exception {
        return sha256(content.getBytes(StandardCharsets.UTF_8)).substring(7);
    }

    /** The shell recipe in docs/datasets.md computes the same digest. */
    @Test
    void directoryDigestAgreesWithTheDocumentedShellRecipe() throws Exception {
        Path root = tree();
        String script = "cd \"$1\" && find . -type f -printf '%P\\n' | LC_ALL=C sort | while IFS= read -r f; do"
                + " printf '%s %s %s\\n' \"$(sha256sum < \"$f\" | cut -c1-64)\" \"$(stat -c %s \"$f\")\" \"$f\";"
                + " done | sha256sum | cut -c1-64";
        Process p = new ProcessBuilder("bash", "-c", script, "bash", root.toString())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat("sha256:" + out).isEqualTo(DirectoryDigest.digest(root).digest());
    }

    @Test
    void directoryDigestDependsOnContentAndNamesNotLocation() throws IOException {
        Path root = tree();
        String before = DirectoryDigest.digest(root).digest();
        Path copy = dir.resolve("elsewhere/copy");
        Files.createDirectories(copy.getParent());
        try (var paths = Files.walk(root)) {
            for (Path p : paths.toList()) {
                Path target = copy.resolve(root.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
        assertThat(DirectoryDigest.digest(copy).digest()).isEqualTo(before);
        Files.createDirectories(root.resolve("empty/sub"));
        assertThat(DirectoryDigest.digest(root).digest()).as("empty directories are not part of the identity")
                .isEqualTo(before);
        Files.move(root.resolve("train/a.txt"), root.resolve("train/a2.txt"));
        String renamed = DirectoryDigest.digest(root).digest();
        assertThat(renamed).isNotEqualTo(before);
        Files.writeString(root.resolve("train/a2.txt"), "b");
        assertThat(DirectoryDigest.digest(root).digest()).isNotEqualTo(renamed);
    }

    @Test
    void symbolicLinksAreRefusedAndNeverFollowed() throws IOException {
        Path outside = Files.writeString(dir.resolve("secret.txt"), "outside the root");
        Path root = tree();
        Files.createSymbolicLink(root.resolve("train/escape"), outside);
        assertThatThrownBy(() -> DirectoryDigest.digest(root))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("'train/escape' is a symbolic link");
        Files.delete(root.resolve("train/escape"));
        Files.createSymbolicLink(root.resolve("inside"), root.resolve("a.txt"));
        assertThatThrownBy(() -> DirectoryDigest.digest(root))
                .hasMessageContaining("'inside' is a symbolic link");
        Files.delete(root.resolve("inside"));
        Files.createSymbolicLink(root.resolve("up"), dir);
        assertThatThrownBy(() -> DirectoryDigest.digest(root))
                .hasMessageContaining("'up' is a symbolic link");
    }

    @Test
    void theRootItselfMayBeALink() throws IOException {
        Path root = tree();
        Path link = Files.createSymbolicLink(dir.resolve("link-to-ds"), root);
        assertThat(DirectoryDigest.digest(link).digest()).isEqualTo(DirectoryDigest.digest(root).digest());
    }

    @Test
    void specialFilesAreRefused() throws Exception {
        Path root = tree();
        Process p = new ProcessBuilder("mkfifo", root.resolve("pipe").toString()).start();
        assertThat(p.waitFor()).isZero();
        assertThatThrownBy(() -> DirectoryDigest.digest(root))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("'pipe' is not a regular file");
    }

    @Test
    void namesWithLineBreaksAreRefused() throws IOException {
        Path root = tree();
        Files.writeString(root.resolve("two\nlines"), "x");
        assertThatThrownBy(() -> DirectoryDigest.digest(root))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("line feed");
    }

    @Test
    void directoriesWithoutFilesAreRefused() throws IOException {
        Path empty = Files.createDirectories(dir.resolve("empty/only/dirs"));
        assertThatThrownBy(() -> DatasetContent.read(dir.resolve("empty")))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("holds no regular file");
        assertThat(empty).exists();
    }

    @Test
    void digestFormatIsStrict() {
        assertThat(Digests.isValid(SEATTLE_SHA256)).isTrue();
        for (String bad : List.of("", "sha256:", SEATTLE_SHA256.toUpperCase(), SEATTLE_SHA256.substring(1),
                SEATTLE_SHA256 + "0", "md5:" + SEATTLE_SHA256.substring(7), "sha256:../../etc/passwd",
                " " + SEATTLE_SHA256)) {
            assertThat(Digests.isValid(bad)).as(bad).isFalse();
            assertThatThrownBy(() -> Digests.require("version", bad))
                    .isInstanceOf(InvalidArgumentException.class)
                    .hasMessageContaining("version must be 'sha256:'");
        }
    }
}
