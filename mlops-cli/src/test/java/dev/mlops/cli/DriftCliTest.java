package dev.mlops.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.mlops.drift.ColumnProfile;
import dev.mlops.drift.DatasetProfile;
import dev.mlops.drift.ProfileKind;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("mlops drift and mlops profile")
class DriftCliTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @TempDir
    static Path dir;
    static String header;
    static List<String> rows;
    static Path winter;
    static Path summer;
    static Path train;
    static Path holdout;

    @BeforeAll
    static void splits() throws IOException {
        try (InputStream in = DriftCliTest.class.getResourceAsStream("/dev/mlops/cli/data/seattle-weather.csv")) {
            List<String> lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
            header = lines.get(0);
            rows = lines.subList(1, lines.size());
        }
        assertThat(header).isEqualTo("date,precipitation,temp_max,temp_min,wind,weather");
        winter = write("winter.csv", r -> Set.of("12", "01", "02").contains(r.substring(5, 7)));
        summer = write("summer.csv", r -> Set.of("06", "07", "08").contains(r.substring(5, 7)));
        train = write("train.csv", r -> r.startsWith("2012") || r.startsWith("2013"));
        holdout = write("holdout.csv", r -> r.startsWith("2014") || r.startsWith("2015"));
    }

    static Path write(String name, Predicate<String> keep) throws IOException {
        List<String> lines = new ArrayList<>();
        lines.add(header);
        rows.stream().filter(keep).forEach(lines::add);
        return Files.write(dir.resolve(name), lines, StandardCharsets.UTF_8);
    }

    static long dataRows(Path csv) throws IOException {
        return Files.readAllLines(csv).size() - 1;
    }

    static JsonNode column(JsonNode report, String name) {
        for (JsonNode c : report.get("columns")) {
            if (c.get("name").asText().equals(name)) {
                return c;
            }
        }
        throw new AssertionError("no column " + name + " in " + report);
    }

    static CliRunner.Result drift(String... args) {
        List<String> all = new ArrayList<>(List.of("drift"));
        all.addAll(List.of(args));
        return CliRunner.raw(all.toArray(String[]::new));
    }

    @Test
    @DisplayName("--reference-profile: statistics from the sketches with error_bound; winter against summer drifts,"
            + " a split against itself does not")
    void referenceProfile() throws IOException {
        Path p = dir.resolve("winter-profile.json");
        CliRunner.Result made = CliRunner.raw("profile", winter.toString(), "--out", p.toString());
        assertThat(made.exitCode()).as(made.err()).isZero();
        CliRunner.Result r = drift("--reference-profile", p.toString(), "--current", summer.toString(), "--format",
                "json", "--fail-on-drift");
        assertThat(r.exitCode()).as(r.err()).isEqualTo(1);
        JsonNode report = r.json();
        assertThat(report.get("reference_rows").asLong()).isEqualTo(361);
        assertThat(report.get("current_rows").asLong()).isEqualTo(368);
        assertThat(report.get("dataset_drift").asBoolean()).isTrue();
        JsonNode temp = column(report, "temp_max");
        assertThat(temp.get("kind").asText()).isEqualTo("numeric");
        assertThat(temp.get("drift").asBoolean()).isTrue();
        JsonNode ks = temp.get("results").get(0);
        assertThat(ks.get("method").asText()).isEqualTo("ks");
        assertThat(ks.get("error_bound").asDouble()).isGreaterThan(0);
        assertThat(ks.get("statistic").asDouble() - ks.get("error_bound").asDouble()).isGreaterThan(0.8);
        // the p-value of statistic - error_bound: conservative, and tiny for winter against summer
        assertThat(ks.get("p_value").asDouble()).isLessThan(1e-50);
        for (JsonNode c : report.get("columns")) {
            for (JsonNode m : c.get("results")) {
                assertThat(m.has("error_bound")).as(c.get("name") + " " + m.get("method")).isTrue();
            }
        }
        assertThat(column(report, "weather").get("results").get(0).get("method").asText()).isEqualTo("l_infinity");
        // as in the raw-data report, the datetime column is reported but left out of the decision
        JsonNode date = column(report, "date");
        assertThat(date.get("in_decision").asBoolean()).isFalse();
        assertThat(date.get("drift").asBoolean()).isFalse();
        assertThat(date.get("note").asText()).startsWith("datetime column");
        assertThat(report.get("decided_columns").asInt()).isEqualTo(5);
        CliRunner.Result named = drift("--reference-profile", p.toString(), "--current", summer.toString(),
                "--format", "json", "--columns", "date,temp_max");
        assertThat(column(named.json(), "date").get("in_decision").asBoolean()).as("named in --columns").isTrue();
        assertThat(named.json().get("decided_columns").asInt()).isEqualTo(2);

        Path tp = dir.resolve("train-profile.json");
        assertThat(CliRunner.raw("profile", train.toString(), "--out", tp.toString()).exitCode()).isZero();
        CliRunner.Result same = drift("--reference-profile", tp.toString(), "--current", train.toString(),
                "--fail-on-drift");
        assertThat(same.exitCode()).as(same.err() + same.out()).isZero();
        assertThat(same.out()).contains("temp_max (numeric): no drift (by ks)", "+-", "Dataset drift: no");
    }

    @Test
    @DisplayName("winter against summer drifts: exit 1 with --fail-on-drift, JSON fields as the contract")
    void winterAgainstSummer() throws IOException {
        CliRunner.Result r = drift("--reference", winter.toString(), "--current", summer.toString(), "--format",
                "json", "--fail-on-drift");
        assertThat(r.exitCode()).as(r.err()).isEqualTo(1);
        JsonNode report = r.json();
        assertThat(report.get("reference_rows").asLong()).isEqualTo(dataRows(winter)).isEqualTo(361);
        assertThat(report.get("current_rows").asLong()).isEqualTo(dataRows(summer)).isEqualTo(368);
        assertThat(report.get("dataset_drift").asBoolean()).isTrue();
        assertThat(report.get("drifted_columns").asInt()).isGreaterThanOrEqualTo(3);
        assertThat(report.get("drift_share").asDouble()).isEqualTo(
                report.get("drifted_columns").asDouble() / report.get("decided_columns").asInt());
        JsonNode temp = column(report, "temp_max");
        assertThat(temp.get("type").asText()).isEqualTo("numeric");
        assertThat(temp.get("reference_missing").asLong()).isZero();
        assertThat(temp.get("current_missing").asLong()).isZero();
        assertThat(temp.get("drift").asBoolean()).isTrue();
        JsonNode ks = temp.get("results").get(0);
        assertThat(ks.get("method").asText()).isEqualTo("ks");
        assertThat(ks.get("statistic").asDouble()).isGreaterThan(0.9);
        assertThat(ks.get("p_value").asDouble()).isLessThan(1e-100);
        assertThat(ks.get("threshold").asDouble()).isEqualTo(0.05);
        assertThat(ks.get("drift").asBoolean()).isTrue();
        assertThat(column(report, "weather").get("type").asText()).isEqualTo("categorical");
        JsonNode date = column(report, "date");
        assertThat(date.get("type").asText()).isEqualTo("datetime");
        assertThat(date.get("in_decision").asBoolean()).isFalse();
        assertThat(date.get("decision").isNull()).isTrue();

        CliRunner.Result noFail = drift("--reference", winter.toString(), "--current", summer.toString());
        assertThat(noFail.exitCode()).as(noFail.err()).isZero();
        assertThat(noFail.out()).contains("temp_max (numeric, missing 0 / 0): DRIFT", "Dataset drift: YES",
                "out_of_range temp_max: 0 current values below the reference minimum");
    }

    @Test
    @DisplayName("a split against itself does not drift, and exit is 0 with --fail-on-drift")
    void sameSplit() {
        for (Path p : List.of(train, holdout)) {
            CliRunner.Result r = drift("--reference", p.toString(), "--current", p.toString(), "--fail-on-drift",
                    "--json");
            assertThat(r.exitCode()).as(r.err()).isZero();
            JsonNode report = r.json();
            assertThat(report.get("dataset_drift").asBoolean()).isFalse();
            assertThat(report.get("drifted_columns").asInt()).isZero();
            assertThat(report.get("decided_columns").asInt()).isEqualTo(5);
            assertThat(report.get("drift_share").asDouble()).isZero();
            assertThat(column(report, "temp_max").get("results").get(0).get("statistic").asDouble()).isZero();
        }
    }

    @Test
    @DisplayName("JSON records are read like CSV: the same data as JSON gives the same report")
    void jsonRecords() throws IOException {
        List<String> lines = Files.readAllLines(winter);
        ArrayNode array = MAPPER.createArrayNode();
        String[] names = lines.get(0).split(",");
        for (String line : lines.subList(1, lines.size())) {
            String[] cells = line.split(",", -1);
            ObjectNode o = array.addObject();
            for (int i = 0; i < names.length; i++) {
                if (i == 0 || i == names.length - 1) {
                    o.put(names[i], cells[i]);
                } else {
                    o.put(names[i], Double.parseDouble(cells[i]));
                }
            }
        }
        Path json = dir.resolve("winter.json");
        Files.writeString(json, MAPPER.writeValueAsString(array));
        CliRunner.Result fromJson = drift("--reference", json.toString(), "--current", summer.toString(), "--json");
        CliRunner.Result fromCsv = drift("--reference", winter.toString(), "--current", summer.toString(), "--json");
        assertThat(fromJson.exitCode()).as(fromJson.err()).isZero();
        assertThat(fromJson.json()).isEqualTo(fromCsv.json());
    }

    @Test
    @DisplayName("--methods all, --columns, --categorical and --alpha reach the report")
    void options() {
        CliRunner.Result r = drift("--reference", winter.toString(), "--current", summer.toString(), "--json",
                "--methods", "all", "--columns", "wind,weather,date", "--categorical", "wind", "--alpha", "0.01");
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode report = r.json();
        assertThat(report.get("alpha").asDouble()).isEqualTo(0.01);
        List<String> names = new ArrayList<>();
        report.get("columns").forEach(c -> names.add(c.get("name").asText()));
        assertThat(names).containsExactly("wind", "weather", "date");
        JsonNode wind = column(report, "wind");
        assertThat(wind.get("type").asText()).isEqualTo("categorical");
        List<String> methods = new ArrayList<>();
        wind.get("results").forEach(m -> methods.add(m.get("method").asText()));
        assertThat(methods).contains("chi2", "g_test", "psi", "l_infinity", "tvd").doesNotContain("ks");
        assertThat(wind.get("results").get(0).get("threshold").asDouble()).isEqualTo(0.01);
        JsonNode date = column(report, "date");
        assertThat(date.get("in_decision").asBoolean()).isTrue();
        assertThat(date.get("drift").asBoolean()).isTrue();
        List<String> skipped = new ArrayList<>();
        report.get("skipped").forEach(s -> skipped.add(s.get("name").asText()));
        assertThat(skipped).containsExactly("precipitation", "temp_max", "temp_min");
    }

    @Test
    @DisplayName("--out writes the report atomically; stdout says where and the verdict; no store is opened")
    void outFile() throws IOException {
        Path out = dir.resolve("report.json");
        Path store = dir.resolve("no-store").resolve("mlops.db");
        CliRunner.Result r = drift("--reference", winter.toString(), "--current", summer.toString(), "--format",
                "json", "--out", out.toString(), "--store", "sqlite:" + store, "--fail-on-drift");
        assertThat(r.exitCode()).as(r.err()).isEqualTo(1);
        assertThat(r.out()).contains("Wrote the json drift report to " + out, "Dataset drift: YES");
        CliRunner.Result stdout = drift("--reference", winter.toString(), "--current", summer.toString(), "--format",
                "json");
        assertThat(Files.readString(out)).isEqualTo(stdout.out());
        assertThat(Files.exists(store.getParent())).isFalse();
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
        }
        Path text = dir.resolve("report.txt");
        CliRunner.Result t = drift("--reference", train.toString(), "--current", train.toString(), "--out",
                text.toString(), "--json", "--format", "text");
        assertThat(t.exitCode()).as(t.err()).isZero();
        assertThat(t.json().get("dataset_drift").asBoolean()).isFalse();
        assertThat(t.json().get("format").asText()).isEqualTo("text");
        assertThat(Files.readString(text)).contains("Dataset drift: no");
        CliRunner.Result noDir = drift("--reference", train.toString(), "--current", train.toString(), "--out",
                dir.resolve("nope").resolve("r.txt").toString());
        assertThat(noDir.exitCode()).isEqualTo(2);
        assertThat(noDir.err()).contains("--out", "does not exist");
    }

    @Test
    @DisplayName("bad input is exit 2 with a message naming the argument, file or line")
    void badInput() throws IOException {
        Path missing = dir.resolve("missing.csv");
        CliRunner.Result r = drift("--reference", missing.toString(), "--current", summer.toString(), "--json");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("--reference", missing.toString(), "does not exist");
        assertThat(r.json().get("error_code").asText()).isEqualTo("INVALID_ARGUMENT");

        Path noCsv = Files.write(dir.resolve("binary.csv"), new byte[] {0x00, 0x01, 0x02, 'x', '\n', 0x7F});
        r = drift("--reference", noCsv.toString(), "--current", summer.toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains(noCsv.toString(), "line 1", "not a CSV file");

        Path ragged = dir.resolve("ragged.csv");
        Files.writeString(ragged, header + "\n" + rows.get(0) + "\n" + rows.get(1) + "\n2012-01-03,0.8,11.7\n"
                + rows.get(3) + "\n");
        r = drift("--reference", winter.toString(), "--current", ragged.toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains(ragged + " line 4: record has 3 fields, expected 6");

        Path binary = dir.resolve("data.bin");
        Files.write(binary, new byte[] {'a', ',', 'b', '\n', (byte) 0xff, (byte) 0xfe, ',', 1, '\n'});
        r = drift("--reference", winter.toString(), "--current", binary.toString(), "--columns", "a");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains(binary.toString(), "line 2");

        Path object = dir.resolve("object.json");
        Files.writeString(object, "{\"temp_max\": 1}");
        r = drift("--reference", winter.toString(), "--current", object.toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains(object.toString());

        r = drift("--reference", winter.toString(), "--current", summer.toString(), "--columns", "temp_max,nope");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("--columns", "'nope'", "neither");

        r = drift("--reference", winter.toString(), "--current", summer.toString(), "--format", "xml");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("--format must be text, json or html", "'xml'");
        assertThat(r.out()).isEmpty();

        r = drift("--reference", winter.toString(), "--current", summer.toString(), "--format", "html", "--json");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.out()).contains("INVALID_ARGUMENT", "--json prints JSON on stdout", "html report");

        r = drift("--reference-profile", dir.resolve("nope.json").toString(), "--current", summer.toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("--reference-profile", "nope.json", "does not exist");

        r = drift("--reference-profile", winter.toString(), "--current", summer.toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("--reference-profile", winter.toString());

        r = drift("--reference", winter.toString(), "--reference-profile", winter.toString(), "--current",
                summer.toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("--reference-profile replaces --reference");

        r = drift("--reference", winter.toString(), "--current", summer.toString(), "--methods", "ks,bogus");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("--methods", "bogus");

        r = drift("--reference", winter.toString(), "--current", summer.toString(), "--alpha", "1.5");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("--alpha");

        r = drift("--current", summer.toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("--reference");
    }

    @Test
    @DisplayName("big files get progress lines on stderr, and stdout stays one JSON document")
    void progress() {
        long before = TableFiles.progressBytes;
        TableFiles.progressBytes = 1;
        try {
            CliRunner.Result r = drift("--reference", train.toString(), "--current", holdout.toString(), "--json");
            assertThat(r.exitCode()).as(r.err()).isZero();
            assertThat(r.json().get("reference_rows").asLong()).isEqualTo(731);
            assertThat(r.err()).contains("reading " + train + ": 100% (731 rows)",
                    "reading " + holdout + ": 100% (730 rows)");
        } finally {
            TableFiles.progressBytes = before;
        }
        CliRunner.Result quiet = drift("--reference", train.toString(), "--current", holdout.toString(), "--json");
        assertThat(quiet.err()).isEmpty();
    }

    @Test
    @DisplayName("a column only in one file gets an error entry when named; missing values are counted")
    void oneSidedColumnAndMissing() throws IOException {
        Path extra = dir.resolve("extra.csv");
        List<String> lines = new ArrayList<>();
        lines.add(header + ",station");
        List<String> body = Files.readAllLines(summer).subList(1, 101);
        for (int i = 0; i < body.size(); i++) {
            String line = body.get(i);
            if (i % 10 == 0) {
                line = line.replaceFirst(",[^,]*,", ",NA,");
            }
            lines.add(line + ",s" + (i % 3));
        }
        Files.write(extra, lines);
        CliRunner.Result r = drift("--reference", winter.toString(), "--current", extra.toString(), "--json",
                "--columns", "precipitation,station");
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode report = r.json();
        assertThat(report.get("current_rows").asLong()).isEqualTo(100);
        assertThat(column(report, "precipitation").get("current_missing").asLong()).isEqualTo(10);
        JsonNode station = column(report, "station");
        assertThat(station.get("error").asText()).isNotBlank();
        assertThat(station.get("reference_missing").isNull()).isTrue();
    }

    @Test
    @DisplayName("a reference without rows: every column is an error entry saying no values are left, exit 0")
    void emptyReference() throws IOException {
        Path empty = Files.writeString(dir.resolve("empty.csv"), header + "\n");
        CliRunner.Result r = drift("--reference", empty.toString(), "--current", summer.toString(), "--json",
                "--fail-on-drift");
        assertThat(r.exitCode()).as(r.err()).isZero();
        JsonNode report = r.json();
        assertThat(report.get("reference_rows").asLong()).isZero();
        assertThat(report.get("decided_columns").asInt()).isZero();
        assertThat(report.get("drift_share").isNull()).isTrue();
        assertThat(column(report, "weather").get("type").asText()).isEqualTo("categorical");
        for (JsonNode c : report.get("columns")) {
            assertThat(c.get("error").asText()).as(c.get("name").asText())
                    .startsWith("no values left in the reference");
        }
    }

    @Test
    @DisplayName("profile + merge: the merged profiles of two halves equal the profile of the whole")
    void profileMerge() throws IOException {
        List<String> trainRows = Files.readAllLines(train).subList(1, (int) dataRows(train) + 1);
        int half = trainRows.size() / 2;
        Path first = Files.write(dir.resolve("first.csv"), concat(header, trainRows.subList(0, half)));
        Path second = Files.write(dir.resolve("second.csv"), concat(header, trainRows.subList(half,
                trainRows.size())));
        Path pa = dir.resolve("a.json");
        Path pb = dir.resolve("b.json");
        Path pc = dir.resolve("c.json");
        Path whole = dir.resolve("whole.json");
        for (Path[] job : new Path[][] {{first, pa}, {second, pb}, {train, whole}}) {
            CliRunner.Result r = CliRunner.raw("profile", job[0].toString(), "--out", job[1].toString());
            assertThat(r.exitCode()).as(r.err()).isZero();
            assertThat(r.out()).contains("Wrote the profile of " + job[0]);
        }
        CliRunner.Result m = CliRunner.raw("profile", "merge", pa.toString(), pb.toString(), "--out", pc.toString(),
                "--json");
        assertThat(m.exitCode()).as(m.err()).isZero();
        assertThat(m.json().get("rows").asLong()).isEqualTo(731);

        DatasetProfile merged = DatasetProfile.fromJson(Files.readAllBytes(pc));
        DatasetProfile all = DatasetProfile.fromJson(Files.readAllBytes(whole));
        assertThat(merged.rows()).isEqualTo(all.rows()).isEqualTo(731);
        assertThat(merged.columnNames()).isEqualTo(all.columnNames())
                .containsExactly("date", "precipitation", "temp_max", "temp_min", "wind", "weather");
        for (ColumnProfile w : all.columns()) {
            ColumnProfile c = merged.column(w.name()).orElseThrow();
            assertThat(c.kind()).isEqualTo(w.kind());
            assertThat(c.rows()).isEqualTo(w.rows());
            assertThat(c.missing()).isEqualTo(w.missing());
            assertThat(c.count()).isEqualTo(w.count());
            if (w.kind() == ProfileKind.NUMERIC) {
                assertThat(c.min()).isEqualTo(w.min());
                assertThat(c.max()).isEqualTo(w.max());
                double mean = w.mean().orElseThrow();
                double var = w.variance().orElseThrow();
                assertThat(c.mean().orElseThrow()).isCloseTo(mean, within(1e-12 * Math.max(1, Math.abs(mean))));
                assertThat(c.variance().orElseThrow()).isCloseTo(var, within(1e-12 * Math.max(1, var)));
            } else {
                assertThat(c.categories().orElseThrow().items()).isEqualTo(w.categories().orElseThrow().items());
            }
        }
        ColumnProfile weather = all.column("weather").orElseThrow();
        assertThat(weather.kind()).isEqualTo(ProfileKind.CATEGORICAL);
        assertThat(weather.categories().orElseThrow().total()).isEqualTo(731);
        ColumnProfile temp = all.column("temp_max").orElseThrow();
        double sum = 0;
        for (String line : trainRows) {
            sum += Double.parseDouble(line.split(",")[2]);
        }
        assertThat(temp.mean().orElseThrow()).isCloseTo(sum / 731, within(1e-9));
        // 2012-01-01T00:00Z is 1325376000 seconds after the epoch.
        assertThat(all.column("date").orElseThrow().min().orElseThrow()).isEqualTo(1325376000.0);

        CliRunner.Result forced = CliRunner.raw("profile", train.toString(), "--out", dir.resolve("f.json").toString(),
                "--categorical", "wind", "--json");
        assertThat(forced.exitCode()).as(forced.err()).isZero();
        assertThat(forced.json().at("/columns/4/kind").asText()).isEqualTo("categorical");
    }

    @Test
    @DisplayName("profile errors: a missing data file, a bad profile, profiles of different columns are exit 2")
    void profileErrors() throws IOException {
        Path out = dir.resolve("never.json");
        CliRunner.Result r = CliRunner.raw("profile", dir.resolve("none.csv").toString(), "--out", out.toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("none.csv", "does not exist");
        assertThat(out).doesNotExist();

        Path bad = Files.writeString(dir.resolve("bad.json"), "{\"format\":\"nope\"}");
        Path good = dir.resolve("good.json");
        assertThat(CliRunner.raw("profile", train.toString(), "--out", good.toString()).exitCode()).isZero();
        r = CliRunner.raw("profile", "merge", good.toString(), bad.toString(), "--out", out.toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains(bad.toString());

        Path other = dir.resolve("other.json");
        assertThat(CliRunner.raw("profile", train.toString(), "--out", other.toString(), "--categorical", "wind")
                .exitCode()).isZero();
        r = CliRunner.raw("profile", "merge", good.toString(), other.toString(), "--out", out.toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("cannot merge");
        assertThat(out).doesNotExist();

        r = CliRunner.raw("profile", train.toString(), "--out", out.toString(), "--categorical", "nope");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("--categorical", "'nope'");
    }

    private static List<String> concat(String first, List<String> rest) {
        List<String> all = new ArrayList<>();
        all.add(first);
        all.addAll(rest);
        return all;
    }

    @Test
    @DisplayName("--format html writes one well-formed, self-contained page: a section and a chart per column")
    void htmlReport() throws Exception {
        Path out = dir.resolve("report.html");
        CliRunner.Result r = drift("--reference", winter.toString(), "--current", summer.toString(), "--format",
                "html", "--out", out.toString(), "--fail-on-drift");
        assertThat(r.exitCode()).as(r.err()).isEqualTo(1);
        assertThat(r.out()).contains("Wrote the html drift report to " + out, "Dataset drift: YES");
        String html = Files.readString(out, StandardCharsets.UTF_8);
        CliRunner.Result stdout = drift("--reference", winter.toString(), "--current", summer.toString(), "--format",
                "html");
        assertThat(stdout.exitCode()).isZero();
        assertThat(stdout.out()).isEqualTo(html);

        javax.xml.parsers.DocumentBuilderFactory f = javax.xml.parsers.DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        org.w3c.dom.Document doc = f.newDocumentBuilder()
                .parse(new java.io.ByteArrayInputStream(html.getBytes(StandardCharsets.UTF_8)));
        org.w3c.dom.NodeList sections = doc.getElementsByTagNameNS("http://www.w3.org/1999/xhtml", "section");
        List<String> names = new ArrayList<>();
        for (int i = 0; i < sections.getLength(); i++) {
            org.w3c.dom.Element s = (org.w3c.dom.Element) sections.item(i);
            if (s.getAttribute("class").startsWith("column ")) {
                names.add(s.getElementsByTagNameNS("http://www.w3.org/1999/xhtml", "code").item(0).getTextContent());
                assertThat(s.getElementsByTagNameNS("http://www.w3.org/2000/svg", "svg").getLength()).isEqualTo(1);
            }
        }
        // date is skipped as identifier-like or compared; the five data columns are compared
        assertThat(names).contains("precipitation", "temp_max", "temp_min", "wind", "weather");
        assertThat(doc.getElementsByTagNameNS("*", "script").getLength()).isZero();
        assertThat(html.replace("xmlns=\"http://www.w3.org/1999/xhtml\"", "")
                .replace("xmlns=\"http://www.w3.org/2000/svg\"", "")).doesNotContain("http://", "https://", "url(");
        assertThat(doc.getDocumentElement().getTextContent()).contains(winter.toString(), summer.toString(),
                "361 rows", "Dataset drift: YES", "[2012-01-01, 2012-02-06]"); // date bins as dates
        assertThat(html).doesNotContain("1.325376E9");
    }

    @Test
    @DisplayName("--reference-profile --format html: a page per comparison whose numbers and decisions are the JSON's")
    void htmlReportFromProfile() throws Exception {
        Path p = dir.resolve("winter-profile-html.json");
        assertThat(CliRunner.raw("profile", winter.toString(), "--out", p.toString()).exitCode()).isZero();
        Path out = dir.resolve("profile-report.html");
        CliRunner.Result r = drift("--reference-profile", p.toString(), "--current", summer.toString(), "--format",
                "html", "--out", out.toString(), "--fail-on-drift");
        assertThat(r.exitCode()).as(r.err()).isEqualTo(1);
        assertThat(r.out()).contains("Wrote the html drift report to " + out, "Dataset drift: YES");
        String html = Files.readString(out, StandardCharsets.UTF_8);
        CliRunner.Result stdout = drift("--reference-profile", p.toString(), "--current", summer.toString(),
                "--format", "html");
        assertThat(stdout.exitCode()).isZero();
        assertThat(stdout.out()).isEqualTo(html);
        JsonNode json = drift("--reference-profile", p.toString(), "--current", summer.toString(), "--format",
                "json").json();

        String xhtml = "http://www.w3.org/1999/xhtml";
        javax.xml.parsers.DocumentBuilderFactory f = javax.xml.parsers.DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        org.w3c.dom.Document doc = f.newDocumentBuilder()
                .parse(new java.io.ByteArrayInputStream(html.getBytes(StandardCharsets.UTF_8)));
        assertThat(doc.getElementsByTagNameNS("*", "script").getLength()).isZero();
        assertThat(html.replace("xmlns=\"" + xhtml + "\"", "").replace("xmlns=\"http://www.w3.org/2000/svg\"", ""))
                .doesNotContain("http://", "https://", "url(");
        org.w3c.dom.NodeList sections = doc.getElementsByTagNameNS(xhtml, "section");
        List<String> names = new ArrayList<>();
        for (int i = 0; i < sections.getLength(); i++) {
            org.w3c.dom.Element s = (org.w3c.dom.Element) sections.item(i);
            String cls = s.getAttribute("class");
            if (cls.equals("summary")) {
                assertThat(s.getTextContent()).contains("361", "368", json.get("drifted_columns").asInt() + " of "
                        + json.get("decided_columns").asInt() + " decided", "Dataset drift: YES");
                continue;
            }
            if (!cls.startsWith("column ")) {
                continue;
            }
            String name = s.getElementsByTagNameNS(xhtml, "code").item(0).getTextContent();
            names.add(name);
            JsonNode c = column(json, name);
            assertThat(cls).as(name).isEqualTo(!c.get("in_decision").asBoolean() ? "column undecided"
                    : c.get("drift").asBoolean() ? "column drift" : "column ok");
            assertThat(s.getElementsByTagNameNS("http://www.w3.org/2000/svg", "svg").getLength()).isEqualTo(1);
            // the results table: one row per JSON result, same method, statistic, error bound, verdict
            org.w3c.dom.Element table = null;
            org.w3c.dom.NodeList tables = s.getElementsByTagNameNS(xhtml, "table");
            for (int t = 0; t < tables.getLength(); t++) {
                if (((org.w3c.dom.Element) tables.item(t)).getAttribute("class").equals("results")) {
                    table = (org.w3c.dom.Element) tables.item(t);
                }
            }
            assertThat(table).as(name).isNotNull();
            org.w3c.dom.NodeList trs = table.getElementsByTagNameNS(xhtml, "tr");
            assertThat(trs.getLength() - 1).isEqualTo(c.get("results").size());
            for (int k = 0; k < c.get("results").size(); k++) {
                JsonNode m = c.get("results").get(k);
                org.w3c.dom.NodeList tds = ((org.w3c.dom.Element) trs.item(k + 1)).getElementsByTagNameNS(xhtml,
                        "td");
                assertThat(tds.item(0).getTextContent()).isEqualTo(m.get("method").asText());
                assertThat(tds.item(1).getTextContent()).isEqualTo(m.get("statistic").isNull() ? "-"
                        : String.format(java.util.Locale.ROOT, "%.4g", m.get("statistic").asDouble()));
                assertThat(tds.item(2).getTextContent()).isEqualTo(String.format(java.util.Locale.ROOT, "%.4g",
                        m.get("error_bound").asDouble()));
                assertThat(tds.item(5).getTextContent()).isEqualTo(m.get("drift").asBoolean() ? "yes" : "no");
            }
        }
        List<String> jsonNames = new ArrayList<>();
        json.get("columns").forEach(c -> jsonNames.add(c.get("name").asText()));
        assertThat(names).isEqualTo(jsonNames).contains("temp_max", "weather");

        // a split against its own profile: no drift, exit 0; --json with --out prints the summary document
        Path tp = dir.resolve("train-profile-html.json");
        assertThat(CliRunner.raw("profile", train.toString(), "--out", tp.toString()).exitCode()).isZero();
        Path same = dir.resolve("same.html");
        CliRunner.Result quiet = drift("--reference-profile", tp.toString(), "--current", train.toString(),
                "--format", "html", "--out", same.toString(), "--json", "--fail-on-drift");
        assertThat(quiet.exitCode()).as(quiet.err() + quiet.out()).isZero();
        assertThat(quiet.json().get("format").asText()).isEqualTo("html");
        assertThat(quiet.json().get("dataset_drift").asBoolean()).isFalse();
        assertThat(Files.readString(same, StandardCharsets.UTF_8)).contains("Dataset drift: no")
                .doesNotContain("column drift");
    }
    /** The report columns of a text report: name to "DRIFT", "no drift", "not in the decision" or "ERROR". */
    static java.util.Map<String, String> textVerdicts(String text) {
        java.util.Map<String, String> out = new java.util.LinkedHashMap<>();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(
                "(?m)^  (\\S+) \\(\\w+\\): (DRIFT|no drift|not in the decision|ERROR)").matcher(text);
        while (m.find()) {
            out.put(m.group(1), m.group(2));
        }
        return out;
    }

    @Test
    @DisplayName("--reference-profile honours --alpha: Seattle temp_min, January 2012 against January 2015 (SciPy's"
            + " p = 0.0079, exact sketches) drifts at alpha 0.01 and not at 0.005")
    void referenceProfileAlpha() throws IOException {
        Path jan12 = write("jan2012.csv", r -> r.startsWith("2012-01"));
        Path jan15 = write("jan2015.csv", r -> r.startsWith("2015-01"));
        Path p = dir.resolve("jan2012-profile.json");
        assertThat(CliRunner.raw("profile", jan12.toString(), "--out", p.toString()).exitCode()).isZero();
        CliRunner.Result at01 = drift("--reference-profile", p.toString(), "--current", jan15.toString(), "--columns",
                "temp_min", "--alpha", "0.01", "--format", "json", "--fail-on-drift");
        assertThat(at01.exitCode()).as(at01.err()).isEqualTo(1);
        JsonNode d = column(at01.json(), "temp_min").get("decision");
        // two-sample-golden.json, "seattle temp_min january 2012 vs january 2015": SciPy 1.17.1 ks_2samp
        assertThat(d.get("p_value").asDouble()).isCloseTo(0.007945718302533482, within(1e-9));
        assertThat(d.get("effect_size").asDouble()).isCloseTo(0.41935483870967744, within(1e-12));
        assertThat(d.get("alpha").asDouble()).isEqualTo(0.01);
        assertThat(d.get("threshold").asDouble()).isEqualTo(0.01);
        assertThat(d.get("significant").asBoolean()).isTrue();
        assertThat(at01.json().get("alpha").asDouble()).isEqualTo(0.01);
        assertThat(at01.json().get("dataset_drift").asBoolean()).isTrue();
        assertThat(column(at01.json(), "temp_min").get("results").get(0).get("drift").asBoolean()).isTrue();

        CliRunner.Result at005 = drift("--reference-profile", p.toString(), "--current", jan15.toString(),
                "--columns", "temp_min", "--alpha", "0.005", "--format", "json", "--fail-on-drift");
        assertThat(at005.exitCode()).as(at005.err()).isZero();
        JsonNode q = column(at005.json(), "temp_min");
        assertThat(q.get("drift").asBoolean()).isFalse();
        assertThat(q.get("decision").get("significant").asBoolean()).isFalse();
        assertThat(q.get("decision").get("reason").asText()).endsWith(": not significant");
        assertThat(q.get("results").get(0).get("drift").asBoolean()).isFalse();
        assertThat(at005.json().get("dataset_drift").asBoolean()).isFalse();
        CliRunner.Result text = drift("--reference-profile", p.toString(), "--current", jan15.toString(),
                "--columns", "temp_min", "--alpha", "0.005");
        assertThat(text.exitCode()).isZero();
        assertThat(text.out()).contains("alpha 0.005000, correction benjamini_hochberg",
                "temp_min (numeric): no drift (by ks)", q.get("decision").get("reason").asText(),
                "Dataset drift: no (0 of 1 decided columns drift");

        // --methods applies as well
        JsonNode listed = drift("--reference-profile", p.toString(), "--current", jan15.toString(), "--columns",
                "temp_min", "--methods", "psi,ks", "--format", "json").json();
        List<String> methods = new ArrayList<>();
        column(listed, "temp_min").get("results").forEach(m -> methods.add(m.get("method").asText()));
        assertThat(methods).containsExactly("psi", "ks");
    }

    @Test
    @DisplayName("--reference-profile: text, JSON and HTML of one comparison agree column by column and on the"
            + " dataset verdict")
    void referenceProfileFormatsAgree() throws Exception {
        Path jan12 = write("jan2012b.csv", r -> r.startsWith("2012-01"));
        Path jan15 = write("jan2015b.csv", r -> r.startsWith("2015-01"));
        Path p = dir.resolve("jan2012b-profile.json");
        assertThat(CliRunner.raw("profile", jan12.toString(), "--out", p.toString()).exitCode()).isZero();
        String[] args = {"--reference-profile", p.toString(), "--current", jan15.toString(), "--alpha", "0.01"};
        CliRunner.Result t = drift(args);
        assertThat(t.exitCode()).as(t.err()).isZero();
        List<String> jsonArgs = new ArrayList<>(List.of(args));
        jsonArgs.addAll(List.of("--format", "json"));
        JsonNode json = drift(jsonArgs.toArray(String[]::new)).json();
        List<String> htmlArgs = new ArrayList<>(List.of(args));
        htmlArgs.addAll(List.of("--format", "html"));
        String html = drift(htmlArgs.toArray(String[]::new)).out();

        java.util.Map<String, String> verdicts = textVerdicts(t.out());
        List<String> jsonNames = new ArrayList<>();
        json.get("columns").forEach(c -> jsonNames.add(c.get("name").asText()));
        assertThat(verdicts.keySet()).containsExactlyElementsOf(jsonNames);
        assertThat(jsonNames).contains("date", "temp_min", "weather");
        int drifting = 0;
        for (JsonNode c : json.get("columns")) {
            String name = c.get("name").asText();
            String expected = !c.get("in_decision").asBoolean() ? "not in the decision"
                    : c.get("drift").asBoolean() ? "DRIFT" : "no drift";
            assertThat(verdicts.get(name)).as(name).isEqualTo(expected);
            if (c.get("in_decision").asBoolean()) {
                assertThat(t.out()).contains(c.get("decision").get("reason").asText());
                assertThat(html).contains(c.get("decision").get("reason").asText()
                        .replace("<", "&lt;").replace(">", "&gt;").replace("'", "&#39;"));
                assertThat(html).contains("<section class=\"column " + (c.get("drift").asBoolean() ? "drift" : "ok")
                        + "\">\n<h2><code>" + name + "</code>");
                drifting += c.get("drift").asBoolean() ? 1 : 0;
            } else {
                assertThat(html).contains("<section class=\"column undecided\">\n<h2><code>" + name + "</code>");
            }
        }
        assertThat(column(json, "date").get("in_decision").asBoolean()).isFalse(); // a datetime column
        // the contract's column fields are there too
        assertThat(column(json, "date").get("type").asText()).isEqualTo("datetime");
        assertThat(column(json, "temp_min").get("type").asText()).isEqualTo("numeric");
        assertThat(column(json, "weather").get("type").asText()).isEqualTo("categorical");
        for (JsonNode c : json.get("columns")) {
            assertThat(c.get("reference_missing").asLong()).isZero();
            assertThat(c.get("current_missing").asLong()).isZero();
        }
        assertThat(json.get("drifted_columns").asInt()).isEqualTo(drifting);
        int decided = json.get("decided_columns").asInt();
        String verdict = (json.get("dataset_drift").asBoolean() ? "Dataset drift: YES" : "Dataset drift: no") + " ("
                + drifting + " of " + decided + " decided columns drift, share "
                + String.format(java.util.Locale.ROOT, "%.4g", json.get("drift_share").asDouble());
        assertThat(t.out()).contains(verdict);
        assertThat(html).contains(drifting + " of " + decided + " decided", "alpha 0.01000, correction"
                + " benjamini_hochberg", json.get("dataset_drift").asBoolean() ? "Dataset drift: YES"
                        : "Dataset drift: no");
        assertThat(json.get("reference_profile").asText()).isEqualTo(p.toString());
        assertThat(json.get("alpha").asDouble()).isEqualTo(0.01);
    }

    @Test
    @DisplayName("--reference-profile bad input: --alpha outside (0, 1), a profile of another format or version are"
            + " exit 2 naming the option")
    void referenceProfileBadInput() throws IOException {
        Path p = dir.resolve("train-profile-bad.json");
        assertThat(CliRunner.raw("profile", train.toString(), "--out", p.toString()).exitCode()).isZero();
        for (String alpha : List.of("0", "1", "1.5", "-0.2")) {
            CliRunner.Result r = drift("--reference-profile", p.toString(), "--current", holdout.toString(),
                    "--alpha", alpha);
            assertThat(r.exitCode()).as(alpha).isEqualTo(2);
            assertThat(r.err()).contains("--alpha must be in (0, 1), was " + Double.parseDouble(alpha));
            assertThat(r.out()).isEmpty();
        }
        String good = Files.readString(p, StandardCharsets.UTF_8);
        Path otherFormat = dir.resolve("other-format.json");
        Files.writeString(otherFormat, good.replace("\"mlops.profile\"", "\"mlops.window\""));
        CliRunner.Result r = drift("--reference-profile", otherFormat.toString(), "--current", holdout.toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("--reference-profile", otherFormat.toString(), "'format' must be",
                "mlops.profile", "mlops.window");
        Path otherVersion = dir.resolve("other-version.json");
        assertThat(good).contains("\"format_version\":1");
        Files.writeString(otherVersion, good.replace("\"format_version\":1", "\"format_version\":2"));
        r = drift("--reference-profile", otherVersion.toString(), "--current", holdout.toString());
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("--reference-profile", "format_version 2 is not supported");
        r = drift("--reference-profile", p.toString(), "--current", holdout.toString(), "--methods", "ks,bogus");
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("--methods", "bogus");
    }
}
