-- mlops metadata store, PostgreSQL, schema version 2: the model registry (models, versions, aliases, their tags).
-- The same tables, columns, keys and indexes as the SQLite script (sqlite/V2__model_registry.sql), with
-- PostgreSQL's types; every text column uses the "C" collation. Only adds tables and indexes, so a version 1
-- schema keeps every row as it is.
--
-- Model names are keyed three ways, all computed in Java:
--   name      the name itself (exact-case lookups, foreign keys);
--   name_key  name.toLowerCase(Locale.ROOT), unique: two models whose names differ only in case cannot exist;
--   sort_key  the name with each UTF-16 code unit mapped to a code point in the same order (units below U+D800
--             unchanged, U+D800..U+DFFF to U+E000..U+E7FF, U+E000..U+FFFF to U+E800..U+107FF), so that the
--             "C" order of sort_key is String.compareTo order of the names, and a name prefix is a sort_key
--             prefix. Listings are ordered and paginated by it.

CREATE TABLE models (
    name              TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    name_key          TEXT COLLATE "C" NOT NULL,
    sort_key          TEXT COLLATE "C" NOT NULL,
    description       TEXT COLLATE "C" NOT NULL,
    business_owner    TEXT COLLATE "C",
    technical_owner   TEXT COLLATE "C",
    intended_use      TEXT COLLATE "C",
    service_level     TEXT COLLATE "C",
    retraining_policy TEXT COLLATE "C",
    approver_role     TEXT COLLATE "C",
    confidentiality   TEXT COLLATE "C"
        CHECK (confidentiality IN ('PUBLIC', 'INTERNAL', 'CONFIDENTIAL', 'RESTRICTED')),
    code_shareable    BOOLEAN,
    latest_version    INTEGER NOT NULL,
    created_time      BIGINT  NOT NULL,
    created_by        TEXT COLLATE "C" NOT NULL,
    updated_time      BIGINT  NOT NULL,
    CONSTRAINT models_name_key UNIQUE (name_key),
    CONSTRAINT models_sort_key UNIQUE (sort_key)
);
CREATE INDEX models_by_business_owner ON models (business_owner, sort_key);

CREATE TABLE model_tags (
    model_name TEXT COLLATE "C" NOT NULL REFERENCES models (name),
    key        TEXT COLLATE "C" NOT NULL,
    value      TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (model_name, key)
);
CREATE INDEX model_tags_by_key_value ON model_tags (key, value);

-- One row per version that exists (a deleted version's row is gone; models.latest_version keeps its number
-- taken). model_sort_key is the model's sort_key. artifact_* are set when the version became READY.
CREATE TABLE model_versions (
    model_name      TEXT COLLATE "C" NOT NULL REFERENCES models (name),
    version         INTEGER NOT NULL CHECK (version >= 1),
    model_sort_key  TEXT COLLATE "C" NOT NULL,
    digest          TEXT COLLATE "C" NOT NULL,
    status          TEXT COLLATE "C" NOT NULL CHECK (status IN ('PENDING', 'READY', 'FAILED')),
    status_message  TEXT COLLATE "C",
    artifact_digest TEXT COLLATE "C",
    artifact_size   BIGINT,
    artifact_uri    TEXT COLLATE "C",
    run_id          TEXT COLLATE "C" REFERENCES runs (id),
    signature       TEXT COLLATE "C" NOT NULL,
    metrics         TEXT COLLATE "C" NOT NULL,
    description     TEXT COLLATE "C" NOT NULL,
    approval_status TEXT COLLATE "C" NOT NULL CHECK (approval_status IN ('PENDING', 'APPROVED', 'REJECTED')),
    approval_actor  TEXT COLLATE "C",
    approval_time   BIGINT,
    approval_reason TEXT COLLATE "C",
    idempotency_key TEXT COLLATE "C",
    created_time    BIGINT  NOT NULL,
    created_by      TEXT COLLATE "C" NOT NULL,
    updated_time    BIGINT  NOT NULL,
    PRIMARY KEY (model_name, version)
);
CREATE UNIQUE INDEX model_versions_by_idempotency_key ON model_versions (model_name, idempotency_key)
    WHERE idempotency_key IS NOT NULL;
CREATE UNIQUE INDEX model_versions_in_order ON model_versions (model_sort_key, version);
CREATE INDEX model_versions_by_run ON model_versions (run_id) WHERE run_id IS NOT NULL;
CREATE INDEX model_versions_by_status ON model_versions (status, model_sort_key, version);
CREATE INDEX model_versions_by_approval ON model_versions (approval_status, model_sort_key, version);

CREATE TABLE model_version_tags (
    model_name TEXT COLLATE "C" NOT NULL,
    version    INTEGER NOT NULL,
    key        TEXT COLLATE "C" NOT NULL,
    value      TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (model_name, version, key),
    FOREIGN KEY (model_name, version) REFERENCES model_versions (model_name, version)
);
CREATE INDEX model_version_tags_by_key_value ON model_version_tags (key, value);

-- An alias points at exactly one existing version of its model.
CREATE TABLE model_aliases (
    model_name TEXT COLLATE "C" NOT NULL REFERENCES models (name),
    alias      TEXT COLLATE "C" NOT NULL,
    version    INTEGER NOT NULL,
    PRIMARY KEY (model_name, alias),
    FOREIGN KEY (model_name, version) REFERENCES model_versions (model_name, version)
);
CREATE INDEX model_aliases_by_version ON model_aliases (model_name, version);
