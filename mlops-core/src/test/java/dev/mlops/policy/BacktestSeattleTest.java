package dev.mlops.policy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backtest over the bundled Seattle weather data (test resource {@code /data/seattle-weather.csv}, see SOURCES.md
 * beside it): a persistence "model" (wet today if it was wet yesterday), trained on 2012-2013, replayed month by month
 * over 2014-2015 through a monthly policy.
 */
class BacktestSeattleTest {
    @TempDir
    Path dir;

    /** The Seattle table with the persistence model's prediction and the label appended. */
    Path predictions() throws IOException {
        List<String> lines;
        try (InputStream in = getClass().getResourceAsStream("/data/seattle-weather.csv")) {
            lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        }
        List<String> out = new ArrayList<>();
        out.add(lines.get(0) + ",label,prediction");
        boolean wetYesterday = false;
        for (String line : lines.subList(1, lines.size())) {
            boolean wet = Double.parseDouble(line.split(",")[1]) > 0;
            out.add(line + "," + (wet ? "wet" : "dry") + "," + (wetYesterday ? "wet" : "dry"));
            wetYesterday = wet;
        }
        Path file = dir.resolve("seattle-predictions.csv");
        Files.write(file, out);
        return file;
    }

    static final RetrainingPolicy MONTHLY = RetrainingPolicy.builder("seattle-monthly")
            .anyOf(Condition.driftShare(0.75),
                    Condition.worseThanBaselineRelative("accuracy", MetricDirection.HIGHER_IS_BETTER, 0.15))
            .cooldown(Duration.ofDays(60), 0)
            .budget(2, Duration.ofDays(365))
            .build();

    List<Observation> history() throws IOException {
        return HistoryCsv.builder("rain").columns("date", "label", "prediction")
                .features("precipitation", "temp_max", "temp_min", "wind")
                .referenceBefore(Instant.parse("2014-01-01T00:00:00Z"))
                .modelCreatedAt(Instant.parse("2014-01-01T00:00:00Z"))
                .build().read(predictions());
    }

    @Test
    void theObservationsHoldEachMonthsAccuracyDriftAndErrors() throws IOException {
        List<Observation> history = history();
        assertThat(history).hasSize(24);
        // the accuracy of each month, counted here directly from the file
        List<String> lines = Files.readAllLines(predictions());
        Map<String, int[]> counts = new TreeMap<>();
        int[] reference = new int[2];
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",");
            int[] c = f[0].compareTo("2014") < 0 ? reference : counts.computeIfAbsent(f[0].substring(0, 7),
                    k -> new int[2]);
            c[0] += f[6].equals(f[7]) ? 1 : 0;
            c[1]++;
        }
        assertThat(history).extracting(Observation::windowId).containsExactlyElementsOf(counts.keySet());
        for (Observation o : history) {
            int[] c = counts.get(o.windowId());
            assertThat(o.metrics().get("accuracy")).isEqualTo(c[0] / (double) c[1]);
            assertThat(o.rows()).isEqualTo(c[1]);
            assertThat(o.outcomes().get("error")).hasSize(c[1]);
            assertThat(o.outcomes().get("error").stream().mapToDouble(Double::doubleValue).sum())
                    .isEqualTo(c[1] - c[0]);
            assertThat(o.baselines().get("accuracy")).isEqualTo(reference[0] / (double) reference[1]);
            assertThat(o.driftReports().get(Condition.DEFAULT_REPORT).currentRows()).isEqualTo(c[1]);
            assertThat(o.driftReports().get(Condition.DEFAULT_REPORT).referenceRows()).isEqualTo(731);
        }
        assertThat(history.get(3).windowId()).isEqualTo("2014-04");
        assertThat(history.get(3).metrics().get("accuracy")).isEqualTo(16 / 30.0);
        assertThat(history.get(3).time()).isEqualTo(Instant.parse("2014-05-01T00:00:00Z"));
    }

    /**
     * The monthly policy over 2014-2015. Seattle has no documented change points; the two marked are the starts of
     * the months in which the persistence model was furthest below its 2012-2013 accuracy (2014-04: 16 of 30 right,
     * 2015-04: 15 of 30).
     */
    @Test
    void theMonthlyPolicysTimelineOverTheBundledData() throws IOException {
        BacktestResult r = Backtest.builder(MONTHLY)
                .changePoint(Instant.parse("2014-04-01T00:00:00Z"))
                .changePoint(Instant.parse("2015-04-01T00:00:00Z"))
                .build().run(history());
        List<String> timeline = r.timeline().stream()
                .map(d -> d.windowId() + " " + d.status().id() + d.heldBy().map(g -> " " + g.id()).orElse(""))
                .toList();
        assertThat(timeline).containsExactly(
                "2014-01 no_retrain",
                "2014-02 retrain",          // drift share 1 (all four columns)
                "2014-03 no_retrain",
                "2014-04 retrain",          // drift share 0.75 and accuracy 0.533, 25.9 % below the baseline 0.720
                "2014-05 no_retrain",
                "2014-06 no_retrain",
                "2014-07 held budget",      // 2 retrains in the last 365 days
                "2014-08 held budget",
                "2014-09 no_retrain",
                "2014-10 no_retrain",
                "2014-11 no_retrain",
                "2014-12 no_retrain",
                "2015-01 held budget",      // 2014-02's retrain (decided 2014-03-01) is still within 365 days
                "2015-02 no_retrain",
                "2015-03 no_retrain",
                "2015-04 retrain",          // accuracy 0.5, 30.5 % below the baseline
                "2015-05 held cooldown",    // 31 days since the last retrain, 60 required
                "2015-06 retrain",
                "2015-07 held cooldown",
                "2015-08 held budget",
                "2015-09 held budget",
                "2015-10 no_retrain",
                "2015-11 no_retrain",
                "2015-12 held budget");
        assertThat(r.retrainWindows()).containsExactly("2014-02", "2014-04", "2015-04", "2015-06");
        assertThat(r.heldBy()).isEqualTo(Map.of("budget", 6, "cooldown", 2));
        assertThat(r.timeline().get(3).reasons()).containsExactly(
                "conditions[0] drift share >= 0.75 (report 'default'): 0.75",
                "conditions[1] accuracy worse than its baseline by > 0.15 of the baseline (relative): "
                        + "0.25880861850443604");
        assertThat(r.detections()).extracting(d -> d.detectedBy().orElse("-") + " " + d.delay().orElseThrow()
                + " " + d.windows().getAsInt() + " " + d.stale()).containsExactly(
                "2014-04 PT720H 1 PT720H", "2015-04 PT720H 1 PT720H");
        assertThat(r.summary()).isEqualTo("""
                backtest of policy 'seattle-monthly' v1 for model 'rain': 24 windows from 2014-02-01T00:00:00Z to \
                2016-01-01T00:00:00Z
                4 retrains: 2014-02, 2014-04, 2015-04, 2015-06
                held back: budget 6, cooldown 2
                change at 2014-04-01T00:00:00Z: detected by window 2014-04 after 30 days (window 1 after the change); \
                stale model served 30 days
                change at 2015-04-01T00:00:00Z: detected by window 2015-04 after 30 days (window 1 after the change); \
                stale model served 30 days
                """);
    }
}
