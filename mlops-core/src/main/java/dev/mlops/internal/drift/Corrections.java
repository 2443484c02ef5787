package dev.mlops.internal.drift;

import dev.mlops.drift.Correction;
import java.util.Arrays;

/** Effective thresholds for testing many columns at once ({@link Correction}). Stateless. */
public final class Corrections {
    private Corrections() {
    }

    /**
     * The effective threshold for these p-values at level {@code alpha}: a p-value is significant when it is at most
     * the result. With no p-values the threshold is alpha.
     */
    public static double threshold(Correction correction, double alpha, double[] pValues) {
        int m = pValues.length;
        if (m == 0 || correction == Correction.NONE) {
            return alpha;
        }
        if (correction == Correction.BONFERRONI) {
            return alpha / m;
        }
        double[] p = pValues.clone();
        Arrays.sort(p);
        for (int k = m; k >= 1; k--) {
            double t = k * alpha / m;
            if (p[k - 1] <= t) {
                return t;
            }
        }
        return alpha / m;
    }
}
