package dev.mlops.internal.tracking;

import dev.mlops.InvalidArgumentException;
import dev.mlops.MlopsException;
import dev.mlops.NotFoundException;
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
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A run open in this process: heartbeats, metric buffering, finishing. Thread-safe. */
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
    private long droppedPoints;

    DefaultActiveRun(DefaultTracking tracking, String id, String jobName) {
        this.tracking = tracking;
        this.context = tracking.context();
        this.id = id;
        this.subject = "run:" + id;
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
        List<MetricPoint> full = null;
        synchronized (bufferLock) {
            // Checked under the lock close() flushes under, so a point is either sent or refused, never lost.
            ensureOpen();
            buffer.add(point);
            if (buffer.size() >= context.metricBatchSize()) {
                full = buffer;
                buffer = new ArrayList<>();
            }
        }
        if (full != null) {
            sendInBackgroundOfTraining(full);
        }
        return this;
    }

    /**
     * Sends a batch that filled up inside {@code logMetric}: the training loop did not ask for a store call, so a
     * failure (the run ended elsewhere, the store is down) is logged once and the batch dropped and counted, never
     * thrown into the loop. {@link #flush()} and {@link #snapshot()} do throw.
     */
    private void sendInBackgroundOfTraining(List<MetricPoint> points) {
        try {
            send(points);
        } catch (MlopsException e) {
            synchronized (bufferLock) {
                droppedPoints += points.size();
            }
            if (!metricsWarned) {
                metricsWarned = true;
                LOG.warn("Dropped {} metric points of run {}: {}", points.size(), id, e.getMessage());
            }
        }
    }

    @Override
    public ActiveRun flush() {
        List<MetricPoint> pending;
        synchronized (bufferLock) {
            if (buffer.isEmpty()) {
                return this;
            }
            pending = buffer;
            buffer = new ArrayList<>();
        }
        send(pending);
        return this;
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
        } catch (MlopsException e) {
            LOG.warn("Could not send the last metrics of run {}: {}", id, e.getMessage());
        }
        long dropped;
        synchronized (bufferLock) {
            dropped = droppedPoints;
        }
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

    /** Called when the owning Mlops closes while this run is open. */
    void abandon() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        heartbeat.cancel(false);
        tracking.closed(this);
        try {
            flush();
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
