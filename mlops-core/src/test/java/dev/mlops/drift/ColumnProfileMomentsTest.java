package dev.mlops.drift;

import static dev.mlops.drift.ProfileTestData.exact;
import static dev.mlops.drift.ProfileTestData.relative;
import static org.assertj.core.api.Assertions.assertThat;

import dev.mlops.drift.ProfileTestData.Exact;
import dev.mlops.drift.ProfileTestData.Shape;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@DisplayName("Column profiles: counts and moments")
class ColumnProfileMomentsTest {
    private static final double TOL = 1e-12;

    static void assertMomentsMatch(ColumnProfile p, Exact e, String what) {
        assertThat(p.count()).as(what + " count").isEqualTo(e.n());
        assertThat(p.min().getAsDouble()).as(what + " min").isEqualTo(e.min());
        assertThat(p.max().getAsDouble()).as(what + " max").isEqualTo(e.max());
        double mean = p.mean().getAsDouble();
        // relative to the larger of |mean| and the standard deviation: a mean near 0 has no relative accuracy
        double scale = Math.max(e.mean().abs().doubleValue(), e.sd());
        double meanErr = scale == 0 ? Math.abs(mean - e.mean().doubleValue())
                : new BigDecimal(mean).subtract(e.mean()).abs().doubleValue() / scale;
        assertThat(meanErr).as(what + " mean error relative to max(|mean|, sd)").isLessThanOrEqualTo(TOL);
        double m2 = p.variance().getAsDouble() * e.n();
        if (e.m2().signum() == 0) {
            assertThat(p.variance().getAsDouble()).as(what + " variance of a constant").isZero();
        } else {
            assertThat(relative(m2, e.m2())).as(what + " variance, relative").isLessThanOrEqualTo(TOL);
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Shape.class)
    @DisplayName("one pass over the whole equals the exact moments within 1e-12 relative")
    void wholeMatchesExact(Shape shape) {
        SplittableRandom r = new SplittableRandom(11 + shape.ordinal());
        double[] a = shape.generate(100_003, r);
        ColumnProfile p = ColumnProfiler.numeric("x").addAll(a).toProfile();
        assertMomentsMatch(p, exact(a), shape.name());
        assertThat(p.rows()).isEqualTo(a.length);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Shape.class)
    @DisplayName("parts merged in seeded random trees equal the whole: counts exactly, moments within 1e-12")
    void mergedPartsMatchWholeAndExact(Shape shape) {
        for (int seed = 0; seed < 6; seed++) {
            SplittableRandom r = new SplittableRandom(1000L * shape.ordinal() + seed);
            double[] a = shape.generate(10_000 + r.nextInt(30_000), r);
            // sprinkle missing, NaN and infinities into the parts
            int extras = r.nextInt(50);
            double[] withSpecials = new double[a.length + extras];
            System.arraycopy(a, 0, withSpecials, 0, a.length);
            for (int i = a.length; i < withSpecials.length; i++) {
                withSpecials[i] = switch (r.nextInt(3)) {
                    case 0 -> Double.NaN;
                    case 1 -> Double.POSITIVE_INFINITY;
                    default -> Double.NEGATIVE_INFINITY;
                };
            }
            shuffleTail(withSpecials, r);
            ColumnProfile whole = ColumnProfiler.numeric("x").addAll(withSpecials).addMissing(7).toProfile();
            List<ColumnProfile> parts = new ArrayList<>();
            for (int[] range : ProfileTestData.randomParts(withSpecials.length, 1 + r.nextInt(40), r)) {
                parts.add(ColumnProfiler.numeric("x").addAll(withSpecials, range[0], range[1]).toProfile());
            }
            parts.add(ColumnProfiler.numeric("x").addMissing(7).toProfile());
            ColumnProfile merged = ProfileTestData.randomTree(parts, r, ColumnProfile::merge);

            Exact e = exact(withSpecials);
            String what = shape + " seed " + seed;
            assertMomentsMatch(whole, e, what + " whole");
            assertMomentsMatch(merged, e, what + " merged");
            for (ColumnProfile p : List.of(whole, merged)) {
                assertThat(p.rows()).isEqualTo(withSpecials.length + 7);
                assertThat(p.missing()).isEqualTo(7);
                assertThat(p.nanCount() + p.positiveInfinityCount() + p.negativeInfinityCount()).isEqualTo(extras);
            }
            assertThat(merged.nanCount()).isEqualTo(whole.nanCount());
            assertThat(merged.positiveInfinityCount()).isEqualTo(whole.positiveInfinityCount());
            assertThat(merged.negativeInfinityCount()).isEqualTo(whole.negativeInfinityCount());
            double wm2 = whole.variance().getAsDouble();
            double mm2 = merged.variance().getAsDouble();
            assertThat(Math.abs(wm2 - mm2)).as(what + " merged vs whole variance")
                    .isLessThanOrEqualTo(2 * TOL * Math.abs(wm2));
        }
    }

    private static void shuffleTail(double[] a, SplittableRandom r) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            double t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    @Test
    @DisplayName("the same values give the same profile however the calls split them")
    void splittingCallsDoesNotChangeTheBits() {
        SplittableRandom r = new SplittableRandom(5);
        double[] a = Shape.MIXED_MAGNITUDES.generate(30_000, r);
        a[17] = Double.NaN;
        ColumnProfile bulk = ColumnProfiler.numeric("x").addAll(a).toProfile();
        ColumnProfiler one = ColumnProfiler.numeric("x");
        for (double v : a) {
            one.add(v);
        }
        ColumnProfiler chunks = ColumnProfiler.numeric("x");
        int i = 0;
        while (i < a.length) {
            int to = Math.min(a.length, i + r.nextInt(9000));
            chunks.addAll(a, i, to);
            chunks.toProfile(); // a snapshot in between changes nothing
            i = to;
        }
        assertThat(one.toProfile()).isEqualTo(bulk);
        assertThat(chunks.toProfile()).isEqualTo(bulk);
    }

    @Test
    @DisplayName("empty, all-missing, one value and constant columns have defined results")
    void edgeCases() {
        ColumnProfile empty = ColumnProfiler.numeric("x").toProfile();
        assertThat(empty.rows()).isZero();
        assertThat(empty.mean()).isEmpty();
        assertThat(empty.variance()).isEmpty();
        assertThat(empty.quantiles().orElseThrow().isEmpty()).isTrue();
        assertThat(empty.quantiles().orElseThrow().quantile(0.5)).isEmpty();

        ColumnProfile specials = ColumnProfiler.numeric("x").addAll(new double[] {Double.NaN,
                Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY}).addMissing(2)
                .toProfile();
        assertThat(specials.rows()).isEqualTo(6);
        assertThat(specials.count()).isZero();
        assertThat(specials.nanCount()).isEqualTo(1);
        assertThat(specials.positiveInfinityCount()).isEqualTo(1);
        assertThat(specials.negativeInfinityCount()).isEqualTo(2);
        assertThat(specials.min()).isEmpty();

        ColumnProfile one = ColumnProfiler.numeric("x").add(-2.5).toProfile();
        assertThat(one.mean().getAsDouble()).isEqualTo(-2.5);
        assertThat(one.variance().getAsDouble()).isZero();
        assertThat(one.sampleVariance()).isEmpty();
        assertThat(one.quantiles().orElseThrow().quantile(0.5).getAsDouble()).isEqualTo(-2.5);

        double[] c = new double[10_000];
        java.util.Arrays.fill(c, 0.1);
        ColumnProfile constant = ColumnProfiler.numeric("x").addAll(c).toProfile()
                .merge(ColumnProfiler.numeric("x").addAll(c, 0, 3).toProfile());
        assertThat(constant.mean().getAsDouble()).isEqualTo(0.1);
        assertThat(constant.variance().getAsDouble()).isZero();
        assertThat(constant.sampleVariance().getAsDouble()).isZero();
    }

    @Test
    @DisplayName("squared deviations that overflow give an infinite variance that survives JSON")
    void overflowingSpread() {
        ColumnProfile p = ColumnProfiler.numeric("x").addAll(new double[] {-1e300, 1e300, 5e299}).toProfile();
        assertThat(p.variance().getAsDouble()).isInfinite();
        assertThat(p.mean().getAsDouble()).isFinite();
        DatasetProfile d = DatasetProfile.of(List.of(p));
        DatasetProfile back = DatasetProfile.fromJson(d.toJson());
        assertThat(back).isEqualTo(d);
        assertThat(back.column("x").orElseThrow().variance().getAsDouble()).isInfinite();
    }
}
