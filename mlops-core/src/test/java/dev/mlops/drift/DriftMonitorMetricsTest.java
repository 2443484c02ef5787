package dev.mlops.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.InvalidArgumentException;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("DriftMonitorMetrics: Micrometer gauges of the latest window; mlops-core without Micrometer")
class DriftMonitorMetricsTest {
    private static final String P = DriftMonitorMetrics.DEFAULT_PREFIX;

    /** A reference of 20,000 rows: x and y standard normal, s with shares 0.5, 0.3, 0.2. */
    private static DatasetProfile reference(SplittableRandom r) {
        int n = 20_000;
        DatasetProfiler p = DatasetProfiler.builder().numeric("x", "y").categorical("s").build();
        for (int i = 0; i < n; i++) {
            p.column("x").add(DriftMonitorTest.gaussian(r));
            p.column("y").add(DriftMonitorTest.gaussian(r));
            p.column("s").add(DriftMonitorTest.category(r, 0.5, 0.3));
        }
        return p.toProfile();
    }

    private static double gauge(MeterRegistry reg, String name, String column) {
        return reg.get(P + "." + name).tags("model", "m1", "column", column).gauge().value();
    }

    private static double gauge(MeterRegistry reg, String name) {
        return reg.get(P + "." + name).tags("model", "m1").gauge().value();
    }

    private static double counter(MeterRegistry reg, String name) {
        return reg.get(P + "." + name).tags("model", "m1").functionCounter().count();
    }

    @Test
    @DisplayName("a real monitor fed seeded windows: every gauge equals the latest WindowReport's numbers, counters"
            + " the monitor's")
    void gaugesEqualTheLatestWindow() {
        SplittableRandom r = new SplittableRandom(42);
        DatasetProfile ref = reference(r);
        DriftMonitorMetrics metrics = new DriftMonitorMetrics(Tags.of("model", "m1"));
        List<WindowReport> seen = new CopyOnWriteArrayList<>();
        DriftMonitor monitor = DriftMonitor.builder(ref).numeric("x", "y").categorical("s").windowRows(5_000)
                .stripes(1).listener(metrics).listener(seen::add).listener(w -> {
                    throw new IllegalStateException("a listener that always fails");
                }).build();
        SimpleMeterRegistry reg = new SimpleMeterRegistry();
        metrics.monitor(monitor).bindTo(reg);

        // before any window: window gauges have no value, counters are 0
        for (String c : List.of("x", "y", "s")) {
            for (String g : List.of("statistic", "error.bound", "p.value", "threshold", "column.drift",
                    "window.values", "window.invalid")) {
                assertThat(gauge(reg, g, c)).as(g + " " + c).isNaN();
            }
        }
        assertThat(gauge(reg, "dataset.drift")).isNaN();
        assertThat(counter(reg, "windows.closed")).isZero();

        double[] num = new double[2];
        String[] cat = new String[1];
        // window 0: the reference's distribution, with a few NaN and null values; three rows of the wrong shape
        for (int i = 0; i < 5_000; i++) {
            num[0] = i % 500 == 7 ? Double.NaN : DriftMonitorTest.gaussian(r);
            num[1] = DriftMonitorTest.gaussian(r);
            cat[0] = i % 1000 == 3 ? null : DriftMonitorTest.category(r, 0.5, 0.3);
            monitor.record(num, cat);
            if (i % 2000 == 0) {
                monitor.record(new double[1], cat);
            }
        }
        monitor.tick(); // flushes the stripe buffers: the window is full
        assertThat(seen).hasSize(1);
        assertWindow(reg, seen.get(0), monitor);
        assertThat(seen.get(0).drift()).isFalse();
        assertThat(gauge(reg, "column.drift", "x")).isZero();
        assertThat(gauge(reg, "window.invalid", "x")).isEqualTo(10);
        assertThat(gauge(reg, "window.invalid", "s")).isEqualTo(5);
        assertThat(counter(reg, "rows.rejected")).isEqualTo(3);

        // window 1: x moves by one standard deviation, the shares of a and c swap, y has no finite value
        for (int i = 0; i < 5_000; i++) {
            num[0] = DriftMonitorTest.gaussian(r) + 1;
            num[1] = Double.POSITIVE_INFINITY;
            cat[0] = DriftMonitorTest.category(r, 0.2, 0.3);
            monitor.record(num, cat);
        }
        monitor.tick();
        assertThat(seen).hasSize(2);
        WindowReport w1 = seen.get(1);
        assertWindow(reg, w1, monitor);
        assertThat(w1.drift()).isTrue();
        assertThat(gauge(reg, "column.drift", "x")).isEqualTo(1);
        assertThat(gauge(reg, "column.drift", "s")).isEqualTo(1);
        assertThat(gauge(reg, "statistic", "y")).isNaN(); // no values: no statistic
        assertThat(gauge(reg, "column.drift", "y")).isZero();
        assertThat(gauge(reg, "dataset.drift")).isEqualTo(1);
        assertThat(gauge(reg, "drifted.columns")).isEqualTo(2);
        assertThat(counter(reg, "listener.failures")).isEqualTo(2);

        // closing publishes the rest; the last window stays on show
        for (int i = 0; i < 1_234; i++) {
            num[0] = DriftMonitorTest.gaussian(r);
            num[1] = DriftMonitorTest.gaussian(r);
            cat[0] = DriftMonitorTest.category(r, 0.5, 0.3);
            monitor.record(num, cat);
        }
        monitor.close();
        monitor.record(num, cat); // rejected after close
        assertThat(seen).hasSize(3);
        assertWindow(reg, seen.get(2), monitor);
        assertThat(gauge(reg, "window.rows")).isEqualTo(1_234);
        assertThat(counter(reg, "rows.rejected")).isEqualTo(4);
        assertThat(metrics.latest()).isSameAs(seen.get(2));

        // names: the prefix, dot-separated lowercase words; per-column meters carry column, method and kind
        List<Meter> meters = reg.getMeters();
        assertThat(meters).hasSize(3 * 7 + 5 + 6);
        for (Meter m : meters) {
            assertThat(m.getId().getName()).startsWith(P + ".").matches("[a-z]+(\\.[a-z]+)+");
            assertThat(m.getId().getTag("model")).isEqualTo("m1");
            String column = m.getId().getTag("column");
            if (column != null) {
                assertThat(m.getId().getTag("method")).isEqualTo(column.equals("s") ? "l_infinity" : "ks");
                assertThat(m.getId().getTag("kind")).isEqualTo(column.equals("s") ? "categorical" : "numeric");
            }
        }
    }

    /** Every gauge equals the window's numbers; the counters equal the monitor's. */
    private static void assertWindow(MeterRegistry reg, WindowReport w, DriftMonitor monitor) {
        for (WindowColumn c : w.columns()) {
            String n = c.name();
            assertThat(Double.valueOf(gauge(reg, "statistic", n))).as(n).isEqualTo(Double.valueOf(c.statistic()));
            assertThat(gauge(reg, "error.bound", n)).as(n).isEqualTo(c.errorBound());
            assertThat(Double.valueOf(gauge(reg, "p.value", n))).as(n).isEqualTo(Double.valueOf(c.pValue()));
            assertThat(gauge(reg, "threshold", n)).as(n).isEqualTo(c.threshold());
            assertThat(gauge(reg, "column.drift", n)).as(n).isEqualTo(c.drift() ? 1 : 0);
            assertThat(gauge(reg, "window.values", n)).as(n).isEqualTo(c.valueCount());
            assertThat(gauge(reg, "window.invalid", n)).as(n).isEqualTo(c.invalidCount());
        }
        assertThat(gauge(reg, "dataset.drift")).isEqualTo(w.drift() ? 1 : 0);
        assertThat(gauge(reg, "drifted.columns")).isEqualTo(w.columns().stream().filter(WindowColumn::drift).count());
        assertThat(gauge(reg, "quality.checks")).isEqualTo(w.checks().size());
        assertThat(gauge(reg, "window.rows")).isEqualTo(w.rows());
        assertThat(gauge(reg, "window.sequence")).isEqualTo(w.sequence());
        assertThat(counter(reg, "windows.closed")).isEqualTo(monitor.windowsClosed()).isEqualTo(w.sequence() + 1);
        assertThat(counter(reg, "rows.rejected")).isEqualTo(monitor.rejectedRows());
        assertThat(counter(reg, "listener.failures")).isEqualTo(monitor.listenerFailures());
        assertThat(counter(reg, "internal.errors")).isEqualTo(monitor.internalErrors()).isZero();
        assertThat(counter(reg, "rows.lost")).isEqualTo(monitor.lostRows()).isZero();
        assertThat(counter(reg, "windows.dropped")).isEqualTo(monitor.droppedWindows()).isZero();
    }

    @Test
    @DisplayName("a prefix of its own; misuse is an InvalidArgumentException naming the field")
    void prefixAndMisuse() {
        DatasetProfile ref = reference(new SplittableRandom(1));
        DriftMonitorMetrics metrics = new DriftMonitorMetrics("shop.checkout.drift", Tags.empty());
        DriftMonitor monitor = DriftMonitor.builder(ref).windowRows(10).listener(metrics).build();
        SimpleMeterRegistry reg = new SimpleMeterRegistry();
        assertThatThrownBy(() -> metrics.bindTo(reg)).isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("monitor(...)");
        metrics.monitor(monitor).bindTo(reg);
        for (int i = 0; i < 10; i++) {
            monitor.record(new double[] {i, i}, new String[] {"a"});
        }
        monitor.tick();
        assertThat(reg.get("shop.checkout.drift.window.rows").gauge().value()).isEqualTo(10);
        assertThat(reg.get("shop.checkout.drift.statistic").tags("column", "x").gauge().value())
                .isEqualTo(metrics.latest().column("x").orElseThrow().statistic());
        DriftMonitor other = DriftMonitor.builder(ref).windowRows(10).build();
        assertThat(metrics.monitor(monitor)).isSameAs(metrics);
        assertThatThrownBy(() -> metrics.monitor(other)).isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("another monitor");
        for (String bad : new String[] {"", "Mlops", "mlops.", "mlops drift", "1x"}) {
            assertThatThrownBy(() -> new DriftMonitorMetrics(bad, Tags.empty()))
                    .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("prefix");
        }
        assertThatThrownBy(() -> new DriftMonitorMetrics(null, Tags.empty()))
                .isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> new DriftMonitorMetrics("x", null)).isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("tags");
        monitor.close();
        other.close();
    }

    // ---- mlops-core without Micrometer ----

    private static Path classesDir(Class<?> c) throws Exception {
        Path dir = Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI());
        assertThat(dir).isDirectory();
        return dir;
    }

    private static boolean isBinder(String className) {
        return className.equals(DriftMonitorMetrics.class.getName())
                || className.startsWith(DriftMonitorMetrics.class.getName() + "$");
    }

    private static List<String> mainClasses() throws Exception {
        Path dir = classesDir(DriftMonitor.class);
        List<String> out = new ArrayList<>();
        try (Stream<Path> s = Files.walk(dir)) {
            s.filter(p -> p.toString().endsWith(".class")).forEach(p -> {
                String rel = dir.relativize(p).toString().replace(java.io.File.separatorChar, '.');
                out.add(rel.substring(0, rel.length() - ".class".length()));
            });
        }
        return out;
    }

    @Test
    @DisplayName("no compiled class of mlops-core but DriftMonitorMetrics names a Micrometer type")
    void onlyTheBinderReferencesMicrometer() throws Exception {
        Path dir = classesDir(DriftMonitor.class);
        List<String> classes = mainClasses();
        assertThat(classes).contains(DriftMonitor.class.getName(), "dev.mlops.internal.drift.MonitorCore",
                DriftMonitorMetrics.class.getName());
        // every symbolic reference to a class (constant pool Class entries, field and method descriptors,
        // signatures) spells its internal name, io/micrometer/...; a class without those bytes cannot link to one
        byte[] needle = "io/micrometer/".getBytes(StandardCharsets.US_ASCII);
        List<String> referencing = new ArrayList<>();
        for (String c : classes) {
            byte[] bytes = Files.readAllBytes(dir.resolve(c.replace('.', '/') + ".class"));
            if (indexOf(bytes, needle) >= 0) {
                referencing.add(c);
            }
        }
        assertThat(referencing).isNotEmpty().allMatch(DriftMonitorMetricsTest::isBinder);
        assertThat(referencing).contains(DriftMonitorMetrics.class.getName());
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /**
     * Defines dev.mlops classes itself (from the same class files) and refuses every io.micrometer class, as a class
     * path without Micrometer would; the rest comes from the test's class loader.
     */
    static final class WithoutMicrometer extends ClassLoader {
        WithoutMicrometer(ClassLoader parent) {
            super(parent);
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            if (name.startsWith("io.micrometer.")) {
                throw new ClassNotFoundException(name + " is hidden: Micrometer is not on this class path");
            }
            if (!name.startsWith("dev.mlops.")) {
                return super.loadClass(name, resolve);
            }
            synchronized (getClassLoadingLock(name)) {
                Class<?> c = findLoadedClass(name);
                if (c == null) {
                    try (InputStream in = getParent().getResourceAsStream(name.replace('.', '/') + ".class")) {
                        if (in == null) {
                            throw new ClassNotFoundException(name);
                        }
                        byte[] b = in.readAllBytes();
                        c = defineClass(name, b, 0, b.length);
                    } catch (IOException e) {
                        throw new ClassNotFoundException(name, e);
                    }
                }
                if (resolve) {
                    resolveClass(c);
                }
                return c;
            }
        }
    }

    @Test
    @DisplayName("without Micrometer on the class path: every other class loads, a monitor runs; the binder does not")
    void runsWithoutMicrometer() throws Exception {
        WithoutMicrometer loader = new WithoutMicrometer(DriftMonitorMetricsTest.class.getClassLoader());
        assertThatThrownBy(() -> Class.forName("io.micrometer.core.instrument.MeterRegistry", false, loader))
                .isInstanceOf(ClassNotFoundException.class);
        // the binder itself cannot be defined: its interface MeterBinder is missing
        assertThatThrownBy(() -> Class.forName(DriftMonitorMetrics.class.getName(), true, loader))
                .isInstanceOf(NoClassDefFoundError.class).hasMessageContaining("io/micrometer");
        int loaded = 0;
        for (String c : mainClasses()) {
            if (!isBinder(c) && !c.endsWith("package-info") && !c.endsWith("module-info")) {
                Class<?> k = Class.forName(c, false, loader);
                assertThat(k.getClassLoader()).isSameAs(loader);
                loaded++;
            }
        }
        assertThat(loaded).isGreaterThan(100);
        Class<?> scenario = Class.forName(MicrometerFreeScenario.class.getName(), true, loader);
        assertThat(scenario).isNotSameAs(MicrometerFreeScenario.class);
        @SuppressWarnings("unchecked")
        Callable<long[]> run = (Callable<long[]>) scenario.getDeclaredConstructor().newInstance();
        assertThat(run.call()).containsExactly(3, 2_500, 0, 1, 3);
        // and the monitor it ran is the hidden loader's, not this test's
        assertThat(Class.forName(DriftMonitor.class.getName(), false, loader)).isNotSameAs(DriftMonitor.class);
    }
}
