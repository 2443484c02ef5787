package dev.mlops.tracking;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A stored run: an execution of a job, with what it was given (params, inputs, code, environment) and what it
 * produced (metrics, outputs). Immutable snapshot; read it again to see later changes.
 *
 * @param id            the run id (a time-ordered UUID)
 * @param jobName       the job name
 * @param status        the stored status
 * @param startTime     when it started
 * @param endTime       when it ended, or null while running
 * @param lastHeartbeat the last heartbeat the store received (the start time if none)
 * @param error         the error of a failed or aborted run, or null
 * @param parentRunId   the parent run's id, or null
 * @param params        params, write-once
 * @param tags          tags
 * @param latestMetrics the latest point of each metric (highest step, then latest timestamp)
 * @param links         inputs and outputs in the order they were added
 * @param codeVersion   the code version, or null
 * @param environment   environment facts
 */
public record Run(String id, String jobName, RunStatus status, Instant startTime, Instant endTime,
        Instant lastHeartbeat, String error, String parentRunId, Map<String, String> params,
        Map<String, String> tags, Map<String, MetricPoint> latestMetrics, List<RunLink> links,
        CodeVersion codeVersion, Map<String, String> environment) {
    /**
     * The system tag holding the heartbeat timeout the run was started with (an ISO-8601 duration such as
     * {@code PT5M}); {@link #effectiveStatus(Instant)} reads it.
     */
    public static final String HEARTBEAT_TIMEOUT_TAG = "mlops.heartbeat_timeout";

    /** The heartbeat timeout assumed for runs without {@link #HEARTBEAT_TIMEOUT_TAG}. */
    public static final Duration DEFAULT_HEARTBEAT_TIMEOUT = Duration.ofMinutes(5);

    public Run {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(jobName, "jobName");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(startTime, "startTime");
        Objects.requireNonNull(lastHeartbeat, "lastHeartbeat");
        params = Map.copyOf(params);
        tags = Map.copyOf(tags);
        latestMetrics = Map.copyOf(latestMetrics);
        links = List.copyOf(links);
        environment = Map.copyOf(environment);
    }

    public Optional<Instant> end() {
        return Optional.ofNullable(endTime);
    }

    public Optional<String> errorMessage() {
        return Optional.ofNullable(error);
    }

    public Optional<String> parent() {
        return Optional.ofNullable(parentRunId);
    }

    /** The inputs, in the order they were added. */
    public List<RunLink> inputs() {
        return links.stream().filter(l -> l.role() == RunLink.Role.INPUT).toList();
    }

    /** The outputs, in the order they were added. */
    public List<RunLink> outputs() {
        return links.stream().filter(l -> l.role() == RunLink.Role.OUTPUT).toList();
    }

    /** The heartbeat timeout the run was started with (its {@link #HEARTBEAT_TIMEOUT_TAG}), else the default. */
    public Duration heartbeatTimeout() {
        String value = tags.get(HEARTBEAT_TIMEOUT_TAG);
        if (value != null) {
            try {
                Duration d = Duration.parse(value);
                if (!d.isNegative() && !d.isZero()) {
                    return d;
                }
            } catch (java.time.format.DateTimeParseException ignored) {
                // A tag someone overwrote with garbage: fall back to the default.
            }
        }
        return DEFAULT_HEARTBEAT_TIMEOUT;
    }

    /** {@link #effectiveStatus(Instant, Duration)} with the run's own {@link #heartbeatTimeout()}. */
    public RunStatus effectiveStatus(Instant now) {
        return effectiveStatus(now, heartbeatTimeout());
    }

    /**
     * The status to report: a {@code RUNNING} run whose last heartbeat is older than {@code heartbeatTimeout} at
     * {@code now} is reported as {@link RunStatus#ABORTED} (its process most likely died).
     */
    public RunStatus effectiveStatus(Instant now, Duration heartbeatTimeout) {
        if (status == RunStatus.RUNNING && lastHeartbeat.plus(heartbeatTimeout).isBefore(now)) {
            return RunStatus.ABORTED;
        }
        return status;
    }
}
