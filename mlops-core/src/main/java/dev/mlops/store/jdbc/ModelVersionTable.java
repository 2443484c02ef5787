package dev.mlops.store.jdbc;

import dev.mlops.Page;
import dev.mlops.artifact.ArtifactRef;
import dev.mlops.registry.Approval;
import dev.mlops.registry.ApprovalStatus;
import dev.mlops.registry.ModelSignature;
import dev.mlops.registry.ModelVersion;
import dev.mlops.registry.NewModelVersion;
import dev.mlops.registry.VersionQuery;
import dev.mlops.registry.VersionStatus;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Model versions and their tags, inside the caller's transaction; a version's aliases are read from
 * {@code model_aliases}. Listings are ordered by (the model's sort key, version), which is (model name in
 * {@link String#compareTo} order, version).
 */
final class ModelVersionTable {
    private static final String TOKEN = "versions";

    private final Dialect dialect;
    private final String upsertTag;

    ModelVersionTable(Dialect dialect) {
        this.dialect = dialect;
        this.upsertTag = dialect.upsert("model_version_tags", Sql.VERSION_TAG_COLUMNS,
                List.of("model_name", "version", "key"), List.of("value"), null);
    }

    /** The columns of a model_versions row, before its tags and aliases are attached. */
    record Row(String modelName, int version, String digest, ArtifactRef artifact, VersionStatus status,
            String statusMessage, String runId, ModelSignature signature, Map<String, Double> metrics,
            String description, Approval approval, Instant createdTime, String createdBy, Instant updatedTime) {

        String ref() {
            return modelName + "/" + version;
        }
    }

    /** A version's key, for grouping child rows. */
    private record Key(String modelName, int version) {
    }

    // ---- reading --------------------------------------------------------------------------------------------------

    Optional<Row> row(Connection c, String name, int version) throws SQLException {
        List<Row> rows = Jdbc.query(c, Sql.SELECT_VERSION, List.of(name, version), ModelVersionTable::mapRow);
        return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
    }

    Optional<ModelVersion> load(Connection c, String name, int version) throws SQLException {
        Optional<Row> row = row(c, name, version);
        return row.isEmpty() ? Optional.empty() : Optional.of(attach(c, List.of(row.get())).get(0));
    }

    /** The number of the version of model {@code name} registered with {@code idempotencyKey}, if any. */
    Optional<Integer> numberOf(Connection c, String name, String idempotencyKey) throws SQLException {
        List<Integer> numbers = Jdbc.query(c, Sql.VERSION_BY_IDEMPOTENCY_KEY, List.of(name, idempotencyKey),
                rs -> rs.getInt(1));
        return numbers.isEmpty() ? Optional.empty() : Optional.of(numbers.get(0));
    }

    private static Row mapRow(ResultSet rs) throws SQLException {
        String name = rs.getString("model_name");
        int version = rs.getInt("version");
        String what = "model version " + name + "/" + version;
        String artifactDigest = rs.getString("artifact_digest");
        ArtifactRef artifact = artifactDigest == null ? null
                : new ArtifactRef(artifactDigest, rs.getLong("artifact_size"), rs.getString("artifact_uri"));
        ApprovalStatus approvalStatus = ApprovalStatus.valueOf(rs.getString("approval_status"));
        Approval approval = approvalStatus == ApprovalStatus.PENDING ? Approval.PENDING
                : Approval.decided(approvalStatus, rs.getString("approval_actor"), Jdbc.instant(rs, "approval_time"),
                        rs.getString("approval_reason"));
        return new Row(name, version, rs.getString("digest"), artifact, VersionStatus.valueOf(rs.getString("status")),
                rs.getString("status_message"), rs.getString("run_id"),
                Json.readSignature(rs.getString("signature"), what), Json.readNumbers(rs.getString("metrics"), what),
                rs.getString("description"), approval, Jdbc.instant(rs, "created_time"), rs.getString("created_by"),
                Jdbc.instant(rs, "updated_time"));
    }

    /** Full versions for {@code rows}, in the same order, with their tags and aliases read in a few queries. */
    List<ModelVersion> attach(Connection c, List<Row> rows) throws SQLException {
        Map<Key, Map<String, String>> tags = new HashMap<>();
        Map<Key, List<String>> aliases = new HashMap<>();
        List<Key> keys = rows.stream().map(r -> new Key(r.modelName(), r.version())).toList();
        for (List<Key> chunk : RunTable.chunks(keys, dialect.maxInListSize() / 2)) {
            String pairs = Sql.pairs(chunk.size());
            List<Object> args = new ArrayList<>(2 * chunk.size());
            for (Key k : chunk) {
                args.add(k.modelName());
                args.add(k.version());
            }
            Jdbc.query(c, Sql.TAGS_OF_VERSIONS.replace("?PAIRS", pairs), args, rs -> tags
                    .computeIfAbsent(new Key(rs.getString(1), rs.getInt(2)), k -> new HashMap<>())
                    .put(rs.getString(3), rs.getString(4)));
            Jdbc.query(c, Sql.ALIASES_OF_VERSIONS.replace("?PAIRS", pairs), args, rs -> aliases
                    .computeIfAbsent(new Key(rs.getString(1), rs.getInt(2)), k -> new ArrayList<>())
                    .add(rs.getString(3)));
        }
        List<ModelVersion> versions = new ArrayList<>(rows.size());
        for (Row r : rows) {
            Key key = new Key(r.modelName(), r.version());
            versions.add(new ModelVersion(r.modelName(), r.version(), r.digest(), r.artifact(), r.status(),
                    r.statusMessage(), r.runId(), r.signature(), r.metrics(), tags.getOrDefault(key, Map.of()),
                    r.description(), r.approval(), aliases.getOrDefault(key, List.of()), r.createdTime(),
                    r.createdBy(), r.updatedTime()));
        }
        return versions;
    }

    /** Versions matching {@code query}, filtered and ordered in SQL, {@code size} at most, after {@code token}. */
    Page<ModelVersion> search(Connection c, VersionQuery query, int size, String token) throws SQLException {
        List<String> where = new ArrayList<>();
        List<Object> args = new ArrayList<>();
        if (query.modelName() != null) {
            // The sort key determines the name, and keeps the scan on the index in listing order.
            where.add("v.model_sort_key = ?");
            args.add(ModelTable.sortKey(query.modelName()));
        }
        if (query.status() != null) {
            where.add("v.status = ?");
            args.add(query.status().name());
        }
        if (query.approval() != null) {
            where.add("v.approval_status = ?");
            args.add(query.approval().name());
        }
        if (query.runId() != null) {
            where.add("v.run_id = ?");
            args.add(query.runId());
        }
        for (Map.Entry<String, String> tag : query.tags().entrySet()) {
            where.add("EXISTS (SELECT 1 FROM model_version_tags t WHERE t.model_name = v.model_name"
                    + " AND t.version = v.version AND t.key = ? AND t.value = ?)");
            args.add(tag.getKey());
            args.add(tag.getValue());
        }
        if (token != null) {
            PageToken.Position after = PageToken.decode(TOKEN, token, 2);
            long version = after.number(0);
            String model = after.text(1);
            if (query.modelName() == null) {
                where.add("(v.model_sort_key, v.version) > (?, ?)");
                args.add(ModelTable.sortKey(model));
                args.add(version);
            } else {
                // The same position, said so that the index on (model_sort_key, version) is searched, not scanned.
                int order = model.compareTo(query.modelName());
                if (order == 0) {
                    where.add("v.version > ?");
                    args.add(version);
                } else if (order > 0) {
                    where.add("1 = 0");
                }
            }
        }
        String sql = "SELECT " + Sql.VERSION_COLUMNS + " FROM model_versions v"
                + (where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where))
                + " ORDER BY v.model_sort_key, v.version LIMIT ?";
        args.add(size + 1);
        List<Row> rows = Jdbc.query(c, sql, args, ModelVersionTable::mapRow);
        String next = null;
        if (rows.size() > size) {
            rows = rows.subList(0, size);
            Row last = rows.get(size - 1);
            next = PageToken.encode(TOKEN, last.version(), last.modelName());
        }
        return new Page<>(attach(c, rows), next);
    }

    // ---- writing --------------------------------------------------------------------------------------------------

    /** Inserts a {@code PENDING} version, approval {@code PENDING}, updated when created. */
    void insert(Connection c, NewModelVersion v) throws SQLException {
        long created = Jdbc.millis(v.createdTime());
        Jdbc.update(c, Sql.INSERT_VERSION, Arrays.asList(v.modelName(), v.version(), ModelTable.sortKey(v.modelName()),
                v.digest(), VersionStatus.PENDING.name(), v.runId(), Json.signature(v.signature()),
                Json.numbers(v.metrics()), v.description(), ApprovalStatus.PENDING.name(), v.idempotencyKey(),
                created, v.createdBy(), created));
        upsertTags(c, v.modelName(), v.version(), v.tags());
    }

    /** Ends the registration: {@code READY} with {@code artifact}, or {@code FAILED} with {@code message}. */
    void finish(Connection c, String name, int version, VersionStatus status, ArtifactRef artifact, String message,
            Instant time) throws SQLException {
        boolean ready = status == VersionStatus.READY;
        Jdbc.update(c, Sql.FINISH_VERSION, Arrays.asList(status.name(), ready ? null : message,
                ready ? artifact.digest() : null, ready ? artifact.sizeBytes() : null, ready ? artifact.uri() : null,
                Jdbc.millis(time), name, version));
    }

    /** Stores a decision; the version's updated time becomes the decision's time. */
    void decide(Connection c, String name, int version, Approval decision) throws SQLException {
        long time = Jdbc.millis(decision.time());
        Jdbc.update(c, Sql.DECIDE_VERSION, Arrays.asList(decision.status().name(), decision.actor(), time,
                decision.reason(), time, name, version));
    }

    void setDescription(Connection c, String name, int version, String description) throws SQLException {
        Jdbc.update(c, Sql.SET_VERSION_DESCRIPTION, List.of(description, name, version));
    }

    void touch(Connection c, String name, int version, Instant time) throws SQLException {
        Jdbc.update(c, Sql.TOUCH_VERSION, List.of(Jdbc.millis(time), name, version));
    }

    void upsertTags(Connection c, String name, int version, Map<String, String> tags) throws SQLException {
        if (tags.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(upsertTag)) {
            for (Map.Entry<String, String> t : new TreeMap<>(tags).entrySet()) {
                Jdbc.bind(ps, List.of(name, version, t.getKey(), t.getValue()));
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** Removes tags; a key that is not there is ignored. */
    void removeTags(Connection c, String name, int version, Collection<String> keys) throws SQLException {
        if (keys.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(Sql.DELETE_VERSION_TAG)) {
            for (String key : keys) {
                Jdbc.bind(ps, List.of(name, version, key));
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** Deletes the version and its tags (no alias may point at it). */
    void delete(Connection c, String name, int version) throws SQLException {
        Jdbc.update(c, Sql.DELETE_VERSION_TAGS, List.of(name, version));
        Jdbc.update(c, Sql.DELETE_VERSION, List.of(name, version));
    }
}
