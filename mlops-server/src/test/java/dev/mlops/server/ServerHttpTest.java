package dev.mlops.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlops.store.memory.InMemoryStore;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("MlopsServer over plain HTTP")
class ServerHttpTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private InMemoryStore store;
    private MlopsServer server;

    @BeforeEach
    void start() {
        store = new InMemoryStore();
        server = MlopsServer.builder().store(store).port(0).build().start();
    }

    @AfterEach
    void stop() {
        server.close();
        store.close();
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        return http.send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpRequest.Builder at(String path) {
        return HttpRequest.newBuilder(URI.create(server.uri() + path));
    }

    private static JsonNode json(HttpResponse<String> response) throws IOException {
        return JSON.readTree(response.body());
    }

    @Test
    @DisplayName("port 0 binds a free port on 127.0.0.1, which port() and uri() report")
    void ephemeralPort() {
        assertThat(server.port()).isBetween(1, 65_535);
        assertThat(server.uri().toString()).isEqualTo("http://127.0.0.1:" + server.port());
    }

    @Test
    @DisplayName("GET /api/v1/health answers 200 with status ok and echoes the request id")
    void health() throws Exception {
        HttpResponse<String> r = send(at("/api/v1/health").header("X-Request-Id", "abc-123").GET());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(
                t -> assertThat(t).startsWith("application/json"));
        assertThat(json(r).get("status").asText()).isEqualTo("ok");
        assertThat(r.headers().firstValue("X-Request-Id")).contains("abc-123");
    }

    @Test
    @DisplayName("a request without a usable request id gets a fresh one")
    void requestIdGenerated() throws Exception {
        HttpResponse<String> r = send(at("/api/v1/health").header("X-Request-Id", "bad id with spaces").GET());
        assertThat(r.headers().firstValue("X-Request-Id")).hasValueSatisfying(
                id -> assertThat(id).matches("[0-9a-f-]{36}"));
    }

    @Test
    @DisplayName("an unknown route is 404 NOT_FOUND with a JSON error body")
    void unknownRoute() throws Exception {
        for (String path : new String[] {"/api/v1/nothing", "/api/v2/health", "/", "/api/v1/health/extra"}) {
            HttpResponse<String> r = send(at(path).GET());
            assertThat(r.statusCode()).as(path).isEqualTo(404);
            assertThat(json(r).get("error_code").asText()).as(path).isEqualTo("NOT_FOUND");
            assertThat(json(r).get("message").asText()).as(path).contains("no such resource");
        }
    }

    @Test
    @DisplayName("a known path with the wrong method is 405 with an Allow header")
    void wrongMethod() throws Exception {
        HttpResponse<String> r = send(at("/api/v1/health").DELETE());
        assertThat(r.statusCode()).isEqualTo(405);
        assertThat(r.headers().firstValue("Allow")).contains("GET");
        assertThat(json(r).get("error_code").asText()).isEqualTo("INVALID_ARGUMENT");
        assertThat(json(r).get("field").asText()).isEqualTo("method");
    }

    private HttpRequest.Builder post(String path, String contentType, String body) {
        return at(path).header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofString(body));
    }

    @Test
    @DisplayName("malformed JSON is 400 INVALID_ARGUMENT naming the body and where, without echoing it")
    void malformedJson() throws Exception {
        HttpResponse<String> r = send(post("/api/v1/runs", "application/json", "{\"run\": {\"id\": \"secret-x\""));
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(json(r).get("error_code").asText()).isEqualTo("INVALID_ARGUMENT");
        assertThat(json(r).get("field").asText()).isEqualTo("body");
        assertThat(json(r).get("message").asText()).contains("not valid JSON").doesNotContain("secret-x");
    }

    @Test
    @DisplayName("a body of the wrong shape is 400 naming the member, and stores nothing")
    void wrongShape() throws Exception {
        HttpResponse<String> r = send(post("/api/v1/runs", "application/json", "{\"run\": 5, \"audit\": []}"));
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(json(r).get("field").asText()).isEqualTo("run");
        HttpResponse<String> unknown = send(post("/api/v1/runs", "application/json", "{\"runs\": {}}"));
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(json(unknown).get("field").asText()).isEqualTo("runs");
        assertThat(store.auditHead()).isEmpty();
    }

    @Test
    @DisplayName("a body that is not application/json is 415 INVALID_ARGUMENT naming Content-Type")
    void wrongContentType() throws Exception {
        HttpResponse<String> r = send(post("/api/v1/runs", "text/plain", "{}"));
        assertThat(r.statusCode()).isEqualTo(415);
        assertThat(json(r).get("error_code").asText()).isEqualTo("INVALID_ARGUMENT");
        assertThat(json(r).get("field").asText()).isEqualTo("Content-Type");
        assertThat(send(post("/api/v1/runs", "application/json; charset=UTF-8", "{}")).statusCode()).isEqualTo(400);
    }

    @Test
    @DisplayName("a body over the limit is 413, whether its length is declared or streamed, and the server goes on")
    void tooLarge() throws Exception {
        server.close();
        server = MlopsServer.builder().store(store).port(0).maxRequestBytes(1000).build().start();
        String big = "{\"pad\": \"" + "x".repeat(5000) + "\"}";
        HttpResponse<String> declared = send(post("/api/v1/runs", "application/json", big));
        assertThat(declared.statusCode()).isEqualTo(413);
        assertThat(json(declared).get("error_code").asText()).isEqualTo("INVALID_ARGUMENT");

        HttpRequest.BodyPublisher streamed = HttpRequest.BodyPublishers.ofInputStream(
                () -> new java.io.ByteArrayInputStream(big.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        HttpResponse<String> chunked = send(at("/api/v1/runs").header("Content-Type", "application/json")
                .POST(streamed));
        assertThat(chunked.statusCode()).isEqualTo(413);

        assertThat(send(at("/api/v1/health").GET()).statusCode()).isEqualTo(200);
    }

    @Test
    @DisplayName("a store error maps to its status: an unknown run is 404 NOT_FOUND, a bad page size 400")
    void storeErrors() throws Exception {
        HttpResponse<String> r = send(at("/api/v1/runs/0190a1b2-0000-7000-8000-000000000001/metrics/loss").GET());
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(json(r).get("error_code").asText()).isEqualTo("NOT_FOUND");
        HttpResponse<String> size = send(at("/api/v1/runs/x/metrics/loss?page_size=lots").GET());
        assertThat(size.statusCode()).isEqualTo(400);
        assertThat(json(size).get("field").asText()).isEqualTo("page_size");
    }

    @Test
    @DisplayName("a lookup by natural key without its query parameters is 400 naming the parameter")
    void requiredQueryParameters() throws Exception {
        for (String[] c : new String[][] {{"/api/v1/profile?key=k", "subject"}, {"/api/v1/drift-report?subject=s",
                "key"}, {"/api/v1/policy-state?policy=p", "model"}, {"/api/v1/policy-decision?policy=p&model=m",
                "window_id"}}) {
            HttpResponse<String> r = send(at(c[0]).GET());
            assertThat(r.statusCode()).as(c[0]).isEqualTo(400);
            assertThat(json(r).get("field").asText()).as(c[0]).isEqualTo(c[1]);
        }
    }

    @Test
    @DisplayName("close() lets a request in flight finish before stopping")
    void gracefulShutdown() throws Exception {
        java.util.concurrent.CountDownLatch entered = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        dev.mlops.spi.MetadataStore slow = new dev.mlops.spi.ForwardingMetadataStore() {
            @Override
            protected dev.mlops.spi.MetadataStore delegate() {
                return store;
            }

            @Override
            public java.util.Optional<dev.mlops.audit.AuditEvent> auditHead() {
                entered.countDown();
                try {
                    release.await(10, java.util.concurrent.TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return super.auditHead();
            }
        };
        server.close();
        server = MlopsServer.builder().store(slow).port(0).build().start();
        java.util.concurrent.CompletableFuture<HttpResponse<String>> inFlight = http.sendAsync(
                at("/api/v1/audit/head").GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(entered.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();

        Thread closer = new Thread(server::close);
        closer.start();
        Thread.sleep(200);
        assertThat(closer.isAlive()).as("close() waits for the request in flight").isTrue();
        release.countDown();
        closer.join(10_000);

        assertThat(closer.isAlive()).isFalse();
        HttpResponse<String> r = inFlight.get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(json(r).get("error_code").asText()).isEqualTo("NOT_FOUND");
    }

    private String raw(byte[] request) throws IOException {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write(request);
            socket.getOutputStream().flush();
            return new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    @Test
    @DisplayName("what Jetty refuses itself (a garbage request line, huge headers) also gets a JSON error body")
    void jettyRefusals() throws Exception {
        String garbage = raw("GARBAGE\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        assertThat(garbage).startsWith("HTTP/1.1 400").contains("application/json")
                .contains("\"error_code\":\"INVALID_ARGUMENT\"");
        String huge = raw(("GET /api/v1/health HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(20_000) + "\r\n\r\n")
                .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        assertThat(huge).startsWith("HTTP/1.1 431").contains("\"error_code\":\"INVALID_ARGUMENT\"")
                .doesNotContain("aaaa");
        assertThat(send(at("/api/v1/health").GET()).statusCode()).isEqualTo(200);
    }

    @Test
    @DisplayName("after close() the port refuses connections")
    void closeStopsServing() throws Exception {
        URI uri = URI.create(server.uri() + "/api/v1/health");
        server.close();
        assertThatThrownBy(() -> send(HttpRequest.newBuilder(uri).GET())).isInstanceOf(IOException.class);
        server.close();
    }

    @Test
    @DisplayName("the builder refuses a missing store, a bad port and a non-positive size limit, naming them")
    void builderValidation() {
        assertThatThrownBy(() -> MlopsServer.builder().build()).hasMessageContaining("store");
        assertThatThrownBy(() -> MlopsServer.builder().port(70_000)).hasMessageContaining("port");
        assertThatThrownBy(() -> MlopsServer.builder().maxRequestBytes(0)).hasMessageContaining("maxRequestBytes");
    }
}
