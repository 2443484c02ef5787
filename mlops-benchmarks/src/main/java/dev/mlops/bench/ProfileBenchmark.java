package dev.mlops.bench;

import dev.mlops.drift.ColumnProfile;
import dev.mlops.drift.ColumnProfiler;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Profiling a numeric column already in memory ({@code double[]} of 1,000,000 values, parsing not included); the
 * score is values per second (one operation = one value), single-threaded.
 *
 * <ul>
 *   <li>{@code profileNumericColumn}: {@link ColumnProfiler#addAll(double[])} then {@link ColumnProfiler#toProfile()}:
 *       counts of NaN and infinities, min, max, exact moments, our deterministic KLL sketch (k = 200).</li>
 *   <li>{@code profileNumericColumnOneByOne}: the same through {@link ColumnProfiler#add(double)} per value.</li>
 *   <li>{@code bareKllUpdate}: the baseline: datasketches' {@code KllDoublesSketch} (k = 200) updated value by value,
 *       and running moments (Welford: count, mean, m2, min, max) in the same loop; no NaN or infinity checks.</li>
 * </ul>
 * The data are seeded: {@code normal} (standard normal), {@code sorted} (the same, ascending) or {@code offset}
 * (1e9 plus a normal of standard deviation 1e-3).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Thread)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class ProfileBenchmark {
    static final int N = 1_000_000;

    @Param({"normal"})
    public String data;

    double[] values;

    @Setup
    public void setUp() {
        SplittableRandom r = new SplittableRandom(20261127);
        values = new double[N];
        for (int i = 0; i < N; i++) {
            double g = Math.sqrt(-2 * Math.log1p(-r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
            values[i] = switch (data) {
                case "normal", "sorted" -> g;
                case "offset" -> 1e9 + 1e-3 * g;
                default -> throw new IllegalArgumentException("data must be normal, sorted or offset: " + data);
            };
        }
        if (data.equals("sorted")) {
            java.util.Arrays.sort(values);
        }
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public ColumnProfile profileNumericColumn() {
        return ColumnProfiler.numeric("x").addAll(values).toProfile();
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public ColumnProfile profileNumericColumnOneByOne() {
        ColumnProfiler p = ColumnProfiler.numeric("x");
        for (double v : values) {
            p.add(v);
        }
        return p.toProfile();
    }

    /** What the baseline leaves: the sketch and the moments, so that nothing is optimised away. */
    public record Bare(KllDoublesSketch sketch, long n, double mean, double m2, double min, double max) {
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public Bare bareKllUpdate() {
        KllDoublesSketch sketch = KllDoublesSketch.newHeapInstance(200);
        long n = 0;
        double mean = 0;
        double m2 = 0;
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (double v : values) {
            sketch.update(v);
            n++;
            double d = v - mean;
            mean += d / n;
            m2 += d * (v - mean);
            min = v < min ? v : min;
            max = v > max ? v : max;
        }
        return new Bare(sketch, n, mean, m2, min, max);
    }
}
