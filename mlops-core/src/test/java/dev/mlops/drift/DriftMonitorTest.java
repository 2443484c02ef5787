package dev.mlops.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.mlops.InvalidArgumentException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("DriftMonitor: recording, windows, comparison with the reference, listeners")
class DriftMonitorTest {

    /** A clock the test moves by hand. */
    static final class FakeClock extends Clock {
        private volatile Instant now;

        FakeClock(Instant start) {
            now = start;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    static final Instant T0 = Instant.parse("2026-11-27T04:00:00Z");

    static double gaussian(SplittableRandom r) {
        return Math.sqrt(-2 * Math.log1p(-r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
    }

    /** Categories a, b, c with shares pa, pb and the rest. */
    static String category(SplittableRandom r, double pa, double pb) {
        double u = r.nextDouble();
        return u < pa ? "a" : u < pa + pb ? "b" : "c";
    }

    /** A reference of 200,000 rows: x standard normal, s with shares 0.5, 0.3, 0.2. */
    static DatasetProfile reference(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int n = 200_000;
        double[] x = new double[n];
        String[] s = new String[n];
        for (int i = 0; i < n; i++) {
            x[i] = gaussian(r);
            s[i] = category(r, 0.5, 0.3);
        }
        DatasetProfiler p = DatasetProfiler.builder().numeric("x").categorical("s").build();
        p.column("x").addAll(x);
        p.column("s").addAll(s);
        return p.toProfile();
    }

    /**
     * Waits (at most 10 s) until {@code list} has {@code size} elements: windows closed by record() reach the
     * listeners on the monitor's worker thread, a little later.
     */
    static void awaitSize(List<?> list, int size) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (list.size() < size && System.nanoTime() < deadline) {
            Thread.onSpinWait();
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    static List<WindowReport> collect(DriftMonitor.Builder b) {
        List<WindowReport> out = new CopyOnWriteArrayList<>();
        b.listener(out::add);
        return out;
    }

    @Test
    @DisplayName("one thread: windows hold exactly windowRows rows, the last one the rest, counts exact")
    void singleThreadCountWindows() {
        DatasetProfile ref = reference(1);
        DriftMonitor.Builder b = DriftMonitor.builder(ref).windowRows(100_000).bufferRows(97);
        List<WindowReport> reports = collect(b);
        DriftMonitor m = b.build();
        assertThat(m.numericColumns()).containsExactly("x");
        assertThat(m.categoricalColumns()).containsExactly("s");
        double[] num = new double[1];
        String[] cat = new String[1];
        long aCount = 0;
        for (int i = 0; i < 250_000; i++) {
            num[0] = i;
            cat[0] = i % 3 == 0 ? "a" : "b";
            aCount += i % 3 == 0 ? 1 : 0;
            m.record(num, cat);
        }
        awaitSize(reports, 2);
        assertThat(reports).hasSize(2);
        m.close();
        assertThat(reports).extracting(WindowReport::rows).containsExactly(100_000L, 100_000L, 50_000L);
        assertThat(reports).extracting(WindowReport::sequence).containsExactly(0L, 1L, 2L);
        // rows in arrival order for one thread: window w holds exactly the values [w * 100,000, ...)
        assertThat(reports.get(1).profile().column("x").orElseThrow().min().getAsDouble()).isEqualTo(100_000);
        assertThat(reports.get(1).profile().column("x").orElseThrow().max().getAsDouble()).isEqualTo(199_999);
        DatasetProfile all = reports.get(0).profile().merge(reports.get(1).profile()).merge(reports.get(2).profile());
        assertThat(all.rows()).isEqualTo(250_000);
        assertThat(all.column("s").orElseThrow().categories().orElseThrow().lowerBound("a")).isEqualTo(aCount);
        assertThat(all.column("x").orElseThrow().mean().getAsDouble()).isEqualTo(124_999.5);
        assertThat(m.rejectedRows()).isZero();
        assertThat(m.listenerFailures()).isZero();
        assertThat(m.internalErrors()).isZero();
        assertThat(m.windowsClosed()).isEqualTo(3);
    }

    @ParameterizedTest(name = "bufferRows {0}")
    @ValueSource(ints = {1, 100, 256})
    @DisplayName("8 threads x 100,000 rows: no row is lost, every window holds exactly windowRows rows")
    void multiThreadLosesNothing(int bufferRows) throws Exception {
        DatasetProfile ref = reference(2);
        DriftMonitor.Builder b = DriftMonitor.builder(ref).windowRows(30_000).bufferRows(bufferRows).stripes(4);
        List<WindowReport> reports = collect(b);
        DriftMonitor m = b.build();
        int threads = 8;
        int perThread = 100_000;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                fs.add(pool.submit(() -> {
                    double[] num = {id};
                    String[] cat = {"t" + id};
                    start.await();
                    for (int i = 0; i < perThread; i++) {
                        m.record(num, cat);
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : fs) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdown();
        }
        m.close();
        long total = (long) threads * perThread;
        assertThat(reports).hasSize((int) ((total + 29_999) / 30_000));
        for (int i = 0; i < reports.size(); i++) {
            WindowReport w = reports.get(i);
            assertThat(w.sequence()).isEqualTo(i);
            assertThat(w.profile().rows()).as("rows profiled in window %d", i).isEqualTo(w.rows());
            assertThat(w.column("x").orElseThrow().valueCount()).isEqualTo(w.rows());
            if (i < reports.size() - 1) {
                assertThat(w.rows()).isEqualTo(30_000);
            }
        }
        assertThat(reports.get(reports.size() - 1).rows()).isEqualTo(total % 30_000);
        DatasetProfile all = reports.get(0).profile();
        for (int i = 1; i < reports.size(); i++) {
            all = all.merge(reports.get(i).profile());
        }
        assertThat(all.rows()).isEqualTo(total);
        Map<Double, Long> values = all.column("x").orElseThrow().distinctValues().orElseThrow();
        ProfileCategories cats = all.column("s").orElseThrow().categories().orElseThrow();
        assertThat(values).hasSize(threads);
        for (int t = 0; t < threads; t++) {
            assertThat(values.get((double) t)).as("value %d", t).isEqualTo(perThread);
            assertThat(cats.lowerBound("t" + t)).as("category t%d", t).isEqualTo(perThread);
        }
        assertThat(m.rejectedRows()).isZero();
        assertThat(m.internalErrors()).isZero();
    }

    @Test
    @DisplayName("time windows roll at tick() by the injected clock, aligned to the duration")
    void timeWindows() {
        FakeClock clock = new FakeClock(T0);
        DriftMonitor.Builder b = DriftMonitor.builder(reference(3)).numeric("x")
                .windowDuration(Duration.ofMinutes(1)).clock(clock);
        List<WindowReport> reports = collect(b);
        DriftMonitor m = b.build();
        for (int i = 0; i < 10; i++) {
            m.record(i);
        }
        clock.advance(Duration.ofSeconds(30));
        m.tick();
        assertThat(reports).isEmpty();
        clock.advance(Duration.ofSeconds(30));
        m.tick();
        assertThat(reports).hasSize(1);
        assertThat(reports.get(0).start()).isEqualTo(T0);
        assertThat(reports.get(0).end()).isEqualTo(T0.plusSeconds(60));
        assertThat(reports.get(0).rows()).isEqualTo(10);

        for (int i = 0; i < 5; i++) {
            m.record(i);
        }
        clock.advance(Duration.ofSeconds(210)); // now T0 + 270 s
        m.tick();
        assertThat(reports).hasSize(2);
        assertThat(reports.get(1).start()).isEqualTo(T0.plusSeconds(60));
        assertThat(reports.get(1).end()).isEqualTo(T0.plusSeconds(120));
        assertThat(reports.get(1).rows()).isEqualTo(5);

        m.record(1.0);
        clock.advance(Duration.ofSeconds(29)); // T0 + 299 s: the window [240, 300) is not over
        m.tick();
        assertThat(reports).hasSize(2);
        clock.advance(Duration.ofSeconds(1));
        m.tick();
        assertThat(reports).hasSize(3);
        assertThat(reports.get(2).start()).isEqualTo(T0.plusSeconds(240));
        assertThat(reports.get(2).end()).isEqualTo(T0.plusSeconds(300));
        assertThat(reports.get(2).rows()).isEqualTo(1);
        // an empty time window is reported too: no traffic is news
        clock.advance(Duration.ofSeconds(60));
        m.tick();
        assertThat(reports).hasSize(4);
        assertThat(reports.get(3).rows()).isZero();
        assertThat(reports.get(3).column("x").orElseThrow().statistic()).isNaN();
        assertThat(reports.get(3).drift()).isFalse();
        m.close();
        assertThat(reports).hasSize(4);
    }

    @Test
    @DisplayName("closeWindow() closes the current window on demand (calendar months, replays); nothing after close()")
    void closeWindowOnDemand() {
        FakeClock clock = new FakeClock(T0);
        DriftMonitor.Builder b = DriftMonitor.builder(reference(3)).numeric("x").windowRows(1_000_000)
                .windowDuration(Duration.ofDays(365)).clock(clock).bufferRows(64);
        List<WindowReport> reports = collect(b);
        DriftMonitor m = b.build();
        assertThat(m.closeWindow()).as("empty window").isFalse();
        for (int i = 0; i < 10; i++) {
            m.record(i);
        }
        clock.advance(Duration.ofDays(31));
        assertThat(m.closeWindow()).isTrue();
        assertThat(reports).hasSize(1);
        assertThat(reports.get(0).rows()).isEqualTo(10);
        assertThat(reports.get(0).start()).isEqualTo(T0);
        assertThat(reports.get(0).end()).isEqualTo(T0.plus(Duration.ofDays(31)));
        assertThat(m.closeWindow()).isFalse();
        for (int i = 0; i < 5; i++) {
            m.record(i);
        }
        clock.advance(Duration.ofDays(28));
        assertThat(m.closeWindow()).isTrue();
        assertThat(reports).extracting(WindowReport::sequence).containsExactly(0L, 1L);
        assertThat(reports.get(1).rows()).isEqualTo(5);
        assertThat(reports.get(1).start()).isEqualTo(T0.plus(Duration.ofDays(31)));
        assertThat(reports.get(1).end()).isEqualTo(T0.plus(Duration.ofDays(59)));
        m.record(1.0);
        m.close();
        assertThat(reports).hasSize(3);
        m.record(2.0);
        assertThat(m.closeWindow()).as("after close()").isFalse();
        clock.advance(Duration.ofDays(800));
        m.tick();
        m.tick();
        assertThat(reports).as("no window after close(), even when time passes").hasSize(3);
        assertThat(m.rejectedRows()).isEqualTo(1);
        assertThat(m.internalErrors()).isZero();
    }

    @Test
    @DisplayName("with a row limit and a duration, whichever comes first closes the window")
    void rowsAndTime() {
        FakeClock clock = new FakeClock(T0);
        DriftMonitor.Builder b = DriftMonitor.builder(reference(3)).numeric("x").windowRows(1_000)
                .windowDuration(Duration.ofMinutes(1)).clock(clock).bufferRows(10);
        List<WindowReport> reports = collect(b);
        DriftMonitor m = b.build();
        clock.advance(Duration.ofSeconds(5));
        for (int i = 0; i < 2_500; i++) {
            m.record(i);
        }
        awaitSize(reports, 2);
        assertThat(reports).extracting(WindowReport::rows).containsExactly(1_000L, 1_000L);
        assertThat(reports.get(0).start()).isEqualTo(T0);
        assertThat(reports.get(0).end()).isEqualTo(T0.plusSeconds(5));
        assertThat(reports.get(1).start()).isEqualTo(T0.plusSeconds(5));
        clock.advance(Duration.ofSeconds(60));
        m.tick();
        assertThat(reports).extracting(WindowReport::rows).containsExactly(1_000L, 1_000L, 500L);
        assertThat(reports.get(2).end()).isEqualTo(T0.plusSeconds(65));
        m.close();
        assertThat(reports).hasSize(3);
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {11, 12, 13})
    @DisplayName("a same-distribution stream of 100,000-row windows is not flagged; a shifted one is")
    void sameVersusShifted(long seed) {
        DatasetProfile ref = reference(seed);
        DriftMonitor.Builder b = DriftMonitor.builder(ref).windowRows(100_000);
        List<WindowReport> reports = collect(b);
        DriftMonitor m = b.build();
        SplittableRandom r = new SplittableRandom(seed * 31 + 7);
        double[] num = new double[1];
        String[] cat = new String[1];
        for (int i = 0; i < 500_000; i++) {
            num[0] = gaussian(r);
            cat[0] = category(r, 0.5, 0.3);
            m.record(num, cat);
        }
        assertThat(reports).hasSizeLessThanOrEqualTo(5);
        m.tick(); // the last rows wait in the stripe buffer until a tick flushes them
        assertThat(reports).hasSize(5);
        for (WindowReport w : reports) {
            WindowColumn x = w.column("x").orElseThrow();
            WindowColumn s = w.column("s").orElseThrow();
            assertThat(w.drift()).as("window %d: %s", w.sequence(), w.columns()).isFalse();
            assertThat(x.statistic()).isLessThan(0.03);
            assertThat(x.errorBound()).isCloseTo(2 * 2.296 / Math.pow(200, 0.9723), within(1e-12));
            assertThat(x.valueCount()).isEqualTo(100_000);
            assertThat(x.referenceCount()).isEqualTo(200_000);
            assertThat(s.statistic()).isLessThan(0.01);
            assertThat(s.errorBound()).isZero();
        }
        // the mean moves by half a standard deviation: KS about 0.197; the shares of a and b swap: 0.2
        for (int i = 0; i < 100_000; i++) {
            num[0] = 0.5 + gaussian(r);
            cat[0] = category(r, 0.3, 0.5);
            m.record(num, cat);
        }
        m.tick();
        assertThat(reports).hasSize(6);
        WindowReport shifted = reports.get(5);
        assertThat(shifted.drift()).isTrue();
        WindowColumn x = shifted.column("x").orElseThrow();
        assertThat(x.drift()).isTrue();
        assertThat(x.statistic()).isBetween(0.17, 0.23);
        assertThat(x.statisticName()).isEqualTo("ks");
        WindowColumn s = shifted.column("s").orElseThrow();
        assertThat(s.drift()).isTrue();
        assertThat(s.statistic()).isCloseTo(0.2, within(0.01));
        assertThat(s.statisticName()).isEqualTo("l_infinity");
        m.close();
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {21, 22, 23, 24})
    @DisplayName("sketch error never raises an alarm: the reference's own values, reordered, at threshold 0")
    void sketchErrorAloneNeverFlags(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] values = new double[150_000];
        for (int i = 0; i < values.length; i++) {
            values[i] = Math.exp(gaussian(r));
        }
        DatasetProfile ref = DatasetProfile.of(List.of(ColumnProfiler.numeric("x").addAll(values).toProfile()));
        List<Double> shuffled = new ArrayList<>(values.length);
        for (double v : values) {
            shuffled.add(v);
        }
        Collections.shuffle(shuffled, new java.util.Random(seed));
        DriftMonitor.Builder b = DriftMonitor.builder(ref).windowRows(values.length).ksThreshold(0);
        List<WindowReport> reports = collect(b);
        DriftMonitor m = b.build();
        for (double v : shuffled) {
            m.record(v);
        }
        m.tick();
        assertThat(reports).hasSize(1);
        WindowColumn x = reports.get(0).column("x").orElseThrow();
        assertThat(x.statistic()).as("the sketches differ").isGreaterThan(0);
        assertThat(x.statistic()).isLessThanOrEqualTo(x.errorBound());
        assertThat(x.drift()).isFalse();
    }

    @Test
    @DisplayName("a listener that throws breaks neither the caller nor the other listeners")
    void throwingListener() {
        List<WindowReport> seen = new ArrayList<>();
        DriftMonitor m = DriftMonitor.builder(reference(4)).numeric("x").windowRows(100).bufferRows(7)
                .listener(r -> {
                    throw new IllegalStateException("listener bug");
                })
                .listener(r -> {
                    throw new AssertionError("listener error");
                })
                .listener(seen::add)
                .build();
        for (int i = 0; i < 1_000; i++) {
            m.record(i);
        }
        m.close();
        assertThat(seen).hasSize(10);
        assertThat(m.listenerFailures()).isEqualTo(20);
        assertThat(m.rejectedRows()).isZero();
        assertThat(m.internalErrors()).isZero();
    }

    @Test
    @DisplayName("a listener may record into the monitor (on the worker thread); reports still come in order")
    void reentrantListener() {
        List<Long> order = new CopyOnWriteArrayList<>();
        DriftMonitor[] holder = new DriftMonitor[1];
        DriftMonitor m = DriftMonitor.builder(reference(4)).numeric("x").windowRows(10).bufferRows(1)
                .listener(r -> {
                    order.add(r.sequence());
                    if (r.sequence() < 3) {
                        for (int i = 0; i < 10; i++) {
                            holder[0].record(i);
                        }
                    }
                })
                .build();
        holder[0] = m;
        for (int i = 0; i < 10; i++) {
            m.record(i);
        }
        awaitSize(order, 4); // the listener's own rows close windows 1 to 3 while the monitor is open
        m.close();
        assertThat(order).containsExactly(0L, 1L, 2L, 3L);
    }

    @Test
    @DisplayName("NaN, infinities, nulls and rows of the wrong shape are counted, never thrown")
    void badValues() {
        DriftMonitor.Builder b = DriftMonitor.builder(reference(5)).windowRows(1_000).minValues(1);
        List<WindowReport> reports = collect(b);
        DriftMonitor m = b.build();
        m.record(new double[] {Double.NaN}, new String[] {null});
        m.record(new double[] {Double.POSITIVE_INFINITY}, new String[] {"a"});
        m.record(new double[] {Double.NEGATIVE_INFINITY}, new String[] {"b"});
        m.record(new double[] {1.5}, new String[] {"a"});
        m.record(null, new String[] {"a"});
        m.record(new double[] {1, 2}, new String[] {"a"});
        m.record(new double[] {1}, null);
        m.record(new double[] {1}, new String[0]);
        m.record(3.0); // two columns: a one-value row does not fit
        assertThat(m.rejectedRows()).isEqualTo(5);
        m.close();
        m.record(new double[] {1}, new String[] {"a"});
        m.close();
        assertThat(m.rejectedRows()).isEqualTo(6);
        assertThat(reports).hasSize(1);
        WindowReport w = reports.get(0);
        assertThat(w.rows()).isEqualTo(4);
        WindowColumn x = w.column("x").orElseThrow();
        assertThat(x.valueCount()).isEqualTo(1);
        assertThat(x.invalidCount()).isEqualTo(3);
        assertThat(x.statistic()).isBetween(0.0, 1.0);
        WindowColumn s = w.column("s").orElseThrow();
        assertThat(s.valueCount()).isEqualTo(3);
        assertThat(s.invalidCount()).isEqualTo(1);
        assertThat(w.profile().column("x").orElseThrow().nanCount()).isEqualTo(1);
        assertThat(m.internalErrors()).isZero();
    }

    @Test
    @DisplayName("windows with fewer than minValues values are reported but never flagged")
    void minValues() {
        DriftMonitor.Builder b = DriftMonitor.builder(reference(6)).numeric("x").windowRows(500).minValues(1_000);
        List<WindowReport> reports = collect(b);
        DriftMonitor m = b.build();
        for (int i = 0; i < 500; i++) {
            m.record(100 + i); // far from the reference
        }
        assertThat(reports).isEmpty(); // 244 rows still buffered: 500 = 256 + 244
        m.tick();
        assertThat(reports).hasSize(1);
        WindowColumn x = reports.get(0).column("x").orElseThrow();
        assertThat(x.statistic()).isEqualTo(1.0);
        assertThat(x.drift()).isFalse();
    }

    @Test
    @DisplayName("the builder rejects what cannot work, naming the field")
    void builderErrors() {
        DatasetProfile ref = reference(7);
        assertThatThrownBy(() -> DriftMonitor.builder(null)).isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("reference");
        assertThatThrownBy(() -> DriftMonitor.builder(ref).numeric("y"))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("'y' is not in the reference");
        assertThatThrownBy(() -> DriftMonitor.builder(ref).numeric("s"))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("CATEGORICAL");
        assertThatThrownBy(() -> DriftMonitor.builder(ref).numeric("x", "x"))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("twice");
        assertThatThrownBy(() -> DriftMonitor.builder(ref).build())
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("windowRows or windowDuration");
        assertThatThrownBy(() -> DriftMonitor.builder(ref).windowDuration(Duration.ZERO))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("positive");
        assertThatThrownBy(() -> DriftMonitor.builder(ref).ksThreshold(Double.NaN))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("[0, 1)");
        assertThatThrownBy(() -> DriftMonitor.builder(ref).stripes(3))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("power of two");
        assertThatThrownBy(() -> DriftMonitor.builder(ref).bufferRows(0))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("bufferRows");
    }

    // ---- the statistics from profiles ----

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {31, 32, 33, 34, 35})
    @DisplayName("KS from exact sketches equals the two-sample KS statistic (ties included)")
    void ksFromExactSketches(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] a = new double[1 + r.nextInt(190)];
        double[] c = new double[1 + r.nextInt(190)];
        for (int i = 0; i < a.length; i++) {
            a[i] = r.nextInt(30);
        }
        for (int i = 0; i < c.length; i++) {
            c[i] = r.nextInt(25) + 0.5 * r.nextInt(2);
        }
        ColumnProfile pa = ColumnProfiler.numeric("x").addAll(a).toProfile();
        ColumnProfile pc = ColumnProfiler.numeric("x").addAll(c).toProfile();
        assertThat(pa.rankErrorBound()).isZero();
        double expected = TwoSampleTests.numeric(DriftMethod.KS, a, c).statistic().getAsDouble();
        WindowColumn w = dev.mlops.internal.drift.WindowComparison.compare(pc, pa, 0.1, 1);
        assertThat(w.statistic()).isCloseTo(expected, within(1e-12));
        assertThat(w.errorBound()).isZero();
        assertThat(w.drift()).isEqualTo(expected > 0.1);
    }

    @Test
    @DisplayName("share change: hand-computed example, and agreement with the l_infinity method")
    void shareChange() {
        ColumnProfile window = ColumnProfiler.categorical("s").addAll(new String[] {"a", "a", "a", "b", null})
                .toProfile();
        ColumnProfile ref = ColumnProfiler.categorical("s").addAll(new String[] {"a", "b", "c", "c"}).toProfile();
        WindowColumn w = dev.mlops.internal.drift.WindowComparison.compare(window, ref, 0.4, 1);
        // a: 0.75 vs 0.25, b: 0.25 vs 0.25, c: 0 vs 0.5
        assertThat(w.statistic()).isEqualTo(0.5);
        assertThat(w.drift()).isTrue();
        assertThat(w.invalidCount()).isEqualTo(1);
        double expected = TwoSampleTests.categorical(DriftMethod.L_INFINITY, Map.of("a", 1L, "b", 1L, "c", 2L),
                Map.of("a", 3L, "b", 1L)).statistic().getAsDouble();
        assertThat(w.statistic()).isCloseTo(expected, within(1e-15));
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {41, 42, 43})
    @DisplayName("share change beyond the category cap: the exact change lies within the error bound")
    void shareChangeBeyondCap(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        ProfileOptions small = new ProfileOptions(200, 16);
        int n = 20_000;
        String[] a = new String[n];
        String[] b = new String[n];
        Map<String, Long> ca = new java.util.HashMap<>();
        Map<String, Long> cb = new java.util.HashMap<>();
        for (int i = 0; i < n; i++) {
            a[i] = "k" + (int) Math.floor(Math.pow(r.nextDouble(), 3) * 60);
            b[i] = "k" + (int) Math.floor(Math.pow(r.nextDouble(), 2) * 60);
            ca.merge(a[i], 1L, Long::sum);
            cb.merge(b[i], 1L, Long::sum);
        }
        ColumnProfile pa = ColumnProfiler.categorical("s", small).addAll(a).toProfile();
        ColumnProfile pb = ColumnProfiler.categorical("s", small).addAll(b).toProfile();
        assertThat(pa.categories().orElseThrow().exact()).isFalse();
        WindowColumn w = dev.mlops.internal.drift.WindowComparison.compare(pb, pa, 0.1, 1);
        double exact = TwoSampleTests.categorical(DriftMethod.L_INFINITY, ca, cb).statistic().getAsDouble();
        assertThat(w.errorBound()).isGreaterThan(0);
        assertThat(Math.abs(w.statistic() - exact)).isLessThanOrEqualTo(w.errorBound());
    }
}
