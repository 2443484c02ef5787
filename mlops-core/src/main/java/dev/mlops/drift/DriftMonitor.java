package dev.mlops.drift;

import dev.mlops.InvalidArgumentException;
import dev.mlops.internal.Validate;
import dev.mlops.internal.drift.DefaultProfileStore;
import dev.mlops.internal.drift.MonitorCore;
import dev.mlops.internal.drift.WindowPublisher;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Live drift monitoring inside a service: request threads {@link #record} rows of a few numeric and categorical
 * features (or a prediction) at the cost of a few array stores; rows are collected into windows (closed by row count,
 * by time, or both), each closed window's profile is compared with a reference profile column by column, and a
 * {@link WindowReport} is given to every listener. See docs/drift.md, "Live monitoring".
 *
 * <p>Thread-safe. Recording never throws and never allocates for numeric values: a row of the wrong shape, or one
 * recorded after {@link #close()}, is counted in {@link #rejectedRows()}; NaN and infinities are counted in the
 * column's {@link WindowColumn#invalidCount()}, null categories as missing. A row waits in its thread's stripe
 * buffer (up to {@link Builder#bufferRows(int)} rows) until the buffer is full or {@link #tick()} or {@link #close()}
 * flushes it, and belongs to the window that is open then. A closed window is handed to the monitor's worker, one
 * daemon thread (started when needed, ended when idle), which merges the window's profile, runs the quality checks,
 * compares it with the reference and calls the listeners, in window order, one window at a time: the request thread
 * whose row closes a window never waits for that work. A listener that throws is counted in
 * {@link #listenerFailures()} and the others still run. A column drifts when its change is significant
 * ({@link Builder#alpha}) and large ({@link Builder#ksThreshold}, {@link Builder#shareThreshold}), both judged on the
 * statistic less its sketch error bound; see {@link WindowColumn}.
 *
 * <p>With {@link Builder#publishTo}, each closed window's profile and report are also saved to a {@link ProfileStore}
 * ({@link ProfileStore#saveWindow}), one at a time on a thread of the monitor's own, never on the thread that closed
 * the window; failures are counted in {@link #publishFailures()}. See docs/drift.md, "Storing profiles and reports".
 *
 * <pre>{@code
 * DriftMonitor monitor = DriftMonitor.builder(referenceProfile)
 *         .numeric("temp", "load").categorical("station")
 *         .windowRows(100_000).windowDuration(Duration.ofMinutes(5))
 *         .listener(report -> { if (report.drift()) alert(report); })
 *         .build();
 * monitor.record(new double[] {temp, load}, new String[] {station});   // per request
 * scheduler.scheduleAtFixedRate(monitor::tick, 1, 1, TimeUnit.SECONDS); // rolls time windows
 * }</pre>
 */
public final class DriftMonitor implements AutoCloseable {
    /**
     * The default effect thresholds of the KS distance and of the share change, beyond the error bound: 0.05. A shift
     * of 0.3 standard deviations of a normal column has KS 0.119 (sketch KS less its bound about 0.10 at 10,000 rows)
     * and a 10-point share change 0.10, twice the threshold; same-distribution windows of 10,000 rows rarely reach KS
     * 0.017, and smaller windows are held back by {@link #DEFAULT_ALPHA}. See docs/drift.md, "Live monitoring".
     */
    public static final double DEFAULT_THRESHOLD = 0.05;
    /**
     * The default significance level of a window column: 0.01. A monitor tests every column of every window, hundreds
     * of tests a day, so a level of 0.05 would let significance alone pass noise several times a day wherever the
     * effect threshold is within the noise (windows of a few thousand rows); 0.01 costs no power at 10,000 rows, where
     * the p-value of a 0.3 SD shift is below 1e-50.
     */
    public static final double DEFAULT_ALPHA = 0.01;
    /** The default fewest values a window column needs before it may be flagged: 1,000. */
    public static final long DEFAULT_MIN_VALUES = 1000;
    /** The default rows per stripe buffer: 256. */
    public static final int DEFAULT_BUFFER_ROWS = 256;

    private final MonitorCore core;
    private final WindowPublisher publisher;

    private DriftMonitor(MonitorCore core, WindowPublisher publisher) {
        this.core = core;
        this.publisher = publisher;
    }

    /** How a published window is keyed under its subject in the profile store. */
    public enum WindowKey {
        /**
         * The window's {@link WindowReport#sequence()}, as 19 decimal digits with leading zeros (so that keys sort as
         * numbers do): {@code 0000000000000000042}. Sequences restart at 0 with each monitor, so give each monitor
         * (each run of a service) a subject of its own, or a restarted monitor's windows conflict with the stored
         * ones (counted in {@link #publishFailures()}).
         */
        SEQUENCE,
        /** The window's {@link WindowReport#start()} as an ISO-8601 instant: {@code 2026-03-01T10:00:00Z}. */
        START;

        /** The key of {@code report}. */
        public String of(WindowReport report) {
            return this == SEQUENCE ? String.format("%019d", report.sequence()) : report.start().toString();
        }
    }

    /**
     * A builder comparing windows with {@code reference}.
     *
     * @throws InvalidArgumentException (field {@code reference}) when it is null
     */
    public static Builder builder(DatasetProfile reference) {
        if (reference == null) {
            throw new InvalidArgumentException("reference", "a reference profile is required");
        }
        return new Builder(reference);
    }

    /**
     * Records one row: {@code numeric[i]} for the i-th numeric column and {@code categorical[j]} for the j-th
     * categorical column, in the order of {@link #numericColumns()} and {@link #categoricalColumns()} (an array may be
     * null when the monitor has no column of its kind). The arrays are copied; the caller may reuse them. Never
     * throws.
     */
    public void record(double[] numeric, String[] categorical) {
        core.record(numeric, categorical);
    }

    /** Records a row of a monitor with exactly one numeric column and no other (a prediction); never throws. */
    public void record(double value) {
        core.record(value);
    }

    /**
     * Flushes every buffered row into the current window, closes the window when its time is up, and publishes closed
     * windows. Call it periodically (for example every second) when windows are rolled by time, or to have rows of a
     * quiet service counted. Cheap when nothing is buffered or due; never throws.
     *
     * <p>A time window closes at {@code start + duration}; when the clock has passed several durations, the next
     * window starts at the last boundary not after now (the empty windows in between are not reported).
     *
     * <p>Returns once every window closed so far has been given to the listeners (waiting at most 30 seconds for the
     * worker; at once when called from a listener), so call it from a scheduler thread, not a request thread.
     */
    public void tick() {
        core.tick();
    }

    /**
     * Closes the current window now, whatever its row count or age, if it holds any row (after flushing every
     * thread's buffer), and publishes it; the next window starts now. For windows with boundaries of the application's
     * own, such as calendar months, or for a batch replay. A time window's clock restarts at the new window's start.
     * Returns whether a window was closed (false when it was empty or the monitor is closed), once every window
     * closed so far has been given to the listeners (waiting at most 30 seconds; at once from a listener). Never
     * throws.
     */
    public boolean closeWindow() {
        return core.closeWindow();
    }

    /**
     * Stops recording (later rows are rejected, also rows recorded by a listener from now on), flushes, closes the
     * last window if it has rows, and waits up to 30 seconds for the worker to give every closed window to the
     * listeners (those left then are counted in {@link #droppedWindows()}; from a listener it does not wait). With
     * {@link Builder#publishTo}, then waits up to 30 seconds for the queued windows to be saved to the profile store
     * (those not saved by then are counted in {@link #publishFailures()}). Idempotent; never throws.
     */
    @Override
    public void close() {
        core.close();
        if (publisher != null) {
            publisher.close();
        }
    }

    /**
     * Rows accepted but lost to a failure inside the monitor (a bug; each failure also counts in
     * {@link #internalErrors()}): the rows of a stripe buffer that could not be profiled. 0 in a healthy monitor.
     */
    public long lostRows() {
        return core.lostRows();
    }

    /**
     * Closed windows never given to the listeners: more than 1,024 closed windows were waiting for the worker (slow
     * listeners), or {@link #close()} stopped waiting for them. 0 in a healthy monitor.
     */
    public long droppedWindows() {
        return core.droppedWindows();
    }

    /** Rows rejected: of the wrong shape, or recorded after {@link #close()}. */
    public long rejectedRows() {
        return core.rejectedRows();
    }

    /** Times a listener threw. */
    public long listenerFailures() {
        return core.listenerFailures();
    }

    /** Windows saved to the profile store of {@link Builder#publishTo} (0 without one). */
    public long windowsPublished() {
        return publisher == null ? 0 : publisher.published();
    }

    /**
     * Windows not saved to the profile store of {@link Builder#publishTo}: a save that failed (the store failed, or
     * the key holds another window: {@code CONFLICT}), a window that found the publishing queue full (1,024 waiting),
     * or one still queued when {@link #close()} stopped waiting. 0 without a profile store.
     */
    public long publishFailures() {
        return publisher == null ? 0 : publisher.failures();
    }

    /** Failures inside the monitor itself (a bug): counted, never thrown into a caller; 0 in a healthy monitor. */
    public long internalErrors() {
        return core.internalErrors();
    }

    /** Windows closed so far. */
    public long windowsClosed() {
        return core.windowsClosed();
    }

    /** The numeric columns, in the order {@link #record(double[], String[])} expects them. */
    public List<String> numericColumns() {
        return core.numericColumns();
    }

    /** The categorical columns, in the order {@link #record(double[], String[])} expects them. */
    public List<String> categoricalColumns() {
        return core.categoricalColumns();
    }

    /** The reference profile. */
    public DatasetProfile reference() {
        return core.reference();
    }

    /** Configures a monitor. Not thread-safe. */
    public static final class Builder {
        private final DatasetProfile reference;
        private final List<String> numeric = new ArrayList<>();
        private final List<String> categorical = new ArrayList<>();
        private final List<Consumer<WindowReport>> listeners = new ArrayList<>();
        private ProfileOptions options = ProfileOptions.defaults();
        private long windowRows;
        private Duration windowDuration;
        private Clock clock = Clock.systemUTC();
        private double ksThreshold = DEFAULT_THRESHOLD;
        private double shareThreshold = DEFAULT_THRESHOLD;
        private double alpha = DEFAULT_ALPHA;
        private long minValues = DEFAULT_MIN_VALUES;
        private int stripes = defaultStripes();
        private int bufferRows = DEFAULT_BUFFER_ROWS;
        private ProfileStore publishStore;
        private String publishSubject;
        private WindowKey publishKey;
        private String publishReference;

        private Builder(DatasetProfile reference) {
            this.reference = reference;
        }

        private static int defaultStripes() {
            int n = Math.min(64, 4 * Runtime.getRuntime().availableProcessors());
            return Integer.highestOneBit(Math.max(1, n - 1)) << 1;
        }

        /** Numeric columns to monitor (numeric in the reference). Without any column, all of the reference's. */
        public Builder numeric(String... names) {
            for (String n : names) {
                column(n, ProfileKind.NUMERIC);
                numeric.add(n);
            }
            return this;
        }

        /** Categorical columns to monitor (categorical in the reference). */
        public Builder categorical(String... names) {
            for (String n : names) {
                column(n, ProfileKind.CATEGORICAL);
                categorical.add(n);
            }
            return this;
        }

        private void column(String name, ProfileKind kind) {
            if (name == null) {
                throw new InvalidArgumentException("name", "a column name is required");
            }
            ColumnProfile c = reference.column(name).orElseThrow(() -> new InvalidArgumentException("name",
                    "column '" + name + "' is not in the reference profile; it has " + reference.columnNames()));
            if (c.kind() != kind) {
                throw new InvalidArgumentException("name", "column '" + name + "' is " + c.kind()
                        + " in the reference profile, not " + kind);
            }
            if (numeric.contains(name) || categorical.contains(name)) {
                throw new InvalidArgumentException("name", "column '" + name + "' is declared twice");
            }
        }

        /** Closes a window when it has this many rows (0: no row limit, the default). */
        public Builder windowRows(long rows) {
            if (rows < 0) {
                throw new InvalidArgumentException("windowRows", "windowRows must be >= 0, was " + rows);
            }
            this.windowRows = rows;
            return this;
        }

        /** Closes a window when this much time has passed since it opened, at {@link #tick()} (null: no time limit). */
        public Builder windowDuration(Duration duration) {
            if (duration != null && (duration.isNegative() || duration.isZero())) {
                throw new InvalidArgumentException("windowDuration", "windowDuration must be positive, was " + duration);
            }
            this.windowDuration = duration;
            return this;
        }

        /** The clock of window times (default {@link Clock#systemUTC()}); read when windows open and close only. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** The KS distance a numeric column must exceed, beyond its sketch error bound (default 0.05). */
        public Builder ksThreshold(double threshold) {
            this.ksThreshold = checkThreshold("ksThreshold", threshold);
            return this;
        }

        /** The share change a categorical column must exceed, beyond its error bound (default 0.05). */
        public Builder shareThreshold(double threshold) {
            this.shareThreshold = checkThreshold("shareThreshold", threshold);
            return this;
        }

        /**
         * The significance level: a column drifts only when the conservative p-value of its statistic less the error
         * bound is below it (default {@value DriftMonitor#DEFAULT_ALPHA}; 1 turns the test off).
         *
         * @throws InvalidArgumentException (field {@code alpha}) unless {@code 0 < alpha <= 1}
         */
        public Builder alpha(double alpha) {
            if (!(alpha > 0 && alpha <= 1)) {
                throw new InvalidArgumentException("alpha", "alpha must be in (0, 1], was " + alpha);
            }
            this.alpha = alpha;
            return this;
        }

        private static double checkThreshold(String field, double t) {
            if (!(t >= 0 && t < 1)) {
                throw new InvalidArgumentException(field, field + " must be in [0, 1), was " + t);
            }
            return t;
        }

        /** The fewest values a window column needs before it may be flagged (default 1,000; at least 1). */
        public Builder minValues(long minValues) {
            if (minValues < 1) {
                throw new InvalidArgumentException("minValues", "minValues must be >= 1, was " + minValues);
            }
            this.minValues = minValues;
            return this;
        }

        /** The profile options of the windows (default {@link ProfileOptions#defaults()}). */
        public Builder options(ProfileOptions options) {
            this.options = Objects.requireNonNull(options, "options");
            return this;
        }

        /** Adds a listener of closed windows. */
        public Builder listener(Consumer<WindowReport> listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /** The number of stripes, a power of two from 1 to 1024 (default: 4 per processor, at most 64). */
        public Builder stripes(int stripes) {
            if (stripes < 1 || stripes > 1024 || Integer.bitCount(stripes) != 1) {
                throw new InvalidArgumentException("stripes", "stripes must be a power of two in [1, 1024], was " + stripes);
            }
            this.stripes = stripes;
            return this;
        }

        /** Rows buffered per stripe before they are flushed into the window (1 to 65,536, default 256). */
        public Builder bufferRows(int rows) {
            if (rows < 1 || rows > 65_536) {
                throw new InvalidArgumentException("bufferRows", "bufferRows must be in [1, 65536], was " + rows);
            }
            this.bufferRows = rows;
            return this;
        }

        /**
         * Saves each closed window to {@code profiles} ({@link ProfileStore#saveWindow}): its profile and its report
         * under ({@code subject}, the window's key), the report linked to {@code referenceProfileId} (the stored
         * reference, for example from {@link ProfileStore#getOrCompute}; null for no link). Saves run on a thread of
         * the monitor's own, one window at a time in window order, after the listeners have seen the window; a
         * failed save is counted in {@link DriftMonitor#publishFailures()} and never reaches a caller.
         *
         * @throws InvalidArgumentException when {@code profiles} or {@code key} is null, or {@code subject} or
         *         {@code referenceProfileId} is malformed (see {@link ProfileStore})
         */
        public Builder publishTo(ProfileStore profiles, String subject, WindowKey key, String referenceProfileId) {
            Validate.required("profiles", profiles);
            DefaultProfileStore.checkSubject(subject);
            Validate.required("key", key);
            if (referenceProfileId != null) {
                DefaultProfileStore.checkId("referenceProfileId", referenceProfileId);
            }
            this.publishStore = profiles;
            this.publishSubject = subject;
            this.publishKey = key;
            this.publishReference = referenceProfileId;
            return this;
        }

        /**
         * @throws InvalidArgumentException (field {@code window}) when neither a row limit nor a duration is set
         */
        public DriftMonitor build() {
            if (windowRows == 0 && windowDuration == null) {
                throw new InvalidArgumentException("window", "set windowRows or windowDuration (or both)");
            }
            List<String> num = new ArrayList<>(numeric);
            List<String> cat = new ArrayList<>(categorical);
            if (num.isEmpty() && cat.isEmpty()) {
                for (ColumnProfile c : reference.columns()) {
                    (c.kind() == ProfileKind.NUMERIC ? num : cat).add(c.name());
                }
            }
            List<Consumer<WindowReport>> all = new ArrayList<>(listeners);
            WindowPublisher publisher = null;
            if (publishStore != null) {
                publisher = new WindowPublisher(publishStore, publishSubject, publishKey, publishReference);
                all.add(publisher);
            }
            return new DriftMonitor(new MonitorCore(reference, num, cat, options, windowRows, windowDuration, clock,
                    ksThreshold, shareThreshold, alpha, minValues, all, stripes, bufferRows), publisher);
        }
    }
}
