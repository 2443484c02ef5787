package dev.mlops.internal.drift;

import dev.mlops.drift.DriftMonitor;
import dev.mlops.drift.ProfileStore;
import dev.mlops.drift.WindowReport;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * Saves each closed window of a {@link DriftMonitor} to a {@link ProfileStore} ({@link ProfileStore#saveWindow}) on
 * a thread of its own, so that the thread whose row closed a window only queues it. Windows are saved one at a time,
 * in the order they were queued. A save that fails, a window that does not fit into the queue (at most
 * {@value #QUEUE} wait), and a window still queued when {@link #close()} gives up are counted in
 * {@link #failures()}; nothing is ever thrown into the monitor. Thread-safe.
 */
public final class WindowPublisher implements Consumer<WindowReport>, AutoCloseable {
    /** The most windows waiting to be saved. */
    public static final int QUEUE = 1024;
    /** How long {@link #close()} waits for queued windows to be saved. */
    public static final Duration CLOSE_WAIT = Duration.ofSeconds(30);

    private final ProfileStore store;
    private final String subject;
    private final DriftMonitor.WindowKey key;
    private final String referenceProfileId;
    private final ThreadPoolExecutor executor;
    private final LongAdder published = new LongAdder();
    private final LongAdder failures = new LongAdder();
    private final AtomicBoolean closed = new AtomicBoolean();

    /** Arguments are validated by the monitor's builder. */
    public WindowPublisher(ProfileStore store, String subject, DriftMonitor.WindowKey key,
            String referenceProfileId) {
        this.store = store;
        this.subject = subject;
        this.key = key;
        this.referenceProfileId = referenceProfileId;
        this.executor = new ThreadPoolExecutor(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(QUEUE), r -> {
            Thread t = new Thread(r, "mlops-drift-publisher");
            t.setDaemon(true);
            return t;
        });
    }

    /** Queues the window; never throws (a full queue, or a closed publisher, counts a failure). */
    @Override
    public void accept(WindowReport report) {
        try {
            executor.execute(() -> save(report));
        } catch (RejectedExecutionException e) {
            failures.increment();
        }
    }

    private void save(WindowReport report) {
        try {
            store.saveWindow(subject, key.of(report), report, referenceProfileId);
            published.increment();
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Throwable t) {
            failures.increment();
        }
    }

    /** Windows saved (created, or found stored with the same content). */
    public long published() {
        return published.sum();
    }

    /** Windows not saved: failed saves, a full queue, windows given up at close. */
    public long failures() {
        return failures.sum();
    }

    /**
     * Stops taking windows and waits up to {@link #CLOSE_WAIT} for the queued ones to be saved; those still queued
     * then are dropped and counted as failures. Idempotent; never throws.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        executor.shutdown();
        try {
            if (!executor.awaitTermination(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                List<Runnable> dropped = executor.shutdownNow();
                failures.add(dropped.size());
            }
        } catch (InterruptedException e) {
            failures.add(executor.shutdownNow().size());
            Thread.currentThread().interrupt();
        }
    }
}
