package dev.mlops.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mlops.InvalidArgumentException;
import dev.mlops.internal.drift.CountTests;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ProfileComparisonTest {
    private static final List<DriftMethod> BINNED = List.of(DriftMethod.PSI, DriftMethod.JENSEN_SHANNON,
            DriftMethod.HELLINGER, DriftMethod.TVD);

    private static ColumnProfile numeric(double[] v) {
        return ColumnProfiler.numeric("x").addAll(v).toProfile();
    }

    private static ProfileMethodResult result(List<ProfileMethodResult> rs, DriftMethod m) {
        return rs.stream().filter(r -> r.method() == m).findFirst().orElseThrow();
    }

    private static double[] normal(SplittableRandom rnd, int n, double shift) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            double u1 = rnd.nextDouble();
            double u2 = rnd.nextDouble();
            v[i] = shift + Math.sqrt(-2 * Math.log(1 - u1)) * Math.cos(2 * Math.PI * u2);
        }
        return v;
    }

    /** Exact sketches (fewer values than kllK) give the raw-value statistics and p-value exactly. */
    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
    void exactSketchesGiveRawResults(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        boolean discrete = seed % 2 == 0;
        double[] ref = new double[100 + rnd.nextInt(90)];
        double[] cur = new double[80 + rnd.nextInt(100)];
        for (int i = 0; i < ref.length; i++) {
            ref[i] = discrete ? rnd.nextInt(8) : rnd.nextDouble() * 10;
        }
        for (int i = 0; i < cur.length; i++) {
            cur[i] = discrete ? rnd.nextInt(9) : rnd.nextDouble() * 10 + (seed % 3) * 0.7;
        }
        List<ProfileMethodResult> rs = ProfileComparison.compare(numeric(ref), numeric(cur));
        MethodResult ks = TwoSampleTests.numeric(DriftMethod.KS, ref, cur);
        ProfileMethodResult pks = result(rs, DriftMethod.KS);
        assertThat(pks.statistic().getAsDouble()).isEqualTo(ks.statistic().getAsDouble());
        assertThat(pks.pValue().getAsDouble()).isEqualTo(ks.pValue().getAsDouble());
        assertThat(pks.errorBound()).isZero();
        for (DriftMethod m : BINNED) {
            MethodResult raw = TwoSampleTests.numeric(m, ref, cur);
            ProfileMethodResult p = result(rs, m);
            assertThat(p.statistic().getAsDouble()).as(m.id())
                    .isCloseTo(raw.statistic().getAsDouble(), org.assertj.core.data.Offset.offset(1e-12));
            assertThat(p.errorBound()).isZero();
        }
    }

    /** Exact category counts give the raw-value share methods. */
    @ParameterizedTest
    @ValueSource(longs = {11, 12, 13})
    void exactCategoriesGiveRawResults(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        ColumnProfiler a = ColumnProfiler.categorical("c");
        ColumnProfiler b = ColumnProfiler.categorical("c");
        Map<String, Long> ra = new HashMap<>();
        Map<String, Long> rb = new HashMap<>();
        for (int i = 0; i < 5000; i++) {
            String x = "k" + rnd.nextInt(12);
            String y = "k" + (rnd.nextInt(12) + (int) (seed % 2));
            a.add(x);
            b.add(y);
            ra.merge(x, 1L, Long::sum);
            rb.merge(y, 1L, Long::sum);
        }
        List<ProfileMethodResult> rs = ProfileComparison.compare(a.toProfile(), b.toProfile());
        for (DriftMethod m : List.of(DriftMethod.L_INFINITY, DriftMethod.PSI, DriftMethod.JENSEN_SHANNON,
                DriftMethod.HELLINGER, DriftMethod.TVD)) {
            MethodResult raw = TwoSampleTests.categorical(m, ra, rb, m.defaultThreshold());
            ProfileMethodResult p = result(rs, m);
            assertThat(p.statistic().getAsDouble()).as(m.id())
                    .isCloseTo(raw.statistic().getAsDouble(), org.assertj.core.data.Offset.offset(1e-12));
            assertThat(p.errorBound()).isZero();
        }
    }

    /**
     * Same distribution, 100,000 rows a side, many seeds: no method alarms from profiles; the sketch KS alone (without
     * its error bound) would exceed the threshold in some seeds, which is the alarm whylogs raises.
     */
    @Test
    void sameDistributionRaisesNoAlarm() {
        int naive = 0;
        double maxRawKs = 0;
        for (long seed = 100; seed < 130; seed++) {
            SplittableRandom rnd = new SplittableRandom(seed);
            double[] ref = normal(rnd, 100_000, 0);
            double[] cur = normal(rnd, 100_000, 0);
            List<ProfileMethodResult> rs = ProfileComparison.compare(numeric(ref), numeric(cur));
            for (ProfileMethodResult r : rs) {
                assertThat(r.drift()).as("seed " + seed + " " + r).isFalse();
            }
            ProfileMethodResult ks = result(rs, DriftMethod.KS);
            if (ks.statistic().getAsDouble() > ks.threshold()) {
                naive++;
            }
            maxRawKs = Math.max(maxRawKs, TwoSampleTests.numeric(DriftMethod.KS, ref, cur).statistic().getAsDouble());
        }
        assertThat(naive).as("sketch KS above the threshold without its bound").isGreaterThan(0);
        assertThat(maxRawKs).as("raw-value KS").isLessThan(DriftAnalyzer.DEFAULT_MIN_NUMERIC_EFFECT);
    }

    @Test
    void shiftOfAThirdSdIsFound() {
        SplittableRandom rnd = new SplittableRandom(7);
        List<ProfileMethodResult> rs = ProfileComparison.compare(numeric(normal(rnd, 100_000, 0)),
                numeric(normal(rnd, 100_000, 0.3)));
        ProfileMethodResult ks = result(rs, DriftMethod.KS);
        assertThat(ks.errorBound()).isGreaterThan(0);
        assertThat(ks.drift()).isTrue();
        assertThat(ks.pValue().getAsDouble()).isLessThan(1e-100);
        assertThat(ks.statistic().getAsDouble() - ks.errorBound()).isGreaterThan(0.08);
    }

    @Test
    void seattleWinterAgainstSummerTempMax() {
        ColumnProfiler winter = ColumnProfiler.numeric("temp_max", new ProfileOptions(8, 1000));
        ColumnProfiler summer = ColumnProfiler.numeric("temp_max", new ProfileOptions(8, 1000));
        for (String[] row : DriftData.seattle()) {
            int month = Integer.parseInt(row[0].substring(5, 7));
            double t = Double.parseDouble(row[2]);
            if (month == 12 || month <= 2) {
                winter.add(t);
            } else if (month >= 6 && month <= 8) {
                summer.add(t);
            }
        }
        List<ProfileMethodResult> rs = ProfileComparison.compare(winter.toProfile(), summer.toProfile());
        ProfileMethodResult ks = result(rs, DriftMethod.KS);
        assertThat(ks.errorBound()).isGreaterThan(0);
        assertThat(ks.drift()).isTrue();
        assertThat(ks.statistic().getAsDouble()).isGreaterThan(0.9 - ks.errorBound());
    }

    /** The raw-value statistic on the same bins lies within statistic +- error_bound. */
    @ParameterizedTest
    @ValueSource(longs = {21, 22, 23, 24, 25, 26, 27, 28, 29, 30})
    void errorBoundsHold(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int n = 20_000 + rnd.nextInt(30_000);
        double shift = (seed % 3) * 0.1;
        double[] ref = normal(rnd, n, 0);
        double[] cur = normal(rnd, n + rnd.nextInt(5000), shift);
        ColumnProfile rp = numeric(ref);
        ColumnProfile cp = numeric(cur);
        List<ProfileMethodResult> rs = ProfileComparison.compare(rp, cp);
        ProfileMethodResult ks = result(rs, DriftMethod.KS);
        double rawKs = TwoSampleTests.numeric(DriftMethod.KS, ref, cur).statistic().getAsDouble();
        assertThat(Math.abs(ks.statistic().getAsDouble() - rawKs)).isLessThanOrEqualTo(ks.errorBound());
        // the same bins as the profile comparison: split points below the minimum, sketch deciles, maximum
        KllQuantiles q = rp.quantiles().orElseThrow();
        List<Double> splits = new ArrayList<>();
        splits.add(Math.nextDown(q.min().getAsDouble()));
        for (int d = 1; d <= 9; d++) {
            double v = q.quantile(d / 10.0).getAsDouble();
            if (splits.size() == 1 || v != splits.get(splits.size() - 1)) {
                splits.add(v);
            }
        }
        splits.add(q.max().getAsDouble());
        double[] s = splits.stream().mapToDouble(Double::doubleValue).toArray();
        long[] rc = binCounts(s, ref);
        long[] cc = binCounts(s, cur);
        for (DriftMethod m : BINNED) {
            double raw = CountTests.distance(m.id(), rc, cc, null).statistic();
            ProfileMethodResult p = result(rs, m);
            assertThat(p.errorBound()).isGreaterThan(0);
            assertThat(Math.abs(p.statistic().getAsDouble() - raw)).as(m.id()).isLessThanOrEqualTo(p.errorBound());
        }
    }

    private static long[] binCounts(double[] splits, double[] v) {
        long[] c = new long[splits.length + 1];
        for (double x : v) {
            int i = Arrays.binarySearch(splits, x);
            c[i >= 0 ? i : -i - 1]++;
        }
        return c;
    }

    /** Above the category cap: l_infinity within its frequent-items bound of the raw value; share methods empty. */
    @ParameterizedTest
    @ValueSource(longs = {41, 42, 43, 44, 45})
    void frequentItemsBoundHolds(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        ProfileOptions small = new ProfileOptions(200, 16);
        ColumnProfiler a = ColumnProfiler.categorical("c", small);
        ColumnProfiler b = ColumnProfiler.categorical("c", small);
        Map<String, Long> ra = new HashMap<>();
        Map<String, Long> rb = new HashMap<>();
        for (int i = 0; i < 20_000; i++) {
            String x = "k" + (int) Math.floor(Math.pow(rnd.nextDouble(), 3) * 200);
            String y = "k" + (int) Math.floor(Math.pow(rnd.nextDouble(), 3 + (seed % 2)) * 200);
            a.add(x);
            b.add(y);
            ra.merge(x, 1L, Long::sum);
            rb.merge(y, 1L, Long::sum);
        }
        List<ProfileMethodResult> rs = ProfileComparison.compare(a.toProfile(), b.toProfile());
        ProfileMethodResult linf = result(rs, DriftMethod.L_INFINITY);
        double raw = TwoSampleTests.categorical(DriftMethod.L_INFINITY, ra, rb).statistic().getAsDouble();
        assertThat(linf.errorBound()).isGreaterThan(0);
        assertThat(Math.abs(linf.statistic().getAsDouble() - raw)).isLessThanOrEqualTo(linf.errorBound());
        for (DriftMethod m : BINNED) {
            assertThat(result(rs, m).statistic()).isEmpty();
            assertThat(result(rs, m).drift()).isFalse();
            assertThat(result(rs, m).note()).isPresent();
        }
    }

    /** Dataset profiles, through their JSON: every shared column of the same kind, in the reference's order. */
    @Test
    void datasetProfilesThroughJson() {
        SplittableRandom rnd = new SplittableRandom(5);
        DatasetProfiler pa = DatasetProfiler.builder().numeric("x").categorical("c").build();
        DatasetProfiler pb = DatasetProfiler.builder().categorical("c").numeric("x").build();
        for (int i = 0; i < 3000; i++) {
            pa.column("x").add(rnd.nextDouble());
            pa.column("c").add(rnd.nextBoolean() ? "a" : "b");
            pb.column("x").add(rnd.nextDouble() + 0.5);
            pb.column("c").add(rnd.nextBoolean() ? "a" : "b");
        }
        DatasetProfile ref = DatasetProfile.fromJson(pa.toProfile().toJson());
        Map<String, List<ProfileMethodResult>> out = ProfileComparison.compare(ref, pb.toProfile());
        assertThat(out.keySet()).containsExactly("x", "c");
        assertThat(result(out.get("x"), DriftMethod.KS).drift()).isTrue();
        assertThat(result(out.get("c"), DriftMethod.L_INFINITY).drift()).isFalse();
        assertThat(result(out.get("c"), DriftMethod.L_INFINITY).errorBound()).isZero();
    }

    @Test
    void kindsMustMatch() {
        assertThatThrownBy(() -> ProfileComparison.compare(numeric(new double[] {1}),
                ColumnProfiler.categorical("x").add("a").toProfile()))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("column 'x'");
    }
    /**
     * A handful of current values against a large (inexact) reference: a large KS distance that is not significant
     * must not drift, the same handful far outside the reference must.
     */
    @Test
    void fewCurrentValuesNeedSignificance() {
        SplittableRandom rnd = new SplittableRandom(41);
        ColumnProfile ref = numeric(normal(rnd, 100_000, 0));
        ProfileMethodResult near = result(ProfileComparison.compare(ref, numeric(new double[] {0.9, 1.1})),
                DriftMethod.KS);
        assertThat(near.statistic().getAsDouble() - near.errorBound()).isGreaterThan(near.threshold());
        assertThat(near.pValue().getAsDouble()).isGreaterThan(0.05);
        assertThat(near.drift()).isFalse();
        ProfileMethodResult far = result(ProfileComparison.compare(ref,
                numeric(new double[] {6, 6.5, 7, 7.5, 8, 8.5, 9, 9.5})), DriftMethod.KS);
        assertThat(far.pValue().getAsDouble()).isLessThan(0.05);
        assertThat(far.drift()).isTrue();

        ColumnProfiler halfHalf = ColumnProfiler.categorical("c");
        for (int i = 0; i < 100_000; i++) {
            halfHalf.add(i % 2 == 0 ? "a" : "b");
        }
        ColumnProfile refCats = halfHalf.toProfile();
        ColumnProfiler three = ColumnProfiler.categorical("c");
        ColumnProfiler fifty = ColumnProfiler.categorical("c");
        for (int i = 0; i < 50; i++) {
            if (i < 3) {
                three.add("a");
            }
            fifty.add("a");
        }
        ProfileMethodResult few = result(ProfileComparison.compare(refCats, three.toProfile()),
                DriftMethod.L_INFINITY);
        assertThat(few.statistic().getAsDouble()).isEqualTo(0.5);
        assertThat(few.pValue().getAsDouble()).isGreaterThan(0.05);
        assertThat(few.drift()).isFalse();
        ProfileMethodResult many = result(ProfileComparison.compare(refCats, fifty.toProfile()),
                DriftMethod.L_INFINITY);
        assertThat(many.pValue().getAsDouble()).isLessThan(1e-6);
        assertThat(many.drift()).isTrue();
    }

    /**
     * The sketch KS p-value is that of statistic - error_bound, so it is never below the raw-value p-value (the
     * raw-value distance is at least the lowered one): conservative.
     */
    @ParameterizedTest
    @ValueSource(longs = {61, 62, 63, 64, 65, 66, 67, 68})
    void sketchKsPValueIsConservative(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int n = 12_000 + rnd.nextInt(40_000);
        int m = 12_000 + rnd.nextInt(40_000);
        double shift = rnd.nextDouble() * 0.08;
        double[] ref = normal(rnd, n, 0);
        double[] cur = normal(rnd, m, shift);
        ProfileMethodResult ks = result(ProfileComparison.compare(numeric(ref), numeric(cur)), DriftMethod.KS);
        MethodResult raw = TwoSampleTests.numeric(DriftMethod.KS, ref, cur);
        assertThat(ks.errorBound()).isGreaterThan(0);
        assertThat(ks.pValue().getAsDouble()).as("shift " + shift)
                .isGreaterThanOrEqualTo(raw.pValue().getAsDouble());
    }
}
