package dev.mlops.data;

/** The inferred type of a tabular column. */
public enum ColumnType {
    /** Every non-missing value parses as a number. */
    NUMERIC,
    /** Text or codes from a limited set of values. */
    CATEGORICAL,
    /** Every non-missing value parses as an ISO-8601 date or date-time. */
    DATETIME,
    /** Text or integers of which nearly every one is distinct (keys, ids): not useful for statistics. */
    IDENTIFIER
}
