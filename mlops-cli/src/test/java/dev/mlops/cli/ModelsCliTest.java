package dev.mlops.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.time.YearMonth;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("mlops models")
class ModelsCliTest {

    static List<Integer> ints(JsonNode array) {
        List<Integer> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asInt()));
        return out;
    }

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    @DisplayName("after quickstart on a fresh SQLite store")
    class AfterQuickstart {
        Path dir;
        CliRunner cli;
        JsonNode summary;

        @BeforeAll
        void quickstart(@TempDir Path tempDir) {
            dir = tempDir;
            cli = new CliRunner(dir);
            CliRunner.Result r = cli.run("quickstart", "--data-dir", dir.resolve("qs").toString(), "--json");
            assertThat(r.exitCode()).as(r.err()).isZero();
            summary = r.json();
        }

        @Test
        @DisplayName("models versions lists version 1 READY and APPROVED with the file's digest, and production on"
                + " the approved version the summary names")
        void versions() throws Exception {
            CliRunner.Result r = cli.run("models", "versions", "seattle-rain-classifier", "--json");
            assertThat(r.exitCode()).as(r.err()).isZero();
            JsonNode versions = r.json();
            int retrains = summary.at("/retraining/retrains").asInt();
            assertThat(versions).hasSize(1 + retrains);
            assertThat(summary.get("model").get("versions").toString()).isEqualTo(versions.findValuesAsText("version")
                    .toString().replace(" ", ""));
            JsonNode v = versions.get(0);
            assertThat(v.get("version").asInt()).isEqualTo(1);
            assertThat(v.get("status").asText()).isEqualTo("READY");
            assertThat(v.get("approval").asText()).isEqualTo("APPROVED");
            int production = summary.get("model").get("production").asInt();
            for (JsonNode version : versions) {
                boolean isProduction = version.get("version").asInt() == production;
                assertThat(version.get("aliases").toString()).isEqualTo(isProduction ? "[\"production\"]" : "[]");
                if (isProduction) {
                    assertThat(version.get("approval").asText()).isEqualTo("APPROVED");
                }
            }
            byte[] model = Files.readAllBytes(dir.resolve("qs").resolve("model.json"));
            String digest = "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(model));
            assertThat(v.get("digest").asText()).isEqualTo(digest);
            assertThat(v.get("run_id").asText()).isEqualTo(summary.get("run").get("id").asText());
        }

        @Test
        @DisplayName("lineage of model:NAME@production upstream reaches the training dataset")
        void lineage() {
            CliRunner.Result r = cli.run("lineage", "model:seattle-rain-classifier@production", "--upstream",
                    "--json");
            assertThat(r.exitCode()).as(r.err()).isZero();
            JsonNode graph = r.json();
            int production = summary.get("model").get("production").asInt();
            assertThat(graph.get("root").asText()).isEqualTo("model:seattle-rain-classifier/" + production);
            List<String> ids = graph.get("nodes").findValuesAsText("id");
            assertThat(ids).anyMatch(id -> id.startsWith("dataset:seattle-weather-train@sha256:"));
            assertThat(ids).anyMatch(id -> id.startsWith("run:"));
            if (production == 1) {
                assertThat(ids).contains("dataset:seattle-weather-train@" + summary.get("training_dataset")
                        .get("version").asText(), "run:" + summary.get("run").get("id").asText());
            }
        }

        @Test
        @DisplayName("models show includes the governance record, models list the model and its alias")
        void showAndList() {
            JsonNode show = cli.run("models", "show", "seattle-rain-classifier", "--json").json();
            assertThat(show.get("governance").get("business_owner").asText()).isNotBlank();
            assertThat(show.get("governance").get("approver_role").asText()).isEqualTo("model-approver");
            assertThat(show.get("aliases").get("production").asInt())
                    .isEqualTo(summary.at("/model/production").asInt());
            JsonNode list = cli.run("models", "list", "--json").json();
            assertThat(list.findValuesAsText("name")).containsExactly("seattle-rain-classifier");
            assertThat(cli.run("audit", "verify", "--json").json().get("ok").asBoolean()).isTrue();
        }
    }

    @Nested
    @DisplayName("register, approve, alias")
    class Workflow {
        @TempDir
        Path dir;

        @Test
        @DisplayName("register prints the new version; a stale --expect-version is a conflict (exit 4)")
        void registerAndMove() throws Exception {
            CliRunner cli = new CliRunner(dir);
            Path f1 = Files.writeString(dir.resolve("m1.bin"), "one");
            Path f2 = Files.writeString(dir.resolve("m2.bin"), "two");
            JsonNode v1 = cli.run("models", "register", "rain", "--file", f1.toString(), "--json").json();
            assertThat(v1.get("version").asInt()).isEqualTo(1);
            assertThat(v1.get("status").asText()).isEqualTo("READY");
            assertThat(cli.run("models", "register", "rain", "--file", f2.toString(), "--json").json()
                    .get("version").asInt()).isEqualTo(2);

            CliRunner.Result set = cli.run("models", "alias", "set", "rain", "shadow", "1", "--json");
            assertThat(set.exitCode()).as(set.err()).isZero();
            CliRunner.Result stale = cli.run("models", "alias", "set", "rain", "shadow", "2", "--expect-version",
                    "2");
            assertThat(stale.exitCode()).isEqualTo(4);
            assertThat(stale.err()).contains("version 1");
            CliRunner.Result moved = cli.run("models", "alias", "set", "rain", "shadow", "2", "--expect-version",
                    "1", "--json");
            assertThat(moved.json().get("previous").asInt()).isEqualTo(1);
            assertThat(moved.json().get("version").asInt()).isEqualTo(2);
        }

        @Test
        @DisplayName("production needs approval and governance; approving twice is a conflict; bad input is exit 2")
        void guarded() throws Exception {
            CliRunner cli = new CliRunner(dir);
            Path f1 = Files.writeString(dir.resolve("m1.bin"), "one");
            cli.run("models", "register", "rain", "--file", f1.toString());
            CliRunner.Result unapproved = cli.run("models", "alias", "set", "rain", "production", "1");
            assertThat(unapproved.exitCode()).isEqualTo(4);
            assertThat(unapproved.err()).contains("APPROVED");
            assertThat(cli.run("models", "approve", "rain", "1", "--reason", "reviewed").exitCode()).isZero();
            assertThat(cli.run("models", "approve", "rain", "1", "--reason", "again").exitCode()).isEqualTo(4);
            assertThat(cli.run("models", "alias", "set", "rain", "production", "1").exitCode()).isEqualTo(4);
            assertThat(cli.run("models", "govern", "rain", "--business-owner", "weather-team", "--approver-role",
                    "model-approver").exitCode()).isZero();
            assertThat(cli.run("models", "alias", "set", "rain", "production", "1").exitCode()).isZero();

            assertThat(cli.run("models", "alias", "set", "rain", "123", "1").exitCode()).isEqualTo(2);
            assertThat(cli.run("models", "approve", "nope", "1", "--reason", "x").exitCode()).isEqualTo(3);
            assertThat(cli.run("models", "versions", "nope").exitCode()).isEqualTo(3);
            CliRunner.Result badDigest = cli.run("models", "register", "rain", "--file", f1.toString(), "--digest",
                    "sha256:" + "0".repeat(64));
            assertThat(badDigest.exitCode()).isEqualTo(5);
            assertThat(cli.run("models", "versions", "rain", "--json").json()).hasSize(1);
            assertThat(cli.run("audit", "verify").exitCode()).isZero();
        }
    }

    @Test
    @DisplayName("four quickstart processes at once on one SQLite store all succeed, with versions 1..n without gaps,"
            + " one step 2 model per process, each window decided once and each retrain decision retrained exactly"
            + " once")
    void fourQuickstartsAtOnce(@TempDir Path dir) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classpath = System.getProperty("java.class.path");
        String store = "sqlite:" + dir.resolve("mlops.db");
        String artifacts = "file:" + dir.resolve("artifacts");
        List<Process> processes = new ArrayList<>();
        List<Path> logs = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            Path log = dir.resolve("quickstart-" + i + ".log");
            logs.add(log);
            processes.add(new ProcessBuilder(java, "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                    "-cp", classpath, Main.class.getName(), "quickstart", "--store", store, "--artifacts", artifacts,
                    "--data-dir", dir.resolve("qs").toString(), "--json", "--actor", "process-" + i)
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start());
        }
        for (int i = 0; i < processes.size(); i++) {
            Process p = processes.get(i);
            boolean done = p.waitFor(240, TimeUnit.SECONDS);
            if (!done) {
                processes.forEach(Process::destroyForcibly);
            }
            assertThat(done).as("quickstart %d finished in time", i).isTrue();
            assertThat(p.exitValue()).as(Files.readString(logs.get(i), StandardCharsets.UTF_8)).isZero();
        }
        CliRunner cli = new CliRunner(dir);
        JsonNode versions = cli.run("models", "versions", "seattle-rain-classifier", "--json").json();
        int n = versions.size();
        assertThat(n).isGreaterThanOrEqualTo(4);
        assertThat(versions.findValuesAsText("version")).containsExactlyElementsOf(
                IntStream.rangeClosed(1, n).mapToObj(Integer::toString).toList());
        versions.forEach(v -> assertThat(v.get("status").asText()).isEqualTo("READY"));
        assertThat(versions.findValuesAsText("created_by")).contains("process-0", "process-1", "process-2",
                "process-3");
        assertThat(versions.findValuesAsText("created_by")).isSubsetOf("process-0", "process-1", "process-2",
                "process-3");
        try (dev.mlops.Mlops mlops = dev.mlops.Mlops.builder().storeUri(store).artifactUri(artifacts).build()) {
            String policy = dev.mlops.cli.quickstart.ProductionReplay.POLICY;
            String model = "seattle-rain-classifier";
            // the processes share the policy's state: every month decided once
            assertThat(mlops.policies().decisions(policy, model)).hasSize(24);
            // and the requests: one per retrain decision, each completed by one handler call, with one training run
            // and one version
            var retrains = mlops.policies().decisions(policy, model).stream()
                    .filter(dev.mlops.policy.Decision::retrain).toList();
            var requests = mlops.retraining().requests(policy, model);
            assertThat(retrains).isNotEmpty();
            assertThat(requests).hasSameSizeAs(retrains);
            for (var r : requests) {
                assertThat(r.status()).as(r.windowId()).isEqualTo(dev.mlops.policy.RetrainingRequest.Status.COMPLETED);
                assertThat(r.attempt()).as(r.windowId()).isEqualTo(1);
                var tagged = mlops.registry().searchVersions(dev.mlops.registry.VersionQuery.builder()
                        .modelName(model).tag("retraining_decision", r.idempotencyKey()).build(),
                        dev.mlops.PageRequest.first(100)).items();
                assertThat(tagged).as(r.windowId()).hasSize(1);
                assertThat(r.runId()).contains(tagged.get(0).runId());
                assertThat(mlops.tracking().search(dev.mlops.tracking.RunQuery.builder()
                        .tag(dev.mlops.policy.RetrainingRequest.KEY_TAG, r.idempotencyKey()).build(),
                        dev.mlops.PageRequest.first(100)).items()).as(r.windowId()).hasSize(1);
            }
            // the other versions are the step 2 models, trained on 2012-2013: exactly one per process
            assertThat(n - requests.size()).isEqualTo(4);
            var stepTwo = mlops.registry().searchVersions(dev.mlops.registry.VersionQuery.of(model),
                    dev.mlops.PageRequest.first(100)).items().stream()
                    .filter(v -> !v.tags().containsKey("retraining_decision")).toList();
            assertThat(stepTwo).hasSize(4);
            assertThat(stepTwo.stream().map(dev.mlops.registry.ModelVersion::createdBy).toList())
                    .containsExactlyInAnyOrder("process-0", "process-1", "process-2", "process-3");
            stepTwo.forEach(v -> {
                assertThat(v.tags()).as(v.ref()).containsEntry("trained_from", "2012-01-01")
                        .containsEntry("trained_through", "2013-12-31");
                assertThat(v.approval().status()).as(v.ref()).isEqualTo(dev.mlops.registry.ApprovalStatus.APPROVED);
            });
            // each in a training run of its own
            assertThat(stepTwo.stream().map(dev.mlops.registry.ModelVersion::runId).distinct()).hasSize(4);
            // every challenger was gated by one process only: exactly one promotion.decided per gated version (the
            // other processes replayed its verdict); every retrain challenger with a holdout month left was gated
            Map<String, Integer> verdicts = new TreeMap<>();
            long after = 0;
            while (true) {
                var page = mlops.audit().events(after, dev.mlops.PageRequest.first(1000));
                for (var e : page.items()) {
                    after = Math.max(after, e.seq());
                    if (e.action().equals("promotion.decided")) {
                        verdicts.merge(e.subject(), 1, Integer::sum);
                    }
                }
                if (page.items().isEmpty() || page.next().isEmpty()) {
                    break;
                }
            }
            assertThat(verdicts).isNotEmpty();
            verdicts.forEach((subject, count) -> assertThat(count).as(subject + ": promotion.decided events")
                    .isEqualTo(1));
            // a run that meets a request another is carrying out waits for it, so every run follows the one
            // timeline of the bundled data: the retrains of a single run, whichever process made them
            assertThat(requests.stream().map(dev.mlops.policy.RetrainingRequest::windowId).toList())
                    .containsExactly("2014-01", "2014-10", "2014-12", "2015-04", "2015-12");
            for (var r : requests) {
                var challenger = mlops.registry().searchVersions(dev.mlops.registry.VersionQuery.builder()
                        .modelName(model).tag("retraining_decision", r.idempotencyKey()).build(),
                        dev.mlops.PageRequest.first(100)).items().get(0);
                String subject = "model:" + model + "/" + challenger.version();
                // a challenger is gated on the month after its window; one of 2015-12 has none left
                boolean hasHoldout = YearMonth.parse(r.windowId())
                        .isBefore(YearMonth.of(2015, 12));
                assertThat(verdicts.getOrDefault(subject, 0)).as(r.windowId() + " " + subject)
                        .isEqualTo(hasHoldout ? 1 : 0);
            }
        }
        JsonNode datasets = cli.run("datasets", "list", "--json").json();
        assertThat(datasets.findValuesAsText("version")).doesNotHaveDuplicates();
        JsonNode show = cli.run("models", "show", "seattle-rain-classifier", "--json").json();
        int production = show.get("aliases").get("production").asInt();
        assertThat(versions.get(production - 1).get("approval").asText()).isEqualTo("APPROVED");
        assertThat(cli.run("audit", "verify", "--json").json().get("ok").asBoolean()).isTrue();
        assertThat(dir.resolve("qs").toFile().list((d, name) -> name.endsWith(".tmp"))).isEmpty();
        assertThat(new File(dir.toFile(), "qs").exists()).isTrue();
    }
}
