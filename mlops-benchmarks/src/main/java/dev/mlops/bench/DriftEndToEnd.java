package dev.mlops.bench;

import dev.mlops.drift.DriftAnalyzer;
import dev.mlops.drift.DriftReport;
import dev.mlops.drift.DriftReportJson;
import dev.mlops.drift.Tables;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * What {@code mlops drift --reference REF --current CUR --methods ks,wasserstein_normed,psi,jensen_shannon --format
 * json --out OUT} does, through the library's public API ({@link Tables}, {@link DriftAnalyzer},
 * {@link DriftReportJson}), and the data for it. Used by {@link DriftEndToEndBenchmark} and, for peak memory, run in a
 * fresh JVM from the command line:
 *
 * <pre>
 * java -cp benchmarks.jar dev.mlops.bench.DriftEndToEnd generate DIR [ROWS]   # DIR/ref.csv, DIR/cur.csv (seeded)
 * java -cp benchmarks.jar dev.mlops.bench.DriftEndToEnd run REF CUR OUT       # one run; prints time and memory
 * </pre>
 *
 * {@code run} prints the wall time, the process's peak resident set ({@code VmHWM} of {@code /proc/self/status}: the
 * JVM itself included) and the peak use of the Java heap as the garbage collector's memory pools report it (the sum of
 * each heap pool's peak, an upper bound of the heap's peak).
 */
public final class DriftEndToEnd {
    /** The methods of the comparison with pandas and SciPy. */
    public static final String METHODS = "ks,wasserstein_normed,psi,jensen_shannon";
    static final int COLUMNS = 10;

    private DriftEndToEnd() {
    }

    /** Reads both files, compares every column with {@link #METHODS}, writes the JSON report; returns the report. */
    public static DriftReport run(Path reference, Path current, Path out) throws IOException {
        List<String> refNames = Tables.names(reference, "--reference");
        List<String> curNames = Tables.names(current, "--current");
        List<String> compared = refNames.stream().filter(curNames::contains).toList();
        Tables.Pair tables = Tables.readPair(new Tables.Source(reference, "--reference", compared),
                new Tables.Source(current, "--current", compared), Tables.Options.defaults());
        DriftReport report = DriftAnalyzer.builder().methods(METHODS).categorical(Set.of()).build()
                .analyze(tables.reference().columns(), tables.current().columns());
        Files.write(out, (DriftReportJson.toJson(report) + "\n").getBytes(StandardCharsets.UTF_8));
        return report;
    }

    /**
     * Writes {@code dir/ref.csv} and {@code dir/cur.csv}: {@code rows} rows of {@value #COLUMNS} columns
     * {@code c0..c9}, normal values at four scales (1, 10, 100, 1000 times a standard normal, plus three times the
     * scale) written with 4 decimals; the current file draws from the same distributions except columns c3 and c7,
     * shifted by 0.05 standard deviations. Seeded: the same bytes every time.
     */
    public static void generate(Path dir, int rows) throws IOException {
        Files.createDirectories(dir);
        write(dir.resolve("ref.csv"), rows, new SplittableRandom(20261127), false);
        write(dir.resolve("cur.csv"), rows, new SplittableRandom(20261128), true);
    }

    private static void write(Path file, int rows, SplittableRandom r, boolean shifted) throws IOException {
        try (OutputStream o = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
            StringBuilder line = new StringBuilder(128);
            for (int c = 0; c < COLUMNS; c++) {
                line.append(c == 0 ? "c0" : ",c" + c);
            }
            line.append('\n');
            o.write(line.toString().getBytes(StandardCharsets.US_ASCII));
            for (int i = 0; i < rows; i++) {
                line.setLength(0);
                for (int c = 0; c < COLUMNS; c++) {
                    double scale = Math.pow(10, c % 4);
                    double shift = shifted && (c == 3 || c == 7) ? 0.05 : 0;
                    double v = (r.nextGaussian() + shift + 3) * scale;
                    if (c > 0) {
                        line.append(',');
                    }
                    fixed4(line, Math.round(v * 1e4));
                }
                line.append('\n');
                o.write(line.toString().getBytes(StandardCharsets.US_ASCII));
            }
        }
    }

    /** Appends {@code units / 10^4} with exactly four decimals ({@code -12.0500}). */
    static void fixed4(StringBuilder s, long units) {
        if (units < 0) {
            s.append('-');
            units = -units;
        }
        s.append(units / 10_000).append('.');
        long frac = units % 10_000;
        for (long d = 1000; d >= 1; d /= 10) {
            s.append((char) ('0' + (frac / d) % 10));
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length >= 2 && args[0].equals("generate")) {
            int rows = args.length > 2 ? Integer.parseInt(args[2]) : 1_000_000;
            generate(Path.of(args[1]), rows);
            System.out.printf(Locale.ROOT, "wrote %s/ref.csv (%,d bytes) and cur.csv (%,d bytes), %,d rows x %d%n",
                    args[1], Files.size(Path.of(args[1], "ref.csv")), Files.size(Path.of(args[1], "cur.csv")), rows,
                    COLUMNS);
            return;
        }
        if (args.length == 4 && args[0].equals("run")) {
            long t0 = System.nanoTime();
            DriftReport r = run(Path.of(args[1]), Path.of(args[2]), Path.of(args[3]));
            long t1 = System.nanoTime();
            long heapPeak = 0;
            for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
                if (pool.getType() == MemoryType.HEAP && pool.getPeakUsage() != null) {
                    heapPeak += pool.getPeakUsage().getUsed();
                }
            }
            long gcs = 0;
            long gcMillis = 0;
            for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                gcs += Math.max(0, gc.getCollectionCount());
                gcMillis += Math.max(0, gc.getCollectionTime());
            }
            String status = Files.readString(Path.of("/proc/self/status"));
            System.out.printf(Locale.ROOT, "run: %.3f s (after JVM start), %d of %d columns drift; peak RSS (VmHWM)"
                    + " %s; heap peak (sum of pool peaks) %.1f MB; %d GCs, %d ms; %d processors%n", (t1 - t0) / 1e9,
                    r.driftedColumns(), r.columns().size(), field(status, "VmHWM"), heapPeak / 1e6, gcs, gcMillis,
                    Runtime.getRuntime().availableProcessors());
            return;
        }
        System.err.println("usage: DriftEndToEnd generate DIR [ROWS] | run REF CUR OUT");
        System.exit(2);
    }

    private static String field(String status, String name) {
        for (String line : status.split("\n")) {
            if (line.startsWith(name + ":")) {
                return line.substring(name.length() + 1).strip();
            }
        }
        return "?";
    }
}
