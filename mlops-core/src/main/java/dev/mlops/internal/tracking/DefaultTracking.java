package dev.mlops.internal.tracking;

import dev.mlops.ConflictException;
import dev.mlops.InvalidArgumentException;
import dev.mlops.NotFoundException;
import dev.mlops.Page;
import dev.mlops.PageRequest;
import dev.mlops.internal.Context;
import dev.mlops.internal.Validate;
import dev.mlops.tracking.ActiveRun;
import dev.mlops.tracking.CodeVersion;
import dev.mlops.tracking.MetricPoint;
import dev.mlops.tracking.NewRun;
import dev.mlops.tracking.Run;
import dev.mlops.tracking.RunBody;
import dev.mlops.tracking.RunFailedException;
import dev.mlops.tracking.RunQuery;
import dev.mlops.tracking.RunStarter;
import dev.mlops.tracking.RunStatus;
import dev.mlops.tracking.Tracking;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tracking API over a {@link dev.mlops.spi.MetadataStore}. Thread-safe. Owns the background sender of its runs'
 * metric batches; {@link #closeAll()} drains and stops it.
 */
public final class DefaultTracking implements Tracking {
    private static final Logger LOG = LoggerFactory.getLogger(DefaultTracking.class);
    /** The default of {@code Mlops.Builder.metricQueueCapacity}. */
    public static final int DEFAULT_METRIC_QUEUE_CAPACITY = 16;
    /** How long {@link #closeAll()} waits for metric batches still queued. */
    public static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

    private final Context context;
    private final MetricSender sender;
    private final Set<DefaultActiveRun> open = ConcurrentHashMap.newKeySet();
    private volatile Map<String, String> environment;

    public DefaultTracking(Context context) {
        this(context, DEFAULT_METRIC_QUEUE_CAPACITY);
    }

    /**
     * @param metricQueueCapacity how many full metric batches may wait for the store at once, across all runs
     *                            (1 or more); {@code logMetric} waits for room beyond that
     */
    public DefaultTracking(Context context, int metricQueueCapacity) {
        this.context = context;
        this.sender = new MetricSender(metricQueueCapacity);
    }

    @Override
    public ActiveRun start(String jobName) {
        return starter(jobName).start();
    }

    @Override
    public RunStarter starter(String jobName) {
        return new Starter(Validate.name("jobName", jobName));
    }

    @Override
    public <T> T run(String jobName, RunBody<T> body) {
        ActiveRun run = start(jobName);
        Throwable failure = null;
        try {
            return body.execute(run);
        } catch (RuntimeException | Error e) {
            failure = e;
            run.fail(e);
            throw e;
        } catch (Exception e) {
            failure = e;
            run.fail(e);
            throw new RunFailedException(run.id(), e);
        } finally {
            try {
                run.close();
            } catch (RuntimeException closeFailure) {
                if (failure == null) {
                    throw closeFailure;
                }
                failure.addSuppressed(closeFailure);
            }
        }
    }

    @Override
    public Optional<Run> get(String runId) {
        return context.store().getRun(Validate.segment("runId", Validate.text("runId", runId, Validate.MAX_NAME)));
    }

    @Override
    public Page<Run> search(RunQuery query, PageRequest page) {
        return context.store().searchRuns(Validate.required("query", query), Validate.required("page", page));
    }

    @Override
    public Page<MetricPoint> metricHistory(String runId, String key, PageRequest page) {
        return context.store().metricHistory(Validate.segment("runId", Validate.text("runId", runId, Validate.MAX_NAME)),
                Validate.key("key", key), Validate.required("page", page));
    }

    @Override
    public List<Run> staleRuns() {
        List<Run> stale = new ArrayList<>();
        RunQuery running = RunQuery.builder().status(RunStatus.RUNNING).build();
        PageRequest request = PageRequest.first(1000);
        while (true) {
            Page<Run> page = context.store().searchRuns(running, request);
            for (Run r : page.items()) {
                if (r.effectiveStatus(context.now()) == RunStatus.ABORTED) {
                    stale.add(r);
                }
            }
            if (page.next().isEmpty()) {
                return stale;
            }
            request = request.next(page);
        }
    }

    @Override
    public List<Run> abortStaleRuns() {
        List<Run> aborted = new ArrayList<>();
        for (Run r : staleRuns()) {
            try {
                aborted.add(finish(r.id(), RunStatus.ABORTED, "no heartbeat since " + r.lastHeartbeat()
                        + " (timeout " + r.heartbeatTimeout() + "); the process most likely died"));
            } catch (ConflictException raced) {
                // Another process ended it in the meantime: nothing to abort.
            }
        }
        return aborted;
    }

    @Override
    public Run abort(String runId, String reason) {
        Validate.segment("runId", Validate.text("runId", runId, Validate.MAX_NAME));
        return finish(runId, RunStatus.ABORTED, Validate.text("reason", reason, Validate.MAX_TEXT));
    }

    Run finish(String runId, RunStatus status, String error) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("status", status.name());
        if (error != null) {
            data.put("error", error);
        }
        return context.store().finishRun(runId, status, context.now(), error,
                context.audit("run.finish", "run:" + runId, data));
    }

    Context context() {
        return context;
    }

    void opened(DefaultActiveRun run) {
        open.add(run);
    }

    void closed(DefaultActiveRun run) {
        open.remove(run);
    }

    MetricSender sender() {
        return sender;
    }

    /**
     * When the owning {@code Mlops} closes: stores the metrics still queued or buffered, waiting at most
     * {@link #CLOSE_TIMEOUT} in all; ends runs left open as {@code ABORTED}; stops the sender (batches still queued
     * after the wait are dropped, counted and logged). Idempotent.
     */
    public void closeAll() {
        closeAll(CLOSE_TIMEOUT);
    }

    void closeAll(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (DefaultActiveRun run : List.copyOf(open)) {
            run.abandon(deadline);
        }
        if (!sender.close(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))) {
            LOG.warn("Metric batches were still queued {} after closing began; they were dropped", timeout);
        }
    }

    private Map<String, String> environment() {
        Map<String, String> env = environment;
        if (env == null) {
            env = Map.copyOf(EnvironmentCapture.capture());
            environment = env;
        }
        return env;
    }

    private final class Starter implements RunStarter {
        private final String jobName;
        private final Map<String, String> tags = new LinkedHashMap<>();
        private String parentRunId;
        private CodeVersion codeVersion;
        private boolean codeVersionGiven;
        private String runId;
        private boolean started;

        Starter(String jobName) {
            this.jobName = jobName;
        }

        @Override
        public RunStarter parent(String parentRunId) {
            this.parentRunId = Validate.segment("parentRunId", Validate.text("parentRunId", parentRunId, Validate.MAX_NAME));
            return this;
        }

        @Override
        public RunStarter tag(String key, String value) {
            Validate.key("tags key", key);
            if (key.equals(Run.HEARTBEAT_TIMEOUT_TAG)) {
                throw new InvalidArgumentException("tags key", Run.HEARTBEAT_TIMEOUT_TAG
                        + " is set by the library from Mlops.builder().heartbeatTimeout(...)");
            }
            tags.put(key, Validate.value("tags." + key, value, Validate.MAX_TAG_VALUE));
            return this;
        }

        @Override
        public RunStarter codeVersion(CodeVersion codeVersion) {
            this.codeVersion = codeVersion;
            this.codeVersionGiven = true;
            return this;
        }

        @Override
        public RunStarter id(String runId) {
            this.runId = Validate.key("runId", runId);
            return this;
        }

        @Override
        public ActiveRun start() {
            if (started) {
                throw new InvalidArgumentException("start", "this starter was used already; get a new one");
            }
            started = true;
            if (parentRunId != null && context.store().getRun(parentRunId).isEmpty()) {
                throw new NotFoundException("parent run " + parentRunId + " does not exist");
            }
            String id = runId != null ? runId : RunIds.next(context.clock());
            if (runId != null) {
                Optional<Run> existing = context.store().getRun(id);
                if (existing.isPresent()) {
                    Run run = existing.get();
                    if (!run.jobName().equals(jobName)) {
                        throw new ConflictException("run " + id + " exists for job '" + run.jobName()
                                + "', not '" + jobName + "'");
                    }
                    if (run.status() != RunStatus.RUNNING) {
                        throw new ConflictException("run " + id + " already ended as " + run.status()
                                + "; start a new run instead");
                    }
                    return new DefaultActiveRun(DefaultTracking.this, id, jobName);
                }
            }
            CodeVersion code = codeVersionGiven ? codeVersion : GitCodeVersion.read(context.workingDirectory());
            Map<String, String> allTags = new LinkedHashMap<>(tags);
            allTags.put(Run.HEARTBEAT_TIMEOUT_TAG, context.heartbeatTimeout().toString());
            NewRun newRun = new NewRun(id, jobName, parentRunId, context.now(), allTags, code, environment());
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("job", jobName);
            if (parentRunId != null) {
                data.put("parent", parentRunId);
            }
            if (code != null && code.commit() != null) {
                data.put("commit", code.commit());
            }
            context.store().createRun(newRun, context.audit("run.create", "run:" + id, data));
            return new DefaultActiveRun(DefaultTracking.this, id, jobName);
        }
    }
}
