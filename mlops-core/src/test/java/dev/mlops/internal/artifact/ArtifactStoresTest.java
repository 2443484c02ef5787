package dev.mlops.internal.artifact;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.InvalidArgumentException;
import dev.mlops.spi.ArtifactStore;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArtifactStoresTest {
    @TempDir
    Path dir;

    @Test
    void opensFileAndMemoryStores() {
        try (ArtifactStore s = ArtifactStores.open("file:" + dir.resolve("a"))) {
            assertThat(s).isInstanceOf(LocalArtifactStore.class);
            assertThat(((LocalArtifactStore) s).root()).isEqualTo(dir.resolve("a"));
        }
        try (ArtifactStore s = ArtifactStores.open(dir.resolve("b").toUri().toString())) {
            assertThat(((LocalArtifactStore) s).root()).isEqualTo(dir.resolve("b"));
        }
        try (ArtifactStore s = ArtifactStores.open("memory:")) {
            assertThat(s).isInstanceOf(InMemoryArtifactStore.class);
        }
    }

    @Test
    void unknownSchemesListTheKnownOnes() {
        assertThatThrownBy(() -> ArtifactStores.open("s3://bucket/x"))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("s3://bucket/x")
                .hasMessageContaining("file:")
                .hasMessageContaining("memory:");
        assertThatThrownBy(() -> ArtifactStores.open("no-scheme")).isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> ArtifactStores.open("file:")).isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("no path");
        assertThatThrownBy(() -> ArtifactStores.open(null)).isInstanceOf(InvalidArgumentException.class);
    }

    @Test
    void defaultUris() {
        assertThat(ArtifactStores.defaultUriFor("memory:")).isEqualTo("memory:");
        assertThat(ArtifactStores.defaultUriFor("sqlite:" + dir.resolve("m.db")))
                .isEqualTo("file:" + dir.resolve("artifacts"));
        assertThat(ArtifactStores.defaultUriFor("sqlite:./mlops-data/mlops.db?busy=1"))
                .isEqualTo("file:" + Path.of("mlops-data", "artifacts").toAbsolutePath());
        assertThat(ArtifactStores.defaultUriFor("sqlite:rel.db"))
                .isEqualTo("file:" + Path.of("artifacts").toAbsolutePath());
        assertThat(ArtifactStores.defaultUriFor("jdbc:postgresql://h:5432/db"))
                .isEqualTo("file:" + Path.of("mlops-data", "artifacts").toAbsolutePath());
        assertThat(ArtifactStores.defaultUriFor(null))
                .isEqualTo("file:" + Path.of("mlops-data", "artifacts").toAbsolutePath());
        assertThat(ArtifactStores.defaultUriFor("sqlite::memory:")).isEqualTo("memory:");
    }
}
