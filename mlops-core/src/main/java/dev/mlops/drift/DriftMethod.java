package dev.mlops.drift;

import dev.mlops.InvalidArgumentException;
import java.util.Locale;

/**
 * The two-sample methods of the drift contract ({@code cli-contract.md}), each with the columns it applies to, its
 * kind (a test with a p-value, or a distance) and its default threshold. Statistics are SciPy's; see
 * {@code docs/drift.md} for definitions, units, ranges and edge cases.
 *
 * <p>Comparators: a {@link Kind#P_VALUE} method drifts when {@code p_value < threshold} (threshold = alpha, default
 * {@value #DEFAULT_ALPHA}); a {@link Kind#DISTANCE} drifts when {@code statistic >= threshold}. For
 * {@link #WASSERSTEIN} and {@link #ENERGY}, whose unit is the data's, the default threshold is
 * {@link #defaultThreshold()} times the reference's population standard deviation.
 */
public enum DriftMethod {
    /** Kolmogorov-Smirnov statistic {@code max |F_ref - F_cur|}, in [0, 1]; exact or asymptotic p-value. */
    KS("ks", true, false, Kind.P_VALUE, 0.05),
    /** Cramér-von Mises T statistic (unitless, >= 0 up to small negative values from ties), p-value. */
    CRAMER_VON_MISES("cramer_von_mises", true, false, Kind.P_VALUE, 0.05),
    /** Anderson-Darling k-sample standardised statistic (unitless, may be negative), p-value in [0.001, 0.25]. */
    ANDERSON_DARLING("anderson_darling", true, false, Kind.P_VALUE, 0.05),
    /** Mann-Whitney U of the reference, in [0, n m], two-sided p-value. */
    MANN_WHITNEY("mann_whitney", true, false, Kind.P_VALUE, 0.05),
    /** Welch's t statistic (reference minus current, unitless), two-sided p-value. */
    T_TEST("t_test", true, false, Kind.P_VALUE, 0.05),
    /** Wasserstein-1 distance, in the data's unit, in [0, inf). Default threshold 0.1 x std(reference). */
    WASSERSTEIN("wasserstein", true, false, Kind.DISTANCE, 0.1),
    /** Wasserstein-1 divided by the reference's population standard deviation, unitless, in [0, inf). */
    WASSERSTEIN_NORMED("wasserstein_normed", true, false, Kind.DISTANCE, 0.1),
    /** Energy distance, in the data's unit, in [0, inf). Default threshold 0.1 x std(reference). */
    ENERGY("energy", true, false, Kind.DISTANCE, 0.1),
    /** Pearson chi-squared statistic of the 2 x k table (Yates' correction at dof 1), p-value. */
    CHI2("chi2", false, true, Kind.P_VALUE, 0.05),
    /** G statistic (log-likelihood ratio) of the 2 x k table (Yates' correction at dof 1), p-value. */
    G_TEST("g_test", false, true, Kind.P_VALUE, 0.05),
    /** Pooled two-proportion z on the first category in sorted order (reference minus current), p-value. */
    Z("z", false, true, Kind.P_VALUE, 0.05),
    /** Sample odds ratio of the 2 x 2 table, in [0, inf), Fisher's exact two-sided p-value. */
    FISHER_EXACT("fisher_exact", false, true, Kind.P_VALUE, 0.05),
    /** Population stability index, unitless, in [0, inf). Default threshold 0.2 (the customary "major shift"). */
    PSI("psi", true, true, Kind.DISTANCE, 0.2),
    /** KL(reference || current) in nats, in [0, inf). Default threshold 0.1. */
    KL("kl", true, true, Kind.DISTANCE, 0.1),
    /** Jensen-Shannon distance in base 2, in [0, 1]. Default threshold 0.1. */
    JENSEN_SHANNON("jensen_shannon", true, true, Kind.DISTANCE, 0.1),
    /** Hellinger distance, in [0, 1]. Default threshold 0.1. */
    HELLINGER("hellinger", true, true, Kind.DISTANCE, 0.1),
    /** Largest difference of one category's share, in [0, 1], with the category. Default threshold 0.1. */
    L_INFINITY("l_infinity", false, true, Kind.DISTANCE, 0.1),
    /** Total variation distance, in [0, 1]. Default threshold 0.1. */
    TVD("tvd", true, true, Kind.DISTANCE, 0.1);

    /** The default significance level of the p-value methods. */
    public static final double DEFAULT_ALPHA = 0.05;

    /** What a method's statistic is and how its threshold is compared. */
    public enum Kind {
        /** A test: drift when {@code p_value < threshold}. */
        P_VALUE,
        /** A distance: drift when {@code statistic >= threshold}. */
        DISTANCE
    }

    private final String id;
    private final boolean numeric;
    private final boolean categorical;
    private final Kind kind;
    private final double defaultThreshold;

    DriftMethod(String id, boolean numeric, boolean categorical, Kind kind, double defaultThreshold) {
        this.id = id;
        this.numeric = numeric;
        this.categorical = categorical;
        this.kind = kind;
        this.defaultThreshold = defaultThreshold;
    }

    /** The name in the contract and in JSON, for example {@code "jensen_shannon"}. */
    public String id() {
        return id;
    }

    /** Whether it applies to numeric columns (raw values). */
    public boolean appliesToNumeric() {
        return numeric;
    }

    /** Whether it applies to categorical columns (category counts). */
    public boolean appliesToCategorical() {
        return categorical;
    }

    /** Whether it needs exactly two categories ({@link #Z}, {@link #FISHER_EXACT}). */
    public boolean needsTwoCategories() {
        return this == Z || this == FISHER_EXACT;
    }

    /** Whether it compares bin proportions (psi, kl, jensen_shannon, hellinger, l_infinity, tvd). */
    public boolean binned() {
        return this == PSI || this == KL || this == JENSEN_SHANNON || this == HELLINGER || this == L_INFINITY
                || this == TVD;
    }

    public Kind kind() {
        return kind;
    }

    /**
     * The default threshold: alpha for a p-value method; for a distance the value its statistic is compared with
     * (for {@link #WASSERSTEIN} and {@link #ENERGY} a factor of the reference's standard deviation).
     */
    public double defaultThreshold() {
        return defaultThreshold;
    }

    /**
     * The largest value the method's statistic can take, as its documentation above states: 1 for {@link #KS},
     * {@link #JENSEN_SHANNON}, {@link #HELLINGER}, {@link #L_INFINITY} and {@link #TVD}; positive infinity for the
     * others (unbounded, or bounded by the sample sizes). A threshold above it can never be reached.
     */
    public double statisticUpperBound() {
        return switch (this) {
            case KS, JENSEN_SHANNON, HELLINGER, L_INFINITY, TVD -> 1.0;
            default -> Double.POSITIVE_INFINITY;
        };
    }

    /**
     * The method with this contract name (case-insensitive).
     *
     * @throws InvalidArgumentException naming {@code method} when there is none
     */
    public static DriftMethod fromId(String id) {
        if (id != null) {
            String k = id.trim().toLowerCase(Locale.ROOT);
            for (DriftMethod m : values()) {
                if (m.id.equals(k)) {
                    return m;
                }
            }
        }
        StringBuilder known = new StringBuilder();
        for (DriftMethod m : values()) {
            known.append(known.length() == 0 ? "" : ", ").append(m.id);
        }
        throw new InvalidArgumentException("method", "unknown drift method '" + id + "'; known: " + known);
    }
}
