package dev.mlops.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlops.Mlops;
import dev.mlops.cli.quickstart.ProductionReplay;
import dev.mlops.cli.quickstart.RainClassifier;
import dev.mlops.cli.quickstart.SeattleWeather;
import dev.mlops.cli.quickstart.WeatherDay;
import dev.mlops.drift.DriftMonitor;
import dev.mlops.drift.WindowReport;
import dev.mlops.policy.Backtest;
import dev.mlops.policy.BacktestResult;
import dev.mlops.policy.Decision;
import dev.mlops.policy.Observation;
import dev.mlops.registry.ModelVersion;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The quickstart's own retraining policy ({@link ProductionReplay#policy()}) replayed by {@link Backtest} over the
 * bundled Seattle data, 2014-01 to 2015-12, month by month, on observations this test builds the way the quickstart
 * builds them (the month's days through a drift monitor against the serving model's training days of the same
 * calendar month, the serving model's accuracy and log loss on the month, its training accuracy as the baseline, the
 * day after its last training day as its creation time), compared with a real {@code mlops quickstart --json} run.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class QuickstartBacktestTest {
    private static final String MODEL = "seattle-rain-classifier";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<WeatherDay> DAYS = SeattleWeather.load();
    private static final YearMonth FIRST = YearMonth.of(2014, 1);
    private static final YearMonth LAST = YearMonth.of(2015, 12);

    Path dir;
    /** The live run's retraining.decisions, one per month. */
    List<JsonNode> live;

    @BeforeAll
    void quickstart(@TempDir Path tempDir) {
        dir = tempDir;
        CliRunner.Result result = new CliRunner(dir).run("quickstart", "--data-dir", dir.resolve("qs").toString(),
                "--json");
        assertThat(result.exitCode()).as(result.err()).isZero();
        live = new ArrayList<>();
        result.json().at("/retraining/decisions").forEach(live::add);
        assertThat(live).hasSize(24);
    }

    /** The initial model (trained on 2012-2013) serving every month: the backtest a team runs before deploying. */
    private static final List<String> FIXED_MODEL_TIMELINE = List.of(
            "2014-01 retrain", "2014-02 no_retrain", "2014-03 no_retrain", "2014-04 no_retrain",
            "2014-05 no_retrain", "2014-06 no_retrain", "2014-07 no_retrain", "2014-08 no_retrain",
            "2014-09 no_retrain", "2014-10 retrain", "2014-11 no_retrain", "2014-12 retrain",
            "2015-01 held cooldown", "2015-02 retrain", "2015-03 held cooldown", "2015-04 held budget",
            "2015-05 held budget", "2015-06 held budget", "2015-07 held budget", "2015-08 held budget",
            "2015-09 held budget", "2015-10 retrain", "2015-11 held cooldown", "2015-12 retrain");

    /** The live run's timeline: the same policy on the models production pointed at, promotions included. */
    private static final List<String> LIVE_TIMELINE = List.of(
            "2014-01 retrain", "2014-02 no_retrain", "2014-03 no_retrain", "2014-04 no_retrain",
            "2014-05 no_retrain", "2014-06 no_retrain", "2014-07 no_retrain", "2014-08 no_retrain",
            "2014-09 no_retrain", "2014-10 retrain", "2014-11 no_retrain", "2014-12 retrain",
            "2015-01 held cooldown", "2015-02 retrain", "2015-03 no_retrain", "2015-04 no_retrain",
            "2015-05 no_retrain", "2015-06 no_retrain", "2015-07 no_retrain", "2015-08 no_retrain",
            "2015-09 no_retrain", "2015-10 no_retrain", "2015-11 retrain", "2015-12 no_retrain");

    @Test
    @DisplayName("the initial model over 2014-2015: 6 retrains, budget holds 6 months and cooldown 3; equal to the"
            + " live run for the 13 months the initial model served in production")
    void fixedModel() throws Exception {
        BacktestResult result;
        int initial = live.get(0).get("serving_version").asInt();
        try (Mlops mlops = open()) {
            ModelVersion v = mlops.registry().getVersion(MODEL, initial).orElseThrow();
            assertThat(v.tags()).containsEntry(ProductionReplay.TRAINED_FROM, "2012-01-01")
                    .containsEntry(ProductionReplay.TRAINED_THROUGH, "2013-12-31");
            List<Observation> history = new ArrayList<>();
            for (YearMonth m = FIRST; !m.isAfter(LAST); m = m.plusMonths(1)) {
                history.add(observation(mlops, m, initial));
            }
            // the quickstart reports a retrain's outcome (success) as soon as it trained the challenger, in the
            // decision's own month: retrainDelay 0, every retrain succeeds (the defaults, spelled out)
            result = Backtest.builder(ProductionReplay.policy()).retrainDelay(0).retrainSucceeds(d -> true).build()
                    .run(history);
        }
        assertThat(timeline(result)).containsExactlyElementsOf(FIXED_MODEL_TIMELINE);
        assertThat(result.retrainCount()).isEqualTo(6);
        assertThat(result.retrainWindows())
                .containsExactly("2014-01", "2014-10", "2014-12", "2015-02", "2015-10", "2015-12");
        assertThat(result.heldBy()).containsExactlyEntriesOf(new TreeMap<>(Map.of("budget", 6, "cooldown", 3)));
        for (BacktestResult.Retrain r : result.retrains()) {
            assertThat(r.effectiveAt()).contains(r.decidedAt());
            assertThat(r.succeeded()).contains(true);
        }
        assertThat(result.start()).isEqualTo(Instant.parse("2014-02-01T00:00:00Z"));
        assertThat(result.end()).isEqualTo(Instant.parse("2016-01-01T00:00:00Z"));

        // The live run: production is the initial model from 2014-01 to 2015-01 (the challengers of 2014-01 and
        // 2014-10 failed the gate on the next month; the one of 2014-12 passed it on 2015-01 and serves from 2015-02;
        // the one of 2015-02 passed on 2015-03 and serves from 2015-04).
        List<Integer> serving = live.stream().map(d -> d.get("serving_version").asInt()).toList();
        int same = (int) serving.stream().takeWhile(s -> s == initial).count();
        assertThat(same).isEqualTo(13);
        assertThat(serving.subList(same, 24)).doesNotContain(initial);
        assertThat(liveTimeline()).containsExactlyElementsOf(LIVE_TIMELINE);
        // While the same model serves, the observations are the same and the backtest's decisions are the live
        // ones, reasons and numbers included.
        for (int i = 0; i < same; i++) {
            assertThat(result.timeline().get(i).reasons()).as(live.get(i).get("window").asText())
                    .containsExactlyElementsOf(reasons(live.get(i)));
        }
        // From 2015-02 on they differ, and no Backtest option can make them equal: the live run promoted a model
        // trained on 2014 (new accuracy baseline, new creation time for the model-age condition, 2014's months as
        // the drift reference), so its observations are of another model, while a backtest replays fixed
        // observations (a simulated retrain changes only when its outcome reaches the guards, retrainDelay, and
        // whether it succeeds, retrainSucceeds, never the metrics or drift of later windows; and for this policy
        // those change nothing either, see followingPromotions). Here the initial
        // model, created 2014-01-01, is a year old from 2014-12 on, so the model-age condition fires every month
        // after and the cooldown and budget hold 9 months and let 2015-10 and 2015-12 retrain, where the promoted
        // models trigger only in 2015-02 (the accuracy condition on version 4) and 2015-11.
        assertThat(FIXED_MODEL_TIMELINE.subList(0, same)).isEqualTo(LIVE_TIMELINE.subList(0, same));
        assertThat(FIXED_MODEL_TIMELINE.get(same + 1)).isNotEqualTo(LIVE_TIMELINE.get(same + 1));
    }

    /**
     * Observations of the model production pointed at each month in the live run. The quickstart reports a
     * retrain's success as soon as the challenger is trained (delay 0); the challenger takes production only after
     * its shadow month (delay 1) when it passes the gate. The quickstart policy's cooldown and budget count from the
     * decision and it has no back-off, so neither when the outcome is reported nor whether it succeeds changes its
     * timeline: every combination gives the live decisions.
     */
    @ParameterizedTest(name = "retrainDelay {0}, retrains succeed {1}")
    @CsvSource({"0, true", "1, true", "1, false"})
    @DisplayName("the models production pointed at in the live run: the backtest gives the live run's 24 decisions"
            + " exactly, 5 retrains, the cooldown holding 1")
    void followingPromotions(int delay, boolean succeeds) throws Exception {
        BacktestResult result;
        try (Mlops mlops = open()) {
            List<Observation> history = new ArrayList<>();
            int i = 0;
            for (YearMonth m = FIRST; !m.isAfter(LAST); m = m.plusMonths(1), i++) {
                assertThat(live.get(i).get("window").asText()).isEqualTo(m.toString());
                history.add(observation(mlops, m, live.get(i).get("serving_version").asInt()));
            }
            result = Backtest.builder(ProductionReplay.policy()).retrainDelay(delay).retrainSucceeds(d -> succeeds)
                    .build().run(history);
        }
        assertThat(timeline(result)).containsExactlyElementsOf(LIVE_TIMELINE);
        assertThat(liveTimeline()).containsExactlyElementsOf(LIVE_TIMELINE);
        for (int i = 0; i < 24; i++) {
            Decision d = result.timeline().get(i);
            JsonNode l = live.get(i);
            assertThat(d.windowId()).isEqualTo(l.get("window").asText());
            assertThat(d.retrain()).isEqualTo(l.get("retrain").asBoolean());
            assertThat(d.reasons()).as(d.windowId()).containsExactlyElementsOf(reasons(l));
        }
        assertThat(result.retrainCount()).isEqualTo(5);
        assertThat(result.retrainWindows()).containsExactly("2014-01", "2014-10", "2014-12", "2015-02", "2015-11");
        assertThat(result.heldBy()).containsExactlyEntriesOf(Map.of("cooldown", 1));
        assertThat(result.retrainCount()).isEqualTo(live.stream().filter(d -> d.get("retrain").asBoolean()).count());
        for (BacktestResult.Retrain r : result.retrains()) {
            assertThat(r.effectiveAt()).contains(result.timeline().get(r.index() + delay).observedAt());
            assertThat(r.succeeded()).contains(succeeds);
        }
    }

    /** "window status[ guard]" per decision of the backtest. */
    private static List<String> timeline(BacktestResult result) {
        return result.timeline().stream().map(d -> {
            assertThat(d.retrain()).isEqualTo(d.status() == Decision.Status.RETRAIN);
            return d.windowId() + " " + d.status().id() + d.heldBy().map(g -> " " + g.id()).orElse("");
        }).toList();
    }

    /** "window status[ guard]" per decision of the live run (the guard from its "held by" reason). */
    private List<String> liveTimeline() {
        return live.stream().map(d -> {
            List<String> reasons = reasons(d);
            String held = "";
            if (d.get("status").asText().equals("held")) {
                String last = reasons.get(reasons.size() - 1);
                assertThat(last).startsWith("held by ");
                held = " " + last.substring("held by ".length(), last.indexOf(':'));
            }
            return d.get("window").asText() + " " + d.get("status").asText() + held;
        }).toList();
    }

    private static List<String> reasons(JsonNode decision) {
        List<String> out = new ArrayList<>();
        decision.get("reasons").forEach(r -> out.add(r.asText()));
        return out;
    }

    /** The observation of {@code month} with version {@code serving} in production, as the quickstart builds it. */
    private static Observation observation(Mlops mlops, YearMonth month, int serving) throws Exception {
        ModelVersion version = mlops.registry().getVersion(MODEL, serving).orElseThrow();
        LocalDate from = LocalDate.parse(version.tags().get(ProductionReplay.TRAINED_FROM));
        LocalDate through = LocalDate.parse(version.tags().get(ProductionReplay.TRAINED_THROUGH));
        List<WeatherDay> reference = DAYS.stream().filter(d -> !d.date().isBefore(from)
                && !d.date().isAfter(through) && d.date().getMonth() == month.getMonth()).toList();
        List<WeatherDay> batch = DAYS.stream().filter(d -> YearMonth.from(d.date()).equals(month)).toList();
        Instant end = ProductionReplay.start(month.plusMonths(1));
        List<WindowReport> reports = new ArrayList<>();
        try (DriftMonitor monitor = ProductionReplay.monitor(ProductionReplay.profile(reference), batch.size(),
                Clock.fixed(end, ZoneOffset.UTC), reports::add)) {
            for (WeatherDay d : batch) {
                monitor.record(new double[] {d.precipitation(), d.tempMax(), d.tempMin(), d.wind()},
                        new String[] {d.weather()});
            }
            monitor.closeWindow();
        }
        assertThat(reports).hasSize(1);
        Map<String, Double> metrics = load(mlops, version).evaluate(batch);
        return Observation.builder(month.toString(), end, MODEL)
                .window(reports.get(0))
                .metric("accuracy", metrics.get("accuracy"))
                .metric("log_loss", metrics.get("log_loss"))
                .baseline("accuracy", version.metrics().get(ProductionReplay.TRAIN_ACCURACY))
                .modelCreatedAt(through.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant())
                .rows(batch.size())
                .build();
    }

    private static RainClassifier load(Mlops mlops, ModelVersion version) throws Exception {
        try (InputStream in = mlops.artifacts().open(version.digest())) {
            return RainClassifier.fromJson(JSON.readValue(in, new TypeReference<Map<String, Object>>() { }));
        }
    }

    private Mlops open() {
        return Mlops.builder().storeUri("sqlite:" + dir.resolve("mlops.db"))
                .artifactUri("file:" + dir.resolve("artifacts")).build();
    }
}
