package dev.mlops.internal.drift.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.InvalidArgumentException;
import dev.mlops.internal.data.ColumnTyper;
import dev.mlops.internal.data.CsvReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CsvColumnReaderTest {

    private static CsvColumnReader reader(String text, int buffer) {
        return new CsvColumnReader(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)), "t.csv", buffer);
    }

    private static LinkedHashMap<String, ColumnMode> cols(Object... nameModePairs) {
        LinkedHashMap<String, ColumnMode> m = new LinkedHashMap<>();
        for (int i = 0; i < nameModePairs.length; i += 2) {
            m.put((String) nameModePairs[i], (ColumnMode) nameModePairs[i + 1]);
        }
        return m;
    }

    /** One cell as delivered: state, value bits and text, plus the row's line. */
    private record Cell(long line, byte state, double value, String text) {
    }

    /** Reads every batch; returns per selected column the cells in order. */
    private static List<List<Cell>> readAll(ColumnSource r, int batchRows) {
        ColumnBatch batch = new ColumnBatch(batchRows);
        List<List<Cell>> out = null;
        while (r.read(batch)) {
            if (out == null) {
                out = new ArrayList<>();
                for (int c = 0; c < batch.columnCount(); c++) {
                    out.add(new ArrayList<>());
                }
            }
            for (int c = 0; c < batch.columnCount(); c++) {
                for (int row = 0; row < batch.size(); row++) {
                    out.get(c).add(new Cell(batch.line(row), batch.states(c)[row], batch.values(c)[row],
                            batch.texts(c)[row]));
                }
            }
        }
        assertThat(batch.size()).isZero();
        return out == null ? List.of() : out;
    }

    @Test
    void readsNumbersMissingValuesAndTextWithTheirLines() {
        CsvColumnReader r = reader("id,x,name\n1,1.5,a\n2,NA,\" b \"\n3,  -2e3 ,nan\n4,oops,NULL\n5,,x\n", 64);
        assertThat(r.header()).containsExactly("id", "x", "name");
        r.select(cols("x", ColumnMode.NUMERIC, "name", ColumnMode.TEXT));
        List<List<Cell>> got = readAll(r, 2);
        assertThat(got.get(0)).containsExactly(
                new Cell(2, ColumnBatch.NUMBER, 1.5, null),
                new Cell(3, ColumnBatch.MISSING, Double.NaN, null),
                new Cell(4, ColumnBatch.NUMBER, -2000, null),
                new Cell(5, ColumnBatch.TEXT, Double.NaN, "oops"),
                new Cell(6, ColumnBatch.MISSING, Double.NaN, null));
        assertThat(got.get(1)).containsExactly(
                new Cell(2, ColumnBatch.TEXT, Double.NaN, "a"),
                new Cell(3, ColumnBatch.TEXT, Double.NaN, "b"),
                new Cell(4, ColumnBatch.MISSING, Double.NaN, null),
                new Cell(5, ColumnBatch.MISSING, Double.NaN, null),
                new Cell(6, ColumnBatch.TEXT, Double.NaN, "x"));
        assertThat(r.rows()).isEqualTo(5);
    }

    @Test
    void textModeKeepsTheTextOfNumbersToo() {
        CsvColumnReader r = reader("a\n 07 \nx\n", 1024);
        r.selectAll(ColumnMode.TEXT);
        assertThat(readAll(r, 10).get(0)).containsExactly(
                new Cell(2, ColumnBatch.NUMBER, 7, "07"), new Cell(3, ColumnBatch.TEXT, Double.NaN, "x"));
    }

    @Test
    void quotedFieldsHoldCommasLineBreaksAndDoubledQuotes() {
        String text = "\uFEFFa,b\r\n\"1,5\",\"say \"\"hi\"\"\r\nbye\"\r\n\"2\",\"\"\"\"\r\n\"3\",\"\"";
        CsvColumnReader r = reader(text, 16);
        assertThat(r.header()).containsExactly("a", "b");
        r.selectAll(ColumnMode.TEXT);
        List<List<Cell>> got = readAll(r, 10);
        assertThat(got.get(0)).extracting(Cell::text).containsExactly("1,5", "2", "3");
        assertThat(got.get(0)).extracting(Cell::state)
                .containsExactly(ColumnBatch.TEXT, ColumnBatch.NUMBER, ColumnBatch.NUMBER);
        assertThat(got.get(1)).extracting(Cell::text).containsExactly("say \"hi\"\r\nbye", "\"", null);
        assertThat(got.get(1)).extracting(Cell::line).containsExactly(2L, 4L, 5L);
    }

    @Test
    void lineBreaksMayBeLoneCarriageReturnsAndBlankLinesAreSkipped() {
        CsvColumnReader r = reader("a\r1\r\r\n\n2\n\r\n3", 16);
        r.selectAll(ColumnMode.NUMERIC);
        assertThat(readAll(r, 10).get(0)).containsExactly(
                new Cell(2, ColumnBatch.NUMBER, 1, null), new Cell(5, ColumnBatch.NUMBER, 2, null),
                new Cell(7, ColumnBatch.NUMBER, 3, null));
    }

    @Test
    void aRowWithTheWrongNumberOfFieldsIsAnErrorNamingTheLine() {
        CsvColumnReader r = reader("a,b\n1,2\n\"x\ny\",2\n1,2,3\n", 1024);
        r.select(cols("a", ColumnMode.NUMERIC));
        assertThatThrownBy(() -> readAll(r, 100))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage("t.csv line 5: record has 3 fields, expected 2 as in the header")
                .extracting(e -> ((InvalidArgumentException) e).field()).isEqualTo(java.util.Optional.of("t.csv:5"));
        CsvColumnReader few = reader("a,b\n1\n", 1024);
        few.selectAll(ColumnMode.NUMERIC);
        assertThatThrownBy(() -> readAll(few, 100))
                .hasMessage("t.csv line 2: record has 1 field, expected 2 as in the header");
    }

    @Test
    void malformedQuotingIsAnErrorNamingTheLine() {
        CsvColumnReader open = reader("a,b\n1,2\n3,\"never\nclosed\n", 16);
        open.selectAll(ColumnMode.NUMERIC);
        assertThatThrownBy(() -> readAll(open, 100))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage("t.csv line 3: a quoted field opens here and is never closed");
        CsvColumnReader after = reader("a\n\"1\"x\n", 16);
        after.selectAll(ColumnMode.NUMERIC);
        assertThatThrownBy(() -> readAll(after, 100))
                .hasMessageStartingWith("t.csv line 2: unexpected 'x' after the closing quote of a quoted field");
    }

    @Test
    void headerProblemsAreErrors() {
        assertThatThrownBy(() -> reader("", 16).header())
                .hasMessage("t.csv is empty: a CSV file needs a header row");
        assertThatThrownBy(() -> reader("\n\n", 16).header())
                .hasMessage("t.csv is empty: a CSV file needs a header row");
        assertThatThrownBy(() -> reader("a,b,a\n", 16).header())
                .hasMessageContaining("line 1: the header names column 'a' twice (columns 1 and 3)");
        // binary data is not a CSV file: control characters in the header row
        byte[] binary = {0x00, 0x01, 0x02, 'g', 'a', 'r', 'b', 'a', 'g', 'e'};
        assertThatThrownBy(() -> new CsvColumnReader(new ByteArrayInputStream(binary), "bin.csv", 16).header())
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage("bin.csv line 1: column 1 of the header holds the control character U+0000: not a CSV"
                        + " file with a header row (binary data?)");
        assertThat(reader("a\tb,c\n1,2\n", 16).header()).containsExactly("a\tb", "c");
        CsvColumnReader r = reader("a,b\n1,2\n", 16);
        assertThatThrownBy(() -> r.select(cols("c", ColumnMode.NUMERIC)))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage("t.csv has no column 'c'")
                .extracting(e -> ((InvalidArgumentException) e).field()).isEqualTo(java.util.Optional.of("c"));
        assertThatThrownBy(() -> r.select(new LinkedHashMap<>())).isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> r.read(new ColumnBatch(1))).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void invalidUtf8InASelectedTextCellNamesTheLineAndColumnButUnselectedColumnsAreNotDecoded() {
        byte[] bytes = {'a', ',', 'b', '\n', '1', ',', (byte) 0xC3, '\n', '2', ',', (byte) 0xFF, (byte) 0xFE, '\n'};
        CsvColumnReader onlyA = new CsvColumnReader(new ByteArrayInputStream(bytes), "u.csv", 16);
        onlyA.select(cols("a", ColumnMode.NUMERIC));
        assertThat(readAll(onlyA, 10).get(0)).extracting(Cell::value).containsExactly(1.0, 2.0);
        CsvColumnReader withB = new CsvColumnReader(new ByteArrayInputStream(bytes), "u.csv", 16);
        withB.selectAll(ColumnMode.NUMERIC);
        assertThatThrownBy(() -> readAll(withB, 10))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage("u.csv line 2: not valid UTF-8 in column 'b'");
    }

    @Test
    void nonAsciiTextAndUnicodeWhiteSpaceAreHandledAsColumnTyperDoes() {
        CsvColumnReader r = reader("c\nété\n\u2003NA\u2003\n\u20031.5\n", 16);
        r.selectAll(ColumnMode.TEXT);
        assertThat(readAll(r, 10).get(0)).containsExactly(
                new Cell(2, ColumnBatch.TEXT, Double.NaN, "été"), new Cell(3, ColumnBatch.MISSING, Double.NaN, null),
                new Cell(4, ColumnBatch.NUMBER, 1.5, "1.5"));
    }

    @Test
    void aRecordLongerThanTheBufferGrowsIt() {
        String big = "9".repeat(5000);
        CsvColumnReader r = reader("a,b\n\"" + big + "\"," + big + "\n1,2\n", 16);
        r.selectAll(ColumnMode.TEXT);
        List<List<Cell>> got = readAll(r, 1);
        assertThat(got.get(1).get(0).text()).isEqualTo(big);
        assertThat(got.get(1).get(0).value()).isEqualTo(Double.parseDouble(big));
        assertThat(got.get(0)).extracting(Cell::line).containsExactly(2L, 3L);
    }

    @Test
    void opensFilesAndNamesOnesThatDoNotExist(@TempDir Path dir) throws IOException {
        Path f = dir.resolve("d.csv");
        Files.writeString(f, "x,y\n1,2\n3,4\n");
        try (CsvColumnReader r = CsvColumnReader.open(f)) {
            r.select(cols("y", ColumnMode.NUMERIC));
            assertThat(readAll(r, 10).get(0)).extracting(Cell::value).containsExactly(2.0, 4.0);
            assertThat(r.bytesRead()).isEqualTo(Files.size(f));
        }
        assertThatThrownBy(() -> CsvColumnReader.open(dir.resolve("none.csv")))
                .isInstanceOf(InvalidArgumentException.class).hasMessageEndingWith("none.csv does not exist");
        assertThatThrownBy(() -> CsvColumnReader.open(dir))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("is a directory");
    }

    // ---- property test against the project's CsvReader and ColumnTyper rules ----

    private static String randomCell(SplittableRandom r) {
        double d = r.nextGaussian() * Math.pow(10, r.nextInt(-5, 8));
        return switch (r.nextInt(12)) {
            case 0 -> "";
            case 1 -> List.of("NA", "na", "NaN", "nan", "NULL", "null", "Null", " NA ").get(r.nextInt(8));
            case 2 -> "word" + r.nextInt(100);
            case 3 -> "a,b";
            case 4 -> "q\"uote";
            case 5 -> "line\nbreak";
            case 6 -> String.format(Locale.ROOT, "%.17g", d);
            case 7 -> " " + (long) d + " ";
            case 8 -> List.of("inf", "-Infinity", "1e400", "-1e-400", "1e", "0x1", "--1", "ü", "1.5e+3")
                    .get(r.nextInt(9));
            default -> Double.toString(d);
        };
    }

    private static String encode(String cell, SplittableRandom r) {
        boolean mustQuote = cell.contains(",") || cell.contains("\n") || cell.contains("\r") || cell.startsWith("\"");
        if (mustQuote || r.nextInt(5) == 0) {
            return "\"" + cell.replace("\"", "\"\"") + "\"";
        }
        return cell;
    }

    @ParameterizedTest
    @ValueSource(ints = {16, 17, 31, 64, 1000, 1 << 20})
    void randomFilesReadAsCsvReaderAndColumnTyperSay(int buffer) throws IOException {
        SplittableRandom r = new SplittableRandom(buffer);
        for (int file = 0; file < 20; file++) {
            int columns = r.nextInt(1, 6);
            int rows = r.nextInt(0, 120);
            String eol = List.of("\n", "\r\n", "\r").get(r.nextInt(3));
            StringBuilder text = new StringBuilder();
            for (int c = 0; c < columns; c++) {
                text.append(c == 0 ? "" : ",").append(encode("c" + c, r));
            }
            for (int row = 0; row < rows; row++) {
                text.append(eol);
                if (r.nextInt(20) == 0) {
                    text.append(eol); // a blank line
                }
                for (int c = 0; c < columns; c++) {
                    text.append(c == 0 ? "" : ",").append(encode(randomCell(r), r));
                }
            }
            if (r.nextBoolean()) {
                text.append(eol);
            }
            String csv = text.toString();
            if (columns == 1 && csv.contains(eol + eol)) {
                continue; // a one-column empty cell is a blank line, which both readers skip
            }

            // Select a random subset of columns in a random order and with random modes.
            LinkedHashMap<String, ColumnMode> selection = new LinkedHashMap<>();
            List<Integer> picked = new ArrayList<>();
            for (int c = 0; c < columns; c++) {
                if (r.nextInt(3) != 0 || (c == columns - 1 && picked.isEmpty())) {
                    picked.add(r.nextInt(picked.size() + 1), c);
                }
            }
            for (int c : picked) {
                selection.put("c" + c, r.nextBoolean() ? ColumnMode.TEXT : ColumnMode.NUMERIC);
            }

            CsvColumnReader ours = reader(csv, buffer);
            ours.select(selection);
            List<List<Cell>> got = readAll(ours, r.nextInt(1, 50));

            CsvReader theirs = CsvReader.utf8(new ByteArrayInputStream(csv.getBytes(StandardCharsets.UTF_8)), "t");
            assertThat(theirs.header()).isEqualTo(ours.header());
            List<CsvReader.Record> records = new ArrayList<>();
            theirs.records().forEachRemaining(records::add);
            assertThat(ours.rows()).isEqualTo(records.size());
            for (int k = 0; k < picked.size(); k++) {
                int c = picked.get(k);
                boolean keep = selection.get("c" + c) == ColumnMode.TEXT;
                for (int i = 0; i < records.size(); i++) {
                    String raw = records.get(i).fields().get(c);
                    Cell cell = got.get(k).get(i);
                    assertThat(cell.line()).isEqualTo(records.get(i).line());
                    String v = raw.strip();
                    if (ColumnTyper.isMissing(raw)) {
                        assertThat(cell).as(raw).isEqualTo(new Cell(cell.line(), ColumnBatch.MISSING, Double.NaN,
                                null));
                    } else if (ColumnTyper.isNumber(raw)) {
                        String lower = v.toLowerCase(Locale.ROOT).replace("+", "").replace("-", "");
                        double want = lower.equals("inf") || lower.equals("infinity")
                                ? (v.startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY)
                                : Double.parseDouble(v);
                        assertThat(cell).as(raw).isEqualTo(new Cell(cell.line(), ColumnBatch.NUMBER, want,
                                keep ? v : null));
                    } else {
                        assertThat(cell).as(raw).isEqualTo(new Cell(cell.line(), ColumnBatch.TEXT, Double.NaN, v));
                    }
                }
            }
        }
    }

    @Test
    void aSlowTrickleOfBytesReadsTheSame() {
        String csv = "a,b\n1.25,\"x\r\ny\"\r\n2,3\n";
        byte[] bytes = csv.getBytes(StandardCharsets.UTF_8);
        InputStream oneByteAtATime = new InputStream() {
            private int i;

            @Override
            public int read() {
                return i < bytes.length ? bytes[i++] & 0xFF : -1;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (i >= bytes.length) {
                    return -1;
                }
                b[off] = bytes[i++];
                return 1;
            }
        };
        CsvColumnReader r = new CsvColumnReader(oneByteAtATime, "t.csv", 1 << 16);
        r.selectAll(ColumnMode.TEXT);
        List<List<Cell>> got = readAll(r, 10);
        assertThat(got.get(0)).extracting(Cell::value).containsExactly(1.25, 2.0);
        assertThat(got.get(1)).extracting(Cell::text).containsExactly("x\r\ny", "3");
        assertThat(got.get(1)).extracting(Cell::line).containsExactly(2L, 4L);
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void theEightBytesAtATimeScanFindsTheFirstDelimiter(long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        byte[] alphabet = {',', '\n', '\r', 'a', '0', '"', (byte) 0x80, (byte) 0xFF, 0x2B, 0x2D, 0x0B, 0x0C, 0x09};
        for (int i = 0; i < 20_000; i++) {
            byte[] b = new byte[r.nextInt(0, 40)];
            for (int k = 0; k < b.length; k++) {
                b[k] = r.nextInt(4) == 0 ? alphabet[r.nextInt(alphabet.length)] : (byte) r.nextInt(256);
            }
            int from = b.length == 0 ? 0 : r.nextInt(b.length);
            int to = r.nextInt(from, b.length + 1);
            int want = from;
            while (want < to && b[want] != ',' && b[want] != '\n' && b[want] != '\r') {
                want++;
            }
            assertThat(CsvColumnReader.endOfUnquoted(b, from, to)).isEqualTo(want);
        }
    }
}
