package dev.mlops.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.InvalidArgumentException;
import dev.mlops.internal.drift.io.ColumnBatch;
import dev.mlops.internal.drift.io.ColumnMode;
import dev.mlops.internal.drift.io.TableLoader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link Tables}: the one-pass reader gives exactly what typing the file in one pass and loading it in a second (the
 * earlier design, rebuilt here from {@link TableLoader#types} and {@link TableLoader#read}) gives, on files made to
 * change a column's type late, across batches, in CSV and JSON.
 */
class TablesTest {
    @TempDir
    Path dir;

    /** The earlier two-pass path: type every column in one pass, then load the typed columns in a second. */
    private static Map<String, ColumnValues> twoPass(Path file, List<String> columns, Set<String> categorical,
            Set<String> empty) {
        List<String> all = TableLoader.names(file, "data");
        Map<String, ColumnType> types = TableLoader.types(file, "data", columns, categorical, s -> { },
                Long.MAX_VALUE, empty);
        LinkedHashMap<String, ColumnMode> select = new LinkedHashMap<>();
        types.forEach((n, t) -> select.put(n, t == ColumnType.CATEGORICAL ? ColumnMode.TEXT : ColumnMode.NUMERIC));
        int n = select.size();
        List<List<Double>> numbers = new ArrayList<>();
        List<List<String>> texts = new ArrayList<>();
        long[] missing = new long[n];
        ColumnType[] kinds = types.values().toArray(ColumnType[]::new);
        for (int i = 0; i < n; i++) {
            numbers.add(new ArrayList<>());
            texts.add(new ArrayList<>());
        }
        long rows;
        if (n == 0) {
            LinkedHashMap<String, ColumnMode> first = new LinkedHashMap<>();
            first.put(all.get(0), ColumnMode.NUMERIC);
            rows = TableLoader.read(file, "data", first, "x", s -> { }, Long.MAX_VALUE, b -> { });
        } else {
            rows = TableLoader.read(file, "data", select, "x", s -> { }, Long.MAX_VALUE, batch -> {
                for (int c = 0; c < n; c++) {
                    for (int r = 0; r < batch.size(); r++) {
                        byte s = batch.states(c)[r];
                        if (s == ColumnBatch.MISSING) {
                            missing[c]++;
                        } else if (kinds[c] == ColumnType.CATEGORICAL) {
                            texts.get(c).add(batch.texts(c)[r]);
                        } else if (kinds[c] == ColumnType.DATETIME) {
                            numbers.get(c).add(TableLoader.epochSeconds(batch.texts(c)[r]));
                        } else {
                            numbers.get(c).add(batch.values(c)[r]);
                        }
                    }
                }
            });
        }
        Map<String, ColumnValues> out = new LinkedHashMap<>();
        List<String> names = new ArrayList<>(select.keySet());
        for (String name : all) {
            int c = names.indexOf(name);
            if (c < 0) {
                out.put(name, ColumnValues.categorical(new String[0], rows));
            } else if (kinds[c] == ColumnType.CATEGORICAL) {
                out.put(name, ColumnValues.categorical(texts.get(c).toArray(String[]::new), missing[c]));
            } else {
                double[] v = numbers.get(c).stream().mapToDouble(Double::doubleValue).toArray();
                out.put(name, kinds[c] == ColumnType.DATETIME ? ColumnValues.datetime(v, missing[c])
                        : ColumnValues.numeric(v, missing[c]));
            }
        }
        return out;
    }

    private static void assertSame(Map<String, ColumnValues> actual, Map<String, ColumnValues> expected) {
        assertThat(actual.keySet()).containsExactlyElementsOf(expected.keySet());
        for (String name : expected.keySet()) {
            ColumnValues a = actual.get(name);
            ColumnValues e = expected.get(name);
            assertThat(a.type()).as(name).isEqualTo(e.type());
            assertThat(a.missing()).as(name).isEqualTo(e.missing());
            if (e.numbers() != null) {
                assertThat(Arrays.equals(a.numbers(), e.numbers())).as(name).isTrue();
            } else {
                assertThat(Arrays.equals(a.categories(), e.categories())).as(name).isTrue();
            }
        }
    }

    /** A cell of a column whose kind changes at row {@code turn} (or never, when turn is beyond the rows). */
    private static String cell(SplittableRandom rnd, int kind, int row, int turn) {
        if (rnd.nextInt(20) == 0) {
            return new String[] {"", "NA", "nan", " null ", "  "}[rnd.nextInt(5)];
        }
        boolean late = row >= turn;
        switch (kind) {
            case 0: // numbers, with a text after the turn
                return late && row == turn ? "n/a" : String.format(java.util.Locale.ROOT, "%.4f",
                        rnd.nextGaussian() * 100);
            case 1: // dates, with a number after the turn
                return late && row == turn ? "17" : "20" + (10 + rnd.nextInt(20)) + "-0" + (1 + rnd.nextInt(9))
                        + "-1" + rnd.nextInt(10);
            case 2: // date-times, with a non-date text after the turn
                return late && row == turn ? "tomorrow" : "2024-03-0" + (1 + rnd.nextInt(9)) + "T1" + rnd.nextInt(10)
                        + ":3" + rnd.nextInt(10) + ":00" + (rnd.nextBoolean() ? "Z" : "");
            case 3: // words and numbers from the start
                return rnd.nextBoolean() ? "w" + rnd.nextInt(5) : Integer.toString(rnd.nextInt(9));
            case 4: // numbers with spaces, exponents, infinities, unicode text after the turn
                return late && row == turn ? "caf\u00e9" : new String[] {" 1e3", "-2.5 ", "inf", "+.5", "7"}[
                        rnd.nextInt(5)];
            default: // always missing
                return "";
        }
    }

    private Path csv(SplittableRandom rnd, int rows, int[] kinds, int[] turns) throws IOException {
        StringBuilder s = new StringBuilder();
        for (int k = 0; k < kinds.length; k++) {
            s.append(k == 0 ? "" : ",").append("c").append(k);
        }
        s.append('\n');
        for (int r = 0; r < rows; r++) {
            for (int k = 0; k < kinds.length; k++) {
                String v = cell(rnd, kinds[k], r, turns[k]);
                s.append(k == 0 ? "" : ",").append(rnd.nextInt(10) == 0 ? "\"" + v + "\"" : v);
            }
            s.append(rnd.nextInt(4) == 0 ? "\r\n" : "\n");
        }
        Path f = dir.resolve("t" + rnd.nextInt(1_000_000) + ".csv");
        Files.writeString(f, s, StandardCharsets.UTF_8);
        return f;
    }

    private Path json(SplittableRandom rnd, int rows, int[] kinds, int[] turns) throws IOException {
        StringBuilder s = new StringBuilder("[\n");
        for (int r = 0; r < rows; r++) {
            s.append(r == 0 ? "" : ",\n").append('{');
            boolean firstKey = true;
            for (int k = 0; k < kinds.length; k++) {
                String v = cell(rnd, kinds[k], r, turns[k]);
                if (v.isBlank() && rnd.nextBoolean()) {
                    continue; // an absent key is missing too
                }
                s.append(firstKey ? "" : ",").append("\"c").append(k).append("\":");
                firstKey = false;
                boolean number = v.matches("[+-]?[0-9]+(\\.[0-9]+)?") && rnd.nextBoolean();
                s.append(number ? v : "\"" + v + "\"");
            }
            s.append('}');
        }
        s.append("\n]\n");
        Path f = dir.resolve("t" + rnd.nextInt(1_000_000) + ".json");
        Files.writeString(f, s, StandardCharsets.UTF_8);
        return f;
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4})
    void onePassGivesWhatTypingThenLoadingGives(long seed) throws IOException {
        SplittableRandom rnd = new SplittableRandom(seed);
        int rows = seed % 2 == 0 ? 9_000 + rnd.nextInt(3_000) : 300 + rnd.nextInt(300);
        int[] kinds = {0, 0, 1, 1, 2, 2, 3, 4, 4, 5, 0, 1};
        int[] turns = new int[kinds.length];
        for (int k = 0; k < kinds.length; k++) {
            // never, at the start, in the first batch, or late (past the first batches of 8,192 rows)
            turns[k] = switch (k % 4) {
                case 0 -> Integer.MAX_VALUE;
                case 1 -> 0;
                case 2 -> rnd.nextInt(rows);
                default -> rows - 1 - rnd.nextInt(Math.min(rows, 50));
            };
        }
        for (Path f : List.of(csv(rnd, rows, kinds, turns), json(rnd, rows, kinds, turns))) {
            List<String> all = Tables.names(f, "data");
            // every column as the file types it, and some columns with three of them forced categorical
            List<String> some = all.subList(0, all.size() - 3);
            for (Set<String> forced : List.of(Set.<String>of(), Set.of("c0", "c2", "c9"))) {
                List<String> columns = forced.isEmpty() ? all : some;
                Map<String, ColumnValues> expected = twoPass(f, columns, forced, new HashSet<>());
                Tables.Table t = Tables.read(new Tables.Source(f, "data", columns),
                        Tables.Options.defaults().withCategorical(forced));
                assertThat(t.names()).isEqualTo(all);
                assertThat(t.rows()).isEqualTo(rows);
                assertSame(t.columns(), expected);
            }
            // the files do exercise the fallbacks: each kind of column ends up in each type somewhere
            Map<String, ColumnValues> typed = Tables.read(Tables.Source.of(f, "data"), Tables.Options.defaults())
                    .columns();
            assertThat(typed.values()).extracting(ColumnValues::type)
                    .contains(ColumnType.NUMERIC, ColumnType.DATETIME, ColumnType.CATEGORICAL);
        }
    }

    @Test
    void noColumnAskedForStillCountsTheRows() throws IOException {
        Path f = dir.resolve("a.csv");
        Files.writeString(f, "a,b\n1,x\n2,y\n,\n");
        Tables.Table t = Tables.read(new Tables.Source(f, "data", List.of()), Tables.Options.defaults());
        assertThat(t.rows()).isEqualTo(3);
        assertThat(t.columns().get("a").count()).isZero();
        assertThat(t.columns().get("a").missing()).isEqualTo(3);
        Path j = dir.resolve("e.json");
        Files.writeString(j, "[]");
        assertThat(Tables.read(new Tables.Source(j, "data", List.of()), Tables.Options.defaults()).rows()).isZero();
    }

    @Test
    void anEmptyColumnTakesTheOtherSidesTypeInAPair() throws IOException {
        Path ref = dir.resolve("ref.csv");
        Path cur = dir.resolve("cur.csv");
        Files.writeString(ref, "a,b,c,d\n,x,2024-01-01,\nNA,y,2024-01-02,\n");
        Files.writeString(cur, "a,b,c,d\nfoo,,,\nbar,,,\n");
        Tables.Pair p = Tables.readPair(Tables.Source.of(ref, "reference"), Tables.Source.of(cur, "current"),
                Tables.Options.defaults());
        assertThat(p.reference().columns().get("a").type()).isEqualTo(ColumnType.CATEGORICAL);
        assertThat(p.reference().columns().get("a").missing()).isEqualTo(2);
        assertThat(p.current().columns().get("b").type()).isEqualTo(ColumnType.CATEGORICAL);
        assertThat(p.current().columns().get("c").type()).isEqualTo(ColumnType.DATETIME);
        assertThat(p.current().columns().get("c").missing()).isEqualTo(2);
        // empty on both sides: numeric with no values on both
        assertThat(p.reference().columns().get("d").type()).isEqualTo(ColumnType.NUMERIC);
        assertThat(p.current().columns().get("d").type()).isEqualTo(ColumnType.NUMERIC);
        // the analysis then reports no values left, not a changed type
        DriftReport r = DriftAnalyzer.builder().build().analyze(p.reference().columns(), p.current().columns());
        assertThat(r.columns().get(0).error()).hasValueSatisfying(e -> assertThat(e).contains("no values left"));
    }

    @Test
    void errorsNameTheLabelOrTheLineAndTheReferenceWinsInAPair() throws IOException {
        Path bad = dir.resolve("bad.csv");
        Files.writeString(bad, "a,b\n1,2\n3\n");
        Path good = dir.resolve("good.csv");
        Files.writeString(good, "a,b\n1,2\n");
        assertThatThrownBy(() -> Tables.read(Tables.Source.of(dir.resolve("none.csv"), "--reference"),
                Tables.Options.defaults()))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("--reference")
                .hasMessageContaining("does not exist");
        assertThatThrownBy(() -> Tables.read(new Tables.Source(good, "ref", List.of("zz")),
                Tables.Options.defaults()))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("no column 'zz'");
        assertThatThrownBy(() -> Tables.readPair(Tables.Source.of(bad, "ref"), Tables.Source.of(good, "cur"),
                Tables.Options.defaults()))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("bad.csv line 3");
        Path bad2 = dir.resolve("bad2.csv");
        Files.writeString(bad2, "a,b\n\"1,2\n");
        assertThatThrownBy(() -> Tables.readPair(Tables.Source.of(bad, "ref"), Tables.Source.of(bad2, "cur"),
                Tables.Options.defaults()))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("bad.csv line 3");
        assertThatThrownBy(() -> Tables.readPair(Tables.Source.of(good, "ref"), Tables.Source.of(bad2, "cur"),
                Tables.Options.defaults()))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("bad2.csv line 2");
    }

    @Test
    void progressLinesForBigFiles() throws IOException {
        Path f = dir.resolve("p.csv");
        StringBuilder s = new StringBuilder("x\n");
        for (int i = 0; i < 30_000; i++) {
            s.append(i).append('\n');
        }
        Files.writeString(f, s);
        List<String> lines = java.util.Collections.synchronizedList(new ArrayList<>());
        Tables.read(Tables.Source.of(f, "data"), Tables.Options.defaults().withProgress(lines::add, 1));
        assertThat(lines).hasSizeBetween(2, 11).last().isEqualTo("reading " + f + ": 100% (30,000 rows)");
        assertThat(lines.get(0)).matches("reading .*: [0-9]{1,2}% \\([0-9,]+ rows\\)");
        lines.clear();
        Tables.read(Tables.Source.of(f, "data"), Tables.Options.defaults().withProgress(lines::add,
                Files.size(f) + 1));
        assertThat(lines).isEmpty();
    }

    @Test
    void profileOfAFileEqualsProfilingItsLoadedColumns() throws IOException {
        Path f = dir.resolve("p.csv");
        Files.writeString(f, "x,w,d\n1.5,a,2024-01-01\nNA,b,2024-01-02\n3,a,\n");
        DatasetProfile p = Tables.profile(Tables.Source.of(f, "data"), Tables.Options.defaults());
        assertThat(p.rows()).isEqualTo(3);
        assertThat(p.column("x")).hasValueSatisfying(c -> {
            assertThat(c.count()).isEqualTo(2);
            assertThat(c.kind()).isEqualTo(ProfileKind.NUMERIC);
        });
        assertThat(p.column("w")).hasValueSatisfying(c -> assertThat(c.kind()).isEqualTo(ProfileKind.CATEGORICAL));
        assertThat(p.column("d")).hasValueSatisfying(c -> assertThat(c.count()).isEqualTo(2));
    }
}
