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
import dev.mlops.policy.ConditionOutcome;
import dev.mlops.policy.Decision;
import dev.mlops.policy.Guards;
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
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
 * day after its last training day as its creation time, its version number as the observation's model version),
 * compared with a real {@code mlops quickstart --json} run.
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

    /**
     * The live run's timeline: the same policy on the models production pointed at, promotions included. Version 4
     * (trained on 2014, promoted on the 2015-01 holdout) serves from 2015-02; the policy's accuracy history starts
     * again there, so version 4 retrains in 2015-04 on its own accuracy of 2015-03 and 2015-04 (its challenger,
     * version 5, fails the gate on 2015-05) and in 2015-12, when it is a year old.
     */
    private static final List<String> LIVE_TIMELINE = List.of(
            "2014-01 retrain", "2014-02 no_retrain", "2014-03 no_retrain", "2014-04 no_retrain",
            "2014-05 no_retrain", "2014-06 no_retrain", "2014-07 no_retrain", "2014-08 no_retrain",
            "2014-09 no_retrain", "2014-10 retrain", "2014-11 no_retrain", "2014-12 retrain",
            "2015-01 held cooldown", "2015-02 no_retrain", "2015-03 no_retrain", "2015-04 retrain",
            "2015-05 no_retrain", "2015-06 no_retrain", "2015-07 no_retrain", "2015-08 no_retrain",
            "2015-09 no_retrain", "2015-10 no_retrain", "2015-11 no_retrain", "2015-12 retrain");

    /**
     * The live run's observations without their model version: the accuracy history runs on across the promotion,
     * so 2015-02 averages version 1's accuracy of 2015-01 with version 4's of 2015-02 and retrains, and that extra
     * retrain makes the budget (3 in 365 days) hold 2015-04. Only those two months differ from {@link #LIVE_TIMELINE}.
     */
    private static final List<String> UNVERSIONED_TIMELINE = List.of(
            "2014-01 retrain", "2014-02 no_retrain", "2014-03 no_retrain", "2014-04 no_retrain",
            "2014-05 no_retrain", "2014-06 no_retrain", "2014-07 no_retrain", "2014-08 no_retrain",
            "2014-09 no_retrain", "2014-10 retrain", "2014-11 no_retrain", "2014-12 retrain",
            "2015-01 held cooldown", "2015-02 retrain", "2015-03 no_retrain", "2015-04 held budget",
            "2015-05 no_retrain", "2015-06 no_retrain", "2015-07 no_retrain", "2015-08 no_retrain",
            "2015-09 no_retrain", "2015-10 no_retrain", "2015-11 no_retrain", "2015-12 retrain");

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
                history.add(observation(mlops, m, initial, true));
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
        // 2014-10 failed the gate on the next month; the one of 2014-12, version 4, passed it on 2015-01 and serves
        // from 2015-02 to the end: the one of 2015-04 failed the gate on 2015-05, the one of 2015-12 awaits a holdout).
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
        // the drift reference, a new model version that starts the accuracy history again), so its observations
        // are of another model, while a backtest replays fixed observations (a simulated retrain changes only when
        // its outcome reaches the guards, retrainDelay, and whether it succeeds, retrainSucceeds, never the metrics
        // or drift of later windows; and for this policy those change nothing either, see followingPromotions).
        // Here the initial model, created 2014-01-01, is a year old from 2014-12 on, so the model-age condition
        // fires every month after and the cooldown and budget hold 9 months and let 2015-02, 2015-10 and 2015-12
        // retrain, where the promoted version 4 triggers only in 2015-04 (its own accuracy over 2015-03 and 2015-04)
        // and 2015-12 (a year old).
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
                history.add(observation(mlops, m, live.get(i).get("serving_version").asInt(), true));
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
        assertThat(result.retrainWindows()).containsExactly("2014-01", "2014-10", "2014-12", "2015-04", "2015-12");
        assertThat(result.heldBy()).containsExactlyEntriesOf(Map.of("cooldown", 1));
        assertThat(result.retrainCount()).isEqualTo(live.stream().filter(d -> d.get("retrain").asBoolean()).count());
        for (BacktestResult.Retrain r : result.retrains()) {
            if (r.index() + delay < 24) {
                assertThat(r.effectiveAt()).contains(result.timeline().get(r.index() + delay).observedAt());
                assertThat(r.succeeded()).contains(succeeds);
            } else {
                // with delay 1, 2015-12's retrain would take effect after the history's last window
                assertThat(r.windowId()).isEqualTo("2015-12");
                assertThat(r.effectiveAt()).isEmpty();
                assertThat(r.succeeded()).isEmpty();
            }
        }
    }

    /**
     * What naming the model version changes, on the live run's own observations. The policy's accuracy condition
     * averages the values kept since the last retrain decision (a retrain starts the history again) and, with the
     * version named, since the serving version took production; drift and model age keep no history. So the only
     * direct difference is the first month the promoted version serves, 2015-02, whose 2-month mean without the
     * version averages version 1's 2015-01 with version 4's 2015-02 and retrains; everything else that differs
     * follows from that retrain: the accuracy histories then restart at other months, and the budget counts it.
     */
    @Test
    @DisplayName("the same observations without the model version: the accuracy history spans the promotion, so"
            + " 2015-02 retrains on version 1's 2015-01 and the budget then holds 2015-04; nothing else differs")
    void modelVersionResetsTheAccuracyHistory() throws Exception {
        BacktestResult named;
        BacktestResult unnamed;
        try (Mlops mlops = open()) {
            List<Observation> withVersion = new ArrayList<>();
            List<Observation> withoutVersion = new ArrayList<>();
            int i = 0;
            for (YearMonth m = FIRST; !m.isAfter(LAST); m = m.plusMonths(1), i++) {
                int serving = live.get(i).get("serving_version").asInt();
                withVersion.add(observation(mlops, m, serving, true));
                withoutVersion.add(observation(mlops, m, serving, false));
                assertThat(withVersion.get(i).modelVersion()).contains(Integer.toString(serving));
                assertThat(withoutVersion.get(i).modelVersion()).isEmpty();
            }
            named = Backtest.builder(ProductionReplay.policy()).build().run(withVersion);
            unnamed = Backtest.builder(ProductionReplay.policy()).build().run(withoutVersion);
        }
        assertThat(timeline(named)).containsExactlyElementsOf(LIVE_TIMELINE);
        assertThat(timeline(unnamed)).containsExactlyElementsOf(UNVERSIONED_TIMELINE);
        assertThat(unnamed.retrainWindows())
                .containsExactly("2014-01", "2014-10", "2014-12", "2015-02", "2015-12");
        assertThat(unnamed.heldBy()).containsExactlyEntriesOf(new TreeMap<>(Map.of("budget", 1, "cooldown", 1)));

        // every month of both runs: the drift and model-age conditions are equal, and the accuracy condition
        // averages exactly the months its run's history holds (since its last retrain decision and, named, since
        // the serving version took production; at most 2)
        List<Integer> differing = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            Decision a = named.timeline().get(i);
            Decision b = unnamed.timeline().get(i);
            for (String path : List.of("conditions[0]", "conditions[2]")) {
                assertThat(condition(b, path)).as(a.windowId() + " " + path).isEqualTo(condition(a, path));
            }
            assertThat(accuracies(condition(a, "conditions[1]"))).as(a.windowId() + " named")
                    .containsExactlyElementsOf(heldAccuracies(named, i, true));
            assertThat(accuracies(condition(b, "conditions[1]"))).as(b.windowId() + " unnamed")
                    .containsExactlyElementsOf(heldAccuracies(unnamed, i, false));
            if (!b.conditions().equals(a.conditions())) {
                differing.add(i);
            }
        }
        // 2015-02 (the promotion; spans it without the version), 2015-03 (after the unnamed run's 2015-02 retrain)
        // and 2015-05 (after the named run's 2015-04 retrain)
        assertThat(differing).containsExactly(13, 14, 16);

        int promoted = 13;
        assertThat(live.get(promoted).get("window").asText()).isEqualTo("2015-02");
        assertThat(live.get(promoted).get("serving_version").asInt())
                .isNotEqualTo(live.get(promoted - 1).get("serving_version").asInt());
        Decision a = named.timeline().get(promoted);
        Decision b = unnamed.timeline().get(promoted);
        double january = live.get(promoted - 1).get("accuracy").asDouble();
        double february = live.get(promoted).get("accuracy").asDouble();
        ConditionOutcome reset = condition(a, "conditions[1]");
        assertThat(reset.fired()).isFalse();
        assertThat(reset.measured()).isEmpty();
        assertThat(accuracies(reset)).containsExactly(february);
        ConditionOutcome spanning = condition(b, "conditions[1]");
        assertThat(spanning.fired()).isTrue();
        assertThat(accuracies(spanning)).containsExactly(january, february);
        assertThat(a.triggered()).isFalse();
        assertThat(b.triggered()).isTrue();
        assertThat(b.reasons()).hasSize(1);
        assertThat(b.reasons().get(0)).startsWith("conditions[1] mean accuracy of the last 2 windows");
        assertThat(b.status()).isEqualTo(Decision.Status.RETRAIN);

        // the decisions differ at 2015-02 and at 2015-04 only: 2015-04 has the same conditions in both (version 4's
        // accuracy of 2015-03 and 2015-04) and triggers, and the budget, at 3 retrains in 365 days with the unnamed
        // run's 2015-02, holds it there
        for (int i = 0; i < 24; i++) {
            Decision x = named.timeline().get(i);
            Decision y = unnamed.timeline().get(i);
            if (i != promoted && i != promoted + 2) {
                assertThat(y.status()).as(x.windowId()).isEqualTo(x.status());
                assertThat(y.reasons()).as(x.windowId()).isEqualTo(x.reasons());
            }
        }
        Decision april = named.timeline().get(promoted + 2);
        Decision aprilUnnamed = unnamed.timeline().get(promoted + 2);
        assertThat(april.windowId()).isEqualTo("2015-04");
        assertThat(april.triggered()).isTrue();
        assertThat(aprilUnnamed.triggered()).isTrue();
        assertThat(aprilUnnamed.conditions()).isEqualTo(april.conditions());
        assertThat(aprilUnnamed.heldBy()).contains(Guards.Guard.BUDGET);
        List<String> heldReasons = aprilUnnamed.reasons();
        assertThat(heldReasons.get(heldReasons.size() - 1)).startsWith("held by budget: 3 retrains");
    }

    /**
     * The live months whose accuracies the policy's history holds at month {@code i} of a backtest: the last 2 up
     * to {@code i}, none before the month after the backtest's last retrain decision and, when {@code named}, none
     * served by another version than month {@code i}'s.
     */
    private List<Double> heldAccuracies(BacktestResult result, int i, boolean named) {
        int serving = live.get(i).get("serving_version").asInt();
        int from = i;
        while (from > 0 && i - from + 1 < 2 && !result.timeline().get(from - 1).retrain()
                && (!named || live.get(from - 1).get("serving_version").asInt() == serving)) {
            from--;
        }
        List<Double> out = new ArrayList<>();
        for (int j = from; j <= i; j++) {
            out.add(live.get(j).get("accuracy").asDouble());
        }
        return out;
    }

    /**
     * The fix in the live run itself: every stored decision's accuracy condition averages only months served by the
     * version serving the decision's month: the last 2 months, or fewer since that version took production or since
     * the last retrain decision (the policy keeps the values since the last retrain).
     */
    @Test
    @DisplayName("live: no decision's accuracy window includes a month served by an earlier version")
    void liveAccuracyWindowsStayWithinOneVersion() throws Exception {
        int fired = 0;
        try (Mlops mlops = open()) {
            for (int i = 0; i < 24; i++) {
                JsonNode d = live.get(i);
                String window = d.get("window").asText();
                int serving = d.get("serving_version").asInt();
                int since = i;
                while (since > 0 && live.get(since - 1).get("serving_version").asInt() == serving
                        && !live.get(since - 1).get("retrain").asBoolean()) {
                    since--;
                }
                Decision stored = mlops.policies().decision(ProductionReplay.POLICY, MODEL, window).orElseThrow();
                ConditionOutcome accuracy = condition(stored, "conditions[1]");
                int expected = Math.min(2, i - since + 1);
                List<Double> months = new ArrayList<>();
                for (int j = i - expected + 1; j <= i; j++) {
                    assertThat(live.get(j).get("serving_version").asInt()).as(window).isEqualTo(serving);
                    months.add(live.get(j).get("accuracy").asDouble());
                }
                assertThat(accuracies(accuracy)).as(window).containsExactlyElementsOf(months);
                assertThat(accuracy.measured().isPresent()).as(window).isEqualTo(expected == 2);
                assertThat(reasons(d).stream().anyMatch(r -> r.startsWith("conditions[1] "))).as(window)
                        .isEqualTo(accuracy.fired());
                if (accuracy.fired()) {
                    fired++;
                }
            }
        }
        // it fired in 2015-04 only, on version 4's own 2015-03 and 2015-04
        assertThat(fired).isEqualTo(1);
        assertThat(reasons(live.get(15)).get(0)).startsWith("conditions[1] ");
    }

    private static ConditionOutcome condition(Decision decision, String path) {
        return decision.conditions().stream().filter(c -> c.path().equals(path)).findFirst().orElseThrow();
    }

    /**
     * The accuracies an accuracy condition averaged (its note: {@code mean of accuracy a, b = m, ...}) or, before
     * it has 2 windows, the one it kept ({@code accuracy a; 1 of the 2 windows to average so far}).
     */
    private static List<Double> accuracies(ConditionOutcome c) {
        String note = c.note().orElseThrow();
        Matcher mean = Pattern.compile("^mean of accuracy (.+?) = ").matcher(note);
        if (mean.find()) {
            return Arrays.stream(mean.group(1).split(", ")).map(Double::parseDouble).toList();
        }
        Matcher one = Pattern.compile("^accuracy (\\S+); 1 of the 2 windows to average so far$").matcher(note);
        assertThat(one.matches()).as(note).isTrue();
        return List.of(Double.parseDouble(one.group(1)));
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

    /**
     * The observation of {@code month} with version {@code serving} in production, as the quickstart builds it (with
     * {@code named} false: without the model version, as the quickstart built it before it named the version).
     */
    private static Observation observation(Mlops mlops, YearMonth month, int serving, boolean named)
            throws Exception {
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
                .modelVersion(named ? Integer.toString(serving) : null)
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
