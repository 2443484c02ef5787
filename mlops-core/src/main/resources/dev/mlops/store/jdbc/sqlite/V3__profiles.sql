-- mlops metadata store, SQLite, schema version 3: stored dataset profiles and drift reports (Mlops.profiles()).
-- Only adds tables and indexes, so a version 1 or 2 database keeps every row as it is.
--
-- Conventions as in V1__init.sql. (subject, key) is unique per table. window_start and window_end are NULL when the
-- entry describes no time window; sort_time is window_start, or -9223372036854775808 (the smallest 64-bit integer)
-- when there is none, so that listings ordered and paginated by (subject, sort_time, id) put those entries first.
-- body is the JSON exactly as the library wrote it, digest its sha256: over the UTF-8 bytes (checked on read).

CREATE TABLE profiles (
    id           TEXT    NOT NULL PRIMARY KEY,
    subject      TEXT    NOT NULL,
    key          TEXT    NOT NULL,
    window_start INTEGER,
    window_end   INTEGER,
    sort_time    INTEGER NOT NULL,
    row_count    INTEGER NOT NULL CHECK (row_count >= 0),
    digest       TEXT    NOT NULL,
    body         TEXT    NOT NULL,
    created_time INTEGER NOT NULL,
    created_by   TEXT    NOT NULL,
    CONSTRAINT profiles_subject_key UNIQUE (subject, key)
);
CREATE INDEX profiles_by_subject_time ON profiles (subject, sort_time, id);

-- A drift report: a monitor window's (kind WINDOW) or a DriftAnalyzer report (kind ANALYSIS), linked to the stored
-- profiles it compared. dataset_drift and drift_share are the report's verdict, kept as columns for queries.
CREATE TABLE drift_reports (
    id                   TEXT    NOT NULL PRIMARY KEY,
    subject              TEXT    NOT NULL,
    key                  TEXT    NOT NULL,
    kind                 TEXT    NOT NULL CHECK (kind IN ('WINDOW', 'ANALYSIS')),
    window_start         INTEGER,
    window_end           INTEGER,
    sort_time            INTEGER NOT NULL,
    reference_profile_id TEXT    REFERENCES profiles (id),
    current_profile_id   TEXT    REFERENCES profiles (id),
    dataset_drift        INTEGER NOT NULL CHECK (dataset_drift IN (0, 1)),
    drift_share          REAL,
    digest               TEXT    NOT NULL,
    body                 TEXT    NOT NULL,
    created_time         INTEGER NOT NULL,
    created_by           TEXT    NOT NULL,
    CONSTRAINT drift_reports_subject_key UNIQUE (subject, key)
);
CREATE INDEX drift_reports_by_subject_time ON drift_reports (subject, sort_time, id);
CREATE INDEX drift_reports_by_reference ON drift_reports (reference_profile_id)
    WHERE reference_profile_id IS NOT NULL;
CREATE INDEX drift_reports_by_current ON drift_reports (current_profile_id) WHERE current_profile_id IS NOT NULL;
