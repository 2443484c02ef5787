package dev.mlops.client;

import static dev.mlops.tck.TckData.artifact;
import static dev.mlops.tck.TckData.at;
import static dev.mlops.tck.TckData.audit;
import static dev.mlops.tck.TckData.newModel;
import static dev.mlops.tck.TckData.newVersion;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.Mlops;
import dev.mlops.PermissionDeniedException;
import dev.mlops.audit.AuditEvent;
import dev.mlops.registry.VersionStatus;
import dev.mlops.server.MlopsServer;
import dev.mlops.store.memory.InMemoryStore;
import dev.mlops.tracking.ActiveRun;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("through a server with tokens, the token's principal is the actor and its roles decide")
class RemotePrincipalTest {
    private static final String ALICE = "alice-token-0123456789abcdef";
    private static final String VICTOR = "victor-token-0123456789abcdef";

    @TempDir
    Path dir;

    private InMemoryStore backend;
    private MlopsServer server;

    @BeforeEach
    void start() throws Exception {
        Path tokens = Files.writeString(dir.resolve("tokens"), ALICE + " alice read,write,approve,move_alias\n"
                + VICTOR + " victor read\n");
        backend = new InMemoryStore();
        server = MlopsServer.builder().store(backend).tokens(tokens).port(0).build().start();
    }

    @AfterEach
    void stop() {
        server.close();
        backend.close();
    }

    private RemoteMetadataStore remote(String token) {
        return RemoteMetadataStore.builder(server.uri().toString()).token(token).build();
    }

    @Test
    @DisplayName("every event stored for alice's requests, through Mlops and the SPI, carries alice, not the actor"
            + " the client named")
    void principalIsTheActor() throws Exception {
        try (RemoteMetadataStore remote = remote(ALICE);
                Mlops mlops = Mlops.builder().store(remote).artifactUri("memory:").actor("mallory").build()) {
            try (ActiveRun run = mlops.tracking().start("train")) {
                run.logParam("lr", "0.1").setTag("team", "x").logMetric("loss", 0.5, 1);
            }
            mlops.datasets().register("rain", Files.writeString(dir.resolve("d.csv"), "a,b\n1,2\n"));
            mlops.registry().createModel("churn", "a model", Map.of());

            remote.createModelVersion(newVersion("churn", 1), audit("model.version.create", "model:churn/1"));
            remote.finishModelVersion("churn", 1, VersionStatus.READY, artifact(newVersion("churn", 1).digest()),
                    null, at(10), audit("model.version.finish", "model:churn/1"));
            remote.setAlias("churn", "production", 1, null, at(11), List.of(
                    audit("promotion.decided", "model:churn/1"), audit("model_alias.set", "model:churn")));
            remote.createModel(newModel("fraud"), audit("model.create", "model:fraud"));
        }
        List<AuditEvent> events = backend.auditEvents(0, 1000);
        assertThat(events).extracting(AuditEvent::action).contains("promotion.decided", "model_alias.set",
                "dataset.register").hasSizeGreaterThan(8);
        assertThat(events).extracting(AuditEvent::actor).containsOnly("alice");
        assertThat(backend.getModel("churn")).hasValueSatisfying(m -> assertThat(m.aliases())
                .containsEntry("production", 1));
    }

    @Test
    @DisplayName("a principal with only read may read but not write: PERMISSION_DENIED on the client, nothing stored"
            + " but the refusal")
    void readerCannotWrite() {
        try (RemoteMetadataStore alice = remote(ALICE); RemoteMetadataStore victor = remote(VICTOR)) {
            alice.createModel(newModel("churn"), audit("model.create", "model:churn"));
            assertThat(victor.getModel("churn")).isPresent();
            assertThatThrownBy(() -> victor.createModel(newModel("fraud"), audit("model.create", "model:fraud")))
                    .isInstanceOf(PermissionDeniedException.class).hasMessageContaining("victor")
                    .hasMessageContaining("WRITE");
            assertThatThrownBy(() -> victor.setAlias("churn", "production", 1, null, at(1),
                    List.of(audit("promotion.decided", "model:churn/1"))))
                    .isInstanceOf(PermissionDeniedException.class).hasMessageContaining("MOVE_ALIAS");
            assertThat(backend.getModel("fraud")).isEmpty();
            assertThat(backend.auditEvents(0, 100)).extracting(AuditEvent::action)
                    .containsExactly("model.create", "access.denied", "access.denied");
            assertThat(backend.auditEvents(0, 100)).extracting(AuditEvent::actor)
                    .containsExactly("alice", "victor", "victor");
        }
    }

    @Test
    @DisplayName("setAlias with an empty list or a null event is refused by the client, naming audit, sending nothing")
    void setAliasListChecked() {
        try (RemoteMetadataStore alice = remote(ALICE)) {
            assertThatThrownBy(() -> alice.setAlias("churn", "production", 1, null, at(1), List.of()))
                    .isInstanceOf(dev.mlops.InvalidArgumentException.class)
                    .satisfies(e -> assertThat(((dev.mlops.InvalidArgumentException) e).field()).hasValue("audit"));
            assertThatThrownBy(() -> alice.setAlias("churn", "production", 1, null, at(1),
                    java.util.Arrays.asList(audit("a", "b"), null)))
                    .isInstanceOf(dev.mlops.InvalidArgumentException.class).hasMessageContaining("audit[1]");
        }
        assertThat(backend.auditEvents(0, 100)).isEmpty();
    }
}
