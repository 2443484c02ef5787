package dev.mlops.drift;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A schema or quality finding, reported before the statistics: what was found, in which column, the numbers it was
 * found from (in a fixed order, for example {@code reference_share}, {@code current_share}, {@code increase},
 * {@code threshold}) and a sentence saying it. Only checks that fire are reported; thresholds are the constants below,
 * documented in {@code docs/drift.md}. Immutable.
 *
 * @param kind    what was checked
 * @param column  the column
 * @param numbers the numbers, in insertion order (copied), each finite
 * @param message what was found, with its numbers
 */
public record QualityCheck(Kind kind, String column, Map<String, Double> numbers, String message) {
    /** A missing-share jump fires when the current share exceeds the reference's by at least this (5 points). */
    public static final double MISSING_SHARE_INCREASE = 0.05;
    /**
     * Values outside the reference's [min, max] fire when their share of the current values is at least
     * {@code max(OUT_OF_RANGE_SHARE, OUT_OF_RANGE_EXPECTED_FACTOR x 2 / (n_ref + 1))}: 1%, and at least 2.5 times
     * the share expected outside the range when nothing changed ({@code 2 / (n_ref + 1)} for continuous values).
     */
    public static final double OUT_OF_RANGE_SHARE = 0.01;
    /** See {@link #OUT_OF_RANGE_SHARE}. */
    public static final double OUT_OF_RANGE_EXPECTED_FACTOR = 2.5;
    /** Unseen categories fire when the current values in categories the reference never had reach this share (1%). */
    public static final double UNSEEN_SHARE = 0.01;

    /** The checks. */
    public enum Kind {
        /** A column of the reference is not in the current data. */
        MISSING_COLUMN("missing_column"),
        /** A column of the current data is not in the reference. */
        NEW_COLUMN("new_column"),
        /** The column's type differs between reference and current. */
        TYPE_CHANGED("type_changed"),
        /** The share of missing values rose by at least {@link #MISSING_SHARE_INCREASE}. */
        MISSING_SHARE_JUMP("missing_share_jump"),
        /** Current values below the reference minimum or above its maximum. */
        OUT_OF_RANGE("out_of_range"),
        /** Current values in categories the reference never had. */
        UNSEEN_CATEGORIES("unseen_categories");

        private final String id;

        Kind(String id) {
            this.id = id;
        }

        /** The name in JSON, for example {@code "missing_share_jump"}. */
        public String id() {
            return id;
        }
    }

    public QualityCheck {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(column, "column");
        Objects.requireNonNull(message, "message");
        LinkedHashMap<String, Double> copy = new LinkedHashMap<>();
        for (Map.Entry<String, Double> e : numbers.entrySet()) {
            if (e.getKey() == null || e.getValue() == null || !Double.isFinite(e.getValue())) {
                throw new IllegalArgumentException("numbers must be finite and named: " + e);
            }
            copy.put(e.getKey(), e.getValue());
        }
        numbers = Collections.unmodifiableMap(copy);
    }
}
