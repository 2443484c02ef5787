-- mlops metadata store, SQLite, schema version 1: runs, datasets, lineage, audit trail.
--
-- Conventions: times are INTEGER milliseconds since the epoch (UTC); JSON is TEXT written by the library (keys
-- sorted); statements end with ';' at the end of a line (the migrator splits on that). Applied inside one
-- BEGIN IMMEDIATE transaction together with its schema_version row.

CREATE TABLE runs (
    id              TEXT    NOT NULL PRIMARY KEY,
    job_name        TEXT    NOT NULL,
    status          TEXT    NOT NULL CHECK (status IN ('RUNNING', 'COMPLETED', 'FAILED', 'ABORTED')),
    start_time      INTEGER NOT NULL,
    end_time        INTEGER,
    last_heartbeat  INTEGER NOT NULL,
    error           TEXT,
    parent_run_id   TEXT    REFERENCES runs (id),
    code_commit     TEXT,
    code_branch     TEXT,
    code_dirty      INTEGER,
    code_repository TEXT,
    environment     TEXT    NOT NULL,
    initial_tags    TEXT    NOT NULL
);
CREATE INDEX runs_by_start ON runs (start_time DESC, id DESC);
CREATE INDEX runs_by_job ON runs (job_name, start_time DESC, id DESC);
CREATE INDEX runs_by_parent ON runs (parent_run_id);

CREATE TABLE params (
    run_id TEXT NOT NULL REFERENCES runs (id),
    key    TEXT NOT NULL,
    value  TEXT NOT NULL,
    PRIMARY KEY (run_id, key)
) WITHOUT ROWID;
CREATE INDEX params_by_key_value ON params (key, value);

CREATE TABLE tags (
    run_id TEXT NOT NULL REFERENCES runs (id),
    key    TEXT NOT NULL,
    value  TEXT NOT NULL,
    PRIMARY KEY (run_id, key)
) WITHOUT ROWID;
CREATE INDEX tags_by_key_value ON tags (key, value);

-- Every metric point; seq is the insertion order (the last tie-breaker of a series).
CREATE TABLE metrics (
    seq       INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id    TEXT    NOT NULL REFERENCES runs (id),
    key       TEXT    NOT NULL,
    value     REAL    NOT NULL,
    step      INTEGER NOT NULL,
    timestamp INTEGER NOT NULL
);
CREATE INDEX metrics_series ON metrics (run_id, key, step, timestamp, seq);

-- The last point of each series in (step, timestamp, seq) order, maintained in the same transaction as metrics.
CREATE TABLE latest_metrics (
    run_id    TEXT    NOT NULL REFERENCES runs (id),
    key       TEXT    NOT NULL,
    value     REAL    NOT NULL,
    step      INTEGER NOT NULL,
    timestamp INTEGER NOT NULL,
    PRIMARY KEY (run_id, key)
) WITHOUT ROWID;
CREATE INDEX latest_metrics_by_key_value ON latest_metrics (key, value);

-- Lineage edges, pointing the way data flows: INPUT is node -> run, OUTPUT is run -> node. A run's inputs and
-- outputs are its edges in id order. The unique index also serves lookups by from_id.
CREATE TABLE lineage_edges (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    from_id TEXT NOT NULL,
    to_id   TEXT NOT NULL,
    kind    TEXT NOT NULL CHECK (kind IN ('INPUT', 'OUTPUT')),
    run_id  TEXT REFERENCES runs (id),
    CONSTRAINT lineage_edges_unique UNIQUE (from_id, to_id, kind)
);
CREATE INDEX lineage_edges_to ON lineage_edges (to_id);
CREATE INDEX lineage_edges_by_run ON lineage_edges (run_id, id);

-- Dataset versions; ordinal is the registration order.
CREATE TABLE datasets (
    ordinal      INTEGER PRIMARY KEY AUTOINCREMENT,
    name         TEXT    NOT NULL,
    version      TEXT    NOT NULL,
    source_uri   TEXT    NOT NULL,
    format       TEXT    NOT NULL,
    size_bytes   INTEGER NOT NULL,
    schema_json  TEXT,
    row_count    INTEGER,
    tags         TEXT    NOT NULL,
    created_time INTEGER NOT NULL,
    created_by   TEXT    NOT NULL,
    CONSTRAINT datasets_name_version UNIQUE (name, version)
);
CREATE INDEX datasets_by_name ON datasets (name, ordinal);

-- The audit hash chain (see dev.mlops.audit.AuditChain); data is NULL once erased, data_digest stays.
CREATE TABLE audit_events (
    seq         INTEGER PRIMARY KEY,
    time        INTEGER NOT NULL,
    actor       TEXT    NOT NULL,
    action      TEXT    NOT NULL,
    subject     TEXT    NOT NULL,
    data        TEXT,
    data_digest TEXT    NOT NULL,
    prev_hash   TEXT    NOT NULL,
    hash        TEXT    NOT NULL
);

CREATE TABLE audit_checkpoints (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    seq       INTEGER NOT NULL,
    hash      TEXT    NOT NULL,
    time      INTEGER NOT NULL,
    key_id    TEXT    NOT NULL,
    signature TEXT    NOT NULL
);
