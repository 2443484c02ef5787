package dev.mlops.bench;

import dev.mlops.internal.data.CsvReader;
import dev.mlops.internal.drift.io.ColumnBatch;
import dev.mlops.internal.drift.io.ColumnMode;
import dev.mlops.internal.drift.io.CsvColumnReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.SplittableRandom;
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
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * Reading a CSV file of {@code rows} rows and {@value #COLUMNS} numeric columns into one {@code double[]} per column.
 * The file is generated in the setup into a temporary folder (deleted in the teardown): seeded normal values of
 * different scales rounded to 4 decimals, about 9 bytes a value with its comma (the setup prints the exact figure).
 *
 * <p>{@code csvColumnReader}: {@link CsvColumnReader} (all columns, batches of 8,192 rows); {@code csvColumnReaderOneColumn}:
 * the same selecting one column (the others are only scanned); baselines in the same run: {@code csvReaderParseDouble},
 * the project's String-based {@link CsvReader} with {@link Double#parseDouble}; {@code readBytesOnly}, reading the
 * file's bytes through the same kind of stream and buffer and counting line feeds (the I/O floor). Milliseconds per
 * file; values per second = rows x columns / time. Each iteration also prints the benchmark thread's CPU time per
 * value of the file ({@code [mlops-bench] ... cpu}), which other load on the machine hardly changes.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx2g"})
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
public class CsvReadBenchmark {
    static final int COLUMNS = 10;

    @Param({"1000000"})
    public int rows;

    private Path dir;
    private Path file;
    private double[][] columns;
    private final CpuClock cpu = new CpuClock();

    @Setup(Level.Iteration)
    public void startClock() {
        cpu.start();
    }

    @TearDown(Level.Iteration)
    public void printClock(BenchmarkParams params) {
        cpu.print(params.getBenchmark().replaceFirst(".*\\.", "") + " (per value of the file)", (long) rows * COLUMNS);
    }

    @Setup(Level.Trial)
    public void setUp() throws IOException {
        dir = Files.createTempDirectory("mlops-csv-bench");
        file = dir.resolve("numeric.csv");
        SplittableRandom r = new SplittableRandom(20240602);
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            for (int c = 0; c < COLUMNS; c++) {
                w.write(c == 0 ? "x0" : ",x" + c);
            }
            w.write('\n');
            for (int i = 0; i < rows; i++) {
                for (int c = 0; c < COLUMNS; c++) {
                    double scale = Math.pow(10, c % 4);
                    double v = Math.rint((r.nextGaussian() * scale + 3 * scale) * 1e4) / 1e4;
                    if (c > 0) {
                        w.write(',');
                    }
                    w.write(Double.toString(v));
                }
                w.write('\n');
            }
        }
        columns = new double[COLUMNS][rows];
        long size = Files.size(file);
        System.out.printf("%n[CsvReadBenchmark] %s: %,d bytes, %,d values, %.2f bytes per value%n", file, size,
                (long) rows * COLUMNS, size / ((double) rows * COLUMNS));
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

    private double readWith(LinkedHashMap<String, ColumnMode> selection) throws IOException {
        cpu.tick();
        try (CsvColumnReader reader = CsvColumnReader.open(file)) {
            reader.select(selection);
            ColumnBatch batch = new ColumnBatch(8192);
            int at = 0;
            while (reader.read(batch)) {
                int n = batch.size();
                for (int c = 0; c < batch.columnCount(); c++) {
                    System.arraycopy(batch.values(c), 0, columns[c], at, n);
                }
                at += n;
            }
            if (at != rows) {
                throw new IllegalStateException("read " + at + " rows, expected " + rows);
            }
        }
        return columns[0][rows - 1] + columns[COLUMNS - 1][0];
    }

    @Benchmark
    public double csvColumnReader() throws IOException {
        LinkedHashMap<String, ColumnMode> all = new LinkedHashMap<>();
        for (int c = 0; c < COLUMNS; c++) {
            all.put("x" + c, ColumnMode.NUMERIC);
        }
        return readWith(all);
    }

    @Benchmark
    public double csvColumnReaderOneColumn() throws IOException {
        LinkedHashMap<String, ColumnMode> one = new LinkedHashMap<>();
        one.put("x5", ColumnMode.NUMERIC);
        return readWith(one);
    }

    @Benchmark
    public double csvReaderParseDouble() throws IOException {
        cpu.tick();
        try (CsvReader reader = CsvReader.utf8(Files.newInputStream(file), file.toString())) {
            reader.header();
            int at = 0;
            for (CsvReader.Record rec; (rec = reader.next()) != null; ) {
                List<String> f = rec.fields();
                for (int c = 0; c < COLUMNS; c++) {
                    columns[c][at] = Double.parseDouble(f.get(c));
                }
                at++;
            }
        }
        return columns[0][rows - 1] + columns[COLUMNS - 1][0];
    }

    @Benchmark
    public long readBytesOnly() throws IOException {
        cpu.tick();
        byte[] buf = new byte[CsvColumnReader.DEFAULT_BUFFER_BYTES];
        long lines = 0;
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buf)) > 0; ) {
                for (int i = 0; i < n; i++) {
                    if (buf[i] == '\n') {
                        lines++;
                    }
                }
            }
        }
        return lines;
    }
}
