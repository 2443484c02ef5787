package dev.mlops.internal.lineage;

import static dev.mlops.internal.lineage.PipelineFixture.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlops.InvalidArgumentException;
import dev.mlops.NotFoundException;
import dev.mlops.StorageException;
import dev.mlops.tracking.Run;
import dev.mlops.tracking.RunLink;
import dev.mlops.tracking.RunQuery;
import dev.mlops.tracking.RunStatus;
import dev.mlops.PageRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class OpenLineageExportTest {
    static final ObjectMapper MAPPER = new ObjectMapper();
    static final List<String> ALL_RUNS = List.of(NIGHTLY, PREPARE, TRAIN, CHECK, EVALUATE, SCORE, BACKFILL);

    final MapMetadataStore store = PipelineFixture.store();
    final DefaultLineage lineage = PipelineFixture.lineage(store);

    /** Parses an event and checks it against the core schema and each facet against its own schema file. */
    static JsonNode valid(String json) {
        JsonNode event;
        try {
            event = MAPPER.readTree(json);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + json, e);
        }
        assertThat(OpenLineageSchemas.validateEvent(event)).as("core schema problems of %s", json).isEmpty();
        Map<String, JsonNode> facets = OpenLineageSchemas.facets(event);
        facets.forEach((where, facet) -> {
            String key = where.substring(where.lastIndexOf('/') + 1);
            assertThat(OpenLineageSchemas.validateFacet(key, facet)).as("facet %s of %s", where, json).isEmpty();
            assertThat(facet.path("_producer").asText()).isEqualTo(event.path("producer").asText());
        });
        return event;
    }

    List<JsonNode> events(String runId) {
        return lineage.openLineageEvents(runId).stream().map(OpenLineageExportTest::valid).toList();
    }

    static JsonNode byName(JsonNode datasets, String name) {
        return StreamSupport.stream(datasets.spliterator(), false).filter(d -> d.path("name").asText().equals(name))
                .findFirst().orElseThrow(() -> new AssertionError("no dataset " + name + " in " + datasets));
    }

    @Nested
    @DisplayName("the events of a run")
    class Events {
        @Test
        @DisplayName("a completed run has START at its start time and COMPLETE at its end time")
        void completed() {
            List<JsonNode> ev = events(NIGHTLY);

            assertThat(ev).hasSize(2);
            assertThat(ev.get(0).path("eventType").asText()).isEqualTo("START");
            assertThat(ev.get(0).path("eventTime").asText()).isEqualTo("2024-05-01T08:00:00Z");
            assertThat(ev.get(1).path("eventType").asText()).isEqualTo("COMPLETE");
            assertThat(ev.get(1).path("eventTime").asText()).isEqualTo("2024-05-01T09:00:00Z");
            for (JsonNode e : ev) {
                assertThat(e.path("run").path("runId").asText()).isEqualTo(NIGHTLY);
                assertThat(e.path("job").path("namespace").asText()).isEqualTo("mlops");
                assertThat(e.path("job").path("name").asText()).isEqualTo("nightly-pipeline");
                assertThat(e.path("schemaURL").asText())
                        .isEqualTo("https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent");
                assertThat(e.path("run").has("facets")).isFalse(); // no parent, no error
                JsonNode code = e.path("job").path("facets").path("sourceCodeLocation");
                assertThat(code.path("type").asText()).isEqualTo("git");
                assertThat(code.path("url").asText()).isEqualTo("https://github.com/acme/churn.git");
                assertThat(code.path("version").asText()).isEqualTo(COMMIT);
                assertThat(code.path("branch").asText()).isEqualTo("main");
                JsonNode type = e.path("job").path("facets").path("jobType");
                assertThat(type.path("processingType").asText()).isEqualTo("BATCH");
                assertThat(type.path("integration").asText()).isEqualTo("MLOPS");
                assertThat(type.path("jobType").asText()).isEqualTo("JOB");
            }
        }

        @Test
        @DisplayName("the producer names this library and its version")
        void producer() throws IOException {
            Properties p = new Properties();
            try (InputStream in = getClass().getResourceAsStream("/dev/mlops/version.properties")) {
                p.load(in);
            }
            String version = p.getProperty("version");
            assertThat(version).matches("[0-9][0-9A-Za-z.+-]*");
            assertThat(events(NIGHTLY).get(0).path("producer").asText())
                    .isEqualTo("https://github.com/mlops-jvm/mlops/tree/" + version);
        }

        @Test
        @DisplayName("inputs and outputs carry location, schema, version and symlink facets")
        void datasets() {
            List<JsonNode> ev = events(PREPARE);
            assertThat(ev).extracting(e -> e.path("eventType").asText()).containsExactly("START", "COMPLETE");
            for (JsonNode e : ev) {
                JsonNode inputs = e.path("inputs");
                assertThat(inputs).hasSize(2);
                JsonNode a = inputs.get(0);
                assertThat(a.path("namespace").asText()).isEqualTo("file");
                assertThat(a.path("name").asText()).isEqualTo("/data/raw/a.csv");
                assertThat(a.path("facets").path("schema").path("fields").toString()).isEqualTo(
                        "[{\"name\":\"id\",\"type\":\"IDENTIFIER\"},{\"name\":\"amount\",\"type\":\"NUMERIC\"},"
                                + "{\"name\":\"country\",\"type\":\"CATEGORICAL\"}]");
                assertThat(a.path("facets").path("version").path("datasetVersion").asText())
                        .isEqualTo(RAW_A.version());
                assertThat(a.path("facets").path("symlinks").path("identifiers").toString())
                        .isEqualTo("[{\"namespace\":\"mlops\",\"name\":\"dataset:raw-a\",\"type\":\"DATASET\"}]");
                JsonNode b = inputs.get(1);
                assertThat(b.path("namespace").asText()).isEqualTo("s3://lake");
                assertThat(b.path("name").asText()).isEqualTo("raw/b.parquet");
                assertThat(b.path("facets").has("schema")).isFalse();
                assertThat(b.path("facets").path("version").path("datasetVersion").asText())
                        .isEqualTo(RAW_B.version());

                JsonNode out = e.path("outputs").get(0);
                assertThat(e.path("outputs")).hasSize(1);
                assertThat(out.path("namespace").asText()).isEqualTo("file");
                assertThat(out.path("name").asText()).isEqualTo("/data/features v2.csv");
                assertThat(out.path("facets").path("schema").path("fields")).hasSize(2);

                JsonNode code = e.path("job").path("facets").path("sourceCodeLocation");
                assertThat(code.path("url").asText()).isEqualTo("ssh://git@github.com/acme/churn.git");
                assertThat(code.path("repoUrl").asText()).isEqualTo("git@github.com:acme/churn.git");
                assertThat(code.has("branch")).isFalse();
            }
        }

        @Test
        @DisplayName("artifacts and model versions are datasets in the mlops namespace with a version facet")
        void artifactsAndModels() {
            JsonNode complete = events(TRAIN).get(1);
            JsonNode outputs = complete.path("outputs");
            assertThat(outputs).hasSize(2);
            JsonNode weights = byName(outputs, "artifact:weights.bin");
            assertThat(weights.path("namespace").asText()).isEqualTo("mlops");
            assertThat(weights.path("facets").path("version").path("datasetVersion").asText())
                    .isEqualTo(WEIGHTS.version());
            JsonNode model = byName(outputs, "model:churn");
            assertThat(model.path("namespace").asText()).isEqualTo("mlops");
            assertThat(model.path("facets").path("version").path("datasetVersion").asText()).isEqualTo("1");
            assertThat(model.path("facets").size()).isEqualTo(1);
            assertThat(complete.path("job").path("facets").has("sourceCodeLocation")).isFalse();
        }

        @Test
        @DisplayName("a child run names its parent and, for a grandchild, the root of the hierarchy")
        void parents() {
            JsonNode child = events(TRAIN).get(0).path("run").path("facets").path("parent");
            assertThat(child.path("run").path("runId").asText()).isEqualTo(NIGHTLY);
            assertThat(child.path("job").path("name").asText()).isEqualTo("nightly-pipeline");
            assertThat(child.path("job").path("namespace").asText()).isEqualTo("mlops");
            assertThat(child.path("root").path("run").path("runId").asText()).isEqualTo(NIGHTLY);

            JsonNode grandchild = events(CHECK).get(1).path("run").path("facets").path("parent");
            assertThat(grandchild.path("run").path("runId").asText()).isEqualTo(PREPARE);
            assertThat(grandchild.path("job").path("name").asText()).isEqualTo("prepare-features");
            assertThat(grandchild.path("root").path("run").path("runId").asText()).isEqualTo(NIGHTLY);
            assertThat(grandchild.path("root").path("job").path("name").asText()).isEqualTo("nightly-pipeline");
        }

        @Test
        @DisplayName("a failed run whose id is not a UUID gets a derived UUID and its error on the FAIL event only")
        void failed() {
            List<JsonNode> ev = events(EVALUATE);
            assertThat(ev).extracting(e -> e.path("eventType").asText()).containsExactly("START", "FAIL");
            assertThat(ev).allSatisfy(e -> assertThat(e.path("run").path("runId").asText()).isEqualTo(EVALUATE_UUID));
            assertThat(ev.get(0).path("run").has("facets")).isFalse();
            JsonNode error = ev.get(1).path("run").path("facets").path("errorMessage");
            assertThat(error.path("message").asText()).isEqualTo(EVALUATE_ERROR);
            assertThat(error.path("programmingLanguage").asText()).isEqualTo("JAVA");
            assertThat(ev.get(1).path("eventTime").asText()).isEqualTo("2024-05-01T09:15:00Z");
            assertThat(ev.get(1).path("inputs").get(0).path("name").asText()).isEqualTo("model:churn");
        }

        @Test
        @DisplayName("a running run has only its START event")
        void running() {
            List<JsonNode> ev = events(SCORE);
            assertThat(ev).hasSize(1);
            assertThat(ev.get(0).path("eventType").asText()).isEqualTo("START");
        }

        @Test
        @DisplayName("an aborted run ends with ABORT; an unregistered dataset falls back to the mlops namespace")
        void abortedWithUnknownDataset() {
            List<JsonNode> ev = events(BACKFILL);
            assertThat(ev).extracting(e -> e.path("eventType").asText()).containsExactly("START", "ABORT");
            JsonNode ghost = ev.get(1).path("inputs").get(0);
            assertThat(ghost.path("namespace").asText()).isEqualTo("mlops");
            assertThat(ghost.path("name").asText()).isEqualTo("dataset:ghost");
            assertThat(ghost.path("facets").path("version").path("datasetVersion").asText())
                    .isEqualTo(GHOST.version());
            assertThat(ghost.path("facets").has("symlinks")).isFalse();
            assertThat(ev.get(1).path("run").has("facets")).isFalse(); // no error text was stored
        }

        @Test
        @DisplayName("the same store gives the same bytes")
        void deterministic() {
            for (String id : ALL_RUNS) {
                assertThat(lineage.openLineageEvents(id)).isEqualTo(
                        PipelineFixture.lineage(PipelineFixture.store()).openLineageEvents(id));
            }
        }

        @Test
        @DisplayName("a configured namespace names the jobs and the datasets without a location")
        void namespace() {
            DefaultLineage custom = new DefaultLineage(context(store), "acme-ml");
            JsonNode start = valid(custom.openLineageEvents(TRAIN).get(0));
            assertThat(start.path("job").path("namespace").asText()).isEqualTo("acme-ml");
            assertThat(start.path("run").path("facets").path("parent").path("job").path("namespace").asText())
                    .isEqualTo("acme-ml");
            assertThat(byName(start.path("outputs"), "model:churn").path("namespace").asText()).isEqualTo("acme-ml");
            assertThatThrownBy(() -> new DefaultLineage(context(store), " "))
                    .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("namespace");
            assertThatThrownBy(() -> new DefaultLineage(context(store), "a\u0000b"))
                    .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("namespace");
        }

        @Test
        @DisplayName("an unknown run is not found; a blank id is an invalid argument")
        void unknownRun() {
            assertThatThrownBy(() -> lineage.openLineageEvents("no-such-run"))
                    .isInstanceOf(NotFoundException.class).hasMessageContaining("no-such-run");
            assertThatThrownBy(() -> lineage.openLineageEvents(null))
                    .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("runId");
            assertThatThrownBy(() -> lineage.openLineageEvents(""))
                    .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("runId");
        }
    }

    @Nested
    @DisplayName("the export of every run")
    class Export {
        @ParameterizedTest(name = "page cap {0}")
        @ValueSource(ints = {1, 2, 3, 1000})
        @DisplayName("pages through all runs and writes each run's events as JSON Lines, newest run first")
        void exportAll(int pageCap) {
            MapMetadataStore paged = PipelineFixture.store(new MapMetadataStore(pageCap));
            DefaultLineage l = PipelineFixture.lineage(paged);
            ByteArrayOutputStream out = new ByteArrayOutputStream();

            long n = l.exportOpenLineage(out);

            String text = out.toString(StandardCharsets.UTF_8);
            assertThat(text).endsWith("\n");
            List<String> lines = List.of(text.split("\n"));
            assertThat(n).isEqualTo(lines.size()).isEqualTo(13); // 6 ended runs x 2 + 1 running run
            List<String> expected = new ArrayList<>();
            // the order of one uncapped listing: newest start first
            for (Run run : PipelineFixture.store().searchRuns(RunQuery.all(), PageRequest.first(1000)).items()) {
                expected.addAll(l.openLineageEvents(run.id()));
            }
            assertThat(lines).isEqualTo(expected);
            assertThat(paged.searchRuns(RunQuery.all(), PageRequest.first(1000)).next().isPresent())
                    .isEqualTo(pageCap < ALL_RUNS.size());
            lines.forEach(OpenLineageExportTest::valid);
        }

        @Test
        @DisplayName("an empty store writes nothing")
        void empty() {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            assertThat(PipelineFixture.lineage(new MapMetadataStore()).exportOpenLineage(out)).isZero();
            assertThat(out.size()).isZero();
        }

        @Test
        @DisplayName("a failing output stream is reported as a storage failure; a null stream is invalid")
        void failingStream() {
            OutputStream broken = new OutputStream() {
                @Override
                public void write(int b) throws IOException {
                    throw new IOException("disk full");
                }
            };
            assertThatThrownBy(() -> lineage.exportOpenLineage(broken)).isInstanceOf(StorageException.class)
                    .hasMessageContaining("disk full");
            assertThatThrownBy(() -> lineage.exportOpenLineage(null)).isInstanceOf(InvalidArgumentException.class);
        }

        @ParameterizedTest(name = "seed {0}")
        @ValueSource(longs = {3, 17, 2024})
        @DisplayName("random runs with odd names, ids and sources all give valid events")
        void randomRuns(long seed) {
            SplittableRandom random = new SplittableRandom(seed);
            MapMetadataStore s = new MapMetadataStore(7);
            String[] uris = {"file:/tmp/x y.csv", "s3://bucket/k/%C3%A9.csv", "gs://b/p", "hdfs://nn:8020/d/e",
                    "https://user:secret@example.com/data.csv?token=abc", "abfss://c@acct.dfs.core.windows.net/p/q",
                    "urn:isbn:123", "relative/path.csv", "file://server/share/f.csv", "memory:", "::not a uri::"};
            String[] names = {"a\"b", "c\\d", "e\nf", "日本", "x y", "<z>"};
            List<Run> runs = new ArrayList<>();
            for (int i = 0; i < 25; i++) {
                String name = names[random.nextInt(names.length)] + i;
                var ds = dataset(name, uris[random.nextInt(uris.length)], random.nextBoolean() ? null
                        : new dev.mlops.data.DatasetSchema(List.of(new dev.mlops.data.Column("c\"1",
                                dev.mlops.data.ColumnType.NUMERIC))));
                s.put(ds);
                RunStatus status = RunStatus.values()[random.nextInt(4)];
                String id = random.nextBoolean() ? java.util.UUID.randomUUID().toString().toUpperCase()
                        : "run " + names[random.nextInt(names.length)] + i;
                String parent = runs.isEmpty() || random.nextBoolean() ? null
                        : runs.get(random.nextInt(runs.size())).id();
                Run run = run(id, "job " + names[random.nextInt(names.length)], status, i, status.isTerminal()
                        ? i + 1 : -1, status == RunStatus.FAILED ? "boom \"" + i + "\"" : null, parent,
                        List.of(RunLink.input(ds.node()), RunLink.output(PipelineFixture.WEIGHTS)),
                        new dev.mlops.tracking.CodeVersion("c0ffee", "feature/x", true,
                                random.nextBoolean() ? "/srv/git/repo dir" : "not a repo"));
                runs.add(run);
                s.put(run);
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            long n = PipelineFixture.lineage(s).exportOpenLineage(out);
            List<String> lines = List.of(out.toString(StandardCharsets.UTF_8).split("\n"));
            assertThat(lines).hasSize((int) n);
            assertThat(n).isEqualTo(25 + runs.stream().filter(r -> r.status().isTerminal()).count());
            for (String line : lines) {
                JsonNode e = valid(line);
                assertThat(e.path("run").path("runId").asText()).matches("[0-9a-f-]{36}");
                for (JsonNode d : e.path("inputs")) {
                    assertThat(d.path("namespace").asText()).doesNotContain("secret", "token");
                }
            }
        }
    }

    @Nested
    @DisplayName("the validation itself")
    class Validation {
        ObjectNode event() {
            try {
                return (ObjectNode) MAPPER.readTree(lineage.openLineageEvents(PREPARE).get(1));
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        }

        @Test
        @DisplayName("rejects an event without runId, with a run id that is not a UUID, or without producer")
        void rejectsBrokenEvents() {
            ObjectNode noRunId = event();
            ((ObjectNode) noRunId.path("run")).remove("runId");
            assertThat(OpenLineageSchemas.validateEvent(noRunId)).isNotEmpty();

            ObjectNode badUuid = event();
            ((ObjectNode) badUuid.path("run")).put("runId", "not-a-uuid");
            assertThat(OpenLineageSchemas.validateEvent(badUuid)).isNotEmpty();

            ObjectNode noProducer = event();
            noProducer.remove("producer");
            assertThat(OpenLineageSchemas.validateEvent(noProducer)).isNotEmpty();

            ObjectNode badTime = event();
            badTime.put("eventTime", "yesterday");
            assertThat(OpenLineageSchemas.validateEvent(badTime)).isNotEmpty();

            ObjectNode noJobName = event();
            ((ObjectNode) noJobName.path("job")).remove("name");
            assertThat(OpenLineageSchemas.validateEvent(noJobName)).isNotEmpty();

            assertThat(OpenLineageSchemas.validateEvent(event())).isEmpty();
        }

        @Test
        @DisplayName("rejects broken facets against their own schema files")
        void rejectsBrokenFacets() {
            ObjectNode e = event();
            ObjectNode version = (ObjectNode) e.path("inputs").get(0).path("facets").path("version");
            assertThat(OpenLineageSchemas.validateFacet("version", version)).isEmpty();

            ObjectNode noVersion = version.deepCopy();
            noVersion.remove("datasetVersion");
            assertThat(OpenLineageSchemas.validateFacet("version", noVersion)).isNotEmpty();

            ObjectNode noProducer = version.deepCopy();
            noProducer.remove("_producer");
            assertThat(OpenLineageSchemas.validateFacet("version", noProducer)).isNotEmpty();

            ObjectNode wrongSchema = version.deepCopy();
            wrongSchema.put("_schemaURL",
                    "https://openlineage.io/spec/facets/1-0-0/DatasetVersionDatasetFacet.json#/$defs/DatasetVersionDatasetFacet");
            assertThat(OpenLineageSchemas.validateFacet("version", wrongSchema)).isNotEmpty();

            assertThat(OpenLineageSchemas.validateFacet("datasetVersion", version)).as("wrong key").isNotEmpty();

            ObjectNode parent = (ObjectNode) event().path("run").path("facets").path("parent");
            ObjectNode badParent = parent.deepCopy();
            ((ObjectNode) badParent.path("run")).put("runId", "parent-is-not-a-uuid");
            assertThat(OpenLineageSchemas.validateFacet("parent", parent)).isEmpty();
            assertThat(OpenLineageSchemas.validateFacet("parent", badParent)).isNotEmpty();

            ObjectNode schema = (ObjectNode) e.path("inputs").get(0).path("facets").path("schema");
            ObjectNode badSchema = schema.deepCopy();
            ((ObjectNode) badSchema.path("fields").get(0)).remove("name");
            assertThat(OpenLineageSchemas.validateFacet("schema", schema)).isEmpty();
            assertThat(OpenLineageSchemas.validateFacet("schema", badSchema)).isNotEmpty();
        }
    }
}
