package dev.mlops.tracking;

import dev.mlops.Page;
import dev.mlops.PageRequest;
import java.util.List;
import java.util.Optional;

/**
 * Tracks runs: what a job was given and what it produced. Obtain it from {@code Mlops.tracking()}. Thread-safe.
 */
public interface Tracking {

    /** Starts a run of {@code jobName}, capturing code version and environment. Close it (try-with-resources). */
    ActiveRun start(String jobName);

    /** A builder for a run with a parent, initial tags or an explicit code version. */
    RunStarter starter(String jobName);

    /**
     * Runs {@code body} inside a run: normal return completes it, an exception marks it {@code FAILED} with the
     * exception's class and message and is rethrown (checked exceptions wrapped in an unchecked
     * {@code RunFailedException}, unchecked ones as they are).
     */
    <T> T run(String jobName, RunBody<T> body);

    /** The run, if it exists. */
    Optional<Run> get(String runId);

    /** Runs matching {@code query}, newest first. */
    Page<Run> search(RunQuery query, PageRequest page);

    /** The series of one metric of a run, by step. */
    Page<MetricPoint> metricHistory(String runId, String key, PageRequest page);

    /**
     * Runs stored as {@code RUNNING} whose last heartbeat is older than the heartbeat timeout: their process most
     * likely died. They are reported as {@code ABORTED} by {@link Run#effectiveStatus}.
     */
    List<Run> staleRuns();

    /** Closes every stale run as {@code ABORTED} (audited) and returns them. */
    List<Run> abortStaleRuns();

    /**
     * Closes a {@code RUNNING} run of another process as {@code ABORTED} with {@code reason}.
     *
     * @throws dev.mlops.ConflictException when the run already ended
     */
    Run abort(String runId, String reason);
}
