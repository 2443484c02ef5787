package dev.mlops.internal.tracking;

import dev.mlops.StorageException;
import dev.mlops.tracking.MetricPoint;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Sends the metric batches of one {@code Mlops} instance's runs in the background, so that {@code logMetric} does
 * not wait for the store.
 *
 * <ul>
 *   <li>Each run has a {@link Chain}: its jobs are sent one at a time, in the order they were handed over. Chains of
 *       different runs are sent in parallel on a small pool of daemon threads ({@value #THREADS} at most, started
 *       when there is work and ended after {@value #IDLE_SECONDS} seconds without).</li>
 *   <li>At most {@code capacity} full batches are handed over and not yet delivered or dropped (waiting or being
 *       sent), across all runs: {@link #submit} waits for room. A flush job does not count (its caller waits for it
 *       anyway).</li>
 *   <li>{@link #close} refuses new jobs, waits (bounded) for the handed-over ones, then drops what is left.</li>
 * </ul>
 *
 * Thread-safe. The {@link Target} callbacks are never called under this sender's lock.
 */
final class MetricSender {
    /** Threads sending at most at once (different runs). */
    static final int THREADS = 4;
    static final int IDLE_SECONDS = 10;

    /** Where one run's batches go. */
    interface Target {
        /** Stores {@code points} (one store call, one audit event); throws what the store throws. */
        void send(List<MetricPoint> points);

        /** A full batch could not be stored ({@code cause}); it is dropped. Must not throw. */
        void dropped(List<MetricPoint> points, RuntimeException cause);
    }

    /** One run's serial queue of jobs. Guarded by the sender's lock. */
    final class Chain {
        private final Target target;
        private final ArrayDeque<Job> jobs = new ArrayDeque<>();

        private Chain(Target target) {
            this.target = target;
        }
    }

    private static final class Job {
        final List<MetricPoint> points;
        final boolean full;
        final CompletableFuture<Void> done = new CompletableFuture<>();
        boolean running;

        Job(List<MetricPoint> points, boolean full) {
            this.points = points;
            this.full = full;
        }
    }

    private final int capacity;
    private final ThreadPoolExecutor executor;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    /** Chains with jobs: each has exactly one task queued in or running on the executor, or is being swept. */
    private final Set<Chain> busy = new LinkedHashSet<>();
    private int waitingFull;
    /** No new full batches (close began). */
    private boolean closed;
    /** The executor is shut down: nothing more is taken. */
    private boolean stopped;

    MetricSender(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be >= 1, was " + capacity);
        }
        this.capacity = capacity;
        AtomicInteger count = new AtomicInteger();
        this.executor = new ThreadPoolExecutor(THREADS, THREADS, IDLE_SECONDS, TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(), r -> {
                    Thread t = new Thread(r, "mlops-metrics-" + count.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        executor.allowCoreThreadTimeOut(true);
    }

    /** A new, empty chain for one run. */
    Chain chain(Target target) {
        return new Chain(target);
    }

    /**
     * Hands a full batch over (the caller gives up {@code batch}: it must not change it), waiting while {@code capacity} full batches are already waiting or being sent. The
     * wait is not ended by interruption (the thread's interrupt status is kept), only by room or by {@link #close}.
     *
     * @return false when this sender is closed: the batch was not taken
     */
    boolean submit(Chain chain, List<MetricPoint> batch) {
        lock.lock();
        try {
            while (!closed && waitingFull >= capacity) {
                changed.awaitUninterruptibly();
            }
            if (closed) {
                return false;
            }
            waitingFull++;
            enqueue(chain, new Job(batch, true));
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Hands over the last points of a flush (possibly none), behind everything handed over before for this chain.
     * Never waits for room. While {@link #close} waits, a chain with jobs still takes its flush.
     *
     * @return completes once they are stored, exceptionally with what the store threw; null when this sender is
     *         closed and has nothing of this chain left to send (nothing was taken)
     */
    CompletableFuture<Void> flush(Chain chain, List<MetricPoint> rest) {
        lock.lock();
        try {
            if (stopped || (closed && chain.jobs.isEmpty())) {
                return null;
            }
            Job job = new Job(rest, false);
            enqueue(chain, job);
            return job.done;
        } finally {
            lock.unlock();
        }
    }

    private void enqueue(Chain chain, Job job) {
        chain.jobs.addLast(job);
        if (busy.add(chain)) {
            schedule(chain);
        }
    }

    /** Called under the lock, for a chain in {@link #busy} with a job to run. */
    private void schedule(Chain chain) {
        try {
            executor.execute(() -> runHead(chain));
        } catch (RejectedExecutionException e) {
            // Only after close gave up waiting and shut the executor down: its sweep drops the chain's jobs.
        }
    }

    private void runHead(Chain chain) {
        Job job;
        lock.lock();
        try {
            job = chain.jobs.peekFirst();
            if (job == null || job.running) {
                return; // swept by close
            }
            job.running = true;
        } finally {
            lock.unlock();
        }
        try {
            if (!job.points.isEmpty()) {
                chain.target.send(job.points);
            }
            job.done.complete(null);
        } catch (RuntimeException e) {
            fail(chain, job, e);
        } catch (Error e) {
            fail(chain, job, new StorageException("sending metrics failed: " + e, e));
            throw e;
        } finally {
            lock.lock();
            try {
                chain.jobs.removeFirst();
                if (job.full) {
                    waitingFull--;
                }
                if (chain.jobs.isEmpty()) {
                    busy.remove(chain);
                } else {
                    schedule(chain);
                }
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    private static void fail(Chain chain, Job job, RuntimeException e) {
        if (job.full) {
            chain.target.dropped(job.points, e);
            job.done.complete(null);
        } else {
            job.done.completeExceptionally(e);
        }
    }

    /**
     * Refuses new jobs, waits up to {@code timeout} until every job handed over is done, then stops the threads and
     * drops what is left (full batches through {@link Target#dropped}, flushes fail with a {@link StorageException}).
     * A batch being sent when the time is up is left to finish (or fail) on its own. Idempotent.
     *
     * @return true when everything was delivered or refused by the store in time
     */
    boolean close(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Chain> owners = new ArrayList<>();
        List<Job> left = new ArrayList<>();
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
            long remaining;
            while (!busy.isEmpty() && (remaining = deadline - System.nanoTime()) > 0) {
                try {
                    changed.awaitNanos(remaining);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
            stopped = true;
            if (busy.isEmpty()) {
                executor.shutdown();
                return true;
            }
            // Not shutdownNow(): a batch being sent is not interrupted (that could break a store's connection); the
            // tasks still queued find their jobs swept below and end.
            executor.shutdown();
            for (Iterator<Chain> it = busy.iterator(); it.hasNext(); ) {
                Chain chain = it.next();
                for (Iterator<Job> jobs = chain.jobs.iterator(); jobs.hasNext(); ) {
                    Job job = jobs.next();
                    if (!job.running) {
                        jobs.remove();
                        if (job.full) {
                            waitingFull--;
                        }
                        owners.add(chain);
                        left.add(job);
                    }
                }
                if (chain.jobs.isEmpty()) {
                    it.remove();
                }
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        for (int i = 0; i < left.size(); i++) {
            fail(owners.get(i), left.get(i), new StorageException("the Mlops instance was closed before "
                    + left.get(i).points.size() + " metric points could be sent (waited " + timeout + ")", null));
        }
        return false;
    }

    /** Full batches handed over and not yet delivered or dropped, across all runs. */
    int waitingFull() {
        lock.lock();
        try {
            return waitingFull;
        } finally {
            lock.unlock();
        }
    }
}
