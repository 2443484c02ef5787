package dev.mlops.internal.drift;

import dev.mlops.drift.ColumnProfile;
import dev.mlops.drift.ColumnProfiler;
import dev.mlops.drift.DatasetProfile;
import dev.mlops.drift.DatasetProfiler;
import dev.mlops.drift.ProfileOptions;
import dev.mlops.drift.WindowColumn;
import dev.mlops.drift.WindowReport;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * The engine behind {@link dev.mlops.drift.DriftMonitor}. Thread-safe.
 *
 * <p>Rows go into one of a power-of-two number of stripes, chosen by the calling thread's id; a stripe is a set of
 * column buffers ({@code double[]} per numeric column, {@code String[]} per categorical column) guarded by the
 * stripe's monitor, so threads on different stripes never contend and a row costs a few array stores. A full stripe
 * is flushed into the current window's {@link DatasetProfiler} under the window lock (lock order: stripe, then
 * window), in bulk ({@code addAll(double[], from, to)}), split exactly at the window's row limit. A row belongs to the
 * window that is open when its stripe is flushed; {@link #tick()} and {@link #close()} flush every stripe first.
 * Closed windows are queued under the window lock and compared and published outside every lock, by one thread at a
 * time, in order.
 */
public final class MonitorCore {
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
    private final long minValues;
    private final List<Consumer<WindowReport>> listeners;
    private final Stripe[] stripes;
    private final int mask;
    private final int bufferRows;

    private final Object windowLock = new Object();
    private DatasetProfiler current;
    private ColumnProfiler[] currentColumns;
    private long currentRows;
    private Instant currentStart;
    private long sequence;

    private final ConcurrentLinkedQueue<Closed> pending = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean publishing = new AtomicBoolean();
    private final LongAdder rejectedRows = new LongAdder();
    private final LongAdder listenerFailures = new LongAdder();
    private final LongAdder windowsClosed = new LongAdder();
    private final LongAdder internalErrors = new LongAdder();
    private volatile boolean closed;

    /** Arguments are validated by the public builder. */
    public MonitorCore(DatasetProfile reference, List<String> numeric, List<String> categorical,
            ProfileOptions options, long windowRows, Duration windowDuration, Clock clock, double ksThreshold,
            double shareThreshold, long minValues, List<Consumer<WindowReport>> listeners, int stripes,
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
        this.minValues = minValues;
        this.listeners = List.copyOf(listeners);
        this.stripes = new Stripe[stripes];
        for (int i = 0; i < stripes; i++) {
            this.stripes[i] = new Stripe(this.numeric.length, this.categorical.length, bufferRows);
        }
        this.mask = stripes - 1;
        this.bufferRows = bufferRows;
        openProfiler();
        this.currentStart = clock.instant();
    }

    private void openProfiler() {
        current = DatasetProfiler.builder().options(options).numeric(numeric).categorical(categorical).build();
        currentColumns = current.columns().toArray(new ColumnProfiler[0]);
    }

    private Stripe stripe() {
        long id = Thread.currentThread().getId();
        return stripes[(int) ((id * 0x9E3779B97F4A7C15L) >>> 40) & mask];
    }

    /** Records one row; never throws (a row of the wrong shape, or one after close, is counted as rejected). */
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
                if (k + 1 == bufferRows) {
                    flushLocked(s);
                }
            }
            if (!pending.isEmpty()) {
                publishPending();
            }
        } catch (RuntimeException e) {
            rejectedRows.increment();
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
                if (k + 1 == bufferRows) {
                    flushLocked(s);
                }
            }
            if (!pending.isEmpty()) {
                publishPending();
            }
        } catch (RuntimeException e) {
            rejectedRows.increment();
        }
    }

    /** Caller holds the stripe's monitor. */
    private void flushLocked(Stripe s) {
        synchronized (windowLock) {
            try {
                addLocked(s);
            } finally {
                s.size = 0;
            }
        }
    }

    /** Caller holds the stripe's monitor and the window lock. */
    private void addLocked(Stripe s) {
        {
            int from = 0;
            int to = s.size;
            while (from < to) {
                int take = to - from;
                if (windowRows > 0) {
                    take = (int) Math.min(take, windowRows - currentRows);
                }
                int end = from + take;
                for (int i = 0; i < numeric.length; i++) {
                    currentColumns[i].addAll(s.num[i], from, end);
                }
                for (int j = 0; j < categorical.length; j++) {
                    ColumnProfiler p = currentColumns[numeric.length + j];
                    String[] col = s.cat[j];
                    for (int r = from; r < end; r++) {
                        p.add(col[r]);
                        col[r] = null;
                    }
                }
                currentRows += take;
                from = end;
                if (windowRows > 0 && currentRows == windowRows) {
                    closeWindowLocked(clock.instant());
                }
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

    /** Caller holds the window lock. */
    private void closeWindowLocked(Instant end) {
        pending.add(new Closed(sequence++, currentStart, end, currentRows, current.toProfile()));
        windowsClosed.increment();
        openProfiler();
        currentRows = 0;
        currentStart = end;
    }

    /**
     * Flushes every stripe into the current window, closes the window if its time is up, and publishes what closed.
     * Never throws.
     */
    public void tick() {
        try {
            flushAll();
            if (windowDuration != null) {
                synchronized (windowLock) {
                    Instant now = clock.instant();
                    Instant due = currentStart.plus(windowDuration);
                    if (!now.isBefore(due)) {
                        Instant start = currentStart;
                        closeWindowLocked(due);
                        long elapsed = Duration.between(start, now).toNanos() / windowDuration.toNanos();
                        currentStart = start.plus(windowDuration.multipliedBy(elapsed));
                    }
                }
            }
            publishPending();
        } catch (RuntimeException e) {
            internalErrors.increment();
        }
    }

    /** Stops recording, flushes, closes the last window if it has rows, and publishes. Idempotent; never throws. */
    public void close() {
        closed = true;
        try {
            flushAll();
            synchronized (windowLock) {
                if (currentRows > 0) {
                    Instant now = clock.instant();
                    closeWindowLocked(now.isBefore(currentStart) ? currentStart : now);
                }
            }
            publishPending();
        } catch (RuntimeException e) {
            internalErrors.increment();
        }
    }

    private void publishPending() {
        while (!pending.isEmpty() && publishing.compareAndSet(false, true)) {
            try {
                Closed c;
                while ((c = pending.poll()) != null) {
                    try {
                        publish(c);
                    } catch (RuntimeException e) {
                        internalErrors.increment();
                    }
                }
            } finally {
                publishing.set(false);
            }
        }
    }

    private void publish(Closed c) {
        List<WindowColumn> cols = new ArrayList<>(referenceColumns.length);
        for (int i = 0; i < referenceColumns.length; i++) {
            ColumnProfile ref = referenceColumns[i];
            ColumnProfile win = c.profile.columns().get(i);
            double threshold = i < numeric.length ? ksThreshold : shareThreshold;
            cols.add(WindowComparison.compare(win, ref, threshold, minValues));
        }
        WindowReport report = new WindowReport(c.sequence, c.start, c.end, c.rows, cols, c.profile);
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

    private record Closed(long sequence, Instant start, Instant end, long rows, DatasetProfile profile) {
    }

    /** One stripe's buffers; the padding keeps {@code size} of neighbouring stripes off one cache line. */
    @SuppressWarnings("unused")
    private static final class Stripe {
        long p0, p1, p2, p3, p4, p5, p6;
        final double[][] num;
        final String[][] cat;
        int size;
        long q0, q1, q2, q3, q4, q5, q6;

        Stripe(int numeric, int categorical, int rows) {
            num = new double[numeric][rows];
            cat = new String[categorical][rows];
        }
    }
}
