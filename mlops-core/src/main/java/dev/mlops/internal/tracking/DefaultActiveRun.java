package dev.mlops.internal.tracking;

import dev.mlops.InvalidArgumentException;
import dev.mlops.MlopsException;
import dev.mlops.NotFoundException;
import dev.mlops.StorageException;
import dev.mlops.artifact.ArtifactRef;
import dev.mlops.data.DatasetVersion;
import dev.mlops.internal.Context;
import dev.mlops.internal.Validate;
import dev.mlops.lineage.NodeRef;
import dev.mlops.tracking.ActiveRun;
import dev.mlops.tracking.MetricPoint;
import dev.mlops.tracking.Run;
import dev.mlops.tracking.RunLink;
import dev.mlops.tracking.RunStatus;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A run open in this process: heartbeats, metric buffering, finishing. Thread-safe. Full metric batches go to the
 * owning tracker's {@link MetricSender} (this run's chain keeps them in order); params, tags and links are stored
 * synchronously.
 */
final class DefaultActiveRun implements ActiveRun {
    private static final Logger LOG = LoggerFactory.getLogger(DefaultActiveRun.class);

    private final DefaultTracking tracking;
    private final Context context;
    private final String id;
    private final String subject;
    private final Object bufferLock = new Object();
    private List<MetricPoint> buffer = new ArrayList<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private final ScheduledFuture<?> heartbeat;
    private volatile Throwable failure;
    private volatile boolean heartbeatWarned;
    private volatile boolean metricsWarned;
    private final AtomicLong droppedPoints = new AtomicLong();
    private final MetricSender sender;
    private final MetricSender.Chain chain;

    DefaultActiveRun(DefaultTracking tracking, String id, String jobName) {
        this.tracking = tracking;
        this.context = tracking.context();
        this.id = id;
        this.subject = "run:" + id;
        this.sender = tracking.sender();
        this.chain = sender.chain(new MetricSender.Target() {
            @Override
            public void send(List<MetricPoint> points) {
                DefaultActiveRun.this.send(points);
            }

            @Override
            public void dropped(List<MetricPoint> points, RuntimeException cause) {
                DefaultActiveRun.this.dropped(points, cause);
            }
        });
        long every = context.heartbeatInterval().toMillis();
        this.heartbeat = context.scheduler().scheduleAtFixedRate(this::beat, every, every, TimeUnit.MILLISECONDS);
        tracking.opened(this);
    }

    private void beat() {
        try {
            context.store().heartbeat(id, context.now());
        } catch (RuntimeException e) {
            // Telemetry never breaks the host: warn once, keep trying.
            if (!heartbeatWarned) {
                heartbeatWarned = true;
                LOG.warn("Heartbeat for run {} failed: {}", id, e.toString());
            }
        }
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public ActiveRun logParam(String key, String value) {
        Validate.key("params key", key);
        return logParams(Map.of(key, Validate.value("params." + key, value, Validate.MAX_PARAM_VALUE)));
    }

    @Override
    public ActiveRun logParams(Map<String, String> params) {
        ensureOpen();
        Validate.params(params);
        if (params.isEmpty()) {
            return this;
        }
        context.store().logParams(id, params, context.audit("run.log_params", subject,
                Map.of("params", new TreeMap<>(params))));
        return this;
    }

    @Override
    public ActiveRun logMetric(String key, double value, long step) {
        MetricPoint point = new MetricPoint(Validate.key("metric key", key), value, step, context.now());
        synchronized (bufferLock) {
            // Checked under the lock close() flushes under, so a point is either sent or refused, never lost.
            ensureOpen();
            buffer.add(point);
            if (buffer.size() >= context.metricBatchSize()) {
                List<MetricPoint> full = buffer;
                buffer = new ArrayList<>();
                // Handed over under the lock, so this run's batches reach the sender in the order they filled up.
                // Waits here (backpressure) while the sender's queue is full.
                if (!sender.submit(chain, full)) {
                    dropped(full, new StorageException("the Mlops instance is closed", null));
                }
            }
        }
        return this;
    }

    /**
     * A batch that filled up inside {@code logMetric} could not be stored in the background: the training loop did
     * not ask for a store call, so the failure (the run ended elsewhere, the store is down) is logged once and the
     * batch dropped and counted, never thrown into the loop. {@link #flush()} and {@link #snapshot()} do throw.
     */
    private void dropped(List<MetricPoint> points, RuntimeException cause) {
        droppedPoints.addAndGet(points.size());
        if (!metricsWarned) {
            metricsWarned = true;
            LOG.warn("Dropped {} metric points of run {}: {}", points.size(), id, cause.getMessage());
        }
    }

    /** Points of this run dropped so far because a background send failed. */
    long droppedPoints() {
        return droppedPoints.get();
    }

    /**
     * Waits until every batch handed to the sender is stored (or dropped), then stores the points still buffered,
     * behind them; throws what the store throws for those.
     */
    @Override
    public ActiveRun flush() {
        flush(-1);
        return this;
    }

    /**
     * As {@link #flush()}; with {@code timeoutNanos >= 0}, waits at most that long.
     *
     * @return false when the time was up before everything was stored
     */
    private boolean flush(long timeoutNanos) {
        List<MetricPoint> pending;
        CompletableFuture<Void> done;
        synchronized (bufferLock) {
            // Never hand over the live buffer: other threads keep adding to it.
            pending = buffer.isEmpty() ? List.of() : buffer;
            if (!pending.isEmpty()) {
                buffer = new ArrayList<>();
            }
            done = sender.flush(chain, pending);
        }
        if (done == null) {
            // The Mlops instance closed: nothing of this run is left with the sender.
            if (!pending.isEmpty()) {
                send(pending);
            }
            return true;
        }
        try {
            if (timeoutNanos < 0) {
                done.join();
            } else {
                done.get(timeoutNanos, TimeUnit.NANOSECONDS);
            }
            return true;
        } catch (CompletionException | ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            if (cause instanceof Error err) {
                throw err;
            }
            throw new StorageException("sending the metrics of run " + id + " failed: " + cause, cause);
        } catch (TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private void send(List<MetricPoint> points) {
        TreeSet<String> keys = new TreeSet<>();
        long minStep = Long.MAX_VALUE;
        long maxStep = Long.MIN_VALUE;
        for (MetricPoint p : points) {
            keys.add(p.key());
            minStep = Math.min(minStep, p.step());
            maxStep = Math.max(maxStep, p.step());
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("points", points.size());
        data.put("keys", List.copyOf(keys));
        data.put("min_step", minStep);
        data.put("max_step", maxStep);
        context.store().logMetrics(id, points, context.audit("run.log_metrics", subject, data));
    }

    @Override
    public ActiveRun setTag(String key, String value) {
        Validate.key("tags key", key);
        Validate.value("tags." + key, value, Validate.MAX_TAG_VALUE);
        context.store().setTags(id, Map.of(key, value), context.audit("run.set_tags", subject,
                Map.of("tags", Map.of(key, value))));
        return this;
    }

    @Override
    public ActiveRun logInput(DatasetVersion dataset) {
        return logInput(Validate.required("dataset", dataset).node());
    }

    @Override
    public ActiveRun logInput(NodeRef node) {
        return link(RunLink.input(Validate.required("node", node)));
    }

    @Override
    public ActiveRun logOutput(DatasetVersion dataset) {
        return logOutput(Validate.required("dataset", dataset).node());
    }

    @Override
    public ActiveRun logOutput(NodeRef node) {
        return link(RunLink.output(Validate.required("node", node)));
    }

    private ActiveRun link(RunLink link) {
        ensureOpen();
        NodeRef node = link.node();
        if (node.kind() == dev.mlops.lineage.NodeKind.RUN) {
            throw new InvalidArgumentException("node", "a run cannot be an input or output of a run; use a parent"
                    + " run instead (" + node + ")");
        }
        if (node.kind() == dev.mlops.lineage.NodeKind.DATASET
                && context.store().getDataset(node.name(), node.version()).isEmpty()) {
            throw new NotFoundException("dataset version " + node + " is not registered; register it with"
                    + " datasets().register(...) first");
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put(link.role() == RunLink.Role.INPUT ? "inputs" : "outputs", List.of(link.node().id()));
        context.store().addLinks(id, List.of(link), context.audit("run.add_links", subject, data));
        return this;
    }

    @Override
    public ArtifactRef logArtifact(String name, Path file) {
        ensureOpen();
        Validate.name("artifact name", name);
        if (file == null || !Files.isRegularFile(file)) {
            throw new InvalidArgumentException("file", "artifact file " + file + " does not exist or is not a"
                    + " regular file");
        }
        ArtifactRef ref;
        try (InputStream in = Files.newInputStream(file)) {
            ref = context.artifacts().put(in, null);
        } catch (IOException e) {
            throw new InvalidArgumentException("file", "cannot read artifact file " + file + ": " + e.getMessage(), e);
        }
        logOutput(NodeRef.artifact(name, ref.digest()));
        return ref;
    }

    @Override
    public ActiveRun startChild(String jobName) {
        ensureOpen();
        return tracking.starter(jobName).parent(id).start();
    }

    @Override
    public void fail(Throwable error) {
        if (error != null) {
            failure = error;
        }
    }

    @Override
    public Run snapshot() {
        flush();
        return context.store().getRun(id).orElseThrow(() -> new NotFoundException("run " + id + " does not exist"));
    }

    /**
     * Flushes and finishes the run. Never throws: a failure here (the run was ended elsewhere, for example aborted
     * as stale; the store is unreachable) is logged as a warning, because it must not hide the training result or
     * the training's own exception. A run that could not be finished is later reported as {@code ABORTED} by its
     * missing heartbeats.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        heartbeat.cancel(false);
        tracking.closed(this);
        Throwable error = failure;
        try {
            flush();
        } catch (RuntimeException e) {
            LOG.warn("Could not send the last metrics of run {}: {}", id, e.getMessage());
        }
        long dropped = droppedPoints.get();
        try {
            if (error == null) {
                tracking.finish(id, RunStatus.COMPLETED, null);
            } else {
                tracking.finish(id, RunStatus.FAILED, describe(error));
            }
        } catch (MlopsException e) {
            LOG.warn("Could not finish run {}: {}", id, e.getMessage());
        }
        if (dropped > 0) {
            LOG.warn("Run {} dropped {} metric points it could not send", id, dropped);
        }
    }

    /**
     * Called when the owning Mlops closes while this run is open: sends what is left, waiting for the sender until
     * {@code deadlineNanos} ({@link System#nanoTime()}), and finishes the run as {@code ABORTED}.
     */
    void abandon(long deadlineNanos) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        heartbeat.cancel(false);
        tracking.closed(this);
        try {
            if (!flush(Math.max(0, deadlineNanos - System.nanoTime()))) {
                LOG.warn("The last metrics of run {} were not stored in time; closing anyway", id);
            }
        } catch (RuntimeException e) {
            LOG.warn("Could not send the last metrics of run {}: {}", id, e.toString());
        }
        try {
            tracking.finish(id, RunStatus.ABORTED, "the Mlops instance was closed while the run was still open");
        } catch (RuntimeException e) {
            LOG.warn("Could not abort run {}: {}", id, e.toString());
        }
    }

    private static String describe(Throwable error) {
        String text = error.getClass().getName() + (error.getMessage() == null ? "" : ": " + error.getMessage());
        return text.length() > Validate.MAX_TEXT ? text.substring(0, Validate.MAX_TEXT) : text;
    }

    private void ensureOpen() {
        if (closed.get()) {
            throw new dev.mlops.ConflictException("run " + id + " is closed in this process");
        }
    }
}
