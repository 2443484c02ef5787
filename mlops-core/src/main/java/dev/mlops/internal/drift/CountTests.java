package dev.mlops.internal.drift;

import org.apache.commons.statistics.distribution.ChiSquaredDistribution;
import org.apache.commons.statistics.distribution.HypergeometricDistribution;
import org.apache.commons.statistics.distribution.NormalDistribution;

/**
 * Tests and distances on two rows of counts over the same bins (categories in sorted order, or numeric bins), as
 * cli-contract.md defines them: {@code chi2_contingency} (Pearson and log-likelihood, Yates' correction when dof = 1),
 * the pooled two-proportion z-test, {@code fisher_exact}, and the binned distances on the proportions (a bin empty on
 * both sides dropped). Stateless.
 */
public final class CountTests {
    /** What replaces a zero proportion in psi and kl. */
    public static final double EPSILON = 1e-4;
    private static final NormalDistribution STANDARD_NORMAL = NormalDistribution.of(0, 1);

    private CountTests() {
    }

    /** {@code chi2_contingency([ref, cur], correction=True, lambda_=...)}; bins empty on both sides are dropped. */
    public static Outcome chi2(long[] ref, long[] cur, boolean logLikelihood) {
        int[] keep = kept(ref, cur);
        int k = keep.length;
        double n1 = 0;
        double n2 = 0;
        for (int i : keep) {
            n1 += ref[i];
            n2 += cur[i];
        }
        if (n1 == 0 || n2 == 0) {
            return Outcome.ofUndefined("no values on one side");
        }
        int dof = k - 1;
        if (dof == 0) {
            return Outcome.of(0.0, 1.0);
        }
        double total = n1 + n2;
        double stat = 0;
        double comp = 0;
        for (int side = 0; side < 2; side++) {
            double rowSum = side == 0 ? n1 : n2;
            for (int i : keep) {
                double col = (double) ref[i] + cur[i];
                double expected = rowSum * col / total;
                double observed = side == 0 ? ref[i] : cur[i];
                if (dof == 1) {
                    double diff = expected - observed;
                    observed += Math.signum(diff) * Math.min(0.5, Math.abs(diff));
                }
                double term;
                if (logLikelihood) {
                    term = observed == 0 ? 0.0 : 2 * observed * Math.log(observed / expected);
                } else {
                    double d = observed - expected;
                    term = d * d / expected;
                }
                double t = stat + term;
                comp += Math.abs(stat) >= Math.abs(term) ? (stat - t) + term : (term - t) + stat;
                stat = t;
            }
        }
        stat += comp;
        double p = ChiSquaredDistribution.of(dof).survivalProbability(stat);
        return Outcome.of(stat, p);
    }

    /**
     * The pooled two-proportion z-test on the share of the first bin, two-sided; {@code z = 0, p = 1} when both
     * shares are equal. Needs exactly two bins.
     */
    public static Outcome twoProportionZ(long[] ref, long[] cur) {
        double n1 = (double) ref[0] + ref[1];
        double n2 = (double) cur[0] + cur[1];
        if (n1 == 0 || n2 == 0) {
            return Outcome.ofUndefined("no values on one side");
        }
        double p1 = ref[0] / n1;
        double p2 = cur[0] / n2;
        if (p1 == p2) {
            return Outcome.of(0.0, 1.0);
        }
        double pooled = (ref[0] + cur[0]) / (n1 + n2);
        double z = (p1 - p2) / Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
        return Outcome.of(z, 2 * STANDARD_NORMAL.survivalProbability(Math.abs(z)));
    }

    /**
     * {@code fisher_exact} on {@code [[ref0, ref1], [cur0, cur1]]}, two-sided: the sample odds ratio (NaN when
     * infinite or undefined, with a note) and SciPy's p-value (the tables no more likely than the observed one, with
     * a relative tolerance of 1e-14).
     */
    public static Outcome fisher(long[] ref, long[] cur) {
        long c00 = ref[0];
        long c01 = ref[1];
        long c10 = cur[0];
        long c11 = cur[1];
        if (c00 + c10 == 0 || c01 + c11 == 0 || c00 + c01 == 0 || c10 + c11 == 0) {
            return new Outcome(Double.NaN, 1.0, "odds ratio undefined: a row or column of the table is empty", null);
        }
        double odds = (c10 > 0 && c01 > 0) ? (double) c00 * c11 / ((double) c10 * c01) : Double.POSITIVE_INFINITY;
        long n1 = c00 + c01;
        long n2 = c10 + c11;
        long n = c00 + c10;
        if (n1 + n2 > Integer.MAX_VALUE) {
            return Outcome.ofUndefined("fisher_exact supports at most 2^31 - 1 values in all");
        }
        HypergeometricDistribution hg = HypergeometricDistribution.of((int) (n1 + n2), (int) n1, (int) n);
        long mode = (long) ((double) (n + 1) * (n1 + 1) / (n1 + n2 + 2));
        double pexact = hg.probability((int) c00);
        double pmode = hg.probability((int) mode);
        double epsilon = 1e-14;
        double gamma = 1 + epsilon;
        double p;
        if (Math.abs(pexact - pmode) / Math.max(pexact, pmode) <= epsilon) {
            p = 1.0;
        } else if (c00 < mode) {
            double plower = hg.cumulativeProbability((int) c00);
            if (hg.probability((int) n) > pexact * gamma) {
                p = plower;
            } else {
                long guess = search(hg, -pexact * gamma, mode, n, true);
                p = plower + hg.survivalProbability((int) guess);
            }
        } else {
            double pupper = hg.survivalProbability((int) c00 - 1);
            if (hg.probability(0) > pexact * gamma) {
                p = pupper;
            } else {
                long guess = search(hg, pexact * gamma, 0, mode, false);
                p = pupper + hg.cumulativeProbability((int) guess);
            }
        }
        p = Math.min(p, 1.0);
        String note = Double.isFinite(odds) ? null : "odds ratio is infinite: a cell of the table is zero";
        return new Outcome(Double.isFinite(odds) ? odds : Double.NaN, p, note, null);
    }

    /**
     * SciPy's binary search over a monotone stretch of the pmf (negated when {@code negate}): the index i with
     * {@code a(i) <= d < a(i + 1)}.
     */
    private static long search(HypergeometricDistribution hg, double d, long lo, long hi, boolean negate) {
        while (lo < hi) {
            long mid = lo + (hi - lo) / 2;
            double midval = hg.probability((int) mid);
            if (negate) {
                midval = -midval;
            }
            if (midval < d) {
                lo = mid + 1;
            } else if (midval > d) {
                hi = mid - 1;
            } else {
                return mid;
            }
        }
        double at = hg.probability((int) lo);
        if (negate) {
            at = -at;
        }
        return at <= d ? lo : lo - 1;
    }

    /** The indexes of the bins that hold a value on at least one side. */
    static int[] kept(long[] ref, long[] cur) {
        int k = 0;
        for (int i = 0; i < ref.length; i++) {
            if (ref[i] + cur[i] > 0) {
                k++;
            }
        }
        int[] keep = new int[k];
        k = 0;
        for (int i = 0; i < ref.length; i++) {
            if (ref[i] + cur[i] > 0) {
                keep[k++] = i;
            }
        }
        return keep;
    }

    /** The binned distances; {@code which} is one of psi, kl, jensen_shannon, hellinger, tvd, l_infinity. */
    public static Outcome distance(String which, long[] ref, long[] cur, String[] labels) {
        int[] keep = kept(ref, cur);
        double n1 = 0;
        double n2 = 0;
        for (int i : keep) {
            n1 += ref[i];
            n2 += cur[i];
        }
        if (n1 == 0 || n2 == 0) {
            return Outcome.ofUndefined("no values on one side");
        }
        int k = keep.length;
        double[] r = new double[k];
        double[] c = new double[k];
        for (int i = 0; i < k; i++) {
            r[i] = ref[keep[i]] / n1;
            c[i] = cur[keep[i]] / n2;
        }
        switch (which) {
            case "psi": {
                double s = 0;
                for (int i = 0; i < k; i++) {
                    double ri = r[i] == 0 ? EPSILON : r[i];
                    double ci = c[i] == 0 ? EPSILON : c[i];
                    s += (ci - ri) * Math.log(ci / ri);
                }
                return Outcome.ofDistance(s);
            }
            case "kl": {
                double s = 0;
                for (int i = 0; i < k; i++) {
                    double ri = r[i] == 0 ? EPSILON : r[i];
                    double ci = c[i] == 0 ? EPSILON : c[i];
                    s += ri * Math.log(ri / ci);
                }
                return Outcome.ofDistance(s);
            }
            case "jensen_shannon": {
                double s = 0;
                for (int i = 0; i < k; i++) {
                    double m = (r[i] + c[i]) / 2.0;
                    s += relEntr(r[i], m) + relEntr(c[i], m);
                }
                return Outcome.ofDistance(Math.sqrt(Math.max(0.0, s / 2.0 / Math.log(2))));
            }
            case "hellinger": {
                double s = 0;
                for (int i = 0; i < k; i++) {
                    s += Math.sqrt(r[i] * c[i]);
                }
                return Outcome.ofDistance(Math.sqrt(Math.max(0.0, 1.0 - s)));
            }
            case "tvd": {
                double s = 0;
                for (int i = 0; i < k; i++) {
                    s += Math.abs(r[i] - c[i]);
                }
                return Outcome.ofDistance(0.5 * s);
            }
            case "l_infinity": {
                double best = -1;
                int at = 0;
                for (int i = 0; i < k; i++) {
                    double d = Math.abs(r[i] - c[i]);
                    if (d > best) {
                        best = d;
                        at = i;
                    }
                }
                return new Outcome(best, Double.NaN, null, labels == null ? null : labels[keep[at]]);
            }
            default:
                throw new IllegalArgumentException("not a binned method: " + which);
        }
    }

    /** {@code scipy.special.rel_entr}: x log(x / y), 0 at x = 0. */
    private static double relEntr(double x, double y) {
        return x == 0 ? 0.0 : x * Math.log(x / y);
    }
}
