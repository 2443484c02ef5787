package dev.mlops.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.mlops.internal.drift.WindowReportJson;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@DisplayName("DriftMonitor decisions: power at 10,000 rows, false alarms from 1,000 to 100,000 rows, tiny windows,"
        + " quality checks")
class DriftMonitorDecisionTest {
    static final int WINDOWS = 50;

    /** Records {@code windows} windows of {@code rows} rows: x ~ N(shift, 1), s with shares pa, pb and the rest. */
    static List<WindowReport> run(DriftMonitor.Builder b, long seed, int windows, int rows, double shift, double pa,
            double pb) {
        List<WindowReport> reports = DriftMonitorTest.collect(b);
        DriftMonitor m = b.build();
        SplittableRandom r = new SplittableRandom(seed);
        double[] num = new double[1];
        String[] cat = new String[1];
        for (long i = 0; i < (long) windows * rows; i++) {
            num[0] = shift + DriftMonitorTest.gaussian(r);
            cat[0] = DriftMonitorTest.category(r, pa, pb);
            m.record(num, cat);
        }
        m.close();
        assertThat(reports).hasSize(windows);
        assertThat(m.internalErrors()).isZero();
        assertThat(m.droppedWindows()).isZero();
        return reports;
    }

    static long flagged(List<WindowReport> reports, String column) {
        return reports.stream().filter(w -> w.column(column).orElseThrow().drift()).count();
    }

    @Test
    @DisplayName("defaults: a 0.3 SD shift and a 10-point share change are flagged in >= 95% of 50 windows of 10,000"
            + " rows against a 200,000-row reference")
    void powerAtTenThousandRows() {
        DatasetProfile ref = DriftMonitorTest.reference(101);
        // x moves by 0.3 SD (KS 0.119); the share of a falls from 0.5 to 0.4 and that of c rises from 0.2 to 0.3
        List<WindowReport> reports = run(DriftMonitor.builder(ref).windowRows(10_000), 102, WINDOWS, 10_000, 0.3,
                0.4, 0.3);
        long x = flagged(reports, "x");
        long s = flagged(reports, "s");
        assertThat(x).as("0.3 SD shift flagged in %d of %d windows", x, WINDOWS).isGreaterThanOrEqualTo(48);
        assertThat(s).as("10-point change flagged in %d of %d windows", s, WINDOWS).isGreaterThanOrEqualTo(48);
        for (WindowReport w : reports) {
            for (WindowColumn c : w.columns()) {
                assertThat(c.alpha()).isEqualTo(DriftMonitor.DEFAULT_ALPHA);
                assertThat(c.threshold()).isEqualTo(DriftMonitor.DEFAULT_THRESHOLD);
                assertThat(c.pValue()).isBetween(0.0, 1.0);
                assertThat(c.drift()).isEqualTo(c.valueCount() >= DriftMonitor.DEFAULT_MIN_VALUES
                        && c.pValue() < c.alpha() && c.statistic() - c.errorBound() > c.threshold());
            }
        }
    }

    @ParameterizedTest(name = "{0} windows of {1} rows")
    @CsvSource({"200, 1000", "100, 3000", "100, 10000", "20, 100000"})
    @DisplayName("defaults: same-distribution windows flag at most 1% (alpha) of the column tests, from 1,000 to"
            + " 100,000 rows")
    void falseAlarms(int windows, int rows) {
        DatasetProfile ref = DriftMonitorTest.reference(201);
        List<WindowReport> reports = run(DriftMonitor.builder(ref).windowRows(rows), 202 + rows, windows, rows, 0,
                0.5, 0.3);
        long tests = 2L * windows;
        long alarms = flagged(reports, "x") + flagged(reports, "s");
        assertThat(alarms).as("%d alarms in %d column tests", alarms, tests)
                .isLessThanOrEqualTo((long) Math.floor(DriftMonitor.DEFAULT_ALPHA * tests));
        for (WindowReport w : reports) {
            assertThat(w.checks()).as("window %d", w.sequence()).isEmpty();
        }
    }

    @Test
    @DisplayName("tiny windows: with the default minValues 5-row windows are never flagged; with minValues 1 the"
            + " significance test keeps moderate shifts from being flagged on large but insignificant distances")
    void tinyWindows() {
        DatasetProfile ref = DriftMonitorTest.reference(301);
        int windows = 400;
        List<WindowReport> defaults = run(DriftMonitor.builder(ref).windowRows(5), 302, windows, 5, 0.3, 0.4, 0.3);
        assertThat(flagged(defaults, "x") + flagged(defaults, "s")).isZero();

        List<WindowReport> tested = run(DriftMonitor.builder(ref).windowRows(5).minValues(1), 302, windows, 5, 0.3,
                0.4, 0.3);
        List<WindowReport> effectOnly = run(DriftMonitor.builder(ref).windowRows(5).minValues(1).alpha(1), 302,
                windows, 5, 0.3, 0.4, 0.3);
        long xTested = flagged(tested, "x");
        long sTested = flagged(tested, "s");
        long xEffect = flagged(effectOnly, "x");
        long sEffect = flagged(effectOnly, "s");
        // the effect threshold alone: a 5-row distance is almost always above 0.05 + bound
        assertThat(xEffect).as("x, effect threshold alone").isGreaterThan(windows * 9L / 10);
        assertThat(sEffect).as("s, effect threshold alone").isGreaterThan(windows * 9L / 10);
        // with the test, 5 values are flagged only when they are extreme for the reference (about the test's power
        // at n = 5, a few percent): at most 5% of the windows
        assertThat(xTested).as("x, with the significance test").isLessThanOrEqualTo(windows / 20);
        assertThat(sTested).as("s, with the significance test").isLessThanOrEqualTo(windows / 20);
        for (WindowReport w : tested) {
            WindowColumn x = w.column("x").orElseThrow();
            assertThat(x.errorBound()).as("the window's sketch is exact").isCloseTo(
                    ref.column("x").orElseThrow().rankErrorBound(), within(0.0));
        }
    }

    @Test
    @DisplayName("alpha must be in (0, 1]: the builder names the field")
    void alphaChecked() {
        DriftMonitor.Builder b = DriftMonitor.builder(DriftMonitorTest.reference(1));
        for (double bad : new double[] {0, -0.1, 1.5, Double.NaN}) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> b.alpha(bad))
                    .isInstanceOfSatisfying(dev.mlops.InvalidArgumentException.class,
                            e -> assertThat(e.field()).contains("alpha"))
                    .hasMessageContaining("alpha must be in (0, 1]");
        }
        assertThat(b.alpha(1)).isSameAs(b);
    }

    @Test
    @DisplayName("quality checks come first in a window's report: missing-share jump, values outside the reference"
            + " range and unseen categories, with their numbers; they survive the JSON round trip")
    void qualityChecks() {
        DatasetProfile ref = DriftMonitorTest.reference(401);
        List<WindowReport> reports = new CopyOnWriteArrayList<>();
        DriftMonitor m = DriftMonitor.builder(ref).windowRows(10_000).listener(reports::add).build();
        SplittableRandom r = new SplittableRandom(402);
        double[] num = new double[1];
        String[] cat = new String[1];
        for (int i = 0; i < 10_000; i++) {
            // x: 10% NaN, 5% at 100 (far above the reference maximum), else the reference distribution
            num[0] = i % 10 == 0 ? Double.NaN : i % 20 == 1 ? 100 : DriftMonitorTest.gaussian(r);
            // s: 10% null, 5% an unseen category "z", else the reference shares
            cat[0] = i % 10 == 5 ? null : i % 20 == 6 ? "z" : DriftMonitorTest.category(r, 0.5, 0.3);
            m.record(num, cat);
        }
        m.close();
        assertThat(reports).hasSize(1);
        WindowReport w = reports.get(0);
        assertThat(w.checks()).extracting(QualityCheck::kind, QualityCheck::column).containsExactly(
                org.assertj.core.groups.Tuple.tuple(QualityCheck.Kind.MISSING_SHARE_JUMP, "x"),
                org.assertj.core.groups.Tuple.tuple(QualityCheck.Kind.OUT_OF_RANGE, "x"),
                org.assertj.core.groups.Tuple.tuple(QualityCheck.Kind.MISSING_SHARE_JUMP, "s"),
                org.assertj.core.groups.Tuple.tuple(QualityCheck.Kind.UNSEEN_CATEGORIES, "s"));
        QualityCheck xMissing = w.checks().get(0);
        assertThat(xMissing.numbers()).containsEntry("reference_missing", 0.0).containsEntry("current_missing",
                1000.0).containsEntry("current_share", 0.1).containsEntry("threshold", 0.05);
        QualityCheck range = w.checks().get(1);
        ColumnProfile refX = ref.column("x").orElseThrow();
        ColumnProfile winX = w.profile().column("x").orElseThrow();
        assertThat(range.numbers().get("reference_max")).isEqualTo(refX.max().getAsDouble());
        assertThat(range.numbers().get("current_max")).isEqualTo(100.0);
        assertThat(range.numbers().get("below")).isZero();
        // 500 values at 100 among 9,000 finite ones; from a sketch that is not exact: within its rank error
        assertThat(range.numbers().get("above")).isCloseTo(500.0, within(winX.rankErrorBound() * 9_000));
        assertThat(range.numbers().get("share")).isCloseTo(500.0 / 9_000, within(winX.rankErrorBound()));
        QualityCheck sMissing = w.checks().get(2);
        assertThat(sMissing.numbers()).containsEntry("current_missing", 1000.0).containsEntry("current_share", 0.1);
        QualityCheck unseen = w.checks().get(3);
        assertThat(unseen.numbers()).containsEntry("unseen_categories", 1.0).containsEntry("unseen_values", 500.0)
                .containsEntry("share", 500.0 / 9_000);
        assertThat(unseen.message()).contains("first: z");

        String json = WindowReportJson.write(w, "sha256:abc");
        assertThat(json).contains("\"checks\":[{\"kind\":\"missing_share_jump\",\"column\":\"x\",\"numbers\":{")
                .contains("\"p_value\":").contains("\"alpha\":0.01");
        assertThat(WindowReportJson.read(json, w.profile(), "r")).isEqualTo(w);
        // format version 1 (before checks and p-values) still reads: no checks, p-value and alpha NaN
        String v1 = json.replace("\"format_version\":2", "\"format_version\":1")
                .replaceAll("\"checks\":\\[.*?\\],\"columns\"", "\"columns\"")
                .replaceAll("\"p_value\":[^,]*,\"alpha\":[^,]*,", "");
        WindowReport old = WindowReportJson.read(v1, w.profile(), "r");
        assertThat(old.checks()).isEmpty();
        assertThat(old.columns()).allSatisfy(c -> {
            assertThat(c.pValue()).isNaN();
            assertThat(c.alpha()).isNaN();
        });
        assertThat(old.columns()).extracting(WindowColumn::statistic).containsExactlyElementsOf(
                w.columns().stream().map(WindowColumn::statistic).toList());
    }
}
