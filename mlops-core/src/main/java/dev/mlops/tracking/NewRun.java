package dev.mlops.tracking;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * What a store needs to create a run. The {@code id} is chosen by the caller (a time-ordered UUID) and is the
 * idempotency key of the creation: creating the same run again returns the stored one.
 *
 * @param id          the run id
 * @param jobName     the job (experiment) name
 * @param parentRunId the parent run's id, or null
 * @param startTime   when the run started
 * @param tags        initial tags
 * @param codeVersion the code version, or null when unknown
 * @param environment environment facts (JVM, OS, host, library versions), key to value
 */
public record NewRun(String id, String jobName, String parentRunId, Instant startTime, Map<String, String> tags,
        CodeVersion codeVersion, Map<String, String> environment) {
    public NewRun {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(jobName, "jobName");
        Objects.requireNonNull(startTime, "startTime");
        tags = Map.copyOf(Objects.requireNonNull(tags, "tags"));
        environment = Map.copyOf(Objects.requireNonNull(environment, "environment"));
    }
}
