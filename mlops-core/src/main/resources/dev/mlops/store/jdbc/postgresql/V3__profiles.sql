-- mlops metadata store, PostgreSQL, schema version 3: stored dataset profiles and drift reports (Mlops.profiles()).
-- The same tables, columns, keys and indexes as the SQLite script (sqlite/V3__profiles.sql), with PostgreSQL's
-- types; every text column uses the "C" collation. Only adds tables and indexes, so a version 1 or 2 schema keeps
-- every row as it is.
--
-- (subject, key) is unique per table. window_start and window_end are NULL when the entry describes no time window;
-- sort_time is window_start, or -9223372036854775808 (the smallest BIGINT) when there is none, so that listings
-- ordered and paginated by (subject, sort_time, id) put those entries first. body is of type json, which keeps the
-- text exactly as the library wrote it (unlike jsonb) while the server checks that it is JSON and can query it;
-- digest is its sha256: over the UTF-8 bytes (checked on read).

CREATE TABLE profiles (
    id           TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    subject      TEXT COLLATE "C" NOT NULL,
    key          TEXT COLLATE "C" NOT NULL,
    window_start BIGINT,
    window_end   BIGINT,
    sort_time    BIGINT NOT NULL,
    row_count    BIGINT NOT NULL CHECK (row_count >= 0),
    digest       TEXT COLLATE "C" NOT NULL,
    body         JSON   NOT NULL,
    created_time BIGINT NOT NULL,
    created_by   TEXT COLLATE "C" NOT NULL,
    CONSTRAINT profiles_subject_key UNIQUE (subject, key)
);
CREATE INDEX profiles_by_subject_time ON profiles (subject, sort_time, id);

-- A drift report: a monitor window's (kind WINDOW) or a DriftAnalyzer report (kind ANALYSIS), linked to the stored
-- profiles it compared. dataset_drift and drift_share are the report's verdict, kept as columns for queries.
CREATE TABLE drift_reports (
    id                   TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    subject              TEXT COLLATE "C" NOT NULL,
    key                  TEXT COLLATE "C" NOT NULL,
    kind                 TEXT COLLATE "C" NOT NULL CHECK (kind IN ('WINDOW', 'ANALYSIS')),
    window_start         BIGINT,
    window_end           BIGINT,
    sort_time            BIGINT NOT NULL,
    reference_profile_id TEXT COLLATE "C" REFERENCES profiles (id),
    current_profile_id   TEXT COLLATE "C" REFERENCES profiles (id),
    dataset_drift        BOOLEAN NOT NULL,
    drift_share          DOUBLE PRECISION,
    digest               TEXT COLLATE "C" NOT NULL,
    body                 JSON   NOT NULL,
    created_time         BIGINT NOT NULL,
    created_by           TEXT COLLATE "C" NOT NULL,
    CONSTRAINT drift_reports_subject_key UNIQUE (subject, key)
);
CREATE INDEX drift_reports_by_subject_time ON drift_reports (subject, sort_time, id);
CREATE INDEX drift_reports_by_reference ON drift_reports (reference_profile_id)
    WHERE reference_profile_id IS NOT NULL;
CREATE INDEX drift_reports_by_current ON drift_reports (current_profile_id) WHERE current_profile_id IS NOT NULL;
