package dev.mlops.internal.tracking;

import dev.mlops.spi.ForwardingMetadataStore;
import dev.mlops.spi.MetadataStore;
import dev.mlops.spi.PendingAuditEvent;
import dev.mlops.tracking.MetricPoint;
import dev.mlops.tracking.RunStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A real store behind a gate for metric batches: {@link #block()} holds every {@code logMetrics} call (of all runs, or
 * of the given runs) until {@link #release()}; {@link #failWith} makes them fail. Records, per run, the batches the
 * store accepted, in the order it accepted them, and whether two calls for one run ever overlapped or a batch arrived
 * after the run was finished.
 */
final class GatedStore extends ForwardingMetadataStore {
    static final long GATE_SECONDS = 30;

    private final MetadataStore delegate;
    private final Object lock = new Object();
    private final Map<String, List<List<MetricPoint>>> accepted = new LinkedHashMap<>();
    private final Set<String> inFlight = new HashSet<>();
    private final Set<String> finished = new HashSet<>();
    private final List<String> violations = new ArrayList<>();
    private volatile CountDownLatch gate;
    private volatile Set<String> gatedRuns;
    final Semaphore entered = new Semaphore(0);
    final Semaphore left = new Semaphore(0);
    final AtomicReference<RuntimeException> failWith = new AtomicReference<>();
    final AtomicInteger calls = new AtomicInteger();
    final Set<String> senderThreads = java.util.concurrent.ConcurrentHashMap.newKeySet();

    GatedStore(MetadataStore delegate) {
        this.delegate = delegate;
    }

    @Override
    protected MetadataStore delegate() {
        return delegate;
    }

    /** Holds every metric batch until {@link #release()}. */
    void block() {
        gatedRuns = null;
        gate = new CountDownLatch(1);
    }

    /** Holds the metric batches of these runs until {@link #release()}. */
    void block(Set<String> runs) {
        gatedRuns = Set.copyOf(runs);
        gate = new CountDownLatch(1);
    }

    void release() {
        CountDownLatch g = gate;
        gate = null;
        if (g != null) {
            g.countDown();
        }
    }

    /** Waits until {@code n} more calls have entered {@code logMetrics}. */
    boolean awaitEntered(int n) throws InterruptedException {
        return entered.tryAcquire(n, GATE_SECONDS, TimeUnit.SECONDS);
    }

    /** Waits until {@code n} more calls have left {@code logMetrics} (stored or failed). */
    boolean awaitLeft(int n) throws InterruptedException {
        return left.tryAcquire(n, GATE_SECONDS, TimeUnit.SECONDS);
    }

    @Override
    public void logMetrics(String runId, List<MetricPoint> points, PendingAuditEvent audit) {
        calls.incrementAndGet();
        senderThreads.add(Thread.currentThread().getName());
        synchronized (lock) {
            if (!inFlight.add(runId)) {
                violations.add("two batches of run " + runId + " were sent at once");
            }
            if (finished.contains(runId)) {
                violations.add("a batch of run " + runId + " arrived after it was finished");
            }
        }
        entered.release();
        try {
            CountDownLatch g = gate;
            Set<String> runs = gatedRuns;
            if (g != null && (runs == null || runs.contains(runId))) {
                try {
                    if (!g.await(GATE_SECONDS, TimeUnit.SECONDS)) {
                        throw new IllegalStateException("the test never released the gate");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted at the gate", e);
                }
            }
            RuntimeException failure = failWith.get();
            if (failure != null) {
                throw failure;
            }
            super.logMetrics(runId, points, audit);
            synchronized (lock) {
                accepted.computeIfAbsent(runId, k -> new ArrayList<>()).add(List.copyOf(points));
            }
        } finally {
            synchronized (lock) {
                inFlight.remove(runId);
            }
            left.release();
        }
    }

    @Override
    public dev.mlops.tracking.Run finishRun(String runId, RunStatus status, Instant endTime, String error,
            PendingAuditEvent audit) {
        synchronized (lock) {
            if (inFlight.contains(runId)) {
                violations.add("run " + runId + " was finished while one of its batches was being sent");
            }
            finished.add(runId);
        }
        return super.finishRun(runId, status, endTime, error, audit);
    }

    /** The batches of {@code runId} the store accepted, in order. */
    List<List<MetricPoint>> accepted(String runId) {
        synchronized (lock) {
            return List.copyOf(accepted.getOrDefault(runId, List.of()));
        }
    }

    List<String> violations() {
        synchronized (lock) {
            return List.copyOf(violations);
        }
    }
}
