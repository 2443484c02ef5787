package dev.mlops.drift;

/**
 * How a column is compared, as {@code cli-contract.md} types it: {@link #NUMERIC} when every non-missing value is a
 * number, {@link #DATETIME} when every one is an ISO-8601 date or date-time, otherwise {@link #CATEGORICAL}.
 */
public enum ColumnType {
    NUMERIC("numeric"),
    DATETIME("datetime"),
    CATEGORICAL("categorical");

    private final String id;

    ColumnType(String id) {
        this.id = id;
    }

    /** The name in JSON, for example {@code "numeric"}. */
    public String id() {
        return id;
    }
}
