package dev.mlops.registry;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Which model versions to list; every condition given must hold. Results are ordered by model name (in
 * {@link String#compareTo} order), then version number ascending.
 *
 * @param modelName versions of this model only (exact name), or null for all models
 * @param status    this status only, or null
 * @param approval  this approval status only, or null
 * @param runId     produced by this run only, or null
 * @param tags      tags the version must have with exactly these values
 */
public record VersionQuery(String modelName, VersionStatus status, ApprovalStatus approval, String runId,
        Map<String, String> tags) {
    public VersionQuery {
        tags = Collections.unmodifiableMap(new TreeMap<>(tags));
    }

    /** Every version of every model. */
    public static VersionQuery all() {
        return builder().build();
    }

    /** Every version of one model. */
    public static VersionQuery of(String modelName) {
        return builder().modelName(modelName).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Whether {@code version} matches: the definition every store implements. */
    public boolean matches(ModelVersion version) {
        if (modelName != null && !modelName.equals(version.modelName())) {
            return false;
        }
        if (status != null && status != version.status()) {
            return false;
        }
        if (approval != null && approval != version.approval().status()) {
            return false;
        }
        if (runId != null && !runId.equals(version.runId())) {
            return false;
        }
        for (Map.Entry<String, String> e : tags.entrySet()) {
            if (!e.getValue().equals(version.tags().get(e.getKey()))) {
                return false;
            }
        }
        return true;
    }

    /** Builds a {@link VersionQuery}; not thread-safe. */
    public static final class Builder {
        private String modelName;
        private VersionStatus status;
        private ApprovalStatus approval;
        private String runId;
        private final Map<String, String> tags = new LinkedHashMap<>();

        private Builder() {
        }

        public Builder modelName(String modelName) {
            this.modelName = Objects.requireNonNull(modelName, "modelName");
            return this;
        }

        public Builder status(VersionStatus status) {
            this.status = Objects.requireNonNull(status, "status");
            return this;
        }

        public Builder approval(ApprovalStatus approval) {
            this.approval = Objects.requireNonNull(approval, "approval");
            return this;
        }

        public Builder runId(String runId) {
            this.runId = Objects.requireNonNull(runId, "runId");
            return this;
        }

        public Builder tag(String key, String value) {
            tags.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        public VersionQuery build() {
            return new VersionQuery(modelName, status, approval, runId, tags);
        }
    }
}
