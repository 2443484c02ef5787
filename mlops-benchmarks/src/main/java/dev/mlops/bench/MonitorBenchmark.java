package dev.mlops.bench;

import dev.mlops.drift.DatasetProfile;
import dev.mlops.drift.DatasetProfiler;
import dev.mlops.drift.DriftMonitor;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost a request thread pays to record into a {@link DriftMonitor}; the score is nanoseconds per operation.
 *
 * <ul>
 *   <li>{@code monitorRecordRow}, {@code monitorRecordRowThreads2}: one row of two numeric and one categorical
 *       feature ({@code record(double[], String[])}), from 1 and 2 threads into one monitor.</li>
 *   <li>{@code monitorRecordPrediction}, {@code monitorRecordPredictionThreads2}: one value into a one-column
 *       monitor ({@code record(double)}).</li>
 *   <li>Baselines in the same run: {@code baselineIncrement} (a shared {@link LongAdder}, what counting requests
 *       costs) and {@code baselineKllUpdate} (one value into a thread's own datasketches {@code KllDoublesSketch},
 *       k = 200, no monitor).</li>
 * </ul>
 * Windows close every 1,000,000 rows, so the amortised cost of profiling, comparing with the reference and publishing
 * to a listener is included.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
public class MonitorBenchmark {
    static final int ROWS = 4096;

    static double gaussian(SplittableRandom r) {
        return Math.sqrt(-2 * Math.log1p(-r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
    }

    /** The monitors, shared by every thread. */
    @State(Scope.Benchmark)
    public static class Monitors {
        DriftMonitor rows;
        DriftMonitor predictions;
        final LongAdder counter = new LongAdder();
        final LongAdder windows = new LongAdder();

        @Setup(Level.Trial)
        public void setUp() {
            SplittableRandom r = new SplittableRandom(20261127);
            int n = 200_000;
            double[] x = new double[n];
            double[] y = new double[n];
            String[] s = new String[n];
            for (int i = 0; i < n; i++) {
                x[i] = gaussian(r);
                y[i] = 100 + 15 * gaussian(r);
                s[i] = "c" + r.nextInt(20);
            }
            DatasetProfiler p = DatasetProfiler.builder().numeric("x", "y").categorical("s").build();
            p.column("x").addAll(x);
            p.column("y").addAll(y);
            p.column("s").addAll(s);
            DatasetProfile ref = p.toProfile();
            rows = DriftMonitor.builder(ref).windowRows(1_000_000).listener(w -> windows.increment()).build();
            DatasetProfiler q = DatasetProfiler.builder().numeric("x").build();
            q.column("x").addAll(x);
            predictions = DriftMonitor.builder(q.toProfile()).windowRows(1_000_000)
                    .listener(w -> windows.increment()).build();
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            rows.close();
            predictions.close();
            if (rows.rejectedRows() != 0 || rows.internalErrors() != 0 || predictions.internalErrors() != 0) {
                throw new IllegalStateException("the monitor rejected rows or failed");
            }
        }
    }

    /** Each thread's rows, cycled. */
    @State(Scope.Thread)
    public static class Rows {
        double[][] num = new double[ROWS][];
        String[][] cat = new String[ROWS][];
        double[] pred = new double[ROWS];
        KllDoublesSketch sketch = KllDoublesSketch.newHeapInstance(200);
        int i;

        @Setup(Level.Trial)
        public void setUp() {
            SplittableRandom r = new SplittableRandom(Thread.currentThread().getId());
            for (int k = 0; k < ROWS; k++) {
                num[k] = new double[] {gaussian(r), 100 + 15 * gaussian(r)};
                cat[k] = new String[] {"c" + r.nextInt(20)};
                pred[k] = gaussian(r);
            }
        }

        int next() {
            return i = (i + 1) & (ROWS - 1);
        }
    }

    @Benchmark
    @Threads(1)
    public void monitorRecordRow(Monitors m, Rows r) {
        int k = r.next();
        m.rows.record(r.num[k], r.cat[k]);
    }

    @Benchmark
    @Threads(2)
    public void monitorRecordRowThreads2(Monitors m, Rows r) {
        int k = r.next();
        m.rows.record(r.num[k], r.cat[k]);
    }

    @Benchmark
    @Threads(1)
    public void monitorRecordPrediction(Monitors m, Rows r) {
        m.predictions.record(r.pred[r.next()]);
    }

    @Benchmark
    @Threads(2)
    public void monitorRecordPredictionThreads2(Monitors m, Rows r) {
        m.predictions.record(r.pred[r.next()]);
    }

    @Benchmark
    @Threads(1)
    public void baselineIncrement(Monitors m) {
        m.counter.increment();
    }

    @Benchmark
    @Threads(1)
    public void baselineKllUpdate(Rows r) {
        r.sketch.update(r.pred[r.next()]);
    }
}
