package dev.mlops.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("The mlops command")
class CliTest {

    static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
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
        @DisplayName("the summary names the training dataset by the SHA-256 of train.csv")
        void summaryDigestMatchesFile() throws Exception {
            Path train = dir.resolve("qs").resolve("train.csv");
            assertThat(summary.at("/training_dataset/path").asText()).isEqualTo(train.toAbsolutePath().toString());
            assertThat(summary.at("/training_dataset/version").asText()).isEqualTo("sha256:" + sha256(train));
            assertThat(summary.at("/training_dataset/rows").asLong()).isEqualTo(731);
            assertThat(summary.at("/audit/ok").asBoolean()).isTrue();
            assertThat(summary.at("/audit/events").asLong()).isPositive();
            assertThat(summary.at("/run/status").asText()).isEqualTo("COMPLETED");
            double accuracy = summary.at("/run/metrics/train_accuracy").asDouble();
            assertThat(accuracy).isBetween(0.5, 1.0);
        }

        @Test
        @DisplayName("the run from runs list has the training dataset upstream")
        void lineageUpstreamOfRunContainsDataset() throws Exception {
            JsonNode runs = cli.run("runs", "list", "--json").json();
            // the training run, and one run per retrain of the replay
            assertThat(runs.size()).isEqualTo(1 + summary.at("/retraining/retrains").asInt());
            runs.forEach(run -> assertThat(run.get("status").asText()).isEqualTo("COMPLETED"));
            String runId = summary.at("/run/id").asText();
            assertThat(runs.findValuesAsText("id")).contains(runId);

            CliRunner.Result r = cli.run("lineage", "run:" + runId, "--upstream", "--json");
            assertThat(r.exitCode()).as(r.err()).isZero();
            JsonNode graph = r.json();
            String datasetId = "dataset:seattle-weather-train@sha256:" + sha256(dir.resolve("qs").resolve("train.csv"));
            List<String> ids = new ArrayList<>();
            graph.get("nodes").forEach(n -> ids.add(n.get("id").asText()));
            assertThat(ids).contains(datasetId, "run:" + runId);
            assertThat(graph.get("root").asText()).isEqualTo("run:" + runId);
            assertThat(graph.get("edges").get(0).get("from").asText()).isEqualTo(datasetId);
            assertThat(graph.get("edges").get(0).get("kind").asText()).isEqualTo("input");
        }

        @Test
        @DisplayName("lineage renders as DOT and Mermaid")
        void lineageFormats() {
            String runId = summary.at("/run/id").asText();
            assertThat(cli.run("lineage", "run:" + runId, "--format", "dot").out()).startsWith("digraph");
            assertThat(cli.run("lineage", "run:" + runId, "--format", "mermaid").out()).startsWith("flowchart");
        }

        @Test
        @DisplayName("export-openlineage writes START and COMPLETE events that validate against the official schema")
        void openLineageExport() throws Exception {
            Path events = dir.resolve("events.jsonl");
            CliRunner.Result r = cli.run("lineage", "export-openlineage", "--out", events.toString(), "--json");
            assertThat(r.exitCode()).as(r.err()).isZero();
            List<String> lines = Files.readAllLines(events, StandardCharsets.UTF_8);
            int runs = 1 + summary.at("/retraining/retrains").asInt();
            assertThat(lines).hasSize(2 * runs);
            assertThat(r.json().get("events").asLong()).isEqualTo(2L * runs);
            com.fasterxml.jackson.databind.ObjectMapper mapper = new com.fasterxml.jackson.databind.ObjectMapper();
            List<String> types = new ArrayList<>();
            for (String line : lines) {
                JsonNode event = mapper.readTree(line);
                types.add(event.get("eventType").asText());
                assertThat(dev.mlops.internal.lineage.OpenLineageSchemas.validateEvent(event)).as(line).isEmpty();
                dev.mlops.internal.lineage.OpenLineageSchemas.facets(event).forEach((key, facet) ->
                        assertThat(dev.mlops.internal.lineage.OpenLineageSchemas.validateFacet(
                                key.substring(key.lastIndexOf('/') + 1), facet)).as(key).isEmpty());
            }
            assertThat(types).containsOnly("START", "COMPLETE");
            assertThat(types.stream().filter("START"::equals).count()).isEqualTo(runs);
            JsonNode complete = null;
            for (String line : lines) {
                JsonNode event = mapper.readTree(line);
                if (event.at("/eventType").asText().equals("COMPLETE")
                        && event.at("/run/runId").asText().equals(summary.at("/run/id").asText())) {
                    complete = event;
                }
            }
            assertThat(complete).as("the training run's COMPLETE event").isNotNull();
            assertThat(complete.at("/inputs/0/facets/version/datasetVersion").asText())
                    .isEqualTo(summary.at("/training_dataset/version").asText());
            assertThat(complete.at("/inputs/0/facets/schema/fields").size()).isEqualTo(6);
        }

        @Test
        @DisplayName("audit verify passes, and an export verifies offline")
        void auditVerify() {
            CliRunner.Result r = cli.run("audit", "verify", "--json");
            assertThat(r.exitCode()).as(r.err()).isZero();
            assertThat(r.json().get("ok").asBoolean()).isTrue();
            assertThat(r.json().get("head").asText()).matches("[0-9a-f]{64}");
            Path export = dir.resolve("audit.jsonl");
            assertThat(cli.run("audit", "export", "--out", export.toString()).exitCode()).isZero();
            CliRunner.Result offline = CliRunner.raw("audit", "verify", "--file", export.toString(), "--json");
            assertThat(offline.exitCode()).as(offline.err()).isZero();
            assertThat(offline.json().get("events").asLong()).isEqualTo(r.json().get("events").asLong());
        }

        @Test
        @DisplayName("a changed, a deleted or two swapped lines of an export fail verification at the first bad seq")
        void tamperedExportsFail() throws Exception {
            Path export = dir.resolve("tamper-src.jsonl");
            assertThat(cli.run("audit", "export", "--out", export.toString()).exitCode()).isZero();
            List<String> lines = Files.readAllLines(export, StandardCharsets.UTF_8);
            assertThat(lines.size()).isGreaterThanOrEqualTo(5);

            List<String> changed = new ArrayList<>(lines);
            changed.set(2, changed.get(2).replaceFirst("\"actor\":\"[^\"]*\"", "\"actor\":\"mallory\""));
            assertThat(changed.get(2)).isNotEqualTo(lines.get(2));
            assertBad(changed, 3);

            List<String> deleted = new ArrayList<>(lines);
            deleted.remove(1);
            assertBad(deleted, 2);

            List<String> swapped = new ArrayList<>(lines);
            Collections.swap(swapped, 2, 3);
            assertBad(swapped, 3);
        }

        private void assertBad(List<String> lines, long firstBadSeq) throws Exception {
            Path file = Files.createTempFile(dir, "tampered", ".jsonl");
            Files.write(file, lines, StandardCharsets.UTF_8);
            CliRunner.Result r = CliRunner.raw("audit", "verify", "--file", file.toString(), "--json");
            assertThat(r.exitCode()).as(r.out() + r.err()).isEqualTo(1);
            assertThat(r.json().get("ok").asBoolean()).isFalse();
            assertThat(r.json().get("first_bad_seq").asLong()).isEqualTo(firstBadSeq);
            assertThat(r.json().get("reason").asText()).isNotBlank();
        }
    }

    @Nested
    @DisplayName("quickstart run twice on one store")
    class QuickstartTwice {
        @TempDir
        Path dir;

        @Test
        @DisplayName("adds a run, a metric history and a model version but no second dataset version for the same"
                + " bytes; production moves only through the gate")
        void quickstartTwice() {
            CliRunner cli = new CliRunner(dir);
            CliRunner.Result first = cli.run("quickstart", "--data-dir", dir.resolve("qs").toString(), "--json");
            assertThat(first.exitCode()).as(first.err()).isZero();
            assertThat(first.json().at("/training_dataset/created").asBoolean()).isTrue();
            int datasetsAfterFirst = cli.run("datasets", "list", "--name", "seattle-weather-train", "--json").json()
                    .size();
            CliRunner.Result again = cli.run("quickstart", "--data-dir", dir.resolve("qs").toString(), "--json");
            assertThat(again.exitCode()).as(again.err()).isZero();
            assertThat(again.json().at("/training_dataset/created").asBoolean()).isFalse();
            assertThat(again.json().at("/training_dataset/version").asText())
                    .isEqualTo(first.json().at("/training_dataset/version").asText());
            assertThat(again.json().at("/run/id").asText()).isNotEqualTo(first.json().at("/run/id").asText());
            assertThat(again.json().at("/audit/events").asLong()).isGreaterThan(first.json().at("/audit/events").asLong());
            JsonNode versions = cli.run("datasets", "list", "--name", "seattle-weather-train", "--json").json();
            assertThat(versions.size()).as("the same bytes again: no new dataset version").isEqualTo(
                    datasetsAfterFirst);
            // the policy's state carried over: every window was decided by the first run, so nothing retrains again
            assertThat(again.json().at("/retraining/retrains").asInt()).isZero();
            assertThat(cli.run("runs", "list", "--json").json().size()).isEqualTo(
                    2 + first.json().at("/retraining/retrains").asInt() + again.json().at("/retraining/retrains")
                            .asInt());
            // a new model version, one more than the first run left
            int newVersion = again.json().at("/model/registered_version").asInt();
            assertThat(newVersion).isEqualTo(first.json().at("/model/versions").size() + 1);
            assertThat(again.json().at("/model/took_production").asBoolean()).isFalse();
            // production moved to it only if its gate promoted it
            JsonNode gate = again.json().at("/promotions/0");
            assertThat(again.json().at("/promotions").size()).isEqualTo(1);
            assertThat(gate.get("candidate").asInt()).isEqualTo(newVersion);
            assertThat(gate.get("champion").asInt()).isEqualTo(first.json().at("/model/production").asInt());
            assertThat(again.json().at("/model/production").asInt()).isEqualTo(gate.get("promoted").asBoolean()
                    ? newVersion : first.json().at("/model/production").asInt());
            assertThat(cli.run("audit", "verify").exitCode()).isZero();
        }
    }

    @Nested
    @DisplayName("signed audit checkpoints")
    class Checkpoints {
        @TempDir
        Path dir;

        @Test
        @DisplayName("anchor the chain, so that a dropped tail is caught with the public key and missed without it")
        void droppedTailIsCaught() throws Exception {
            CliRunner cli = new CliRunner(dir);
            assertThat(cli.run("quickstart", "--data-dir", dir.resolve("qs").toString()).exitCode()).isZero();
            Path priv = dir.resolve("audit.key");
            Path pub = dir.resolve("audit.pub");
            Path cps = dir.resolve("checkpoints.jsonl");
            assertThat(cli.run("audit", "keygen", "--private", priv.toString(), "--public", pub.toString()).exitCode())
                    .isZero();
            assertThat(cli.run("audit", "keygen", "--private", priv.toString(), "--public", pub.toString()).exitCode())
                    .as("never overwrites a key").isEqualTo(2);
            JsonNode cp = cli.run("audit", "checkpoint", "--key", priv.toString(), "--out", cps.toString(), "--json").json();
            long anchored = cp.get("seq").asLong();

            JsonNode verified = cli.run("audit", "verify", "--public-key", pub.toString(), "--json").json();
            assertThat(verified.get("ok").asBoolean()).isTrue();
            assertThat(verified.get("anchored").asBoolean()).isTrue();
            assertThat(verified.get("anchored_seq").asLong()).isEqualTo(anchored);

            Path export = dir.resolve("audit.jsonl");
            assertThat(cli.run("audit", "export", "--out", export.toString()).exitCode()).isZero();
            List<String> lines = Files.readAllLines(export, StandardCharsets.UTF_8);
            Path truncated = dir.resolve("truncated.jsonl");
            Files.write(truncated, lines.subList(0, (int) anchored - 2), StandardCharsets.UTF_8);

            CliRunner.Result without = CliRunner.raw("audit", "verify", "--file", truncated.toString(), "--json");
            assertThat(without.exitCode()).isZero();
            assertThat(without.json().get("anchored").asBoolean()).isFalse();

            CliRunner.Result with = CliRunner.raw("audit", "verify", "--file", truncated.toString(), "--public-key",
                    pub.toString(), "--checkpoints", cps.toString(), "--json");
            assertThat(with.exitCode()).isEqualTo(1);
            assertThat(with.json().get("reason").asText()).contains("truncated");
            assertThat(with.json().get("first_bad_seq").asLong()).isEqualTo(anchored - 1);
        }
    }

    @Nested
    @DisplayName("datasets add")
    class DatasetsAdd {
        @TempDir
        Path dir;

        @Test
        @DisplayName("reports the sha256sum digest, rows and columns, then created false the second time")
        void addTwice() throws Exception {
            CliRunner cli = new CliRunner(dir);
            Path csv = dir.resolve("d.csv");
            Files.writeString(csv, "a,b,when\n1,x,2024-01-01\n2,y,2024-01-02\n3,x,2024-01-03\n");
            CliRunner.Result first = cli.run("datasets", "add", csv.toString(), "--name", "d", "--json");
            assertThat(first.exitCode()).as(first.err()).isZero();
            JsonNode doc = first.json();
            assertThat(doc.get("version").asText()).isEqualTo("sha256:" + sha256(csv));
            assertThat(doc.get("created").asBoolean()).isTrue();
            assertThat(doc.get("rows").asLong()).isEqualTo(3);
            assertThat(doc.get("columns").get(0).get("name").asText()).isEqualTo("a");
            assertThat(doc.get("columns").get(0).get("type").asText()).isEqualTo("numeric");
            assertThat(doc.get("columns").get(2).get("type").asText()).isEqualTo("datetime");
            CliRunner.Result second = cli.run("datasets", "add", csv.toString(), "--name", "d", "--json");
            assertThat(second.json().get("created").asBoolean()).isFalse();
            assertThat(second.json().get("version").asText()).isEqualTo(doc.get("version").asText());
        }

        @Test
        @DisplayName("a binary file gets null rows and columns")
        void binary() throws Exception {
            Path bin = dir.resolve("blob.bin");
            Files.write(bin, new byte[] {0, 1, 2, 3});
            JsonNode doc = new CliRunner(dir).run("datasets", "add", bin.toString(), "--name", "blob", "--json").json();
            assertThat(doc.get("rows").isNull()).isTrue();
            assertThat(doc.get("columns").isNull()).isTrue();
        }

        @Test
        @DisplayName("a CSV row with the wrong number of fields is a usage error naming the line, and nothing is stored")
        void badCsv() throws Exception {
            CliRunner cli = new CliRunner(dir);
            Path csv = dir.resolve("bad.csv");
            Files.writeString(csv, "a,b\n1,2\n3\n");
            CliRunner.Result r = cli.run("datasets", "add", csv.toString(), "--name", "bad");
            assertThat(r.exitCode()).isEqualTo(2);
            assertThat(r.err()).contains("line 3").doesNotContain("Exception");
            assertThat(cli.run("datasets", "list", "--json").json().size()).isZero();
        }

        @Test
        @DisplayName("a missing file and an invalid name are usage errors")
        void missingFileAndBadName() throws Exception {
            CliRunner cli = new CliRunner(dir);
            CliRunner.Result missing = cli.run("datasets", "add", dir.resolve("nope.csv").toString(), "--name", "x");
            assertThat(missing.exitCode()).isEqualTo(2);
            assertThat(missing.err()).contains("nope.csv");
            Path csv = dir.resolve("ok.csv");
            Files.writeString(csv, "a\n1\n");
            CliRunner.Result badName = cli.run("datasets", "add", csv.toString(), "--name", "bad\u0001name", "--json");
            assertThat(badName.exitCode()).isEqualTo(2);
            assertThat(badName.json().get("error_code").asText()).isEqualTo("INVALID_ARGUMENT");
        }
    }

    @Nested
    @DisplayName("errors")
    class Errors {
        @TempDir
        Path dir;

        @Test
        @DisplayName("an unknown store scheme is a usage error that lists the known schemes")
        void unknownScheme() {
            CliRunner.Result r = CliRunner.raw("runs", "list", "--store", "nosuch:thing");
            assertThat(r.exitCode()).isEqualTo(2);
            assertThat(r.err()).contains("nosuch").contains("memory").contains("sqlite").doesNotContain("at dev.");
        }

        @Test
        @DisplayName("an unknown run id is not found (exit 3)")
        void unknownRun() {
            CliRunner.Result r = new CliRunner(dir).run("runs", "show", "0190aaaa-0000-7000-8000-000000000000", "--json");
            assertThat(r.exitCode()).isEqualTo(3);
            assertThat(r.json().get("error_code").asText()).isEqualTo("NOT_FOUND");
        }

        @Test
        @DisplayName("a malformed lineage node is a usage error")
        void badNode() {
            CliRunner.Result r = new CliRunner(dir).run("lineage", "dataset:nodigest");
            assertThat(r.exitCode()).isEqualTo(2);
            assertThat(r.err()).contains("dataset:nodigest");
        }

        @org.junit.jupiter.params.ParameterizedTest
        @org.junit.jupiter.params.provider.ValueSource(strings = {"quickstart", "datasets", "datasets add",
                "datasets list", "runs", "runs list", "runs show", "lineage", "lineage export-openlineage", "audit",
                "audit verify", "audit export", "audit keygen", "audit checkpoint", "models", "models list",
                "models show", "models versions", "models register", "models alias", "models alias set",
                "models alias delete", "models approve", "models reject", "models govern", "drift", "profile",
                "profile merge"})
        @DisplayName("every command answers --help with its usage and exit 0")
        void help(String command) {
            List<String> args = new ArrayList<>(List.of(command.split(" ")));
            args.add("--help");
            CliRunner.Result r = CliRunner.raw(args.toArray(String[]::new));
            assertThat(r.exitCode()).as(r.err()).isZero();
            assertThat(r.out()).contains("Usage: mlops " + command);
        }

        @Test
        @DisplayName("reading commands on a store file that does not exist are not found, and create nothing")
        void missingStore() {
            Path db = dir.resolve("typo").resolve("mlops.db");
            for (String[] command : List.of(new String[] {"runs", "list"}, new String[] {"audit", "verify"},
                    new String[] {"datasets", "list"}, new String[] {"lineage", "run:x"})) {
                List<String> args = new ArrayList<>(List.of(command));
                args.addAll(List.of("--store", "sqlite:" + db, "--json"));
                CliRunner.Result r = CliRunner.raw(args.toArray(String[]::new));
                assertThat(r.exitCode()).as(String.join(" ", command)).isEqualTo(3);
                assertThat(r.json().get("error_code").asText()).isEqualTo("NOT_FOUND");
            }
            assertThat(Files.exists(db.getParent())).isFalse();
        }

        @Test
        @DisplayName("lineage of a run that does not exist is not found (exit 3)")
        void unknownLineageRoot() {
            CliRunner cli = new CliRunner(dir);
            assertThat(cli.run("quickstart", "--data-dir", dir.resolve("qs").toString()).exitCode()).isZero();
            CliRunner.Result r = cli.run("lineage", "run:0190aaaa-0000-7000-8000-000000000000", "--json");
            assertThat(r.exitCode()).isEqualTo(3);
            assertThat(r.json().get("message").asText()).contains("0190aaaa");
        }

        @Test
        @DisplayName("--out into a directory that does not exist is a usage error and writes nothing")
        void outIntoMissingDirectory() {
            CliRunner cli = new CliRunner(dir);
            assertThat(cli.run("quickstart", "--data-dir", dir.resolve("qs").toString()).exitCode()).isZero();
            Path out = dir.resolve("nope").resolve("audit.jsonl");
            CliRunner.Result r = cli.run("audit", "export", "--out", out.toString());
            assertThat(r.exitCode()).isEqualTo(2);
            assertThat(r.err()).contains("--out").contains("does not exist");
            assertThat(Files.exists(out.getParent())).isFalse();
        }

        @Test
        @DisplayName("an unknown option is a usage error")
        void unknownOption() {
            assertThat(CliRunner.raw("runs", "list", "--frobnicate").exitCode()).isEqualTo(2);
        }
    }
}
