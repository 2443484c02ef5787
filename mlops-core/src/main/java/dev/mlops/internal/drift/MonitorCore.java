package dev.mlops.internal.drift;

import dev.mlops.drift.ColumnProfile;
import dev.mlops.drift.ColumnProfiler;
import dev.mlops.drift.DatasetProfile;
import dev.mlops.drift.DatasetProfiler;
import dev.mlops.drift.ProfileOptions;
import dev.mlops.drift.QualityCheck;
import dev.mlops.drift.WindowColumn;
import dev.mlops.drift.WindowReport;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * The engine behind {@link dev.mlops.drift.DriftMonitor}. Thread-safe.
 *
 * <p>Rows go into one of a power-of-two number of stripes, chosen by the calling thread's id; a stripe is a set of
 * column buffers ({@code double[]} per numeric column, {@code String[]} per categorical column) guarded by the
 * stripe's monitor, so threads on different stripes never contend and a row costs a few array stores. A full stripe
 * is flushed: under the window lock its rows are only counted against the current window (split exactly at the
 * window's row limit, which seals the window), then, outside the window lock, profiled in bulk into that window's
 * profiler of this stripe, so stripes profile in parallel. A window is finished when it is sealed and no flush is
 * still adding to it (a hold count); the last holder only hands it to the monitor's worker, a single daemon thread
 * (started on demand, it ends after {@value #IDLE_SECONDS} idle seconds), which merges the stripes' profiles,
 * compares the window with the reference, runs the quality checks and calls the listeners, in sequence order, one
 * window at a time. So a request thread whose row closes a window pays for counting and profiling its own buffer
 * only. A row belongs to the window that is open when its stripe is flushed; {@link #tick()}, {@link #closeWindow()}
 * and {@link #close()} flush every stripe first.
 */
public final class MonitorCore {
    /** The most finished windows waiting for the worker; a window finding this many waiting is dropped. */
    public static final int MAX_QUEUED_WINDOWS = 1024;
    /** How long {@link #close()}, {@link #tick()} and {@link #closeWindow()} wait for the worker, at most. */
    public static final Duration WAIT = Duration.ofSeconds(30);
    static final int IDLE_SECONDS = 10;

    private final DatasetProfile reference;
    private final String[] numeric;
    private final String[] categorical;
    private final ColumnProfile[] referenceColumns;
    private final ProfileOptions options;
    private final long windowRows;
    private final Duration windowDuration;
    private final Clock clock;
    private final double ksThreshold;
    private final double shareThreshold;
    private final double alpha;
    private final long minValues;
    private final List<Consumer<WindowReport>> listeners;
    private final Stripe[] stripes;
    private final int mask;
    private final int bufferRows;

    private final Object windowLock = new Object();
    private Window current;

    private final ThreadPoolExecutor worker;
    /** Finished windows waiting for their turn; touched by the worker thread only. */
    private final HashMap<Long, Window> pending = new HashMap<>();
    /** The next sequence to deliver; written by the worker thread only. */
    private long nextToPublish;
    /** Windows delivered (or dropped) so far, in sequence order; guarded by {@code deliveredLock}. */
    private long delivered;
    private final Object deliveredLock = new Object();
    private volatile Thread delivering;
    private final AtomicInteger queuedWindows = new AtomicInteger();
    private final LongAdder droppedWindows = new LongAdder();
    private final LongAdder lostRows = new LongAdder();
    /** A test hook run at the start of every stripe flush (null in production). */
    volatile Runnable flushHook;
    private final LongAdder rejectedRows = new LongAdder();
    private final LongAdder listenerFailures = new LongAdder();
    private final LongAdder windowsClosed = new LongAdder();
    private final LongAdder internalErrors = new LongAdder();
    private volatile boolean closed;

    /** Arguments are validated by the public builder. */
    public MonitorCore(DatasetProfile reference, List<String> numeric, List<String> categorical,
            ProfileOptions options, long windowRows, Duration windowDuration, Clock clock, double ksThreshold,
            double shareThreshold, double alpha, long minValues, List<Consumer<WindowReport>> listeners, int stripes,
            int bufferRows) {
        this.reference = reference;
        this.numeric = numeric.toArray(new String[0]);
        this.categorical = categorical.toArray(new String[0]);
        this.referenceColumns = new ColumnProfile[this.numeric.length + this.categorical.length];
        for (int i = 0; i < this.numeric.length; i++) {
            referenceColumns[i] = reference.column(this.numeric[i]).orElseThrow();
        }
        for (int j = 0; j < this.categorical.length; j++) {
            referenceColumns[this.numeric.length + j] = reference.column(this.categorical[j]).orElseThrow();
        }
        this.options = options;
        this.windowRows = windowRows;
        this.windowDuration = windowDuration;
        this.clock = clock;
        this.ksThreshold = ksThreshold;
        this.shareThreshold = shareThreshold;
        this.alpha = alpha;
        this.minValues = minValues;
        this.listeners = List.copyOf(listeners);
        this.stripes = new Stripe[stripes];
        for (int i = 0; i < stripes; i++) {
            this.stripes[i] = new Stripe(i, this.numeric.length, this.categorical.length, bufferRows);
        }
        this.mask = stripes - 1;
        this.bufferRows = bufferRows;
        this.current = new Window(0, clock.instant(), stripes);
        this.worker = new ThreadPoolExecutor(1, 1, IDLE_SECONDS, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "mlops-drift-monitor");
            t.setDaemon(true);
            return t;
        });
        this.worker.allowCoreThreadTimeOut(true);
    }

    private DatasetProfiler newProfiler() {
        return DatasetProfiler.builder().options(options).numeric(numeric).categorical(categorical).build();
    }

    private Stripe stripe() {
        long id = Thread.currentThread().getId();
        return stripes[(int) ((id * 0x9E3779B97F4A7C15L) >>> 40) & mask];
    }

    /**
     * Records one row; never throws (a row of the wrong shape, or one after close, is counted as rejected; a failure
     * of the monitor itself in {@link #internalErrors()}).
     */
    public void record(double[] numericValues, String[] categoricalValues) {
        try {
            int nn = numeric.length;
            int nc = categorical.length;
            if (nn > 0 && (numericValues == null || numericValues.length != nn)
                    || nc > 0 && (categoricalValues == null || categoricalValues.length != nc)) {
                rejectedRows.increment();
                return;
            }
            Stripe s = stripe();
            synchronized (s) {
                if (closed) {
                    rejectedRows.increment();
                    return;
                }
                int k = s.size;
                for (int i = 0; i < nn; i++) {
                    s.num[i][k] = numericValues[i];
                }
                for (int j = 0; j < nc; j++) {
                    s.cat[j][k] = categoricalValues[j];
                }
                s.size = k + 1;
                if (k + 1 < bufferRows) {
                    return;
                }
                flushLocked(s);
            }
        } catch (RuntimeException e) {
            internalErrors.increment();
        }
    }

    /** Records a row of one numeric value (a monitor of exactly one numeric column); never throws. */
    public void record(double value) {
        try {
            if (numeric.length != 1 || categorical.length != 0) {
                rejectedRows.increment();
                return;
            }
            Stripe s = stripe();
            synchronized (s) {
                if (closed) {
                    rejectedRows.increment();
                    return;
                }
                int k = s.size;
                s.num[0][k] = value;
                s.size = k + 1;
                if (k + 1 < bufferRows) {
                    return;
                }
                flushLocked(s);
            }
        } catch (RuntimeException e) {
            internalErrors.increment();
        }
    }

    /**
     * Caller holds the stripe's monitor. Under the window lock only the rows are counted (and the window sealed when
     * full); the rows are then profiled into the window's profiler of this stripe, outside the window lock, so that
     * stripes profile in parallel. A window is finished when it is sealed and no flush is still adding to it. A
     * failure here (a bug) is counted in {@link #internalErrors()}, and the buffered rows not yet profiled are dropped
     * and counted in {@link #lostRows()}; it never reaches the caller.
     */
    private void flushLocked(Stripe s) {
        int from = 0;
        int to = s.size;
        try {
            Runnable hook = flushHook;
            if (hook != null) {
                hook.run();
            }
            while (from < to) {
                Window w;
                Window sealed = null;
                int take;
                synchronized (windowLock) {
                    w = current;
                    take = to - from;
                    if (windowRows > 0) {
                        take = (int) Math.min(take, windowRows - w.rows);
                    }
                    w.rows += take;
                    w.inflight.incrementAndGet();
                    if (windowRows > 0 && w.rows == windowRows) {
                        sealed = sealLocked(clock.instant());
                    }
                }
                try {
                    add(w.profiler(s.index), s, from, from + take);
                } finally {
                    release(w);
                    if (sealed != null) {
                        release(sealed);
                    }
                }
                from += take;
            }
        } catch (RuntimeException e) {
            internalErrors.increment();
            lostRows.add(to - from);
            for (String[] col : s.cat) {
                Arrays.fill(col, 0, to, null);
            }
        } finally {
            s.size = 0;
        }
    }

    private void add(ColumnProfiler[] p, Stripe s, int from, int to) {
        for (int i = 0; i < numeric.length; i++) {
            p[i].addAll(s.num[i], from, to);
        }
        for (int j = 0; j < categorical.length; j++) {
            ColumnProfiler c = p[numeric.length + j];
            String[] col = s.cat[j];
            for (int r = from; r < to; r++) {
                c.add(col[r]);
                col[r] = null;
            }
        }
    }

    private void flushAll() {
        for (Stripe s : stripes) {
            synchronized (s) {
                if (s.size > 0) {
                    flushLocked(s);
                }
            }
        }
    }

    /** Caller holds the window lock: seals the current window at {@code end} and opens the next; returns the sealed. */
    private Window sealLocked(Instant end) {
        Window w = current;
        w.end = end;
        current = new Window(w.sequence + 1, end, stripes.length);
        windowsClosed.increment();
        return w;
    }

    /**
     * Drops one hold of a window; the last one hands it to the worker (or, when {@value #MAX_QUEUED_WINDOWS} windows
     * are waiting already, drops it: counted in {@link #droppedWindows()}, its turn still taken so that later windows
     * are delivered).
     */
    private void release(Window w) {
        if (w.inflight.decrementAndGet() == 0) {
            Window payload = w;
            if (queuedWindows.incrementAndGet() > MAX_QUEUED_WINDOWS) {
                queuedWindows.decrementAndGet();
                droppedWindows.increment();
                payload = null;
            }
            try {
                worker.execute(new Deliver(w.sequence, payload));
            } catch (RejectedExecutionException e) {
                if (payload != null) {
                    queuedWindows.decrementAndGet();
                }
                droppedWindows.increment();
            }
        }
    }

    /** A finished window's turn on the worker; {@code window} null when the window was dropped. */
    private final class Deliver implements Runnable {
        final long sequence;
        final Window window;

        Deliver(long sequence, Window window) {
            this.sequence = sequence;
            this.window = window;
        }

        @Override
        public void run() {
            deliver(this);
        }
    }

    /** On the worker: delivers every finished window whose turn has come, in sequence order. */
    private void deliver(Deliver d) {
        delivering = Thread.currentThread();
        try {
            pending.put(d.sequence, d.window);
            while (pending.containsKey(nextToPublish)) {
                Window w = pending.remove(nextToPublish);
                nextToPublish++;
                if (w != null) { // null: a window dropped when the queue was full
                    queuedWindows.decrementAndGet();
                    try {
                        publish(w);
                    } catch (RuntimeException e) {
                        internalErrors.increment();
                    }
                }
                synchronized (deliveredLock) {
                    delivered = nextToPublish;
                    deliveredLock.notifyAll();
                }
            }
        } finally {
            delivering = null;
        }
    }

    /**
     * Waits (at most {@link #WAIT}) until every window sealed before now has been delivered to the listeners; returns
     * at once on the worker thread (a listener calling in), where waiting would never end.
     */
    private void awaitDelivered() {
        if (Thread.currentThread() == delivering || worker.isShutdown()) {
            return; // on the worker; or close() has waited already
        }
        long target;
        synchronized (windowLock) {
            target = current.sequence;
        }
        long deadline = System.nanoTime() + WAIT.toNanos();
        synchronized (deliveredLock) {
            while (delivered < target && !worker.isShutdown()) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(deliveredLock, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /**
     * Flushes every stripe into the current window, closes the window if its time is up, and waits (at most
     * {@link #WAIT}) until the worker has delivered every window closed so far. Never throws.
     */
    public void tick() {
        try {
            flushAll();
            if (windowDuration != null && !closed) {
                Window sealed = null;
                synchronized (windowLock) {
                    Instant now = clock.instant();
                    Instant start = current.start;
                    Instant due = start.plus(windowDuration);
                    if (!closed && !now.isBefore(due)) { // closed again under the lock: close() seals under it
                        sealed = sealLocked(due);
                        long elapsed = Duration.between(start, now).toNanos() / windowDuration.toNanos();
                        current.start = start.plus(windowDuration.multipliedBy(elapsed));
                    }
                }
                if (sealed != null) {
                    release(sealed);
                }
            }
            awaitDelivered();
        } catch (RuntimeException e) {
            internalErrors.increment();
        }
    }

    /**
     * Flushes every stripe, closes the current window now if it has rows (whatever its row count or time), opens the
     * next, and waits (at most {@link #WAIT}) until the worker has delivered every window closed so far. Returns
     * whether a window was closed. Never throws (false on an internal error).
     */
    public boolean closeWindow() {
        try {
            flushAll();
            Window sealed = null;
            synchronized (windowLock) {
                if (!closed && current.rows > 0) {
                    Instant now = clock.instant();
                    sealed = sealLocked(now.isBefore(current.start) ? current.start : now);
                }
            }
            if (sealed != null) {
                release(sealed);
            }
            awaitDelivered();
            return sealed != null;
        } catch (RuntimeException e) {
            internalErrors.increment();
            return false;
        }
    }

    /**
     * Stops recording, flushes, closes the last window if it has rows, and waits (at most {@link #WAIT}) for the worker
     * to deliver every closed window (not when called by a listener, on the worker). Idempotent; never throws.
     */
    public void close() {
        closed = true;
        try {
            flushAll();
            Window sealed = null;
            synchronized (windowLock) {
                if (current.rows > 0) {
                    Instant now = clock.instant();
                    sealed = sealLocked(now.isBefore(current.start) ? current.start : now);
                }
            }
            if (sealed != null) {
                release(sealed);
            }
        } catch (RuntimeException e) {
            internalErrors.increment();
        }
        shutdownWorker();
    }

    /** Lets the worker deliver what is queued and waits for it (at most {@link #WAIT}); never on the worker itself. */
    private void shutdownWorker() {
        try {
            worker.shutdown();
            if (Thread.currentThread() == delivering) {
                return;
            }
            if (!worker.awaitTermination(WAIT.toNanos(), TimeUnit.NANOSECONDS)) {
                giveUp();
            }
        } catch (InterruptedException e) {
            giveUp();
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            internalErrors.increment();
        }
    }

    private void giveUp() {
        for (Runnable r : worker.shutdownNow()) {
            if (r instanceof Deliver d && d.window != null) {
                queuedWindows.decrementAndGet();
                droppedWindows.increment();
            }
        }
    }

    /** On the worker: merges the window's stripe profiles, compares, checks and calls the listeners. */
    private void publish(Window w) {
        DatasetProfile profile = null;
        for (DatasetProfiler p : w.profilers) {
            if (p != null) {
                DatasetProfile part = p.toProfile();
                profile = profile == null ? part : profile.merge(part);
            }
        }
        if (profile == null) {
            profile = newProfiler().toProfile();
        }
        List<QualityCheck> checks = new ArrayList<>();
        List<WindowColumn> cols = new ArrayList<>(referenceColumns.length);
        for (int i = 0; i < referenceColumns.length; i++) {
            ColumnProfile ref = referenceColumns[i];
            ColumnProfile win = profile.columns().get(i);
            QualityChecks.window(win, ref, checks);
            double threshold = i < numeric.length ? ksThreshold : shareThreshold;
            cols.add(WindowComparison.compare(win, ref, threshold, alpha, minValues));
        }
        WindowReport report = new WindowReport(w.sequence, w.start, w.end, profile.rows(), checks, cols, profile);
        for (Consumer<WindowReport> l : listeners) {
            try {
                l.accept(report);
            } catch (VirtualMachineError e) {
                throw e;
            } catch (Throwable t) {
                listenerFailures.increment();
            }
        }
    }

    /** Rows accepted but lost to a failure of the monitor itself (each failure also counts in internal errors). */
    public long lostRows() {
        return lostRows.sum();
    }

    /** Finished windows never given to the listeners: the worker's queue was full, or close() stopped waiting. */
    public long droppedWindows() {
        return droppedWindows.sum();
    }

    public long rejectedRows() {
        return rejectedRows.sum();
    }

    public long listenerFailures() {
        return listenerFailures.sum();
    }

    public long internalErrors() {
        return internalErrors.sum();
    }

    public long windowsClosed() {
        return windowsClosed.sum();
    }

    public DatasetProfile reference() {
        return reference;
    }

    public List<String> numericColumns() {
        return List.of(numeric);
    }

    public List<String> categoricalColumns() {
        return List.of(categorical);
    }

    /**
     * A window being filled. {@code rows}, {@code start} and {@code end} are guarded by the window lock;
     * {@code profilers[i]} is touched only by flushes of stripe i (under its monitor) until {@code inflight}, which
     * starts with the window's own hold (dropped when it is sealed), reaches 0.
     */
    private final class Window {
        final long sequence;
        final DatasetProfiler[] profilers;
        final ColumnProfiler[][] columns;
        final AtomicInteger inflight = new AtomicInteger(1);
        Instant start;
        Instant end;
        long rows;

        Window(long sequence, Instant start, int stripes) {
            this.sequence = sequence;
            this.start = start;
            this.profilers = new DatasetProfiler[stripes];
            this.columns = new ColumnProfiler[stripes][];
        }

        ColumnProfiler[] profiler(int stripe) {
            ColumnProfiler[] c = columns[stripe];
            if (c == null) {
                DatasetProfiler p = newProfiler();
                profilers[stripe] = p;
                c = p.columns().toArray(new ColumnProfiler[0]);
                columns[stripe] = c;
            }
            return c;
        }
    }

    /** One stripe's buffers; the padding keeps {@code size} of neighbouring stripes off one cache line. */
    @SuppressWarnings("unused")
    private static final class Stripe {
        long p0, p1, p2, p3, p4, p5, p6;
        final int index;
        final double[][] num;
        final String[][] cat;
        int size;
        long q0, q1, q2, q3, q4, q5, q6;

        Stripe(int index, int numeric, int categorical, int rows) {
            this.index = index;
            num = new double[numeric][rows];
            cat = new String[categorical][rows];
        }
    }
}
