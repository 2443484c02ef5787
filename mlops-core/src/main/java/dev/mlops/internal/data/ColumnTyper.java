package dev.mlops.internal.data;

import dev.mlops.data.ColumnType;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Infers the type of one column from its values, in bounded memory. The rules (also in {@code docs/datasets.md}):
 * <ul>
 *   <li>A value is <em>missing</em> when, stripped of white space, it is empty or {@code NA}, {@code NaN} or
 *       {@code null} in any case; missing values are counted and otherwise ignored.</li>
 *   <li>{@link ColumnType#NUMERIC} when every non-missing value is a number: an optional sign, then digits with an
 *       optional fraction (or a fraction alone), then an optional exponent; or {@code inf} / {@code infinity} in any
 *       case, with an optional sign. White space around a value is ignored.</li>
 *   <li>{@link ColumnType#DATETIME} when every non-missing value is an ISO-8601 date ({@code 2012-01-31}) or
 *       date-time ({@code 2012-01-31T10:15}, with optional seconds and fraction, optionally with {@code Z} or an
 *       offset such as {@code +01:00}; a space may stand for the {@code T}).</li>
 *   <li>{@link ColumnType#IDENTIFIER} when the values are text (not all numbers, not all date-times) or all
 *       integers, there are at least {@value #IDENTIFIER_MIN_VALUES} non-missing values, and at least
 *       {@value #IDENTIFIER_MIN_DISTINCT_RATIO} of them are distinct (counted by {@link DistinctCounter}: exact up
 *       to {@value DistinctCounter#CAPACITY} distinct values, estimated beyond).</li>
 *   <li>{@link ColumnType#CATEGORICAL} otherwise, including a column whose values are all missing and a column with
 *       nested values (JSON arrays or objects).</li>
 * </ul>
 * Not thread-safe.
 */
public final class ColumnTyper {
    /** The fewest non-missing values for a column to count as identifier-like. */
    public static final int IDENTIFIER_MIN_VALUES = 20;
    /** The smallest share of distinct values among the non-missing ones for an identifier-like column. */
    public static final double IDENTIFIER_MIN_DISTINCT_RATIO = 0.95;

    private static final Pattern NUMBER = Pattern.compile(
            "[+-]?(?:(?:[0-9]+(?:\\.[0-9]*)?|\\.[0-9]+)(?:[eE][+-]?[0-9]+)?|(?i:inf|infinity))");
    private static final Pattern INTEGER = Pattern.compile("[+-]?[0-9]+");

    private long missing;
    private long present;
    private boolean numeric = true;
    private boolean integer = true;
    private boolean datetime = true;
    private boolean nested;
    private final DistinctCounter distinct = new DistinctCounter();

    /** Whether {@code value} counts as missing: null, blank, or NA, NaN or null in any case. */
    public static boolean isMissing(String value) {
        if (value == null) {
            return true;
        }
        String v = value.strip();
        return v.isEmpty() || v.equalsIgnoreCase("na") || v.equalsIgnoreCase("nan") || v.equalsIgnoreCase("null");
    }

    /** Whether {@code value} (stripped) is a number by the rule above; missing values are not numbers. */
    public static boolean isNumber(String value) {
        return value != null && NUMBER.matcher(value.strip()).matches();
    }

    /** Whether {@code value} (stripped) is an ISO-8601 date or date-time by the rule above. */
    public static boolean isDateTime(String value) {
        if (value == null) {
            return false;
        }
        String v = value.strip().toUpperCase(Locale.ROOT);
        if (v.length() < 10 || v.charAt(4) != '-' || v.charAt(7) != '-' || !Character.isDigit(v.charAt(0))) {
            return false;
        }
        try {
            if (v.length() == 10) {
                LocalDate.parse(v, DateTimeFormatter.ISO_LOCAL_DATE);
                return true;
            }
            if (v.charAt(10) == ' ') {
                v = v.substring(0, 10) + 'T' + v.substring(11);
            }
            if (v.charAt(10) != 'T') {
                return false;
            }
            boolean offset = v.endsWith("Z") || v.indexOf('+', 11) >= 0 || v.indexOf('-', 11) >= 0;
            if (offset) {
                OffsetDateTime.parse(v, DateTimeFormatter.ISO_OFFSET_DATE_TIME);
            } else {
                LocalDateTime.parse(v, DateTimeFormatter.ISO_LOCAL_DATE_TIME);
            }
            return true;
        } catch (DateTimeParseException e) {
            return false;
        }
    }

    /** Counts one value as text (a CSV cell, or a JSON string, number or boolean as written). */
    public void accept(String value) {
        if (isMissing(value)) {
            missing++;
            return;
        }
        present++;
        String v = value.strip();
        if (numeric) {
            if (NUMBER.matcher(v).matches()) {
                if (integer && !INTEGER.matcher(v).matches()) {
                    integer = false;
                }
            } else {
                numeric = false;
            }
        }
        if (datetime && !isDateTime(v)) {
            datetime = false;
        }
        distinct.add(v);
    }

    /** Counts a value that is not a scalar (a JSON array or object): the column becomes categorical. */
    public void acceptNested() {
        present++;
        nested = true;
        numeric = false;
        datetime = false;
    }

    /** Counts {@code count} missing values (for example JSON records without this key). */
    public void acceptMissing(long count) {
        missing += count;
    }

    public long missing() {
        return missing;
    }

    public long present() {
        return present;
    }

    /** The type of the values counted so far, by the rules in the class comment. */
    public ColumnType type() {
        if (present == 0 || nested) {
            return ColumnType.CATEGORICAL;
        }
        boolean distinctLooking = present >= IDENTIFIER_MIN_VALUES
                && distinct.estimate() >= IDENTIFIER_MIN_DISTINCT_RATIO * present;
        if (numeric) {
            return integer && distinctLooking ? ColumnType.IDENTIFIER : ColumnType.NUMERIC;
        }
        if (datetime) {
            return ColumnType.DATETIME;
        }
        return distinctLooking ? ColumnType.IDENTIFIER : ColumnType.CATEGORICAL;
    }
}
