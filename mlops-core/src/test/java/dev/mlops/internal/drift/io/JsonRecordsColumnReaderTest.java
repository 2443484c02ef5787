package dev.mlops.internal.drift.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.InvalidArgumentException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class JsonRecordsColumnReaderTest {

    private record Cell(long line, byte state, double value, String text) {
    }

    private static JsonRecordsColumnReader reader(String json) {
        return new JsonRecordsColumnReader(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), "r.json");
    }

    private static LinkedHashMap<String, ColumnMode> cols(String... names) {
        LinkedHashMap<String, ColumnMode> m = new LinkedHashMap<>();
        for (String n : names) {
            m.put(n, n.startsWith("t") ? ColumnMode.TEXT : ColumnMode.NUMERIC);
        }
        return m;
    }

    private static List<List<Cell>> readAll(ColumnSource r, int batchRows) {
        ColumnBatch batch = new ColumnBatch(batchRows);
        List<List<Cell>> out = new java.util.ArrayList<>();
        while (r.read(batch)) {
            while (out.size() < batch.columnCount()) {
                out.add(new java.util.ArrayList<>());
            }
            for (int c = 0; c < batch.columnCount(); c++) {
                for (int row = 0; row < batch.size(); row++) {
                    out.get(c).add(new Cell(batch.line(row), batch.states(c)[row], batch.values(c)[row],
                            batch.texts(c)[row]));
                }
            }
        }
        return out;
    }

    @Test
    void readsRecordsAsColumnsWithMissingKeysNullsStringsAndNesting() {
        JsonRecordsColumnReader r = reader("""
                [{"x": 1.5, "t": "a", "skip": {"deep": [1, 2]}},
                 {"t": " 12 ", "x": null},
                 {"x": "2e3", "t": true, "extra": [1]},
                 {"x": NaN, "t": [1, {"a": null}]},
                 {"x": -Infinity, "t": "NA"},
                 {"x": "abc", "t": 7}
                ]
                """);
        r.select(cols("x", "t"));
        List<List<Cell>> got = readAll(r, 4);
        assertThat(got.get(0)).containsExactly(
                new Cell(1, ColumnBatch.NUMBER, 1.5, null),
                new Cell(2, ColumnBatch.MISSING, Double.NaN, null),
                new Cell(3, ColumnBatch.NUMBER, 2000, null),
                new Cell(4, ColumnBatch.MISSING, Double.NaN, null),
                new Cell(5, ColumnBatch.NUMBER, Double.NEGATIVE_INFINITY, null),
                new Cell(6, ColumnBatch.TEXT, Double.NaN, "abc"));
        assertThat(got.get(1)).containsExactly(
                new Cell(1, ColumnBatch.TEXT, Double.NaN, "a"),
                new Cell(2, ColumnBatch.NUMBER, 12, "12"),
                new Cell(3, ColumnBatch.TEXT, Double.NaN, "true"),
                new Cell(4, ColumnBatch.TEXT, Double.NaN, "[1,{\"a\":null}]"),
                new Cell(5, ColumnBatch.MISSING, Double.NaN, null),
                new Cell(6, ColumnBatch.NUMBER, 7, "7"));
        assertThat(r.rows()).isEqualTo(6);
    }

    @Test
    void aSelectedKeyNoRecordHasIsAllMissing() {
        JsonRecordsColumnReader r = reader("[{\"a\": 1}, {\"a\": 2}]");
        r.select(cols("b"));
        assertThat(readAll(r, 10).get(0)).extracting(Cell::state)
                .containsExactly(ColumnBatch.MISSING, ColumnBatch.MISSING);
    }

    @Test
    void anEmptyArrayHasNoRows() {
        JsonRecordsColumnReader r = reader(" [ ] ");
        r.select(cols("a"));
        assertThat(r.read(new ColumnBatch(3))).isFalse();
    }

    @Test
    void malformedFilesAreErrorsNamingTheLine() {
        assertThatThrownBy(() -> read("")).isInstanceOf(InvalidArgumentException.class)
                .hasMessage("r.json is empty: expected a JSON array of objects");
        assertThatThrownBy(() -> read("{\"a\": 1}"))
                .hasMessage("r.json line 1: expected a JSON array of objects, found an object at the top level");
        assertThatThrownBy(() -> read("[{\"a\": 1},\n 5]"))
                .hasMessage("r.json line 2: element 2 of the array is a number, expected an object (a JSON array of"
                        + " objects)");
        assertThatThrownBy(() -> read("[{\"a\": 1}]\n[]"))
                .hasMessage("r.json line 2: unexpected an array after the end of the array");
        assertThatThrownBy(() -> read("[{\"a\": 1, \"a\": 2}]"))
                .hasMessageStartingWith("r.json line 1: not valid JSON: Duplicate field 'a'");
        assertThatThrownBy(() -> read("[{\"a\": 1},\n{\"a\": }]"))
                .hasMessageStartingWith("r.json line 2: not valid JSON");
        assertThatThrownBy(() -> read("[{\"a\": 1}"))
                .hasMessageStartingWith("r.json line 1: not valid JSON");
    }

    private static void read(String json) {
        JsonRecordsColumnReader r = reader(json);
        r.select(cols("a"));
        readAll(r, 10);
    }

    @Test
    void opensFilesAndNamesOnesThatDoNotExist(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("d.json");
        Files.writeString(f, "[{\"y\": 2}, {\"y\": 4}]");
        try (JsonRecordsColumnReader r = JsonRecordsColumnReader.open(f)) {
            r.select(cols("y"));
            assertThat(readAll(r, 1).get(0)).extracting(Cell::value).containsExactly(2.0, 4.0);
            assertThat(r.bytesRead()).isPositive();
        }
        assertThatThrownBy(() -> JsonRecordsColumnReader.open(dir.resolve("none.json")))
                .isInstanceOf(InvalidArgumentException.class).hasMessageEndingWith("none.json does not exist");
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void theSameTableAsCsvAndAsJsonRecordsReadsTheSame(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int rows = r.nextInt(1, 300);
        StringBuilder csv = new StringBuilder("n,t\n");
        StringBuilder json = new StringBuilder("[");
        for (int i = 0; i < rows; i++) {
            double d = r.nextGaussian() * Math.pow(10, r.nextInt(-20, 20));
            String number = r.nextBoolean() ? Double.toString(d) : String.format(Locale.ROOT, "%.17g", d);
            String text = List.of("a", "NA", "", "x y", "1.5", "null").get(r.nextInt(6));
            boolean missingNumber = r.nextInt(10) == 0;
            csv.append(missingNumber ? "" : number).append(',').append(text).append('\n');
            json.append(i == 0 ? "" : ",\n").append('{');
            if (!missingNumber) {
                json.append("\"n\": ").append(r.nextBoolean() ? number : "\"" + number + "\"").append(", ");
            }
            json.append("\"t\": \"").append(text).append("\"}");
        }
        json.append(']');
        CsvColumnReader c = new CsvColumnReader(
                new ByteArrayInputStream(csv.toString().getBytes(StandardCharsets.UTF_8)), "c.csv", 64);
        c.select(cols("n", "t"));
        JsonRecordsColumnReader j = reader(json.toString());
        j.select(cols("n", "t"));
        List<List<Cell>> fromCsv = readAll(c, 7);
        List<List<Cell>> fromJson = readAll(j, 13);
        for (int col = 0; col < 2; col++) {
            assertThat(fromJson.get(col)).hasSize(rows);
            for (int i = 0; i < rows; i++) {
                Cell a = fromCsv.get(col).get(i);
                Cell b = fromJson.get(col).get(i);
                assertThat(b.state()).isEqualTo(a.state());
                assertThat(Double.doubleToRawLongBits(b.value())).isEqualTo(Double.doubleToRawLongBits(a.value()));
                assertThat(b.text()).isEqualTo(a.text());
                assertThat(b.line()).isEqualTo(i + 1);
            }
        }
    }
}
