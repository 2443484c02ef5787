package dev.mlops.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlops.PageRequest;
import dev.mlops.audit.AuditEvent;
import dev.mlops.internal.wire.AuditWire;
import dev.mlops.internal.wire.RegistryWire;
import dev.mlops.internal.wire.RunWire;
import dev.mlops.internal.wire.Wire;
import dev.mlops.registry.Governance;
import dev.mlops.registry.ModelQuery;
import dev.mlops.registry.NewModel;
import dev.mlops.spi.PendingAuditEvent;
import dev.mlops.store.memory.InMemoryStore;
import dev.mlops.tracking.NewRun;
import dev.mlops.tracking.Run;
import dev.mlops.tracking.RunQuery;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The server applies the API layer's boundary validation to what HTTP clients send (it wraps its store in
 * {@code ValidatingMetadataStore}): the reviewer's cases, sent as raw HTTP, are 400 {@code INVALID_ARGUMENT} naming
 * the field the embedded API names, nothing is stored, and the refusal is audited as {@code request.refused} like
 * the server's other 400s.
 */
@DisplayName("the server refuses what the API layer refuses")
class ServerValidationTest {
    private static final String ALICE = "alice-token-0123456789abcdef";
    private static final Instant T = Instant.parse("2026-01-02T03:04:05Z");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private InMemoryStore store;
    private MlopsServer server;

    @BeforeEach
    void start() throws Exception {
        Path tokens = Files.writeString(dir.resolve("tokens"), ALICE + " alice admin\n");
        store = new InMemoryStore();
        store.createRun(new NewRun("seeded", "job", null, T, Map.of(), null, Map.of()),
                new PendingAuditEvent(T, "setup", "run.create", "run:seeded", "{}"));
        server = MlopsServer.builder().store(store).tokens(tokens).port(0).build().start();
    }

    @AfterEach
    void stop() {
        server.close();
        store.close();
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(server.uri() + path)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + ALICE)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static ObjectNode audit(String action, String subject) {
        return AuditWire.write(new PendingAuditEvent(T, "alice", action, subject, "{}"));
    }

    private static String createRun(String id, String job, Map<String, String> tags) {
        ObjectNode body = Wire.object();
        body.set("run", RunWire.write(new NewRun(id, job, null, T, tags, null, Map.of())));
        body.set("audit", audit("run.create", "run:x"));
        return body.toString();
    }

    private static String createModel(String name) {
        ObjectNode body = Wire.object();
        body.set("model", RegistryWire.write(new NewModel(name, "", Map.of(), Governance.EMPTY, T, "alice")));
        body.set("audit", audit("model.create", "model:x"));
        return body.toString();
    }

    private static String setTags(Map<String, String> tags) {
        ObjectNode body = Wire.object();
        ObjectNode map = body.putObject("tags");
        tags.forEach(map::put);
        body.set("audit", audit("run.set_tags", "run:seeded"));
        return body.toString();
    }

    static Stream<Arguments> refused() {
        return Stream.of(
                Arguments.of("run id '..'", "/api/v1/runs", createRun("..", "job", Map.of()), "runId"),
                Arguments.of("run id '.'", "/api/v1/runs", createRun(".", "job", Map.of()), "runId"),
                Arguments.of("run id ''", "/api/v1/runs", createRun("", "job", Map.of()), "runId"),
                Arguments.of("run id of blanks", "/api/v1/runs", createRun("   ", "job", Map.of()), "runId"),
                Arguments.of("run id with U+0000", "/api/v1/runs", createRun("a\u0000b", "job", Map.of()), "runId"),
                Arguments.of("run id with a line break", "/api/v1/runs", createRun("line\nbreak", "job", Map.of()),
                        "runId"),
                Arguments.of("job with BEL and an ANSI escape", "/api/v1/runs",
                        createRun("r1", "j\u0007\u001b[31mred", Map.of()), "jobName"),
                Arguments.of("tag key ''", "/api/v1/runs", createRun("r1", "job", Map.of("", "v")), "tags key"),
                Arguments.of("tag key 'k\\nk'", "/api/v1/runs", createRun("r1", "job", Map.of("k\nk", "v")),
                        "tags key"),
                Arguments.of("model name '../../etc/passwd'", "/api/v1/models", createModel("../../etc/passwd"),
                        "name"),
                Arguments.of("a 10 MiB tag value", "/api/v1/runs/seeded/tags",
                        setTags(Map.of("big", "x".repeat(10 * 1024 * 1024))), "tags.big"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refused")
    @DisplayName("400 INVALID_ARGUMENT naming the field, nothing stored, audited as request.refused")
    void refusedAsTheApiLayerRefuses(String what, String path, String body, String field) throws Exception {
        List<AuditEvent> before = store.auditEvents(0, 1000);
        Run seeded = store.getRun("seeded").orElseThrow();

        HttpResponse<String> r = post(path, body);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        JsonNode error = JSON.readTree(r.body());
        assertThat(error.get("error_code").asText()).isEqualTo("INVALID_ARGUMENT");
        assertThat(error.get("field").asText()).isEqualTo(field);
        assertThat(store.searchRuns(RunQuery.all(), PageRequest.first(100)).items()).containsExactly(seeded);
        assertThat(store.searchModels(ModelQuery.all(), PageRequest.first(100)).items()).isEmpty();
        List<AuditEvent> after = store.auditEvents(0, 1000);
        assertThat(after).hasSize(before.size() + 1);
        assertThat(after.subList(0, before.size())).isEqualTo(before);
        AuditEvent refusal = after.get(before.size());
        assertThat(refusal.action()).isEqualTo("request.refused");
        assertThat(refusal.actor()).isEqualTo("alice");
        JsonNode data = JSON.readTree(refusal.data());
        assertThat(data.get("status").asInt()).isEqualTo(400);
        assertThat(data.get("error_code").asText()).isEqualTo("INVALID_ARGUMENT");
        assertThat(data.get("field").asText()).isEqualTo(field);
    }

    @Test
    @DisplayName("valid names that hold dots, slashes and spaces inside are still stored (201)")
    void validStillStored() throws Exception {
        HttpResponse<String> run = post("/api/v1/runs", createRun("...", "team/job a", Map.of("a..b", "v")));
        assertThat(run.statusCode()).as(run.body()).isEqualTo(201);
        assertThat(store.getRun("...")).isPresent();
        HttpResponse<String> model = post("/api/v1/models", createModel("churn model.v2"));
        assertThat(model.statusCode()).as(model.body()).isEqualTo(201);
        assertThat(store.getModel("churn model.v2")).isPresent();
    }

    @Test
    @DisplayName("the count of tags in a call is not limited (the API layer has no limit) but the request size is:"
            + " 300,000 tags over the 16 MiB default are refused with 413, nothing stored")
    void countBoundedByRequestSize() throws Exception {
        Map<String, String> tags = new LinkedHashMap<>();
        for (int i = 0; i < 300_000; i++) {
            tags.put("tag-" + i, "v".repeat(60));
        }
        String body = setTags(tags);
        assertThat((long) body.length()).isGreaterThan(MlopsServer.DEFAULT_MAX_REQUEST_BYTES);
        Run before = store.getRun("seeded").orElseThrow();

        // The server does not read a body over its limit: it answers 413 and closes the connection, so a client
        // still writing 16 MiB may see the connection closed before it reads the 413. Either way it is refused.
        HttpResponse<String> r;
        try {
            r = post("/api/v1/runs/seeded/tags", body);
        } catch (java.io.IOException closedBeforeTheReplyWasRead) {
            r = null;
        }
        if (r != null) {
            assertThat(r.statusCode()).as(r.body()).isEqualTo(413);
        }
        assertThat(store.getRun("seeded")).contains(before);
    }
}
