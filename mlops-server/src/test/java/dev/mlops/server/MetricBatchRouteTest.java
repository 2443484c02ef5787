package dev.mlops.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlops.PageRequest;
import dev.mlops.internal.wire.AuditWire;
import dev.mlops.internal.wire.MetricBatchWire;
import dev.mlops.internal.wire.RunWire;
import dev.mlops.internal.wire.Wire;
import dev.mlops.spi.MetadataStore;
import dev.mlops.spi.PendingAuditEvent;
import dev.mlops.store.jdbc.JdbcStore;
import dev.mlops.tracking.MetricPoint;
import dev.mlops.tracking.NewRun;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code POST /runs/{runId}/metrics} with a metric batch in columns, on a SQLite store, over real HTTP. */
@DisplayName("POST /runs/{runId}/metrics takes a batch of columns")
class MetricBatchRouteTest {
    private static final String RUN = "0190a1b2-0000-7000-8000-000000000001";
    private static final Instant T = Instant.parse("2026-01-02T03:04:05.123Z");
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    @TempDir
    Path dir;
    private MetadataStore store;
    private MlopsServer server;

    @BeforeEach
    void start() {
        store = JdbcStore.sqlite(dir.resolve("m.db"));
        store.createRun(new NewRun(RUN, "job", null, T, Map.of(), null, Map.of()), audit("run.create"));
        server = MlopsServer.builder().store(store).port(0).build().start();
    }

    @AfterEach
    void stop() {
        server.close();
        store.close();
    }

    private static PendingAuditEvent audit(String action) {
        return new PendingAuditEvent(T, "tester", action, "run:" + RUN, "{}");
    }

    private HttpResponse<String> post(String body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(server.uri() + "/api/v1/runs/" + RUN + "/metrics"))
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String body(JsonNode points) {
        ObjectNode body = Wire.object();
        body.set("points", points);
        body.set("audit", AuditWire.write(audit("run.metrics")));
        return Wire.toJson(body);
    }

    private long metricEvents() {
        return store.auditEvents(0, 1000).stream().filter(e -> e.action().equals("run.metrics")).count();
    }

    @Test
    @DisplayName("stores the points in order, with the extra nanoseconds cut to the store's milliseconds")
    void stores() throws Exception {
        List<MetricPoint> points = List.of(new MetricPoint("loss", 0.5, 1, T), new MetricPoint("loss", 0.25, 2,
                T.plusMillis(1).plusNanos(999_999)), new MetricPoint("acc", 0.9, 2, T.plusMillis(2)));
        HttpResponse<String> r = post(body(MetricBatchWire.write(points)));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(204);
        assertThat(store.metricHistory(RUN, "loss", new PageRequest(10, null)).items()).containsExactly(
                new MetricPoint("loss", 0.5, 1, T), new MetricPoint("loss", 0.25, 2, T.plusMillis(1)));
        assertThat(store.metricHistory(RUN, "acc", new PageRequest(10, null)).items()).containsExactly(points.get(2));
        assertThat(metricEvents()).isEqualTo(1);
    }

    @Test
    @DisplayName("a bad element is 400 naming it, and nothing of the batch is stored")
    void badElement() throws Exception {
        HttpResponse<String> r = post(body(Wire.parse("{\"keys\":[\"loss\",\"loss\"],\"values\":[0.5,\"x\"],"
                + "\"steps\":[1,2],\"timestamps_ms\":[1,2]}")));
        assertThat(r.statusCode()).isEqualTo(400);
        JsonNode error = Wire.parse(r.body());
        assertThat(error.get("error_code").asText()).isEqualTo("INVALID_ARGUMENT");
        assertThat(error.get("field").asText()).isEqualTo("points.values[1]");
        assertThat(error.get("message").asText()).isEqualTo("points.values[1] must be a finite number, was a string");
        assertThat(store.metricHistory(RUN, "loss", new PageRequest(10, null)).items()).isEmpty();
        assertThat(metricEvents()).isZero();
    }

    @Test
    @DisplayName("the list of point objects is not a batch: 400 naming points")
    void pointObjectsRefused() throws Exception {
        HttpResponse<String> r = post(body(Wire.arrayOf(List.of(new MetricPoint("loss", 0.5, 1, T)),
                RunWire::write)));
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(Wire.parse(r.body()).get("field").asText()).isEqualTo("points");
        assertThat(metricEvents()).isZero();
    }

    @Test
    @DisplayName("columns of different lengths are 400 naming the odd one")
    void lengths() throws Exception {
        HttpResponse<String> r = post(body(Wire.parse("{\"keys\":[\"loss\"],\"values\":[0.5],"
                + "\"steps\":[1,2],\"timestamps_ms\":[1]}")));
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(Wire.parse(r.body()).get("field").asText()).isEqualTo("points.steps");
        assertThat(metricEvents()).isZero();
    }
}
