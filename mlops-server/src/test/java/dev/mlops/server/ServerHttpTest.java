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
