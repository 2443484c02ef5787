package dev.mlops.store.jdbc;

import java.util.List;

/**
 * The SQL that every dialect shares: standard statements over the tables of the migration scripts. What differs
 * between databases is in {@link Dialect}. Times are milliseconds since the epoch; JSON is text.
 */
final class Sql {
    private Sql() {
    }

    // ---- schema version -----------------------------------------------------------------------------------------

    static final String CREATE_SCHEMA_VERSION = "CREATE TABLE " + Migrator.VERSION_TABLE + " ("
            + "version INTEGER NOT NULL PRIMARY KEY, description TEXT NOT NULL, applied_time BIGINT NOT NULL,"
            + " library_version TEXT NOT NULL)";
    static final String INSERT_SCHEMA_VERSION = "INSERT INTO " + Migrator.VERSION_TABLE
            + " (version, description, applied_time, library_version) VALUES (?, ?, ?, ?)";

    // ---- runs -----------------------------------------------------------------------------------------------------

    static final String RUN_COLUMNS = "r.id, r.job_name, r.status, r.start_time, r.end_time, r.last_heartbeat,"
            + " r.error, r.parent_run_id, r.code_commit, r.code_branch, r.code_dirty, r.code_repository,"
            + " r.environment, r.initial_tags";
    static final String INSERT_RUN = Dialect.insert("runs", List.of("id", "job_name", "status", "start_time",
            "last_heartbeat", "parent_run_id", "code_commit", "code_branch", "code_dirty", "code_repository",
            "environment", "initial_tags"));
    static final String SELECT_RUN = "SELECT " + RUN_COLUMNS + " FROM runs r WHERE r.id = ?";
    static final String SELECT_RUN_STATUS = "SELECT status FROM runs WHERE id = ?";
    static final String FINISH_RUN = "UPDATE runs SET status = ?, end_time = ?, error = ? WHERE id = ?";
    /** Moves the last heartbeat of a RUNNING run forward, never back. */
    static final String HEARTBEAT = "UPDATE runs SET last_heartbeat = ? WHERE id = ? AND status = 'RUNNING'"
            + " AND last_heartbeat < ?";

    static final String SELECT_PARAMS = "SELECT key, value FROM params WHERE run_id = ?";
    static final String INSERT_PARAM = Dialect.insert("params", List.of("run_id", "key", "value"));
    static final String INSERT_TAG = Dialect.insert("tags", List.of("run_id", "key", "value"));
    static final List<String> TAG_COLUMNS = List.of("run_id", "key", "value");

    /** Child rows of several runs: append {@code (?, ?, ...)}. */
    static final String PARAMS_OF_RUNS = "SELECT run_id, key, value FROM params WHERE run_id IN ";
    static final String TAGS_OF_RUNS = "SELECT run_id, key, value FROM tags WHERE run_id IN ";
    static final String LATEST_METRICS_OF_RUNS =
            "SELECT run_id, key, value, step, timestamp FROM latest_metrics WHERE run_id IN ";
    static final String LINKS_OF_RUNS = "SELECT run_id, kind, from_id, to_id FROM lineage_edges WHERE run_id IN ";
    static final String BY_ID = " ORDER BY id";

    // ---- metrics --------------------------------------------------------------------------------------------------

    static final String INSERT_METRIC = Dialect.insert("metrics",
            List.of("run_id", "key", "value", "step", "timestamp"));
    static final List<String> LATEST_METRIC_COLUMNS = List.of("run_id", "key", "value", "step", "timestamp");
    /** The new point replaces the stored latest one when it comes later in (step, timestamp, insertion) order. */
    static final String LATEST_METRIC_IS_NEWER = "excluded.step > latest_metrics.step OR (excluded.step ="
            + " latest_metrics.step AND excluded.timestamp >= latest_metrics.timestamp)";
    static final String METRIC_HISTORY_FIRST = "SELECT key, value, step, timestamp, seq FROM metrics"
            + " WHERE run_id = ? AND key = ? ORDER BY step, timestamp, seq LIMIT ?";
    static final String METRIC_HISTORY_AFTER = "SELECT key, value, step, timestamp, seq FROM metrics"
            + " WHERE run_id = ? AND key = ? AND (step, timestamp, seq) > (?, ?, ?) ORDER BY step, timestamp, seq"
            + " LIMIT ?";

    // ---- lineage --------------------------------------------------------------------------------------------------

    static final List<String> EDGE_COLUMNS = List.of("from_id", "to_id", "kind", "run_id");
    static final String EDGES_FROM = "SELECT from_id, to_id, kind FROM lineage_edges WHERE from_id IN ";
    static final String EDGES_TO = "SELECT from_id, to_id, kind FROM lineage_edges WHERE to_id IN ";

    // ---- datasets -------------------------------------------------------------------------------------------------

    static final String DATASET_COLUMNS = "ordinal, name, version, source_uri, format, size_bytes, schema_json,"
            + " row_count, tags, created_time, created_by";
    static final String INSERT_DATASET = Dialect.insert("datasets", List.of("name", "version", "source_uri",
            "format", "size_bytes", "schema_json", "row_count", "tags", "created_time", "created_by"));
    static final String SELECT_DATASET = "SELECT " + DATASET_COLUMNS + " FROM datasets WHERE name = ? AND version = ?";
    static final String LIST_DATASETS = "SELECT " + DATASET_COLUMNS + " FROM datasets WHERE ordinal > ?"
            + " ORDER BY ordinal LIMIT ?";
    static final String LIST_DATASETS_OF_NAME = "SELECT " + DATASET_COLUMNS + " FROM datasets"
            + " WHERE name = ? AND ordinal > ? ORDER BY ordinal LIMIT ?";

    // ---- model registry -------------------------------------------------------------------------------------------

    static final String MODEL_COLUMNS = "m.name, m.description, m.business_owner, m.technical_owner, m.intended_use,"
            + " m.service_level, m.retraining_policy, m.approver_role, m.confidentiality, m.code_shareable,"
            + " m.latest_version, m.created_time, m.created_by, m.updated_time";
    static final String INSERT_MODEL = Dialect.insert("models", List.of("name", "name_key", "sort_key",
            "description", "business_owner", "technical_owner", "intended_use", "service_level", "retraining_policy",
            "approver_role", "confidentiality", "code_shareable", "latest_version", "created_time", "created_by",
            "updated_time"));
    static final String SELECT_MODEL = "SELECT " + MODEL_COLUMNS + " FROM models m WHERE m.name = ?";
    static final String MODEL_NAME_BY_KEY = "SELECT name FROM models WHERE name_key = ?";
    static final String SET_LATEST_VERSION = "UPDATE models SET latest_version = ?, updated_time = ? WHERE name = ?";
    static final String TOUCH_MODEL = "UPDATE models SET updated_time = ? WHERE name = ?";
    static final String SET_MODEL_DESCRIPTION = "UPDATE models SET description = ? WHERE name = ?";
    static final String SET_GOVERNANCE = "UPDATE models SET business_owner = ?, technical_owner = ?,"
            + " intended_use = ?, service_level = ?, retraining_policy = ?, approver_role = ?, confidentiality = ?,"
            + " code_shareable = ? WHERE name = ?";
    static final List<String> MODEL_TAG_COLUMNS = List.of("model_name", "key", "value");
    static final String DELETE_MODEL_TAG = "DELETE FROM model_tags WHERE model_name = ? AND key = ?";
    /** Child rows of several models: append {@code (?, ?, ...)}. */
    static final String TAGS_OF_MODELS = "SELECT model_name, key, value FROM model_tags WHERE model_name IN ";
    static final String ALIASES_OF_MODELS = "SELECT model_name, alias, version FROM model_aliases"
            + " WHERE model_name IN ";

    static final List<String> ALIAS_COLUMNS = List.of("model_name", "alias", "version");
    static final String SELECT_ALIAS = "SELECT version FROM model_aliases WHERE model_name = ? AND alias = ?";
    static final String DELETE_ALIAS = "DELETE FROM model_aliases WHERE model_name = ? AND alias = ?";
    static final String ALIASES_OF_VERSION = "SELECT alias FROM model_aliases WHERE model_name = ? AND version = ?"
            + " ORDER BY alias";

    static final String VERSION_COLUMNS = "v.model_name, v.version, v.digest, v.status, v.status_message,"
            + " v.artifact_digest, v.artifact_size, v.artifact_uri, v.run_id, v.signature, v.metrics, v.description,"
            + " v.approval_status, v.approval_actor, v.approval_time, v.approval_reason, v.created_time,"
            + " v.created_by, v.updated_time";
    static final String INSERT_VERSION = Dialect.insert("model_versions", List.of("model_name", "version",
            "model_sort_key", "digest", "status", "run_id", "signature", "metrics", "description", "approval_status",
            "idempotency_key", "created_time", "created_by", "updated_time"));
    static final String SELECT_VERSION = "SELECT " + VERSION_COLUMNS + " FROM model_versions v"
            + " WHERE v.model_name = ? AND v.version = ?";
    static final String VERSION_BY_IDEMPOTENCY_KEY = "SELECT version FROM model_versions"
            + " WHERE model_name = ? AND idempotency_key = ?";
    static final String FINISH_VERSION = "UPDATE model_versions SET status = ?, status_message = ?,"
            + " artifact_digest = ?, artifact_size = ?, artifact_uri = ?, updated_time = ?"
            + " WHERE model_name = ? AND version = ?";
    static final String DECIDE_VERSION = "UPDATE model_versions SET approval_status = ?, approval_actor = ?,"
            + " approval_time = ?, approval_reason = ?, updated_time = ? WHERE model_name = ? AND version = ?";
    static final String SET_VERSION_DESCRIPTION = "UPDATE model_versions SET description = ?"
            + " WHERE model_name = ? AND version = ?";
    static final String TOUCH_VERSION = "UPDATE model_versions SET updated_time = ?"
            + " WHERE model_name = ? AND version = ?";
    static final String DELETE_VERSION = "DELETE FROM model_versions WHERE model_name = ? AND version = ?";
    static final List<String> VERSION_TAG_COLUMNS = List.of("model_name", "version", "key", "value");
    static final String DELETE_VERSION_TAG = "DELETE FROM model_version_tags"
            + " WHERE model_name = ? AND version = ? AND key = ?";
    static final String DELETE_VERSION_TAGS = "DELETE FROM model_version_tags WHERE model_name = ? AND version = ?";
    /**
     * Child rows of several versions: replace {@code ?PAIRS} with {@code (VALUES (?, ?), ...)} of (model name,
     * version) pairs. A join, not a row-value {@code IN}, so that SQLite looks each pair up by the primary key.
     */
    static final String TAGS_OF_VERSIONS = "SELECT t.model_name, t.version, t.key, t.value FROM ?PAIRS AS k"
            + " JOIN model_version_tags t ON t.model_name = k.column1 AND t.version = k.column2";
    static final String ALIASES_OF_VERSIONS = "SELECT a.model_name, a.version, a.alias FROM ?PAIRS AS k"
            + " JOIN model_aliases a ON a.model_name = k.column1 AND a.version = k.column2";

    // ---- audit ----------------------------------------------------------------------------------------------------

    static final String AUDIT_COLUMNS = "seq, time, actor, action, subject, data, data_digest, prev_hash, hash";
    static final String INSERT_AUDIT_EVENT = Dialect.insert("audit_events", List.of("seq", "time", "actor",
            "action", "subject", "data", "data_digest", "prev_hash", "hash"));
    static final String AUDIT_HEAD = "SELECT " + AUDIT_COLUMNS + " FROM audit_events ORDER BY seq DESC LIMIT 1";
    static final String AUDIT_EVENT = "SELECT " + AUDIT_COLUMNS + " FROM audit_events WHERE seq = ?";
    static final String AUDIT_EVENTS_AFTER = "SELECT " + AUDIT_COLUMNS + " FROM audit_events WHERE seq > ?"
            + " ORDER BY seq LIMIT ?";
    static final String AUDIT_EVENTS_BY_SUBJECT = "SELECT " + AUDIT_COLUMNS + " FROM audit_events WHERE action = ?"
            + " AND subject = ? AND data IS NOT NULL ORDER BY seq";
    static final String ERASE_AUDIT_DATA = "UPDATE audit_events SET data = NULL WHERE seq = ?";
    static final String INSERT_CHECKPOINT = Dialect.insert("audit_checkpoints",
            List.of("seq", "hash", "time", "key_id", "signature"));
    static final String CHECKPOINTS = "SELECT seq, hash, time, key_id, signature FROM audit_checkpoints ORDER BY id";

    /** {@code (VALUES (?, ?), ..., (?, ?))} with {@code n} pairs of parameters. */
    static String pairs(int n) {
        return "(VALUES " + String.join(", ", java.util.Collections.nCopies(n, "(?, ?)")) + ")";
    }

    /** {@code (?, ?, ..., ?)} with {@code n} parameters. */
    static String parameters(int n) {
        return "(" + String.join(", ", java.util.Collections.nCopies(n, "?")) + ")";
    }
}
