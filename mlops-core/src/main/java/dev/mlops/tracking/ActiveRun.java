package dev.mlops.tracking;

import dev.mlops.artifact.ArtifactRef;
import dev.mlops.data.DatasetVersion;
import dev.mlops.lineage.NodeRef;
import java.nio.file.Path;
import java.util.Map;

/**
 * A run in progress in this process. It sends heartbeats while open and buffers metrics, sending them in batches.
 * {@link #close()} flushes and finishes the run: {@code COMPLETED}, or {@code FAILED} when {@link #fail(Throwable)}
 * was called. Use {@link Tracking#run(String, RunBody)} to have an exception mark the run failed automatically.
 *
 * <p><b>Metrics are stored in the background.</b> {@link #logMetric} buffers; a full batch
 * ({@code Mlops.Builder.metricBatchSize}) is handed to the {@code Mlops} instance's background sender and
 * {@code logMetric} returns without waiting for the store. A run's batches are stored one at a time in the order they
 * filled up (one {@code run.log_metrics} audit event each); different runs' batches may be stored in parallel. At
 * most {@code Mlops.Builder.metricQueueCapacity} full batches wait at once; beyond that {@code logMetric} waits for
 * room. A background batch the store refuses or cannot take (the run was ended elsewhere, the store is down) is
 * logged once as a warning, without its values, and dropped: a training loop never gets an exception from it.
 * {@link #flush()}, {@link #snapshot()} and {@link #close()} wait for this run's batches, so after them every metric
 * logged before is stored (or was dropped and logged).
 *
 * <p><b>Everything else is synchronous.</b> Params, tags, inputs, outputs and artifacts are stored before their
 * method returns, so a refusal (for example {@code CONFLICT} for a param logged again with another value) reaches the
 * caller.
 *
 * <p>Thread-safe: several threads of a training job may log to one run.
 */
public interface ActiveRun extends AutoCloseable {

    /** The run id. */
    String id();

    /** Logs a param; write-once (the same value again is fine, another value fails with {@code CONFLICT}). */
    ActiveRun logParam(String key, String value);

    /** Logs several params at once, all or none. */
    ActiveRun logParams(Map<String, String> params);

    /**
     * Buffers one metric value at {@code step}, timestamped now; stored in batches in the background (see above).
     * Returns without waiting for the store, unless the instance's metric queue is full, then it waits for room.
     *
     * @throws dev.mlops.InvalidArgumentException for NaN, infinities, a negative step or a bad key
     * @throws dev.mlops.ConflictException        when this run was closed in this process
     */
    ActiveRun logMetric(String key, double value, long step);

    /**
     * Waits until every batch of this run handed to the background sender is stored (or dropped and logged), then
     * stores the metrics still buffered, behind them.
     *
     * @throws dev.mlops.MlopsException what the store throws for the buffered metrics (for example
     *                                  {@code CONFLICT} when the run was ended elsewhere); they are not kept
     */
    ActiveRun flush();

    ActiveRun setTag(String key, String value);

    /** Records that the run read this dataset version (a lineage edge {@code dataset -> run}). */
    ActiveRun logInput(DatasetVersion dataset);

    /** Records that the run read this node. */
    ActiveRun logInput(NodeRef node);

    /** Records that the run wrote this dataset version (a lineage edge {@code run -> dataset}). */
    ActiveRun logOutput(DatasetVersion dataset);

    /** Records that the run wrote this node. */
    ActiveRun logOutput(NodeRef node);

    /**
     * Stores {@code file} in the artifact store and records it as an output of the run, the lineage node
     * {@code artifact:NAME@sha256:HEX}.
     */
    ArtifactRef logArtifact(String name, Path file);

    /** Starts a child run of this run (same tracker settings); close it before this one. */
    ActiveRun startChild(String jobName);

    /** Marks the run failed with {@code error}; {@link #close()} then finishes it as {@code FAILED}. */
    void fail(Throwable error);

    /** The run as stored now, after {@link #flush()}. */
    Run snapshot();

    /**
     * Flushes (so every metric logged before is stored, or was dropped and logged, before the run is marked
     * finished), stops heartbeats and finishes the run. Idempotent.
     */
    @Override
    void close();
}
