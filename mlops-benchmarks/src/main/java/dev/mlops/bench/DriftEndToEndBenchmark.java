package dev.mlops.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
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

/**
 * {@code mlops drift} end to end on two generated CSV files of {@code rows} rows x 10 numeric columns
 * ({@link DriftEndToEnd#generate}): parse, type, test every column with {@code ks}, {@code wasserstein_normed},
 * {@code psi} and {@code jensen_shannon}, write the JSON report ({@code driftCommand}, {@link DriftEndToEnd#run}, on
 * as many threads as the library uses: both files read at once, columns compared on one thread per processor).
 * The floor in the same run, {@code readBytesOfBothFiles}: reading the bytes of both files at the same time on two
 * threads through 1 MiB buffers, counting line feeds. Seconds per run, each operation one whole run (warm JVM: this is
 * the library's figure; the command line's, with the JVM's start and a cold compiler, is measured with
 * {@code /usr/bin/time}, see docs/benchmarks.md). Each iteration also prints the CPU time of the whole process
 * (every thread: the benchmark's, the reading and comparing threads, the garbage collector's and the compiler's)
 * spent in it ({@code [mlops-bench] ... process cpu}), which other load on the machine changes much less than the wall
 * time.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1)
@Warmup(iterations = 3)
@Measurement(iterations = 7)
public class DriftEndToEndBenchmark {
    @Param({"1000000"})
    public int rows;

    private Path dir;
    private Path reference;
    private Path current;
    private Path out;
    private long cpuStart;
    private long wallStart;

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("mlops-drift-bench");
        DriftEndToEnd.generate(dir, rows);
        reference = dir.resolve("ref.csv");
        current = dir.resolve("cur.csv");
        out = dir.resolve("out.json");
        System.out.printf("%n[DriftEndToEndBenchmark] %s: %,d + %,d bytes%n", dir, Files.size(reference),
                Files.size(current));
    }

    @Setup(Level.Iteration)
    public void startClock() {
        cpuStart = processCpuNanos();
        wallStart = System.nanoTime();
    }

    @TearDown(Level.Iteration)
    public void printClock(org.openjdk.jmh.infra.BenchmarkParams params) {
        System.out.printf("%n[mlops-bench] %s: process cpu %.0f ms, wall %.0f ms%n",
                params.getBenchmark().replaceFirst(".*\\.", ""), (processCpuNanos() - cpuStart) / 1e6,
                (System.nanoTime() - wallStart) / 1e6);
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }

    @Benchmark
    public int driftCommand() throws IOException {
        return DriftEndToEnd.run(reference, current, out).driftedColumns();
    }

    @Benchmark
    public long readBytesOfBothFiles() {
        CompletableFuture<Long> other = CompletableFuture.supplyAsync(() -> lineFeeds(reference));
        return lineFeeds(current) + other.join();
    }

    private static long lineFeeds(Path file) {
        byte[] buf = new byte[1 << 20];
        long lines = 0;
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buf)) > 0; ) {
                for (int i = 0; i < n; i++) {
                    if (buf[i] == '\n') {
                        lines++;
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return lines;
    }
}
