package dev.mlops.internal.tracking;

import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.tracking.CodeVersion;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checkouts built with the real {@code git} binary; the reader itself never runs git. */
class GitCodeVersionTest {
    @TempDir
    Path tmp;

    private Path repo;

    @BeforeEach
    void init() throws Exception {
        repo = Files.createDirectories(tmp.resolve("repo"));
    }

    private String git(Path dir, String... args) throws Exception {
        Object[] result = run(dir, args);
        assertThat((int) result[0]).as("git %s: %s", String.join(" ", args), result[1]).isZero();
        return (String) result[1];
    }

    /** Runs git; returns the exit code and the output. */
    private Object[] run(Path dir, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("git", "-c", "core.autocrlf=false", "-c", "gc.auto=0"));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.put("HOME", tmp.toString());
        env.put("GIT_CONFIG_NOSYSTEM", "1");
        env.put("GIT_CONFIG_GLOBAL", tmp.resolve("no-global-config").toString());
        env.put("GIT_AUTHOR_NAME", "Test");
        env.put("GIT_AUTHOR_EMAIL", "test@example.com");
        env.put("GIT_COMMITTER_NAME", "Test");
        env.put("GIT_COMMITTER_EMAIL", "test@example.com");
        Process p = pb.start();
        String out;
        try (InputStream in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Object[] {p.exitValue(), out.strip()};
    }

    private String git(String... args) throws Exception {
        return git(repo, args);
    }

    /** A repository on branch main with a few committed files, nested directories included. */
    private String commitFiles(String... extraArgsForInit) throws Exception {
        List<String> init = new ArrayList<>(List.of("init", "-q", "-b", "main"));
        init.addAll(List.of(extraArgsForInit));
        git(init.toArray(String[]::new));
        Files.writeString(repo.resolve("README.md"), "# demo\n");
        Files.createDirectories(repo.resolve("src/main/java/demo"));
        Files.writeString(repo.resolve("src/main/java/demo/App.java"), "class App {}\n");
        Files.writeString(repo.resolve("src/main/java/demo/Util.java"), "class Util {}\n");
        Files.createDirectories(repo.resolve("src/test"));
        Files.writeString(repo.resolve("src/test/AppTest.java"), "class AppTest {}\n");
        git("add", "-A");
        git("commit", "-q", "-m", "first");
        return git("rev-parse", "HEAD");
    }

    /** Moves a file's modification time an hour back, away from the index's, so the reader must hash it. */
    private static void ageModificationTime(Path file) throws IOException {
        Files.setLastModifiedTime(file, FileTime.from(Instant.now().minus(1, ChronoUnit.HOURS)));
    }

    private int indexVersion(Path gitDir) throws IOException {
        byte[] header = Files.readAllBytes(gitDir.resolve("index"));
        return ((header[4] & 0xff) << 24) | ((header[5] & 0xff) << 16) | ((header[6] & 0xff) << 8) | (header[7] & 0xff);
    }

    @Test
    void noCheckoutGivesNull() {
        assertThat(GitCodeVersion.read(tmp)).isNull();
        assertThat(GitCodeVersion.read(tmp.resolve("does/not/exist"))).isNull();
        assertThat(GitCodeVersion.read(null)).isNull();
    }

    @Test
    void cleanCheckoutOnABranch() throws Exception {
        String head = commitFiles();
        CodeVersion v = GitCodeVersion.read(repo);
        assertThat(v).isEqualTo(new CodeVersion(head, "main", false, null));
        assertThat(GitCodeVersion.read(repo.resolve("src/main/java/demo"))).isEqualTo(v);
        assertThat(GitCodeVersion.read(repo.resolve("src/main/java/demo/App.java"))).isEqualTo(v);
        assertThat(indexVersion(repo.resolve(".git"))).isEqualTo(2);
    }

    @Test
    void unbornBranchHasNoCommit() throws Exception {
        git("init", "-q", "-b", "trunk");
        assertThat(GitCodeVersion.read(repo)).isEqualTo(new CodeVersion(null, "trunk", false, null));
    }

    @Test
    void modifiedTrackedFilesAreDirty() throws Exception {
        commitFiles();
        Path app = repo.resolve("src/main/java/demo/App.java");

        Files.writeString(app, "class App { int x; }\n"); // other size
        assertThat(GitCodeVersion.read(repo).dirty()).isTrue();

        git("checkout", "--", "src/main/java/demo/App.java");
        assertThat(GitCodeVersion.read(repo).dirty()).isFalse();

        Files.writeString(app, "class Ap2 {}\n"); // same size, other content
        ageModificationTime(app);
        assertThat(GitCodeVersion.read(repo).dirty()).isTrue();

        Files.writeString(app, "class App {}\n"); // back to the committed content, but a new modification time
        ageModificationTime(app);
        assertThat(GitCodeVersion.read(repo).dirty()).isFalse();

        Files.delete(app);
        assertThat(GitCodeVersion.read(repo).dirty()).isTrue();
    }

    /**
     * A file changed in the same instant the index was written keeps the size and modification time the index
     * recorded ("racily clean"): only hashing finds the change.
     */
    @Test
    void racilyCleanFilesAreHashed() throws Exception {
        commitFiles();
        Path readme = repo.resolve("README.md");
        FileTime recorded = Files.getLastModifiedTime(readme);
        Files.writeString(readme, "# DEMO\n"); // same size
        Files.setLastModifiedTime(readme, recorded);
        Path index = repo.resolve(".git/index");
        Files.setLastModifiedTime(index, recorded);
        assertThat(GitCodeVersion.read(repo).dirty()).isTrue();

        Files.writeString(readme, "# demo\n");
        Files.setLastModifiedTime(readme, recorded);
        Files.setLastModifiedTime(index, recorded);
        assertThat(GitCodeVersion.read(repo).dirty()).as("racily clean and really clean").isFalse();
    }

    @Test
    void untrackedFilesAndStagedChangesDoNotCount() throws Exception {
        commitFiles();
        Files.writeString(repo.resolve("notes.txt"), "untracked\n");
        assertThat(GitCodeVersion.read(repo).dirty()).isFalse();
        Files.writeString(repo.resolve("README.md"), "# staged change\n");
        git("add", "README.md");
        assertThat(GitCodeVersion.read(repo).dirty()).as("documented limit: index vs HEAD is not compared")
                .isFalse();
    }

    @Test
    void detachedHeadHasNoBranch() throws Exception {
        String first = commitFiles();
        Files.writeString(repo.resolve("README.md"), "# second\n");
        git("commit", "-q", "-am", "second");
        git("checkout", "-q", "--detach", first);
        assertThat(GitCodeVersion.read(repo)).isEqualTo(new CodeVersion(first, null, false, null));
    }

    @Test
    void packedRefsAreResolved() throws Exception {
        commitFiles();
        git("checkout", "-q", "-b", "feature/x");
        Files.writeString(repo.resolve("README.md"), "# feature\n");
        git("commit", "-q", "-am", "feature");
        String head = git("rev-parse", "HEAD");
        git("pack-refs", "--all");
        assertThat(repo.resolve(".git/refs/heads/feature/x")).doesNotExist();
        assertThat(GitCodeVersion.read(repo)).isEqualTo(new CodeVersion(head, "feature/x", false, null));
    }

    @Test
    void indexVersion4WithPrefixCompressedPaths() throws Exception {
        commitFiles();
        for (int i = 0; i < 30; i++) {
            Path f = repo.resolve("src/main/java/demo/gen/sub" + (i % 3) + "/Generated" + i + ".java");
            Files.createDirectories(f.getParent());
            Files.writeString(f, "class Generated" + i + " {}\n");
        }
        git("add", "-A");
        git("commit", "-q", "-m", "generated");
        git("update-index", "--index-version", "4");
        assertThat(indexVersion(repo.resolve(".git"))).isEqualTo(4);
        assertThat(GitCodeVersion.read(repo).dirty()).isFalse();

        Path deep = repo.resolve("src/main/java/demo/gen/sub2/Generated29.java");
        Files.writeString(deep, "class Generated29 {} \n");
        assertThat(GitCodeVersion.read(repo).dirty()).isTrue();
        Files.writeString(deep, "class Generated29 {}\n");
        ageModificationTime(deep);
        assertThat(GitCodeVersion.read(repo).dirty()).isFalse();
        Files.delete(repo.resolve("src/main/java/demo/gen/sub0/Generated0.java"));
        assertThat(GitCodeVersion.read(repo).dirty()).isTrue();
    }

    @Test
    void intentToAddUsesIndexVersion3AndCountsAsDirty() throws Exception {
        commitFiles();
        Files.writeString(repo.resolve("new.txt"), "new\n");
        git("add", "-N", "new.txt");
        assertThat(indexVersion(repo.resolve(".git"))).isEqualTo(3);
        assertThat(GitCodeVersion.read(repo).dirty()).isTrue();
    }

    @Test
    void sparseCheckoutSkipsWhatIsNotCheckedOut() throws Exception {
        commitFiles();
        git("sparse-checkout", "set", "--no-cone", "/README.md", "/src/main/");
        assertThat(repo.resolve("src/test/AppTest.java")).doesNotExist();
        assertThat(GitCodeVersion.read(repo).dirty()).isFalse();
    }

    @Test
    void mergeConflictIsDirty() throws Exception {
        commitFiles();
        git("checkout", "-q", "-b", "other");
        Files.writeString(repo.resolve("README.md"), "# other\n");
        git("commit", "-q", "-am", "other");
        git("checkout", "-q", "main");
        Files.writeString(repo.resolve("README.md"), "# main!\n");
        git("commit", "-q", "-am", "main");
        Object[] merge = run(repo, "merge", "other");
        assertThat((int) merge[0]).as("the merge conflicts: %s", merge[1]).isNotZero();
        assertThat(git("ls-files", "-u")).isNotEmpty();
        assertThat(GitCodeVersion.read(repo).dirty()).isTrue();
    }

    @Test
    void linkedWorktreeReadsItsOwnHeadAndIndex() throws Exception {
        String main = commitFiles();
        Path wt = tmp.resolve("wt");
        git("worktree", "add", "-q", "-b", "feature", wt.toString());
        Files.writeString(wt.resolve("README.md"), "# in the worktree\n");
        git(wt, "commit", "-q", "-am", "worktree change");
        String featureHead = git(wt, "rev-parse", "HEAD");
        assertThat(wt.resolve(".git")).isRegularFile();

        assertThat(GitCodeVersion.read(wt)).isEqualTo(new CodeVersion(featureHead, "feature", false, null));
        assertThat(GitCodeVersion.read(repo)).isEqualTo(new CodeVersion(main, "main", false, null));

        Files.writeString(wt.resolve("src/main/java/demo/Util.java"), "class Util { }\n");
        assertThat(GitCodeVersion.read(wt).dirty()).isTrue();
        assertThat(GitCodeVersion.read(repo).dirty()).isFalse();

        git("pack-refs", "--all"); // the worktree's branch now lives in the common packed-refs
        assertThat(GitCodeVersion.read(wt).commit()).isEqualTo(featureHead);
    }

    @Test
    void originUrlWithoutCredentials() throws Exception {
        commitFiles();
        git("remote", "add", "origin", "https://alice:s3cret@git.example.com/org/repo.git");
        git("remote", "add", "upstream", "https://example.com/other.git");
        CodeVersion v = GitCodeVersion.read(repo);
        assertThat(v.repository()).isEqualTo("https://git.example.com/org/repo.git");
        git("remote", "set-url", "origin", "git@github.com:org/repo.git");
        assertThat(GitCodeVersion.read(repo).repository()).isEqualTo("git@github.com:org/repo.git");
    }

    @Test
    void credentialsAreRemovedFromEveryUrlForm() {
        assertThat(GitCodeVersion.withoutCredentials("https://user:pw@host/x.git")).isEqualTo("https://host/x.git");
        assertThat(GitCodeVersion.withoutCredentials("https://ghp_token@github.com/o/r"))
                .isEqualTo("https://github.com/o/r");
        assertThat(GitCodeVersion.withoutCredentials("http://u:p@h:8080/a@b")).isEqualTo("http://h:8080/a@b");
        assertThat(GitCodeVersion.withoutCredentials("ssh://git@host:22/r.git")).isEqualTo("ssh://git@host:22/r.git");
        assertThat(GitCodeVersion.withoutCredentials("ssh://git:pw@host/r.git")).isEqualTo("ssh://host/r.git");
        assertThat(GitCodeVersion.withoutCredentials("git@github.com:o/r.git")).isEqualTo("git@github.com:o/r.git");
        assertThat(GitCodeVersion.withoutCredentials("u:p@host:o/r.git")).isEqualTo("host:o/r.git");
        assertThat(GitCodeVersion.withoutCredentials("/srv/git/r.git")).isEqualTo("/srv/git/r.git");
    }

    @Test
    void configParsing() {
        Map<String, String> c = GitCodeVersion.parseConfig(List.of(
                "# comment",
                "[core]",
                "\tfileMode = false ; trailing comment",
                "\tbare",
                "[remote \"Origin\"]",
                "\turl = \"https://h/a b.git\"  # quoted",
                "[Remote \"origin\"]",
                "\tURL = https://h/r.git",
                "[branch.Main] merge = refs/heads/Main"));
        assertThat(c).containsEntry("core.filemode", "false")
                .containsEntry("core.bare", "true")
                .containsEntry("remote.Origin.url", "https://h/a b.git")
                .containsEntry("remote.origin.url", "https://h/r.git")
                .containsEntry("branch.Main.merge", "refs/heads/Main");
    }

    @Test
    void executableBitAndSymlinksAreCompared() throws Exception {
        commitFiles();
        Path script = repo.resolve("run.sh");
        Files.writeString(script, "#!/bin/sh\n");
        Files.createSymbolicLink(repo.resolve("link"), Path.of("README.md"));
        git("add", "run.sh", "link");
        git("commit", "-q", "-m", "script and link");
        assertThat(GitCodeVersion.read(repo).dirty()).isFalse();

        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(script);
        perms.add(PosixFilePermission.OWNER_EXECUTE);
        Files.setPosixFilePermissions(script, perms);
        assertThat(GitCodeVersion.read(repo).dirty()).isTrue();
        git("config", "core.fileMode", "false");
        assertThat(GitCodeVersion.read(repo).dirty()).isFalse();
        git("config", "core.fileMode", "true");
        perms.remove(PosixFilePermission.OWNER_EXECUTE);
        Files.setPosixFilePermissions(script, perms);
        assertThat(GitCodeVersion.read(repo).dirty()).isFalse();

        Files.delete(repo.resolve("link"));
        Files.createSymbolicLink(repo.resolve("link"), Path.of("README.mx")); // same length, other target
        assertThat(GitCodeVersion.read(repo).dirty()).isTrue();
    }

    @Test
    void sha256Repository() throws Exception {
        String head = commitFiles("--object-format=sha256");
        assertThat(head).hasSize(64);
        assertThat(GitCodeVersion.read(repo)).isEqualTo(new CodeVersion(head, "main", false, null));
        Path util = repo.resolve("src/main/java/demo/Util.java");
        Files.writeString(util, "class Utik {}\n");
        ageModificationTime(util);
        assertThat(GitCodeVersion.read(repo).dirty()).isTrue();
    }

    @Test
    void aSplitIndexIsNotReadAndCountsAsDirty() throws Exception {
        commitFiles();
        git("update-index", "--split-index");
        assertThat(GitCodeVersion.read(repo).dirty()).isTrue();
        git("update-index", "--no-split-index");
        assertThat(GitCodeVersion.read(repo).dirty()).isFalse();
    }

    @Test
    void aCorruptIndexCountsAsDirty() throws Exception {
        commitFiles();
        Path index = repo.resolve(".git/index");
        byte[] bytes = Files.readAllBytes(index);
        Files.write(index, java.util.Arrays.copyOf(bytes, 40));
        CodeVersion v = GitCodeVersion.read(repo);
        assertThat(v.commit()).isNotNull();
        assertThat(v.dirty()).isTrue();
    }

    @Test
    void blobIdsAreGitsObjectIds() throws Exception {
        Files.writeString(repo.resolve("x"), "hello\n");
        git("init", "-q");
        String expected = git("hash-object", "x");
        assertThat(java.util.HexFormat.of().formatHex(GitCodeVersion.blobId("hello\n".getBytes(), false)))
                .isEqualTo(expected);
    }
}
