package dev.mlops.tck;

import static dev.mlops.tck.KitSupport.allAuditEvents;
import static dev.mlops.tck.KitSupport.readAll;
import static dev.mlops.tck.TckData.artifact;
import static dev.mlops.tck.TckData.at;
import static dev.mlops.tck.TckData.audit;
import static dev.mlops.tck.TckData.decision;
import static dev.mlops.tck.TckData.model;
import static dev.mlops.tck.TckData.newModel;
import static dev.mlops.tck.TckData.newRun;
import static dev.mlops.tck.TckData.newVersion;
import static dev.mlops.tck.TckData.runId;
import static dev.mlops.tck.TckData.version;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.Created;
import dev.mlops.audit.AuditChain;
import dev.mlops.audit.AuditEvent;
import dev.mlops.lineage.Direction;
import dev.mlops.lineage.NodeRef;
import dev.mlops.registry.AliasChange;
import dev.mlops.registry.ApprovalStatus;
import dev.mlops.registry.ModelQuery;
import dev.mlops.registry.ModelVersion;
import dev.mlops.registry.NewModel;
import dev.mlops.registry.NewModelVersion;
import dev.mlops.registry.RegisteredModel;
import dev.mlops.registry.VersionQuery;
import dev.mlops.registry.VersionStatus;
import dev.mlops.spi.PendingAuditEvent;
import java.util.ArrayList;
import java.util.List;

/**
 * What the registry groups of the kit share: the model names they use and helpers that register, finish, approve,
 * alias and read through the store under test, checking each step. Package-private members only; extend
 * {@link MetadataStoreCompatibilityKit} (or {@link ModelRegistryCompatibilityKit} for the registry alone).
 */
public abstract class RegistryKitBase extends CompatibilityKitBase {

    /** The model most tests use; no digits in it, so a number in a message is a version number. */
    static final String CHURN = "churn";
    /** A second model. */
    static final String FRAUD = "fraud";
    static final String PRODUCTION = "production";

    // ---- helpers ----------------------------------------------------------------------------------------------

    static String subject(String name) {
        return "model:" + name;
    }

    static String subject(String name, int version) {
        return "model:" + name + "/" + version;
    }

    RegisteredModel createModel(NewModel model) {
        Created<RegisteredModel> c = store.createModel(model, audit("model.create", subject(model.name())));
        assertThat(c.created()).as("created flag of new model %s", model.name()).isTrue();
        return c.value();
    }

    RegisteredModel createModel(String name) {
        return createModel(newModel(name));
    }

    RegisteredModel getModel(String name) {
        return store.getModel(name).orElseThrow(() -> new AssertionError("model " + name + " should exist"));
    }

    ModelVersion getVersion(String name, int version) {
        return store.getModelVersion(name, version)
                .orElseThrow(() -> new AssertionError("version " + name + "/" + version + " should exist"));
    }

    Created<ModelVersion> createVersion(NewModelVersion version) {
        return store.createModelVersion(version, audit("model.version.create",
                subject(version.modelName(), version.version())));
    }

    ModelVersion register(NewModelVersion version) {
        Created<ModelVersion> c = createVersion(version);
        assertThat(c.created()).as("created flag of new version %s/%d", version.modelName(), version.version())
                .isTrue();
        return c.value();
    }

    /** Registers the model's next version as {@link TckData#version} builds it. */
    ModelVersion registerNext(String name) {
        return register(newVersion(name, getModel(name).latestVersion() + 1));
    }

    ModelVersion makeReady(String name, int version) {
        return store.finishModelVersion(name, version, VersionStatus.READY,
                artifact(getVersion(name, version).digest()), null, at(3000 + version),
                audit("model.version.finish", subject(name, version)));
    }

    ModelVersion makeFailed(String name, int version) {
        return store.finishModelVersion(name, version, VersionStatus.FAILED, null, "upload interrupted",
                at(3000 + version), audit("model.version.finish", subject(name, version)));
    }

    /** Registers the model's next version and makes it READY. */
    ModelVersion readyVersion(String name) {
        return makeReady(name, registerNext(name).version());
    }

    ModelVersion decide(String name, int version, ApprovalStatus status, long seconds) {
        return store.decideApproval(name, version, decision(status, "carol", seconds),
                audit("model.version." + status.name().toLowerCase(java.util.Locale.ROOT), subject(name, version)));
    }

    AliasChange setAlias(String name, String alias, int version, Integer expected, long seconds) {
        return store.setAlias(name, alias, version, expected, at(seconds), audit("model.alias.set", subject(name)));
    }

    AliasChange deleteAlias(String name, String alias, int expected, long seconds) {
        return store.deleteAlias(name, alias, expected, at(seconds), audit("model.alias.delete", subject(name)));
    }

    void deleteVersion(String name, int version) {
        store.deleteModelVersion(name, version, audit("model.version.delete", subject(name, version)));
    }

    List<RegisteredModel> models(ModelQuery query) {
        return readAll(p -> store.searchModels(query, p), 1000);
    }

    List<ModelVersion> versions(VersionQuery query) {
        return readAll(p -> store.searchModelVersions(query, p), 1000);
    }

    static List<Integer> numbers(List<ModelVersion> versions) {
        return versions.stream().map(ModelVersion::version).toList();
    }

    static List<String> refs(List<ModelVersion> versions) {
        return versions.stream().map(ModelVersion::ref).toList();
    }

    static List<String> names(List<RegisteredModel> models) {
        return models.stream().map(RegisteredModel::name).toList();
    }

    void createRun(long n) {
        store.createRun(newRun(n), audit("run.create", "run:" + runId(n)));
    }

    AuditEvent head() {
        return store.auditHead().orElse(null);
    }

    /** Checks that exactly {@code pending} was appended after {@code before}, sealed as {@link AuditChain} does. */
    void assertAppended(AuditEvent before, PendingAuditEvent pending) {
        assertThat(store.auditHead()).as("the audit head after the change")
                .contains(AuditChain.seal(before, pending));
    }

    /**
     * Everything a client can read about the registry, the given runs and the lineage of the given nodes and of every
     * stored version, for "nothing changed" checks.
     */
    List<Object> registryState(List<String> runIds, List<NodeRef> nodes) {
        List<Object> state = new ArrayList<>();
        List<RegisteredModel> all = models(ModelQuery.all());
        state.add(all);
        List<NodeRef> lineageNodes = new ArrayList<>(nodes);
        for (RegisteredModel m : all) {
            state.add(store.getModel(m.name()));
            for (int v = 1; v <= m.latestVersion() + 1; v++) {
                state.add(store.getModelVersion(m.name(), v));
                lineageNodes.add(NodeRef.model(m.name(), v));
            }
        }
        state.add(versions(VersionQuery.all()));
        for (String id : runIds) {
            state.add(store.getRun(id));
            lineageNodes.add(NodeRef.run(id));
        }
        state.add(store.lineageEdges(lineageNodes, Direction.BOTH));
        state.add(allAuditEvents(store));
        return state;
    }

    List<Object> registryState() {
        return registryState(List.of(), List.of());
    }
}
