package dev.mlops.tck;

import static dev.mlops.tck.KitSupport.allAuditEvents;
import static dev.mlops.tck.KitSupport.assertChainIntact;
import static dev.mlops.tck.TckData.artifact;
import static dev.mlops.tck.TckData.at;
import static dev.mlops.tck.TckData.audit;
import static dev.mlops.tck.TckData.datasetNode;
import static dev.mlops.tck.TckData.decision;
import static dev.mlops.tck.TckData.governance;
import static dev.mlops.tck.TckData.model;
import static dev.mlops.tck.TckData.modelDigest;
import static dev.mlops.tck.TckData.newModel;
import static dev.mlops.tck.TckData.newVersion;
import static dev.mlops.tck.TckData.runId;
import static dev.mlops.tck.TckData.update;
import static dev.mlops.tck.TckData.version;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.mlops.AlreadyExistsException;
import dev.mlops.ConflictException;
import dev.mlops.Created;
import dev.mlops.InvalidArgumentException;
import dev.mlops.NotFoundException;
import dev.mlops.audit.AuditChain;
import dev.mlops.audit.AuditEvent;
import dev.mlops.lineage.Direction;
import dev.mlops.lineage.EdgeKind;
import dev.mlops.lineage.LineageEdge;
import dev.mlops.lineage.NodeRef;
import dev.mlops.registry.AliasChange;
import dev.mlops.registry.Approval;
import dev.mlops.registry.ApprovalStatus;
import dev.mlops.registry.Governance;
import dev.mlops.registry.ModelQuery;
import dev.mlops.registry.ModelSignature;
import dev.mlops.registry.ModelVersion;
import dev.mlops.registry.NewModel;
import dev.mlops.registry.NewModelVersion;
import dev.mlops.registry.RegisteredModel;
import dev.mlops.registry.VersionQuery;
import dev.mlops.registry.VersionStatus;
import dev.mlops.spi.MetadataStore;
import dev.mlops.spi.PendingAuditEvent;
import dev.mlops.tracking.Run;
import dev.mlops.tracking.RunLink;
import dev.mlops.tracking.RunStatus;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The model registry part of the kit: models, numbered versions, two-phase registration, approvals, aliases,
 * deletion, searches, concurrency, atomicity and audit events, as the registry methods of {@link MetadataStore} and
 * the records of {@code dev.mlops.registry} specify them. The groups on searches, pagination, concurrency,
 * atomicity and the closed store are inherited from {@link ModelRegistryConsistencyKit}.
 * {@link MetadataStoreCompatibilityKit} extends this class, so its subclasses run all of these groups too; extend
 * this class alone to check only the registry.
 *
 * <p>Beyond the Javadoc, the groups pin down these rules: a new model has {@code updatedTime = createdTime},
 * {@code latestVersion} 0 and no aliases; a new version stores {@code updatedTime = createdTime} and sets the model's
 * {@code latestVersion} and {@code updatedTime} (to the version's created time); an update sets {@code updatedTime}
 * to its time; an approval sets the version's {@code updatedTime} to the decision's time; an alias change sets the
 * {@code updatedTime} of the model and of the versions gaining or losing the alias; searches are keyset-paginated
 * like run searches; every successful mutation appends exactly its one audit event, every refused one nothing.
 */
public abstract class ModelRegistryCompatibilityKit extends ModelRegistryConsistencyKit {

    // ---- tests ------------------------------------------------------------------------------------------------

    @Nested
    @DisplayName("registry: creating models")
    class ModelCreation {

        @Test
        @DisplayName("a new model keeps what it was given, has no versions (latestVersion 0) and no aliases, its"
                + " updated time is its created time, and one audit event is appended")
        void createsModel() {
            NewModel m = model(CHURN).description("which customers leave").tag("tier", "gold")
                    .governance(governance("sales-ops")).created(at(42)).createdBy("dora").build();
            AuditEvent before = head();
            PendingAuditEvent pending = audit("model.create", subject(CHURN), "{\"name\":\"churn\"}");

            Created<RegisteredModel> created = store.createModel(m, pending);

            assertThat(created.created()).isTrue();
            assertThat(created.value()).isEqualTo(new RegisteredModel(CHURN, "which customers leave",
                    Map.of("team", "tck", "tier", "gold"), governance("sales-ops"), Map.of(), 0, at(42), "dora",
                    at(42)));
            assertThat(store.getModel(CHURN)).contains(created.value());
            assertAppended(before, pending);
        }

        @Test
        @DisplayName("a model with an empty description, no tags and an empty governance record keeps them so")
        void minimalModel() {
            NewModel m = new NewModel(FRAUD, "", Map.of(), Governance.EMPTY, at(7), "erin");
            RegisteredModel created = createModel(m);
            assertThat(created).isEqualTo(new RegisteredModel(FRAUD, "", Map.of(), Governance.EMPTY, Map.of(), 0,
                    at(7), "erin", at(7)));
            assertThat(store.getModel(FRAUD)).contains(created);
        }

        @Test
        @DisplayName("creating a model of an existing exact name returns the stored model as it is now with"
                + " created=false, whatever the new request says, and appends no audit event")
        void idempotentCreate() {
            createModel(CHURN);
            store.updateModel(CHURN, update(50).description("changed").setTag("k", "v").build(),
                    audit("model.update", subject(CHURN)));
            readyVersion(CHURN);
            RegisteredModel now = getModel(CHURN);
            List<Object> before = registryState();

            Created<RegisteredModel> again = store.createModel(model(CHURN).description("other").tag("x", "y")
                    .governance(governance("someone")).created(at(99)).createdBy("mallory").build(),
                    audit("model.create", subject(CHURN)));

            assertThat(again.created()).isFalse();
            assertThat(again.value()).isEqualTo(now);
            assertThat(registryState()).isEqualTo(before);
        }

        @ParameterizedTest(name = "\"{1}\" after \"{0}\"")
        @CsvSource({"churn,Churn", "churn,CHURN", "churn,cHuRn", "Fraud-Detector,fraud-detector",
                "Fraud-Detector,FRAUD-DETECTOR", "été,ÉTÉ", "Øre_model,øRE_MODEL"})
        @DisplayName("a name equal to an existing one ignoring case is ALREADY_EXISTS naming the existing model;"
                + " nothing is stored and no event appended")
        void caseInsensitiveNames(String existing, String attempt) {
            createModel(existing);
            List<Object> before = registryState();

            assertThatThrownBy(() -> store.createModel(newModel(attempt), audit("model.create", subject(attempt))))
                    .isInstanceOf(AlreadyExistsException.class)
                    .hasMessageContaining(existing);

            assertThat(store.getModel(attempt)).isEmpty();
            assertThat(registryState()).isEqualTo(before);
        }

        @Test
        @DisplayName("getModel is exact-case: only the stored spelling finds the model")
        void exactCaseLookup() {
            RegisteredModel m = createModel("Churn");
            assertThat(store.getModel("Churn")).contains(m);
            assertThat(store.getModel("churn")).isEmpty();
            assertThat(store.getModel("CHURN")).isEmpty();
            assertThat(store.getModel("Chur")).isEmpty();
            assertThat(store.getModel("nothing")).isEmpty();
        }

        @Test
        @DisplayName("names that differ in more than case are different models")
        void similarNames() {
            for (String name : List.of(CHURN, "churn-eu", "churn.v", "churn_", "chur", "xchurn")) {
                createModel(name);
            }
            assertThat(names(models(ModelQuery.all())))
                    .containsExactly("chur", CHURN, "churn-eu", "churn.v", "churn_", "xchurn");
        }
    }

    @Nested
    @DisplayName("registry: changing models")
    class ModelUpdates {

        @Test
        @DisplayName("an update sets the description, sets and removes tags (a missing key is ignored), replaces the"
                + " governance record, sets the updated time, keeps the rest and appends one event")
        void fullUpdate() {
            createModel(model(CHURN).tag("keep", "1").tag("drop", "2").build());
            readyVersion(CHURN);
            setAlias(CHURN, PRODUCTION, 1, null, 40);
            RegisteredModel before = getModel(CHURN);
            AuditEvent head = head();
            PendingAuditEvent pending = audit("model.update", subject(CHURN));

            RegisteredModel after = store.updateModel(CHURN, update(50).description("new text").setTag("team", "ml")
                    .setTag("added", "a").removeTag("drop").removeTag("absent").governance(governance("sales"))
                    .build(), pending);

            assertThat(after).isEqualTo(new RegisteredModel(CHURN, "new text",
                    Map.of("team", "ml", "keep", "1", "added", "a"), governance("sales"), Map.of(PRODUCTION, 1), 1,
                    before.createdTime(), before.createdBy(), at(50)));
            assertThat(store.getModel(CHURN)).contains(after);
            assertAppended(head, pending);
        }

        @Test
        @DisplayName("an update without description or governance and with no tags changes only the updated time")
        void emptyUpdate() {
            RegisteredModel before = createModel(model(CHURN).governance(governance("sales")).build());

            RegisteredModel after = store.updateModel(CHURN, update(60).build(),
                    audit("model.update", subject(CHURN)));

            assertThat(after).isEqualTo(new RegisteredModel(CHURN, before.description(), before.tags(),
                    before.governance(), Map.of(), 0, before.createdTime(), before.createdBy(), at(60)));
            assertThat(store.getModel(CHURN)).contains(after);
        }

        @Test
        @DisplayName("the governance record is replaced whole: components missing from the new record become null")
        void governanceReplacedWhole() {
            createModel(model(CHURN).governance(governance("sales")).build());
            Governance partial = Governance.builder().technicalOwner("sre").build();

            RegisteredModel after = store.updateModel(CHURN, update(70).governance(partial).build(),
                    audit("model.update", subject(CHURN)));
            assertThat(after.governance()).isEqualTo(partial);
            assertThat(after.governance().businessOwner()).isNull();
            assertThat(after.governance().approverRole()).isNull();

            after = store.updateModel(CHURN, update(71).governance(Governance.EMPTY).build(),
                    audit("model.update", subject(CHURN)));
            assertThat(after.governance()).isEqualTo(Governance.EMPTY);
            assertThat(getModel(CHURN).governance()).isEqualTo(Governance.EMPTY);
        }

        @Test
        @DisplayName("an update leaves the model's versions as they were")
        void updateKeepsVersions() {
            createModel(CHURN);
            ModelVersion v = readyVersion(CHURN);
            store.updateModel(CHURN, update(80).description("d").setTag("x", "1").governance(governance("s"))
                    .build(), audit("model.update", subject(CHURN)));
            assertThat(store.getModelVersion(CHURN, 1)).contains(v);
        }
    }

    @Nested
    @DisplayName("registry: registering versions")
    class VersionRegistration {

        @Test
        @DisplayName("a new version is PENDING, approval PENDING, without artifact, status message or aliases, keeps"
                + " what it was given, and its model's latestVersion and updated time follow it; one event")
        void registersVersion() {
            createModel(CHURN);
            createRun(1);
            NewModelVersion v = version(CHURN, 1).run(runId(1)).metric("loss", 0.25).tag("owner", "dora")
                    .description("first try").idempotencyKey("build-17").created(at(77)).createdBy("dora").build();
            AuditEvent before = head();
            PendingAuditEvent pending = audit("model.version.create", subject(CHURN, 1));

            Created<ModelVersion> created = store.createModelVersion(v, pending);

            assertThat(created.created()).isTrue();
            assertThat(created.value()).isEqualTo(new ModelVersion(CHURN, 1, modelDigest(CHURN, 1), null,
                    VersionStatus.PENDING, null, runId(1), TckData.SIGNATURE, Map.of("auc", 0.875, "loss", 0.25),
                    Map.of("stage", "candidate", "owner", "dora"), "first try", Approval.PENDING, List.of(), at(77),
                    "dora", at(77)));
            assertThat(store.getModelVersion(CHURN, 1)).contains(created.value());
            RegisteredModel m = getModel(CHURN);
            assertThat(m.latestVersion()).isEqualTo(1);
            assertThat(m.updatedTime()).isEqualTo(at(77));
            assertAppended(before, pending);
        }

        @Test
        @DisplayName("a version without run, metrics, tags or signature columns keeps them absent")
        void minimalVersion() {
            createModel(CHURN);
            NewModelVersion v = new NewModelVersion(CHURN, 1, modelDigest(CHURN, 1), null, ModelSignature.EMPTY,
                    Map.of(), Map.of(), "", null, at(5), "erin");
            ModelVersion stored = register(v);
            assertThat(stored).isEqualTo(new ModelVersion(CHURN, 1, modelDigest(CHURN, 1), null,
                    VersionStatus.PENDING, null, null, ModelSignature.EMPTY, Map.of(), Map.of(), "", Approval.PENDING,
                    List.of(), at(5), "erin", at(5)));
            assertThat(store.getModelVersion(CHURN, 1)).contains(stored);
            assertThat(store.lineageEdges(List.of(stored.node()), Direction.BOTH)).isEmpty();
        }

        @Test
        @DisplayName("versions are numbered 1, 2, 3, ... each taking latestVersion + 1, independently per model")
        void numbering() {
            createModel(CHURN);
            createModel(FRAUD);
            for (int i = 1; i <= 4; i++) {
                assertThat(register(newVersion(CHURN, i)).version()).isEqualTo(i);
                RegisteredModel m = getModel(CHURN);
                assertThat(m.latestVersion()).isEqualTo(i);
                assertThat(m.updatedTime()).isEqualTo(at(2000 + i));
            }
            assertThat(register(newVersion(FRAUD, 1)).version()).isEqualTo(1);
            assertThat(numbers(versions(VersionQuery.of(CHURN)))).containsExactly(1, 2, 3, 4);
            assertThat(numbers(versions(VersionQuery.of(FRAUD)))).containsExactly(1);
            assertThat(getModel(FRAUD).latestVersion()).isEqualTo(1);
        }

        @ParameterizedTest(name = "asking for {0}")
        @ValueSource(ints = {1, 2, 4, 9})
        @DisplayName("a number other than latestVersion + 1 is CONFLICT saying the next number; nothing is stored"
                + " and no event appended")
        void wrongNumber(int asked) {
            createModel(CHURN);
            registerNext(CHURN);
            registerNext(CHURN);
            List<Object> before = registryState();

            assertThatThrownBy(() -> createVersion(newVersion(CHURN, asked)))
                    .isInstanceOf(ConflictException.class)
                    .hasMessageContaining("3");

            assertThat(registryState()).isEqualTo(before);
            assertThat(register(newVersion(CHURN, 3)).version()).isEqualTo(3);
        }

        @Test
        @DisplayName("a version whose run does not exist is NOT_FOUND naming the run; nothing is stored and no"
                + " number is taken")
        void unknownRun() {
            createModel(CHURN);
            createRun(1);
            List<Object> before = registryState(List.of(runId(1), runId(9)), List.of());

            assertThatThrownBy(() -> createVersion(version(CHURN, 1).run(runId(9)).build()))
                    .isInstanceOf(NotFoundException.class)
                    .hasMessageContaining(runId(9));

            assertThat(registryState(List.of(runId(1), runId(9)), List.of())).isEqualTo(before);
            assertThat(register(version(CHURN, 1).run(runId(1)).build()).runId()).isEqualTo(runId(1));
        }

        @ParameterizedTest(name = "{0} run")
        @EnumSource(RunStatus.class)
        @DisplayName("a version with a run adds the lineage edge run -> model:NAME/VERSION of kind OUTPUT, listed"
                + " among the run's outputs, whatever the run's status")
        void lineageEdge(RunStatus status) {
            createModel(CHURN);
            createRun(1);
            NodeRef input = datasetNode("train", "rows");
            store.addLinks(runId(1), List.of(RunLink.input(input)), audit("run.links", "run:" + runId(1)));
            if (status != RunStatus.RUNNING) {
                store.finishRun(runId(1), status, at(500), status == RunStatus.COMPLETED ? null : "boom",
                        audit("run.finish", "run:" + runId(1)));
            }
            Run runBefore = store.getRun(runId(1)).orElseThrow();

            ModelVersion v = register(version(CHURN, 1).run(runId(1)).build());

            NodeRef node = NodeRef.model(CHURN, 1);
            assertThat(v.node()).isEqualTo(node);
            LineageEdge edge = new LineageEdge(NodeRef.run(runId(1)), node, EdgeKind.OUTPUT);
            assertThat(store.lineageEdges(List.of(node), Direction.UPSTREAM)).containsExactly(edge);
            assertThat(store.lineageEdges(List.of(node), Direction.BOTH)).containsExactly(edge);
            assertThat(store.lineageEdges(List.of(node), Direction.DOWNSTREAM)).isEmpty();
            assertThat(store.lineageEdges(List.of(NodeRef.run(runId(1))), Direction.DOWNSTREAM))
                    .containsExactly(edge);
            assertThat(store.lineageEdges(List.of(NodeRef.run(runId(1))), Direction.UPSTREAM))
                    .containsExactly(new LineageEdge(input, NodeRef.run(runId(1)), EdgeKind.INPUT));
            Run runAfter = store.getRun(runId(1)).orElseThrow();
            assertThat(runAfter.outputs()).containsExactly(RunLink.output(node));
            assertThat(runAfter.inputs()).isEqualTo(runBefore.inputs());
            assertThat(runAfter.status()).isEqualTo(status);
            assertThat(runAfter.endTime()).isEqualTo(runBefore.endTime());
        }

        @Test
        @DisplayName("two versions from one run are two outputs of it, and versions search by run finds both")
        void twoVersionsFromOneRun() {
            createModel(CHURN);
            createModel(FRAUD);
            createRun(1);
            register(version(CHURN, 1).run(runId(1)).build());
            register(version(FRAUD, 1).run(runId(1)).build());
            register(version(CHURN, 2).build());

            assertThat(store.getRun(runId(1)).orElseThrow().outputs()).extracting(RunLink::node)
                    .containsExactlyInAnyOrder(NodeRef.model(CHURN, 1), NodeRef.model(FRAUD, 1));
            assertThat(refs(versions(VersionQuery.builder().runId(runId(1)).build())))
                    .containsExactly("churn/1", "fraud/1");
        }
    }

    @Nested
    @DisplayName("registry: idempotent version registration")
    class Idempotency {

        @ParameterizedTest(name = "asking for number {0}")
        @ValueSource(ints = {1, 2, 3, 7})
        @DisplayName("registering again with a key already used for the model returns that version with"
                + " created=false, appends no event and takes no number, whatever number it asks for")
        void sameKey(int asked) {
            createModel(CHURN);
            ModelVersion first = register(version(CHURN, 1).idempotencyKey("build-1").build());
            registerNext(CHURN);
            List<Object> before = registryState();

            Created<ModelVersion> again = createVersion(version(CHURN, asked).idempotencyKey("build-1")
                    .digest(modelDigest(CHURN, 99)).tag("other", "content").build());

            assertThat(again.created()).isFalse();
            assertThat(again.value()).isEqualTo(first);
            assertThat(registryState()).isEqualTo(before);
            assertThat(register(newVersion(CHURN, 3)).version()).isEqualTo(3);
        }

        @Test
        @DisplayName("the version returned for a used key is the version as it is now")
        void returnsCurrentState() {
            createModel(CHURN);
            register(version(CHURN, 1).idempotencyKey("k").build());
            makeReady(CHURN, 1);
            decide(CHURN, 1, ApprovalStatus.APPROVED, 90);
            setAlias(CHURN, PRODUCTION, 1, null, 91);

            Created<ModelVersion> again = createVersion(version(CHURN, 2).idempotencyKey("k").build());

            assertThat(again.created()).isFalse();
            assertThat(again.value()).isEqualTo(getVersion(CHURN, 1));
            assertThat(again.value().status()).isEqualTo(VersionStatus.READY);
            assertThat(again.value().aliases()).containsExactly(PRODUCTION);
        }

        @Test
        @DisplayName("keys are per model: the same key registers a new version of another model; other keys and no"
                + " key register new versions")
        void keysPerModel() {
            createModel(CHURN);
            createModel(FRAUD);
            register(version(CHURN, 1).idempotencyKey("k").build());

            assertThat(createVersion(version(FRAUD, 1).idempotencyKey("k").build()).created()).isTrue();
            assertThat(createVersion(version(CHURN, 2).idempotencyKey("K").build()).created()).isTrue();
            assertThat(createVersion(version(CHURN, 3).build()).created()).isTrue();
            assertThat(createVersion(version(CHURN, 4).build()).created()).isTrue();
            assertThat(getModel(CHURN).latestVersion()).isEqualTo(4);
            assertThat(getModel(FRAUD).latestVersion()).isEqualTo(1);
        }
    }

    @Nested
    @DisplayName("registry: finishing registrations, PENDING -> READY | FAILED")
    class VersionFinishing {

        @Test
        @DisplayName("READY with the declared digest stores the artifact, sets the updated time, keeps the rest and"
                + " appends one event")
        void ready() {
            createModel(CHURN);
            ModelVersion pending = registerNext(CHURN);
            AuditEvent before = head();
            PendingAuditEvent event = audit("model.version.finish", subject(CHURN, 1));

            ModelVersion ready = store.finishModelVersion(CHURN, 1, VersionStatus.READY,
                    artifact(modelDigest(CHURN, 1)), null, at(300), event);

            assertThat(ready).isEqualTo(new ModelVersion(CHURN, 1, pending.digest(), artifact(modelDigest(CHURN, 1)),
                    VersionStatus.READY, null, null, pending.signature(), pending.metrics(), pending.tags(),
                    pending.description(), Approval.PENDING, List.of(), pending.createdTime(), pending.createdBy(),
                    at(300)));
            assertThat(ready.storedArtifact()).contains(artifact(modelDigest(CHURN, 1)));
            assertThat(store.getModelVersion(CHURN, 1)).contains(ready);
            assertAppended(before, event);
        }

        @ParameterizedTest(name = "artifact given: {0}")
        @ValueSource(booleans = {false, true})
        @DisplayName("FAILED stores the message, no artifact, sets the updated time and appends one event")
        void failed(boolean artifactGiven) {
            createModel(CHURN);
            ModelVersion pending = registerNext(CHURN);
            AuditEvent before = head();
            PendingAuditEvent event = audit("model.version.finish", subject(CHURN, 1));

            ModelVersion failed = store.finishModelVersion(CHURN, 1, VersionStatus.FAILED,
                    artifactGiven ? artifact(modelDigest(CHURN, 1)) : null, "digest mismatch after upload", at(310),
                    event);

            assertThat(failed).isEqualTo(new ModelVersion(CHURN, 1, pending.digest(), null, VersionStatus.FAILED,
                    "digest mismatch after upload", null, pending.signature(), pending.metrics(), pending.tags(),
                    pending.description(), Approval.PENDING, List.of(), pending.createdTime(), pending.createdBy(),
                    at(310)));
            assertThat(store.getModelVersion(CHURN, 1)).contains(failed);
            assertAppended(before, event);
        }

        @Test
        @DisplayName("finishing as PENDING is INVALID_ARGUMENT on field status; nothing changes")
        void finishAsPending() {
            createModel(CHURN);
            registerNext(CHURN);
            List<Object> before = registryState();

            assertThatThrownBy(() -> store.finishModelVersion(CHURN, 1, VersionStatus.PENDING,
                    artifact(modelDigest(CHURN, 1)), null, at(300), audit("model.version.finish", subject(CHURN, 1))))
                    .isInstanceOfSatisfying(InvalidArgumentException.class,
                            e -> assertThat(e.field()).as("field").contains("status"));

            assertThat(registryState()).isEqualTo(before);
        }

        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {"no artifact", "an artifact with another digest"})
        @DisplayName("READY without the artifact of the declared digest is INVALID_ARGUMENT on field artifact;"
                + " nothing changes, and READY with the right artifact still works")
        void readyNeedsMatchingArtifact(String wrong) {
            createModel(CHURN);
            registerNext(CHURN);
            List<Object> before = registryState();

            assertThatThrownBy(() -> store.finishModelVersion(CHURN, 1, VersionStatus.READY,
                    wrong.equals("no artifact") ? null : artifact(modelDigest(CHURN, 2)), null, at(300),
                    audit("model.version.finish", subject(CHURN, 1))))
                    .isInstanceOfSatisfying(InvalidArgumentException.class,
                            e -> assertThat(e.field()).as("field").contains("artifact"));

            assertThat(registryState()).isEqualTo(before);
            assertThat(makeReady(CHURN, 1).status()).isEqualTo(VersionStatus.READY);
        }

        @Test
        @DisplayName("FAILED without a message is INVALID_ARGUMENT; nothing changes")
        void failedNeedsMessage() {
            createModel(CHURN);
            registerNext(CHURN);
            List<Object> before = registryState();

            assertThatThrownBy(() -> store.finishModelVersion(CHURN, 1, VersionStatus.FAILED, null, null, at(300),
                    audit("model.version.finish", subject(CHURN, 1))))
                    .isInstanceOf(InvalidArgumentException.class);

            assertThat(registryState()).isEqualTo(before);
        }

        @ParameterizedTest(name = "{0} then {1}")
        @CsvSource({"READY,READY", "READY,FAILED", "FAILED,READY", "FAILED,FAILED"})
        @DisplayName("a version that is no longer PENDING cannot be finished again: CONFLICT naming the version,"
                + " first outcome kept, no event")
        void finishTwice(VersionStatus first, VersionStatus second) {
            createModel(CHURN);
            registerNext(CHURN);
            if (first == VersionStatus.READY) {
                makeReady(CHURN, 1);
            } else {
                makeFailed(CHURN, 1);
            }
            List<Object> before = registryState();

            assertThatThrownBy(() -> store.finishModelVersion(CHURN, 1, second,
                    second == VersionStatus.READY ? artifact(modelDigest(CHURN, 1)) : null,
                    second == VersionStatus.FAILED ? "again" : null, at(400),
                    audit("model.version.finish", subject(CHURN, 1))))
                    .isInstanceOf(ConflictException.class)
                    .hasMessageContaining(CHURN);

            assertThat(registryState()).isEqualTo(before);
            assertThat(getVersion(CHURN, 1).status()).isEqualTo(first);
        }
    }

    @Nested
    @DisplayName("registry: changing versions")
    class VersionUpdates {

        @Test
        @DisplayName("an update sets the description, sets and removes tags, sets the updated time, ignores"
                + " governance and keeps the rest; one event")
        void update() {
            RegisteredModel model = createModel(model(CHURN).governance(governance("sales")).build());
            register(version(CHURN, 1).tag("drop", "x").tag("keep", "y").build());
            ModelVersion before = makeReady(CHURN, 1);
            AuditEvent head = head();
            PendingAuditEvent pending = audit("model.version.update", subject(CHURN, 1));

            ModelVersion after = store.updateModelVersion(CHURN, 1, TckData.update(500).description("retrained")
                    .setTag("stage", "shadow").setTag("new", "1").removeTag("drop").removeTag("absent")
                    .governance(governance("mallory")).build(), pending);

            assertThat(after).isEqualTo(new ModelVersion(CHURN, 1, before.digest(), before.artifact(),
                    VersionStatus.READY, null, null, before.signature(), before.metrics(),
                    Map.of("stage", "shadow", "new", "1", "keep", "y"), "retrained", Approval.PENDING, List.of(),
                    before.createdTime(), before.createdBy(), at(500)));
            assertThat(store.getModelVersion(CHURN, 1)).contains(after);
            assertThat(getModel(CHURN).governance()).isEqualTo(model.governance());
            assertAppended(head, pending);
        }

        @Test
        @DisplayName("an empty update changes only the updated time")
        void emptyUpdate() {
            createModel(CHURN);
            ModelVersion before = registerNext(CHURN);
            ModelVersion after = store.updateModelVersion(CHURN, 1, TckData.update(510).build(),
                    audit("model.version.update", subject(CHURN, 1)));
            assertThat(after).isEqualTo(new ModelVersion(CHURN, 1, before.digest(), null, VersionStatus.PENDING,
                    null, null, before.signature(), before.metrics(), before.tags(), before.description(),
                    Approval.PENDING, List.of(), before.createdTime(), before.createdBy(), at(510)));
            assertThat(store.getModelVersion(CHURN, 1)).contains(after);
        }
    }

    @Nested
    @DisplayName("registry: approvals")
    class Approvals {

        @ParameterizedTest(name = "{0} a {1} version")
        @CsvSource({"APPROVED,READY", "REJECTED,READY", "APPROVED,PENDING", "REJECTED,FAILED"})
        @DisplayName("a PENDING approval is decided with its actor, time and reason, the version's updated time"
                + " becomes the decision's time, its status is kept; one event")
        void decideOnce(ApprovalStatus decision, VersionStatus status) {
            createModel(CHURN);
            registerNext(CHURN);
            if (status == VersionStatus.READY) {
                makeReady(CHURN, 1);
            } else if (status == VersionStatus.FAILED) {
                makeFailed(CHURN, 1);
            }
            ModelVersion before = getVersion(CHURN, 1);
            Approval approval = decision(decision, "carol", 600);
            AuditEvent head = head();
            PendingAuditEvent pending = audit("model.version.decide", subject(CHURN, 1));

            ModelVersion after = store.decideApproval(CHURN, 1, approval, pending);

            assertThat(after.approval()).isEqualTo(approval);
            assertThat(after).isEqualTo(new ModelVersion(CHURN, 1, before.digest(), before.artifact(), status,
                    before.statusMessage(), null, before.signature(), before.metrics(), before.tags(),
                    before.description(), approval, List.of(), before.createdTime(), before.createdBy(), at(600)));
            assertThat(store.getModelVersion(CHURN, 1)).contains(after);
            assertAppended(head, pending);
        }

        @ParameterizedTest(name = "{0} then {1}")
        @CsvSource({"APPROVED,APPROVED", "APPROVED,REJECTED", "REJECTED,APPROVED", "REJECTED,REJECTED"})
        @DisplayName("a decided approval cannot be decided again: CONFLICT, the stored decision is unchanged, no"
                + " event")
        void decideTwice(ApprovalStatus first, ApprovalStatus second) {
            createModel(CHURN);
            readyVersion(CHURN);
            decide(CHURN, 1, first, 600);
            List<Object> before = registryState();

            assertThatThrownBy(() -> store.decideApproval(CHURN, 1, decision(second, "dave", 700),
                    audit("model.version.decide", subject(CHURN, 1))))
                    .isInstanceOf(ConflictException.class);

            assertThat(registryState()).isEqualTo(before);
            assertThat(getVersion(CHURN, 1).approval()).isEqualTo(decision(first, "carol", 600));
        }
    }

    @Nested
    @DisplayName("registry: aliases")
    class Aliases {

        @Test
        @DisplayName("a new alias (expected null) points at a READY version; the model and the version show it and"
                + " take the change's time as updated time; one event")
        void createAlias() {
            createModel(CHURN);
            readyVersion(CHURN);
            AuditEvent head = head();
            PendingAuditEvent pending = audit("model.alias.set", subject(CHURN));

            AliasChange change = store.setAlias(CHURN, PRODUCTION, 1, null, at(700), pending);

            assertThat(change).isEqualTo(new AliasChange(CHURN, PRODUCTION, null, 1));
            RegisteredModel m = getModel(CHURN);
            assertThat(m.aliases()).isEqualTo(Map.of(PRODUCTION, 1));
            assertThat(m.updatedTime()).isEqualTo(at(700));
            ModelVersion v = getVersion(CHURN, 1);
            assertThat(v.aliases()).containsExactly(PRODUCTION);
            assertThat(v.updatedTime()).isEqualTo(at(700));
            assertAppended(head, pending);
        }

        @Test
        @DisplayName("moving an alias (expected = current target) moves it from the old version to the new one; both"
                + " versions and the model take the change's time; one event")
        void moveAlias() {
            createModel(CHURN);
            readyVersion(CHURN);
            readyVersion(CHURN);
            setAlias(CHURN, PRODUCTION, 1, null, 700);
            setAlias(CHURN, "shadow", 1, null, 701);
            AuditEvent head = head();
            PendingAuditEvent pending = audit("model.alias.set", subject(CHURN));

            AliasChange change = store.setAlias(CHURN, PRODUCTION, 2, 1, at(710), pending);

            assertThat(change).isEqualTo(new AliasChange(CHURN, PRODUCTION, 1, 2));
            RegisteredModel m = getModel(CHURN);
            assertThat(m.aliases()).isEqualTo(Map.of(PRODUCTION, 2, "shadow", 1));
            assertThat(m.updatedTime()).isEqualTo(at(710));
            assertThat(getVersion(CHURN, 1).aliases()).containsExactly("shadow");
            assertThat(getVersion(CHURN, 1).updatedTime()).isEqualTo(at(710));
            assertThat(getVersion(CHURN, 2).aliases()).containsExactly(PRODUCTION);
            assertThat(getVersion(CHURN, 2).updatedTime()).isEqualTo(at(710));
            assertAppended(head, pending);
        }

        @Test
        @DisplayName("setting an alias to the version it already points at is allowed and still audited")
        void sameTarget() {
            createModel(CHURN);
            readyVersion(CHURN);
            setAlias(CHURN, PRODUCTION, 1, null, 700);
            AuditEvent head = head();
            PendingAuditEvent pending = audit("model.alias.set", subject(CHURN));

            AliasChange change = store.setAlias(CHURN, PRODUCTION, 1, 1, at(720), pending);

            assertThat(change).isEqualTo(new AliasChange(CHURN, PRODUCTION, 1, 1));
            assertThat(getModel(CHURN).aliases()).isEqualTo(Map.of(PRODUCTION, 1));
            assertThat(getModel(CHURN).updatedTime()).isEqualTo(at(720));
            assertThat(getVersion(CHURN, 1).aliases()).containsExactly(PRODUCTION);
            assertThat(getVersion(CHURN, 1).updatedTime()).isEqualTo(at(720));
            assertAppended(head, pending);
        }

        @ParameterizedTest(name = "expected {0}")
        @CsvSource(value = {"null", "1"}, nullValues = "null")
        @DisplayName("setAlias with several events (a decision, then the alias's own) moves the alias and appends"
                + " them in the given order, sealed one onto the other; the chain verifies")
        void aliasWithSeveralEvents(Integer expected) {
            createModel(CHURN);
            readyVersion(CHURN);
            readyVersion(CHURN);
            if (expected != null) {
                setAlias(CHURN, PRODUCTION, expected, null, 700);
            }
            AuditEvent head = head();
            PendingAuditEvent decided = audit("promotion.decided", subject(CHURN, 2),
                    "{\"outcome\":\"PROMOTED\",\"candidate\":2}");
            PendingAuditEvent moved = audit(expected == null ? "model_alias.set" : "model_alias.move",
                    "model:" + CHURN + "@" + PRODUCTION);

            AliasChange change = store.setAlias(CHURN, PRODUCTION, 2, expected, at(710), List.of(decided, moved));

            assertThat(change).isEqualTo(new AliasChange(CHURN, PRODUCTION, expected, 2));
            assertThat(getModel(CHURN).aliases()).isEqualTo(Map.of(PRODUCTION, 2));
            assertThat(getModel(CHURN).updatedTime()).isEqualTo(at(710));
            assertThat(getVersion(CHURN, 2).aliases()).containsExactly(PRODUCTION);
            assertThat(getVersion(CHURN, 2).updatedTime()).isEqualTo(at(710));
            assertThat(getVersion(CHURN, 1).aliases()).isEmpty();
            AuditEvent first = AuditChain.seal(head, decided);
            AuditEvent second = AuditChain.seal(first, moved);
            assertThat(store.auditEvents(head.seq(), 10)).containsExactly(first, second);
            assertThat(store.auditHead()).contains(second);
            assertChainIntact(allAuditEvents(store));
        }

        @ParameterizedTest(name = "expected {1}, actually {0}")
        @CsvSource(value = {"3,null", "3,2", "null,2", "2,3"}, nullValues = "null")
        @DisplayName("setAlias with several events and a stale expectation is CONFLICT naming the actual target;"
                + " neither event is appended, the head is unchanged, nothing changes")
        void staleExpectationWithSeveralEvents(Integer actual, Integer expected) {
            createModel(CHURN);
            for (int i = 0; i < 3; i++) {
                readyVersion(CHURN);
            }
            if (actual != null) {
                setAlias(CHURN, PRODUCTION, actual, null, 700);
            }
            List<Object> before = registryState();
            AuditEvent head = head();
            List<PendingAuditEvent> events = List.of(audit("promotion.decided", subject(CHURN, 1)),
                    audit("model_alias.move", "model:" + CHURN + "@" + PRODUCTION));

            Throwable thrown = catchThrowable(() -> store.setAlias(CHURN, PRODUCTION, 1, expected, at(800), events));

            assertThat(thrown).isInstanceOf(ConflictException.class).hasMessageContaining(PRODUCTION);
            if (actual != null) {
                assertThat(thrown).hasMessageContaining(String.valueOf(actual));
            }
            assertThat(store.auditHead()).isEqualTo(Optional.ofNullable(head));
            assertThat(store.auditEvents(head.seq(), 10)).isEmpty();
            assertThat(registryState()).isEqualTo(before);
            assertChainIntact(allAuditEvents(store));
        }

        @Test
        @DisplayName("setAlias with several events to a version that is not READY, of an unknown version or model,"
                + " or with no events, changes nothing and appends nothing")
        void refusedWithSeveralEvents() {
            createModel(CHURN);
            readyVersion(CHURN);
            setAlias(CHURN, PRODUCTION, 1, null, 700);
            registerNext(CHURN);
            List<Object> before = registryState();
            AuditEvent head = head();
            List<PendingAuditEvent> events = List.of(audit("promotion.decided", subject(CHURN, 2)),
                    audit("model_alias.move", "model:" + CHURN + "@" + PRODUCTION));

            assertThatThrownBy(() -> store.setAlias(CHURN, PRODUCTION, 2, 1, at(800), events))
                    .isInstanceOf(ConflictException.class);
            assertThatThrownBy(() -> store.setAlias(CHURN, PRODUCTION, 9, 1, at(800), events))
                    .isInstanceOf(NotFoundException.class);
            assertThatThrownBy(() -> store.setAlias(FRAUD, PRODUCTION, 1, null, at(800), events))
                    .isInstanceOf(NotFoundException.class).hasMessageContaining(FRAUD);
            assertThatThrownBy(() -> store.setAlias(CHURN, PRODUCTION, 1, 1, at(800), List.of()))
                    .isInstanceOf(InvalidArgumentException.class)
                    .satisfies(e -> assertThat(((InvalidArgumentException) e).field()).hasValue("audit"));

            assertThat(store.auditHead()).contains(head);
            assertThat(registryState()).isEqualTo(before);
        }

        @Test
        @DisplayName("a version can carry several aliases, listed sorted; the model maps each alias to its version")
        void severalAliases() {
            createModel(CHURN);
            readyVersion(CHURN);
            readyVersion(CHURN);
            setAlias(CHURN, "shadow", 1, null, 700);
            setAlias(CHURN, "champion", 1, null, 701);
            setAlias(CHURN, PRODUCTION, 1, null, 702);
            setAlias(CHURN, "canary", 2, null, 703);

            assertThat(getVersion(CHURN, 1).aliases()).containsExactly("champion", PRODUCTION, "shadow");
            assertThat(getVersion(CHURN, 2).aliases()).containsExactly("canary");
            assertThat(getModel(CHURN).aliases()).isEqualTo(Map.of("shadow", 1, "champion", 1, PRODUCTION, 1,
                    "canary", 2));
            assertThat(versions(VersionQuery.of(CHURN))).extracting(ModelVersion::aliases)
                    .containsExactly(List.of("champion", PRODUCTION, "shadow"), List.of("canary"));
        }

        @ParameterizedTest(name = "expected {1}, actually {0}")
        @CsvSource(value = {"3,null", "3,2", "3,1", "null,2"}, nullValues = "null")
        @DisplayName("an expectation that is not the alias's current target is CONFLICT naming the actual target;"
                + " nothing changes and no event is appended")
        void staleExpectation(Integer actual, Integer expected) {
            createModel(CHURN);
            for (int i = 0; i < 3; i++) {
                readyVersion(CHURN);
            }
            if (actual != null) {
                setAlias(CHURN, PRODUCTION, actual, null, 700);
            }
            List<Object> before = registryState();

            Throwable thrown = catchThrowable(() -> setAlias(CHURN, PRODUCTION, 1, expected, 800));

            assertThat(thrown).isInstanceOf(ConflictException.class).hasMessageContaining(PRODUCTION);
            if (actual != null) {
                assertThat(thrown).hasMessageContaining(String.valueOf(actual));
            }
            assertThat(registryState()).isEqualTo(before);
        }

        @ParameterizedTest(name = "{0}")
        @EnumSource(value = VersionStatus.class, names = {"PENDING", "FAILED"})
        @DisplayName("an alias cannot point at a version that is not READY: CONFLICT, nothing changes")
        void notReady(VersionStatus status) {
            createModel(CHURN);
            readyVersion(CHURN);
            setAlias(CHURN, PRODUCTION, 1, null, 700);
            registerNext(CHURN);
            if (status == VersionStatus.FAILED) {
                makeFailed(CHURN, 2);
            }
            List<Object> before = registryState();

            assertThatThrownBy(() -> setAlias(CHURN, PRODUCTION, 2, 1, 800)).isInstanceOf(ConflictException.class);
            assertThatThrownBy(() -> setAlias(CHURN, "canary", 2, null, 800)).isInstanceOf(ConflictException.class);

            assertThat(registryState()).isEqualTo(before);
        }

        @Test
        @DisplayName("the store leaves approvals to the API layer: a READY version gets an alias whatever its"
                + " approval")
        void anyApproval() {
            createModel(CHURN);
            readyVersion(CHURN);
            readyVersion(CHURN);
            decide(CHURN, 1, ApprovalStatus.REJECTED, 650);
            assertThat(setAlias(CHURN, "shadow", 1, null, 700).current()).isEqualTo(1);
            assertThat(setAlias(CHURN, "canary", 2, null, 701).current()).isEqualTo(2);
        }

        @Test
        @DisplayName("aliases belong to their model: the same alias name on two models moves independently")
        void aliasesPerModel() {
            createModel(CHURN);
            createModel(FRAUD);
            readyVersion(CHURN);
            readyVersion(CHURN);
            readyVersion(FRAUD);
            setAlias(CHURN, PRODUCTION, 1, null, 700);
            setAlias(FRAUD, PRODUCTION, 1, null, 701);

            setAlias(CHURN, PRODUCTION, 2, 1, 702);

            assertThat(getModel(CHURN).aliases()).isEqualTo(Map.of(PRODUCTION, 2));
            assertThat(getModel(FRAUD).aliases()).isEqualTo(Map.of(PRODUCTION, 1));
            assertThat(getVersion(FRAUD, 1).aliases()).containsExactly(PRODUCTION);
        }

        @Test
        @DisplayName("deleting an alias (expected = current target) removes it from the model and the version, which"
                + " take the change's time; one event")
        void deleteAliasTest() {
            createModel(CHURN);
            readyVersion(CHURN);
            setAlias(CHURN, PRODUCTION, 1, null, 700);
            setAlias(CHURN, "shadow", 1, null, 701);
            AuditEvent head = head();
            PendingAuditEvent pending = audit("model.alias.delete", subject(CHURN));

            AliasChange change = store.deleteAlias(CHURN, PRODUCTION, 1, at(750), pending);

            assertThat(change).isEqualTo(new AliasChange(CHURN, PRODUCTION, 1, null));
            assertThat(getModel(CHURN).aliases()).isEqualTo(Map.of("shadow", 1));
            assertThat(getModel(CHURN).updatedTime()).isEqualTo(at(750));
            assertThat(getVersion(CHURN, 1).aliases()).containsExactly("shadow");
            assertThat(getVersion(CHURN, 1).updatedTime()).isEqualTo(at(750));
            assertAppended(head, pending);
        }

        @Test
        @DisplayName("a deleted alias no longer exists: setting it again needs expected null, deleting it again is"
                + " NOT_FOUND")
        void aliasAfterDelete() {
            createModel(CHURN);
            readyVersion(CHURN);
            readyVersion(CHURN);
            setAlias(CHURN, PRODUCTION, 1, null, 700);
            deleteAlias(CHURN, PRODUCTION, 1, 710);

            assertThatThrownBy(() -> setAlias(CHURN, PRODUCTION, 2, 1, 720)).isInstanceOf(ConflictException.class);
            assertThatThrownBy(() -> deleteAlias(CHURN, PRODUCTION, 1, 720)).isInstanceOf(NotFoundException.class)
                    .hasMessageContaining(PRODUCTION);
            assertThat(setAlias(CHURN, PRODUCTION, 2, null, 730)).isEqualTo(new AliasChange(CHURN, PRODUCTION, null,
                    2));
        }

        @Test
        @DisplayName("deleting an alias with a stale expectation is CONFLICT; the alias stays")
        void deleteStale() {
            createModel(CHURN);
            readyVersion(CHURN);
            readyVersion(CHURN);
            setAlias(CHURN, PRODUCTION, 2, null, 700);
            List<Object> before = registryState();

            assertThatThrownBy(() -> deleteAlias(CHURN, PRODUCTION, 1, 710)).isInstanceOf(ConflictException.class)
                    .hasMessageContaining(PRODUCTION);

            assertThat(registryState()).isEqualTo(before);
        }

        @Test
        @DisplayName("deleting an alias that does not exist is NOT_FOUND naming it; nothing changes")
        void deleteMissing() {
            createModel(CHURN);
            readyVersion(CHURN);
            setAlias(CHURN, "shadow", 1, null, 700);
            List<Object> before = registryState();

            assertThatThrownBy(() -> deleteAlias(CHURN, PRODUCTION, 1, 710)).isInstanceOf(NotFoundException.class)
                    .hasMessageContaining(PRODUCTION);

            assertThat(registryState()).isEqualTo(before);
        }
    }

    @Nested
    @DisplayName("registry: deleting versions")
    class VersionDeletion {

        @Test
        @DisplayName("a deleted version is gone from reads and searches, latestVersion is unchanged and its number"
                + " is never reused; one event")
        void delete() {
            createModel(CHURN);
            for (int i = 0; i < 3; i++) {
                registerNext(CHURN);
            }
            RegisteredModel model = getModel(CHURN);
            AuditEvent head = head();
            PendingAuditEvent pending = audit("model.version.delete", subject(CHURN, 2));

            store.deleteModelVersion(CHURN, 2, pending);

            assertAppended(head, pending);
            assertThat(store.getModelVersion(CHURN, 2)).isEmpty();
            assertThat(numbers(versions(VersionQuery.of(CHURN)))).containsExactly(1, 3);
            assertThat(numbers(versions(VersionQuery.all()))).containsExactly(1, 3);
            assertThat(getModel(CHURN).latestVersion()).isEqualTo(3);
            assertThat(getModel(CHURN).aliases()).isEqualTo(model.aliases());
            assertThatThrownBy(() -> createVersion(newVersion(CHURN, 2))).isInstanceOf(ConflictException.class);
            assertThat(register(newVersion(CHURN, 4)).version()).isEqualTo(4);
        }

        @Test
        @DisplayName("deleting the latest version does not free its number: the next version is still latest + 1")
        void deleteLatest() {
            createModel(CHURN);
            registerNext(CHURN);
            registerNext(CHURN);
            deleteVersion(CHURN, 2);
            deleteVersion(CHURN, 1);

            assertThat(getModel(CHURN).latestVersion()).isEqualTo(2);
            assertThat(versions(VersionQuery.of(CHURN))).isEmpty();
            assertThatThrownBy(() -> createVersion(newVersion(CHURN, 2))).isInstanceOf(ConflictException.class)
                    .hasMessageContaining("3");
            assertThat(register(newVersion(CHURN, 3)).version()).isEqualTo(3);
        }

        @Test
        @DisplayName("the lineage edge of a deleted version stays: it is history")
        void lineageStays() {
            createModel(CHURN);
            createRun(1);
            register(version(CHURN, 1).run(runId(1)).build());
            LineageEdge edge = new LineageEdge(NodeRef.run(runId(1)), NodeRef.model(CHURN, 1), EdgeKind.OUTPUT);

            deleteVersion(CHURN, 1);

            assertThat(store.lineageEdges(List.of(NodeRef.model(CHURN, 1)), Direction.UPSTREAM))
                    .containsExactly(edge);
            assertThat(store.lineageEdges(List.of(NodeRef.run(runId(1))), Direction.DOWNSTREAM))
                    .containsExactly(edge);
        }

        @Test
        @DisplayName("a version an alias points at cannot be deleted: CONFLICT naming the aliases, nothing changes;"
                + " once the aliases are gone it can be")
        void aliasedVersion() {
            createModel(CHURN);
            readyVersion(CHURN);
            readyVersion(CHURN);
            setAlias(CHURN, PRODUCTION, 1, null, 700);
            setAlias(CHURN, "shadow", 1, null, 701);
            setAlias(CHURN, "canary", 2, null, 702);
            List<Object> before = registryState();

            assertThatThrownBy(() -> deleteVersion(CHURN, 1)).isInstanceOf(ConflictException.class)
                    .hasMessageContaining(PRODUCTION)
                    .hasMessageContaining("shadow");

            assertThat(registryState()).isEqualTo(before);
            setAlias(CHURN, PRODUCTION, 2, 1, 710);
            deleteAlias(CHURN, "shadow", 1, 711);
            deleteVersion(CHURN, 1);
            assertThat(store.getModelVersion(CHURN, 1)).isEmpty();
            assertThat(getModel(CHURN).aliases()).isEqualTo(Map.of(PRODUCTION, 2, "canary", 2));
        }

        @Test
        @DisplayName("deleting a version that does not exist, or was deleted, is NOT_FOUND; nothing changes")
        void deleteMissing() {
            createModel(CHURN);
            registerNext(CHURN);
            deleteVersion(CHURN, 1);
            List<Object> before = registryState();

            assertThatThrownBy(() -> deleteVersion(CHURN, 1)).isInstanceOf(NotFoundException.class)
                    .hasMessageContaining(CHURN);
            assertThatThrownBy(() -> deleteVersion(CHURN, 2)).isInstanceOf(NotFoundException.class)
                    .hasMessageContaining(CHURN);

            assertThat(registryState()).isEqualTo(before);
        }
    }

    @Nested
    @DisplayName("registry: unknown models, versions and aliases")
    class RegistryNotFound {

        /** One call of each registry mutation on version 7 of {@code name}. */
        private void call(String method, String name) {
            switch (method) {
                case "updateModel" -> store.updateModel(name, update(900).description("x").build(),
                        audit("model.update", subject(name)));
                case "createModelVersion" -> createVersion(newVersion(name, 1));
                case "finishModelVersion" -> store.finishModelVersion(name, 7, VersionStatus.READY,
                        artifact(modelDigest(name, 7)), null, at(900), audit("model.version.finish", subject(name)));
                case "updateModelVersion" -> store.updateModelVersion(name, 7, update(900).setTag("a", "b").build(),
                        audit("model.version.update", subject(name)));
                case "decideApproval" -> store.decideApproval(name, 7, decision(ApprovalStatus.APPROVED, "c", 900),
                        audit("model.version.approve", subject(name)));
                case "setAlias" -> setAlias(name, PRODUCTION, 7, null, 900);
                case "deleteAlias" -> deleteAlias(name, PRODUCTION, 7, 900);
                case "deleteModelVersion" -> deleteVersion(name, 7);
                default -> throw new IllegalArgumentException(method);
            }
        }

        @ParameterizedTest(name = "{0} of \"{1}\"")
        @CsvSource({"updateModel,ghost", "createModelVersion,ghost", "finishModelVersion,ghost",
                "updateModelVersion,ghost", "decideApproval,ghost", "setAlias,ghost", "deleteAlias,ghost",
                "deleteModelVersion,ghost", "updateModel,Churn", "createModelVersion,CHURN", "setAlias,Churn",
                "deleteAlias,Churn", "decideApproval,CHURN"})
        @DisplayName("every registry mutation of a model that does not exist (also one that differs only in case"
                + " from an existing one) is NOT_FOUND naming it; nothing changes")
        void unknownModel(String method, String name) {
            createModel(CHURN);
            readyVersion(CHURN);
            setAlias(CHURN, PRODUCTION, 1, null, 700);
            List<Object> before = registryState();

            assertThatThrownBy(() -> call(method, name)).isInstanceOf(NotFoundException.class)
                    .hasMessageContaining(name);

            assertThat(registryState()).isEqualTo(before);
            assertThat(store.getModel(name)).isEmpty();
        }

        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {"finishModelVersion", "updateModelVersion", "decideApproval", "setAlias",
                "deleteModelVersion"})
        @DisplayName("every version method on a version that does not exist is NOT_FOUND naming the model and the"
                + " number; nothing changes")
        void unknownVersion(String method) {
            createModel(CHURN);
            readyVersion(CHURN);
            List<Object> before = registryState();

            assertThatThrownBy(() -> call(method, CHURN)).isInstanceOf(NotFoundException.class)
                    .hasMessageContaining(CHURN)
                    .hasMessageContaining("7");

            assertThat(registryState()).isEqualTo(before);
        }

        @Test
        @DisplayName("reads of unknown models and versions are empty")
        void emptyReads() {
            createModel(CHURN);
            registerNext(CHURN);
            assertThat(store.getModel("ghost")).isEmpty();
            assertThat(store.getModelVersion("ghost", 1)).isEmpty();
            assertThat(store.getModelVersion(CHURN, 2)).isEmpty();
            assertThat(store.getModelVersion("Churn", 1)).isEmpty();
            assertThat(versions(VersionQuery.of("ghost"))).isEmpty();
            assertThat(models(ModelQuery.builder().namePrefix("ghost").build())).isEmpty();
        }
    }
}
