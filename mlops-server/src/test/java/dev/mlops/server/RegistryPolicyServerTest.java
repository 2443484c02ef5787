package dev.mlops.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlops.ConflictException;
import dev.mlops.Mlops;
import dev.mlops.artifact.ArtifactRef;
import dev.mlops.audit.AuditEvent;
import dev.mlops.internal.wire.AuditWire;
import dev.mlops.internal.wire.RegistryWire;
import dev.mlops.internal.wire.Wire;
import dev.mlops.registry.AliasGuard;
import dev.mlops.registry.Approval;
import dev.mlops.registry.ApprovalStatus;
import dev.mlops.registry.Governance;
import dev.mlops.registry.ModelSignature;
import dev.mlops.registry.NewModel;
import dev.mlops.registry.NewModelVersion;
import dev.mlops.registry.RegistryPolicy;
import dev.mlops.registry.VersionStatus;
import dev.mlops.security.AccessPolicy;
import dev.mlops.security.Permission;
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

/**
 * The server enforces a {@link RegistryPolicy}'s guarded aliases itself: raw HTTP requests to a real server on a
 * SQLite file, which no client-side check stands in front of.
 */
@DisplayName("guarded aliases enforced by the server")
class RegistryPolicyServerTest {
    private static final String RELEASER = "releaser-token-0123456789abcdef";
    private static final String MOVER = "mover-token-0123456789abcdef";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant T = Instant.ofEpochMilli(1_700_000_000_000L);
    private static final String PRODUCTION = "/api/v1/models/churn/aliases/production";
    private static final Governance GOVERNED = Governance.builder().businessOwner("risk-team")
            .approverRole("model-approver").build();
    private static final String UNAPPROVED = "alias 'production' is guarded and may only point at an APPROVED"
            + " version; version 1 of model churn is PENDING";
    private static final String UNGOVERNED = "alias 'production' is guarded and needs the governance record of"
            + " model churn to name a business owner and an approver role (set them with setGovernance)";

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newHttpClient();
    private JdbcStore store;
    private MlopsServer server;
    private int databases;

    /**
     * A server on a fresh SQLite file; with tokens, {@code alice} ({@link #RELEASER}, roles releasers and movers) and
     * {@code bob} ({@link #MOVER}, role movers) may both read, approve and move aliases.
     */
    private void start(MlopsServer.Builder builder, boolean withTokens) throws Exception {
        store = JdbcStore.sqlite(dir.resolve("m" + ++databases + ".db"));
        builder.store(store).port(0);
        if (withTokens) {
            Path tokens = Files.writeString(dir.resolve("tokens.txt"), RELEASER + " alice releasers,movers\n"
                    + MOVER + " bob movers\n");
            builder.tokens(tokens).accessPolicy(AccessPolicy.builder()
                    .grant("movers", Permission.READ).grant("movers", Permission.APPROVE)
                    .grant("movers", Permission.MOVE_ALIAS).build());
        }
        server = builder.build().start();
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

    /** Model churn with {@code governance} and its version 1, READY, approved when {@code approved}. */
    private void model(Governance governance, boolean approved) {
        store.createModel(new NewModel("churn", "", Map.of(), governance, T, "setup"), setup("model.create"));
        store.createModelVersion(new NewModelVersion("churn", 1, "sha256:" + "a".repeat(64), null,
                ModelSignature.EMPTY, Map.of(), Map.of(), "", null, T, "setup"), setup("model_version.create"));
        store.finishModelVersion("churn", 1, VersionStatus.READY, new ArtifactRef("sha256:" + "a".repeat(64), 3,
                "file:/a"), null, T, setup("model_version.finish"));
        if (approved) {
            approve();
        }
    }

    private void approve() {
        store.decideApproval("churn", 1, new Approval(ApprovalStatus.APPROVED, "carol", T, "reviewed"),
                setup("model_version.approve"));
    }

    private static PendingAuditEvent setup(String action) {
        return new PendingAuditEvent(T, "setup", action, "model:churn", "{}");
    }

    private static ObjectNode event(String action) {
        return AuditWire.write(new PendingAuditEvent(T, "client-says", action, "model:churn@production", "{}"));
    }

    private HttpResponse<String> send(String method, String path, String token, JsonNode body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.uri() + path))
                .header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body)));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** {@code PUT} the alias {@code production} of churn to version 1 as {@code token}. */
    private HttpResponse<String> setProduction(String token) throws Exception {
        ObjectNode body = Wire.object();
        body.put("version", 1);
        body.put("time", Wire.instantText(T));
        body.set("audit", event("model_alias.set"));
        return send("PUT", PRODUCTION, token, body);
    }

    private HttpResponse<String> deleteProduction(String token) throws Exception {
        ObjectNode body = Wire.object();
        body.put("expected_current", 1);
        body.put("time", Wire.instantText(T));
        body.set("audit", event("model_alias.delete"));
        return send("DELETE", PRODUCTION, token, body);
    }

    private Map<String, Integer> aliases() {
        return store.getModel("churn").orElseThrow().aliases();
    }

    private long head() {
        return store.auditHead().orElseThrow().seq();
    }

    private static JsonNode json(HttpResponse<String> r) throws Exception {
        return JSON.readTree(r.body());
    }

    /** Asserts a refusal: its status, code and message, nothing moved, one audit event stored for it. */
    private AuditEvent assertRefused(HttpResponse<String> r, int status, String code, String message,
            Map<String, Integer> aliasesBefore, long seqBefore) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(json(r).path("error_code").asText()).isEqualTo(code);
        assertThat(json(r).path("message").asText()).isEqualTo(message);
        assertThat(aliases()).isEqualTo(aliasesBefore);
        List<AuditEvent> after = store.auditEvents(seqBefore, 100);
        assertThat(after).hasSize(1);
        AuditEvent e = after.get(0);
        assertThat(e.subject()).isEqualTo("model:churn");
        assertThat(JSON.readTree(e.data()).path("reason").asText()).isEqualTo(message);
        return e;
    }

    @Test
    @DisplayName("an unapproved version: 409 CONFLICT with the embedded API's message, nothing moved, audited;"
            + " approved: moved")
    void unapprovedRefusedThenApprovedMoved() throws Exception {
        start(MlopsServer.builder().registryPolicy(RegistryPolicy.defaults()), true);
        model(GOVERNED, false);
        long before = head();

        AuditEvent refusal = assertRefused(setProduction(MOVER), 409, "CONFLICT", UNAPPROVED, Map.of(), before);
        assertThat(refusal.actor()).isEqualTo("bob");
        assertThat(refusal.action()).isEqualTo("registry.refused");
        JsonNode data = JSON.readTree(refusal.data());
        assertThat(data.path("operation").asText()).isEqualTo("set alias production to version 1");
        assertThat(data.path("route").asText()).isEqualTo("/api/v1/models/{name}/aliases/{alias}");

        approve();
        HttpResponse<String> moved = setProduction(MOVER);
        assertThat(moved.statusCode()).as(moved.body()).isEqualTo(200);
        assertThat(aliases()).containsExactly(Map.entry("production", 1));
        AuditEvent last = store.auditEvents(head() - 1, 1).get(0);
        assertThat(last.action()).isEqualTo("model_alias.set");
        assertThat(last.actor()).isEqualTo("bob");
    }

    @Test
    @DisplayName("the server's refusal is the embedded registry's: same code and message for the same state")
    void sameAsEmbedded() throws Exception {
        start(MlopsServer.builder().registryPolicy(RegistryPolicy.defaults()), true);
        model(GOVERNED, false);
        try (Mlops embedded = Mlops.builder().store(store).actor("bob").build()) {
            assertThatThrownBy(() -> embedded.registry().setAlias("churn", "production", 1))
                    .isInstanceOf(ConflictException.class).hasMessage(UNAPPROVED);
        }
        long before = head();
        assertRefused(setProduction(MOVER), 409, "CONFLICT", UNAPPROVED, Map.of(), before);
    }

    @Test
    @DisplayName("an approved version of a model without a governance record: 409 CONFLICT, nothing moved, audited")
    void governanceMissingRefused() throws Exception {
        start(MlopsServer.builder().registryPolicy(RegistryPolicy.defaults()), true);
        model(Governance.builder().businessOwner("risk-team").build(), true);   // no approver role
        long before = head();
        AuditEvent refusal = assertRefused(setProduction(RELEASER), 409, "CONFLICT", UNGOVERNED, Map.of(), before);
        assertThat(refusal.action()).isEqualTo("registry.refused");
        assertThat(refusal.actor()).isEqualTo("alice");
    }

    @Test
    @DisplayName("a promotion's verdict and move in one request (audit list): refused whole, neither stored")
    void batchedPromotionRefusedWhole() throws Exception {
        start(MlopsServer.builder().registryPolicy(RegistryPolicy.defaults()), true);
        model(GOVERNED, false);
        long before = head();
        ObjectNode body = Wire.object();
        body.put("version", 1);
        body.put("expected_current", 0);
        body.put("time", Wire.instantText(T));
        body.set("audit", JSON.createArrayNode().add(event("promotion.verdict")).add(event("model_alias.set")));
        AuditEvent refusal = assertRefused(send("PUT", PRODUCTION, MOVER, body), 409, "CONFLICT", UNAPPROVED,
                Map.of(), before);
        assertThat(refusal.action()).isEqualTo("registry.refused");
    }

    @Test
    @DisplayName("a verdict recorded with its move (POST .../verdict, move true) is guarded as a PUT of the alias:"
            + " unapproved -> 409, neither verdict nor move stored; approved -> recorded once, moved")
    void verdictRouteGuarded() throws Exception {
        start(MlopsServer.builder().registryPolicy(RegistryPolicy.defaults()), true);
        model(GOVERNED, false);
        long before = head();
        PendingAuditEvent verdict = new PendingAuditEvent(T, "client-says", "promotion.decided", "model:churn/1",
                "{\"alias\":\"production\",\"candidate\":1,\"model\":\"churn\",\"outcome\":\"PROMOTED\"}");
        ObjectNode body = Wire.object();
        body.put("candidate", 1);
        body.put("move", true);
        body.put("time", Wire.instantText(T));
        body.set("audit", JSON.createArrayNode().add(AuditWire.write(verdict)).add(event("model_alias.set")));
        AuditEvent refusal = assertRefused(send("POST", PRODUCTION + "/verdict", MOVER, body), 409, "CONFLICT",
                UNAPPROVED, Map.of(), before);
        assertThat(refusal.action()).isEqualTo("registry.refused");

        approve();
        long approved = head();
        HttpResponse<String> first = send("POST", PRODUCTION + "/verdict", MOVER, body);
        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        assertThat(json(first).has("recorded")).as("nothing recorded before").isFalse();
        assertThat(aliases()).isEqualTo(Map.of("production", 1));
        List<AuditEvent> stored = store.auditEvents(approved, 100);
        assertThat(stored).extracting(AuditEvent::action).containsExactly("promotion.decided", "model_alias.set");
        assertThat(stored.get(0).actor()).as("the principal, not the body's actor").isEqualTo("bob");

        HttpResponse<String> again = send("POST", PRODUCTION + "/verdict", MOVER, body);
        assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
        assertThat(json(again).path("recorded").path("seq").asLong()).isEqualTo(stored.get(0).seq());
        assertThat(store.auditEvents(approved, 100)).as("nothing more stored").hasSize(2);
    }

    @Test
    @DisplayName("guard roles: without one of them 403 on set and on delete, audited, nothing changed; with one, ok")
    void guardRoles() throws Exception {
        start(MlopsServer.builder().registryPolicy(RegistryPolicy.builder()
                .guardAlias("production", AliasGuard.approvedOnly().withRoles("releasers")).build()), true);
        model(GOVERNED, true);
        String denied = "alias 'production' is guarded: only the roles [releasers] may move it, and bob holds"
                + " [movers]";

        long before = head();
        AuditEvent refusal = assertRefused(setProduction(MOVER), 403, "PERMISSION_DENIED", denied, Map.of(), before);
        assertThat(refusal.action()).isEqualTo("access.denied");
        assertThat(refusal.actor()).isEqualTo("bob");

        HttpResponse<String> set = setProduction(RELEASER);
        assertThat(set.statusCode()).as(set.body()).isEqualTo(200);
        assertThat(aliases()).containsExactly(Map.entry("production", 1));

        before = head();
        AuditEvent deleteRefusal = assertRefused(deleteProduction(MOVER), 403, "PERMISSION_DENIED", denied,
                Map.of("production", 1), before);
        assertThat(deleteRefusal.action()).isEqualTo("access.denied");

        HttpResponse<String> deleted = deleteProduction(RELEASER);
        assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(200);
        assertThat(aliases()).isEmpty();
    }

    @Test
    @DisplayName("an alias that is not guarded, and a permissive server (the builder's default), move freely")
    void unguardedAndPermissive() throws Exception {
        start(MlopsServer.builder().registryPolicy(RegistryPolicy.defaults()), true);
        model(Governance.EMPTY, false);
        ObjectNode body = Wire.object();
        body.put("version", 1);
        body.put("time", Wire.instantText(T));
        body.set("audit", event("model_alias.set"));
        HttpResponse<String> shadow = send("PUT", "/api/v1/models/churn/aliases/shadow", MOVER, body);
        assertThat(shadow.statusCode()).as(shadow.body()).isEqualTo(200);
        assertThat(aliases()).containsExactly(Map.entry("shadow", 1));
        server.close();
        store.close();

        start(MlopsServer.builder(), true);
        model(Governance.EMPTY, false);
        HttpResponse<String> production = setProduction(MOVER);
        assertThat(production.statusCode()).as(production.body()).isEqualTo(200);
        assertThat(aliases()).containsExactly(Map.entry("production", 1));
    }

    @Test
    @DisplayName("without tokens the guard still holds (audited under the actor the client sent); roles are not"
            + " checked")
    void withoutTokens() throws Exception {
        start(MlopsServer.builder().registryPolicy(RegistryPolicy.builder()
                .guardAlias("production", AliasGuard.approvedOnly().withRoles("releasers")).build()), false);
        model(GOVERNED, false);
        long before = head();
        AuditEvent refusal = assertRefused(setProduction(null), 409, "CONFLICT", UNAPPROVED, Map.of(), before);
        assertThat(refusal.actor()).isEqualTo("client-says");
        assertThat(refusal.action()).isEqualTo("registry.refused");

        approve();
        HttpResponse<String> moved = setProduction(null);
        assertThat(moved.statusCode()).as(moved.body()).isEqualTo(200);
        assertThat(aliases()).containsExactly(Map.entry("production", 1));
    }

    @Test
    @DisplayName("fourEyes(...) after registryPolicy(...) keeps the guarded aliases, and adds the four-eyes rule")
    void fourEyesKeepsGuards() throws Exception {
        start(MlopsServer.builder().registryPolicy(RegistryPolicy.defaults()).fourEyes(true), true);
        model(GOVERNED, false);
        long before = head();
        assertRefused(setProduction(MOVER), 409, "CONFLICT", UNAPPROVED, Map.of(), before);

        store.createModelVersion(new NewModelVersion("churn", 2, "sha256:" + "b".repeat(64), null,
                ModelSignature.EMPTY, Map.of(), Map.of(), "", null, T, "bob"), setup("model_version.create"));
        store.finishModelVersion("churn", 2, VersionStatus.READY, new ArtifactRef("sha256:" + "b".repeat(64), 3,
                "file:/b"), null, T, setup("model_version.finish"));
        ObjectNode decision = Wire.object();
        decision.set("decision", RegistryWire.write(new Approval(ApprovalStatus.APPROVED, "bob", T, "mine")));
        decision.set("audit", event("model_version.approve"));
        HttpResponse<String> own = send("POST", "/api/v1/models/churn/versions/2/approval", MOVER, decision);
        assertThat(own.statusCode()).as(own.body()).isEqualTo(403);
        assertThat(json(own).path("message").asText()).contains("four-eyes");
        assertThat(store.getModelVersion("churn", 2).orElseThrow().approval().status())
                .isEqualTo(ApprovalStatus.PENDING);
    }

    @Test
    @DisplayName("a version or model that does not exist is answered by the route as without a guard (404)")
    void missingTargetIsNotFound() throws Exception {
        start(MlopsServer.builder().registryPolicy(RegistryPolicy.defaults()), true);
        HttpResponse<String> noModel = setProduction(MOVER);
        assertThat(noModel.statusCode()).as(noModel.body()).isEqualTo(404);
        model(GOVERNED, true);
        ObjectNode body = Wire.object();
        body.put("version", 7);
        body.put("time", Wire.instantText(T));
        body.set("audit", event("model_alias.set"));
        HttpResponse<String> noVersion = send("PUT", PRODUCTION, MOVER, body);
        assertThat(noVersion.statusCode()).as(noVersion.body()).isEqualTo(404);
        assertThat(aliases()).isEmpty();
    }
}
