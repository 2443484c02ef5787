package dev.mlops.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.ConflictException;
import dev.mlops.Mlops;
import dev.mlops.registry.ApprovalStatus;
import dev.mlops.registry.ModelVersion;
import dev.mlops.registry.VersionStatus;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two-phase model registration under SIGKILL: a process killed after registering a version but before its upload
 * finished leaves the version {@code PENDING} (never {@code READY} without its bytes, no artifact visible under the
 * digest), and repeating the registration with the same idempotency key finishes that same version.
 */
class RegistrationCrashTest {
    @TempDir
    Path dir;

    private Child child;

    @AfterEach
    void kill() throws InterruptedException {
        if (child != null) {
            child.close();
        }
    }

    @Test
    void aRegistrationKilledMidUploadStaysPendingAndARetryWithItsKeyFinishesTheSameVersion() throws Exception {
        String uri = "sqlite:" + dir.resolve("mlops.db");
        Path artifacts = dir.resolve("artifacts");
        long seed = 99;
        long size = 8L * 1024 * 1024;
        String digest = SeededBytes.digest(seed, size);
        Files.createDirectories(dir.resolve("scratch"));
        child = Child.start(dir.resolve("child"), "registrar", "slow-register", "uri=" + uri,
                "artifacts=" + artifacts, "name=registrar", "scratch=" + dir.resolve("scratch"), "model=rain",
                "key=build-17", "seed=" + seed, "size=" + size, "pause-after=" + (3L * 1024 * 1024));
        child.await(l -> l.startsWith("STREAMED "), Duration.ofSeconds(60));
        child.kill();

        try (Mlops mlops = Mlops.builder().storeUri(uri).artifactUri("file:" + artifacts).actor("retrier").build()) {
            ModelVersion pending = mlops.registry().getVersion("rain", 1).orElseThrow();
            assertThat(pending.status()).isEqualTo(VersionStatus.PENDING);
            assertThat(pending.digest()).isEqualTo(digest);
            assertThat(pending.artifact()).isNull();
            assertThat(mlops.artifacts().stat(digest)).isEmpty();
            assertThatThrownBy(() -> mlops.registry().resolver().resolve("rain/1"))
                    .isInstanceOf(ConflictException.class).hasMessageContaining("PENDING");
        }

        try (Mlops mlops = Mlops.builder().storeUri(uri).artifactUri("file:" + artifacts).actor("retrier").build();
                InputStream in = new SeededBytes(seed, size)) {
            ModelVersion done = mlops.registry().newVersion("rain").expectedDigest(digest)
                    .idempotencyKey("build-17").upload(in);
            assertThat(done.version()).isEqualTo(1);
            assertThat(done.status()).isEqualTo(VersionStatus.READY);
            assertThat(done.approval().status()).isEqualTo(ApprovalStatus.PENDING);
            assertThat(done.createdBy()).isEqualTo("registrar");
            assertThat(mlops.registry().model("rain").latestVersion()).isEqualTo(1);
            assertThat(mlops.artifacts().stat(digest)).isPresent();
            assertThat(mlops.audit().verify().ok()).isTrue();
        }
    }
}
