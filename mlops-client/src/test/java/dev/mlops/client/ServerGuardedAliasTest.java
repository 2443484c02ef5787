package dev.mlops.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.ConflictException;
import dev.mlops.Mlops;
import dev.mlops.audit.AuditEvent;
import dev.mlops.internal.artifact.LocalArtifactStore;
import dev.mlops.registry.Governance;
import dev.mlops.registry.ModelVersion;
import dev.mlops.registry.RegistryPolicy;
import dev.mlops.server.MlopsServer;
import dev.mlops.store.jdbc.JdbcStore;
import dev.mlops.tck.TckData;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("a client whose own registry policy is permissive cannot bypass the server's guarded aliases")
class ServerGuardedAliasTest {
    @TempDir
    Path dir;

    @Test
    @DisplayName("production on an unapproved version is refused by the server (CONFLICT, audited, nothing moved);"
            + " once approved and governed it moves")
    void permissiveClientRefusedByServer() throws Exception {
        try (JdbcStore backend = JdbcStore.sqlite(dir.resolve("server.db"));
                LocalArtifactStore bytes = new LocalArtifactStore(dir.resolve("artifacts"))) {
            MlopsServer server = MlopsServer.builder().store(backend).artifacts(bytes).port(0)
                    .registryPolicy(RegistryPolicy.defaults()).build().start();
            try (RemoteMetadataStore remote = RemoteMetadataStore.builder(server.uri().toString()).maxRetries(0)
                    .build();
                    Mlops mlops = Mlops.builder().store(remote).artifactStore(remote.artifactStore()).actor("alice")
                            .registryPolicy(RegistryPolicy.permissive()).build()) {
                mlops.registry().createModel("churn", "", Map.of());
                byte[] weights = "weights-1".getBytes(StandardCharsets.UTF_8);
                String digest = "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                        .digest(weights));
                ModelVersion v1 = mlops.registry().newVersion("churn").signature(TckData.SIGNATURE)
                        .expectedDigest(digest).upload(new ByteArrayInputStream(weights));
                long before = backend.auditHead().orElseThrow().seq();

                assertThatThrownBy(() -> mlops.registry().setAlias("churn", "production", v1.version()))
                        .isInstanceOf(ConflictException.class)
                        .hasMessage("alias 'production' is guarded and may only point at an APPROVED version;"
                                + " version 1 of model churn is PENDING");
                assertThat(backend.getModel("churn").orElseThrow().aliases()).isEmpty();
                List<AuditEvent> refused = backend.auditEvents(before, 100);
                assertThat(refused).singleElement().satisfies(e -> {
                    assertThat(e.action()).isEqualTo("registry.refused");
                    assertThat(e.actor()).isEqualTo("alice");
                });

                mlops.registry().approve("churn", v1.version(), "reviewed");
                assertThatThrownBy(() -> mlops.registry().setAlias("churn", "production", v1.version()))
                        .isInstanceOf(ConflictException.class).hasMessageContaining("governance record");
                mlops.registry().setGovernance("churn", Governance.builder().businessOwner("risk-team")
                        .approverRole("model-approver").build());
                mlops.registry().setAlias("churn", "production", v1.version());
                assertThat(backend.getModel("churn").orElseThrow().aliases()).containsEntry("production", 1);
            } finally {
                server.close();
            }
        }
    }
}
