package dev.mlops.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlops.audit.AuditEvent;
import dev.mlops.internal.artifact.LocalArtifactStore;
import dev.mlops.internal.wire.AuditWire;
import dev.mlops.internal.wire.Wire;
import dev.mlops.registry.Governance;
import dev.mlops.registry.ModelSignature;
import dev.mlops.registry.NewModel;
import dev.mlops.registry.NewModelVersion;
import dev.mlops.registry.VersionStatus;
import dev.mlops.spi.PendingAuditEvent;
import dev.mlops.store.jdbc.JdbcStore;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Bounds and checks a reviewer found missing: the audit listing's limit, the page size's field, an upload whose bytes
 * miss the expected digest, a version finished with an artifact the server does not hold, and grants on one model.
 * A real server on 127.0.0.1 over SQLite and a local artifact store, with tokens; raw HTTP.
 */
@DisplayName("server hardening: bounds, upload digests, finished artifacts, per-model grants")
class HardeningTest {
    private static final String ALICE = "alice-token-0123456789abcdef";  // admin
    private static final String MIA = "mia-token-0123456789abcdef";
    private static final String WALT = "walt-token-0123456789abcdef";   // read,write: no move_alias      // read:m2,write:m2,move_alias:m2
    private static final String RITA = "rita-token-0123456789abcdef";    // read
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant T = Instant.parse("2026-01-02T03:04:05Z");
    private static final byte[] PAYLOAD = "payload".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private JdbcStore store;
    private LocalArtifactStore artifacts;
    private MlopsServer server;

    @BeforeEach
    void start() throws Exception {
        Path tokens = Files.writeString(dir.resolve("tokens"), ALICE + " alice admin\n" + MIA
                + " mia read:m2,write:m2,move_alias:m2\n" + RITA + " rita read\n" + WALT + " walt read,write\n");
        store = JdbcStore.sqlite(dir.resolve("m.db"));
        artifacts = new LocalArtifactStore(dir.resolve("artifacts"));
        server = MlopsServer.builder().store(store).artifacts(artifacts).tokens(tokens).port(0).build().start();
    }

    @AfterEach
    void stop() {
        server.close();
        artifacts.close();
        store.close();
    }

    private HttpResponse<String> send(String method, String path, String token, String type, byte[] body)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.uri() + path))
                .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + token)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        if (type != null) {
            b.header("Content-Type", type);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path, String token) throws Exception {
        return send("GET", path, token, null, null);
    }

    private HttpResponse<String> post(String path, String token, JsonNode body) throws Exception {
        return send("POST", path, token, "application/json", JSON.writeValueAsBytes(body));
    }

    private HttpResponse<String> upload(String token, byte[] bytes, String expectedDigest) throws Exception {
        String query = expectedDigest == null ? ""
                : "?expected_digest=" + URLEncoder.encode(expectedDigest, StandardCharsets.UTF_8);
        return send("POST", "/api/v1/artifacts" + query, token, "application/octet-stream", bytes);
    }

    private static void assertError(HttpResponse<String> r, int status, String code, String field, String message)
            throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        JsonNode error = JSON.readTree(r.body());
        assertThat(error.path("error_code").asText()).isEqualTo(code);
        if (field != null) {
            assertThat(error.path("field").asText()).isEqualTo(field);
        }
        if (message != null) {
            assertThat(error.path("message").asText()).isEqualTo(message);
        }
    }

    private static String sha256(byte[] bytes) throws Exception {
        return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    private List<AuditEvent> audit() {
        return store.auditEvents(0, 10_000);
    }

    // ---- limits ----------------------------------------------------------------------------------------------------

    @ParameterizedTest(name = "limit={0}")
    @ValueSource(strings = {"2147483647", "10001", "0", "-1", "99999999999999999999", "ten"})
    @DisplayName("the audit listing's limit outside 1..10000 is 400 naming limit, audited as a refusal")
    void auditLimitBounded(String limit) throws Exception {
        int before = audit().size();
        HttpResponse<String> r = get("/api/v1/audit/events?limit=" + limit, ALICE);
        boolean integer = limit.matches("-?[0-9]{1,18}");
        assertError(r, 400, "INVALID_ARGUMENT", "limit", "limit must be an integer between 1 and 10000"
                + (integer ? ", was " + limit : ""));
        List<AuditEvent> after = audit();
        assertThat(after).hasSize(before + 1);
        JsonNode data = JSON.readTree(after.get(before).data());
        assertThat(after.get(before).action()).isEqualTo("request.refused");
        assertThat(data.path("field").asText()).isEqualTo("limit");
    }

    @Test
    @DisplayName("the audit listing answers within its bounds: 10000, 1 and the default")
    void auditLimitWithinBounds() throws Exception {
        for (int i = 0; i < 3; i++) {
            store.appendAuditEvent(new PendingAuditEvent(T, "setup", "test.event", "server", "{}"));
        }
        assertThat(JSON.readTree(get("/api/v1/audit/events?limit=10000", ALICE).body()).path("items")).hasSize(3);
        assertThat(JSON.readTree(get("/api/v1/audit/events?limit=1", ALICE).body()).path("items")).hasSize(1);
        assertThat(JSON.readTree(get("/api/v1/audit/events?after_seq=1", ALICE).body()).path("items")).hasSize(2);
    }

    @ParameterizedTest(name = "page_size={0}")
    @ValueSource(strings = {"0", "99999", "-5"})
    @DisplayName("a page size out of range is 400 naming page_size with the message of docs/protocol.md")
    void pageSizeField(String size) throws Exception {
        assertError(get("/api/v1/datasets?page_size=" + size, ALICE), 400, "INVALID_ARGUMENT", "page_size",
                "page_size must be an integer between 1 and 10000, was " + size);
        assertError(get("/api/v1/datasets?page_size=many", ALICE), 400, "INVALID_ARGUMENT", "page_size",
                "page_size must be an integer between 1 and 10000");
    }

    // ---- uploads ---------------------------------------------------------------------------------------------------

    @Test
    @DisplayName("an upload whose bytes miss its expected digest is 400 naming expectedDigest, audited as a refusal,"
            + " nothing stored")
    void uploadDigestMismatch() throws Exception {
        String zeros = "sha256:" + "0".repeat(64);
        int before = audit().size();
        HttpResponse<String> r = upload(ALICE, PAYLOAD, zeros);
        assertError(r, 400, "INVALID_ARGUMENT", "expectedDigest", null);
        assertThat(JSON.readTree(r.body()).path("message").asText()).contains(zeros).contains(sha256(PAYLOAD));
        List<AuditEvent> after = audit();
        assertThat(after).hasSize(before + 1);
        assertThat(after.get(before).action()).isEqualTo("request.refused");
        assertThat(after.get(before).actor()).isEqualTo("alice");
        JsonNode data = JSON.readTree(after.get(before).data());
        assertThat(data.path("status").asInt()).isEqualTo(400);
        assertThat(data.path("field").asText()).isEqualTo("expectedDigest");
        assertThat(artifacts.stat(sha256(PAYLOAD))).isEmpty();
        assertThat(artifacts.stat(zeros)).isEmpty();
        // The right digest stores it.
        assertThat(upload(ALICE, PAYLOAD, sha256(PAYLOAD)).statusCode()).isEqualTo(200);
        assertThat(artifacts.stat(sha256(PAYLOAD))).isPresent();
    }

    // ---- appended audit events ------------------------------------------------------------------------------------

    private static ObjectNode appended(String action, String subject, String data) {
        ObjectNode body = Wire.object();
        body.set("audit", AuditWire.write(new PendingAuditEvent(T, "x", "a", "s", "{}")));
        ((ObjectNode) body.get("audit")).put("action", action).put("subject", subject).put("data", data);
        return body;
    }

    @Test
    @DisplayName("an appended event's action and subject carry no control characters (400 naming the member,"
            + " nothing stored)")
    void appendedEventLabelsChecked() throws Exception {
        int before = audit().size();
        HttpResponse<String> action = post("/api/v1/audit/events", WALT, appended("a\nb\u001b[31m", "run:r1", "{}"));
        assertError(action, 400, "INVALID_ARGUMENT", "audit.action", null);
        HttpResponse<String> subject = post("/api/v1/audit/events", WALT, appended("run.note", "s\u0000", "{}"));
        assertError(subject, 400, "INVALID_ARGUMENT", "audit.subject", null);
        assertThat(audit().subList(before, audit().size())).extracting(AuditEvent::action)
                .containsOnly("request.refused");
        HttpResponse<String> fine = post("/api/v1/audit/events", WALT, appended("run.note", "run:r1", "{}"));
        assertThat(fine.statusCode()).as(fine.body()).isEqualTo(204);
    }

    @Test
    @DisplayName("a promotion verdict appended as a plain event needs MOVE_ALIAS on its model: a writer without it"
            + " cannot forge one (403, audited, nothing stored); alice (admin) can")
    void forgedVerdictRefused() throws Exception {
        String verdict = "{\"alias\":\"production\",\"candidate\":2,\"model\":\"m2\",\"outcome\":\"FAILED\"}";
        int before = audit().size();
        HttpResponse<String> forged = post("/api/v1/audit/events", WALT,
                appended("promotion.decided", "model:m2/2", verdict));
        assertError(forged, 403, "PERMISSION_DENIED", null, null);
        List<AuditEvent> after = audit().subList(before, audit().size());
        assertThat(after).extracting(AuditEvent::action).containsExactly("access.denied");
        HttpResponse<String> allowed = post("/api/v1/audit/events", ALICE,
                appended("promotion.decided", "model:m2/2", verdict));
        assertThat(allowed.statusCode()).as(allowed.body()).isEqualTo(204);
        assertThat(audit().get(audit().size() - 1).action()).isEqualTo("promotion.decided");
        assertThat(audit().get(audit().size() - 1).actor()).isEqualTo("alice");
    }

    // ---- finishing a version ---------------------------------------------------------------------------------------

    /** Model m2 and its PENDING version 1 declaring {@code digest}. */
    private void pendingVersion(String digest) {
        PendingAuditEvent setup = new PendingAuditEvent(T, "setup", "setup", "model:m2", "{}");
        store.createModel(new NewModel("m2", "", Map.of(), Governance.EMPTY, T, "setup"), setup);
        store.createModelVersion(new NewModelVersion("m2", 1, digest, null, ModelSignature.EMPTY, Map.of(), Map.of(),
                "", null, T, "setup"), setup);
    }

    private HttpResponse<String> finish(String token, String digest, long size, String uri) throws Exception {
        ObjectNode body = Wire.object();
        body.put("status", "READY");
        ObjectNode artifact = body.putObject("artifact");
        artifact.put("digest", digest);
        artifact.put("size_bytes", size);
        artifact.put("uri", uri);
        body.put("time", Wire.instantText(T));
        body.set("audit", AuditWire.write(new PendingAuditEvent(T, "x", "model_version.ready", "model:m2", "{}")));
        return post("/api/v1/models/m2/versions/1/finish", token, body);
    }

    @Test
    @DisplayName("a version finished READY with an artifact the server's store holds gets the server's own URI, and"
            + " one of another size is refused; bytes the server does not hold (kept elsewhere, --artifacts) keep"
            + " the client's reference")
    void finishWithTheStoredArtifact() throws Exception {
        String digest = sha256(PAYLOAD);
        pendingVersion(digest);
        HttpResponse<String> uploaded = upload(MIA, PAYLOAD, digest);
        assertThat(uploaded.statusCode()).as(uploaded.body()).isEqualTo(200);
        String storedUri = JSON.readTree(uploaded.body()).path("uri").asText();
        assertThat(storedUri).isNotBlank().isNotEqualTo("file:///etc/passwd");

        HttpResponse<String> wrongSize = finish(MIA, digest, 8, "file:///etc/passwd");
        assertError(wrongSize, 400, "INVALID_ARGUMENT", "artifact", null);
        assertThat(JSON.readTree(wrongSize.body()).path("message").asText()).contains(digest).contains("7 bytes");
        assertThat(store.getModelVersion("m2", 1).orElseThrow().status()).isEqualTo(VersionStatus.PENDING);
        assertThat(audit().get(audit().size() - 1).action()).isEqualTo("request.refused");

        HttpResponse<String> ready = finish(MIA, digest, 7, "file:///etc/passwd");
        assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
        assertThat(store.getModelVersion("m2", 1).orElseThrow().artifact().uri()).isEqualTo(storedUri);

        // Version 2: bytes the server never received, kept in the client's own artifact store.
        byte[] elsewhere = "kept elsewhere".getBytes(StandardCharsets.UTF_8);
        String external = sha256(elsewhere);
        store.createModelVersion(new NewModelVersion("m2", 2, external, null, ModelSignature.EMPTY, Map.of(),
                Map.of(), "", null, T, "setup"), new PendingAuditEvent(T, "setup", "setup", "model:m2", "{}"));
        ObjectNode body = Wire.object();
        body.put("status", "READY");
        ObjectNode artifact = body.putObject("artifact");
        artifact.put("digest", external);
        artifact.put("size_bytes", elsewhere.length);
        artifact.put("uri", "s3://team-models/m2/2");
        body.put("time", Wire.instantText(T));
        body.set("audit", AuditWire.write(new PendingAuditEvent(T, "x", "model_version.ready", "model:m2", "{}")));
        HttpResponse<String> external2 = post("/api/v1/models/m2/versions/2/finish", MIA, body);
        assertThat(external2.statusCode()).as(external2.body()).isEqualTo(200);
        assertThat(artifacts.stat(external)).as("not uploaded to the server").isEmpty();
        assertThat(store.getModelVersion("m2", 2).orElseThrow().artifact().uri()).isEqualTo("s3://team-models/m2/2");
    }

    @Test
    @DisplayName("a stored artifact that is not the version's declared one is refused, as the embedded registry does")
    void finishChecksTheDeclaredDigest() throws Exception {
        pendingVersion(sha256(PAYLOAD));
        byte[] other = "other bytes".getBytes(StandardCharsets.UTF_8);
        assertThat(upload(ALICE, other, null).statusCode()).isEqualTo(200);
        HttpResponse<String> r = finish(ALICE, sha256(other), other.length, "file:/x");
        assertError(r, 400, "INVALID_ARGUMENT", "artifact", null);
        assertThat(JSON.readTree(r.body()).path("message").asText()).contains(sha256(other)).contains(sha256(PAYLOAD));
        assertThat(store.getModelVersion("m2", 1).orElseThrow().status()).isEqualTo(VersionStatus.PENDING);
    }

    // ---- per-model grants ------------------------------------------------------------------------------------------

    private static ObjectNode versionSearch(String model) {
        ObjectNode body = Wire.object();
        ObjectNode query = body.putObject("query");
        if (model != null) {
            query.put("model", model);
        }
        query.putObject("tags");
        body.putObject("page").put("page_size", 100);
        return body;
    }

    @Test
    @DisplayName("a principal with grants on m2 only searches m2's versions, but not another model's nor all")
    void perModelVersionSearch() throws Exception {
        pendingVersion(sha256(PAYLOAD));
        HttpResponse<String> own = post("/api/v1/versions/search", MIA, versionSearch("m2"));
        assertThat(own.statusCode()).as(own.body()).isEqualTo(200);
        assertThat(JSON.readTree(own.body()).path("items")).hasSize(1);
        assertError(post("/api/v1/versions/search", MIA, versionSearch("m1")), 403, "PERMISSION_DENIED", null,
                "principal 'mia' lacks READ on model 'm1'");
        assertError(post("/api/v1/versions/search", MIA, versionSearch(null)), 403, "PERMISSION_DENIED", null,
                "principal 'mia' lacks READ on all models");
        assertThat(post("/api/v1/versions/search", RITA, versionSearch(null)).statusCode()).isEqualTo(200);
    }

    @Test
    @DisplayName("an upload needs WRITE on at least one model: a writer of m2 uploads, a reader gets 403, audited")
    void perModelUpload() throws Exception {
        HttpResponse<String> r = upload(MIA, PAYLOAD, sha256(PAYLOAD));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        byte[] other = "other".getBytes(StandardCharsets.UTF_8);
        int before = audit().size();
        assertError(upload(RITA, other, null), 403, "PERMISSION_DENIED", null,
                "principal 'rita' lacks WRITE on every model (it needs it on at least one)");
        assertThat(artifacts.stat(sha256(other))).isEmpty();
        List<AuditEvent> after = audit();
        assertThat(after).hasSize(before + 1);
        assertThat(after.get(before).action()).isEqualTo("access.denied");
        assertThat(after.get(before).actor()).isEqualTo("rita");
    }

    // ---- query parameters and Jetty's own refusals ----------------------------------------------------------------

    @Test
    @DisplayName("an unknown query parameter is 400 naming it, as an unknown body member is; known ones pass")
    void unknownQueryParameter() throws Exception {
        assertError(get("/api/v1/runs/r1?fields=all", ALICE), 400, "INVALID_ARGUMENT", "fields",
                "unknown query parameter 'fields'; this route takes none");
        assertError(get("/api/v1/datasets?name=d&page_size=5&sort=name", ALICE), 400, "INVALID_ARGUMENT", "sort",
                "unknown query parameter 'sort'; the parameters are name, page_size, page_token");
        assertError(get("/api/v1/audit/events?after=3", ALICE), 400, "INVALID_ARGUMENT", "after", null);
        assertError(upload(ALICE, PAYLOAD, sha256(PAYLOAD) + "&overwrite=true"), 400, "INVALID_ARGUMENT", null, null);
        assertThat(artifacts.stat(sha256(PAYLOAD))).isEmpty();
        assertThat(get("/api/v1/datasets?name=d&page_size=5", ALICE).statusCode()).isEqualTo(200);
        assertThat(get("/api/v1/audit/events?after_seq=0&limit=5", ALICE).statusCode()).isEqualTo(200);
        assertThat(get("/api/v1/runs/r1", ALICE).statusCode()).isEqualTo(404);
    }

    @Test
    @DisplayName("Jetty's own 400 (a malformed header, refused before the headers are read) carries an X-Request-Id")
    void jettyRefusalHasRequestId() throws Exception {
        for (String id : new String[] {"X-Request-Id: req-42\r\n", ""}) {
            try (java.net.Socket s = new java.net.Socket()) {
                s.connect(new java.net.InetSocketAddress("127.0.0.1", server.port()), 5000);
                s.setSoTimeout(5000);
                s.getOutputStream().write(("GET /api/v1/health HTTP/1.1\r\nHost: x\r\n" + id
                        + "Not A Header\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
                String reply = RefusedBodyTest.readReply(s.getInputStream());
                assertThat(reply).startsWith("HTTP/1.1 400").containsPattern("\r\nX-Request-Id: [A-Za-z0-9._:-]+\r\n")
                        .contains("\"error_code\":\"INVALID_ARGUMENT\"");
            }
        }
    }
}
