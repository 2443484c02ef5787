package dev.mlops.store.jdbc;

import dev.mlops.Page;
import dev.mlops.data.DatasetVersion;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** Dataset versions, inside the caller's transaction. */
final class DatasetTable {
    private static final String TOKEN = "datasets";

    private DatasetTable() {
    }

    static Optional<DatasetVersion> find(Connection c, String name, String version) throws SQLException {
        List<DatasetVersion> rows = Jdbc.query(c, Sql.SELECT_DATASET, List.of(name, version),
                rs -> map(rs).version());
        return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
    }

    static void insert(Connection c, DatasetVersion d) throws SQLException {
        Jdbc.update(c, Sql.INSERT_DATASET, Arrays.asList(d.name(), d.version(), d.sourceUri(), d.format(),
                d.sizeBytes(), Json.schema(d.schema()), d.rowCount(), Json.map(d.tags()),
                Jdbc.millis(d.createdTime()), d.createdBy()));
    }

    /** Versions of {@code name} (all when null) in registration order, {@code size} at most, after {@code token}. */
    static Page<DatasetVersion> list(Connection c, String name, int size, String token) throws SQLException {
        long after = token == null ? 0 : PageToken.decode(TOKEN, token, 1).number(0);
        List<Object> args = new ArrayList<>();
        if (name != null) {
            args.add(name);
        }
        args.add(after);
        args.add(size + 1);
        List<Stored> rows = Jdbc.query(c, name == null ? Sql.LIST_DATASETS : Sql.LIST_DATASETS_OF_NAME, args,
                DatasetTable::map);
        String next = null;
        if (rows.size() > size) {
            rows = rows.subList(0, size);
            next = PageToken.encode(TOKEN, rows.get(size - 1).ordinal());
        }
        return new Page<>(rows.stream().map(Stored::version).toList(), next);
    }

    /** A row: the version and its registration ordinal. */
    private record Stored(long ordinal, DatasetVersion version) {
    }

    private static Stored map(ResultSet rs) throws SQLException {
        String name = rs.getString("name");
        String version = rs.getString("version");
        String what = "dataset " + name + "@" + version;
        return new Stored(rs.getLong("ordinal"), new DatasetVersion(name, version, rs.getString("source_uri"),
                rs.getString("format"), rs.getLong("size_bytes"), Json.readSchema(rs.getString("schema_json"), what),
                Jdbc.nullableLong(rs, "row_count"), Json.readMap(rs.getString("tags"), what),
                Jdbc.instant(rs, "created_time"), rs.getString("created_by")));
    }
}
