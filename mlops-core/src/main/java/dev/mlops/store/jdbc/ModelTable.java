package dev.mlops.store.jdbc;

import dev.mlops.Page;
import dev.mlops.registry.Confidentiality;
import dev.mlops.registry.Governance;
import dev.mlops.registry.ModelQuery;
import dev.mlops.registry.NewModel;
import dev.mlops.registry.RegisteredModel;
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
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Registered models, their tags and their aliases, inside the caller's transaction. Listings are ordered by the
 * names' {@link #sortKey sort keys}, which is {@link String#compareTo} order of the names.
 */
final class ModelTable {
    private static final String TOKEN = "models";

    private final Dialect dialect;
    private final String upsertTag;
    private final String upsertAlias;

    ModelTable(Dialect dialect) {
        this.dialect = dialect;
        this.upsertTag = dialect.upsert("model_tags", Sql.MODEL_TAG_COLUMNS, List.of("model_name", "key"),
                List.of("value"), null);
        this.upsertAlias = dialect.upsert("model_aliases", Sql.ALIAS_COLUMNS, List.of("model_name", "alias"),
                List.of("version"), null);
    }

    /** The columns of a models row, before its tags and aliases are attached. */
    record Row(String name, String description, Governance governance, int latestVersion, Instant createdTime,
            String createdBy, Instant updatedTime) {
    }

    /** The key that makes names unique ignoring case. */
    static String nameKey(String name) {
        return name.toLowerCase(Locale.ROOT);
    }

    /**
     * The name with each UTF-16 code unit mapped to a code point in the same order: units below U+D800 unchanged,
     * U+D800..U+DFFF to U+E000..U+E7FF, U+E000..U+FFFF to U+E800..U+107FF. The databases compare text by code point
     * (SQLite's BINARY, PostgreSQL's "C"), and code-point order of sort keys is {@link String#compareTo} order of
     * the names; a name starts with a prefix exactly when its sort key starts with the prefix's sort key.
     */
    static String sortKey(String name) {
        StringBuilder key = new StringBuilder(name.length() + 8);
        for (int i = 0; i < name.length(); i++) {
            char unit = name.charAt(i);
            if (unit < 0xD800) {
                key.append(unit);
            } else {
                key.appendCodePoint(unit + 0x800);
            }
        }
        return key.toString();
    }

    /**
     * The smallest text above every text that starts with {@code key} (in code-point order), or null when there is
     * none: {@code key} with its last code point incremented, past the surrogate range, dropping code points that
     * cannot be incremented.
     */
    static String upperBound(String key) {
        int[] points = key.codePoints().toArray();
        for (int n = points.length; n > 0; n--) {
            int next = points[n - 1] + 1;
            if (next >= 0xD800 && next <= 0xDFFF) {
                next = 0xE000;
            }
            if (next <= Character.MAX_CODE_POINT) {
                points[n - 1] = next;
                return new String(points, 0, n);
            }
        }
        return null;
    }

    // ---- reading --------------------------------------------------------------------------------------------------

    Optional<Row> row(Connection c, String name) throws SQLException {
        List<Row> rows = Jdbc.query(c, Sql.SELECT_MODEL, List.of(name), ModelTable::mapRow);
        return rows.isEmpty() ? Optional.empty() : Optional.of(rows.get(0));
    }

    Optional<RegisteredModel> load(Connection c, String name) throws SQLException {
        Optional<Row> row = row(c, name);
        return row.isEmpty() ? Optional.empty() : Optional.of(attach(c, List.of(row.get())).get(0));
    }

    /** The name of the model whose name is {@code name} ignoring case, if one exists. */
    Optional<String> nameIgnoringCase(Connection c, String name) throws SQLException {
        List<String> names = Jdbc.query(c, Sql.MODEL_NAME_BY_KEY, List.of(nameKey(name)), rs -> rs.getString(1));
        return names.isEmpty() ? Optional.empty() : Optional.of(names.get(0));
    }

    /** The version {@code alias} of model {@code name} points at, or null. */
    Integer alias(Connection c, String name, String alias) throws SQLException {
        List<Integer> versions = Jdbc.query(c, Sql.SELECT_ALIAS, List.of(name, alias), rs -> rs.getInt(1));
        return versions.isEmpty() ? null : versions.get(0);
    }

    /** The aliases that point at a version, sorted. */
    List<String> aliasesOf(Connection c, String name, int version) throws SQLException {
        return Jdbc.query(c, Sql.ALIASES_OF_VERSION, List.of(name, version), rs -> rs.getString(1));
    }

    private static Row mapRow(ResultSet rs) throws SQLException {
        String confidentiality = rs.getString("confidentiality");
        boolean shareableKnown = rs.getObject("code_shareable") != null;
        Governance governance = new Governance(rs.getString("business_owner"), rs.getString("technical_owner"),
                rs.getString("intended_use"), rs.getString("service_level"), rs.getString("retraining_policy"),
                rs.getString("approver_role"),
                confidentiality == null ? null : Confidentiality.valueOf(confidentiality),
                shareableKnown ? rs.getBoolean("code_shareable") : null);
        return new Row(rs.getString("name"), rs.getString("description"), governance, rs.getInt("latest_version"),
                Jdbc.instant(rs, "created_time"), rs.getString("created_by"), Jdbc.instant(rs, "updated_time"));
    }

    /** Full models for {@code rows}, in the same order, with their tags and aliases read in a few queries. */
    List<RegisteredModel> attach(Connection c, List<Row> rows) throws SQLException {
        Map<String, Map<String, String>> tags = new HashMap<>();
        Map<String, Map<String, Integer>> aliases = new HashMap<>();
        List<String> names = rows.stream().map(Row::name).toList();
        for (List<String> chunk : RunTable.chunks(names, dialect.maxInListSize())) {
            String in = Sql.parameters(chunk.size());
            Jdbc.query(c, Sql.TAGS_OF_MODELS + in, chunk, rs -> tags
                    .computeIfAbsent(rs.getString(1), k -> new HashMap<>()).put(rs.getString(2), rs.getString(3)));
            Jdbc.query(c, Sql.ALIASES_OF_MODELS + in, chunk, rs -> aliases
                    .computeIfAbsent(rs.getString(1), k -> new HashMap<>()).put(rs.getString(2), rs.getInt(3)));
        }
        List<RegisteredModel> models = new ArrayList<>(rows.size());
        for (Row r : rows) {
            models.add(new RegisteredModel(r.name(), r.description(), tags.getOrDefault(r.name(), Map.of()),
                    r.governance(), aliases.getOrDefault(r.name(), Map.of()), r.latestVersion(), r.createdTime(),
                    r.createdBy(), r.updatedTime()));
        }
        return models;
    }

    /** Models matching {@code query}, filtered and ordered in SQL, {@code size} at most, after {@code token}. */
    Page<RegisteredModel> search(Connection c, ModelQuery query, int size, String token) throws SQLException {
        List<String> where = new ArrayList<>();
        List<Object> args = new ArrayList<>();
        if (query.namePrefix() != null) {
            String from = sortKey(query.namePrefix());
            where.add("m.sort_key >= ?");
            args.add(from);
            String to = upperBound(from);
            if (to != null) {
                where.add("m.sort_key < ?");
                args.add(to);
            }
        }
        if (query.businessOwner() != null) {
            where.add("m.business_owner = ?");
            args.add(query.businessOwner());
        }
        for (Map.Entry<String, String> tag : query.tags().entrySet()) {
            where.add("EXISTS (SELECT 1 FROM model_tags t WHERE t.model_name = m.name AND t.key = ?"
                    + " AND t.value = ?)");
            args.add(tag.getKey());
            args.add(tag.getValue());
        }
        if (token != null) {
            where.add("m.sort_key > ?");
            args.add(sortKey(PageToken.decode(TOKEN, token, 1).text(0)));
        }
        String sql = "SELECT " + Sql.MODEL_COLUMNS + " FROM models m"
                + (where.isEmpty() ? "" : " WHERE " + String.join(" AND ", where))
                + " ORDER BY m.sort_key LIMIT ?";
        args.add(size + 1);
        List<Row> rows = Jdbc.query(c, sql, args, ModelTable::mapRow);
        String next = null;
        if (rows.size() > size) {
            rows = rows.subList(0, size);
            next = PageToken.encode(TOKEN, rows.get(size - 1).name());
        }
        return new Page<>(attach(c, rows), next);
    }

    // ---- writing --------------------------------------------------------------------------------------------------

    /** Inserts a model with no versions and no aliases, updated when created. */
    void insert(Connection c, NewModel m) throws SQLException {
        long created = Jdbc.millis(m.createdTime());
        List<Object> args = new ArrayList<>(Arrays.asList(m.name(), nameKey(m.name()), sortKey(m.name()),
                m.description()));
        args.addAll(governance(m.governance()));
        args.addAll(Arrays.asList(0, created, m.createdBy(), created));
        Jdbc.update(c, Sql.INSERT_MODEL, args);
        upsertTags(c, m.name(), m.tags());
    }

    private static List<Object> governance(Governance g) {
        return Arrays.asList(g.businessOwner(), g.technicalOwner(), g.intendedUse(), g.serviceLevel(),
                g.retrainingPolicy(), g.approverRole(),
                g.confidentiality() == null ? null : g.confidentiality().name(), g.codeShareable());
    }

    void setDescription(Connection c, String name, String description) throws SQLException {
        Jdbc.update(c, Sql.SET_MODEL_DESCRIPTION, List.of(description, name));
    }

    /** Replaces the whole governance record. */
    void setGovernance(Connection c, String name, Governance governance) throws SQLException {
        List<Object> args = new ArrayList<>(governance(governance));
        args.add(name);
        Jdbc.update(c, Sql.SET_GOVERNANCE, args);
    }

    void setLatestVersion(Connection c, String name, int version, Instant time) throws SQLException {
        Jdbc.update(c, Sql.SET_LATEST_VERSION, List.of(version, Jdbc.millis(time), name));
    }

    void touch(Connection c, String name, Instant time) throws SQLException {
        Jdbc.update(c, Sql.TOUCH_MODEL, List.of(Jdbc.millis(time), name));
    }

    void upsertTags(Connection c, String name, Map<String, String> tags) throws SQLException {
        if (tags.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(upsertTag)) {
            for (Map.Entry<String, String> t : new TreeMap<>(tags).entrySet()) {
                Jdbc.bind(ps, List.of(name, t.getKey(), t.getValue()));
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** Removes tags; a key that is not there is ignored. */
    void removeTags(Connection c, String name, Collection<String> keys) throws SQLException {
        if (keys.isEmpty()) {
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(Sql.DELETE_MODEL_TAG)) {
            for (String key : keys) {
                Jdbc.bind(ps, List.of(name, key));
                ps.addBatch();
            }
            ps.executeBatch();
        }
    }

    /** Points {@code alias} at {@code version}, creating or moving it. */
    void putAlias(Connection c, String name, String alias, int version) throws SQLException {
        Jdbc.update(c, upsertAlias, List.of(name, alias, version));
    }

    void deleteAlias(Connection c, String name, String alias) throws SQLException {
        Jdbc.update(c, Sql.DELETE_ALIAS, List.of(name, alias));
    }
}
