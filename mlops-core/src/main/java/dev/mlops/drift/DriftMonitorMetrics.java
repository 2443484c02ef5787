package dev.mlops.drift;

import dev.mlops.InvalidArgumentException;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.ToDoubleFunction;

/**
 * Exports a {@link DriftMonitor}'s latest window as Micrometer meters. Micrometer ({@code io.micrometer:micrometer-core})
 * is an optional dependency of mlops-core: this is the only class that uses it, so everything else, the monitor
 * included, works without Micrometer on the class path; this class needs it.
 *
 * <p>The binder is a listener of the monitor: it keeps the last {@link WindowReport} it was given (one volatile
 * write per closed window, nothing per recorded row), and the gauges read that report when the registry asks, so
 * publishing does no work on a request thread beyond what the monitor already does. Before the first window every
 * window gauge reads NaN (Micrometer's "no value"). Register it on the builder, then give it the monitor and bind it:
 *
 * <pre>{@code
 * DriftMonitorMetrics metrics = new DriftMonitorMetrics(Tags.of("model", "churn"));
 * DriftMonitor monitor = DriftMonitor.builder(reference).numeric("temp").categorical("station")
 *         .windowRows(100_000).listener(metrics).build();
 * metrics.monitor(monitor).bindTo(registry);
 * }</pre>
 *
 * <p>Meters, named with the prefix (default {@value #DEFAULT_PREFIX}) and the binder's tags, plus per column the tags
 * {@code column} (the column's name), {@code method} ({@code ks} or {@code l_infinity}) and {@code kind}
 * ({@code numeric} or {@code categorical}):
 * <ul>
 *   <li>gauges per column, from the latest window's {@link WindowColumn}: {@code <prefix>.statistic},
 *       {@code <prefix>.error.bound}, {@code <prefix>.p.value} (NaN when the window had no values in the column),
 *       {@code <prefix>.threshold}, {@code <prefix>.column.drift} (1 drifted, 0 not),
 *       {@code <prefix>.window.values} and {@code <prefix>.window.invalid} (counts of the window's values and of its
 *       rows without a usable value);</li>
 *   <li>gauges of the latest window: {@code <prefix>.dataset.drift} (1 when any column drifted, as
 *       {@link WindowReport#drift()}), {@code <prefix>.drifted.columns}, {@code <prefix>.quality.checks} (the quality
 *       checks that fired, {@link WindowReport#checks()}), {@code <prefix>.window.rows},
 *       {@code <prefix>.window.sequence};</li>
 *   <li>function counters of the monitor: {@code <prefix>.windows.closed} ({@link DriftMonitor#windowsClosed()}),
 *       {@code <prefix>.rows.rejected}, {@code <prefix>.listener.failures}, {@code <prefix>.internal.errors},
 *       {@code <prefix>.rows.lost} ({@link DriftMonitor#lostRows()}), {@code <prefix>.windows.dropped}
 *       ({@link DriftMonitor#droppedWindows()}).</li>
 * </ul>
 * The gauges hold the binder weakly and the counters the monitor weakly, as Micrometer's own binders do: a monitor
 * that is gone reads NaN. Thread-safe.
 */
public final class DriftMonitorMetrics implements Consumer<WindowReport>, MeterBinder {
    /** The default prefix of the meter names. */
    public static final String DEFAULT_PREFIX = "mlops.drift";

    private final String prefix;
    private final Tags tags;
    private volatile DriftMonitor monitor;
    private volatile WindowReport latest;

    /** A binder with the default prefix and no tags of its own. */
    public DriftMonitorMetrics() {
        this(DEFAULT_PREFIX, Tags.empty());
    }

    /** A binder with the default prefix and these tags on every meter (for example the model's name). */
    public DriftMonitorMetrics(Iterable<Tag> tags) {
        this(DEFAULT_PREFIX, tags);
    }

    /**
     * A binder naming its meters {@code <prefix>.<name>}.
     *
     * @throws InvalidArgumentException (field {@code prefix}) when the prefix is blank, or does not start with a
     *                                  letter, or holds characters other than lowercase letters, digits, dots,
     *                                  underscores and hyphens; (field {@code tags}) when tags is null
     */
    public DriftMonitorMetrics(String prefix, Iterable<Tag> tags) {
        if (prefix == null || !prefix.matches("[a-z][a-z0-9._-]*") || prefix.endsWith(".")) {
            throw new InvalidArgumentException("prefix", "prefix must be lowercase words separated by dots, such as "
                    + DEFAULT_PREFIX + ", was " + (prefix == null ? "null" : "'" + prefix + "'"));
        }
        if (tags == null) {
            throw new InvalidArgumentException("tags", "tags are required (Tags.empty() for none)");
        }
        this.prefix = prefix;
        this.tags = Tags.of(tags);
    }

    /**
     * The monitor whose columns and counters are exported; the binder must also be one of its listeners
     * ({@link DriftMonitor.Builder#listener}) to see its windows.
     *
     * @return this binder
     * @throws InvalidArgumentException (field {@code monitor}) when it is null, or another monitor was given before
     */
    public DriftMonitorMetrics monitor(DriftMonitor monitor) {
        if (monitor == null) {
            throw new InvalidArgumentException("monitor", "a monitor is required");
        }
        synchronized (this) {
            if (this.monitor != null && this.monitor != monitor) {
                throw new InvalidArgumentException("monitor", "this binder already exports another monitor; use one"
                        + " DriftMonitorMetrics per monitor");
            }
            this.monitor = monitor;
        }
        return this;
    }

    /** Keeps the window as the latest; called by the monitor for each closed window, in window order. */
    @Override
    public void accept(WindowReport report) {
        if (report != null) {
            latest = report;
        }
    }

    /** The latest window given to {@link #accept}; null before the first. */
    public WindowReport latest() {
        return latest;
    }

    /**
     * Registers the meters with a registry (once per registry; Micrometer ignores a second registration of the same
     * name and tags).
     *
     * @throws InvalidArgumentException (field {@code monitor}) when no monitor was given with {@link #monitor}
     */
    @Override
    public void bindTo(MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        DriftMonitor m = monitor;
        if (m == null) {
            throw new InvalidArgumentException("monitor", "give the binder its monitor with monitor(...) before"
                    + " binding it");
        }
        List<String[]> columns = new ArrayList<>(); // name, method, kind
        for (String c : m.numericColumns()) {
            columns.add(new String[] {c, DriftMethod.KS.id(), "numeric"});
        }
        for (String c : m.categoricalColumns()) {
            columns.add(new String[] {c, DriftMethod.L_INFINITY.id(), "categorical"});
        }
        for (String[] c : columns) {
            String name = c[0];
            Tags t = tags.and("column", name, "method", c[1], "kind", c[2]);
            column(registry, "statistic", t, name, WindowColumn::statistic,
                    "The latest window's drift statistic of the column (KS distance or largest share change)", null);
            column(registry, "error.bound", t, name, WindowColumn::errorBound,
                    "What the sketches may add to the statistic", null);
            column(registry, "p.value", t, name, WindowColumn::pValue,
                    "The conservative p-value of the statistic less its error bound", null);
            column(registry, "threshold", t, name, WindowColumn::threshold,
                    "The effect the statistic must exceed beyond its error bound", null);
            column(registry, "column.drift", t, name, w -> w.drift() ? 1 : 0,
                    "1 when the column drifted in the latest window, else 0", null);
            column(registry, "window.values", t, name, w -> w.valueCount(),
                    "The latest window's values in the column", "values");
            column(registry, "window.invalid", t, name, w -> w.invalidCount(),
                    "The latest window's rows without a usable value in the column (missing, NaN, infinite)", "rows");
        }
        window(registry, "dataset.drift", r -> r.drift() ? 1 : 0,
                "1 when any column drifted in the latest window, else 0", null);
        window(registry, "drifted.columns", r -> r.columns().stream().filter(WindowColumn::drift).count(),
                "Columns that drifted in the latest window", "columns");
        window(registry, "quality.checks", r -> r.checks().size(),
                "Quality checks that fired in the latest window", "checks");
        window(registry, "window.rows", WindowReport::rows, "Rows of the latest window", "rows");
        window(registry, "window.sequence", WindowReport::sequence, "Number of the latest window, from 0", null);
        counter(registry, m, "windows.closed", DriftMonitor::windowsClosed, "Windows closed", "windows");
        counter(registry, m, "rows.rejected", DriftMonitor::rejectedRows,
                "Rows rejected: of the wrong shape or recorded after close", "rows");
        counter(registry, m, "listener.failures", DriftMonitor::listenerFailures, "Times a listener threw", null);
        counter(registry, m, "internal.errors", DriftMonitor::internalErrors,
                "Failures inside the monitor (0 in a healthy monitor)", null);
        counter(registry, m, "rows.lost", DriftMonitor::lostRows,
                "Rows lost to a failure inside the monitor (0 in a healthy monitor)", "rows");
        counter(registry, m, "windows.dropped", DriftMonitor::droppedWindows,
                "Closed windows never given to the listeners (0 in a healthy monitor)", "windows");
    }

    private void column(MeterRegistry registry, String name, Tags t, String column, ToDoubleFunction<WindowColumn> f,
            String description, String unit) {
        Gauge.builder(prefix + "." + name, this, b -> {
            WindowReport r = b.latest;
            if (r == null) {
                return Double.NaN;
            }
            return r.column(column).map(f::applyAsDouble).orElse(Double.NaN);
        }).tags(t).description(description).baseUnit(unit).register(registry);
    }

    private void window(MeterRegistry registry, String name, ToDoubleFunction<WindowReport> f, String description,
            String unit) {
        Gauge.builder(prefix + "." + name, this, b -> {
            WindowReport r = b.latest;
            return r == null ? Double.NaN : f.applyAsDouble(r);
        }).tags(tags).description(description).baseUnit(unit).register(registry);
    }

    private void counter(MeterRegistry registry, DriftMonitor m, String name, ToDoubleFunction<DriftMonitor> f,
            String description, String unit) {
        FunctionCounter.builder(prefix + "." + name, m, f).tags(tags).description(description).baseUnit(unit)
                .register(registry);
    }

    @Override
    public String toString() {
        return "DriftMonitorMetrics[prefix=" + prefix + ", tags=" + tags + "]";
    }
}
