package dev.mlops.client;

import static dev.mlops.tck.TckData.audit;
import static dev.mlops.tck.TckData.dataset;
import static dev.mlops.tck.TckData.newRun;
import static dev.mlops.tck.TckData.point;
import static dev.mlops.tck.TckData.runId;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.PageRequest;
import dev.mlops.data.DatasetVersion;
import dev.mlops.server.MlopsServer;
import dev.mlops.spi.MetadataStore;
import dev.mlops.store.jdbc.JdbcStoreProvider;
import dev.mlops.tracking.MetricPoint;
import dev.mlops.tracking.Run;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("hostile input against a server on SQLite")
class HostileInputTest {
    private static final String SQL = "x'); DROP TABLE runs; -- \" ; DELETE FROM audit_events WHERE '1'='1";

    @TempDir
    Path dir;

    private MetadataStore backend;
    private MlopsServer server;
    private RemoteMetadataStore remote;

    @BeforeEach
    void start() {
        backend = new JdbcStoreProvider().open("sqlite:" + dir.resolve("h.db"));
        server = MlopsServer.builder().store(backend).port(0).idleTimeout(Duration.ofMillis(500)).build().start();
        remote = RemoteMetadataStore.builder(server.uri().toString()).build();
    }

    @AfterEach
    void stop() {
        remote.close();
        server.close();
        backend.close();
    }

    @Test
    @DisplayName("SQL metacharacters in ids' neighbours, keys, values and names are stored and read back as data")
    void sqlMetacharacters() {
        remote.createRun(newRun(1), audit("run.create", "run:" + runId(1)));
        remote.logParams(runId(1), Map.of(SQL, SQL), audit("run.params", "run:" + runId(1)));
        remote.setTags(runId(1), Map.of("t" + SQL, SQL), audit("run.tags", "run:" + runId(1)));
        remote.logMetrics(runId(1), List.of(point(SQL, 1.0, 0, 1)), audit("run.metrics", "run:" + runId(1)));
        DatasetVersion d = dataset(SQL, "content");
        remote.registerDataset(d, audit("dataset.register", "dataset:x"));

        Run run = remote.getRun(runId(1)).orElseThrow();
        assertThat(run.params()).containsEntry(SQL, SQL);
        assertThat(run.tags()).containsEntry("t" + SQL, SQL);
        assertThat(remote.metricHistory(runId(1), SQL, PageRequest.first()).items()).extracting(MetricPoint::key)
                .containsExactly(SQL);
        assertThat(remote.getDataset(SQL, d.version())).isPresent();
        assertThat(remote.getRun(SQL)).isEmpty();
        assertThat(remote.auditEvents(0, 100)).hasSize(5);
    }

    @Test
    @DisplayName("a client that stops sending mid-request is cut off after the idle timeout; others are served")
    void slowClient() throws Exception {
        try (Socket slow = new Socket()) {
            slow.connect(new InetSocketAddress("127.0.0.1", server.port()), 5000);
            OutputStream out = slow.getOutputStream();
            out.write(("POST /api/v1/runs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 1000\r\n\r\n{\"run\":").getBytes(StandardCharsets.US_ASCII));
            out.flush();

            remote.createRun(newRun(1), audit("run.create", "run:" + runId(1)));
            assertThat(remote.getRun(runId(1))).isPresent();

            slow.setSoTimeout(10_000);
            InputStream in = slow.getInputStream();
            long started = System.nanoTime();
            byte[] reply = in.readAllBytes();
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(9));
            String text = new String(reply, StandardCharsets.US_ASCII);
            assertThat(text.isEmpty() || text.startsWith("HTTP/1.1 4") || text.startsWith("HTTP/1.1 5")).as(text)
                    .isTrue();
        }
        assertThat(remote.auditEvents(0, 100)).hasSize(1);
    }
}
