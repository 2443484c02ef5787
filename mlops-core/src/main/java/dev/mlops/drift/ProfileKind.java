package dev.mlops.drift;

/** What a column profile describes: numbers (moments and a quantile sketch) or categories (counts). */
public enum ProfileKind {
    /** Numbers: counts of missing, NaN and infinite values, moments and a KLL sketch of the finite values. */
    NUMERIC,
    /** Text categories: counts of missing values and of each category (exact up to a cap, then frequent items). */
    CATEGORICAL
}
