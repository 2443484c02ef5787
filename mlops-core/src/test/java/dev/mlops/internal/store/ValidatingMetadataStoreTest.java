package dev.mlops.internal.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.mlops.InvalidArgumentException;
import dev.mlops.Mlops;
import dev.mlops.PageRequest;
import dev.mlops.artifact.ArtifactRef;
import dev.mlops.audit.AuditEvent;
import dev.mlops.data.Column;
import dev.mlops.data.ColumnType;
import dev.mlops.data.DatasetVersion;
import dev.mlops.drift.ReportKind;
import dev.mlops.internal.Validate;
import dev.mlops.lineage.NodeRef;
import dev.mlops.registry.Approval;
import dev.mlops.registry.ApprovalStatus;
import dev.mlops.registry.Governance;
import dev.mlops.registry.ModelSignature;
import dev.mlops.registry.ModelUpdate;
import dev.mlops.registry.NewModel;
import dev.mlops.registry.NewModelVersion;
import dev.mlops.registry.VersionStatus;
import dev.mlops.spi.DriftReportEntry;
import dev.mlops.spi.MetadataStore;
import dev.mlops.spi.PendingAuditEvent;
import dev.mlops.spi.PolicyDecisionEntry;
import dev.mlops.spi.PolicyStateEntry;
import dev.mlops.spi.ProfileEntry;
import dev.mlops.spi.RetrainingRequestEntry;
import dev.mlops.store.memory.InMemoryStore;
import dev.mlops.tracking.MetricPoint;
import dev.mlops.tracking.NewRun;
import dev.mlops.tracking.Run;
import dev.mlops.tracking.RunLink;
import dev.mlops.tracking.RunQuery;
import dev.mlops.tracking.RunStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link ValidatingMetadataStore} over an {@link InMemoryStore}: every SPI write refuses each kind of bad value with
 * the field the API layer names, stores nothing, and gives the same message as the API layer for the same value;
 * valid values pass unchanged (the whole compatibility kit runs through it in mlops-tck).
 */
@DisplayName("ValidatingMetadataStore")
class ValidatingMetadataStoreTest {
    private static final Instant T = Instant.parse("2026-01-02T03:04:05Z");
    private static final String DIGEST = "sha256:" + "a".repeat(64);
    private static final String DIGEST2 = "sha256:" + "b".repeat(64);

    private InMemoryStore raw;
    private MetadataStore store;

    @BeforeEach
    void seed() {
        raw = new InMemoryStore();
        store = new ValidatingMetadataStore(raw);
        raw.createRun(newRun("r1", "job", null, Map.of()), audit("run.create", "run:r1"));
        raw.registerDataset(dataset("d", Map.of()), audit("dataset.register", "dataset:d"));
        raw.createModel(new NewModel("m", "", Map.of(), Governance.EMPTY, T, "alice"), audit("model.create", "m"));
        raw.createModelVersion(version("m", "", Map.of(), Map.of(), null, null), audit("model_version.register",
                "model:m/1"));
        raw.finishModelVersion("m", 1, VersionStatus.READY, new ArtifactRef(DIGEST, 3, "file:/a"), null, T,
                audit("model_version.ready", "model:m/1"));
    }

    @AfterEach
    void close() {
        store.close();
    }

    private static PendingAuditEvent audit(String action, String subject) {
        return new PendingAuditEvent(T, "alice", action, subject, "{}");
    }

    private static PendingAuditEvent audit() {
        return audit("test.write", "test");
    }

    private static NewRun newRun(String id, String job, String parent, Map<String, String> tags) {
        return new NewRun(id, job, parent, T, tags, null, Map.of());
    }

    private static DatasetVersion dataset(String name, Map<String, String> tags) {
        return new DatasetVersion(name, DIGEST, "file:/d.csv", "csv", 10, null, null, tags, T, "alice");
    }

    private static DatasetVersion dataset(String name, String version) {
        return new DatasetVersion(name, version, "file:/d.csv", "csv", 10, null, null, Map.of(), T, "alice");
    }

    private static NewModelVersion version(String model, String description, Map<String, Double> metrics,
            Map<String, String> tags, String runId, String idempotencyKey) {
        return new NewModelVersion(model, 1, DIGEST, runId, ModelSignature.EMPTY, metrics, tags, description,
                idempotencyKey, T, "alice");
    }

    private static ModelUpdate update(String description, Map<String, String> set, Set<String> remove,
            Governance governance) {
        return new ModelUpdate(description, set, remove, governance, T);
    }

    private static Governance governance(String businessOwner, String approverRole, String intendedUse) {
        return new Governance(businessOwner, null, intendedUse, null, null, approverRole, null, null);
    }

    private static ProfileEntry profile(String id, String subject, String key, Instant start, Instant end) {
        return new ProfileEntry(id, subject, key, start, end, 3, DIGEST, "{}", T, "alice");
    }

    private static DriftReportEntry report(String id, String subject, String key, String reference,
            String current) {
        return new DriftReportEntry(id, subject, key, ReportKind.ANALYSIS, null, null, reference, current, false,
                null, DIGEST, "{}", T, "alice");
    }

    private static Arguments bad(String what, String field, Consumer<MetadataStore> call) {
        return Arguments.of(what, field, call);
    }

    static Stream<Arguments> badWrites() {
        List<Arguments> cases = new ArrayList<>();
        // createRun: the run id (as Tracking's starter.id), job name, parent id, tags
        for (String id : List.of("..", ".", "", "   ", "a\u0000b", "line\nbreak", "tab\there", "x".repeat(251))) {
            cases.add(bad("createRun id '" + Validate.printable(id) + "'", "runId",
                    s -> s.createRun(newRun(id, "job", null, Map.of()), audit())));
        }
        for (String job : List.of("j\u0007\u001b[31mred", "", " ", "..", "a@b", "/abs", ":x", " padded", "a\nb",
                "x".repeat(257))) {
            cases.add(bad("createRun job '" + Validate.printable(job) + "'", "jobName",
                    s -> s.createRun(newRun("r2", job, null, Map.of()), audit())));
        }
        for (String parent : List.of("..", "", "a\u0000b", "x".repeat(257))) {
            cases.add(bad("createRun parent '" + Validate.printable(parent) + "'", "parentRunId",
                    s -> s.createRun(newRun("r2", "job", parent, Map.of()), audit())));
        }
        for (String key : List.of("", " ", "k\nk", "k\u001bk", "..", "k".repeat(251))) {
            cases.add(bad("createRun tag key '" + Validate.printable(key) + "'", "tags key",
                    s -> s.createRun(newRun("r2", "job", null, Map.of(key, "v")), audit())));
        }
        cases.add(bad("createRun tag value of 5001 characters", "tags.k",
                s -> s.createRun(newRun("r2", "job", null, Map.of("k", "v".repeat(5001))), audit())));
        cases.add(bad("createRun tag value with U+0000", "tags.k",
                s -> s.createRun(newRun("r2", "job", null, Map.of("k", "a\u0000")), audit())));
        // writes to an existing run
        cases.add(bad("finishRun run id '..'", "runId",
                s -> s.finishRun("..", RunStatus.COMPLETED, T, null, audit())));
        cases.add(bad("finishRun error of 10001 characters", "error",
                s -> s.finishRun("r1", RunStatus.FAILED, T, "e".repeat(10_001), audit())));
        cases.add(bad("heartbeat run id ''", "runId", s -> s.heartbeat("", T.plusSeconds(60))));
        cases.add(bad("logParams run id '.'", "runId", s -> s.logParams(".", Map.of("a", "1"), audit())));
        cases.add(bad("logParams key ''", "params key", s -> s.logParams("r1", Map.of("", "1"), audit())));
        cases.add(bad("logParams key with LF", "params key", s -> s.logParams("r1", Map.of("a\nb", "1"), audit())));
        cases.add(bad("logParams value of 6001 characters", "params.a",
                s -> s.logParams("r1", Map.of("a", "1".repeat(6001)), audit())));
        cases.add(bad("setTags run id with U+0000", "runId", s -> s.setTags("r\u0000", Map.of("a", "1"), audit())));
        cases.add(bad("setTags key ''", "tags key", s -> s.setTags("r1", Map.of("", "v"), audit())));
        cases.add(bad("setTags key 'k\\nk'", "tags key", s -> s.setTags("r1", Map.of("k\nk", "v"), audit())));
        cases.add(bad("setTags value of 10 MiB", "tags.big",
                s -> s.setTags("r1", Map.of("big", "x".repeat(10 * 1024 * 1024)), audit())));
        cases.add(bad("logMetrics key ''", "metric key",
                s -> s.logMetrics("r1", List.of(new MetricPoint("", 1, 0, T)), audit())));
        cases.add(bad("logMetrics key with ESC, after a valid point", "metric key",
                s -> s.logMetrics("r1", List.of(new MetricPoint("ok", 1, 0, T), new MetricPoint("m\u001b", 1, 0, T)),
                        audit())));
        cases.add(bad("addLinks of a run node", "node",
                s -> s.addLinks("r1", List.of(RunLink.input(NodeRef.run("r0"))), audit())));
        // datasets
        for (String name : List.of("", "..", "/abs", "a@b", " d", "d\u0007", "x".repeat(257))) {
            cases.add(bad("registerDataset name '" + Validate.printable(name) + "'", "name",
                    s -> s.registerDataset(dataset(name, Map.of()), audit())));
        }
        cases.add(bad("registerDataset version not a digest", "version",
                s -> s.registerDataset(dataset("d2", "sha256:xyz"), audit())));
        cases.add(bad("registerDataset tag key with CR", "tags key",
                s -> s.registerDataset(dataset("d2", Map.of("a\rb", "v")), audit())));
        // models
        for (String name : List.of("../../etc/passwd", "a/b", "", "..", "m@1", "m\u0000", "x".repeat(257))) {
            cases.add(bad("createModel name '" + Validate.printable(name) + "'", "name",
                    s -> s.createModel(new NewModel(name, "", Map.of(), Governance.EMPTY, T, "alice"), audit())));
        }
        cases.add(bad("createModel description of 10001 characters", "description",
                s -> s.createModel(new NewModel("m2", "d".repeat(10_001), Map.of(), Governance.EMPTY, T, "alice"),
                        audit())));
        cases.add(bad("createModel tag key ''", "tags key",
                s -> s.createModel(new NewModel("m2", "", Map.of("", "v"), Governance.EMPTY, T, "alice"), audit())));
        cases.add(bad("createModel business owner of 257 characters", "businessOwner",
                s -> s.createModel(new NewModel("m2", "", Map.of(), governance("o".repeat(257), null, null), T,
                        "alice"), audit())));
        cases.add(bad("updateModel name 'a/b'", "name",
                s -> s.updateModel("a/b", update("x", Map.of(), Set.of(), null), audit())));
        cases.add(bad("updateModel description with U+0000", "description",
                s -> s.updateModel("m", update("a\u0000", Map.of(), Set.of(), null), audit())));
        cases.add(bad("updateModel tag value of 5001", "tags.k",
                s -> s.updateModel("m", update(null, Map.of("k", "v".repeat(5001)), Set.of(), null), audit())));
        cases.add(bad("updateModel tag to remove ''", "remove",
                s -> s.updateModel("m", update(null, Map.of(), Set.of(""), null), audit())));
        cases.add(bad("updateModel approver role with BEL", "approverRole",
                s -> s.updateModel("m", update(null, Map.of(), Set.of(), governance(null, "r\u0007", null)),
                        audit())));
        cases.add(bad("updateModel intended use of 10001", "intendedUse",
                s -> s.updateModel("m", update(null, Map.of(), Set.of(), governance(null, null, "u".repeat(10_001))),
                        audit())));
        cases.add(bad("createModelVersion model name '..'", "modelName",
                s -> s.createModelVersion(new NewModelVersion("..", 1, DIGEST, null, ModelSignature.EMPTY, Map.of(),
                        Map.of(), "", null, T, "alice"), audit())));
        cases.add(bad("createModelVersion digest not a digest", "expectedDigest",
                s -> s.createModelVersion(new NewModelVersion("m", 2, "md5:00", null, ModelSignature.EMPTY, Map.of(),
                        Map.of(), "", null, T, "alice"), audit())));
        cases.add(bad("createModelVersion run id with U+0000", "runId",
                s -> s.createModelVersion(version2(ModelSignature.EMPTY, Map.of(), Map.of(), "", "r\u0000", null),
                        audit())));
        cases.add(bad("createModelVersion signature input ''", "signature input",
                s -> s.createModelVersion(version2(new ModelSignature(List.of(new Column("", ColumnType.NUMERIC)),
                        List.of()), Map.of(), Map.of(), "", null, null), audit())));
        cases.add(bad("createModelVersion signature output with LF", "signature output",
                s -> s.createModelVersion(version2(new ModelSignature(List.of(), List.of(new Column("a\nb",
                        ColumnType.NUMERIC))), Map.of(), Map.of(), "", null, null), audit())));
        cases.add(bad("createModelVersion metric NaN", "metric",
                s -> s.createModelVersion(version2(ModelSignature.EMPTY, Map.of("auc", Double.NaN), Map.of(), "",
                        null, null), audit())));
        cases.add(bad("createModelVersion metric key ''", "metric",
                s -> s.createModelVersion(version2(ModelSignature.EMPTY, Map.of("", 1.0), Map.of(), "", null, null),
                        audit())));
        cases.add(bad("createModelVersion tag key 'k\\nk'", "tags key",
                s -> s.createModelVersion(version2(ModelSignature.EMPTY, Map.of(), Map.of("k\nk", "v"), "", null,
                        null), audit())));
        cases.add(bad("createModelVersion description of 10001", "description",
                s -> s.createModelVersion(version2(ModelSignature.EMPTY, Map.of(), Map.of(), "d".repeat(10_001), null,
                        null), audit())));
        cases.add(bad("createModelVersion idempotency key ''", "idempotencyKey",
                s -> s.createModelVersion(version2(ModelSignature.EMPTY, Map.of(), Map.of(), "", null, ""), audit())));
        cases.add(bad("finishModelVersion model name '../x'", "modelName",
                s -> s.finishModelVersion("../x", 1, VersionStatus.FAILED, null, "m", T, audit())));
        cases.add(bad("finishModelVersion version 0", "version",
                s -> s.finishModelVersion("m", 0, VersionStatus.FAILED, null, "m", T, audit())));
        cases.add(bad("updateModelVersion tag key ''", "tags key",
                s -> s.updateModelVersion("m", 1, update(null, Map.of("", "v"), Set.of(), null), audit())));
        cases.add(bad("updateModelVersion version -1", "version",
                s -> s.updateModelVersion("m", -1, update("x", Map.of(), Set.of(), null), audit())));
        cases.add(bad("decideApproval blank reason", "reason",
                s -> s.decideApproval("m", 1, Approval.decided(ApprovalStatus.APPROVED, "bob", T, "   "), audit())));
        cases.add(bad("decideApproval reason with ESC", "reason",
                s -> s.decideApproval("m", 1, Approval.decided(ApprovalStatus.REJECTED, "bob", T, "no\u001b[2J"),
                        audit())));
        cases.add(bad("decideApproval model name ''", "modelName",
                s -> s.decideApproval("", 1, Approval.decided(ApprovalStatus.APPROVED, "bob", T, "ok"), audit())));
        for (String alias : List.of("", "1", "-x", "a b", "a\u0000", "a".repeat(65))) {
            cases.add(bad("setAlias alias '" + Validate.printable(alias) + "'", "alias",
                    s -> s.setAlias("m", alias, 1, null, T, audit())));
        }
        cases.add(bad("setAlias version 0", "version", s -> s.setAlias("m", "prod", 0, null, T, audit())));
        cases.add(bad("setAlias expected current 0", "expectedCurrent",
                s -> s.setAlias("m", "prod", 1, 0, T, audit())));
        cases.add(bad("setAlias with events, alias '9'", "alias",
                s -> s.setAlias("m", "9", 1, null, T, List.of(audit(), audit()))));
        cases.add(bad("setAlias with events, model name 'a/b'", "modelName",
                s -> s.setAlias("a/b", "prod", 1, null, T, List.of(audit()))));
        cases.add(bad("deleteAlias alias '.x'", "alias", s -> s.deleteAlias("m", ".x", 1, T, audit())));
        cases.add(bad("deleteAlias expected current 0", "expectedCurrent",
                s -> s.deleteAlias("m", "prod", 0, T, audit())));
        cases.add(bad("deleteModelVersion version 0", "version", s -> s.deleteModelVersion("m", 0, audit())));
        cases.add(bad("deleteModelVersion model name '..'", "modelName", s -> s.deleteModelVersion("..", 1, audit())));
        // profiles and drift reports
        cases.add(bad("saveProfile subject without a kind", "subject",
                s -> s.saveProfile(profile("p1", "nokind", "ref", null, null), audit())));
        cases.add(bad("saveProfile subject with LF", "subject",
                s -> s.saveProfile(profile("p1", "monitor:a\nb", "ref", null, null), audit())));
        cases.add(bad("saveProfile key ' ref'", "key",
                s -> s.saveProfile(profile("p1", "monitor:m", " ref", null, null), audit())));
        cases.add(bad("saveProfile key of 257", "key",
                s -> s.saveProfile(profile("p1", "monitor:m", "k".repeat(257), null, null), audit())));
        cases.add(bad("saveProfile id with LF", "id",
                s -> s.saveProfile(profile("p\n1", "monitor:m", "ref", null, null), audit())));
        cases.add(bad("saveProfile window ending before it starts", "windowEnd",
                s -> s.saveProfile(profile("p1", "monitor:m", "w", T, T.minusSeconds(1)), audit())));
        cases.add(bad("saveDriftReport subject ''", "subject",
                s -> s.saveDriftReport(report("d1", "", "k", null, null), audit())));
        cases.add(bad("saveDriftReport reference id with U+0000", "referenceProfileId",
                s -> s.saveDriftReport(report("d1", "monitor:m", "k", "p\u0000", null), audit())));
        cases.add(bad("saveDriftReport current id of 129", "currentProfileId",
                s -> s.saveDriftReport(report("d1", "monitor:m", "k", null, "p".repeat(129)), audit())));
        // retraining policies
        cases.add(bad("savePolicyState policy with BEL", "policy",
                s -> s.savePolicyState(new PolicyStateEntry("p\u0007", "m", 1, "{}", T, "alice"), 0, List.of(),
                        List.of(audit()))));
        cases.add(bad("savePolicyState model ''", "model",
                s -> s.savePolicyState(new PolicyStateEntry("p", "", 1, "{}", T, "alice"), 0, List.of(),
                        List.of(audit()))));
        cases.add(bad("savePolicyState decision window id with LF", "windowId",
                s -> s.savePolicyState(new PolicyStateEntry("p", "m", 1, "{}", T, "alice"), 0,
                        List.of(new PolicyDecisionEntry("p", "m", 0, "w\n1", "hold", false, T, "{}")),
                        List.of(audit()))));
        cases.add(bad("createRetrainingRequest model 'a\nb'", "model",
                s -> s.createRetrainingRequest(request("a\nb", "w1", null), audit())));
        cases.add(bad("createRetrainingRequest window id '..'", "windowId",
                s -> s.createRetrainingRequest(request("m", "..", null), audit())));
        cases.add(bad("updateRetrainingRequest run id with ESC", "runId",
                s -> s.updateRetrainingRequest(request("m", "w1", "r\u001b"), "requested", 0, audit())));
        return cases.stream();
    }

    private static RetrainingRequestEntry request(String model, String window, String runId) {
        return new RetrainingRequestEntry("p|m|w", "p", model, window, "requested", 0, runId, null, T, T, "{}");
    }

    private static NewModelVersion version2(ModelSignature signature, Map<String, Double> metrics,
            Map<String, String> tags, String description, String runId, String idempotencyKey) {
        return new NewModelVersion("m", 2, DIGEST2, runId, signature, metrics, tags, description, idempotencyKey, T,
                "alice");
    }

    /** What a refused write could have changed: the chain (every write appends to it), the seeded entities. */
    private List<Object> state() {
        List<Object> state = new ArrayList<>();
        state.add(raw.auditEvents(0, 10_000));
        state.add(raw.searchRuns(RunQuery.all(), PageRequest.first(1000)).items());
        state.add(raw.listDatasets(null, PageRequest.first(1000)).items());
        state.add(raw.getModel("m"));
        state.add(raw.getModel("m2"));
        state.add(raw.getModelVersion("m", 1));
        state.add(raw.getModelVersion("m", 2));
        state.add(raw.findProfile("monitor:m", "w"));
        state.add(raw.getProfile("p1"));
        state.add(raw.getDriftReport("d1"));
        state.add(raw.listPolicyStates(PageRequest.first(100)).items());
        state.add(raw.getRetrainingRequest("p|m|w"));
        return state;
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("badWrites")
    @DisplayName("a bad value in a write: InvalidArgumentException naming the field, nothing stored")
    void refusesBadWrite(String what, String field, Consumer<MetadataStore> call) {
        List<Object> before = state();

        Throwable thrown = catchThrowable(() -> call.accept(store));

        assertThat(thrown).as(what).isInstanceOf(InvalidArgumentException.class);
        assertThat(((InvalidArgumentException) thrown).field()).as(what).contains(field);
        assertThat(thrown.getMessage()).as("the message starts with the field").startsWith(
                field.equals("node") || field.equals("metric") ? "" : field);
        assertThat(state()).as("nothing stored by: " + what).isEqualTo(before);
    }

    @Test
    @DisplayName("a heartbeat for a bad run id is refused before the store, not ignored")
    void heartbeatRefused() {
        Run before = raw.getRun("r1").orElseThrow();
        assertThat(catchThrowable(() -> store.heartbeat("..", T.plusSeconds(60))))
                .isInstanceOf(InvalidArgumentException.class);
        assertThat(raw.getRun("r1")).contains(before);
    }

    /**
     * Strings of printable characters with one control character at a random place: every key, name and id field
     * refuses them, whatever the rest; the same strings without it are stored exactly.
     */
    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    @DisplayName("generated keys with a control character are refused; without it they are stored as given")
    void generatedStrings(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < 40; i++) {
            String clean = printable(random, 1 + random.nextInt(60));
            char control = (char) (random.nextBoolean() ? random.nextInt(0x20) : 0x7f + random.nextInt(0x21));
            int at = random.nextInt(clean.length() + 1);
            String dirty = clean.substring(0, at) + control + clean.substring(at);
            List<Object> before = state();
            assertThat(catchThrowable(() -> store.setTags("r1", Map.of(dirty, "v"), audit())))
                    .as("tag key %s", Validate.printable(dirty)).isInstanceOf(InvalidArgumentException.class);
            assertThat(catchThrowable(() -> store.logParams("r1", Map.of(dirty, "v"), audit())))
                    .isInstanceOf(InvalidArgumentException.class);
            assertThat(catchThrowable(() -> store.createRun(newRun(dirty, "job", null, Map.of()), audit())))
                    .isInstanceOf(InvalidArgumentException.class);
            assertThat(catchThrowable(() -> store.createModel(new NewModel("m" + dirty, "", Map.of(),
                    Governance.EMPTY, T, "alice"), audit()))).isInstanceOf(InvalidArgumentException.class);
            assertThat(state()).isEqualTo(before);

            String key = clean.isBlank() ? "k" + clean : clean;
            if (!key.equals(".") && !key.equals("..")) {
                store.setTags("r1", Map.of(key, dirty.replace(control, ' ')), audit());
                assertThat(raw.getRun("r1").orElseThrow().tags()).containsEntry(key, dirty.replace(control, ' '));
            }
        }
    }

    static LongStream seeds() {
        return LongStream.of(1, 7, 42, 2026, 90210);
    }

    private static String printable(SplittableRandom random, int length) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < length; i++) {
            int kind = random.nextInt(10);
            b.append(kind < 7 ? (char) (0x21 + random.nextInt(0x5e)) : kind < 9 ? (char) (0xa0 + random.nextInt(0x500))
                    : ' ');
        }
        return b.toString();
    }

    @Test
    @DisplayName("valid writes reach the store unchanged; counts are not limited (300,000 tags in one call)")
    void validWritesPass() {
        Map<String, String> tags = new LinkedHashMap<>();
        IntStream.range(0, 300_000).forEach(i -> tags.put("k" + i, "v"));
        store.setTags("r1", tags, audit());
        assertThat(raw.getRun("r1").orElseThrow().tags()).hasSize(300_000).containsEntry("k299999", "v");
        store.createRun(newRun("...", "job/with/slashes", "r1", Map.of("a..b", "x".repeat(5000))), audit());
        assertThat(raw.getRun("...")).isPresent();
        store.logParams("r1", Map.of("lr", "p".repeat(6000)), audit());
        store.createModel(new NewModel("m2", "line\nbreaks\tallowed", Map.of(), governance("o".repeat(256), "approver",
                null), T, "alice"), audit());
        assertThat(raw.getModel("m2").orElseThrow().description()).isEqualTo("line\nbreaks\tallowed");
        assertThat(store.setAlias("m", "prod.v-1_x", 1, null, T, audit()).current()).isEqualTo(1);
    }

    /**
     * The same value through the API layer ({@code Mlops}) and through the validator: the same field and message,
     * so an HTTP client of the server gets the 400 an embedded caller gets.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("parity")
    @DisplayName("the API layer and the validator refuse a value with the same field and message")
    void sameAsApiLayer(String what, Consumer<Mlops> api, Consumer<MetadataStore> spi) {
        try (Mlops mlops = Mlops.builder().store(new InMemoryStore()).artifactUri("memory:").actor("alice")
                .build()) {
            mlops.registry().createModel("m", "", Map.of());
            Throwable viaApi = catchThrowable(() -> api.accept(mlops));
            Throwable viaStore = catchThrowable(() -> spi.accept(store));
            assertThat(viaApi).as(what).isInstanceOf(InvalidArgumentException.class);
            assertThat(viaStore).as(what).isInstanceOf(InvalidArgumentException.class);
            assertThat(((InvalidArgumentException) viaStore).field())
                    .isEqualTo(((InvalidArgumentException) viaApi).field());
            assertThat(viaStore.getMessage()).isEqualTo(viaApi.getMessage());
        }
    }

    static Stream<Arguments> parity() {
        List<Arguments> cases = new ArrayList<>();
        for (String id : List.of("..", ".", "", "   ", "a\u0000b", "line\nbreak", "x".repeat(251))) {
            cases.add(Arguments.of("run id '" + Validate.printable(id) + "'",
                    (Consumer<Mlops>) m -> m.tracking().starter("job").id(id),
                    (Consumer<MetadataStore>) s -> s.createRun(newRun(id, "job", null, Map.of()), audit())));
        }
        for (String job : List.of("j\u0007\u001b[31mred", "", "a@b", "/x", " j", "x".repeat(257))) {
            cases.add(Arguments.of("job '" + Validate.printable(job) + "'",
                    (Consumer<Mlops>) m -> m.tracking().starter(job),
                    (Consumer<MetadataStore>) s -> s.createRun(newRun("r2", job, null, Map.of()), audit())));
        }
        for (String key : List.of("", "k\nk", "..")) {
            cases.add(Arguments.of("tag key '" + Validate.printable(key) + "'",
                    (Consumer<Mlops>) m -> m.tracking().starter("job").tag(key, "v"),
                    (Consumer<MetadataStore>) s -> s.setTags("r1", Map.of(key, "v"), audit())));
        }
        cases.add(Arguments.of("tag value of 10 MiB",
                (Consumer<Mlops>) m -> m.tracking().starter("job").tag("k", "x".repeat(10 << 20)),
                (Consumer<MetadataStore>) s -> s.setTags("r1", Map.of("k", "x".repeat(10 << 20)), audit())));
        for (String name : List.of("../../etc/passwd", "", "..", "m@1", "x".repeat(257))) {
            cases.add(Arguments.of("model name '" + Validate.printable(name) + "'",
                    (Consumer<Mlops>) m -> m.registry().createModel(name, "", Map.of()),
                    (Consumer<MetadataStore>) s -> s.createModel(new NewModel(name, "", Map.of(), Governance.EMPTY, T,
                            "alice"), audit())));
        }
        for (String alias : List.of("1", "-x", "")) {
            cases.add(Arguments.of("alias '" + alias + "'",
                    (Consumer<Mlops>) m -> m.registry().setAlias("m", alias, 1),
                    (Consumer<MetadataStore>) s -> s.setAlias("m", alias, 1, null, T, audit())));
        }
        cases.add(Arguments.of("blank approval reason",
                (Consumer<Mlops>) m -> m.registry().approve("m", 1, " "),
                (Consumer<MetadataStore>) s -> s.decideApproval("m", 1, Approval.decided(ApprovalStatus.APPROVED,
                        "bob", T, " "), audit())));
        cases.add(Arguments.of("dataset name '/abs'",
                (Consumer<Mlops>) m -> m.datasets().register("/abs", java.nio.file.Path.of("x")),
                (Consumer<MetadataStore>) s -> s.registerDataset(dataset("/abs", Map.of()), audit())));
        return cases.stream();
    }
}
