package dev.mlops.drift;

import dev.mlops.InvalidArgumentException;
import dev.mlops.internal.drift.ColumnState;
import dev.mlops.internal.drift.ProfileJson;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The profiles of a dataset's columns, in column order, all with the same number of rows. Serialises to JSON
 * ({@link #toJson()}, format version {@value #FORMAT_VERSION}, documented in docs/drift.md): the same profile always
 * gives the same bytes, and {@link #fromJson} restores it exactly. Merging the profiles of a dataset's parts gives
 * the profile of the whole (exactly for counts and moments, within the sketches' stated errors for quantiles and
 * frequent items). Two profiles are equal when their JSON is the same.
 *
 * <p>Immutable and thread-safe.
 */
public final class DatasetProfile {
    /** The JSON format version this library writes and reads. */
    public static final int FORMAT_VERSION = ProfileJson.FORMAT_VERSION;

    private final List<ColumnProfile> columns;
    private final Map<String, ColumnProfile> byName;
    private final long rows;
    private volatile byte[] json;

    private DatasetProfile(List<ColumnProfile> columns, long rows) {
        this.columns = List.copyOf(columns);
        Map<String, ColumnProfile> m = new LinkedHashMap<>();
        for (ColumnProfile c : columns) {
            m.put(c.name(), c);
        }
        this.byName = Collections.unmodifiableMap(m);
        this.rows = rows;
    }

    /**
     * A dataset profile of these columns.
     *
     * @throws InvalidArgumentException (field {@code columns}) when there are none, a name repeats, or the columns'
     *                                  row counts differ
     */
    public static DatasetProfile of(List<ColumnProfile> columns) {
        if (columns == null || columns.isEmpty()) {
            throw new InvalidArgumentException("columns", "a dataset profile needs at least one column");
        }
        Map<String, ColumnProfile> seen = new LinkedHashMap<>();
        long rows = columns.get(0).rows();
        for (ColumnProfile c : columns) {
            Objects.requireNonNull(c, "columns must not contain null");
            if (seen.put(c.name(), c) != null) {
                throw new InvalidArgumentException("columns", "column '" + c.name() + "' appears twice");
            }
            if (c.rows() != rows) {
                throw new InvalidArgumentException("columns", "column '" + c.name() + "' has " + c.rows()
                        + " rows but column '" + columns.get(0).name() + "' has " + rows);
            }
        }
        return new DatasetProfile(columns, rows);
    }

    /** The number of rows (each column's {@link ColumnProfile#rows()}). */
    public long rows() {
        return rows;
    }

    /** The columns, in order. */
    public List<ColumnProfile> columns() {
        return columns;
    }

    /** The column names, in order. */
    public List<String> columnNames() {
        return List.copyOf(byName.keySet());
    }

    public Optional<ColumnProfile> column(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /**
     * The profile of both datasets together; the columns keep this profile's order. Neither profile is changed.
     *
     * @throws InvalidArgumentException (field {@code other}) when the column names differ, or a column's kind or
     *                                  settings
     */
    public DatasetProfile merge(DatasetProfile other) {
        if (other == null) {
            throw new InvalidArgumentException("other", "other is required");
        }
        if (!byName.keySet().equals(other.byName.keySet())) {
            List<String> onlyHere = new ArrayList<>(byName.keySet());
            onlyHere.removeAll(other.byName.keySet());
            List<String> onlyThere = new ArrayList<>(other.byName.keySet());
            onlyThere.removeAll(byName.keySet());
            throw new InvalidArgumentException("other", "cannot merge profiles of different columns: only in this"
                    + " one " + onlyHere + ", only in the other " + onlyThere);
        }
        List<ColumnProfile> merged = new ArrayList<>(columns.size());
        for (ColumnProfile c : columns) {
            merged.add(c.merge(other.byName.get(c.name())));
        }
        return new DatasetProfile(merged, rows + other.rows);
    }

    /** The profile as UTF-8 JSON (one line; a fresh array each call). */
    public byte[] toJson() {
        byte[] j = json;
        if (j == null) {
            List<ColumnState> states = new ArrayList<>(columns.size());
            for (ColumnProfile c : columns) {
                states.add(c.state());
            }
            j = ProfileJson.write(rows, states);
            json = j;
        }
        return j.clone();
    }

    /** The profile as a JSON string. */
    public String toJsonString() {
        return new String(toJson(), StandardCharsets.UTF_8);
    }

    /**
     * Reads a profile written by {@link #toJson()}.
     *
     * @throws InvalidArgumentException (field {@code profile}) when the JSON is malformed, of another format or format
     *                                  version, or inconsistent (counts that do not add up, an unsorted sketch level)
     */
    public static DatasetProfile fromJson(byte[] json) {
        if (json == null) {
            throw new InvalidArgumentException("profile", "profile JSON is required");
        }
        ProfileJson.Parsed p = ProfileJson.read(json);
        List<ColumnProfile> cols = new ArrayList<>();
        for (ColumnState s : p.columns()) {
            cols.add(new ColumnProfile(s));
        }
        if (cols.isEmpty()) {
            throw new InvalidArgumentException("profile", "profile has no columns");
        }
        DatasetProfile d;
        try {
            d = of(cols);
        } catch (InvalidArgumentException e) {
            throw new InvalidArgumentException("profile", "profile is inconsistent: " + e.getMessage(), e);
        }
        if (d.rows != p.rows()) {
            throw new InvalidArgumentException("profile", "profile says " + p.rows() + " rows but its columns have "
                    + d.rows);
        }
        return d;
    }

    /** Reads a profile from a JSON string; see {@link #fromJson(byte[])}. */
    public static DatasetProfile fromJson(String json) {
        if (json == null) {
            throw new InvalidArgumentException("profile", "profile JSON is required");
        }
        return fromJson(json.getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DatasetProfile d && Arrays.equals(d.toJsonBytesShared(), toJsonBytesShared());
    }

    private byte[] toJsonBytesShared() {
        toJson();
        return json;
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(toJsonBytesShared());
    }

    @Override
    public String toString() {
        return "DatasetProfile[rows=" + rows + ", columns=" + byName.keySet() + "]";
    }
}
