package dev.mlops.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.mlops.PageRequest;
import dev.mlops.audit.AuditEvent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code mlops quickstart --store http://127.0.0.1:PORT} against a real server: with a valid token it runs end to end
 * on the server; without one, or with a wrong one, it fails with exit 4 and says why.
 */
@DisplayName("mlops quickstart --store http://... against a real server")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RemoteQuickstartTest {
    static final String MODEL = "seattle-rain-classifier";

    Path dir;
    TestServer server;

    @BeforeAll
    void start(@TempDir Path tempDir) throws Exception {
        dir = tempDir;
        server = new TestServer(dir);
    }

    @AfterAll
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    @DisplayName("without a token: exit 4, saying the server refused it for lack of a token; nothing stored but the"
            + " audited refusal")
    void withoutToken() {
        long datasets = datasetCount();
        long head = server.backend.auditHead().map(AuditEvent::seq).orElse(0L);
        TestServer.Result r = TestServer.run(Map.of(), "quickstart", "--data-dir", dir.resolve("none").toString(),
                "--store", server.url);
        assertThat(r.exitCode()).as(r.err()).isEqualTo(4);
        assertThat(r.err()).contains("the server at " + server.url + " refused the request",
                "authentication required", "no bearer token", "MLOPS_TOKEN is not set");
        r.assertNoStackTrace();
        assertThat(datasetCount()).isEqualTo(datasets);
        List<AuditEvent> after = server.backend.auditEvents(head, 100);
        assertThat(after).isNotEmpty();
        assertThat(after).extracting(AuditEvent::action).containsOnly("auth.failed");
        assertThat(after).extracting(AuditEvent::actor).containsOnly("anonymous");

        TestServer.Result json = TestServer.run(Map.of("MLOPS_TOKEN", " "), "quickstart", "--data-dir",
                dir.resolve("none").toString(), "--store", server.url, "--json");
        assertThat(json.exitCode()).isEqualTo(4);
        assertThat(json.json().get("error_code").asText()).isEqualTo("PERMISSION_DENIED");
        assertThat(json.json().get("message").asText()).contains("no bearer token", "MLOPS_TOKEN is not set");
    }

    @Test
    @DisplayName("with a wrong token: exit 4, saying the token is unknown, never echoing it")
    void wrongToken() {
        String wrong = "not-the-right-token-0123456789";
        long datasets = datasetCount();
        TestServer.Result r = TestServer.run(Map.of("MLOPS_TOKEN", wrong), "quickstart", "--data-dir",
                dir.resolve("wrong").toString(), "--store", server.url);
        assertThat(r.exitCode()).as(r.err()).isEqualTo(4);
        assertThat(r.err()).contains("refused the request", "unknown bearer token")
                .doesNotContain(wrong, "MLOPS_TOKEN is not set");
        r.assertNoStackTrace();
        assertThat(datasetCount()).isEqualTo(datasets);
    }

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    @DisplayName("with a valid token")
    class WithToken {
        JsonNode summary;

        @BeforeAll
        void quickstart() {
            TestServer.Result r = server.cli("quickstart", "--data-dir", dir.resolve("qs").toString(), "--json");
            assertThat(r.exitCode()).as(r.err()).isZero();
            summary = r.json();
        }

        @Test
        @DisplayName("with a valid token it runs end to end: retraining decisions with reasons, promotions with checks,"
                + " production on an approved version, the audit chain intact")
        void endToEnd() {
            assertThat(summary.get("store").asText()).contains(server.url);
            assertThat(summary.at("/training_dataset/version").asText()).matches("sha256:[0-9a-f]{64}");

            JsonNode decisions = summary.at("/retraining/decisions");
            assertThat(decisions).hasSize(24);
            int fired = 0;
            for (JsonNode d : decisions) {
                assertThat(d.get("window").asText()).matches("201[45]-\\d\\d");
                assertThat(d.get("reasons").isArray()).isTrue();
                if (d.get("retrain").asBoolean()) {
                    fired++;
                    assertThat(d.get("reasons").size()).isPositive();
                    assertThat(d.get("request").get("status").asText()).isEqualTo("completed");
                }
            }
            assertThat(fired).isEqualTo(summary.at("/retraining/retrains").asInt()).isPositive();

            JsonNode promotions = summary.get("promotions");
            assertThat(promotions.size()).isPositive();
            for (JsonNode p : promotions) {
                assertThat(p.get("checks").size()).isPositive();
                boolean allPassed = true;
                for (JsonNode c : p.get("checks")) {
                    assertThat(c.get("name").asText()).isNotBlank();
                    allPassed &= c.get("passed").asBoolean();
                }
                assertThat(p.get("promoted").asBoolean()).isEqualTo(allPassed);
                assertThat(p.get("reasons").size()).isPositive();
            }

            int production = summary.at("/model/production").asInt();
            JsonNode versions = server.cli("models", "versions", MODEL, "--json").json();
            List<String> summarised = new ArrayList<>();
            summary.at("/model/versions").forEach(v -> summarised.add(v.asText()));
            assertThat(versions.findValuesAsText("version")).isEqualTo(summarised).hasSizeGreaterThan(1);
            List<Integer> inProduction = new ArrayList<>();
            for (JsonNode v : versions) {
                if (v.get("aliases").toString().contains("\"production\"")) {
                    inProduction.add(v.get("version").asInt());
                    assertThat(v.get("approval").asText()).isEqualTo("APPROVED");
                }
            }
            assertThat(inProduction).containsExactly(production);

            assertThat(summary.at("/audit/ok").asBoolean()).isTrue();
            assertThat(summary.at("/audit/events").asLong()).isPositive();
            TestServer.Result verify = server.cli("audit", "verify", "--json");
            assertThat(verify.exitCode()).as(verify.err()).isZero();
            assertThat(verify.json().get("ok").asBoolean()).isTrue();
        }

        @Test
        @DisplayName("what it wrote is on the server: metadata in the server's store, the model's bytes in the server's"
                + " artifact store")
        void storedOnTheServer() throws Exception {
            assertThat(server.backend.getModel(MODEL).orElseThrow().aliases().get("production"))
                    .isEqualTo(summary.at("/model/production").asInt());
            String digest = summary.at("/model_artifact/digest").asText();
            assertThat(digest).isEqualTo(TestServer.sha256(Files.readAllBytes(dir.resolve("qs")
                    .resolve("model.json"))));
            assertThat(server.artifacts.stat(digest)).as("the model's bytes went to the server").isPresent();
            for (JsonNode v : server.cli("models", "versions", MODEL, "--json").json()) {
                assertThat(server.artifacts.stat(v.get("digest").asText())).as("version " + v.get("version"))
                        .isPresent();
            }
        }

        @Test
        @DisplayName("it decides, retrains and promotes as the same quickstart on an embedded SQLite store")
        void sameAsEmbedded(@TempDir Path local) {
            TestServer.Result embedded = TestServer.run(Map.of(), "quickstart", "--data-dir",
                    local.resolve("qs").toString(), "--json", "--store", "sqlite:" + local.resolve("mlops.db"),
                    "--artifacts", "file:" + local.resolve("artifacts"));
            assertThat(embedded.exitCode()).as(embedded.err()).isZero();
            JsonNode e = embedded.json();
            for (String path : List.of("/model/versions", "/model/production", "/monitoring/drifted",
                    "/retraining/retrains", "/retraining/awaiting_holdout", "/training_dataset/version",
                    "/run/metrics")) {
                assertThat(summary.at(path)).as(path).isEqualTo(e.at(path));
            }
            assertThat(decisions(summary)).isEqualTo(decisions(e));
            // The same verdicts, except who approved: through the server the approver is the token's principal
            // (the server stamps identities), embedded it is the local user.
            assertThat(promotions(summary).toString()).contains("APPROVED (by alice)");
            assertThat(anonymousApprover(promotions(summary))).isEqualTo(anonymousApprover(promotions(e)));
        }

        private List<String> anonymousApprover(List<String> promotions) {
            return promotions.stream().map(p -> p.replaceAll("APPROVED \\(by [^)]*\\)", "APPROVED (by someone)"))
                    .toList();
        }

        private List<String> decisions(JsonNode s) {
            List<String> out = new ArrayList<>();
            s.at("/retraining/decisions").forEach(d -> out.add(d.get("window").asText() + " " + d.get("status").asText()
                    + " " + d.get("reasons") + " serving " + d.get("serving_version") + " challenger "
                    + d.get("challenger") + " accuracy " + d.get("accuracy")));
            return out;
        }

        private List<String> promotions(JsonNode s) {
            List<String> out = new ArrayList<>();
            s.get("promotions").forEach(p -> out.add(p.get("candidate") + " vs " + p.get("champion") + " "
                    + p.get("outcome") + " " + p.get("reasons") + " " + p.get("checks")));
            return out;
        }
    }

    private long datasetCount() {
        return server.backend.listDatasets(null, new PageRequest(10_000, null)).items().size();
    }
}
