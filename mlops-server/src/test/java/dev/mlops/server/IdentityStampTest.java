package dev.mlops.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlops.artifact.ArtifactRef;
import dev.mlops.audit.AuditEvent;
import dev.mlops.internal.wire.AuditWire;
import dev.mlops.internal.wire.RegistryWire;
import dev.mlops.internal.wire.Wire;
import dev.mlops.registry.Approval;
import dev.mlops.registry.Governance;
import dev.mlops.registry.ApprovalStatus;
import dev.mlops.registry.ModelSignature;
import dev.mlops.registry.ModelVersion;
import dev.mlops.registry.NewModel;
import dev.mlops.registry.NewModelVersion;
import dev.mlops.registry.VersionStatus;
import dev.mlops.spi.PendingAuditEvent;
import dev.mlops.store.jdbc.JdbcStore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("the principal as the identity in stored entities, and the four-eyes rule on approvals")
class IdentityStampTest {
    private static final String ALICE = "alice-token-0123456789abcdef";
    private static final String BOB = "bob-token-0123456789abcdef";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant T = Instant.ofEpochMilli(1_700_000_000_000L);
    private static final String APPROVAL = "/api/v1/models/churn/versions/1/approval";

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newHttpClient();
    private JdbcStore store;
    private MlopsServer server;

    private void start(boolean fourEyes, boolean withTokens) throws Exception {
        Path tokens = dir.resolve("tokens.txt");
        Files.writeString(tokens, ALICE + " alice write,approve\n" + BOB + " bob write,approve\n");
        store = JdbcStore.sqlite(dir.resolve("m.db"));
        MlopsServer.Builder b = MlopsServer.builder().store(store).port(0).fourEyes(fourEyes);
        server = (withTokens ? b.tokens(tokens) : b).build().start();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        if (store != null) {
            store.close();
        }
    }

    private HttpResponse<String> post(String path, String token, JsonNode body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.uri() + path))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static ObjectNode audit(String action, String subject) {
        return AuditWire.write(new PendingAuditEvent(T, "client-says", action, subject, "{}"));
    }

    /** Registers model churn and its version 1 (both claiming {@code spoofed}) as {@code token}, then READY. */
    private void register(String token, String spoofed) throws Exception {
        ObjectNode model = Wire.object();
        model.set("model", RegistryWire.write(new NewModel("churn", "", Map.of(), Governance.EMPTY, T, spoofed)));
        model.set("audit", audit("model.create", "model:churn"));
        HttpResponse<String> m = post("/api/v1/models", token, model);
        assertThat(m.statusCode()).as(m.body()).isEqualTo(201);
        ObjectNode version = Wire.object();
        version.set("version", RegistryWire.write(new NewModelVersion("churn", 1, "sha256:" + "a".repeat(64), null,
                ModelSignature.EMPTY, Map.of(), Map.of(), "", null, T, spoofed)));
        version.set("audit", audit("model_version.create", "model:churn/1"));
        HttpResponse<String> v = post("/api/v1/models/churn/versions", token, version);
        assertThat(v.statusCode()).as(v.body()).isEqualTo(201);
        store.finishModelVersion("churn", 1, VersionStatus.READY, new ArtifactRef("sha256:" + "a".repeat(64), 3,
                "file:/a"), null, T, new PendingAuditEvent(T, "setup", "model_version.finish", "model:churn/1", "{}"));
    }

    private HttpResponse<String> approve(String token, String claimedApprover) throws Exception {
        ObjectNode body = Wire.object();
        body.set("decision", RegistryWire.write(new Approval(ApprovalStatus.APPROVED, claimedApprover, T, "ok")));
        body.set("audit", audit("model_version.approve", "model:churn/1"));
        return post(APPROVAL, token, body);
    }

    private ModelVersion version() {
        return store.getModelVersion("churn", 1).orElseThrow();
    }

    @Test
    @DisplayName("a spoofed created_by and approver are replaced by the principal")
    void spoofedIdentitiesReplaced() throws Exception {
        start(false, true);
        register(ALICE, "mallory");
        assertThat(store.getModel("churn").orElseThrow().createdBy()).isEqualTo("alice");
        assertThat(version().createdBy()).isEqualTo("alice");

        HttpResponse<String> r = approve(BOB, "alice");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(version().approval().actor()).isEqualTo("bob");
        assertThat(JSON.readTree(r.body()).path("approved_by").asText()).isEqualTo("bob");
    }

    @Test
    @DisplayName("four-eyes: self-approval is refused with 403, audited, nothing stored; the other principal may")
    void selfApprovalRefused() throws Exception {
        start(true, true);
        register(ALICE, "bob");   // claims bob registered it, so that alice could approve: stamped as alice
        long before = store.auditHead().orElseThrow().seq();

        HttpResponse<String> self = approve(ALICE, "someone-else");
        assertThat(self.statusCode()).as(self.body()).isEqualTo(403);
        assertThat(JSON.readTree(self.body()).path("error_code").asText()).isEqualTo("PERMISSION_DENIED");
        assertThat(JSON.readTree(self.body()).path("message").asText()).contains("four-eyes");
        assertThat(version().approval().status()).isEqualTo(ApprovalStatus.PENDING);
        List<AuditEvent> after = store.auditEvents(before, 100);
        assertThat(after).singleElement().satisfies(e -> {
            assertThat(e.actor()).isEqualTo("alice");
            assertThat(e.action()).isEqualTo("access.denied");
            assertThat(e.subject()).isEqualTo("model:churn");
        });

        HttpResponse<String> other = approve(BOB, "alice");
        assertThat(other.statusCode()).as(other.body()).isEqualTo(200);
        assertThat(version().approval().status()).isEqualTo(ApprovalStatus.APPROVED);
        assertThat(version().approval().actor()).isEqualTo("bob");
    }

    @Test
    @DisplayName("four-eyes: a principal may reject its own version")
    void selfRejectionAllowed() throws Exception {
        start(true, true);
        register(ALICE, "alice");
        ObjectNode body = Wire.object();
        body.set("decision", RegistryWire.write(new Approval(ApprovalStatus.REJECTED, "x", T, "not good")));
        body.set("audit", audit("model_version.reject", "model:churn/1"));
        HttpResponse<String> r = post(APPROVAL, ALICE, body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(version().approval().status()).isEqualTo(ApprovalStatus.REJECTED);
        assertThat(version().approval().actor()).isEqualTo("alice");
    }

    @Test
    @DisplayName("without tokens the identities are stored as sent and four-eyes has no effect")
    void withoutTokensUnchanged() throws Exception {
        start(true, false);
        register(null, "mallory");
        assertThat(version().createdBy()).isEqualTo("mallory");
        HttpResponse<String> r = approve(null, "mallory");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(version().approval().actor()).isEqualTo("mallory");
    }
}
