package dev.mlops.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.mlops.InvalidArgumentException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The public API: validation, comparators, thresholds, edge cases and speed of the two-sample methods. */
class TwoSampleTestsTest {

    private static double[] gaussian(SplittableRandom rnd, int n, double shift) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = rnd.nextGaussian() + shift;
        }
        return v;
    }

    @Test
    void ksOnAMillionValuesASideIsFastAndUsesTheAsymptoticPath() {
        SplittableRandom rnd = new SplittableRandom(7);
        double[] ref = gaussian(rnd, 1_000_000, 0);
        double[] cur = gaussian(rnd, 1_000_000, 0);
        double[] shifted = gaussian(rnd, 1_000_000, 0.01);
        TwoSampleTests.numeric(DriftMethod.KS, ref, cur); // warm up
        long start = System.nanoTime();
        MethodResult same = TwoSampleTests.numeric(DriftMethod.KS, ref, cur);
        long millis = (System.nanoTime() - start) / 1_000_000;
        MethodResult moved = TwoSampleTests.numeric(DriftMethod.KS, ref, shifted);
        assertThat(millis).as("KS on 1,000,000 + 1,000,000 values, ms").isLessThan(3000);
        assertThat(same.statistic().getAsDouble()).isLessThan(0.003);
        assertThat(same.note()).contains("asymptotic p-value");
        assertThat(moved.pValue().getAsDouble()).isLessThan(1e-6);
        assertThat(moved.drift()).isTrue();
    }

    @Test
    void inputsAreNotModified() {
        double[] ref = {3, 1, 2, -0.0, 5};
        double[] cur = {9, 8, 7};
        TwoSampleTests.numeric(EnumSet.allOf(DriftMethod.class).stream().filter(DriftMethod::appliesToNumeric)
                .toList(), ref, cur, 0.05);
        assertThat(ref).containsExactly(3, 1, 2, -0.0, 5);
        assertThat(cur).containsExactly(9, 8, 7);
    }

    @ParameterizedTest
    @EnumSource(DriftMethod.class)
    void everyMethodIsReachableByItsContractName(DriftMethod m) {
        assertThat(DriftMethod.fromId(m.id().toUpperCase())).isSameAs(m);
        assertThat(m.appliesToNumeric() || m.appliesToCategorical()).isTrue();
    }

    @Test
    void anUnknownMethodNameIsABadArgumentThatListsTheKnownOnes() {
        assertThatThrownBy(() -> DriftMethod.fromId("kolmogorov"))
                .isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("kolmogorov").hasMessageContaining("jensen_shannon")
                .extracting(e -> ((InvalidArgumentException) e).field()).isEqualTo(Optional.of("method"));
    }

    @Test
    void badNumericInputNamesTheSideAndTheIndex() {
        assertThatThrownBy(() -> TwoSampleTests.numeric(DriftMethod.KS, new double[] {1, Double.NaN}, new double[] {1}))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("reference[1]")
                .extracting(e -> ((InvalidArgumentException) e).field()).isEqualTo(Optional.of("reference"));
        assertThatThrownBy(() -> TwoSampleTests.numeric(DriftMethod.KS, new double[] {1},
                new double[] {Double.POSITIVE_INFINITY}))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("current[0]");
        assertThatThrownBy(() -> TwoSampleTests.numeric(DriftMethod.KS, new double[0], new double[] {1}))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("reference has no values");
        assertThatThrownBy(() -> TwoSampleTests.numeric(DriftMethod.CHI2, new double[] {1}, new double[] {1}))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("chi2")
                .extracting(e -> ((InvalidArgumentException) e).field()).isEqualTo(Optional.of("method"));
        assertThatThrownBy(() -> TwoSampleTests.numeric(DriftMethod.KS, new double[] {1}, new double[] {1}, -0.1))
                .isInstanceOf(InvalidArgumentException.class)
                .extracting(e -> ((InvalidArgumentException) e).field()).isEqualTo(Optional.of("threshold"));
    }

    @Test
    void badCountsNameTheSide() {
        assertThatThrownBy(() -> TwoSampleTests.categorical(DriftMethod.CHI2, Map.of("a", -1L), Map.of("a", 1L)))
                .isInstanceOf(InvalidArgumentException.class)
                .extracting(e -> ((InvalidArgumentException) e).field()).isEqualTo(Optional.of("reference"));
        assertThatThrownBy(() -> TwoSampleTests.categorical(DriftMethod.CHI2, Map.of("a", 1L), Map.of("a", 0L)))
                .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("current has no values");
        assertThatThrownBy(() -> TwoSampleTests.categorical(DriftMethod.KS, Map.of("a", 1L), Map.of("a", 1L)))
                .isInstanceOf(InvalidArgumentException.class)
                .extracting(e -> ((InvalidArgumentException) e).field()).isEqualTo(Optional.of("method"));
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(ints = {1, 2, 3, 4, 5})
    void eachVerdictAppliesItsOwnComparatorAtTheReportedThreshold(int seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        double[] ref = gaussian(rnd, 300 + rnd.nextInt(300), 0);
        double[] cur = gaussian(rnd, 300 + rnd.nextInt(300), rnd.nextDouble() * 0.4);
        List<DriftMethod> numeric = new ArrayList<>();
        for (DriftMethod m : DriftMethod.values()) {
            if (m.appliesToNumeric()) {
                numeric.add(m);
            }
        }
        double alpha = 0.01 + rnd.nextDouble() * 0.1;
        List<MethodResult> all = TwoSampleTests.numeric(numeric, ref, cur, alpha);
        assertThat(all).hasSize(numeric.size());
        for (MethodResult r : all) {
            assertThat(r.statistic()).isPresent();
            if (r.method().kind() == DriftMethod.Kind.P_VALUE) {
                assertThat(r.threshold()).isEqualTo(alpha);
                assertThat(r.drift()).isEqualTo(r.pValue().getAsDouble() < alpha);
            } else {
                assertThat(r.pValue()).isEmpty();
                assertThat(r.drift()).isEqualTo(r.statistic().getAsDouble() >= r.threshold());
            }
            // the batch call equals the single call at the same threshold
            MethodResult single = TwoSampleTests.numeric(r.method(), ref, cur, r.threshold());
            assertThat(single).isEqualTo(r);
        }
    }

    @Test
    void wassersteinAndEnergyDefaultToATenthOfTheReferenceStandardDeviation() {
        double[] ref = {0, 2, 4, 6, 8};
        double[] cur = {1, 3, 5, 7, 9.5};
        double sd = Math.sqrt(8.0); // population sd of ref
        MethodResult w = TwoSampleTests.numeric(DriftMethod.WASSERSTEIN, ref, cur);
        assertThat(w.threshold()).isCloseTo(0.1 * sd, within(1e-15));
        assertThat(w.statistic().getAsDouble()).isCloseTo(1.1, within(1e-12));
        assertThat(w.drift()).isTrue();
        MethodResult normed = TwoSampleTests.numeric(DriftMethod.WASSERSTEIN_NORMED, ref, cur);
        assertThat(normed.statistic().getAsDouble()).isCloseTo(1.1 / sd, within(1e-12));
        assertThat(TwoSampleTests.numeric(DriftMethod.ENERGY, ref, cur).threshold()).isCloseTo(0.1 * sd,
                within(1e-15));
        assertThat(TwoSampleTests.numeric(DriftMethod.WASSERSTEIN, ref, cur, 5.0).drift()).isFalse();
    }

    @Test
    void aConstantReferenceHasNoNormedWassersteinAndAnyChangeExceedsTheRawThreshold() {
        double[] ref = {2, 2, 2, 2};
        MethodResult normed = TwoSampleTests.numeric(DriftMethod.WASSERSTEIN_NORMED, ref, new double[] {2, 3});
        assertThat(normed.statistic()).isEmpty();
        assertThat(normed.note()).hasValueSatisfying(n -> assertThat(n).contains("constant"));
        assertThat(normed.drift()).isFalse();
        assertThat(TwoSampleTests.numeric(DriftMethod.WASSERSTEIN, ref, new double[] {2, 3}).drift()).isTrue();
        assertThat(TwoSampleTests.numeric(DriftMethod.WASSERSTEIN, ref, new double[] {2, 2}).drift()).isFalse();
    }

    @Test
    void constantSamplesGiveEmptyNumbersWithANoteAndNoDrift() {
        double[] three = {3, 3, 3, 3};
        double[] four = {4, 4, 4};
        for (DriftMethod m : List.of(DriftMethod.T_TEST, DriftMethod.ANDERSON_DARLING)) {
            MethodResult same = TwoSampleTests.numeric(m, three, three);
            assertThat(same.statistic()).isEmpty();
            assertThat(same.pValue()).isEmpty();
            assertThat(same.note()).isPresent();
            assertThat(same.drift()).isFalse();
        }
        MethodResult t = TwoSampleTests.numeric(DriftMethod.T_TEST, three, four);
        assertThat(t.statistic()).isEmpty();
        assertThat(t.note()).hasValueSatisfying(n -> assertThat(n).contains("constant"));
        assertThat(t.drift()).isFalse();
        MethodResult one = TwoSampleTests.numeric(DriftMethod.CRAMER_VON_MISES, new double[] {1}, four);
        assertThat(one.statistic()).isEmpty();
        assertThat(one.drift()).isFalse();
    }

    @Test
    void lInfinityNamesTheCategoryAndZAndFisherNeedTwoCategories() {
        Map<String, Long> ref = Map.of("sun", 50L, "rain", 40L, "snow", 10L);
        Map<String, Long> cur = Map.of("sun", 20L, "rain", 45L, "fog", 35L);
        MethodResult linf = TwoSampleTests.categorical(DriftMethod.L_INFINITY, ref, cur);
        assertThat(linf.category()).contains("fog");
        assertThat(linf.statistic().getAsDouble()).isCloseTo(0.35, within(1e-15));
        assertThat(linf.drift()).isTrue();
        MethodResult z = TwoSampleTests.categorical(DriftMethod.Z, ref, cur);
        assertThat(z.statistic()).isEmpty();
        assertThat(z.note()).hasValueSatisfying(n -> assertThat(n).contains("found 4"));
        MethodResult tvd = TwoSampleTests.categorical(DriftMethod.TVD, ref, cur);
        assertThat(tvd.statistic().getAsDouble()).isCloseTo(0.4, within(1e-15)); // (0.35 + 0.05 + 0.1 + 0.3) / 2
        MethodResult js = TwoSampleTests.categorical(DriftMethod.JENSEN_SHANNON, ref, ref);
        assertThat(js.statistic().getAsDouble()).isEqualTo(0.0);
        assertThat(js.drift()).isFalse();
    }

    @Test
    void zSignAndFisherOddsFollowTheFirstCategoryInSortedOrder() {
        Map<String, Long> ref = Map.of("yes", 30L, "no", 70L);
        Map<String, Long> cur = Map.of("yes", 50L, "no", 50L);
        // "no" sorts first: its share falls from 0.7 to 0.5, so z > 0
        MethodResult z = TwoSampleTests.categorical(DriftMethod.Z, ref, cur);
        assertThat(z.statistic().getAsDouble()).isPositive();
        MethodResult f = TwoSampleTests.categorical(DriftMethod.FISHER_EXACT, ref, cur);
        assertThat(f.statistic().getAsDouble()).isCloseTo(70.0 * 50 / (50.0 * 30), within(1e-12));
        MethodResult infinite = TwoSampleTests.categorical(DriftMethod.FISHER_EXACT, Map.of("a", 20L),
                Map.of("a", 5L, "b", 15L));
        assertThat(infinite.statistic()).isEmpty();
        assertThat(infinite.note()).hasValueSatisfying(n -> assertThat(n).contains("infinite"));
        assertThat(infinite.drift()).isTrue();
    }

    @Test
    void numericBinsPutValuesOutsideTheReferenceRangeInTheirOwnBins() {
        double[] ref = new double[100];
        for (int i = 0; i < ref.length; i++) {
            ref[i] = i;
        }
        long[][] counts = TwoSampleTests.numericBinCounts(ref, new double[] {-5, 0, 50, 99, 100, 1e300});
        assertThat(counts[0]).hasSize(12);
        assertThat(counts[0][0]).isZero();
        assertThat(counts[0][11]).isZero();
        assertThat(counts[1][0]).isEqualTo(1);
        assertThat(counts[1][11]).isEqualTo(2);
        assertThat(counts[1][1]).isEqualTo(1); // the minimum falls in the first inner bin
        long[][] few = TwoSampleTests.numericBinCounts(new double[] {1, 2, 2, 3}, new double[] {2, 4, 5});
        assertThat(few[0]).containsExactly(1, 2, 1, 0);
        assertThat(few[1]).containsExactly(0, 1, 0, 2);
    }
}
