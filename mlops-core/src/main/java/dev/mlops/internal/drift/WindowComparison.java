package dev.mlops.internal.drift;

import dev.mlops.drift.ColumnProfile;
import dev.mlops.drift.FrequentItemsRow;
import dev.mlops.drift.KllQuantiles;
import dev.mlops.drift.ProfileCategories;
import dev.mlops.drift.ProfileKind;
import dev.mlops.drift.WindowColumn;
import java.util.HashMap;
import java.util.Map;

/**
 * Statistics between two column profiles (a monitoring window and the reference), from their sketches only.
 * Stateless and thread-safe. See docs/drift.md, "Live monitoring".
 */
public final class WindowComparison {
    private WindowComparison() {
    }

    /**
     * The Kolmogorov-Smirnov distance {@code sup_x |F_a(x) - F_b(x)|} between the step distribution functions of two
     * weighted samples (each sorted ascending, weights summing to {@code na} and {@code nb}). Both functions are
     * right-continuous and change only at sample points, so the supremum is attained at one of them: a merge walk
     * that moves past all copies of the smaller value before comparing. NaN when either side is empty.
     */
    public static double ks(double[] va, long[] wa, long na, double[] vb, long[] wb, long nb) {
        if (na == 0 || nb == 0) {
            return Double.NaN;
        }
        int i = 0;
        int j = 0;
        long ca = 0;
        long cb = 0;
        double d = 0;
        while (i < va.length || j < vb.length) {
            double x;
            if (j >= vb.length || (i < va.length && va[i] <= vb[j])) {
                x = va[i];
            } else {
                x = vb[j];
            }
            while (i < va.length && va[i] <= x) {
                ca += wa[i++];
            }
            while (j < vb.length && vb[j] <= x) {
                cb += wb[j++];
            }
            d = Math.max(d, Math.abs((double) ca / na - (double) cb / nb));
        }
        return d;
    }

    /** The KS distance between two sketches' distribution functions; NaN when either is empty. */
    public static double ks(KllQuantiles a, KllQuantiles b) {
        return ks(a.values(), a.weights(), a.n(), b.values(), b.weights(), b.n());
    }

    /**
     * The largest absolute change of a category's share of the non-missing values, over the categories either side
     * counted (a category a side did not count has share 0 there). NaN when either side has no values.
     */
    public static double shareChange(ProfileCategories a, ProfileCategories b) {
        if (a.total() == 0 || b.total() == 0) {
            return Double.NaN;
        }
        Map<String, Long> bc = new HashMap<>();
        for (FrequentItemsRow r : b.items()) {
            bc.put(r.value(), r.lowerBound());
        }
        double d = 0;
        for (FrequentItemsRow r : a.items()) {
            Long other = bc.remove(r.value());
            double pb = other == null ? 0 : (double) other / b.total();
            d = Math.max(d, Math.abs((double) r.lowerBound() / a.total() - pb));
        }
        for (long rest : bc.values()) {
            d = Math.max(d, (double) rest / b.total());
        }
        return d;
    }

    /**
     * What the summaries may add to {@link #shareChange}: each side's share of a category is at most
     * {@code maxError / total} below the truth, so the difference of two shares is off by at most the sum.
     */
    public static double shareErrorBound(ProfileCategories a, ProfileCategories b) {
        double ea = a.total() == 0 ? 0 : (double) a.maxError() / a.total();
        double eb = b.total() == 0 ? 0 : (double) b.maxError() / b.total();
        return ea + eb;
    }

    /**
     * Compares one window column with the same reference column (same kind) by the effect threshold alone
     * ({@code alpha} 1: every p-value passes).
     */
    public static WindowColumn compare(ColumnProfile window, ColumnProfile reference, double threshold,
            long minValues) {
        return compare(window, reference, threshold, 1.0, minValues);
    }

    /**
     * Compares one window column with the same reference column (same kind). The column drifts when the window has at
     * least {@code minValues} values, the conservative p-value of {@code statistic - errorBound}
     * ({@link ProfileStatistics#ksBoundPValue} for KS, {@link ProfileStatistics#shareBoundPValue} for share changes)
     * is below {@code alpha}, and {@code statistic - errorBound > threshold}.
     *
     * @param minValues the fewest values the window needs in the column before drift can be flagged
     */
    public static WindowColumn compare(ColumnProfile window, ColumnProfile reference, double threshold, double alpha,
            long minValues) {
        long invalid = window.rows() - window.count();
        if (window.kind() == ProfileKind.NUMERIC) {
            KllQuantiles w = window.quantiles().orElseThrow();
            KllQuantiles r = reference.quantiles().orElseThrow();
            double d = ks(w, r);
            double bound = window.rankErrorBound() + reference.rankErrorBound();
            double p = Double.isNaN(d) ? Double.NaN : ProfileStatistics.ksBoundPValue(d - bound, w.n(), r.n());
            boolean drift = window.count() >= minValues && p < alpha && d - bound > threshold;
            return new WindowColumn(window.name(), ProfileKind.NUMERIC, "ks", d, bound, p, alpha, threshold, drift,
                    window.count(), invalid, reference.count());
        }
        ProfileCategories w = window.categories().orElseThrow();
        ProfileCategories r = reference.categories().orElseThrow();
        double d = shareChange(w, r);
        double bound = shareErrorBound(w, r);
        double p = Double.isNaN(d) ? Double.NaN : ProfileStatistics.shareBoundPValue(d - bound, w.total(), r.total());
        boolean drift = w.total() >= minValues && p < alpha && d - bound > threshold;
        return new WindowColumn(window.name(), ProfileKind.CATEGORICAL, "l_infinity", d, bound, p, alpha, threshold,
                drift, w.total(), invalid, r.total());
    }
}
