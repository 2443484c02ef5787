package dev.mlops.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlops.InvalidArgumentException;
import dev.mlops.audit.AuditEvent;
import dev.mlops.security.AccessPolicy;
import dev.mlops.security.Permission;
import dev.mlops.store.memory.InMemoryStore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("bearer tokens and the access policy")
class AuthTest {
    private static final String ADMIN = "admin-token-0123456789abcdef";
    private static final String VIEWER = "viewer-token-0123456789abcdef";
    private static final String ALIASER = "aliaser-token-0123456789abcdef";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newHttpClient();
    private InMemoryStore store;
    private MlopsServer server;

    @BeforeEach
    void start() throws Exception {
        Path tokens = dir.resolve("tokens.txt");
        Files.writeString(tokens, "# token principal roles\n\n" + ADMIN + " alice admins\n" + VIEWER
                + " victor readers\n" + ALIASER + " ada releasers,readers\n");
        AccessPolicy policy = AccessPolicy.builder().grant("admins", Permission.ADMIN)
                .grant("readers", Permission.READ).grantOnModel("releasers", "churn", Permission.MOVE_ALIAS).build();
        store = new InMemoryStore();
        server = MlopsServer.builder().store(store).port(0).tokens(tokens).accessPolicy(policy).build().start();
    }

    @AfterEach
    void stop() {
        server.close();
        store.close();
    }

    private HttpResponse<String> send(String method, String path, String token, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.uri() + path));
        if (token != null) {
            b.header("Authorization", token);
        }
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> r) throws Exception {
        return JSON.readTree(r.body());
    }

    private List<AuditEvent> audit() {
        return store.auditEvents(0, 1000);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"none", "wrong token", "basic auth", "empty bearer"})
    @DisplayName("a request without a known bearer token is 401, audited without the token, and the server goes on")
    void unauthenticated(String how) throws Exception {
        String header = switch (how) {
            case "none" -> null;
            case "wrong token" -> "Bearer " + ADMIN + "x";
            case "basic auth" -> "Basic YWxpY2U6c2VjcmV0";
            case "empty bearer" -> "Bearer ";
            default -> throw new IllegalArgumentException(how);
        };
        HttpResponse<String> r = send("GET", "/api/v1/audit/events", header, null);

        assertThat(r.statusCode()).isEqualTo(401);
        assertThat(r.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> assertThat(v).startsWith("Bearer"));
        assertThat(json(r).get("error_code").asText()).isEqualTo("PERMISSION_DENIED");
        assertThat(json(r).get("message").asText()).contains("authentication required").doesNotContain(ADMIN);
        List<AuditEvent> events = audit();
        assertThat(events).hasSize(1);
        assertThat(events.get(0).action()).isEqualTo("auth.failed");
        assertThat(events.get(0).actor()).isEqualTo("anonymous");
        assertThat(events.get(0).data()).contains("/api/v1/audit/events").doesNotContain(ADMIN)
                .doesNotContain("YWxpY2U6c2VjcmV0");

        assertThat(send("GET", "/api/v1/audit/events", "Bearer " + ADMIN, null).statusCode()).isEqualTo(200);
    }

    @Test
    @DisplayName("the health check needs no token")
    void healthOpen() throws Exception {
        assertThat(send("GET", "/api/v1/health", null, null).statusCode()).isEqualTo(200);
        assertThat(audit()).isEmpty();
    }

    @Test
    @DisplayName("a principal without the permission gets 403, audited under its name, and nothing is stored")
    void forbidden() throws Exception {
        HttpResponse<String> r = send("POST", "/api/v1/audit/events", "Bearer " + VIEWER, "{}");
        assertThat(r.statusCode()).isEqualTo(403);
        assertThat(json(r).get("error_code").asText()).isEqualTo("PERMISSION_DENIED");
        assertThat(json(r).get("message").asText()).contains("victor").contains("WRITE");
        assertThat(audit()).singleElement().satisfies(e -> {
            assertThat(e.action()).isEqualTo("access.denied");
            assertThat(e.actor()).isEqualTo("victor");
        });
        assertThat(send("GET", "/api/v1/audit/events", "bearer " + VIEWER, null).statusCode()).isEqualTo(200);
    }

    @Test
    @DisplayName("a grant on one model allows that model only")
    void modelScoped() throws Exception {
        HttpResponse<String> other = send("PUT", "/api/v1/models/fraud/aliases/prod", "Bearer " + ALIASER, "{}");
        assertThat(other.statusCode()).isEqualTo(403);
        assertThat(audit()).singleElement().satisfies(e -> assertThat(e.subject()).isEqualTo("model:fraud"));

        HttpResponse<String> churn = send("PUT", "/api/v1/models/churn/aliases/prod", "Bearer " + ALIASER, "{}");
        assertThat(churn.statusCode()).as("allowed, then refused by the body's decoding").isEqualTo(400);
        assertThat(json(churn).get("error_code").asText()).isEqualTo("INVALID_ARGUMENT");
    }

    @Test
    @DisplayName("a token file with a short token, a missing principal, a repeated token or no token is refused by line")
    void tokenFileErrors() {
        assertThatThrownBy(() -> Tokens.parse(List.of("short alice"), "f")).isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("f line 1").hasMessageContaining("16").hasMessageNotContaining("short");
        assertThatThrownBy(() -> Tokens.parse(List.of("# c", ADMIN), "f")).hasMessageContaining("f line 2");
        assertThatThrownBy(() -> Tokens.parse(List.of(ADMIN + " a", ADMIN + " b"), "f"))
                .hasMessageContaining("twice").hasMessageNotContaining(ADMIN);
        assertThatThrownBy(() -> Tokens.parse(List.of("# nothing"), "f")).hasMessageContaining("no token");
        Tokens t = Tokens.parse(List.of(ADMIN + " alice a,b", VIEWER + " victor"), "f");
        assertThat(t.principalOf(ADMIN)).hasValueSatisfying(p -> assertThat(p.roles()).containsExactly("a", "b"));
        assertThat(t.principalOf(VIEWER)).hasValueSatisfying(p -> assertThat(p.roles()).isEmpty());
        assertThat(t.principalOf(ADMIN.substring(1))).isEmpty();
    }

    @Test
    @DisplayName("without an access policy the token file's roles are permissions: on all models, or PERMISSION:MODEL"
            + " on one; no role, nothing")
    void rolesArePermissions() throws Exception {
        server.close();
        String reader = "reader-token-0123456789abcdef";
        String writer = "writer-token-0123456789abcdef";
        String churnAliaser = "churn-token-0123456789abcdef";
        String nobody = "nobody-token-0123456789abcdef";
        String boss = "boss-token-0123456789abcdef";
        Path tokens = Files.writeString(dir.resolve("roles.txt"), reader + " rita read\n" + writer + " walt WRITE\n"
                + churnAliaser + " carl read,move_alias:churn\n" + nobody + " nora\n" + boss + " bo Admin\n");
        server = MlopsServer.builder().store(store).port(0).tokens(tokens).build().start();

        assertThat(send("GET", "/api/v1/audit/head", "Bearer " + reader, null).statusCode()).isEqualTo(404);
        assertThat(send("POST", "/api/v1/audit/events", "Bearer " + reader, "{}").statusCode()).isEqualTo(403);
        assertThat(send("POST", "/api/v1/audit/events", "Bearer " + writer, "{}").statusCode())
                .as("allowed, then refused by the body's decoding").isEqualTo(400);
        assertThat(send("GET", "/api/v1/audit/head", "Bearer " + writer, null).statusCode())
                .as("WRITE does not imply READ").isEqualTo(403);
        assertThat(send("PUT", "/api/v1/models/churn/aliases/prod", "Bearer " + churnAliaser, "{}").statusCode())
                .isEqualTo(400);
        assertThat(send("PUT", "/api/v1/models/fraud/aliases/prod", "Bearer " + churnAliaser, "{}").statusCode())
                .isEqualTo(403);
        assertThat(send("GET", "/api/v1/audit/head", "Bearer " + nobody, null).statusCode()).isEqualTo(403);
        assertThat(send("POST", "/api/v1/audit/checkpoints", "Bearer " + churnAliaser, "{}").statusCode())
                .isEqualTo(403);
        assertThat(send("POST", "/api/v1/audit/checkpoints", "Bearer " + boss, "{}").statusCode())
                .as("ADMIN implies everything").isEqualTo(400);
        assertThat(audit()).extracting(AuditEvent::actor).containsExactly("rita", "walt", "walt", "carl", "carl",
                "nora", "carl", "bo");
        assertThat(audit()).extracting(AuditEvent::action).containsExactly("access.denied", "request.refused",
                "access.denied", "request.refused", "access.denied", "access.denied", "access.denied",
                "request.refused");
    }

    @Test
    @DisplayName("without an access policy a role that is no permission is refused when the server is built, naming"
            + " it and its principal, never the token; with a policy any role name goes")
    void unknownRole() throws Exception {
        Path tokens = Files.writeString(dir.resolve("typo.txt"), ADMIN + " alice raed\n");
        assertThatThrownBy(() -> MlopsServer.builder().store(store).port(0).tokens(tokens).build())
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("'raed'")
                .hasMessageContaining("alice").hasMessageContaining("read, write, approve, move_alias, admin")
                .hasMessageNotContaining(ADMIN);
        assertThatThrownBy(() -> MlopsServer.builder().store(store).port(0)
                .tokens(Files.writeString(dir.resolve("empty.txt"), ADMIN + " alice approve:\n")).build())
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("'approve:'");
        try (MlopsServer custom = MlopsServer.builder().store(store).port(0).tokens(tokens)
                .accessPolicy(AccessPolicy.builder().grant("raed", Permission.READ).build()).build().start()) {
            HttpRequest get = HttpRequest.newBuilder(URI.create(custom.uri() + "/api/v1/audit/events"))
                    .header("Authorization", "Bearer " + ADMIN).build();
            assertThat(http.send(get, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        }
    }
}
