package dev.mlops.internal.store;

import dev.mlops.Created;
import dev.mlops.InvalidArgumentException;
import dev.mlops.artifact.ArtifactRef;
import dev.mlops.data.DatasetVersion;
import dev.mlops.internal.Validate;
import dev.mlops.internal.data.Digests;
import dev.mlops.internal.drift.DefaultProfileStore;
import dev.mlops.internal.registry.DefaultModelRegistry;
import dev.mlops.lineage.NodeKind;
import dev.mlops.registry.AliasChange;
import dev.mlops.registry.Approval;
import dev.mlops.registry.ApprovalStatus;
import dev.mlops.registry.ModelSignature;
import dev.mlops.registry.ModelUpdate;
import dev.mlops.registry.ModelVersion;
import dev.mlops.registry.NewModel;
import dev.mlops.registry.NewModelVersion;
import dev.mlops.registry.RegisteredModel;
import dev.mlops.registry.VersionStatus;
import dev.mlops.spi.DriftReportEntry;
import dev.mlops.spi.ForwardingMetadataStore;
import dev.mlops.spi.MetadataStore;
import dev.mlops.spi.PendingAuditEvent;
import dev.mlops.spi.PolicyDecisionEntry;
import dev.mlops.spi.PolicyStateEntry;
import dev.mlops.spi.ProfileEntry;
import dev.mlops.spi.RetrainingRequestEntry;
import dev.mlops.tracking.MetricPoint;
import dev.mlops.tracking.NewRun;
import dev.mlops.tracking.Run;
import dev.mlops.tracking.RunLink;
import dev.mlops.tracking.RunStatus;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A {@link MetadataStore} that checks the arguments of every write with the rules the API layer ({@code Mlops}:
 * tracking, datasets, model registry, profiles) applies to the same values, before the delegate sees them: the same
 * {@link Validate} calls, limits, fields and messages, so a caller that reaches the SPI directly (an HTTP client of
 * the server) is refused exactly as an embedded caller of the API is, and nothing is stored. Values the API layer
 * makes itself (times, actors, audit events, a dataset's source URI, format and schema, a run's code version and
 * environment, a checkpoint) are not checked, as the API layer does not check them either; nor are reads (an id
 * that no write accepts is simply not found), nor {@code eraseAuditData}'s seq (one below 1 is not found, as the
 * compatibility kit pins down), nor the JSON bodies of policy states, decisions and retraining requests (the
 * API layer writes them from records it checked; only their queried columns are checked here). There is no limit on how many params, tags, metric points or links one call carries,
 * as the API layer has none: a server bounds them by its request size limit.
 *
 * <p>Deviation from the SPI contract: after {@link #close()}, a write with an invalid argument fails with
 * {@code INVALID_ARGUMENT} rather than {@code STORAGE} (the check comes first). Thread-safe as the delegate is;
 * {@link #close()} closes the delegate.
 */
public final class ValidatingMetadataStore extends ForwardingMetadataStore {
    private final MetadataStore delegate;

    /** @param delegate the store to protect; not null */
    public ValidatingMetadataStore(MetadataStore delegate) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
    }

    @Override
    protected MetadataStore delegate() {
        return delegate;
    }

    // ---- runs -------------------------------------------------------------------------------------------------

    @Override
    public Created<Run> createRun(NewRun run, PendingAuditEvent audit) {
        Validate.required("run", run);
        Validate.key("runId", run.id());
        Validate.name("jobName", run.jobName());
        if (run.parentRunId() != null) {
            runId("parentRunId", run.parentRunId());
        }
        Validate.tags(run.tags());
        return super.createRun(run, audit);
    }

    @Override
    public Run finishRun(String runId, RunStatus status, Instant endTime, String error, PendingAuditEvent audit) {
        runId("runId", runId);
        // The API layer cuts a failure's description to MAX_TEXT (it may hold any character) and checks an abort
        // reason as text of at most MAX_TEXT: the length is what every error it stores shares.
        if (error != null && error.length() > Validate.MAX_TEXT) {
            throw new InvalidArgumentException("error", "error must be at most " + Validate.MAX_TEXT
                    + " characters, was " + error.length());
        }
        return super.finishRun(runId, status, endTime, error, audit);
    }

    @Override
    public void heartbeat(String runId, Instant at) {
        runId("runId", runId);
        super.heartbeat(runId, at);
    }

    @Override
    public void logParams(String runId, Map<String, String> params, PendingAuditEvent audit) {
        runId("runId", runId);
        Validate.params(params);
        super.logParams(runId, params, audit);
    }

    @Override
    public void setTags(String runId, Map<String, String> tags, PendingAuditEvent audit) {
        runId("runId", runId);
        Validate.tags(tags);
        super.setTags(runId, tags, audit);
    }

    @Override
    public void logMetrics(String runId, List<MetricPoint> points, PendingAuditEvent audit) {
        runId("runId", runId);
        Validate.required("points", points);
        for (MetricPoint p : points) {
            Validate.key("metric key", Validate.required("points", p).key());
        }
        super.logMetrics(runId, points, audit);
    }

    @Override
    public void addLinks(String runId, List<RunLink> links, PendingAuditEvent audit) {
        runId("runId", runId);
        Validate.required("links", links);
        for (RunLink link : links) {
            Validate.required("node", Validate.required("links", link).node());
            if (link.node().kind() == NodeKind.RUN) {
                throw new InvalidArgumentException("node", "a run cannot be an input or output of a run; use a"
                        + " parent run instead (" + link.node() + ")");
            }
        }
        super.addLinks(runId, links, audit);
    }

    // ---- datasets ---------------------------------------------------------------------------------------------

    @Override
    public Created<DatasetVersion> registerDataset(DatasetVersion version, PendingAuditEvent audit) {
        Validate.required("version", version);
        Validate.name("name", version.name());
        Digests.require("version", version.version());
        Validate.tags(version.tags());
        return super.registerDataset(version, audit);
    }

    // ---- model registry ---------------------------------------------------------------------------------------

    @Override
    public Created<RegisteredModel> createModel(NewModel model, PendingAuditEvent audit) {
        Validate.required("model", model);
        DefaultModelRegistry.modelName("name", model.name());
        Validate.value("description", model.description(), Validate.MAX_TEXT);
        Validate.tags(model.tags());
        DefaultModelRegistry.validate(model.governance());
        return super.createModel(model, audit);
    }

    @Override
    public RegisteredModel updateModel(String name, ModelUpdate update, PendingAuditEvent audit) {
        DefaultModelRegistry.modelName("name", name);
        update(update);
        if (update.governance() != null) {
            DefaultModelRegistry.validate(update.governance());
        }
        return super.updateModel(name, update, audit);
    }

    @Override
    public Created<ModelVersion> createModelVersion(NewModelVersion version, PendingAuditEvent audit) {
        Validate.required("version", version);
        DefaultModelRegistry.modelName("modelName", version.modelName());
        DefaultModelRegistry.number("version", version.version());
        Digests.require("expectedDigest", version.digest());
        if (version.runId() != null) {
            Validate.text("runId", version.runId(), Validate.MAX_NAME);
        }
        ModelSignature signature = version.signature();
        signature.inputs().forEach(c -> Validate.key("signature input", c.name()));
        signature.outputs().forEach(c -> Validate.key("signature output", c.name()));
        version.metrics().forEach((key, value) -> {
            Validate.key("metric", key);
            Validate.required("metric " + key, value);
            if (!Double.isFinite(value)) {
                throw new InvalidArgumentException("metric", "metric '" + key + "' must be finite, was " + value);
            }
        });
        Validate.tags(version.tags());
        Validate.value("description", version.description(), Validate.MAX_TEXT);
        if (version.idempotencyKey() != null) {
            Validate.key("idempotencyKey", version.idempotencyKey());
        }
        return super.createModelVersion(version, audit);
    }

    @Override
    public ModelVersion finishModelVersion(String name, int version, VersionStatus status, ArtifactRef artifact,
            String message, Instant time, PendingAuditEvent audit) {
        modelVersion(name, version);
        return super.finishModelVersion(name, version, status, artifact, message, time, audit);
    }

    @Override
    public ModelVersion updateModelVersion(String name, int version, ModelUpdate update, PendingAuditEvent audit) {
        modelVersion(name, version);
        update(update);
        return super.updateModelVersion(name, version, update, audit);
    }

    @Override
    public ModelVersion decideApproval(String name, int version, Approval decision, PendingAuditEvent audit) {
        modelVersion(name, version);
        Validate.required("decision", decision);
        if (decision.status() == ApprovalStatus.PENDING) {
            throw new InvalidArgumentException("decision", "a decision is APPROVED or REJECTED, not PENDING");
        }
        DefaultModelRegistry.reason(decision.reason(), decision.status());
        return super.decideApproval(name, version, decision, audit);
    }

    @Override
    public AliasChange setAlias(String name, String alias, int version, Integer expectedCurrent, Instant time,
            PendingAuditEvent audit) {
        alias(name, alias, version, expectedCurrent);
        return super.setAlias(name, alias, version, expectedCurrent, time, audit);
    }

    @Override
    public AliasChange setAlias(String name, String alias, int version, Integer expectedCurrent, Instant time,
            List<PendingAuditEvent> audit) {
        alias(name, alias, version, expectedCurrent);
        return super.setAlias(name, alias, version, expectedCurrent, time, audit);
    }

    @Override
    public AliasChange deleteAlias(String name, String alias, int expectedCurrent, Instant time,
            PendingAuditEvent audit) {
        DefaultModelRegistry.modelName("modelName", name);
        DefaultModelRegistry.alias("alias", alias);
        DefaultModelRegistry.number("expectedCurrent", expectedCurrent);
        return super.deleteAlias(name, alias, expectedCurrent, time, audit);
    }

    @Override
    public void deleteModelVersion(String name, int version, PendingAuditEvent audit) {
        modelVersion(name, version);
        super.deleteModelVersion(name, version, audit);
    }

    // ---- profiles and drift reports ---------------------------------------------------------------------------

    @Override
    public Created<ProfileEntry> saveProfile(ProfileEntry profile, PendingAuditEvent audit) {
        Validate.required("profile", profile);
        DefaultProfileStore.checkId("id", profile.id());
        DefaultProfileStore.checkSubject(profile.subject());
        DefaultProfileStore.checkKey(profile.key());
        DefaultProfileStore.checkWindow(profile.windowStart(), profile.windowEnd());
        return super.saveProfile(profile, audit);
    }

    @Override
    public Created<DriftReportEntry> saveDriftReport(DriftReportEntry report, PendingAuditEvent audit) {
        Validate.required("report", report);
        DefaultProfileStore.checkId("id", report.id());
        DefaultProfileStore.checkSubject(report.subject());
        DefaultProfileStore.checkKey(report.key());
        if (report.referenceProfileId() != null) {
            DefaultProfileStore.checkId("referenceProfileId", report.referenceProfileId());
        }
        if (report.currentProfileId() != null) {
            DefaultProfileStore.checkId("currentProfileId", report.currentProfileId());
        }
        DefaultProfileStore.checkWindow(report.windowStart(), report.windowEnd());
        return super.saveDriftReport(report, audit);
    }

    // ---- retraining policies ---------------------------------------------------------------------------------

    /**
     * The policy's name and the model as the API layer checks them ({@code RetrainingPolicy}'s name and every
     * {@code model} argument of the policies API are {@link Validate#name}; the name is reported as {@code policy}
     * here), each decision's window id as an {@code Observation}'s ({@link Validate#key}).
     */
    @Override
    public void savePolicyState(PolicyStateEntry state, long expectedVersion, List<PolicyDecisionEntry> decisions,
            List<PendingAuditEvent> audit) {
        Validate.required("state", state);
        policyAndModel(state.policy(), state.model());
        for (PolicyDecisionEntry d : Validate.required("decisions", decisions)) {
            Validate.required("decisions", d);
            policyAndModel(d.policy(), d.model());
            Validate.key("windowId", d.windowId());
        }
        super.savePolicyState(state, expectedVersion, decisions, audit);
    }

    @Override
    public Created<RetrainingRequestEntry> createRetrainingRequest(RetrainingRequestEntry request,
            PendingAuditEvent audit) {
        retrainingRequest(request);
        return super.createRetrainingRequest(request, audit);
    }

    @Override
    public RetrainingRequestEntry updateRetrainingRequest(RetrainingRequestEntry next, String expectedStatus,
            int expectedAttempt, PendingAuditEvent audit) {
        retrainingRequest(next);
        return super.updateRetrainingRequest(next, expectedStatus, expectedAttempt, audit);
    }

    // ---- checks -----------------------------------------------------------------------------------------------

    /** A run id as the API layer checks one it is given ({@code Tracking.get}, a parent's id). */
    private static void runId(String field, String runId) {
        Validate.segment(field, Validate.text(field, runId, Validate.MAX_NAME));
    }

    private static void policyAndModel(String policy, String model) {
        Validate.name("policy", policy);
        Validate.name("model", model);
    }

    /** A retraining request's policy, model and window as above; its run id as {@code RetrainingRequest}'s. */
    private static void retrainingRequest(RetrainingRequestEntry request) {
        Validate.required("request", request);
        policyAndModel(request.policy(), request.model());
        Validate.key("windowId", request.windowId());
        if (request.runId() != null) {
            Validate.key("runId", request.runId());
        }
    }

    private static void modelVersion(String name, int version) {
        DefaultModelRegistry.modelName("modelName", name);
        DefaultModelRegistry.number("version", version);
    }

    private static void alias(String name, String alias, int version, Integer expectedCurrent) {
        DefaultModelRegistry.modelName("modelName", name);
        DefaultModelRegistry.alias("alias", alias);
        DefaultModelRegistry.number("version", version);
        if (expectedCurrent != null) {
            DefaultModelRegistry.number("expectedCurrent", expectedCurrent);
        }
    }

    /** A model's or version's description and tag changes (its governance is checked by the caller). */
    private static void update(ModelUpdate update) {
        Validate.required("update", update);
        if (update.description() != null) {
            Validate.value("description", update.description(), Validate.MAX_TEXT);
        }
        Validate.tags(update.setTags());
        DefaultModelRegistry.tagKeys(update.removeTags());
    }
}
