package dev.mlops.client;

import static dev.mlops.tck.TckData.audit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mlops.InvalidArgumentException;
import dev.mlops.internal.wire.AuditWire;
import dev.mlops.internal.wire.MetricBatchWire;
import dev.mlops.internal.wire.Wire;
import dev.mlops.spi.PendingAuditEvent;
import dev.mlops.tracking.MetricPoint;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** What {@link RemoteMetadataStore#logMetrics} puts on the wire, seen by a scripted server (mockwebserver3). */
@DisplayName("logMetrics sends one request with the batch as columns")
class RemoteMetricBatchTest {
    private static final String RUN = "0190a1b2-0000-7000-8000-000000000001";

    @StartStop
    private final MockWebServer server = new MockWebServer();

    private RemoteMetadataStore remote() {
        return RemoteMetadataStore.builder(server.url("/").toString()).maxRetries(0).build();
    }

    @Test
    @DisplayName("POST /runs/{runId}/metrics with {points: columns, audit}, read back to the same points")
    void body() throws Exception {
        SplittableRandom random = new SplittableRandom(7);
        List<MetricPoint> points = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            points.add(new MetricPoint(i % 3 == 0 ? "loss" : "acc", Double.longBitsToDouble(random.nextLong()) % 1e6
                    + random.nextDouble(), i / 3, Instant.ofEpochSecond(1_767_323_045L + i, random.nextInt(
                    1_000_000_000))));
        }
        PendingAuditEvent audit = audit("run.metrics", "run:" + RUN);
        server.enqueue(new MockResponse.Builder().code(204).build());
        try (RemoteMetadataStore remote = remote()) {
            remote.logMetrics(RUN, points, audit);
        }
        RecordedRequest r = server.takeRequest(5, TimeUnit.SECONDS);
        assertThat(r).isNotNull();
        assertThat(r.getMethod()).isEqualTo("POST");
        assertThat(r.getUrl().encodedPath()).isEqualTo("/api/v1/runs/" + RUN + "/metrics");
        assertThat(r.getHeaders().get("Content-Type")).startsWith("application/json");
        JsonNode body = Wire.parse(r.getBody().string(StandardCharsets.UTF_8));
        Wire.Fields f = Wire.fields(body, "", "points", "audit");
        assertThat(f.object("points", MetricBatchWire::read)).isEqualTo(points);
        assertThat(f.object("audit", AuditWire::readPending)).isEqualTo(audit);
        assertThat(body.get("points").get("timestamps_extra_ns")).isNotNull();
    }

    @Test
    @DisplayName("a timestamp no metric batch can carry is refused before anything is sent")
    void unrepresentableTimestamp() throws Exception {
        try (RemoteMetadataStore remote = remote()) {
            assertThatThrownBy(() -> remote.logMetrics(RUN, List.of(new MetricPoint("loss", 1, 0, Instant.MIN)),
                    audit("run.metrics", "run:" + RUN))).isInstanceOf(InvalidArgumentException.class)
                    .hasMessageContaining("points[0].timestamp");
        }
        assertThat(server.takeRequest(200, TimeUnit.MILLISECONDS)).isNull();
    }
}
