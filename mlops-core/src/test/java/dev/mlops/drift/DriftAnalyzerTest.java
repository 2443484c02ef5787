package dev.mlops.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mlops.InvalidArgumentException;
import dev.mlops.internal.drift.Corrections;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Corrections, options, edge cases, schema and quality checks, and the JSON of the drift analyzer. */
class DriftAnalyzerTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static double[] gaussian(SplittableRandom rnd, int n, double shift) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = rnd.nextGaussian() + shift;
        }
        return v;
    }

    private static String[] categories(SplittableRandom rnd, int n, double shareOfA) {
        String[] v = new String[n];
        for (int i = 0; i < n; i++) {
            v[i] = rnd.nextDouble() < shareOfA ? "a" : "b";
        }
        return v;
    }

    @SafeVarargs
    private static Map<String, ColumnValues> side(Map.Entry<String, ColumnValues>... columns) {
        Map<String, ColumnValues> m = new LinkedHashMap<>();
        for (Map.Entry<String, ColumnValues> e : columns) {
            m.put(e.getKey(), e.getValue());
        }
        return m;
    }

    private static Map.Entry<String, ColumnValues> col(String name, ColumnValues v) {
        return Map.entry(name, v);
    }

    // ---- corrections, against hand-computed examples ----

    @Test
    void benjaminiHochbergAndBonferroniOnTheClassicTenPValues() {
        // sorted p(k) against k * 0.05 / 10: 0.001 <= 0.005, 0.008 <= 0.010, 0.039 > 0.015, ..., 0.216 > 0.050;
        // the largest k with p(k) <= k alpha / m is 2, so the threshold is 2 * 0.05 / 10 = 0.01
        double[] p = {0.216, 0.039, 0.001, 0.212, 0.041, 0.008, 0.205, 0.042, 0.074, 0.06};
        assertThat(Corrections.threshold(Correction.BENJAMINI_HOCHBERG, 0.05, p)).isCloseTo(0.01, within(1e-15));
        assertThat(Corrections.threshold(Correction.BONFERRONI, 0.05, p)).isCloseTo(0.005, within(1e-15));
        assertThat(Corrections.threshold(Correction.NONE, 0.05, p)).isEqualTo(0.05);
    }

    @Test
    void benjaminiHochbergStepsUpToTheLargestRankThatPasses() {
        // sorted 0.005, 0.01, 0.03, 0.04 against 0.0125, 0.025, 0.0375, 0.05: rank 4 passes, so all four do
        // (though 0.03 alone exceeds its own 0.0375? no: 0.03 <= 0.0375; and 0.04 <= 0.05)
        double[] p = {0.01, 0.04, 0.03, 0.005};
        assertThat(Corrections.threshold(Correction.BENJAMINI_HOCHBERG, 0.05, p)).isCloseTo(0.05, within(1e-15));
        assertThat(Corrections.threshold(Correction.BONFERRONI, 0.05, p)).isCloseTo(0.0125, within(1e-15));
        // 0.02, 0.03, 0.2 at alpha 0.1: 0.02 <= 0.0333, 0.03 <= 0.0667, 0.2 > 0.1 -> k = 2, threshold 0.0667
        assertThat(Corrections.threshold(Correction.BENJAMINI_HOCHBERG, 0.1, new double[] {0.2, 0.03, 0.02}))
                .isCloseTo(0.2 / 3, within(1e-15));
        // a step-up, not a step-down: 0.04 > 0.025 at rank 1 of 2, but rank 2 passes (0.045 <= 0.05)
        assertThat(Corrections.threshold(Correction.BENJAMINI_HOCHBERG, 0.05, new double[] {0.045, 0.04}))
                .isCloseTo(0.05, within(1e-15));
        // nothing passes: the threshold stays alpha / m
        assertThat(Corrections.threshold(Correction.BENJAMINI_HOCHBERG, 0.05, new double[] {0.3, 0.5}))
                .isCloseTo(0.025, within(1e-15));
        assertThat(Corrections.threshold(Correction.BENJAMINI_HOCHBERG, 0.05, new double[0])).isEqualTo(0.05);
    }

    @Test
    void decisionsUseTheCorrectedThresholdOverTheDecidedColumns() {
        SplittableRandom rnd = new SplittableRandom(17);
        Map<String, ColumnValues> ref = new LinkedHashMap<>();
        Map<String, ColumnValues> cur = new LinkedHashMap<>();
        double[] shifts = {0, 0.02, 0.05, 0.08, 0.12, 0.3};
        for (int i = 0; i < shifts.length; i++) {
            ref.put("x" + i, ColumnValues.numeric(gaussian(rnd, 3000, 0), 0));
            cur.put("x" + i, ColumnValues.numeric(gaussian(rnd, 3000, shifts[i]), 0));
        }
        for (Correction c : Correction.values()) {
            DriftReport r = DriftAnalyzer.builder().correction(c).minNumericEffect(0).build().analyze(ref, cur);
            double[] p = r.columns().stream().mapToDouble(x -> x.decision().orElseThrow().pValue().getAsDouble())
                    .toArray();
            // by hand
            double expected;
            if (c == Correction.NONE) {
                expected = 0.05;
            } else if (c == Correction.BONFERRONI) {
                expected = 0.05 / 6;
            } else {
                double[] s = p.clone();
                Arrays.sort(s);
                expected = 0.05 / 6;
                for (int k = 6; k >= 1; k--) {
                    if (s[k - 1] <= k * 0.05 / 6) {
                        expected = k * 0.05 / 6;
                        break;
                    }
                }
            }
            for (ColumnReport col : r.columns()) {
                ColumnDecision d = col.decision().orElseThrow();
                assertThat(d.correction()).isEqualTo(c);
                assertThat(d.tests()).isEqualTo(6);
                assertThat(d.threshold()).isCloseTo(expected, within(1e-15));
                assertThat(d.significant()).isEqualTo(d.pValue().getAsDouble() <= expected);
                assertThat(d.drift()).isEqualTo(d.significant());
                assertThat(d.reason()).contains(c.id()).contains("over 6 columns");
            }
            assertThat(r.correction()).isEqualTo(c);
        }
    }

    // ---- decision rule and options ----

    @Test
    void significanceAloneIsNotEnoughWithoutTheMinimumEffect() {
        SplittableRandom rnd = new SplittableRandom(2);
        Map<String, ColumnValues> ref = side(col("x", ColumnValues.numeric(gaussian(rnd, 5000, 0), 0)));
        Map<String, ColumnValues> cur = side(col("x", ColumnValues.numeric(gaussian(rnd, 5000, 0.3), 0)));
        ColumnDecision d = DriftAnalyzer.builder().minNumericEffect(0.5).build().analyze(ref, cur).columns().get(0)
                .decision().orElseThrow();
        assertThat(d.significant()).isTrue();
        assertThat(d.largeEnough()).isFalse();
        assertThat(d.drift()).isFalse();
        assertThat(d.minEffect()).isEqualTo(0.5);
        assertThat(d.effect()).isEqualTo(DriftMethod.KS);
        assertThat(d.effectSize().getAsDouble()).isBetween(0.08, 0.16);
        assertThat(d.reason()).contains("< 0.5").endsWith("significant but too small to count as drift");
    }

    @Test
    void datasetDriftFollowsTheShareOfDriftedColumns() {
        SplittableRandom rnd = new SplittableRandom(4);
        Map<String, ColumnValues> ref = side(col("a", ColumnValues.numeric(gaussian(rnd, 2000, 0), 0)),
                col("b", ColumnValues.numeric(gaussian(rnd, 2000, 0), 0)));
        Map<String, ColumnValues> cur = side(col("a", ColumnValues.numeric(gaussian(rnd, 2000, 1), 0)),
                col("b", ColumnValues.numeric(gaussian(rnd, 2000, 0), 0)));
        DriftReport half = DriftAnalyzer.builder().build().analyze(ref, cur);
        assertThat(half.driftedColumns()).isEqualTo(1);
        assertThat(half.decidedColumns()).isEqualTo(2);
        assertThat(half.driftShare().getAsDouble()).isEqualTo(0.5);
        assertThat(half.shareThreshold()).isEqualTo(0.5);
        assertThat(half.datasetDrift()).isTrue();
        DriftReport strict = DriftAnalyzer.builder().datasetDriftShare(0.6).build().analyze(ref, cur);
        assertThat(strict.datasetDrift()).isFalse();
        assertThat(strict.shareThreshold()).isEqualTo(0.6);
    }

    @Test
    void methodsAutoAllAndAList() {
        SplittableRandom rnd = new SplittableRandom(6);
        Map<String, ColumnValues> ref = side(col("x", ColumnValues.numeric(gaussian(rnd, 300, 0), 0)),
                col("c", ColumnValues.categorical(categories(rnd, 300, 0.5), 0)));
        Map<String, ColumnValues> cur = side(col("x", ColumnValues.numeric(gaussian(rnd, 300, 0), 0)),
                col("c", ColumnValues.categorical(categories(rnd, 300, 0.5), 0)));
        DriftReport auto = DriftAnalyzer.builder().build().analyze(ref, cur);
        assertThat(auto.column("x").orElseThrow().results()).extracting(MethodResult::method)
                .containsExactly(DriftMethod.KS, DriftMethod.WASSERSTEIN_NORMED);
        assertThat(auto.column("c").orElseThrow().results()).extracting(MethodResult::method)
                .containsExactly(DriftMethod.CHI2, DriftMethod.L_INFINITY);
        DriftReport all = DriftAnalyzer.builder().methods("all").build().analyze(ref, cur);
        assertThat(all.column("x").orElseThrow().results()).extracting(MethodResult::method)
                .containsExactlyElementsOf(Arrays.stream(DriftMethod.values()).filter(DriftMethod::appliesToNumeric)
                        .toList());
        assertThat(all.column("c").orElseThrow().results()).extracting(MethodResult::method)
                .containsExactlyElementsOf(Arrays.stream(DriftMethod.values())
                        .filter(DriftMethod::appliesToCategorical).toList());
        DriftReport list = DriftAnalyzer.builder().methods(" PSI,ks,chi2 ").build().analyze(ref, cur);
        List<MethodResult> x = list.column("x").orElseThrow().results();
        assertThat(x).extracting(MethodResult::method).containsExactly(DriftMethod.PSI, DriftMethod.KS,
                DriftMethod.CHI2);
        assertThat(x.get(2).statistic()).isEmpty();
        assertThat(x.get(2).drift()).isFalse();
        assertThat(x.get(2).note()).hasValue("chi2 does not apply to numeric columns");
        assertThat(list.column("c").orElseThrow().results().get(1).note())
                .hasValue("ks does not apply to categorical columns");
        // the decision is auto's whatever is shown
        assertThat(list.column("x").orElseThrow().decision().orElseThrow().method()).isEqualTo(DriftMethod.KS);
        assertThat(list.column("x").orElseThrow().results().get(1))
                .isEqualTo(auto.column("x").orElseThrow().results().get(0));
    }

    @Test
    void fisherExactForTwoCategoriesWithSmallExpectedCounts() {
        Map<String, ColumnValues> ref = side(col("c", ColumnValues.categorical(new String[] {"a", "a", "a", "b",
            "a", "a", "a", "a"}, 0)));
        Map<String, ColumnValues> cur = side(col("c", ColumnValues.categorical(new String[] {"b", "b", "b", "a",
            "b", "b", "b", "b"}, 0)));
        ColumnDecision d = DriftAnalyzer.builder().build().analyze(ref, cur).columns().get(0).decision().orElseThrow();
        assertThat(d.method()).isEqualTo(DriftMethod.FISHER_EXACT);
        assertThat(d.pValue().getAsDouble()).isEqualTo(TwoSampleTests.categorical(DriftMethod.FISHER_EXACT,
                Map.of("a", 7L, "b", 1L), Map.of("a", 1L, "b", 7L)).pValue().getAsDouble());
        assertThat(d.effectSize().getAsDouble()).isCloseTo(0.75, within(1e-15));
        assertThat(d.category()).hasValue("a");
        assertThat(d.drift()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(doubles = {0, 1, -0.1, Double.NaN})
    void badAlphaNamesTheField(double alpha) {
        assertThatThrownBy(() -> DriftAnalyzer.builder().alpha(alpha)).isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("alpha").extracting(e -> ((InvalidArgumentException) e).field())
                .isEqualTo(Optional.of("alpha"));
    }

    @Test
    void badOptionsNameTheirField() {
        assertThatThrownBy(() -> DriftAnalyzer.builder().datasetDriftShare(0))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("(0, 1]");
        assertThatThrownBy(() -> DriftAnalyzer.builder().minNumericEffect(-1))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("minNumericEffect");
        assertThatThrownBy(() -> DriftAnalyzer.builder().minNumericEffect(Double.NaN))
                .isInstanceOf(InvalidArgumentException.class).hasMessage("minNumericEffect must be in [0, 1], was NaN");
        assertThatThrownBy(() -> DriftAnalyzer.builder().minCategoricalEffect(1.5))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("minCategoricalEffect");
        assertThatThrownBy(() -> DriftAnalyzer.builder().methods("ks,nope"))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("unknown drift method 'nope'")
                .extracting(e -> ((InvalidArgumentException) e).field()).isEqualTo(Optional.of("methods"));
        assertThatThrownBy(() -> DriftAnalyzer.builder().methods("")).isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> DriftAnalyzer.builder().columns(List.of()))
                .isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> DriftAnalyzer.builder().correction(null))
                .isInstanceOf(InvalidArgumentException.class);
    }

    // ---- edge cases: an error entry or a defined result, the other columns still reported ----

    @Test
    void aColumnWithNoValuesLeftGetsAnErrorAndTheOthersAreDecided() {
        SplittableRandom rnd = new SplittableRandom(8);
        Map<String, ColumnValues> ref = side(col("empty", ColumnValues.numeric(new double[100], 0)),
                col("x", ColumnValues.numeric(gaussian(rnd, 100, 0), 0)));
        Map<String, ColumnValues> cur = side(col("empty", ColumnValues.numeric(new double[0], 100)),
                col("x", ColumnValues.numeric(gaussian(rnd, 100, 3), 0)));
        DriftReport r = DriftAnalyzer.builder().build().analyze(ref, cur);
        ColumnReport e = r.column("empty").orElseThrow();
        assertThat(e.error()).hasValue("no values left in the current data after removing 100 missing");
        assertThat(e.results()).isEmpty();
        assertThat(e.decision()).isEmpty();
        assertThat(e.drift()).isFalse();
        assertThat(e.inDecision()).isFalse();
        assertThat(e.currentMissing()).hasValue(100);
        assertThat(r.column("x").orElseThrow().drift()).isTrue();
        assertThat(r.decidedColumns()).isEqualTo(1);
        assertThat(r.datasetDrift()).isTrue();
        assertThat(r.checks()).extracting(QualityCheck::kind).containsExactly(QualityCheck.Kind.MISSING_SHARE_JUMP,
                QualityCheck.Kind.OUT_OF_RANGE);
        assertThat(r.checks()).first().satisfies(q -> {
            assertThat(q.column()).isEqualTo("empty");
            assertThat(q.numbers()).containsEntry("reference_share", 0.0).containsEntry("current_share", 1.0)
                    .containsEntry("threshold", 0.05);
        });
    }

    @Test
    void constantColumnsGiveDefinedResults() {
        double[] fives = new double[200];
        Arrays.fill(fives, 5);
        double[] sixes = new double[200];
        Arrays.fill(sixes, 6);
        Map<String, ColumnValues> ref = side(col("same", ColumnValues.numeric(fives, 0)),
                col("moved", ColumnValues.numeric(fives, 0)));
        Map<String, ColumnValues> cur = side(col("same", ColumnValues.numeric(fives.clone(), 0)),
                col("moved", ColumnValues.numeric(sixes, 0)));
        DriftReport r = DriftAnalyzer.builder().build().analyze(ref, cur);
        ColumnReport same = r.column("same").orElseThrow();
        assertThat(same.error()).isEmpty();
        assertThat(same.decision().orElseThrow().pValue()).hasValue(1.0);
        assertThat(same.decision().orElseThrow().effectSize()).hasValue(0.0);
        assertThat(same.drift()).isFalse();
        assertThat(same.results().get(1).statistic()).isEmpty();
        assertThat(same.results().get(1).note()).hasValueSatisfying(n -> assertThat(n).contains("constant"));
        String[] sun = new String[50];
        Arrays.fill(sun, "sun");
        ColumnReport oneCategory = DriftAnalyzer.builder().build().analyze(
                side(col("w", ColumnValues.categorical(sun, 0))), side(col("w", ColumnValues.categorical(sun, 2))))
                .columns().get(0);
        assertThat(oneCategory.decision().orElseThrow().method()).isEqualTo(DriftMethod.CHI2);
        assertThat(oneCategory.decision().orElseThrow().pValue()).hasValue(1.0);
        assertThat(oneCategory.decision().orElseThrow().effectSize()).hasValue(0.0);
        assertThat(oneCategory.drift()).isFalse();
        ColumnReport moved = r.column("moved").orElseThrow();
        assertThat(moved.decision().orElseThrow().effectSize()).hasValue(1.0);
        assertThat(moved.drift()).isTrue();
        // every current value is above the reference's maximum
        assertThat(r.checks()).singleElement().satisfies(q -> {
            assertThat(q.kind()).isEqualTo(QualityCheck.Kind.OUT_OF_RANGE);
            assertThat(q.column()).isEqualTo("moved");
            assertThat(q.numbers()).containsEntry("above", 200.0).containsEntry("share", 1.0);
        });
    }

    @Test
    void aNameOnOneSideIsSkippedOrAnErrorWhenNamed() {
        SplittableRandom rnd = new SplittableRandom(9);
        Map<String, ColumnValues> ref = side(col("x", ColumnValues.numeric(gaussian(rnd, 50, 0), 0)),
                col("gone", ColumnValues.numeric(gaussian(rnd, 50, 0), 0)));
        Map<String, ColumnValues> cur = side(col("x", ColumnValues.numeric(gaussian(rnd, 50, 0), 0)),
                col("new", ColumnValues.categorical(categories(rnd, 50, 0.5), 0)));
        DriftReport r = DriftAnalyzer.builder().build().analyze(ref, cur);
        assertThat(r.columns()).extracting(ColumnReport::name).containsExactly("x");
        assertThat(r.skipped()).containsExactly(new SkippedColumn("gone", "only in the reference"),
                new SkippedColumn("new", "only in the current data"));
        assertThat(r.checks()).extracting(QualityCheck::kind, QualityCheck::column).containsExactly(
                org.assertj.core.groups.Tuple.tuple(QualityCheck.Kind.MISSING_COLUMN, "gone"),
                org.assertj.core.groups.Tuple.tuple(QualityCheck.Kind.NEW_COLUMN, "new"));

        DriftReport named = DriftAnalyzer.builder().columns(List.of("new", "x", "gone")).build().analyze(ref, cur);
        assertThat(named.columns()).extracting(ColumnReport::name).containsExactly("new", "x", "gone");
        ColumnReport gone = named.column("gone").orElseThrow();
        assertThat(gone.error()).hasValue("column 'gone' is not in the current data");
        assertThat(gone.referenceMissing()).hasValue(0);
        assertThat(gone.currentMissing()).isEmpty();
        assertThat(named.column("new").orElseThrow().error()).hasValue("column 'new' is not in the reference");
        assertThat(named.column("new").orElseThrow().type()).contains(ColumnType.CATEGORICAL);
        assertThat(named.column("x").orElseThrow().decision()).isPresent();
        assertThat(named.decidedColumns()).isEqualTo(1);
        assertThat(named.skipped()).isEmpty();

        assertThatThrownBy(() -> DriftAnalyzer.builder().columns(List.of("x", "nowhere")).build().analyze(ref, cur))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage("column 'nowhere' is in neither the reference nor the current data")
                .extracting(e -> ((InvalidArgumentException) e).field()).isEqualTo(Optional.of("columns"));
    }

    @Test
    void aChangedTypeIsAnErrorAndACheck() {
        Map<String, ColumnValues> ref = side(col("t", ColumnValues.numeric(new double[] {1, 2, 3}, 0)));
        Map<String, ColumnValues> cur = side(col("t", ColumnValues.categorical(new String[] {"x", "y", "z"}, 0)));
        DriftReport r = DriftAnalyzer.builder().build().analyze(ref, cur);
        assertThat(r.columns().get(0).error())
                .hasValue("type changed: numeric in the reference, categorical in the current data");
        assertThat(r.checks()).singleElement().extracting(QualityCheck::kind)
                .isEqualTo(QualityCheck.Kind.TYPE_CHANGED);
        // forced categorical, both sides compare as categories ("1", "2", "3" against "x", "y", "z")
        DriftReport forced = DriftAnalyzer.builder().categorical(List.of("t")).build().analyze(ref, cur);
        ColumnReport t = forced.columns().get(0);
        assertThat(t.error()).isEmpty();
        assertThat(t.type()).contains(ColumnType.CATEGORICAL);
        assertThat(t.decision().orElseThrow().method()).isEqualTo(DriftMethod.CHI2);
        assertThat(forced.checks()).singleElement().satisfies(q -> {
            assertThat(q.kind()).isEqualTo(QualityCheck.Kind.UNSEEN_CATEGORIES);
            assertThat(q.numbers()).containsEntry("unseen_categories", 3.0).containsEntry("share", 1.0);
            assertThat(q.message()).contains("(first: x, y, z)");
        });
    }

    @Test
    void numbersForcedCategoricalBecomeTheirShortestText() {
        assertThat(DriftAnalyzer.format(3.0)).isEqualTo("3");
        assertThat(DriftAnalyzer.format(-0.0)).isEqualTo("0");
        assertThat(DriftAnalyzer.format(2.5)).isEqualTo("2.5");
        assertThat(DriftAnalyzer.format(1e300)).isEqualTo("1.0E300");
        Map<String, ColumnValues> ref = side(col("k", ColumnValues.numeric(new double[] {1, 1, 2, 2}, 0)));
        Map<String, ColumnValues> cur = side(col("k", ColumnValues.numeric(new double[] {1, 2, 2, 2}, 0)));
        DriftReport r = DriftAnalyzer.builder().categorical(List.of("k")).methods("l_infinity").build().analyze(ref,
                cur);
        assertThat(r.columns().get(0).results().get(0).category()).hasValue("1");
        assertThat(r.columns().get(0).results().get(0).statistic()).hasValue(0.25);
    }

    @Test
    void nonFiniteValuesGiveAnErrorForTheirColumnOnly() {
        Map<String, ColumnValues> ref = side(col("bad", ColumnValues.numeric(new double[] {1, Double.POSITIVE_INFINITY,
            3}, 0)), col("ok", ColumnValues.numeric(new double[] {1e-300, 2e-300, 3e-300}, 0)));
        Map<String, ColumnValues> cur = side(col("bad", ColumnValues.numeric(new double[] {1, 2, 3}, 0)),
                col("ok", ColumnValues.numeric(new double[] {1e300, 2e300, 3e300}, 0)));
        DriftReport r = DriftAnalyzer.builder().build().analyze(ref, cur);
        assertThat(r.column("bad").orElseThrow().error())
                .hasValue("reference value 1 is not finite (Infinity); leave such values out as missing");
        ColumnReport ok = r.column("ok").orElseThrow();
        assertThat(ok.error()).isEmpty();
        assertThat(ok.decision().orElseThrow().effectSize()).hasValue(1.0);
        assertThat(ok.decision().orElseThrow().pValue().getAsDouble()).isCloseTo(0.1, within(1e-12));
        assertThat(ok.drift()).isFalse(); // D = 1 but three values a side cannot be significant after correction
    }

    @Test
    void identifierLikeAndDatetimeColumnsAreReportedButNotDecidedUnlessNamed() {
        int n = 1000;
        double[] ids = new double[n];
        double[] ids2 = new double[n];
        String[] keys = new String[n];
        String[] keys2 = new String[n];
        double[] times = new double[n];
        double[] times2 = new double[n];
        for (int i = 0; i < n; i++) {
            ids[i] = i;
            ids2[i] = n + i;
            keys[i] = "user-" + i;
            keys2[i] = "user-" + (n + i);
            times[i] = 1.6e9 + 60 * i;
            times2[i] = 1.7e9 + 60 * i;
        }
        Map<String, ColumnValues> ref = side(col("id", ColumnValues.numeric(ids, 0)),
                col("key", ColumnValues.categorical(keys, 0)), col("at", ColumnValues.datetime(times, 0)));
        Map<String, ColumnValues> cur = side(col("id", ColumnValues.numeric(ids2, 0)),
                col("key", ColumnValues.categorical(keys2, 0)), col("at", ColumnValues.datetime(times2, 0)));
        DriftReport r = DriftAnalyzer.builder().build().analyze(ref, cur);
        for (ColumnReport c : r.columns()) {
            assertThat(c.inDecision()).isFalse();
            assertThat(c.decision()).isEmpty();
            assertThat(c.drift()).isFalse();
            assertThat(c.results()).hasSize(2);
            assertThat(c.referenceCount()).isEqualTo(n);
        }
        assertThat(r.column("id").orElseThrow().identifierLike()).isTrue();
        assertThat(r.column("key").orElseThrow().identifierLike()).isTrue();
        assertThat(r.column("at").orElseThrow().identifierLike()).isFalse();
        assertThat(r.column("at").orElseThrow().type()).contains(ColumnType.DATETIME);
        assertThat(r.column("at").orElseThrow().note()).hasValueSatisfying(s -> assertThat(s).startsWith("datetime"));
        assertThat(r.column("key").orElseThrow().note())
                .hasValueSatisfying(s -> assertThat(s).startsWith("identifier-like"));
        assertThat(r.decidedColumns()).isZero();
        assertThat(r.driftShare()).isEmpty();
        assertThat(r.datasetDrift()).isFalse();
        assertThat(r.note()).hasValue("no column was in the drift decision");

        DriftReport named = DriftAnalyzer.builder().columns(List.of("id", "at")).build().analyze(ref, cur);
        assertThat(named.column("at").orElseThrow().drift()).isTrue();
        assertThat(named.column("id").orElseThrow().drift()).isTrue();
        assertThat(named.column("id").orElseThrow().identifierLike()).isTrue();
        assertThat(named.datasetDrift()).isTrue();
    }

    @Test
    void oneHundredThousandDistinctCategoriesAreIdentifierLike() {
        int n = 100_000;
        String[] a = new String[n];
        String[] b = new String[n];
        for (int i = 0; i < n; i++) {
            a[i] = "k" + i;
            b[i] = "k" + (i + n / 2);
        }
        DriftReport r = DriftAnalyzer.builder().build().analyze(side(col("k", ColumnValues.categorical(a, 0))),
                side(col("k", ColumnValues.categorical(b, 0))));
        ColumnReport k = r.columns().get(0);
        assertThat(k.identifierLike()).isTrue();
        assertThat(k.decision()).isEmpty();
        assertThat(k.results().get(1).statistic().getAsDouble()).isCloseTo(1e-5, within(1e-12));
        assertThat(r.checks()).singleElement().satisfies(q -> assertThat(q.numbers())
                .containsEntry("unseen_categories", 50_000.0).containsEntry("share", 0.5));
    }

    @Test
    void oneValueASideIsADefinedResult() {
        DriftReport r = DriftAnalyzer.builder().build().analyze(
                side(col("x", ColumnValues.numeric(new double[] {1}, 0))),
                side(col("x", ColumnValues.numeric(new double[] {2}, 0))));
        ColumnDecision d = r.columns().get(0).decision().orElseThrow();
        assertThat(d.pValue()).hasValue(1.0);
        assertThat(d.effectSize()).hasValue(1.0);
        assertThat(d.drift()).isFalse();
        assertThat(d.reason()).endsWith("not significant");
    }

    @Test
    void badInputNamesTheSide() {
        Map<String, ColumnValues> ok = side(col("x", ColumnValues.numeric(new double[] {1, 2}, 0)));
        Map<String, ColumnValues> ragged = side(col("x", ColumnValues.numeric(new double[] {1, 2}, 0)),
                col("y", ColumnValues.numeric(new double[] {1}, 0)));
        assertThatThrownBy(() -> DriftAnalyzer.builder().build().analyze(ok, ragged))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage("current column 'y' has 1 rows but column 'x' has 2")
                .extracting(e -> ((InvalidArgumentException) e).field()).isEqualTo(Optional.of("current"));
        assertThatThrownBy(() -> DriftAnalyzer.builder().build().analyze(null, ok))
                .isInstanceOf(InvalidArgumentException.class).hasMessage("reference must not be null");
        assertThatThrownBy(() -> ColumnValues.categorical(new String[] {"a", null}, 0))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessage("categorical value 1 is null; leave it out and count it as missing");
        assertThatThrownBy(() -> ColumnValues.numeric(new double[0], -1))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("missing");
        DriftReport empty = DriftAnalyzer.builder().build().analyze(Map.of(), Map.of());
        assertThat(empty.referenceRows()).isZero();
        assertThat(empty.columns()).isEmpty();
        assertThat(empty.datasetDrift()).isFalse();
    }

    // ---- schema and quality checks at their thresholds ----

    @Test
    void missingShareJumpFiresFromFivePoints() {
        double[] v = new double[100];
        Map<String, ColumnValues> ref = side(col("x", ColumnValues.numeric(v, 0)));
        assertThat(DriftAnalyzer.builder().build().analyze(ref, side(col("x", ColumnValues.numeric(new double[96], 4))))
                .checks()).isEmpty();
        DriftReport r = DriftAnalyzer.builder().build().analyze(ref,
                side(col("x", ColumnValues.numeric(new double[95], 5))));
        assertThat(r.checks()).singleElement().satisfies(q -> {
            assertThat(q.kind()).isEqualTo(QualityCheck.Kind.MISSING_SHARE_JUMP);
            assertThat(q.numbers().keySet()).containsExactly("reference_missing", "reference_share",
                    "current_missing", "current_share", "increase", "threshold");
            assertThat(q.numbers()).containsEntry("current_missing", 5.0).containsEntry("increase", 0.05);
            assertThat(q.message()).isEqualTo("share of missing values rose from 0 to 0.05000 (+0.05000 >= 0.05000)");
        });
    }

    @Test
    void outOfRangeFiresAboveTheShareExpectedByChance() {
        double[] ref = new double[1000];
        for (int i = 0; i < ref.length; i++) {
            ref[i] = i / 999.0;
        }
        // threshold max(0.01, 2.5 * 2 / 1001) = 0.01: 9 of 1000 outside stay quiet, 10 fire
        double[] cur = ref.clone();
        for (int i = 0; i < 9; i++) {
            cur[i] = 2;
        }
        Map<String, ColumnValues> r = side(col("x", ColumnValues.numeric(ref, 0)));
        assertThat(DriftAnalyzer.builder().build().analyze(r, side(col("x", ColumnValues.numeric(cur, 0)))).checks())
                .isEmpty();
        cur[9] = -1;
        QualityCheck q = DriftAnalyzer.builder().build().analyze(r, side(col("x", ColumnValues.numeric(cur, 0))))
                .checks().get(0);
        assertThat(q.kind()).isEqualTo(QualityCheck.Kind.OUT_OF_RANGE);
        assertThat(q.numbers()).containsEntry("below", 1.0).containsEntry("above", 9.0).containsEntry("share", 0.01)
                .containsEntry("threshold", 0.01).containsEntry("reference_min", 0.0)
                .containsEntry("reference_max", 1.0).containsEntry("current_min", -1.0)
                .containsEntry("current_max", 2.0);
        // with 100 reference values the expected share outside is 2 / 101; the threshold is 2.5 times that, 0.0495
        double[] small = new double[100];
        for (int i = 0; i < small.length; i++) {
            small[i] = i;
        }
        double[] four = small.clone();
        for (int i = 0; i < 4; i++) {
            four[i] = 100 + i;
        }
        Map<String, ColumnValues> s = side(col("x", ColumnValues.numeric(small, 0)));
        assertThat(DriftAnalyzer.builder().build().analyze(s, side(col("x", ColumnValues.numeric(four, 0))))
                .checks()).isEmpty();
        double[] five = four.clone();
        five[4] = 104;
        QualityCheck q5 = DriftAnalyzer.builder().build().analyze(s, side(col("x", ColumnValues.numeric(five, 0))))
                .checks().get(0);
        assertThat(q5.numbers()).containsEntry("above", 5.0).containsEntry("share", 0.05);
        assertThat(q5.numbers().get("threshold")).isCloseTo(5.0 / 101, within(1e-15));
    }

    @Test
    void unseenCategoriesFireFromOnePercentOfTheRows() {
        String[] ref = new String[1000];
        Arrays.fill(ref, "a");
        String[] cur = ref.clone();
        for (int i = 0; i < 9; i++) {
            cur[i] = "new";
        }
        Map<String, ColumnValues> r = side(col("c", ColumnValues.categorical(ref, 0)));
        assertThat(DriftAnalyzer.builder().build().analyze(r, side(col("c", ColumnValues.categorical(cur, 0))))
                .checks()).isEmpty();
        cur[9] = "other";
        QualityCheck q = DriftAnalyzer.builder().build().analyze(r, side(col("c", ColumnValues.categorical(cur, 0))))
                .checks().get(0);
        assertThat(q.numbers()).containsEntry("unseen_categories", 2.0).containsEntry("unseen_values", 10.0)
                .containsEntry("share", 0.01);
        assertThat(q.message()).isEqualTo(
                "2 categories the reference never had hold 10 current values: share 0.01000 >= 0.01000 (first: new,"
                        + " other)");
    }

    // ---- JSON ----

    private static DriftReport mixedReport() {
        SplittableRandom rnd = new SplittableRandom(12);
        Map<String, ColumnValues> ref = side(col("x", ColumnValues.numeric(gaussian(rnd, 500, 0), 3)),
                col("c", ColumnValues.categorical(categories(rnd, 503, 0.5), 0)),
                col("k", ColumnValues.numeric(new double[503], 0)),
                col("gone", ColumnValues.numeric(new double[503], 0)));
        Map<String, ColumnValues> cur = side(col("x", ColumnValues.numeric(gaussian(rnd, 450, 1), 50)),
                col("c", ColumnValues.categorical(categories(rnd, 500, 0.6), 0)),
                col("k", ColumnValues.numeric(new double[500], 0)));
        return DriftAnalyzer.builder().columns(List.of("x", "c", "k", "gone")).build().analyze(ref, cur);
    }

    @Test
    void jsonHasTheContractFieldsInAFixedOrder() throws Exception {
        DriftReport report = mixedReport();
        String text = DriftReportJson.toJson(report);
        assertThat(DriftReportJson.toJson(mixedReport())).isEqualTo(text);
        JsonNode root = JSON.readTree(text);
        List<String> fields = new ArrayList<>();
        root.fieldNames().forEachRemaining(fields::add);
        assertThat(fields).containsExactly("reference_rows", "current_rows", "alpha", "correction", "checks",
                "columns", "skipped", "decided_columns", "drifted_columns", "drift_share", "share_threshold",
                "dataset_drift");
        assertThat(root.get("reference_rows").asLong()).isEqualTo(503);
        assertThat(root.get("current_rows").asLong()).isEqualTo(500);
        assertThat(root.get("checks").get(0).get("check").asText()).isEqualTo("missing_column");
        assertThat(root.get("checks").get(1).get("check").asText()).isEqualTo("missing_share_jump");
        JsonNode x = root.get("columns").get(0);
        List<String> colFields = new ArrayList<>();
        x.fieldNames().forEachRemaining(colFields::add);
        assertThat(colFields).containsExactly("name", "type", "reference_missing", "current_missing",
                "reference_count", "current_count", "identifier_like", "in_decision", "results", "drift", "decision");
        assertThat(x.get("type").asText()).isEqualTo("numeric");
        assertThat(x.get("reference_missing").asLong()).isEqualTo(3);
        assertThat(x.get("current_missing").asLong()).isEqualTo(50);
        JsonNode ks = x.get("results").get(0);
        List<String> resFields = new ArrayList<>();
        ks.fieldNames().forEachRemaining(resFields::add);
        assertThat(resFields).containsExactly("method", "statistic", "p_value", "threshold", "drift");
        assertThat(ks.get("method").asText()).isEqualTo("ks");
        assertThat(x.get("results").get(1).get("p_value").isNull()).isTrue();
        JsonNode d = x.get("decision");
        List<String> decFields = new ArrayList<>();
        d.fieldNames().forEachRemaining(decFields::add);
        assertThat(decFields).containsExactly("method", "p_value", "alpha", "correction", "tests", "threshold",
                "significant", "effect", "effect_size", "min_effect", "large_enough", "drift", "reason");
        assertThat(d.get("tests").asInt()).isEqualTo(3);
        assertThat(x.get("drift").asBoolean()).isTrue();
        JsonNode c = root.get("columns").get(1);
        assertThat(c.get("results").get(1).get("category").asText()).isIn("a", "b");
        assertThat(c.get("decision").get("category").asText()).isIn("a", "b");
        // the constant column: wasserstein_normed is null with its note
        JsonNode wn = root.get("columns").get(2).get("results").get(1);
        assertThat(wn.get("statistic").isNull()).isTrue();
        assertThat(wn.get("note").asText()).contains("constant");
        JsonNode gone = root.get("columns").get(3);
        assertThat(gone.get("current_missing").isNull()).isTrue();
        assertThat(gone.get("decision").isNull()).isTrue();
        assertThat(gone.get("error").asText()).isEqualTo("column 'gone' is not in the current data");
        assertThat(root.get("drifted_columns").asInt()).isEqualTo(report.driftedColumns());
        assertThat(root.get("drift_share").asDouble()).isEqualTo(report.driftShare().getAsDouble());
    }

    @Test
    void aFailingTargetIsAStorageError() {
        java.io.OutputStream broken = new java.io.OutputStream() {
            @Override
            public void write(int b) throws java.io.IOException {
                throw new java.io.IOException("disk full");
            }
        };
        assertThatThrownBy(() -> DriftReportJson.write(mixedReport(), broken))
                .isInstanceOf(dev.mlops.StorageException.class)
                .hasMessage("could not write the drift report: disk full");
    }

    @Test
    void anUndefinedDriftShareIsNullWithANote() throws Exception {
        JsonNode root = JSON.readTree(DriftReportJson.toJson(DriftAnalyzer.builder().build().analyze(Map.of(),
                Map.of())));
        assertThat(root.get("drift_share").isNull()).isTrue();
        assertThat(root.get("note").asText()).isEqualTo("no column was in the drift decision");
        assertThat(root.get("dataset_drift").asBoolean()).isFalse();
    }
}
