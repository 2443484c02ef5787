package dev.mlops.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlops.Mlops;
import dev.mlops.client.RemoteMetadataStore;
import dev.mlops.data.DatasetVersion;
import dev.mlops.internal.artifact.LocalArtifactStore;
import dev.mlops.server.MlopsServer;
import dev.mlops.store.memory.InMemoryStore;
import dev.mlops.tracking.ActiveRun;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * Every command against a real {@link MlopsServer} on loopback ({@code --store http://127.0.0.1:PORT}), on a SQLite
 * file with a local artifact store and a token file; the token comes from {@code MLOPS_TOKEN} in the environment the
 * command line is given. A run that read a dataset is logged through the library first (no command creates runs but
 * quickstart, which {@link RemoteQuickstartTest} covers); a model version registered by the CLI is its output.
 */
@DisplayName("mlops commands with --store http://... against a real server")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RemoteCliTest {
    static final String MODEL = "seed-model";
    private static final ObjectMapper JSON = new ObjectMapper();

    Path dir;
    TestServer server;
    String url;
    String runId;
    DatasetVersion dataset;
    JsonNode version;

    TestServer.Result remote(String... args) {
        return server.cli(args);
    }

    static TestServer.Result run(Map<String, String> env, String... args) {
        return TestServer.run(env, args);
    }

    @BeforeAll
    void seed(@TempDir Path tempDir) throws Exception {
        dir = tempDir;
        server = new TestServer(dir);
        url = server.url;
        Path csv = Files.writeString(dir.resolve("seed.csv"), "temp,weather\n10.5,rain\n12.0,sun\n9.1,rain\n");
        RemoteMetadataStore store = RemoteMetadataStore.builder(url).token(TestServer.TOKEN).build();
        try (store; Mlops mlops = Mlops.builder().store(store).artifactStore(store.artifactStore()).actor("seeder")
                .build()) {
            dataset = mlops.datasets().register("seed-data", csv).value();
            try (ActiveRun run = mlops.tracking().start("seed-job")) {
                run.logParam("lr", "0.1").logMetric("accuracy", 0.75, 1).logInput(dataset);
                runId = run.id();
            }
        }
        Path model = Files.writeString(dir.resolve("seed-model.bin"), "seed model weights");
        TestServer.Result r = remote("models", "register", MODEL, "--file", model.toString(), "--run", runId,
                "--json");
        assertThat(r.exitCode()).as(r.err()).isZero();
        version = r.json();
    }

    @AfterAll
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Nested
    @DisplayName("reading")
    class Reads {
        @Test
        @DisplayName("runs list and runs show: the run with its param, metric and input; an unknown run is exit 3")
        void runs() {
            TestServer.Result list = remote("runs", "list", "--json");
            assertThat(list.exitCode()).as(list.err()).isZero();
            assertThat(list.json().findValuesAsText("id")).contains(runId);
            TestServer.Result show = remote("runs", "show", runId, "--json");
            assertThat(show.exitCode()).as(show.err()).isZero();
            JsonNode run = show.json();
            assertThat(run.get("id").asText()).isEqualTo(runId);
            assertThat(run.get("job").asText()).isEqualTo("seed-job");
            assertThat(run.get("status").asText()).isEqualTo("COMPLETED");
            assertThat(run.get("params").get("lr").asText()).isEqualTo("0.1");
            assertThat(run.get("metrics").get("accuracy").get("value").asDouble()).isEqualTo(0.75);
            assertThat(run.get("inputs").toString()).contains(dataset.node().id());
            assertThat(run.get("outputs").toString()).contains("model:" + MODEL + "/1");
            TestServer.Result missing = remote("runs", "show", "0190aaaa-0000-7000-8000-000000000000");
            assertThat(missing.exitCode()).isEqualTo(3);
            missing.assertNoStackTrace();
        }

        @Test
        @DisplayName("models list, models show and models versions; an unknown model is exit 3")
        void models() {
            JsonNode list = remote("models", "list", "--json").json();
            assertThat(list.findValuesAsText("name")).contains(MODEL);
            TestServer.Result show = remote("models", "show", MODEL, "--json");
            assertThat(show.exitCode()).as(show.err()).isZero();
            assertThat(show.json().get("name").asText()).isEqualTo(MODEL);
            JsonNode versions = remote("models", "versions", MODEL, "--json").json();
            assertThat(versions).hasSize(1);
            assertThat(versions.get(0).get("digest").asText()).isEqualTo(version.get("digest").asText());
            assertThat(versions.get(0).get("run_id").asText()).isEqualTo(runId);
            assertThat(remote("models", "show", "no-such-model").exitCode()).isEqualTo(3);
        }

        @Test
        @DisplayName("lineage upstream of the model reaches the run and the dataset; export-openlineage writes the"
                + " run's events")
        void lineage() throws Exception {
            TestServer.Result r = remote("lineage", "model:" + MODEL + "/1", "--upstream", "--json");
            assertThat(r.exitCode()).as(r.err()).isZero();
            assertThat(r.json().get("root").asText()).isEqualTo("model:" + MODEL + "/1");
            assertThat(r.json().get("nodes").findValuesAsText("id")).contains(dataset.node().id(), "run:" + runId);
            assertThat(r.json().get("edges").findValuesAsText("kind")).contains("input", "output");
            assertThat(remote("lineage", "run:" + runId, "--format", "mermaid").out()).startsWith("flowchart");
            Path events = dir.resolve("openlineage.jsonl");
            TestServer.Result export = remote("lineage", "export-openlineage", "--out", events.toString(), "--json");
            assertThat(export.exitCode()).as(export.err()).isZero();
            List<String> lines = Files.readAllLines(events);
            assertThat(lines).isNotEmpty();
            for (String line : lines) {
                assertThat(JSON.readTree(line).get("run").get("runId").asText()).isNotBlank();
            }
            assertThat(lines).anyMatch(line -> line.contains("seed-job"));
        }

        @Test
        @DisplayName("audit verify is ok on the server's chain; audit export writes it, and the export verifies"
                + " offline")
        void audit() throws Exception {
            TestServer.Result verify = remote("audit", "verify", "--json");
            assertThat(verify.exitCode()).as(verify.err()).isZero();
            assertThat(verify.json().get("ok").asBoolean()).isTrue();
            assertThat(verify.json().get("events").asLong()).isPositive();
            Path export = dir.resolve("audit.jsonl");
            TestServer.Result exported = remote("audit", "export", "--out", export.toString(), "--json");
            assertThat(exported.exitCode()).as(exported.err()).isZero();
            long events = exported.json().get("events").asLong();
            assertThat(events).isGreaterThanOrEqualTo(verify.json().get("events").asLong());
            TestServer.Result offline = run(Map.of(), "audit", "verify", "--file", export.toString(), "--json");
            assertThat(offline.exitCode()).as(offline.err()).isZero();
            assertThat(offline.json().get("ok").asBoolean()).isTrue();
            assertThat(offline.json().get("events").asLong()).isEqualTo(events);
            assertThat(Files.readAllLines(export)).anyMatch(l -> l.contains("\"subject\":\"run:" + runId));
        }

        @Test
        @DisplayName("a principal with READ only reads, and is refused (exit 4) a registration, naming itself and"
                + " the permission; nothing of it is stored")
        void readOnlyPrincipal() throws Exception {
            Map<String, String> viewer = Map.of("MLOPS_TOKEN", TestServer.VIEWER_TOKEN);
            TestServer.Result list = run(viewer, "models", "list", "--json", "--store", url);
            assertThat(list.exitCode()).as(list.err()).isZero();
            assertThat(list.json().findValuesAsText("name")).contains(MODEL);
            Path file = Files.writeString(dir.resolve("viewer.bin"), "viewer's model");
            TestServer.Result register = run(viewer, "models", "register", "viewer-model", "--file", file.toString(),
                    "--store", url);
            assertThat(register.exitCode()).as(register.err()).isEqualTo(4);
            assertThat(register.err()).contains("refused the request", "victor", "WRITE")
                    .doesNotContain("MLOPS_TOKEN is not set");
            register.assertNoStackTrace();
            assertThat(server.backend.getModel("viewer-model")).isEmpty();
            assertThat(server.artifacts.stat(TestServer.sha256("viewer's model".getBytes(StandardCharsets.UTF_8))))
                    .isEmpty();
        }
    }

    @Nested
    @DisplayName("writing")
    class Writes {
        @Test
        @DisplayName("datasets add registers on the server (the same bytes again are not created twice);"
                + " datasets list shows it")
        void datasets() throws Exception {
            Path csv = Files.writeString(dir.resolve("d.csv"), "a,b\n1,x\n2,y\n3,z\n");
            TestServer.Result first = remote("datasets", "add", csv.toString(), "--name", "remote-d", "--json");
            assertThat(first.exitCode()).as(first.err()).isZero();
            assertThat(first.json().get("created").asBoolean()).isTrue();
            assertThat(first.json().get("rows").asInt()).isEqualTo(3);
            assertThat(first.json().get("version").asText()).isEqualTo(TestServer.sha256(Files.readAllBytes(csv)));
            TestServer.Result again = remote("datasets", "add", csv.toString(), "--name", "remote-d", "--json");
            assertThat(again.json().get("created").asBoolean()).isFalse();
            JsonNode list = remote("datasets", "list", "--name", "remote-d", "--json").json();
            assertThat(list.findValuesAsText("version")).containsExactly(first.json().get("version").asText());
            assertThat(server.backend.getDataset("remote-d", first.json().get("version").asText())).isPresent();
        }

        @Test
        @DisplayName("models register uploads to the server's artifact store; alias set, --expect-version conflict"
                + " (exit 4), approve, reject, govern, alias delete")
        void registry() throws Exception {
            Path f1 = Files.writeString(dir.resolve("m1.bin"), "remote one");
            Path f2 = Files.writeString(dir.resolve("m2.bin"), "remote two");
            TestServer.Result v1 = remote("models", "register", "remote-rain", "--file", f1.toString(), "--json");
            assertThat(v1.exitCode()).as(v1.err()).isZero();
            assertThat(v1.json().get("version").asInt()).isEqualTo(1);
            assertThat(v1.json().get("status").asText()).isEqualTo("READY");
            assertThat(v1.json().get("digest").asText()).isEqualTo(TestServer.sha256(Files.readAllBytes(f1)));
            assertThat(server.artifacts.stat(TestServer.sha256(Files.readAllBytes(f1)))).isPresent();
            assertThat(remote("models", "register", "remote-rain", "--file", f2.toString(), "--json").json()
                    .get("version").asInt()).isEqualTo(2);

            assertThat(remote("models", "alias", "set", "remote-rain", "shadow", "1").exitCode()).isZero();
            TestServer.Result stale = remote("models", "alias", "set", "remote-rain", "shadow", "2",
                    "--expect-version", "2");
            assertThat(stale.exitCode()).isEqualTo(4);
            assertThat(stale.err()).contains("version 1");
            JsonNode moved = remote("models", "alias", "set", "remote-rain", "shadow", "2", "--expect-version", "1",
                    "--json").json();
            assertThat(moved.get("previous").asInt()).isEqualTo(1);
            assertThat(moved.get("version").asInt()).isEqualTo(2);

            assertThat(remote("models", "alias", "set", "remote-rain", "production", "1").exitCode()).isEqualTo(4);
            TestServer.Result approve = remote("models", "approve", "remote-rain", "1", "--reason", "reviewed",
                    "--json");
            assertThat(approve.exitCode()).as(approve.err()).isZero();
            assertThat(approve.json().get("approval").asText()).isEqualTo("APPROVED");
            assertThat(remote("models", "approve", "remote-rain", "1", "--reason", "again").exitCode()).isEqualTo(4);
            assertThat(remote("models", "reject", "remote-rain", "2", "--reason", "worse").exitCode()).isZero();
            assertThat(remote("models", "govern", "remote-rain", "--business-owner", "weather-team",
                    "--approver-role", "model-approver").exitCode()).isZero();
            TestServer.Result production = remote("models", "alias", "set", "remote-rain", "production", "1",
                    "--json");
            assertThat(production.exitCode()).as(production.err()).isZero();
            assertThat(server.backend.getModel("remote-rain").orElseThrow().aliases()).containsEntry("production", 1);
            assertThat(remote("models", "alias", "delete", "remote-rain", "shadow").exitCode()).isZero();
            assertThat(server.backend.getModel("remote-rain").orElseThrow().aliases()).doesNotContainKey("shadow");

            JsonNode versions = remote("models", "versions", "remote-rain", "--json").json();
            assertThat(versions.findValuesAsText("approval")).containsExactly("APPROVED", "REJECTED");
            assertThat(remote("audit", "verify").exitCode()).isZero();
        }

        @Test
        @DisplayName("audit checkpoint signs the server's head and stores it there; audit verify --public-key finds"
                + " the chain anchored by it; a reader may not add one (exit 4)")
        void checkpoints(@TempDir Path local) {
            Path priv = local.resolve("audit.key");
            Path pub = local.resolve("audit.pub");
            assertThat(remote("audit", "keygen", "--private", priv.toString(), "--public", pub.toString())
                    .exitCode()).isZero();
            TestServer.Result refused = run(Map.of("MLOPS_TOKEN", TestServer.VIEWER_TOKEN), "audit", "checkpoint",
                    "--key", priv.toString(), "--store", url);
            assertThat(refused.exitCode()).as(refused.err()).isEqualTo(4);
            assertThat(server.backend.checkpoints()).isEmpty();
            TestServer.Result cp = remote("audit", "checkpoint", "--key", priv.toString(), "--json");
            assertThat(cp.exitCode()).as(cp.err()).isZero();
            long anchored = cp.json().get("seq").asLong();
            assertThat(server.backend.checkpoints()).hasSize(1);
            TestServer.Result verified = remote("audit", "verify", "--public-key", pub.toString(), "--json");
            assertThat(verified.exitCode()).as(verified.err()).isZero();
            assertThat(verified.json().get("anchored").asBoolean()).isTrue();
            assertThat(verified.json().get("anchored_seq").asLong()).isEqualTo(anchored);
        }

        @Test
        @DisplayName("with --artifacts the bytes go there, not to the server")
        void explicitArtifacts(@TempDir Path local) throws Exception {
            Path f = Files.writeString(local.resolve("m.bin"), "kept locally");
            String digest = TestServer.sha256(Files.readAllBytes(f));
            TestServer.Result r = run(Map.of("MLOPS_TOKEN", TestServer.TOKEN), "models", "register", "local-bytes",
                    "--file", f.toString(), "--store", url, "--artifacts", "file:" + local.resolve("artifacts"),
                    "--json");
            assertThat(r.exitCode()).as(r.err()).isZero();
            assertThat(server.artifacts.stat(digest)).isEmpty();
            try (LocalArtifactStore there = new LocalArtifactStore(local.resolve("artifacts"))) {
                assertThat(there.stat(digest)).isPresent();
            }
            assertThat(server.backend.getModelVersion("local-bytes", 1).orElseThrow().digest()).isEqualTo(digest);
        }

        @Test
        @DisplayName("MLOPS_STORE_URI may name the server instead of --store")
        void storeFromEnvironment() {
            TestServer.Result r = run(Map.of("MLOPS_TOKEN", TestServer.TOKEN, "MLOPS_STORE_URI", url), "models",
                    "list", "--json");
            assertThat(r.exitCode()).as(r.err()).isZero();
            assertThat(r.json().findValuesAsText("name")).contains(MODEL);
        }
    }

    @Nested
    @DisplayName("commands that need no store")
    class Local {
        @Test
        @DisplayName("profile and drift work with --store naming the server (they read and write files only)")
        void profileAndDrift(@TempDir Path local) throws Exception {
            Path ref = Files.writeString(local.resolve("ref.csv"), "x,c\n1,a\n2,b\n3,a\n4,b\n5,a\n6,b\n");
            Path cur = Files.writeString(local.resolve("cur.csv"), "x,c\n11,a\n12,a\n13,a\n14,a\n15,a\n16,a\n");
            Path profile = local.resolve("p.json");
            TestServer.Result p = remote("profile", ref.toString(), "--out", profile.toString(), "--json");
            assertThat(p.exitCode()).as(p.err()).isZero();
            assertThat(Files.exists(profile)).isTrue();
            TestServer.Result d = remote("drift", "--reference", ref.toString(), "--current", cur.toString(),
                    "--format", "json");
            assertThat(d.exitCode()).as(d.err()).isZero();
            assertThat(d.json().get("reference_rows").asInt()).isEqualTo(6);
            assertThat(d.json().get("current_rows").asInt()).isEqualTo(6);
        }
    }

    @Nested
    @DisplayName("failures")
    class Failures {
        @Test
        @DisplayName("a server that is not running: exit 5, a message naming its URL, no stack trace; the CLI"
                + " spools nothing (a writing command too)")
        void serverDown() throws Exception {
            int port;
            try (ServerSocket socket = new ServerSocket(0)) {
                port = socket.getLocalPort();
            }
            String down = "http://127.0.0.1:" + port;
            Path spoolBase = dir.resolve("spool-down");
            for (String[] command : List.of(new String[] {"runs", "list"}, new String[] {"quickstart", "--data-dir",
                    dir.resolve("qs-down").toString()}, new String[] {"models", "versions", MODEL})) {
                TestServer.Result r = run(Map.of("MLOPS_TOKEN", TestServer.TOKEN, "MLOPS_SPOOL_DIR",
                        spoolBase.toString()), TestServer.with(command, "--store", down));
                assertThat(r.exitCode()).as(r.err()).isEqualTo(5);
                assertThat(r.err()).contains("cannot reach the server at " + down, "is it running?");
                r.assertNoStackTrace();
            }
            assertThat(spoolBase).as("the CLI talks to the server without the telemetry spool").doesNotExist();
            TestServer.Result json = run(Map.of(), "datasets", "list", "--store", down, "--json");
            assertThat(json.exitCode()).isEqualTo(5);
            assertThat(json.json().get("error_code").asText()).isEqualTo("STORAGE");
            assertThat(json.json().get("message").asText()).contains(down);
        }

        @Test
        @DisplayName("a server without an artifact store: models register fails with exit 5 saying so; metadata"
                + " commands work")
        void serverWithoutArtifacts(@TempDir Path local) throws Exception {
            try (InMemoryStore memory = new InMemoryStore();
                    MlopsServer bare = MlopsServer.builder().store(memory).port(0).build().start()) {
                String bareUrl = bare.uri().toString();
                Path f = Files.writeString(local.resolve("m.bin"), "no place for me");
                TestServer.Result r = run(Map.of(), "models", "register", "m", "--file", f.toString(), "--store",
                        bareUrl);
                assertThat(r.exitCode()).as(r.err()).isEqualTo(5);
                assertThat(r.err()).contains("the server at " + bareUrl + " stores no artifacts",
                        "--artifacts");
                r.assertNoStackTrace();
                TestServer.Result list = run(Map.of(), "models", "list", "--store", bareUrl, "--json");
                assertThat(list.exitCode()).as(list.err()).isZero();
            }
        }

        @Test
        @DisplayName("user information in the store URI is never shown in a message")
        void credentialsInUriNotShown() throws Exception {
            int port;
            try (ServerSocket socket = new ServerSocket(0)) {
                port = socket.getLocalPort();
            }
            TestServer.Result r = run(Map.of(), "runs", "list", "--store", "http://bob:s3cret@127.0.0.1:" + port,
                    "--json");
            assertThat(r.exitCode()).isEqualTo(5);
            assertThat(r.err()).contains("cannot reach the server at http://127.0.0.1:" + port)
                    .doesNotContain("s3cret");
            assertThat(r.out()).doesNotContain("s3cret");
        }

        @Test
        @DisplayName("a token that cannot be sent (white space inside) is a usage error naming MLOPS_TOKEN, exit 2")
        void malformedToken() {
            TestServer.Result r = run(Map.of("MLOPS_TOKEN", "two words"), "runs", "list", "--store", url, "--json");
            assertThat(r.exitCode()).isEqualTo(2);
            assertThat(r.json().get("field").asText()).isEqualTo("MLOPS_TOKEN");
            assertThat(r.err()).contains("MLOPS_TOKEN").doesNotContain("two words");
        }

        @Test
        @DisplayName("an http URI that is not a URL is a usage error naming --store")
        void badUrl() {
            TestServer.Result r = run(Map.of(), "runs", "list", "--store", "http://", "--json");
            assertThat(r.exitCode()).isEqualTo(2);
            assertThat(r.json().get("field").asText()).isEqualTo("store");
            r.assertNoStackTrace();
        }
    }
}
