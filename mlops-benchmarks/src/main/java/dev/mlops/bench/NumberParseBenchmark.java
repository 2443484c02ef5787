package dev.mlops.bench;

import dev.mlops.internal.drift.io.DecimalParser;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Parsing decimal numbers from bytes: {@link DecimalParser} against {@link Double#parseDouble} on the same bytes
 * (which first needs a String made from them) and, as the JDK's floor, on Strings made beforehand. Each operation
 * parses {@value #VALUES} values; the score is nanoseconds per value. Each iteration also prints the benchmark
 * thread's CPU time per value ({@code [mlops-bench] ... cpu}), which other load on the machine hardly changes.
 *
 * <p>Inputs ({@code format}): {@code shortest}, random doubles of many magnitudes as {@link Double#toString} prints
 * them (up to 17 significant digits); {@code measured}, values rounded to 4 decimals like measured data
 * ({@code 103.1235}); {@code g17}, {@code %.17g} (17 digits and an exponent); {@code integers}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
public class NumberParseBenchmark {
    static final int VALUES = 4096;

    @Param({"shortest", "measured", "g17", "integers"})
    public String format;

    private byte[] bytes;
    private int[] offsets;
    private String[] strings;
    private final CpuClock cpu = new CpuClock();

    @Setup(Level.Iteration)
    public void startClock() {
        cpu.start();
    }

    @TearDown(Level.Iteration)
    public void printClock(BenchmarkParams params) {
        cpu.print(params.getBenchmark().replaceFirst(".*\\.", "") + " " + format, VALUES);
    }

    @Setup
    public void setUp() {
        SplittableRandom r = new SplittableRandom(20240601);
        strings = new String[VALUES];
        StringBuilder all = new StringBuilder();
        offsets = new int[VALUES + 1];
        for (int i = 0; i < VALUES; i++) {
            double d = r.nextGaussian() * Math.pow(10, r.nextInt(-3, 6));
            String s = switch (format) {
                case "shortest" -> Double.toString(d);
                case "measured" -> Double.toString(Math.rint(r.nextGaussian() * 20 * 1e4 + 100e4) / 1e4);
                case "g17" -> String.format(Locale.ROOT, "%.17g", d);
                case "integers" -> Long.toString(r.nextLong(-1_000_000, 1_000_000));
                default -> throw new IllegalArgumentException("unknown format " + format);
            };
            strings[i] = s;
            offsets[i] = all.length();
            all.append(s);
        }
        offsets[VALUES] = all.length();
        bytes = all.toString().getBytes(StandardCharsets.ISO_8859_1);
        for (int i = 0; i < VALUES; i++) {
            double ours = DecimalParser.parse(bytes, offsets[i], offsets[i + 1]);
            if (Double.doubleToRawLongBits(ours) != Double.doubleToRawLongBits(Double.parseDouble(strings[i]))) {
                throw new IllegalStateException("DecimalParser and Double.parseDouble differ on " + strings[i]);
            }
        }
    }

    @Benchmark
    @OperationsPerInvocation(VALUES)
    public double decimalParser() {
        cpu.tick();
        double sum = 0;
        byte[] b = bytes;
        int[] o = offsets;
        for (int i = 0; i < VALUES; i++) {
            sum += DecimalParser.parse(b, o[i], o[i + 1]);
        }
        return sum;
    }

    @Benchmark
    @OperationsPerInvocation(VALUES)
    public double jdkParseDoubleFromBytes() {
        cpu.tick();
        double sum = 0;
        byte[] b = bytes;
        int[] o = offsets;
        for (int i = 0; i < VALUES; i++) {
            sum += Double.parseDouble(new String(b, o[i], o[i + 1] - o[i], StandardCharsets.ISO_8859_1));
        }
        return sum;
    }

    @Benchmark
    @OperationsPerInvocation(VALUES)
    public double jdkParseDoubleFromStrings() {
        cpu.tick();
        double sum = 0;
        String[] s = strings;
        for (int i = 0; i < VALUES; i++) {
            sum += Double.parseDouble(s[i]);
        }
        return sum;
    }
}
