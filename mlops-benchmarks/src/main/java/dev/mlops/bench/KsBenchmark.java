package dev.mlops.bench;

import dev.mlops.drift.DriftMethod;
import dev.mlops.drift.MethodResult;
import dev.mlops.drift.TwoSampleTests;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.apache.commons.statistics.inference.KolmogorovSmirnovTest;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * The two-sample Kolmogorov-Smirnov test on raw values: two seeded samples of {@code n} values each (normal, the
 * current shifted by 0.01 standard deviations; no ties), one thread, milliseconds per test.
 *
 * <p>{@code ksTwoSample}: ours, {@link TwoSampleTests#numeric(DriftMethod, double[], double[])} with {@code ks}
 * (statistic and p-value; above 10,000 values a side the asymptotic p-value, as SciPy's {@code method='auto'}), which
 * copies, checks and sorts both samples; {@code floorSortAndMerge}, the floor in the same run: copy both arrays, sort
 * both with {@link Arrays#sort(double[])}, one merge pass computing the largest distance between the two empirical
 * distribution functions (no p-value); {@code commonsStatisticsKs}, the peer: Commons Statistics 1.1's
 * {@link KolmogorovSmirnovTest#test(double[], double[])} with its defaults (two-sided, p-value method auto). Each
 * iteration also prints the benchmark thread's CPU time per test ({@code [mlops-bench] ... cpu}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class KsBenchmark {
    @Param({"1000000"})
    public int n;

    private double[] reference;
    private double[] current;
    private final CpuClock cpu = new CpuClock();

    @Setup(Level.Trial)
    public void setUp() {
        SplittableRandom r = new SplittableRandom(20261127);
        reference = new double[n];
        current = new double[n];
        for (int i = 0; i < n; i++) {
            reference[i] = r.nextGaussian();
            current[i] = r.nextGaussian() + 0.01;
        }
    }

    @Setup(Level.Iteration)
    public void startClock() {
        cpu.start();
    }

    @TearDown(Level.Iteration)
    public void printClock(BenchmarkParams params) {
        cpu.print(params.getBenchmark().replaceFirst(".*\\.", "") + " (per test, in ns)", 1);
    }

    @Benchmark
    public double ksTwoSample() {
        cpu.tick();
        MethodResult r = TwoSampleTests.numeric(DriftMethod.KS, reference, current);
        return r.statistic().getAsDouble() + r.pValue().getAsDouble();
    }

    @Benchmark
    public double floorSortAndMerge() {
        cpu.tick();
        double[] x = reference.clone();
        double[] y = current.clone();
        Arrays.sort(x);
        Arrays.sort(y);
        return maxDistance(x, y);
    }

    @Benchmark
    public double commonsStatisticsKs() {
        cpu.tick();
        KolmogorovSmirnovTest.TwoResult r = KolmogorovSmirnovTest.withDefaults().test(reference, current);
        return r.getStatistic() + r.getPValue();
    }

    /** The largest |F_x - F_y| over the pooled values of two sorted samples, in one merge pass. */
    static double maxDistance(double[] x, double[] y) {
        int i = 0;
        int j = 0;
        int n1 = x.length;
        int n2 = y.length;
        double max = 0;
        while (i < n1 && j < n2) {
            double v = Math.min(x[i], y[j]);
            while (i < n1 && x[i] == v) {
                i++;
            }
            while (j < n2 && y[j] == v) {
                j++;
            }
            max = Math.max(max, Math.abs((double) i / n1 - (double) j / n2));
        }
        return max;
    }
}
