package dev.mlops.tracking;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.ArrayList;
import java.util.Map;
import java.util.Objects;

/**
 * A run search: every condition given must hold. Results are ordered by start time, newest first, then by id
 * descending. Build with {@link #builder()}; {@link #all()} matches every run.
 *
 * @param jobName       only runs of this job, or null
 * @param status        only runs with this stored status, or null
 * @param tags          only runs with all these tags (exact values)
 * @param params        only runs with all these params (exact values)
 * @param metrics       only runs whose latest metric values satisfy all these filters
 * @param startedAfter  only runs started at or after this instant, or null
 * @param startedBefore only runs started before this instant, or null
 * @param parentRunId   only children of this run, or null
 */
public record RunQuery(String jobName, RunStatus status, Map<String, String> tags, Map<String, String> params,
        List<MetricFilter> metrics, Instant startedAfter, Instant startedBefore, String parentRunId) {
    public RunQuery {
        tags = Map.copyOf(tags);
        params = Map.copyOf(params);
        metrics = List.copyOf(metrics);
    }

    public static RunQuery all() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Whether {@code run} satisfies every condition; the reference semantics that every store must match. */
    public boolean matches(Run run) {
        if (jobName != null && !jobName.equals(run.jobName())) {
            return false;
        }
        if (status != null && status != run.status()) {
            return false;
        }
        if (parentRunId != null && !parentRunId.equals(run.parentRunId())) {
            return false;
        }
        if (startedAfter != null && run.startTime().isBefore(startedAfter)) {
            return false;
        }
        if (startedBefore != null && !run.startTime().isBefore(startedBefore)) {
            return false;
        }
        for (Map.Entry<String, String> e : tags.entrySet()) {
            if (!e.getValue().equals(run.tags().get(e.getKey()))) {
                return false;
            }
        }
        for (Map.Entry<String, String> e : params.entrySet()) {
            if (!e.getValue().equals(run.params().get(e.getKey()))) {
                return false;
            }
        }
        for (MetricFilter f : metrics) {
            MetricPoint p = run.latestMetrics().get(f.key());
            if (p == null || !f.test(p.value())) {
                return false;
            }
        }
        return true;
    }

    /** A builder of queries; not thread-safe. */
    public static final class Builder {
        private String jobName;
        private RunStatus status;
        private final Map<String, String> tags = new LinkedHashMap<>();
        private final Map<String, String> params = new LinkedHashMap<>();
        private final List<MetricFilter> metrics = new ArrayList<>();
        private Instant startedAfter;
        private Instant startedBefore;
        private String parentRunId;

        private Builder() {
        }

        public Builder jobName(String jobName) {
            this.jobName = Objects.requireNonNull(jobName, "jobName");
            return this;
        }

        public Builder status(RunStatus status) {
            this.status = Objects.requireNonNull(status, "status");
            return this;
        }

        public Builder tag(String key, String value) {
            tags.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        public Builder param(String key, String value) {
            params.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        public Builder metric(String key, MetricFilter.Comparison op, double value) {
            metrics.add(new MetricFilter(key, op, value));
            return this;
        }

        public Builder startedAfter(Instant instant) {
            this.startedAfter = Objects.requireNonNull(instant, "instant");
            return this;
        }

        public Builder startedBefore(Instant instant) {
            this.startedBefore = Objects.requireNonNull(instant, "instant");
            return this;
        }

        public Builder parentRunId(String parentRunId) {
            this.parentRunId = Objects.requireNonNull(parentRunId, "parentRunId");
            return this;
        }

        public RunQuery build() {
            return new RunQuery(jobName, status, tags, params, metrics, startedAfter, startedBefore, parentRunId);
        }
    }
}
