package dev.mlops.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.InvalidArgumentException;
import dev.mlops.drift.ColumnValues;
import dev.mlops.testing.MutableClock;
import java.io.StringReader;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Reading a time-ordered file of predictions with labels into observations. */
class HistoryCsvTest {
    static final String CLASSES = """
            timestamp,label,prediction,x
            2024-01-30,a,a,1
            2024-01-31T12:00:00Z,a,b,2
            2024-02-01T00:00:00+01:00,b,b,3
            2024-02-05T08:00:00,b,a,
            2024-04-01,a,a,5
            """;

    @Test
    void monthlyWindowsOfAClassifier() {
        List<Observation> obs = HistoryCsv.builder("m").build().read(new StringReader(CLASSES), "c.csv");
        // 2024-02-01T00:00+01:00 is still January in UTC; March has no rows and gives no window
        assertThat(obs).extracting(Observation::windowId).containsExactly("2024-01", "2024-02", "2024-04");
        assertThat(obs).extracting(Observation::time).containsExactly(Instant.parse("2024-02-01T00:00:00Z"),
                Instant.parse("2024-03-01T00:00:00Z"), Instant.parse("2024-05-01T00:00:00Z"));
        assertThat(obs.get(0).metrics()).isEqualTo(Map.of("accuracy", 2 / 3.0, "error_rate", 1 / 3.0));
        assertThat(obs.get(0).outcomes().get("error")).containsExactly(0.0, 1.0, 0.0);
        assertThat(obs.get(0).rows()).isEqualTo(3);
        assertThat(obs.get(1).metrics()).isEqualTo(Map.of("accuracy", 0.0, "error_rate", 1.0));
        assertThat(obs.get(0).driftReports()).isEmpty();
        assertThat(obs.get(0).baselines()).isEmpty();
        assertThat(obs.get(0).model()).isEqualTo("m");
    }

    @Test
    void weeklyAndDailyWindowsInAZone() {
        HistoryCsv weekly = HistoryCsv.builder("m").window(HistoryCsv.Window.WEEK).zone(ZoneId.of("Europe/Paris"))
                .build();
        List<Observation> obs = weekly.read(new StringReader(CLASSES), "c.csv");
        // Paris: 2024-02-01T00:00+01:00 is Thursday of week 5, with 01-30 and 01-31; 2024-02-05 starts week 6
        assertThat(obs).extracting(Observation::windowId).containsExactly("2024-W05", "2024-W06", "2024-W14");
        assertThat(obs.get(0).time()).isEqualTo(Instant.parse("2024-02-04T23:00:00Z"));
        assertThat(obs.get(0).rows()).isEqualTo(3);
        List<Observation> daily = HistoryCsv.builder("m").window(HistoryCsv.Window.DAY).build()
                .read(new StringReader(CLASSES), "c.csv");
        assertThat(daily).extracting(Observation::windowId)
                .containsExactly("2024-01-30", "2024-01-31", "2024-02-05", "2024-04-01");
        assertThat(daily.get(1).rows()).isEqualTo(2);
    }

    @Test
    void rowWindowsOfARegressionWithBaselinesAndAReference() {
        String csv = """
                t,y,yhat,x
                2024-01-01T00:00:00Z,1.0,2.0,1
                2024-01-01T01:00:00Z,2.0,2.0,2
                2024-01-01T02:00:00Z,3.0,1.0,3
                2024-01-01T03:00:00Z,0.5,0.0,4
                2024-01-01T04:00:00Z,1.5,1.5,5
                """;
        double[] ref = new double[40];
        for (int i = 0; i < ref.length; i++) {
            ref[i] = i % 5 + 1;
        }
        List<Observation> obs = HistoryCsv.builder("r").columns("t", "y", "yhat").task(HistoryCsv.Task.REGRESSION)
                .rowsPerWindow(2).features("x").reference(Map.of("x", ColumnValues.numeric(ref, 0)))
                .baseline("mae", 0.25).modelCreatedAt(Instant.parse("2023-12-01T00:00:00Z"))
                .build().read(new StringReader(csv), "r.csv");
        assertThat(obs).extracting(Observation::windowId).containsExactly("rows 1-2", "rows 3-4", "rows 5-5");
        assertThat(obs.get(1).time()).isEqualTo(Instant.parse("2024-01-01T03:00:00Z"));
        assertThat(obs.get(0).metrics()).isEqualTo(Map.of("mae", 0.5, "rmse", Math.sqrt(0.5)));
        assertThat(obs.get(1).metrics()).isEqualTo(Map.of("mae", 1.25, "rmse", Math.sqrt((4 + 0.25) / 2)));
        assertThat(obs.get(1).outcomes().get("error")).containsExactly(2.0, 0.5);
        assertThat(obs.get(2).baselines()).isEqualTo(Map.of("mae", 0.25));
        assertThat(obs.get(2).modelCreatedAt()).contains(Instant.parse("2023-12-01T00:00:00Z"));
        assertThat(obs.get(0).driftReports().get(Condition.DEFAULT_REPORT).column("x")).isPresent();
        assertThat(obs.get(0).driftReports().get(Condition.DEFAULT_REPORT).referenceRows()).isEqualTo(40);
    }

    @Test
    void badFilesAreRejectedNamingTheLineOrColumn() {
        HistoryCsv h = HistoryCsv.builder("m").build();
        String unordered = "timestamp,label,prediction\n2024-01-02,a,a\n2024-01-01,a,a\n";
        assertThatThrownBy(() -> h.read(new StringReader(unordered), "u.csv"))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage("u.csv:3: timestamp 2024-01-01T00:00:00Z is before the previous row's "
                        + "2024-01-02T00:00:00Z; the file must be in time order")
                .extracting(e -> ((InvalidArgumentException) e).field()).isEqualTo(Optional.of("u.csv:3"));
        assertThatThrownBy(() -> h.read(new StringReader("timestamp,label\n2024-01-01,a\n"), "m.csv"))
                .hasMessage("m.csv has no column 'prediction'; its columns: timestamp, label");
        assertThatThrownBy(() -> h.read(new StringReader("timestamp,label,prediction\nyesterday,a,a\n"), "t.csv"))
                .hasMessage("t.csv:2: timestamp 'yesterday' is not an ISO-8601 date or time");
        assertThatThrownBy(() -> h.read(new StringReader("timestamp,label,prediction\n2024-01-01,,a\n"), "e.csv"))
                .hasMessage("e.csv:2: label is empty");
        assertThatThrownBy(() -> h.read(new StringReader("timestamp,label,prediction\n"), "n.csv"))
                .hasMessage("n.csv has no data rows");
        HistoryCsv regression = HistoryCsv.builder("m").task(HistoryCsv.Task.REGRESSION).build();
        assertThatThrownBy(() -> regression.read(new StringReader("timestamp,label,prediction\n2024-01-01,1,x\n"),
                "x.csv")).hasMessage("x.csv:2: prediction 'x' is not a finite number");
        HistoryCsv referenced = HistoryCsv.builder("m").referenceBefore(Instant.parse("2020-01-01T00:00:00Z"))
                .features("x").build();
        assertThatThrownBy(() -> referenced.read(new StringReader(CLASSES), "c.csv"))
                .hasMessage("c.csv has no rows before 2020-01-01T00:00:00Z for the reference");
        assertThatThrownBy(() -> HistoryCsv.builder("m").rowsPerWindow(0))
                .hasMessage("rowsPerWindow must be >= 1, was 0");
        assertThatThrownBy(() -> HistoryCsv.builder("m").features("x").categorical("x").build())
                .hasMessage("categorical column 'x' is also a numeric feature");
        assertThatThrownBy(() -> HistoryCsv.builder("m").referenceBefore(Instant.EPOCH)
                .reference(Map.of()).build()).isInstanceOf(InvalidArgumentException.class);
    }

    /**
     * Four monthly windows of 4 rows: version 1 serves January (4 right) and February (1 right), version 2 (promoted
     * at March's start) March and April (3 right each). A policy retrains when the mean accuracy of the last 2
     * windows is below 0.6.
     */
    static final String PROMOTION = """
            timestamp,label,prediction,model_version
            2024-01-05,a,a,1
            2024-01-10,b,b,1
            2024-01-15,a,a,1
            2024-01-20,b,b,1
            2024-02-05,a,b,1
            2024-02-10,b,a,1
            2024-02-15,a,a,1
            2024-02-20,b,a,1
            2024-03-05,a,a,2
            2024-03-10,b,b,2
            2024-03-15,a,a,2
            2024-03-20,b,a,2
            2024-04-05,a,a,2
            2024-04-10,b,a,2
            2024-04-15,a,a,2
            2024-04-20,b,b,2
            """;

    static RetrainingPolicy meanAccuracyPolicy() {
        return RetrainingPolicy.builder("mean-accuracy")
                .anyOf(new Condition.MetricThreshold("accuracy", MetricDirection.HIGHER_IS_BETTER, 0.6, 2))
                .build();
    }

    @Test
    void aModelVersionColumnNamesEachWindowsVersion() {
        List<Observation> named = HistoryCsv.builder("m").modelVersionColumn("model_version").build()
                .read(new StringReader(PROMOTION), "p.csv");
        assertThat(named).extracting(Observation::windowId).containsExactly("2024-01", "2024-02", "2024-03", "2024-04");
        assertThat(named).extracting(o -> o.modelVersion().orElseThrow()).containsExactly("1", "1", "2", "2");
        assertThat(named).extracting(o -> o.metrics().get("accuracy")).containsExactly(1.0, 0.25, 0.75, 0.75);
        assertThat(HistoryCsv.builder("m").modelVersionColumn("model_version").build().settings().modelVersion())
                .contains("model_version");
        // without the setting the column is an ordinary one: no version, everything else equal
        List<Observation> unnamed = HistoryCsv.builder("m").build().read(new StringReader(PROMOTION), "p.csv");
        assertThat(HistoryCsv.builder("m").build().settings().modelVersion()).isEmpty();
        for (int i = 0; i < named.size(); i++) {
            assertThat(unnamed.get(i).modelVersion()).isEmpty();
            assertThat(unnamed.get(i)).isEqualTo(new Observation(named.get(i).windowId(), named.get(i).time(),
                    named.get(i).model(), named.get(i).driftReports(), named.get(i).windowReports(),
                    named.get(i).metrics(), named.get(i).baselines(), named.get(i).rows(),
                    named.get(i).rowsSinceTraining(), named.get(i).datasetVersions(), named.get(i).modelCreatedAt(),
                    named.get(i).outcomes()));
        }
        // the column may be named anything, and row windows name their rows' version too
        String renamed = PROMOTION.replace("model_version", "served_by");
        assertThat(HistoryCsv.builder("m").modelVersionColumn("served_by").rowsPerWindow(4).build()
                .read(new StringReader(renamed), "p.csv")).extracting(o -> o.modelVersion().orElseThrow())
                .containsExactly("1", "1", "2", "2");
    }

    @Test
    void aVersionChangeInTheFileStartsTheHistoryAgainAsLive() {
        RetrainingPolicy policy = meanAccuracyPolicy();
        List<Observation> named = HistoryCsv.builder("m").modelVersionColumn("model_version").build()
                .read(new StringReader(PROMOTION), "p.csv");
        BacktestResult backtest = Backtest.builder(policy).build().run(named);
        // March is version 2's first window: its history starts again with March alone, so nothing fires; April
        // averages version 2's March and April, 0.75
        assertThat(backtest.timeline()).extracting(Decision::status).containsOnly(Decision.Status.NO_RETRAIN);
        assertThat(backtest.timeline().get(2).conditions().get(1).note())
                .contains("accuracy 0.75; 1 of the 2 windows to average so far");
        assertThat(backtest.timeline().get(3).conditions().get(1).note())
                .contains("mean of accuracy 0.75, 0.75 = 0.75");

        // the live engine, fed the same windows built by hand with their versions, decides the same
        MutableClock clock = new MutableClock(Instant.parse("2024-01-01T00:00:00Z"));
        RetrainingPolicies live = RetrainingPolicies.inMemory(clock, DetectorFactory.standard());
        List<Decision> decisions = new ArrayList<>();
        double[] accuracy = {1.0, 0.25, 0.75, 0.75};
        String[] version = {"1", "1", "2", "2"};
        for (int i = 0; i < 4; i++) {
            Observation o = named.get(i);
            clock.advance(Duration.between(clock.instant(), o.time()));
            decisions.add(live.evaluate(policy, Observation.builder(o.windowId(), o.time(), "m")
                    .metric("accuracy", accuracy[i]).metric("error_rate", 1 - accuracy[i]).rows(4)
                    .outcomes("error", o.outcomes().get("error")).modelVersion(version[i]).build()));
        }
        assertThat(decisions).extracting(Decision::conditions)
                .containsExactlyElementsOf(backtest.timeline().stream().map(Decision::conditions).toList());
        assertThat(decisions).extracting(Decision::status)
                .containsExactlyElementsOf(backtest.timeline().stream().map(Decision::status).toList());

        // without the column the history spans the promotion: March averages version 1's February (0.25) with
        // version 2's March (0.75) and retrains
        List<Observation> unnamed = HistoryCsv.builder("m").build().read(new StringReader(PROMOTION), "p.csv");
        BacktestResult spanning = Backtest.builder(policy).build().run(unnamed);
        assertThat(spanning.retrainWindows()).containsExactly("2024-03");
        assertThat(spanning.timeline().get(2).conditions().get(1).note())
                .contains("mean of accuracy 0.25, 0.75 = 0.5");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "EMPTY | p.csv:3: model_version must not be empty",
        "BLANK | p.csv:3: model_version must not be blank",
        "TAB   | p.csv:3: model_version must not contain control characters (found U+0009 at index 1)",
        "LONG  | p.csv:3: model_version must be at most 250 characters, was 251"})
    void badModelVersionsAreRejectedNamingTheLineAndColumn(String value, String message) {
        String cell = switch (value) {
            case "EMPTY" -> "";
            case "BLANK" -> "  ";
            case "TAB" -> "\"1\t2\"";
            default -> "v".repeat(251);
        };
        String csv = "timestamp,label,prediction,model_version\n2024-01-01,a,a,1\n2024-01-02,a,a," + cell + "\n";
        assertThatThrownBy(() -> HistoryCsv.builder("m").modelVersionColumn("model_version").build()
                .read(new StringReader(csv), "p.csv"))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage(message)
                .extracting(e -> ((InvalidArgumentException) e).field()).isEqualTo(Optional.of("p.csv:3"));
        // the same value in a window's first row: the same error, on line 2
        String first = "timestamp,label,prediction,model_version\n2024-01-01,a,a," + cell + "\n";
        assertThatThrownBy(() -> HistoryCsv.builder("m").modelVersionColumn("model_version").build()
                .read(new StringReader(first), "p.csv"))
                .hasMessage(message.replace("p.csv:3", "p.csv:2"));
    }

    @Test
    void aWindowServedByTwoVersionsOrAMissingColumnIsRejected() {
        String mixed = "timestamp,label,prediction,model_version\n2024-01-01,a,a,1\n2024-01-02,a,a,1\n"
                + "2024-01-20,a,a,2\n2024-02-01,a,a,2\n";
        HistoryCsv h = HistoryCsv.builder("m").modelVersionColumn("model_version").build();
        assertThatThrownBy(() -> h.read(new StringReader(mixed), "p.csv"))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage("p.csv:4: model_version '2' differs from '1' (p.csv:2) in the same window 2024-01; a"
                        + " window must be served by one model version, so windows should end where the version"
                        + " changes")
                .extracting(e -> ((InvalidArgumentException) e).field()).isEqualTo(Optional.of("p.csv:4"));
        // daily windows end where it changes
        assertThat(HistoryCsv.builder("m").modelVersionColumn("model_version").window(HistoryCsv.Window.DAY).build()
                .read(new StringReader(mixed), "p.csv")).extracting(o -> o.modelVersion().orElseThrow())
                .containsExactly("1", "1", "2", "2");
        assertThatThrownBy(() -> h.read(new StringReader(CLASSES), "c.csv"))
                .hasMessage("c.csv has no column 'model_version'; its columns: timestamp, label, prediction, x");
        assertThatThrownBy(() -> HistoryCsv.builder("m").modelVersionColumn(" "))
                .isInstanceOf(InvalidArgumentException.class).hasMessage("modelVersionColumn must not be blank");
    }
}
