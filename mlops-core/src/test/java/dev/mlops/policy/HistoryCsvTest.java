package dev.mlops.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.InvalidArgumentException;
import dev.mlops.drift.ColumnValues;
import java.io.StringReader;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

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
}
