package dev.mlops.store.jdbc;

import static dev.mlops.store.jdbc.Fixtures.T0;
import static dev.mlops.store.jdbc.Fixtures.audit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.AlreadyExistsException;
import dev.mlops.ConflictException;
import dev.mlops.Created;
import dev.mlops.InvalidArgumentException;
import dev.mlops.MlopsException;
import dev.mlops.NotFoundException;
import dev.mlops.PageRequest;
import dev.mlops.StorageException;
import dev.mlops.artifact.ArtifactRef;
import dev.mlops.data.Column;
import dev.mlops.data.ColumnType;
import dev.mlops.lineage.Direction;
import dev.mlops.lineage.EdgeKind;
import dev.mlops.lineage.LineageEdge;
import dev.mlops.lineage.NodeRef;
import dev.mlops.registry.AliasChange;
import dev.mlops.registry.Approval;
import dev.mlops.registry.ApprovalStatus;
import dev.mlops.registry.Confidentiality;
import dev.mlops.registry.Governance;
import dev.mlops.registry.ModelQuery;
import dev.mlops.registry.ModelSignature;
import dev.mlops.registry.ModelUpdate;
import dev.mlops.registry.ModelVersion;
import dev.mlops.registry.NewModel;
import dev.mlops.registry.NewModelVersion;
import dev.mlops.registry.RegisteredModel;
import dev.mlops.registry.VersionQuery;
import dev.mlops.registry.VersionStatus;
import dev.mlops.tracking.RunLink;
import dev.mlops.tracking.RunQuery;
import dev.mlops.tracking.RunStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What the JDBC store adds to the registry's contract: every column read back as written, the SQL of searches and
 * pagination (String.compareTo order of names whatever the database's collation, prefixes, tags, tokens), the
 * rules decided inside one write transaction, and nothing changed by a refused call. The compatibility kit covers
 * the contract more widely; {@link SqliteRegistryTest} and {@link PostgresRegistryTest} run this on each database.
 */
abstract class JdbcRegistryTest {
    static final String NAME_CHARS = "aAbzZ_0-./|é éÉ\u00ff\u0130\uD83D\uDE00\uFF21\uE000\u4E2D";

    /** A new, empty store. */
    abstract JdbcStore openStore();

    JdbcStore store;

    @BeforeEach
    void openTheStore() {
        store = openStore();
    }

    @AfterEach
    void closeTheStore() {
        store.close();
    }

    private long events() {
        return Fixtures.chain(store).size();
    }

    private RegisteredModel create(String name) {
        return store.createModel(RegistryFixtures.newModel(name), audit("model.create", "model:" + name)).value();
    }

    private ModelVersion register(String name, int number, String runId) {
        return store.createModelVersion(RegistryFixtures.newVersion(name, number, runId, "alice"),
                RegistryFixtures.registerEvent("alice", name, number)).value();
    }

    private ModelVersion ready(String name, int number) {
        ModelVersion v = store.getModelVersion(name, number).orElseThrow();
        return store.finishModelVersion(name, number, VersionStatus.READY,
                new ArtifactRef(v.digest(), 100 + number, "file:/artifacts/" + v.digest()), null,
                T0.plusSeconds(number), audit("model.version.finish", "model:" + name + "/" + number));
    }

    /** Runs {@code call}, which must fail with {@code type}, and checks that it appended no audit event. */
    private <E extends MlopsException> E refused(Class<E> type, ThrowingCallable call) {
        long before = events();
        Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(call);
        assertThat(thrown).isInstanceOf(type);
        assertThat(events()).as("audit events after a refused call").isEqualTo(before);
        return type.cast(thrown);
    }

    // ---- what is stored ---------------------------------------------------------------------------------------------

    @Test
    @DisplayName("every field of a model and of a version reads back as written, through get and search")
    void everyFieldRoundTrips() {
        Governance governance = new Governance("risk team", "ml platform", "card fraud scoring; not for credit",
                "p99 < 50 ms", "policy:weekly", "risk-approvers", Confidentiality.RESTRICTED, false);
        NewModel model = new NewModel("Fraud détection", "scores card payments", Map.of("team", "risk", "ü", "ß"),
                governance, Instant.parse("2026-02-03T04:05:06.789Z"), "alice");
        Created<RegisteredModel> created = store.createModel(model, audit("model.create", "model:x"));
        RegisteredModel expectedModel = new RegisteredModel(model.name(), model.description(), model.tags(),
                governance, Map.of(), 0, model.createdTime(), "alice", model.createdTime());
        assertThat(created).isEqualTo(new Created<>(expectedModel, true));
        assertThat(store.getModel(model.name())).contains(expectedModel);

        String run = Fixtures.createRun(store, "train", T0);
        ModelSignature signature = new ModelSignature(List.of(new Column("amount", ColumnType.NUMERIC),
                new Column("country", ColumnType.CATEGORICAL)), List.of(new Column("score", ColumnType.NUMERIC)));
        Map<String, Double> metrics = Map.of("auc", 0.9134567890123456, "tiny", 4.9e-324, "neg", -0.0, "big",
                1.7976931348623157e308);
        Instant registered = Instant.parse("2026-02-03T05:00:00.001Z");
        NewModelVersion version = new NewModelVersion(model.name(), 1, RegistryFixtures.digest(1), run, signature,
                metrics, Map.of("stage", "candidate"), "first try", "key-1", registered, "bob");
        ModelVersion v1 = store.createModelVersion(version, audit("model.version.create", "model:x/1")).value();
        ModelVersion expected = new ModelVersion(model.name(), 1, version.digest(), null, VersionStatus.PENDING, null,
                run, signature, metrics, version.tags(), "first try", Approval.PENDING, List.of(), registered, "bob",
                registered);
        assertThat(v1).isEqualTo(expected);
        assertThat(v1.metrics().get("neg")).isEqualTo(-0.0);
        assertThat(store.getModel(model.name()).orElseThrow())
                .returns(1, RegisteredModel::latestVersion).returns(registered, RegisteredModel::updatedTime);

        ArtifactRef artifact = new ArtifactRef(version.digest(), 5_000_000_000L, "file:/a/b c/" + version.digest());
        Instant finished = registered.plusSeconds(60);
        store.finishModelVersion(model.name(), 1, VersionStatus.READY, artifact, null, finished,
                audit("model.version.finish", "model:x/1"));
        Approval approval = Approval.decided(ApprovalStatus.APPROVED, "carol", finished.plusSeconds(1), "looks good");
        store.decideApproval(model.name(), 1, approval, audit("model.version.approve", "model:x/1"));
        Instant aliased = finished.plusSeconds(2);
        store.setAlias(model.name(), "production", 1, null, aliased, audit("model.alias.set", "model:x"));
        expected = new ModelVersion(model.name(), 1, version.digest(), artifact, VersionStatus.READY, null, run,
                signature, metrics, version.tags(), "first try", approval, List.of("production"), registered, "bob",
                aliased);
        assertThat(store.getModelVersion(model.name(), 1)).contains(expected);
        assertThat(store.searchModelVersions(VersionQuery.all(), PageRequest.first()).items())
                .containsExactly(expected);
        expectedModel = new RegisteredModel(model.name(), model.description(), model.tags(), governance,
                Map.of("production", 1), 1, model.createdTime(), "alice", aliased);
        assertThat(store.searchModels(ModelQuery.all(), PageRequest.first()).items()).containsExactly(expectedModel);

        ModelVersion failed = store.createModelVersion(new NewModelVersion(model.name(), 2, RegistryFixtures.digest(2),
                null, ModelSignature.EMPTY, Map.of(), Map.of(), "", null, registered, "bob"),
                audit("model.version.create", "model:x/2")).value();
        assertThat(failed.runId()).isNull();
        assertThat(store.finishModelVersion(model.name(), 2, VersionStatus.FAILED, null, "upload: disk full",
                finished, audit("model.version.finish", "model:x/2")))
                .returns(VersionStatus.FAILED, ModelVersion::status).returns("upload: disk full",
                        ModelVersion::statusMessage).returns(null, ModelVersion::artifact)
                .returns(finished, ModelVersion::updatedTime);
    }

    @Test
    @DisplayName("the governance record is replaced whole, tags are set and removed, and the updated time is the"
            + " update's")
    void updates() {
        create("m");
        Governance first = Governance.builder().businessOwner("ann").confidentiality(Confidentiality.INTERNAL)
                .codeShareable(true).build();
        Instant t1 = T0.plusSeconds(10);
        store.updateModel("m", new ModelUpdate("v1", Map.of("a", "1", "b", "2"), Set.of(), first, t1),
                audit("model.update", "model:m"));
        Governance second = Governance.builder().technicalOwner("tom").build();
        Instant t2 = T0.plusSeconds(20);
        RegisteredModel updated = store.updateModel("m", new ModelUpdate(null, Map.of("b", "3", "c", "4"),
                Set.of("a", "missing"), second, t2), audit("model.update", "model:m"));
        assertThat(updated).returns("v1", RegisteredModel::description)
                .returns(Map.of("b", "3", "c", "4"), RegisteredModel::tags)
                .returns(second, RegisteredModel::governance).returns(t2, RegisteredModel::updatedTime);
        assertThat(store.getModel("m")).contains(updated);
        RegisteredModel kept = store.updateModel("m", new ModelUpdate(null, Map.of(), Set.of(), null,
                T0.plusSeconds(30)), audit("model.update", "model:m"));
        assertThat(kept.governance()).isEqualTo(second);

        register("m", 1, null);
        ModelVersion v = store.updateModelVersion("m", 1, new ModelUpdate("tuned", Map.of("x", "1", "y", "2"),
                Set.of("by"), Governance.builder().businessOwner("ignored").build(), T0.plusSeconds(40)),
                audit("model.version.update", "model:m/1"));
        assertThat(v).returns("tuned", ModelVersion::description).returns(Map.of("x", "1", "y", "2"),
                ModelVersion::tags).returns(T0.plusSeconds(40), ModelVersion::updatedTime);
        assertThat(store.getModel("m").orElseThrow().governance()).isEqualTo(second);
        refused(NotFoundException.class, () -> store.updateModel("n", new ModelUpdate("x", Map.of(), Set.of(), null,
                T0), audit("model.update", "model:n")));
        refused(NotFoundException.class, () -> store.updateModelVersion("m", 2, new ModelUpdate("x", Map.of(),
                Set.of(), null, T0), audit("model.version.update", "model:m/2")));
    }

    // ---- names --------------------------------------------------------------------------------------------------

    @Test
    @DisplayName("names are exact-case, and a name equal to another ignoring case is refused naming the other")
    void namesIgnoringCase() {
        create("Fraud");
        assertThat(store.getModel("fraud")).isEmpty();
        for (String other : List.of("fraud", "FRAUD", "fRaUd")) {
            assertThat(refused(AlreadyExistsException.class, () -> create(other))).hasMessageContaining("'Fraud'")
                    .hasMessageContaining("'" + other + "'");
        }
        long before = events();
        assertThat(store.createModel(new NewModel("Fraud", "other", Map.of("x", "y"), Governance.EMPTY, T0, "bob"),
                audit("model.create", "model:Fraud"))).returns(false, Created::created);
        assertThat(events()).isEqualTo(before);
        assertThat(store.getModel("Fraud").orElseThrow().description()).isEmpty();
        create("Fraude");
        create("\u0130stanbul");
        refused(AlreadyExistsException.class, () -> create("i\u0307stanbul"));
        assertThat(store.searchModels(ModelQuery.all(), PageRequest.first()).items()).extracting(RegisteredModel::name)
                .containsExactly("Fraud", "Fraude", "\u0130stanbul");
    }

    // ---- versions ---------------------------------------------------------------------------------------------------

    @Test
    @DisplayName("a version takes exactly the next number; a wrong number, model or run is refused and changes"
            + " nothing")
    void versionNumbers() {
        create("m");
        assertThat(refused(ConflictException.class, () -> register("m", 2, null)))
                .hasMessageContaining("the next version is 1");
        register("m", 1, null);
        for (int wrong : List.of(1, 3, 100)) {
            assertThat(refused(ConflictException.class, () -> register("m", wrong, null)))
                    .hasMessageContaining("the next version is 2");
        }
        assertThat(refused(NotFoundException.class, () -> register("nope", 1, null))).hasMessageContaining("nope");
        assertThat(refused(NotFoundException.class, () -> register("m", 2, "no-such-run")))
                .hasMessageContaining("no-such-run");
        assertThat(store.getModel("m").orElseThrow().latestVersion()).isEqualTo(1);
        assertThat(store.getModelVersion("m", 2)).isEmpty();
        register("m", 2, null);
    }

    @Test
    @DisplayName("an idempotency key already used returns that version, even with a stale number, and takes no"
            + " number")
    void idempotencyKeys() {
        create("m");
        create("n");
        NewModelVersion keyed = new NewModelVersion("m", 1, RegistryFixtures.digest(1), null, ModelSignature.EMPTY,
                Map.of(), Map.of(), "", "upload-42", T0, "alice");
        ModelVersion first = store.createModelVersion(keyed, audit("model.version.create", "model:m/1")).value();
        register("m", 2, null);
        long before = events();
        for (int number : List.of(1, 2, 3, 9)) {
            Created<ModelVersion> again = store.createModelVersion(keyed.withVersion(number),
                    audit("model.version.create", "model:m/" + number));
            assertThat(again).isEqualTo(new Created<>(first, false));
        }
        assertThat(events()).isEqualTo(before);
        assertThat(store.getModel("m").orElseThrow().latestVersion()).isEqualTo(2);
        NewModelVersion sameKeyOtherModel = new NewModelVersion("n", 1, RegistryFixtures.digest(1), null,
                ModelSignature.EMPTY, Map.of(), Map.of(), "", "upload-42", T0, "alice");
        assertThat(store.createModelVersion(sameKeyOtherModel, audit("model.version.create", "model:n/1")).created())
                .isTrue();
    }

    @Test
    @DisplayName("a version from a run is an output of the run in lineage, also when the run has finished, and the"
            + " edge stays when the version is deleted")
    void lineageOfVersions() {
        create("m");
        String run = Fixtures.createRun(store, "train", T0);
        store.addLinks(run, List.of(RunLink.output(NodeRef.model("other", 1))), audit("run.links", "run:" + run));
        store.finishRun(run, RunStatus.COMPLETED, T0.plusSeconds(1), null, audit("run.finish", "run:" + run));
        register("m", 1, run);
        NodeRef node = NodeRef.model("m", 1);
        assertThat(store.getRun(run).orElseThrow().outputs())
                .containsExactly(RunLink.output(NodeRef.model("other", 1)), RunLink.output(node));
        LineageEdge edge = new LineageEdge(NodeRef.run(run), node, EdgeKind.OUTPUT);
        assertThat(store.lineageEdges(List.of(node), Direction.UPSTREAM)).containsExactly(edge);
        assertThat(store.searchModelVersions(VersionQuery.builder().runId(run).build(), PageRequest.first()).items())
                .extracting(ModelVersion::version).containsExactly(1);
        store.deleteModelVersion("m", 1, audit("model.version.delete", "model:m/1"));
        assertThat(store.lineageEdges(List.of(node), Direction.UPSTREAM)).containsExactly(edge);
        assertThat(store.searchRuns(RunQuery.all(), PageRequest.first()).items().get(0).outputs()).contains(
                RunLink.output(node));
    }

    @Test
    @DisplayName("finishing checks the status, the artifact and the message, and happens once")
    void finishing() {
        create("m");
        ModelVersion v = register("m", 1, null);
        ArtifactRef right = new ArtifactRef(v.digest(), 3, "file:/x");
        assertThat(refused(InvalidArgumentException.class, () -> store.finishModelVersion("m", 1,
                VersionStatus.PENDING, right, null, T0, audit("f", "s"))).field()).contains("status");
        assertThat(refused(InvalidArgumentException.class, () -> store.finishModelVersion("m", 1,
                VersionStatus.READY, null, null, T0, audit("f", "s"))).field()).contains("artifact");
        assertThat(refused(InvalidArgumentException.class, () -> store.finishModelVersion("m", 1,
                VersionStatus.READY, new ArtifactRef(RegistryFixtures.digest(9), 3, "file:/y"), null, T0,
                audit("f", "s")))).returns(java.util.Optional.of("artifact"), MlopsException::field)
                .hasMessageContaining(RegistryFixtures.digest(9)).hasMessageContaining(v.digest());
        assertThat(refused(InvalidArgumentException.class, () -> store.finishModelVersion("m", 1,
                VersionStatus.FAILED, null, null, T0, audit("f", "s"))).field()).contains("message");
        refused(NotFoundException.class, () -> store.finishModelVersion("m", 2, VersionStatus.READY, right, null, T0,
                audit("f", "s")));
        assertThat(store.getModelVersion("m", 1)).contains(v);
        ready("m", 1);
        refused(ConflictException.class, () -> store.finishModelVersion("m", 1, VersionStatus.FAILED, null, "late",
                T0, audit("f", "s")));
        refused(ConflictException.class, () -> store.finishModelVersion("m", 1, VersionStatus.READY, right, null, T0,
                audit("f", "s")));
        assertThat(store.getModelVersion("m", 1).orElseThrow().status()).isEqualTo(VersionStatus.READY);
    }

    @Test
    @DisplayName("an approval is decided once; a second decision is refused and leaves the first")
    void approvals() {
        create("m");
        register("m", 1, null);
        Approval rejected = Approval.decided(ApprovalStatus.REJECTED, "carol", T0.plusSeconds(5), "bias");
        ModelVersion decided = store.decideApproval("m", 1, rejected, audit("model.version.reject", "model:m/1"));
        assertThat(decided).returns(rejected, ModelVersion::approval).returns(T0.plusSeconds(5),
                ModelVersion::updatedTime);
        for (ApprovalStatus status : List.of(ApprovalStatus.APPROVED, ApprovalStatus.REJECTED)) {
            refused(ConflictException.class, () -> store.decideApproval("m", 1,
                    Approval.decided(status, "dave", T0.plusSeconds(9), "again"), audit("a", "s")));
        }
        assertThat(store.getModelVersion("m", 1)).contains(decided);
        refused(NotFoundException.class, () -> store.decideApproval("m", 2, rejected, audit("a", "s")));
        register("m", 2, null);
        assertThat(refused(InvalidArgumentException.class, () -> store.decideApproval("m", 2, Approval.PENDING,
                audit("a", "s"))).field()).contains("decision");
        assertThat(store.getModelVersion("m", 2).orElseThrow().approval()).isEqualTo(Approval.PENDING);
    }

    @Test
    @DisplayName("aliases are compare-and-set, only on READY versions, and move the updated times of the model and"
            + " of both versions")
    void aliases() {
        create("m");
        register("m", 1, null);
        register("m", 2, null);
        register("m", 3, null);
        ready("m", 1);
        ready("m", 2);
        assertThat(refused(ConflictException.class, () -> store.setAlias("m", "prod", 3, null, T0, audit("a", "s"))))
                .hasMessageContaining("PENDING");
        refused(NotFoundException.class, () -> store.setAlias("m", "prod", 4, null, T0, audit("a", "s")));
        refused(NotFoundException.class, () -> store.setAlias("x", "prod", 1, null, T0, audit("a", "s")));

        Instant t1 = T0.plusSeconds(100);
        assertThat(store.setAlias("m", "prod", 1, null, t1, audit("model.alias.set", "model:m")))
                .isEqualTo(new AliasChange("m", "prod", null, 1));
        assertThat(refused(ConflictException.class, () -> store.setAlias("m", "prod", 2, null, T0, audit("a", "s"))))
                .hasMessageContaining("points at version 1");
        assertThat(refused(ConflictException.class, () -> store.setAlias("m", "prod", 2, 2, T0, audit("a", "s"))))
                .hasMessageContaining("points at version 1");
        assertThat(refused(ConflictException.class, () -> store.setAlias("m", "shadow", 2, 1, T0, audit("a", "s"))))
                .hasMessageContaining("does not exist");

        Instant t2 = T0.plusSeconds(200);
        assertThat(store.setAlias("m", "prod", 2, 1, t2, audit("model.alias.set", "model:m")))
                .isEqualTo(new AliasChange("m", "prod", 1, 2));
        assertThat(store.getModel("m").orElseThrow()).returns(Map.of("prod", 2), RegisteredModel::aliases)
                .returns(t2, RegisteredModel::updatedTime);
        assertThat(store.getModelVersion("m", 1).orElseThrow()).returns(List.of(), ModelVersion::aliases)
                .returns(t2, ModelVersion::updatedTime);
        assertThat(store.getModelVersion("m", 2).orElseThrow()).returns(List.of("prod"), ModelVersion::aliases)
                .returns(t2, ModelVersion::updatedTime);

        Instant t3 = T0.plusSeconds(300);
        long before = events();
        assertThat(store.setAlias("m", "prod", 2, 2, t3, audit("model.alias.set", "model:m")))
                .isEqualTo(new AliasChange("m", "prod", 2, 2));
        assertThat(events()).isEqualTo(before + 1);
        store.setAlias("m", "champion", 2, null, t3, audit("model.alias.set", "model:m"));
        assertThat(store.getModelVersion("m", 2).orElseThrow().aliases()).containsExactly("champion", "prod");

        assertThat(refused(ConflictException.class, () -> store.deleteModelVersion("m", 2, audit("d", "s"))))
                .hasMessageContaining("champion").hasMessageContaining("prod");
        refused(NotFoundException.class, () -> store.deleteAlias("m", "shadow", 2, t3, audit("a", "s")));
        refused(NotFoundException.class, () -> store.deleteAlias("x", "prod", 2, t3, audit("a", "s")));
        assertThat(refused(ConflictException.class, () -> store.deleteAlias("m", "prod", 1, t3, audit("a", "s"))))
                .hasMessageContaining("points at version 2");

        Instant t4 = T0.plusSeconds(400);
        assertThat(store.deleteAlias("m", "prod", 2, t4, audit("model.alias.delete", "model:m")))
                .isEqualTo(new AliasChange("m", "prod", 2, null));
        assertThat(store.getModel("m").orElseThrow()).returns(Map.of("champion", 2), RegisteredModel::aliases)
                .returns(t4, RegisteredModel::updatedTime);
        assertThat(store.getModelVersion("m", 2).orElseThrow()).returns(List.of("champion"), ModelVersion::aliases)
                .returns(t4, ModelVersion::updatedTime);
    }

    @Test
    @DisplayName("a deleted version is gone from reads and searches, and its number is never reused")
    void deletingVersions() {
        create("m");
        register("m", 1, null);
        register("m", 2, null);
        store.updateModelVersion("m", 2, new ModelUpdate(null, Map.of("k", "v"), Set.of(), null, T0),
                audit("u", "s"));
        store.deleteModelVersion("m", 2, audit("model.version.delete", "model:m/2"));
        assertThat(store.getModelVersion("m", 2)).isEmpty();
        assertThat(store.searchModelVersions(VersionQuery.of("m"), PageRequest.first()).items())
                .extracting(ModelVersion::version).containsExactly(1);
        assertThat(store.searchModelVersions(VersionQuery.builder().tag("k", "v").build(), PageRequest.first())
                .items()).isEmpty();
        assertThat(store.getModel("m").orElseThrow().latestVersion()).isEqualTo(2);
        refused(NotFoundException.class, () -> store.deleteModelVersion("m", 2, audit("d", "s")));
        refused(ConflictException.class, () -> register("m", 2, null));
        assertThat(register("m", 3, null).tags()).isEqualTo(Map.of("by", "alice"));
    }

    @Test
    @DisplayName("appendAuditEvent appends exactly the event")
    void auditOnly() {
        create("m");
        long before = events();
        store.appendAuditEvent(Fixtures.audit("mallory", "access.denied", "model:m"));
        assertThat(events()).isEqualTo(before + 1);
        assertThat(store.auditHead().orElseThrow()).returns("access.denied", e -> e.action())
                .returns("mallory", e -> e.actor());
        RegistryMigrationTest.assertVerifies(store, (int) before + 1);
    }

    // ---- searches ---------------------------------------------------------------------------------------------------

    /** A random name of 1 to 4 characters of {@link #NAME_CHARS} (surrogate pairs kept whole), not blank. */
    private static String randomName(SplittableRandom random) {
        int[] points = NAME_CHARS.codePoints().toArray();
        while (true) {
            StringBuilder name = new StringBuilder();
            int length = 1 + random.nextInt(4);
            for (int i = 0; i < length; i++) {
                name.appendCodePoint(points[random.nextInt(points.length)]);
            }
            String s = name.toString();
            if (!s.isBlank() && s.equals(s.strip()) && s.charAt(0) != '/') {
                return s;
            }
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3})
    @DisplayName("model searches return exactly the matching models in String.compareTo order, page after page")
    void modelSearches(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<RegisteredModel> all = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            String name = randomName(random);
            Map<String, String> tags = new TreeMap<>();
            for (String key : List.of("team", "tier", "|")) {
                if (random.nextInt(3) > 0) {
                    tags.put(key, List.of("a", "b", "A").get(random.nextInt(3)));
                }
            }
            Governance governance = random.nextBoolean() ? Governance.EMPTY
                    : Governance.builder().businessOwner(List.of("ann", "Ann", "bo").get(random.nextInt(3))).build();
            NewModel model = new NewModel(name, "", tags, governance, T0, "alice");
            java.util.Optional<RegisteredModel> same = all.stream()
                    .filter(m -> ModelTable.nameKey(m.name()).equals(ModelTable.nameKey(name))).findFirst();
            if (same.isPresent() && !same.get().name().equals(name)) {
                assertThatThrownBy(() -> store.createModel(model, audit("model.create", "model:" + name)))
                        .isInstanceOf(AlreadyExistsException.class).hasMessageContaining(same.get().name());
            } else {
                Created<RegisteredModel> created = store.createModel(model, audit("model.create", "model:" + name));
                assertThat(created.created()).isEqualTo(same.isEmpty());
                if (created.created()) {
                    all.add(created.value());
                }
            }
        }
        for (int q = 0; q < 40; q++) {
            ModelQuery.Builder query = ModelQuery.builder();
            if (random.nextBoolean()) {
                String prefix = randomName(random);
                if (random.nextBoolean()) {
                    String existing = all.get(random.nextInt(all.size())).name();
                    prefix = existing.substring(0, 1 + random.nextInt(existing.length()));
                }
                query.namePrefix(prefix);
            }
            if (random.nextInt(3) == 0) {
                query.tag(List.of("team", "tier", "|").get(random.nextInt(3)),
                        List.of("a", "b").get(random.nextInt(2)));
            }
            if (random.nextInt(4) == 0) {
                query.businessOwner(List.of("ann", "Ann", "bo").get(random.nextInt(3)));
            }
            ModelQuery built = query.build();
            List<RegisteredModel> expected = all.stream().filter(built::matches)
                    .sorted(Comparator.comparing(RegisteredModel::name)).toList();
            int size = 1 + random.nextInt(7);
            assertThat(JdbcStoreBehaviourTest.readAll(p -> store.searchModels(built, p), size))
                    .as("query %s, pages of %d", built, size).isEqualTo(expected);
        }
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2})
    @DisplayName("version searches return exactly the matching versions ordered by model name and number, page"
            + " after page")
    void versionSearches(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<String> runs = List.of(Fixtures.createRun(store, "a", T0), Fixtures.createRun(store, "b", T0));
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            String name = randomName(random);
            if (store.getModel(name).isEmpty() && names.stream().noneMatch(n -> ModelTable.nameKey(n)
                    .equals(ModelTable.nameKey(name)))) {
                create(name);
                names.add(name);
            }
        }
        for (int i = 0; i < 80; i++) {
            String name = names.get(random.nextInt(names.size()));
            int number = store.getModel(name).orElseThrow().latestVersion() + 1;
            String run = random.nextBoolean() ? null : runs.get(random.nextInt(2));
            Map<String, String> tags = random.nextBoolean() ? Map.of() : Map.of("k", random.nextBoolean() ? "x" : "y");
            store.createModelVersion(new NewModelVersion(name, number, RegistryFixtures.digest(i), run,
                    ModelSignature.EMPTY, Map.of(), tags, "", null, T0, "alice"), audit("c", "s"));
            switch (random.nextInt(4)) {
                case 0 -> ready(name, number);
                case 1 -> store.finishModelVersion(name, number, VersionStatus.FAILED, null, "no", T0, audit("f", "s"));
                default -> {
                }
            }
            if (random.nextInt(3) == 0) {
                store.decideApproval(name, number, Approval.decided(random.nextBoolean() ? ApprovalStatus.APPROVED
                        : ApprovalStatus.REJECTED, "carol", T0, "r"), audit("a", "s"));
            }
            if (random.nextInt(8) == 0) {
                store.deleteModelVersion(name, number, audit("d", "s"));
            }
        }
        List<ModelVersion> all = JdbcStoreBehaviourTest.readAll(p -> store.searchModelVersions(VersionQuery.all(), p),
                PageRequest.MAX_PAGE_SIZE);
        assertThat(all).isSortedAccordingTo(Comparator.comparing(ModelVersion::modelName)
                .thenComparingInt(ModelVersion::version));
        for (ModelVersion v : all) {
            assertThat(store.getModelVersion(v.modelName(), v.version())).contains(v);
        }
        for (int q = 0; q < 40; q++) {
            VersionQuery.Builder query = VersionQuery.builder();
            if (random.nextBoolean()) {
                query.modelName(random.nextInt(5) == 0 ? randomName(random) : names.get(random.nextInt(names.size())));
            }
            if (random.nextInt(3) == 0) {
                query.status(VersionStatus.values()[random.nextInt(3)]);
            }
            if (random.nextInt(3) == 0) {
                query.approval(ApprovalStatus.values()[random.nextInt(3)]);
            }
            if (random.nextInt(4) == 0) {
                query.runId(runs.get(random.nextInt(2)));
            }
            if (random.nextInt(4) == 0) {
                query.tag("k", random.nextBoolean() ? "x" : "y");
            }
            VersionQuery built = query.build();
            List<ModelVersion> expected = all.stream().filter(built::matches).toList();
            int size = 1 + random.nextInt(9);
            assertThat(JdbcStoreBehaviourTest.readAll(p -> store.searchModelVersions(built, p), size))
                    .as("query %s, pages of %d", built, size).isEqualTo(expected);
        }
    }

    @Test
    @DisplayName("a page token that is not one of the listing is refused naming field pageToken")
    void malformedTokens() {
        create("a|b");
        create("c");
        register("c", 1, null);
        register("c", 2, null);
        String modelToken = store.searchModels(ModelQuery.all(), PageRequest.first(1)).nextPageToken();
        String versionToken = store.searchModelVersions(VersionQuery.all(), PageRequest.first(1)).nextPageToken();
        assertThat(store.searchModels(ModelQuery.all(), new PageRequest(1, modelToken)).items())
                .extracting(RegisteredModel::name).containsExactly("c");
        assertThat(store.searchModelVersions(VersionQuery.all(), new PageRequest(5, versionToken)).items())
                .extracting(ModelVersion::version).containsExactly(2);
        String runsToken = Base64.getUrlEncoder().withoutPadding().encodeToString("runs|1|x".getBytes());
        String badNumber = Base64.getUrlEncoder().withoutPadding().encodeToString("versions|x|c".getBytes());
        for (String token : List.of("%%%", "not base64!", runsToken, versionToken, badNumber)) {
            assertThat(refused(InvalidArgumentException.class, () -> store.searchModels(ModelQuery.all(),
                    new PageRequest(1, token))).field()).as(token).contains("pageToken");
        }
        for (String token : List.of("%%%", runsToken, modelToken, badNumber)) {
            assertThat(refused(InvalidArgumentException.class, () -> store.searchModelVersions(VersionQuery.all(),
                    new PageRequest(1, token))).field()).as(token).contains("pageToken");
        }
    }

    // ---- closed -----------------------------------------------------------------------------------------------------

    static Stream<String> registryCalls() {
        return calls().keySet().stream();
    }

    /** Every registry method of the SPI, with arguments that would succeed on an open store. */
    private static Map<String, Consumer<JdbcStore>> calls() {
        Map<String, Consumer<JdbcStore>> calls = new LinkedHashMap<>();
        calls.put("createModel", s -> s.createModel(RegistryFixtures.newModel("n"), audit("c", "s")));
        calls.put("getModel", s -> s.getModel("m"));
        calls.put("searchModels", s -> s.searchModels(ModelQuery.all(), PageRequest.first()));
        calls.put("updateModel", s -> s.updateModel("m", new ModelUpdate("d", Map.of(), Set.of(), null, T0),
                audit("u", "s")));
        calls.put("createModelVersion", s -> s.createModelVersion(RegistryFixtures.newVersion("m", 2, null, "a"),
                audit("c", "s")));
        calls.put("getModelVersion", s -> s.getModelVersion("m", 1));
        calls.put("searchModelVersions", s -> s.searchModelVersions(VersionQuery.all(), PageRequest.first()));
        calls.put("finishModelVersion", s -> s.finishModelVersion("m", 1, VersionStatus.PENDING, null, null, T0,
                audit("f", "s")));
        calls.put("updateModelVersion", s -> s.updateModelVersion("m", 1, new ModelUpdate("d", Map.of(), Set.of(),
                null, T0), audit("u", "s")));
        calls.put("decideApproval", s -> s.decideApproval("m", 1, Approval.decided(ApprovalStatus.APPROVED, "c", T0,
                "r"), audit("a", "s")));
        calls.put("setAlias", s -> s.setAlias("m", "prod", 1, null, T0, audit("a", "s")));
        calls.put("deleteAlias", s -> s.deleteAlias("m", "prod", 1, T0, audit("a", "s")));
        calls.put("deleteModelVersion", s -> s.deleteModelVersion("m", 1, audit("d", "s")));
        calls.put("appendAuditEvent", s -> s.appendAuditEvent(audit("x", "s")));
        return calls;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("registryCalls")
    @DisplayName("after close, every registry method fails with STORAGE, whatever its arguments")
    void closedStore(String call) {
        create("m");
        register("m", 1, null);
        store.close();
        assertThatThrownBy(() -> calls().get(call).accept(store)).isInstanceOf(StorageException.class)
                .hasMessageContaining("closed");
    }
}
