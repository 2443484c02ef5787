package dev.mlops.policy;

/** Which way a metric improves: accuracy is {@link #HIGHER_IS_BETTER}, a loss or an error rate {@link #LOWER_IS_BETTER}. */
public enum MetricDirection {
    /** Larger values are better (accuracy, AUC, F1). */
    HIGHER_IS_BETTER("higher_is_better"),
    /** Smaller values are better (loss, RMSE, error rate). */
    LOWER_IS_BETTER("lower_is_better");

    private final String id;

    MetricDirection(String id) {
        this.id = id;
    }

    /** The name in policy JSON, for example {@code "higher_is_better"}. */
    public String id() {
        return id;
    }

    /** How much worse {@code value} is than {@code reference}: positive when worse, negative when better. */
    public double degradation(double reference, double value) {
        return this == HIGHER_IS_BETTER ? reference - value : value - reference;
    }
}
