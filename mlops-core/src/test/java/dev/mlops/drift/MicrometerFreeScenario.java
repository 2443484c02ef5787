package dev.mlops.drift;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Run by {@link DriftMonitorMetricsTest} in a class loader that hides Micrometer: a monitor fed rows and closed, a
 * report from raw values and a page from profiles. References no Micrometer type (directly or through another test
 * class), so it links there. Returns {windows seen, rows in them, rejected rows, compared columns, sections drawn}.
 */
public final class MicrometerFreeScenario implements Callable<long[]> {
    @Override
    public long[] call() {
        SplittableRandom r = new SplittableRandom(5);
        DatasetProfiler p = DatasetProfiler.builder().numeric("x", "y").categorical("s").build();
        for (int i = 0; i < 5_000; i++) {
            p.column("x").add(r.nextGaussian());
            p.column("y").add(r.nextDouble());
            p.column("s").add(r.nextBoolean() ? "a" : "b");
        }
        DatasetProfile ref = p.toProfile();
        List<WindowReport> seen = new CopyOnWriteArrayList<>();
        DriftMonitor m = DriftMonitor.builder(ref).windowRows(1_000).listener(seen::add).build();
        for (int i = 0; i < 2_500; i++) {
            m.record(new double[] {r.nextGaussian(), i % 100 == 0 ? Double.NaN : 1.0}, new String[] {"a"});
        }
        m.close();
        DriftReport report = DriftAnalyzer.builder().build().analyze(
                Map.of("v", ColumnValues.numeric(r.doubles(300).toArray(), 0)),
                Map.of("v", ColumnValues.numeric(r.doubles(300).toArray(), 0)));
        String html = DriftReportHtml.toHtml(DriftAnalyzer.builder().build().analyze(ref, seen.get(0).profile()), ref,
                seen.get(0).profile(), "t");
        long sections = html.split("<section class=\"column", -1).length - 1;
        return new long[] {seen.size(), seen.stream().mapToLong(WindowReport::rows).sum(), m.rejectedRows(),
            report.columns().size(), sections};
    }
}
