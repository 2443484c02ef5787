package dev.mlops.internal.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlops.InvalidArgumentException;
import dev.mlops.data.Column;
import dev.mlops.data.ColumnType;
import dev.mlops.data.DatasetSchema;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Enumeration;
import java.util.List;
import org.junit.jupiter.api.Test;

class TabularInspectorTest {
    static final DatasetSchema SEATTLE = new DatasetSchema(List.of(
            new Column("date", ColumnType.DATETIME),
            new Column("precipitation", ColumnType.NUMERIC),
            new Column("temp_max", ColumnType.NUMERIC),
            new Column("temp_min", ColumnType.NUMERIC),
            new Column("wind", ColumnType.NUMERIC),
            new Column("weather", ColumnType.CATEGORICAL)));

    static InputStream seattle() {
        return TabularInspectorTest.class.getResourceAsStream("/data/seattle-weather.csv");
    }

    private static InputStream text(String s) {
        return new ByteArrayInputStream(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void seattleWeatherCsv() throws IOException {
        try (InputStream in = seattle()) {
            TabularInspector.Inspection i = TabularInspector.csv(in, "seattle-weather.csv");
            assertThat(i.rows()).isEqualTo(1461);
            assertThat(i.schema()).isEqualTo(SEATTLE);
        }
    }

    @Test
    void seattleWeatherAsJsonRecordsHasTheSameSchema() throws IOException {
        ObjectMapper mapper = new ObjectMapper();
        ArrayNode array = mapper.createArrayNode();
        try (CsvReader r = CsvReader.utf8(seattle(), "seattle-weather.csv")) {
            List<String> header = r.header();
            for (CsvReader.Record rec; (rec = r.next()) != null; ) {
                ObjectNode o = array.addObject();
                for (int c = 0; c < header.size(); c++) {
                    String v = rec.fields().get(c);
                    if (ColumnTyper.isNumber(v)) {
                        o.put(header.get(c), Double.parseDouble(v));
                    } else {
                        o.put(header.get(c), v);
                    }
                }
            }
        }
        byte[] json = mapper.writerWithDefaultPrettyPrinter().writeValueAsBytes(array);
        TabularInspector.Inspection i = TabularInspector.jsonRecords(new ByteArrayInputStream(json), "s.json");
        assertThat(i.rows()).isEqualTo(1461);
        assertThat(i.schema()).isEqualTo(SEATTLE);
    }

    @Test
    void csvColumnsKeepFileOrderAndTypes() {
        StringBuilder csv = new StringBuilder("id,when,score,label,empty\n");
        for (int i = 0; i < 30; i++) {
            csv.append("u").append(i).append(",2020-01-").append(String.format("%02d", i % 28 + 1))
                    .append("T08:00:00Z,").append(i % 7).append('.').append(i % 3).append(',')
                    .append(i % 2 == 0 ? "yes" : "no").append(",NA\n");
        }
        TabularInspector.Inspection i = TabularInspector.csv(text(csv.toString()), "x.csv");
        assertThat(i.rows()).isEqualTo(30);
        assertThat(i.schema().columns()).containsExactly(
                new Column("id", ColumnType.IDENTIFIER),
                new Column("when", ColumnType.DATETIME),
                new Column("score", ColumnType.NUMERIC),
                new Column("label", ColumnType.CATEGORICAL),
                new Column("empty", ColumnType.CATEGORICAL));
    }

    @Test
    void headerOnlyCsvHasZeroRowsAndCategoricalColumns() {
        TabularInspector.Inspection i = TabularInspector.csv(text("a,b\n"), "h.csv");
        assertThat(i.rows()).isZero();
        assertThat(i.schema().columns()).extracting(Column::type)
                .containsExactly(ColumnType.CATEGORICAL, ColumnType.CATEGORICAL);
    }

    @Test
    void duplicateCsvColumnNamesAreRefused() {
        assertThatThrownBy(() -> TabularInspector.csv(text("a,b,a\n1,2,3\n"), "d.csv"))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("d.csv line 1")
                .hasMessageContaining("'a' twice");
    }

    @Test
    void csvWithWrongFieldCountNamesTheLine() {
        assertThatThrownBy(() -> TabularInspector.csv(text("a,b\n1,2\n3,4\n5\n"), "w.csv"))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("w.csv line 4");
    }

    @Test
    void jsonRecordsWithMissingKeysNullsNestedValuesAndNaN() {
        String json = """
                [ {"a": 1, "b": "x", "c": null},
                  {"a": 2.5, "c": "2020-01-01", "d": [1, 2]},
                  {"a": NaN, "b": "y", "d": {"k": 1}, "e": true},
                  {"a": "3", "b": "NA"} ]
                """;
        TabularInspector.Inspection i = TabularInspector.jsonRecords(text(json), "r.json");
        assertThat(i.rows()).isEqualTo(4);
        assertThat(i.schema().columns()).containsExactly(
                new Column("a", ColumnType.NUMERIC),
                new Column("b", ColumnType.CATEGORICAL),
                new Column("c", ColumnType.DATETIME),
                new Column("d", ColumnType.CATEGORICAL),
                new Column("e", ColumnType.CATEGORICAL));
    }

    @Test
    void emptyJsonArrayHasNoRowsAndNoColumns() {
        TabularInspector.Inspection i = TabularInspector.jsonRecords(text(" [ ] \n"), "e.json");
        assertThat(i.rows()).isZero();
        assertThat(i.schema().columns()).isEmpty();
    }

    @Test
    void jsonThatIsNotAnArrayOfObjectsNamesWhatWasFound() {
        assertThatThrownBy(() -> TabularInspector.jsonRecords(text("{\"a\": 1}"), "o.json"))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("o.json")
                .hasMessageContaining("expected a JSON array of objects, found an object");
        assertThatThrownBy(() -> TabularInspector.jsonRecords(text("[{\"a\": 1},\n 42]"), "n.json"))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("n.json line 2")
                .hasMessageContaining("element 2 of the array is a number");
        assertThatThrownBy(() -> TabularInspector.jsonRecords(text("[[1, 2]]"), "a.json"))
                .hasMessageContaining("element 1 of the array is an array");
        assertThatThrownBy(() -> TabularInspector.jsonRecords(text("\"text\""), "s.json"))
                .hasMessageContaining("found a string");
        assertThatThrownBy(() -> TabularInspector.jsonRecords(text("  "), "blank.json"))
                .hasMessageContaining("blank.json is empty");
    }

    @Test
    void malformedJsonNamesTheLine() {
        assertThatThrownBy(() -> TabularInspector.jsonRecords(text("[\n{\"a\": 1},\n{\"a\": }\n]"), "m.json"))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("m.json line 3")
                .hasMessageContaining("not valid JSON");
        assertThatThrownBy(() -> TabularInspector.jsonRecords(text("[{\"a\": 1}"), "t.json"))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("t.json");
    }

    @Test
    void contentAfterTheArrayAndDuplicateKeysAreRefused() {
        assertThatThrownBy(() -> TabularInspector.jsonRecords(text("[{\"a\": 1}] [2]"), "x.json"))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("after the end of the array");
        assertThatThrownBy(() -> TabularInspector.jsonRecords(text("[{\"a\": 1, \"a\": 2}]"), "d.json"))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("d.json")
                .hasMessageContaining("Duplicate");
    }

    /** Half a million records (about 30 MB) generated on the fly: read as a stream, never held. */
    @Test
    void largeJsonIsStreamed() {
        int records = 500_000;
        Enumeration<InputStream> parts = new Enumeration<>() {
            int i = -1;

            @Override
            public boolean hasMoreElements() {
                return i <= records;
            }

            @Override
            public InputStream nextElement() {
                String s;
                if (i == -1) {
                    s = "[";
                } else if (i == records) {
                    s = "]";
                } else {
                    s = (i > 0 ? "," : "") + "{\"id\":" + i + ",\"v\":" + (i % 1000) / 10.0 + ",\"k\":\"c"
                            + (i % 5) + "\"}\n";
                }
                i++;
                return text(s);
            }
        };
        TabularInspector.Inspection i = TabularInspector.jsonRecords(new SequenceInputStream(parts), "big.json");
        assertThat(i.rows()).isEqualTo(records);
        assertThat(i.schema().columns()).containsExactly(
                new Column("id", ColumnType.IDENTIFIER),
                new Column("v", ColumnType.NUMERIC),
                new Column("k", ColumnType.CATEGORICAL));
    }
}
