package dev.mlops.internal.wire;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.mlops.artifact.ArtifactRef;
import dev.mlops.data.Column;
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
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The model registry, with the field names of the CLI's model output:
 *
 * <ul>
 *   <li>{@link Governance}: {@code business_owner?, technical_owner?, intended_use?, service_level?,
 *       retraining_policy?, approver_role?, confidentiality?, code_shareable?}; {@code {}} is {@link Governance#EMPTY}</li>
 *   <li>{@link NewModel}: {@code name, description, tags, governance, created_time, created_by}</li>
 *   <li>{@link RegisteredModel}: {@code name, description, tags, governance, aliases, latest_version, created_time,
 *       created_by, updated_time}; {@code aliases} maps alias to version number</li>
 *   <li>{@link ModelUpdate}: {@code description?, set_tags, remove_tags, governance?, time}; an absent
 *       {@code governance} changes nothing, {@code {}} clears it</li>
 *   <li>{@link ModelQuery}: {@code name_prefix?, tags, business_owner?}</li>
 *   <li>{@link ModelSignature}: {@code {"inputs": [COLUMN], "outputs": [COLUMN]}}</li>
 *   <li>{@link NewModelVersion}: {@code model, version, digest, run_id?, signature, metrics, tags, description,
 *       idempotency_key?, created_time, created_by}</li>
 *   <li>{@link ModelVersion}: {@code model, version, digest, artifact?, status, status_message?, run_id?, signature,
 *       metrics, tags, description, approval, approved_by?, approval_time?, approval_reason?, aliases, created_time,
 *       created_by, updated_time}; the approval flattened as in the CLI ({@code approval} is its status)</li>
 *   <li>{@link Approval}: {@code status, actor?, time?, reason?}</li>
 *   <li>{@link AliasChange}: {@code model, alias, previous?, current?}</li>
 *   <li>{@link ArtifactRef}: {@code digest, size_bytes, uri}</li>
 *   <li>{@link VersionQuery}: {@code model?, status?, approval?, run_id?, tags}</li>
 * </ul>
 * Enums are their names; metrics are doubles ({@code "NaN"}, {@code "Infinity"}, {@code "-Infinity"} when not finite).
 * Stateless and thread-safe.
 */
public final class RegistryWire {
    private RegistryWire() {
    }

    private static void putIf(ObjectNode node, String name, String value) {
        if (value != null) {
            node.put(name, value);
        }
    }

    // ---- Governance ---------------------------------------------------------------------------------------------

    public static ObjectNode write(Governance g) {
        ObjectNode node = Wire.object();
        putIf(node, "business_owner", g.businessOwner());
        putIf(node, "technical_owner", g.technicalOwner());
        putIf(node, "intended_use", g.intendedUse());
        putIf(node, "service_level", g.serviceLevel());
        putIf(node, "retraining_policy", g.retrainingPolicy());
        putIf(node, "approver_role", g.approverRole());
        if (g.confidentiality() != null) {
            node.put("confidentiality", g.confidentiality().name());
        }
        if (g.codeShareable() != null) {
            node.put("code_shareable", g.codeShareable());
        }
        return node;
    }

    public static Governance readGovernance(JsonNode node, String path) {
        Wire.Fields f = Wire.fields(node, path, "business_owner", "technical_owner", "intended_use", "service_level",
                "retraining_policy", "approver_role", "confidentiality", "code_shareable");
        return new Governance(f.optString("business_owner"), f.optString("technical_owner"),
                f.optString("intended_use"), f.optString("service_level"), f.optString("retraining_policy"),
                f.optString("approver_role"), f.optEnum("confidentiality", Confidentiality.class, false),
                f.optBool("code_shareable"));
    }

    private static Governance governanceOrEmpty(Wire.Fields f) {
        Governance g = f.optObject("governance", RegistryWire::readGovernance);
        return g == null ? Governance.EMPTY : g;
    }

    // ---- models -------------------------------------------------------------------------------------------------

    public static ObjectNode write(NewModel model) {
        ObjectNode node = Wire.object();
        node.put("name", model.name());
        node.put("description", model.description());
        node.set("tags", Wire.stringMapNode(model.tags()));
        node.set("governance", write(model.governance()));
        node.put("created_time", Wire.instantText(model.createdTime()));
        node.put("created_by", model.createdBy());
        return node;
    }

    /** A model to create; an absent {@code governance} is {@link Governance#EMPTY}. */
    public static NewModel readNewModel(JsonNode node, String path) {
        Wire.Fields f = Wire.fields(node, path, "name", "description", "tags", "governance", "created_time",
                "created_by");
        String name = f.string("name");
        String description = f.string("description");
        Map<String, String> tags = f.stringMap("tags");
        Governance governance = governanceOrEmpty(f);
        Instant created = f.instant("created_time");
        String createdBy = f.string("created_by");
        return Wire.build(path, () -> new NewModel(name, description, tags, governance, created, createdBy));
    }

    public static ObjectNode write(RegisteredModel model) {
        ObjectNode node = Wire.object();
        node.put("name", model.name());
        node.put("description", model.description());
        node.set("tags", Wire.stringMapNode(model.tags()));
        node.set("governance", write(model.governance()));
        ObjectNode aliases = Wire.object();
        model.aliases().forEach(aliases::put);
        node.set("aliases", aliases);
        node.put("latest_version", model.latestVersion());
        node.put("created_time", Wire.instantText(model.createdTime()));
        node.put("created_by", model.createdBy());
        node.put("updated_time", Wire.instantText(model.updatedTime()));
        return node;
    }

    public static RegisteredModel readModel(JsonNode node, String path) {
        Wire.Fields f = Wire.fields(node, path, "name", "description", "tags", "governance", "aliases",
                "latest_version", "created_time", "created_by", "updated_time");
        String name = f.string("name");
        String description = f.string("description");
        Map<String, String> tags = f.stringMap("tags");
        Governance governance = governanceOrEmpty(f);
        Map<String, Integer> aliases = f.has("aliases")
                ? f.required("aliases", (n, p) -> Wire.readMap(n, p, (n2, p2) -> Wire.readInt(n2, p2, 1,
                        Integer.MAX_VALUE), "an object of version numbers"), "an object")
                : Map.of();
        int latest = f.intValue("latest_version", 0, Integer.MAX_VALUE);
        Instant created = f.instant("created_time");
        String createdBy = f.string("created_by");
        Instant updated = f.instant("updated_time");
        return Wire.build(path, () -> new RegisteredModel(name, description, tags, governance, aliases, latest,
                created, createdBy, updated));
    }

    public static ObjectNode write(ModelUpdate update) {
        ObjectNode node = Wire.object();
        putIf(node, "description", update.description());
        node.set("set_tags", Wire.stringMapNode(update.setTags()));
        node.set("remove_tags", Wire.stringArray(update.removeTags()));
        if (update.governance() != null) {
            node.set("governance", write(update.governance()));
        }
        node.put("time", Wire.instantText(update.time()));
        return node;
    }

    public static ModelUpdate readUpdate(JsonNode node, String path) {
        Wire.Fields f = Wire.fields(node, path, "description", "set_tags", "remove_tags", "governance", "time");
        String description = f.optString("description");
        Map<String, String> setTags = f.stringMap("set_tags");
        Set<String> removeTags = f.stringSet("remove_tags");
        Governance governance = f.optObject("governance", RegistryWire::readGovernance);
        Instant time = f.instant("time");
        return Wire.build(path, () -> new ModelUpdate(description, setTags, removeTags, governance, time));
    }

    public static ObjectNode write(ModelQuery query) {
        ObjectNode node = Wire.object();
        putIf(node, "name_prefix", query.namePrefix());
        node.set("tags", Wire.stringMapNode(query.tags()));
        putIf(node, "business_owner", query.businessOwner());
        return node;
    }

    /** A model query; {@code {}} is every model. */
    public static ModelQuery readModelQuery(JsonNode node, String path) {
        Wire.Fields f = Wire.fields(node, path, "name_prefix", "tags", "business_owner");
        String prefix = f.optString("name_prefix");
        Map<String, String> tags = f.stringMap("tags");
        String owner = f.optString("business_owner");
        return Wire.build(path, () -> new ModelQuery(prefix, tags, owner));
    }

    // ---- versions -----------------------------------------------------------------------------------------------

    public static ObjectNode write(ModelSignature signature) {
        ObjectNode node = Wire.object();
        node.set("inputs", Wire.arrayOf(signature.inputs(), DatasetWire::write));
        node.set("outputs", Wire.arrayOf(signature.outputs(), DatasetWire::write));
        return node;
    }

    public static ModelSignature readSignature(JsonNode node, String path) {
        Wire.Fields f = Wire.fields(node, path, "inputs", "outputs");
        List<Column> inputs = f.list("inputs", DatasetWire::readColumn);
        List<Column> outputs = f.list("outputs", DatasetWire::readColumn);
        return Wire.build(path, () -> new ModelSignature(inputs, outputs));
    }

    private static ModelSignature signatureOrEmpty(Wire.Fields f) {
        ModelSignature s = f.optObject("signature", RegistryWire::readSignature);
        return s == null ? ModelSignature.EMPTY : s;
    }

    public static ObjectNode write(NewModelVersion version) {
        ObjectNode node = Wire.object();
        node.put("model", version.modelName());
        node.put("version", version.version());
        node.put("digest", version.digest());
        putIf(node, "run_id", version.runId());
        node.set("signature", write(version.signature()));
        node.set("metrics", Wire.doubleMapNode(version.metrics()));
        node.set("tags", Wire.stringMapNode(version.tags()));
        node.put("description", version.description());
        putIf(node, "idempotency_key", version.idempotencyKey());
        node.put("created_time", Wire.instantText(version.createdTime()));
        node.put("created_by", version.createdBy());
        return node;
    }

    /** A version to register; an absent {@code signature} is {@link ModelSignature#EMPTY}. */
    public static NewModelVersion readNewVersion(JsonNode node, String path) {
        Wire.Fields f = Wire.fields(node, path, "model", "version", "digest", "run_id", "signature", "metrics", "tags",
                "description", "idempotency_key", "created_time", "created_by");
        String model = f.string("model");
        int number = f.intValue("version", 1, Integer.MAX_VALUE);
        String digest = f.string("digest");
        String runId = f.optString("run_id");
        ModelSignature signature = signatureOrEmpty(f);
        Map<String, Double> metrics = f.doubleMap("metrics");
        Map<String, String> tags = f.stringMap("tags");
        String description = f.string("description");
        String key = f.optString("idempotency_key");
        Instant created = f.instant("created_time");
        String createdBy = f.string("created_by");
        return Wire.build(path, () -> new NewModelVersion(model, number, digest, runId, signature, metrics, tags,
                description, key, created, createdBy));
    }

    public static ObjectNode write(ModelVersion version) {
        ObjectNode node = Wire.object();
        node.put("model", version.modelName());
        node.put("version", version.version());
        node.put("digest", version.digest());
        if (version.artifact() != null) {
            node.set("artifact", write(version.artifact()));
        }
        node.put("status", version.status().name());
        putIf(node, "status_message", version.statusMessage());
        putIf(node, "run_id", version.runId());
        node.set("signature", write(version.signature()));
        node.set("metrics", Wire.doubleMapNode(version.metrics()));
        node.set("tags", Wire.stringMapNode(version.tags()));
        node.put("description", version.description());
        putApproval(node, version.approval(), "approval", "approved_by", "approval_time", "approval_reason");
        node.set("aliases", Wire.stringArray(version.aliases()));
        node.put("created_time", Wire.instantText(version.createdTime()));
        node.put("created_by", version.createdBy());
        node.put("updated_time", Wire.instantText(version.updatedTime()));
        return node;
    }

    public static ModelVersion readVersion(JsonNode node, String path) {
        Wire.Fields f = Wire.fields(node, path, "model", "version", "digest", "artifact", "status", "status_message",
                "run_id", "signature", "metrics", "tags", "description", "approval", "approved_by", "approval_time",
                "approval_reason", "aliases", "created_time", "created_by", "updated_time");
        String model = f.string("model");
        int number = f.intValue("version", 1, Integer.MAX_VALUE);
        String digest = f.string("digest");
        ArtifactRef artifact = f.optObject("artifact", RegistryWire::readArtifact);
        VersionStatus status = f.enumValue("status", VersionStatus.class, false);
        String statusMessage = f.optString("status_message");
        String runId = f.optString("run_id");
        ModelSignature signature = signatureOrEmpty(f);
        Map<String, Double> metrics = f.doubleMap("metrics");
        Map<String, String> tags = f.stringMap("tags");
        String description = f.string("description");
        Approval approval = readApprovalFields(f, f.path("approval"), "approval", "approved_by", "approval_time",
                "approval_reason");
        List<String> aliases = f.list("aliases", Wire::readString);
        Instant created = f.instant("created_time");
        String createdBy = f.string("created_by");
        Instant updated = f.instant("updated_time");
        return Wire.build(path, () -> new ModelVersion(model, number, digest, artifact, status, statusMessage, runId,
                signature, metrics, tags, description, approval, aliases, created, createdBy, updated));
    }

    public static TextNode write(VersionStatus status) {
        return TextNode.valueOf(status.name());
    }

    public static VersionStatus readVersionStatus(JsonNode node, String path) {
        return Wire.readEnum(node, path, VersionStatus.class, false);
    }

    public static ObjectNode write(Approval approval) {
        ObjectNode node = Wire.object();
        putApproval(node, approval, "status", "actor", "time", "reason");
        return node;
    }

    /** An approval: actor, time and reason are required for a decision and refused while {@code PENDING}. */
    public static Approval readApproval(JsonNode node, String path) {
        Wire.Fields f = Wire.fields(node, path, "status", "actor", "time", "reason");
        return readApprovalFields(f, path, "status", "actor", "time", "reason");
    }

    /**
     * Puts {@code approval} as the fields named: its status, then actor, time and reason where set (an approval on
     * its own and an approval flattened into its version differ only in the names).
     */
    private static void putApproval(ObjectNode node, Approval approval, String status, String actor, String time,
            String reason) {
        node.put(status, approval.status().name());
        putIf(node, actor, approval.actor());
        if (approval.time() != null) {
            node.put(time, Wire.instantText(approval.time()));
        }
        putIf(node, reason, approval.reason());
    }

    /** Reads what {@link #putApproval} put under the same names; an invalid approval is refused naming {@code path}. */
    private static Approval readApprovalFields(Wire.Fields f, String path, String status, String actor, String time,
            String reason) {
        ApprovalStatus approvalStatus = f.enumValue(status, ApprovalStatus.class, false);
        String approvalActor = f.optString(actor);
        Instant approvalTime = f.optInstant(time);
        String approvalReason = f.optString(reason);
        return Wire.build(path, () -> new Approval(approvalStatus, approvalActor, approvalTime, approvalReason));
    }

    public static ObjectNode write(AliasChange change) {
        ObjectNode node = Wire.object();
        node.put("model", change.modelName());
        node.put("alias", change.alias());
        if (change.previous() != null) {
            node.put("previous", change.previous());
        }
        if (change.current() != null) {
            node.put("current", change.current());
        }
        return node;
    }

    public static AliasChange readAliasChange(JsonNode node, String path) {
        Wire.Fields f = Wire.fields(node, path, "model", "alias", "previous", "current");
        String model = f.string("model");
        String alias = f.string("alias");
        Integer previous = f.optInt("previous");
        Integer current = f.optInt("current");
        return Wire.build(path, () -> new AliasChange(model, alias, previous, current));
    }

    public static ObjectNode write(ArtifactRef artifact) {
        ObjectNode node = Wire.object();
        node.put("digest", artifact.digest());
        node.put("size_bytes", artifact.sizeBytes());
        node.put("uri", artifact.uri());
        return node;
    }

    public static ArtifactRef readArtifact(JsonNode node, String path) {
        Wire.Fields f = Wire.fields(node, path, "digest", "size_bytes", "uri");
        String digest = f.string("digest");
        long size = f.longValue("size_bytes");
        String uri = f.string("uri");
        return Wire.build(path, () -> new ArtifactRef(digest, size, uri));
    }

    public static ObjectNode write(VersionQuery query) {
        ObjectNode node = Wire.object();
        putIf(node, "model", query.modelName());
        if (query.status() != null) {
            node.put("status", query.status().name());
        }
        if (query.approval() != null) {
            node.put("approval", query.approval().name());
        }
        putIf(node, "run_id", query.runId());
        node.set("tags", Wire.stringMapNode(query.tags()));
        return node;
    }

    /** A version query; {@code {}} is every version of every model. */
    public static VersionQuery readVersionQuery(JsonNode node, String path) {
        Wire.Fields f = Wire.fields(node, path, "model", "status", "approval", "run_id", "tags");
        String model = f.optString("model");
        VersionStatus status = f.optEnum("status", VersionStatus.class, false);
        ApprovalStatus approval = f.optEnum("approval", ApprovalStatus.class, false);
        String runId = f.optString("run_id");
        Map<String, String> tags = f.stringMap("tags");
        return Wire.build(path, () -> new VersionQuery(model, status, approval, runId, tags));
    }
}
