package dev.mlops.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.Mlops;
import dev.mlops.PageRequest;
import dev.mlops.PermissionDeniedException;
import dev.mlops.internal.artifact.LocalArtifactStore;
import dev.mlops.registry.ModelVersion;
import dev.mlops.registry.VersionQuery;
import dev.mlops.registry.VersionStatus;
import dev.mlops.server.MlopsServer;
import dev.mlops.store.jdbc.JdbcStore;
import dev.mlops.tck.TckData;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A principal whose grants are on one model ({@code read:m2,write:m2,move_alias:m2}) works on that model through
 * the client, as the command line does: it registers a version with its bytes and lists the model's versions, and
 * is refused on other models. A real server on 127.0.0.1 over SQLite with an artifact store.
 */
@DisplayName("through a server with tokens, grants on one model suffice for that model")
class RemotePerModelGrantTest {
    private static final String MIA = "mia-token-0123456789abcdef";

    @TempDir
    Path dir;

    @Test
    @DisplayName("register a version of m2 (upload and finish READY), list m2's versions, be refused on m1 and on all")
    void registerAndListOneModel() throws Exception {
        Path tokens = Files.writeString(dir.resolve("tokens"), MIA + " mia read:m2,write:m2,move_alias:m2\n");
        byte[] weights = "weights-of-m2".getBytes(StandardCharsets.UTF_8);
        String digest = "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(weights));
        try (JdbcStore backend = JdbcStore.sqlite(dir.resolve("m.db"));
                LocalArtifactStore bytes = new LocalArtifactStore(dir.resolve("artifacts"));
                MlopsServer server = MlopsServer.builder().store(backend).artifacts(bytes).tokens(tokens).port(0)
                        .build().start();
                RemoteMetadataStore remote = RemoteMetadataStore.builder(server.uri().toString()).token(MIA)
                        .maxRetries(0).build();
                Mlops mlops = Mlops.builder().store(remote).artifactStore(remote.artifactStore()).actor("mia")
                        .build()) {
            mlops.registry().createModel("m2", "a model", Map.of());
            ModelVersion v1 = mlops.registry().newVersion("m2").signature(TckData.SIGNATURE).expectedDigest(digest)
                    .upload(new ByteArrayInputStream(weights));
            assertThat(v1.status()).isEqualTo(VersionStatus.READY);
            assertThat(bytes.stat(digest)).isPresent();
            assertThat(backend.getModelVersion("m2", 1).orElseThrow().artifact().uri())
                    .isEqualTo(bytes.stat(digest).orElseThrow().uri());

            VersionQuery ofM2 = new VersionQuery("m2", null, null, null, Map.of());
            assertThat(mlops.registry().searchVersions(ofM2, PageRequest.first()).items())
                    .extracting(ModelVersion::version).containsExactly(1);
            assertThatThrownBy(() -> remote.searchModelVersions(new VersionQuery("m1", null, null, null, Map.of()),
                    PageRequest.first())).isInstanceOf(PermissionDeniedException.class)
                    .hasMessageContaining("READ on model 'm1'");
            assertThatThrownBy(() -> remote.searchModelVersions(VersionQuery.all(), PageRequest.first()))
                    .isInstanceOf(PermissionDeniedException.class).hasMessageContaining("READ on all models");
        }
    }
}
