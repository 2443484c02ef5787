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
 * <p>Thread-safe: several threads of a training job may log to one run.
 */
public interface ActiveRun extends AutoCloseable {

    /** The run id. */
    String id();

    /** Logs a param; write-once (the same value again is fine, another value fails with {@code CONFLICT}). */
    ActiveRun logParam(String key, String value);

    /** Logs several params at once, all or none. */
    ActiveRun logParams(Map<String, String> params);

    /** Buffers one metric value at {@code step}, timestamped now; sent in batches. NaN and infinities are refused. */
    ActiveRun logMetric(String key, double value, long step);

    /** Sends buffered metrics now. */
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

    /** The run as stored now (after flushing buffered metrics). */
    Run snapshot();

    /** Flushes, stops heartbeats and finishes the run. Idempotent. */
    @Override
    void close();
}
