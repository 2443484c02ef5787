package dev.mlops.internal.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.InvalidArgumentException;
import java.io.ByteArrayInputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class CsvReaderTest {

    private static CsvReader reader(String text) {
        return new CsvReader(new StringReader(text), "t.csv");
    }

    private static List<CsvReader.Record> all(CsvReader r) {
        List<CsvReader.Record> out = new ArrayList<>();
        r.records().forEachRemaining(out::add);
        return out;
    }

    @Test
    void readsHeaderAndRecordsWithTheirLines() {
        CsvReader r = reader("a,b,c\n1,2,3\n4,5,6\n");
        assertThat(r.header()).containsExactly("a", "b", "c");
        assertThat(all(r)).containsExactly(
                new CsvReader.Record(2, List.of("1", "2", "3")),
                new CsvReader.Record(3, List.of("4", "5", "6")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"\n", "\r\n", "\r"})
    void acceptsEveryLineEnding(String eol) {
        CsvReader r = reader("a,b" + eol + "1,2" + eol + "3,4" + eol);
        assertThat(r.header()).containsExactly("a", "b");
        assertThat(all(r)).containsExactly(
                new CsvReader.Record(2, List.of("1", "2")),
                new CsvReader.Record(3, List.of("3", "4")));
    }

    @Test
    void lastRecordMayEndWithoutALineBreak() {
        assertThat(all(reader("a,b\n1,2"))).containsExactly(new CsvReader.Record(2, List.of("1", "2")));
    }

    @Test
    void quotedFieldsHoldCommasEscapedQuotesAndLineBreaks() {
        CsvReader r = reader("id,text\r\n1,\"a, \"\"quoted\"\" word\"\r\n2,\"two\r\nlines\"\r\n3,\"x\ny\"\r\n4,\"\"\r\n");
        List<CsvReader.Record> records = all(r);
        assertThat(records).extracting(CsvReader.Record::fields).containsExactly(
                List.of("1", "a, \"quoted\" word"),
                List.of("2", "two\r\nlines"),
                List.of("3", "x\ny"),
                List.of("4", ""));
        // line numbers are physical lines: record 3 starts after the two-line record 2
        assertThat(records).extracting(CsvReader.Record::line).containsExactly(2L, 3L, 5L, 7L);
    }

    @Test
    void emptyFieldsAndEmptyLinesBetweenRecords() {
        CsvReader r = reader("a,b,c\n,,\n\n\r\n1,,3\n\n");
        assertThat(all(r)).containsExactly(
                new CsvReader.Record(2, List.of("", "", "")),
                new CsvReader.Record(5, List.of("1", "", "3")));
    }

    @Test
    void skipsAUtf8ByteOrderMarkAndDecodesUtf8() {
        byte[] bytes = "\uFEFFname,city\nJosé,Zürich\n".getBytes(StandardCharsets.UTF_8);
        CsvReader r = CsvReader.utf8(new ByteArrayInputStream(bytes), "u.csv");
        assertThat(r.header()).containsExactly("name", "city");
        assertThat(r.next().fields()).containsExactly("José", "Zürich");
        assertThat(r.next()).isNull();
    }

    @Test
    void aQuoteInsideAnUnquotedFieldIsKept() {
        assertThat(all(reader("h,w\n5'11\",x\n")).get(0).fields()).containsExactly("5'11\"", "x");
    }

    @Test
    void wrongFieldCountNamesFileAndPhysicalLine() {
        CsvReader r = reader("a,b,c\n1,2,3\n\"multi\nline\",2,3\n7,8\n");
        assertThatThrownBy(() -> all(r))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("t.csv line 5")
                .hasMessageContaining("2 fields, expected 3")
                .satisfies(e -> assertThat(((InvalidArgumentException) e).field()).contains("t.csv:5"));
    }

    @Test
    void tooManyFieldsIsAnErrorToo() {
        assertThatThrownBy(() -> all(reader("a\n1\n2,3\n")))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("t.csv line 3")
                .hasMessageContaining("2 fields, expected 1");
    }

    @Test
    void unterminatedQuoteNamesTheLineWhereItOpens() {
        CsvReader r = reader("a,b\n1,2\n3,\"never\nclosed\nat all\n");
        assertThatThrownBy(() -> all(r))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("t.csv line 3")
                .hasMessageContaining("never closed");
    }

    @Test
    void textAfterAClosingQuoteIsAnError() {
        assertThatThrownBy(() -> all(reader("a,b\n\"x\"y,2\n")))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("t.csv line 2")
                .hasMessageContaining("after the closing quote");
    }

    @Test
    void invalidUtf8IsAnError() {
        byte[] bytes = {'a', '\n', 'x', (byte) 0xC3, (byte) 0x28, '\n'};
        CsvReader r = CsvReader.utf8(new ByteArrayInputStream(bytes), "bad.csv");
        assertThatThrownBy(() -> all(r))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("bad.csv")
                .hasMessageContaining("not valid UTF-8");
    }

    @Test
    void emptyInputHasNoHeader() {
        assertThatThrownBy(() -> reader("").header())
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("t.csv is empty");
        assertThatThrownBy(() -> reader("\n\r\n").next())
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("header");
    }

    @Test
    void headerOnlyHasNoRecords() {
        CsvReader r = reader("a,b\n");
        assertThat(r.header()).containsExactly("a", "b");
        assertThat(r.next()).isNull();
        assertThat(r.next()).isNull();
    }

    @Test
    void iteratorReadsLazily() {
        CsvReader r = reader("a\n1\n2\n,\n");
        Iterator<CsvReader.Record> it = r.records();
        assertThat(it.next().fields()).containsExactly("1");
        assertThat(it.next().fields()).containsExactly("2");
        // the bad record is only read when asked for
        assertThatThrownBy(it::hasNext).hasMessageContaining("t.csv line 4");
    }

    static LongStream seeds() {
        return LongStream.range(1, 41);
    }

    /** Random tables written the RFC 4180 way, with random line endings, read back exactly, lines included. */
    @ParameterizedTest
    @MethodSource("seeds")
    void roundTripsRandomTables(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int columns = 1 + random.nextInt(6);
        int rows = random.nextInt(40);
        String[] eols = {"\n", "\r\n", "\r"};
        String eol = eols[random.nextInt(eols.length)];
        List<List<String>> table = new ArrayList<>();
        for (int i = 0; i <= rows; i++) {
            List<String> row = new ArrayList<>();
            for (int c = 0; c < columns; c++) {
                row.add(randomField(random));
            }
            if (columns == 1 && row.get(0).isEmpty()) {
                row.set(0, "x"); // an empty line would be skipped, so a one-column empty record is written quoted
            }
            table.add(row);
        }
        StringBuilder text = new StringBuilder();
        List<Long> lines = new ArrayList<>();
        long line = 1;
        for (List<String> row : table) {
            lines.add(line);
            for (int c = 0; c < row.size(); c++) {
                if (c > 0) {
                    text.append(',');
                }
                String f = row.get(c);
                boolean quote = f.isEmpty() ? random.nextInt(4) == 0
                        : f.matches("(?s).*[\",\r\n].*") || f.startsWith("\"") || random.nextInt(5) == 0;
                if (quote) {
                    text.append('"').append(f.replace("\"", "\"\"")).append('"');
                } else {
                    text.append(f);
                }
                line += f.replace("\r\n", "\n").chars().filter(ch -> ch == '\n' || ch == '\r').count();
            }
            text.append(eol);
            line++;
        }
        if (random.nextBoolean() && text.length() > 0) {
            text.setLength(text.length() - eol.length()); // no line break after the last record
        }
        CsvReader r = reader(text.toString());
        assertThat(r.header()).isEqualTo(table.get(0));
        List<CsvReader.Record> records = all(r);
        assertThat(records).extracting(CsvReader.Record::fields).isEqualTo(table.subList(1, table.size()));
        assertThat(records).extracting(CsvReader.Record::line).isEqualTo(lines.subList(1, lines.size()));
    }

    private static String randomField(SplittableRandom random) {
        String alphabet = "ab ,\"\r\nZ9é€-";
        int length = random.nextInt(8);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < length; i++) {
            b.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        if (random.nextInt(20) == 0) {
            b.appendCodePoint(0x1F600); // a character outside the BMP
        }
        return b.toString();
    }
}
