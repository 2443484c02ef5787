-- mlops metadata store, SQLite, schema version 2: the model registry (models, versions, aliases, their tags).
-- Only adds tables and indexes, so a version 1 database keeps every row as it is.
--
-- Conventions as in V1__init.sql. Model names are keyed three ways, all computed in Java:
--   name      the name itself (exact-case lookups, foreign keys);
--   name_key  name.toLowerCase(Locale.ROOT), unique: two models whose names differ only in case cannot exist;
--   sort_key  the name with each UTF-16 code unit mapped to a code point in the same order (units below U+D800
--             unchanged, U+D800..U+DFFF to U+E000..U+E7FF, U+E000..U+FFFF to U+E800..U+107FF), so that the
--             binary order of sort_key is String.compareTo order of the names, and a name prefix is a sort_key
--             prefix. Listings are ordered and paginated by it.

CREATE TABLE models (
    name              TEXT    NOT NULL PRIMARY KEY,
    name_key          TEXT    NOT NULL,
    sort_key          TEXT    NOT NULL,
    description       TEXT    NOT NULL,
    business_owner    TEXT,
    technical_owner   TEXT,
    intended_use      TEXT,
    service_level     TEXT,
    retraining_policy TEXT,
    approver_role     TEXT,
    confidentiality   TEXT    CHECK (confidentiality IN ('PUBLIC', 'INTERNAL', 'CONFIDENTIAL', 'RESTRICTED')),
    code_shareable    INTEGER,
    latest_version    INTEGER NOT NULL,
    created_time      INTEGER NOT NULL,
    created_by        TEXT    NOT NULL,
    updated_time      INTEGER NOT NULL,
    CONSTRAINT models_name_key UNIQUE (name_key),
    CONSTRAINT models_sort_key UNIQUE (sort_key)
);
CREATE INDEX models_by_business_owner ON models (business_owner, sort_key);

CREATE TABLE model_tags (
    model_name TEXT NOT NULL REFERENCES models (name),
    key        TEXT NOT NULL,
    value      TEXT NOT NULL,
    PRIMARY KEY (model_name, key)
) WITHOUT ROWID;
CREATE INDEX model_tags_by_key_value ON model_tags (key, value);

-- One row per version that exists (a deleted version's row is gone; models.latest_version keeps its number
-- taken). model_sort_key is the model's sort_key. artifact_* are set when the version became READY.
CREATE TABLE model_versions (
    model_name      TEXT    NOT NULL REFERENCES models (name),
    version         INTEGER NOT NULL CHECK (version >= 1),
    model_sort_key  TEXT    NOT NULL,
    digest          TEXT    NOT NULL,
    status          TEXT    NOT NULL CHECK (status IN ('PENDING', 'READY', 'FAILED')),
    status_message  TEXT,
    artifact_digest TEXT,
    artifact_size   INTEGER,
    artifact_uri    TEXT,
    run_id          TEXT    REFERENCES runs (id),
    signature       TEXT    NOT NULL,
    metrics         TEXT    NOT NULL,
    description     TEXT    NOT NULL,
    approval_status TEXT    NOT NULL CHECK (approval_status IN ('PENDING', 'APPROVED', 'REJECTED')),
    approval_actor  TEXT,
    approval_time   INTEGER,
    approval_reason TEXT,
    idempotency_key TEXT,
    created_time    INTEGER NOT NULL,
    created_by      TEXT    NOT NULL,
    updated_time    INTEGER NOT NULL,
    PRIMARY KEY (model_name, version)
);
CREATE UNIQUE INDEX model_versions_by_idempotency_key ON model_versions (model_name, idempotency_key)
    WHERE idempotency_key IS NOT NULL;
CREATE UNIQUE INDEX model_versions_in_order ON model_versions (model_sort_key, version);
CREATE INDEX model_versions_by_run ON model_versions (run_id) WHERE run_id IS NOT NULL;
CREATE INDEX model_versions_by_status ON model_versions (status, model_sort_key, version);
CREATE INDEX model_versions_by_approval ON model_versions (approval_status, model_sort_key, version);

CREATE TABLE model_version_tags (
    model_name TEXT    NOT NULL,
    version    INTEGER NOT NULL,
    key        TEXT    NOT NULL,
    value      TEXT    NOT NULL,
    PRIMARY KEY (model_name, version, key),
    FOREIGN KEY (model_name, version) REFERENCES model_versions (model_name, version)
) WITHOUT ROWID;
CREATE INDEX model_version_tags_by_key_value ON model_version_tags (key, value);

-- An alias points at exactly one existing version of its model.
CREATE TABLE model_aliases (
    model_name TEXT    NOT NULL REFERENCES models (name),
    alias      TEXT    NOT NULL,
    version    INTEGER NOT NULL,
    PRIMARY KEY (model_name, alias),
    FOREIGN KEY (model_name, version) REFERENCES model_versions (model_name, version)
) WITHOUT ROWID;
CREATE INDEX model_aliases_by_version ON model_aliases (model_name, version);
