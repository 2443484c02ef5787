package dev.mlops.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlops.audit.AuditEvent;
import dev.mlops.internal.artifact.LocalArtifactStore;
import dev.mlops.internal.wire.AuditWire;
import dev.mlops.internal.wire.RunWire;
import dev.mlops.internal.wire.Wire;
import dev.mlops.spi.PendingAuditEvent;
import dev.mlops.store.memory.InMemoryStore;
import dev.mlops.tracking.NewRun;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hostile requests against a server with tokens (and no explicit access policy, so the token file's roles are
 * permissions). Each test checks the status and error code, that nothing of the refused request was stored, that the
 * refusal was audited without any token, and, through a well-behaved client that keeps creating and reading runs on
 * its own connection the whole time, that the server went on serving others.
 */
@DisplayName("hostile requests against a server with tokens")
class SecurityTest {
    private static final String ALICE = "alice-token-0123456789abcdef";    // admin
    private static final String VICTOR = "victor-token-0123456789abcdef";  // read
    private static final String CAROL = "carol-token-0123456789abcdef";    // read,write: the well-behaved client
    private static final List<String> TOKENS = List.of(ALICE, VICTOR, CAROL);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final HttpClient goodHttp = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private InMemoryStore store;
    private LocalArtifactStore artifacts;
    private MlopsServer server;
    private Thread good;
    private final AtomicBoolean stopGood = new AtomicBoolean();
    private final AtomicInteger goodServed = new AtomicInteger();
    private final List<String> goodFailures = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        Path tokens = Files.writeString(dir.resolve("tokens"), "# token principal roles\n" + ALICE + " alice admin\n"
                + VICTOR + " victor read\n" + CAROL + " carol read,write\n");
        store = new InMemoryStore();
        artifacts = new LocalArtifactStore(dir.resolve("artifacts"));
        server = MlopsServer.builder().store(store).artifacts(artifacts).tokens(tokens).port(0)
                .maxRequestBytes(64 * 1024).maxArtifactBytes(256 * 1024).idleTimeout(Duration.ofMillis(700))
                .build().start();
        good = new Thread(this::wellBehaved, "well-behaved-client");
        good.start();
        awaitGoodServed(2);
    }

    @AfterEach
    void stop() throws Exception {
        try {
            awaitGoodServed(goodServed.get() + 3);
        } finally {
            stopGood.set(true);
            good.join(15_000);
            server.close();
            artifacts.close();
            store.close();
        }
        assertThat(goodFailures).as("the well-behaved client was served throughout").isEmpty();
    }

    /** Creates a run and reads it back, again and again, with carol's token, until told to stop. */
    private void wellBehaved() {
        int n = 0;
        while (!stopGood.get()) {
            String id = "good-" + (n++);
            try {
                HttpResponse<String> created = goodHttp.send(request("/api/v1/runs", CAROL)
                        .POST(HttpRequest.BodyPublishers.ofString(createRun(id, "carol"))).build(),
                        HttpResponse.BodyHandlers.ofString());
                HttpResponse<String> read = goodHttp.send(request("/api/v1/runs/" + id, CAROL).GET().build(),
                        HttpResponse.BodyHandlers.ofString());
                if (created.statusCode() != 201 || read.statusCode() != 200) {
                    goodFailures.add(id + ": " + created.statusCode() + " then " + read.statusCode());
                } else {
                    goodServed.incrementAndGet();
                }
            } catch (IOException e) {
                goodFailures.add(id + ": " + e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void awaitGoodServed(int count) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (goodServed.get() < count && goodFailures.isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertThat(goodFailures).isEmpty();
        assertThat(goodServed.get()).as("requests the well-behaved client got answered").isGreaterThanOrEqualTo(count);
    }

    private HttpRequest.Builder request(String path, String token) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(server.uri() + path))
                .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json");
        return token == null ? b : b.header("Authorization", "Bearer " + token);
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String token, String body) throws Exception {
        return send(request(path, token).POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    private static String createRun(String id, String actor) {
        ObjectNode body = Wire.object();
        body.set("run", RunWire.write(new NewRun(id, "job", null, Instant.parse("2026-01-02T03:04:05Z"), Map.of(),
                null, Map.of())));
        body.set("audit", AuditWire.write(new PendingAuditEvent(Instant.parse("2026-01-02T03:04:05Z"), actor,
                "run.create", "run:" + id, "{}")));
        return body.toString();
    }

    /** The audit events that are not the well-behaved client's. */
    private List<AuditEvent> foreignEvents() {
        return store.auditEvents(0, 100_000).stream().filter(e -> !e.actor().equals("carol")).toList();
    }

    /**
     * Asserts the reply's status and error code, and that the trail holds exactly one more foreign event, the
     * refusal with {@code action} and {@code actor}, holding no token; returns its data.
     */
    private JsonNode assertRefused(HttpResponse<String> r, List<AuditEvent> before, int status, String code,
            String action, String actor) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        JsonNode error = JSON.readTree(r.body());
        assertThat(error.get("error_code").asText()).isEqualTo(code);
        List<AuditEvent> after = foreignEvents();
        assertThat(after).hasSize(before.size() + 1);
        assertThat(after.subList(0, before.size())).isEqualTo(before);
        AuditEvent refusal = after.get(before.size());
        assertThat(refusal.action()).isEqualTo(action);
        assertThat(refusal.actor()).isEqualTo(actor);
        for (String token : TOKENS) {
            assertThat(refusal.data()).doesNotContain(token).doesNotContain(token.substring(0, 12));
        }
        return JSON.readTree(refusal.data());
    }

    @Test
    @DisplayName("no token: 401 PERMISSION_DENIED, audited as auth.failed by anonymous, the run not stored")
    void noToken() throws Exception {
        List<AuditEvent> before = foreignEvents();
        HttpResponse<String> r = post("/api/v1/runs", null, createRun("hostile-1", "alice"));
        JsonNode data = assertRefused(r, before, 401, "PERMISSION_DENIED", "auth.failed", "anonymous");
        assertThat(data.get("reason").asText()).isEqualTo("no bearer token");
        assertThat(store.getRun("hostile-1")).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"Bearer alice-token-0123456789abcdeX", "Bearer alice-token-0123456789abcde",
            "Basic YWxpY2U6c2VjcmV0", "Bearer", "alice-token-0123456789abcdef"})
    @DisplayName("a wrong token or scheme: 401, audited without the token, the run not stored")
    void wrongToken(String header) throws Exception {
        List<AuditEvent> before = foreignEvents();
        HttpResponse<String> r = send(request("/api/v1/runs", null).header("Authorization", header)
                .POST(HttpRequest.BodyPublishers.ofString(createRun("hostile-2", "alice"))));
        JsonNode data = assertRefused(r, before, 401, "PERMISSION_DENIED", "auth.failed", "anonymous");
        assertThat(data.toString()).doesNotContain("alice-token").doesNotContain("YWxpY2U6c2VjcmV0");
        assertThat(r.body()).doesNotContain("alice-token").doesNotContain("YWxpY2U6c2VjcmV0");
        assertThat(store.getRun("hostile-2")).isEmpty();
    }

    @Test
    @DisplayName("a valid token without the permission: 403, audited as access.denied under its principal, nothing"
            + " stored, and the body is not even read")
    void lackingPermission() throws Exception {
        List<AuditEvent> before = foreignEvents();
        HttpResponse<String> r = post("/api/v1/runs", VICTOR, createRun("hostile-3", "victor"));
        JsonNode data = assertRefused(r, before, 403, "PERMISSION_DENIED", "access.denied", "victor");
        assertThat(data.get("reason").asText()).isEqualTo("WRITE on all models");
        assertThat(store.getRun("hostile-3")).isEmpty();

        before = foreignEvents();
        HttpResponse<String> alias = send(request("/api/v1/models/churn/aliases/prod", VICTOR)
                .PUT(HttpRequest.BodyPublishers.ofString("{not json")));
        assertRefused(alias, before, 403, "PERMISSION_DENIED", "access.denied", "victor");
        assertThat(foreignEvents().get(before.size()).subject()).isEqualTo("model:churn");

        assertThat(send(request("/api/v1/runs/good-0", VICTOR).GET()).statusCode()).as("victor may read")
                .isEqualTo(200);
    }

    static Stream<String[]> invalidBodies() {
        String run = "{\"id\":\"hostile-4\",\"job\":\"j\",\"start_time\":\"2026-01-02T03:04:05Z\",\"tags\":{},"
                + "\"environment\":{}}";
        String audit = "{\"time\":\"2026-01-02T03:04:05Z\",\"actor\":\"a\",\"action\":\"run.create\","
                + "\"subject\":\"run:hostile-4\",\"data\":\"{}\"}";
        return Stream.of(
                new String[] {"malformed JSON", "{\"run\": " + run + ", \"audit\": ", "body"},
                new String[] {"trailing garbage", "{\"run\": " + run + ", \"audit\": " + audit + "} x", "body"},
                new String[] {"duplicate member", "{\"run\": " + run + ", \"run\": " + run + "}", "body"},
                new String[] {"a number for an object", "{\"run\": 5, \"audit\": " + audit + "}", "run"},
                new String[] {"a number for an instant", "{\"run\": " + run.replace("\"2026-01-02T03:04:05Z\"",
                        "1767323045") + ", \"audit\": " + audit + "}", "run.start_time"},
                new String[] {"an object for a tag value", "{\"run\": " + run.replace("\"tags\":{}",
                        "\"tags\":{\"t\":{}}") + ", \"audit\": " + audit + "}", "run.tags.t"},
                new String[] {"a string for an array", "{\"run\": " + run + ", \"audit\": \"x\"}", "audit"},
                new String[] {"an unknown top-level member", "{\"run\": " + run + ", \"audit\": " + audit
                        + ", \"admin\": true}", "admin"},
                new String[] {"an unknown nested member", "{\"run\": " + run.replace("\"tags\":{}",
                        "\"tags\":{},\"owner\":\"root\"") + ", \"audit\": " + audit + "}", "run.owner"},
                new String[] {"a missing member", "{\"run\": " + run + "}", "audit"});
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidBodies")
    @DisplayName("malformed JSON, wrong types, unknown or missing members: 400 INVALID_ARGUMENT naming the member,"
            + " audited as request.refused under the principal, nothing stored")
    void invalidBody(String what, String body, String field) throws Exception {
        List<AuditEvent> before = foreignEvents();
        HttpResponse<String> r = post("/api/v1/runs", ALICE, body);
        JsonNode data = assertRefused(r, before, 400, "INVALID_ARGUMENT", "request.refused", "alice");
        assertThat(JSON.readTree(r.body()).get("field").asText()).isEqualTo(field);
        assertThat(data.get("route").asText()).isEqualTo("/api/v1/runs");
        assertThat(data.get("status").asInt()).isEqualTo(400);
        assertThat(data.get("field").asText()).isEqualTo(field);
        assertThat(data.has("message")).as("the message is not audited").isFalse();
        assertThat(store.getRun("hostile-4")).isEmpty();
    }

    @Test
    @DisplayName("huge bodies, declared or streamed, JSON or artifact: 413, audited, nothing stored")
    void hugeBodies() throws Exception {
        String big = createRun("hostile-5", "alice").replace("\"tags\":{}",
                "\"tags\":{\"pad\":\"" + "x".repeat(100_000) + "\"}");
        List<AuditEvent> before = foreignEvents();
        assertTooLarge(request("/api/v1/runs", ALICE).POST(HttpRequest.BodyPublishers.ofString(big)), before);

        before = foreignEvents();
        HttpRequest.BodyPublisher streamed = HttpRequest.BodyPublishers.ofInputStream(
                () -> new ByteArrayInputStream(big.getBytes(StandardCharsets.UTF_8)));
        assertTooLarge(request("/api/v1/runs", ALICE).POST(streamed), before);
        assertThat(store.getRun("hostile-5")).isEmpty();

        before = foreignEvents();
        assertTooLarge(request("/api/v1/artifacts", ALICE).setHeader("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[300 * 1024])), before);
        assertThat(storedArtifacts()).isEmpty();
    }

    /**
     * The server answers 413 as soon as the body passes the limit and closes the connection, possibly while the
     * client is still sending, so the client may see only the closed connection (docs/protocol.md); either way the
     * refusal was audited before the reply was written.
     */
    private void assertTooLarge(HttpRequest.Builder request, List<AuditEvent> before) throws Exception {
        HttpResponse<String> reply;
        try {
            reply = send(request);
        } catch (IOException closed) {
            reply = null;
        }
        if (reply != null) {
            assertRefused(reply, before, 413, "INVALID_ARGUMENT", "request.refused", "alice");
        } else {
            List<AuditEvent> after = foreignEvents();
            assertThat(after).hasSize(before.size() + 1);
            assertThat(after.get(before.size()).action()).isEqualTo("request.refused");
            assertThat(after.get(before.size()).actor()).isEqualTo("alice");
            assertThat(JSON.readTree(after.get(before.size()).data()).get("status").asInt()).isEqualTo(413);
        }
    }

    private List<Path> storedArtifacts() throws IOException {
        Path root = dir.resolve("artifacts");
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(Files::isRegularFile).filter(p -> !p.startsWith(root.resolve("tmp"))).toList();
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"/api/v1/artifacts/..%2F..%2Fsecret.txt", "/api/v1/artifacts/%2e%2e%2f%2e%2e%2fsecret.txt",
            "/api/v1/artifacts/%2E%2E%2Fsecret.txt/stat", "/api/v1/artifacts/%2Fetc%2Fpasswd",
            "/api/v1/artifacts/sha256:..%2F..%2F..%2Fsecret.txt",
            "/api/v1/artifacts/sha256:0000000000000000000000000000000000000000000000000000000000000000%2F..%2F..",
            "/api/v1/artifacts/C:%5Cwindows%5Cwin.ini"})
    @DisplayName("path traversal in artifact names: 400 INVALID_ARGUMENT naming the digest, audited, nothing read")
    void pathTraversal(String path) throws Exception {
        Files.writeString(dir.resolve("secret.txt"), "top secret");
        List<AuditEvent> before = foreignEvents();
        HttpResponse<String> r = send(request(path, ALICE).GET());
        assertRefused(r, before, 400, "INVALID_ARGUMENT", "request.refused", "alice");
        assertThat(JSON.readTree(r.body()).get("field").asText()).isEqualTo("digest");
        assertThat(r.body()).doesNotContain("top secret");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"/api/v1/artifacts/../../secret.txt", "/api/v1/artifacts/./../runs/x",
            "/api/v1/../v1/artifacts/x/../../secret.txt"})
    @DisplayName("dot segments written raw in the path end in a 4xx that reads no file and holds no token")
    void rawDotSegments(String path) throws Exception {
        Files.writeString(dir.resolve("secret.txt"), "top secret");
        List<AuditEvent> before = foreignEvents();
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + ALICE
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            String reply = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(reply).startsWith("HTTP/1.1 4").doesNotContain("top secret").doesNotContain(ALICE);
        }
        assertThat(foreignEvents().size()).as("at most the refusal").isLessThanOrEqualTo(before.size() + 1);
        assertThat(foreignEvents().stream().skip(before.size())).allSatisfy(e -> {
            assertThat(e.action()).isEqualTo("request.refused");
            assertThat(e.data()).doesNotContain(ALICE);
        });
    }

    @Test
    @DisplayName("an upload whose expected digest is a path: 400 naming it, audited, nothing stored")
    void uploadDigestTraversal() throws Exception {
        List<AuditEvent> before = foreignEvents();
        HttpResponse<String> r = send(request("/api/v1/artifacts?expected_digest=..%2F..%2Fsecret.txt", ALICE)
                .setHeader("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray("bytes".getBytes(StandardCharsets.UTF_8))));
        assertRefused(r, before, 400, "INVALID_ARGUMENT", "request.refused", "alice");
        assertThat(JSON.readTree(r.body()).get("field").asText()).isEqualTo("expectedDigest");
        assertThat(storedArtifacts()).isEmpty();
    }

    @Test
    @DisplayName("a slow client with a valid token is cut off after the idle timeout: nothing stored, and a refusal"
            + " that got an answer is audited")
    void slowClient() throws Exception {
        List<AuditEvent> before = foreignEvents();
        String reply;
        try (Socket slow = new Socket()) {
            slow.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
            OutputStream out = slow.getOutputStream();
            out.write(("POST /api/v1/runs HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + ALICE + "\r\n"
                    + "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"run\":")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            int servedBefore = goodServed.get();
            awaitGoodServed(servedBefore + 3);
            slow.setSoTimeout(10_000);
            InputStream in = slow.getInputStream();
            reply = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
        List<AuditEvent> after = foreignEvents();
        if (reply.isEmpty()) {
            assertThat(after).isEqualTo(before);
        } else {
            assertThat(reply).startsWith("HTTP/1.1 400");
            assertThat(after).hasSize(before.size() + 1);
            assertThat(after.get(before.size()).action()).isEqualTo("request.refused");
        }
        assertThat(store.auditEvents(0, 100_000)).allSatisfy(e -> assertThat(e.action())
                .isIn("run.create", "request.refused"));
        assertThat(after.stream().filter(e -> e.action().equals("run.create"))).isEmpty();
    }

    @Test
    @DisplayName("a refusal before any route (a malformed percent-encoding) is audited as anonymous")
    void badEncoding() throws Exception {
        List<AuditEvent> before = foreignEvents();
        String reply;
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("GET /api/v1/runs/%zz HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                    + ALICE + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            reply = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(reply).startsWith("HTTP/1.1 400").contains("\"error_code\":\"INVALID_ARGUMENT\"");
        List<AuditEvent> after = foreignEvents();
        assertThat(after).hasSize(before.size() + 1);
        assertThat(after.get(before.size()).action()).isEqualTo("request.refused");
        assertThat(after.get(before.size()).actor()).isEqualTo("anonymous");
        assertThat(JSON.readTree(after.get(before.size()).data()).has("route")).isFalse();
    }

    @Test
    @DisplayName("the token's principal is the actor of every event it stores, whatever actor the body names")
    void principalIsTheActor() throws Exception {
        HttpResponse<String> created = post("/api/v1/runs", ALICE, createRun("stamped", "mallory"));
        assertThat(created.statusCode()).isEqualTo(201);
        ObjectNode append = Wire.object();
        append.set("audit", AuditWire.write(new PendingAuditEvent(Instant.parse("2026-01-02T03:04:05Z"), "mallory",
                "note", "run:stamped", "{}")));
        assertThat(post("/api/v1/audit/events", ALICE, append.toString()).statusCode()).isEqualTo(204);
        ObjectNode noActor = Wire.object();
        ObjectNode event = AuditWire.write(new PendingAuditEvent(Instant.parse("2026-01-02T03:04:05Z"), "x",
                "note", "run:stamped", "{}"));
        event.remove("actor");
        noActor.set("audit", event);
        assertThat(post("/api/v1/audit/events", ALICE, noActor.toString()).statusCode()).isEqualTo(204);

        assertThat(foreignEvents()).extracting(AuditEvent::action).containsExactly("run.create", "note", "note");
        assertThat(foreignEvents()).extracting(AuditEvent::actor).containsOnly("alice");
        assertThat(store.auditEvents(0, 100_000)).extracting(AuditEvent::actor).doesNotContain("mallory");
    }

    @Test
    @DisplayName("every route but the health check needs a token: none answers anything but 401 without one")
    void everyRouteNeedsAToken() throws Exception {
        for (String route : server.routes()) {
            String[] parts = route.split(" ", 2);
            if (parts[1].equals("/api/v1/health")) {
                continue;
            }
            String path = parts[1].replaceAll("\\{[^}]*}", "x1");
            HttpRequest.Builder b = request(path, null).method(parts[0],
                    parts[0].equals("GET") ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofString("{}"));
            assertThat(send(b).statusCode()).as(route).isEqualTo(401);
        }
        assertThat(foreignEvents()).extracting(AuditEvent::action).containsOnly("auth.failed")
                .hasSize(server.routes().size() - 1);
    }
}
