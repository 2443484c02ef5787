package dev.mlops.client;

import static dev.mlops.tck.TckData.audit;
import static dev.mlops.tck.TckData.dataset;
import static dev.mlops.tck.TckData.newRun;
import static dev.mlops.tck.TckData.point;
import static dev.mlops.tck.TckData.runId;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.PageRequest;
import dev.mlops.audit.AuditEvent;
import dev.mlops.audit.AuditChain;
import dev.mlops.registry.Governance;
import dev.mlops.registry.NewModel;
import dev.mlops.registry.NewModelVersion;
import dev.mlops.spi.PendingAuditEvent;
import dev.mlops.spi.ProfileEntry;
import dev.mlops.tck.TckData;
import dev.mlops.tracking.CodeVersion;
import dev.mlops.tracking.NewRun;
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
    @DisplayName("SQL metacharacters in every string field of every create (run, dataset, model, version, profile,"
            + " audit event) are stored and read back exactly, and the store's tables survive")
    void sqlMetacharactersInEveryStringOfCreates() {
        String runId = "r" + SQL;
        NewRun run = new NewRun(runId, "job" + SQL, null, TckData.at(1), Map.of("k" + SQL, SQL),
                new CodeVersion("c" + SQL, "b" + SQL, true, "repo" + SQL), Map.of("e" + SQL, SQL));
        assertThat(remote.createRun(run, sqlAudit("run:" + runId)).created()).isTrue();
        NewRun child = new NewRun("child" + SQL, "job", runId, TckData.at(2), Map.of(), null, Map.of());
        remote.createRun(child, sqlAudit("run:child"));

        DatasetVersion d = new DatasetVersion("d" + SQL, TckData.digest(SQL), "file:/" + SQL, "f" + SQL, 3, null, null,
                Map.of("t" + SQL, SQL), TckData.at(3), "by" + SQL);
        remote.registerDataset(d, sqlAudit("dataset:x"));

        String model = "m" + SQL;
        NewModel m = TckData.model(model).description(SQL).tag("t" + SQL, SQL).createdBy("by" + SQL)
                .governance(new Governance("o" + SQL, "t" + SQL, "u" + SQL, "s" + SQL, "p" + SQL, "r" + SQL, null,
                        null)).build();
        remote.createModel(m, sqlAudit("model:x"));
        NewModelVersion v = TckData.version(model, 1).run(runId).description(SQL).tag("t" + SQL, SQL)
                .metric("m" + SQL, 0.5).idempotencyKey("i" + SQL).createdBy("by" + SQL).build();
        remote.createModelVersion(v, sqlAudit("model:x/1"));

        String body = "{\"q\":\"" + SQL.replace("\"", "\\\"") + "\"}";
        // a subject is KIND:NAME (the server refuses others, as the API layer does); the name holds the SQL
        ProfileEntry profile = new ProfileEntry("p" + SQL, "monitor:s" + SQL, "k" + SQL, null, null, 7,
                TckData.digest(body), body, TckData.at(4), "by" + SQL);
        remote.saveProfile(profile, sqlAudit("profile:x"));

        assertThat(remote.getRun(runId)).hasValueSatisfying(r -> {
            assertThat(r.jobName()).isEqualTo("job" + SQL);
            assertThat(r.tags()).containsEntry("k" + SQL, SQL);
            assertThat(r.environment()).containsEntry("e" + SQL, SQL);
            assertThat(r.codeVersion()).isEqualTo(run.codeVersion());
        });
        assertThat(remote.getRun("child" + SQL)).hasValueSatisfying(r -> assertThat(r.parentRunId())
                .isEqualTo(runId));
        assertThat(remote.getDataset(d.name(), d.version())).contains(d);
        assertThat(remote.getModel(model)).hasValueSatisfying(r -> {
            assertThat(r.description()).isEqualTo(SQL);
            assertThat(r.tags()).containsEntry("t" + SQL, SQL);
            assertThat(r.createdBy()).isEqualTo("by" + SQL);
            assertThat(r.governance()).isEqualTo(m.governance());
        });
        assertThat(remote.getModelVersion(model, 1)).hasValueSatisfying(r -> {
            assertThat(r.description()).isEqualTo(SQL);
            assertThat(r.tags()).containsEntry("t" + SQL, SQL);
            assertThat(r.metrics()).containsEntry("m" + SQL, 0.5);
            assertThat(r.runId()).isEqualTo(runId);
            assertThat(r.createdBy()).isEqualTo("by" + SQL);
        });
        assertThat(remote.findProfile("monitor:s" + SQL, "k" + SQL)).contains(profile);
        List<AuditEvent> events = remote.auditEvents(0, 100);
        assertThat(events).hasSize(6).allSatisfy(e -> {
            assertThat(e.actor()).isEqualTo("a" + SQL);
            assertThat(e.action()).isEqualTo("act" + SQL);
            assertThat(e.data()).contains("DROP TABLE runs");
        });
        for (int i = 0; i < events.size(); i++) {
            assertThat(AuditChain.computeHash(events.get(i))).isEqualTo(events.get(i).hash());
            assertThat(events.get(i).prevHash()).isEqualTo(i == 0 ? AuditChain.GENESIS : events.get(i - 1).hash());
        }
        assertThat(remote.getRun(SQL)).isEmpty();
    }

    private static PendingAuditEvent sqlAudit(String subject) {
        return new PendingAuditEvent(TckData.at(9), "a" + SQL, "act" + SQL, subject + SQL,
                "{\"q\":\"" + SQL.replace("\"", "\\\"") + "\"}");
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
