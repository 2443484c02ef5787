-- mlops metadata store, SQLite, schema version 4: the state and decisions of retraining policies (Mlops.policies())
-- and the retraining requests of retrain decisions.
-- Only adds tables and indexes, so a version 1, 2 or 3 database keeps every row as it is.
--
-- Conventions as in V1__init.sql. A policy's state for a model is one row per (policy, model), replaced by
-- compare-and-set on version (1 after the first save, then 2, 3, ...). body is the JSON exactly as the library wrote
-- it. Times are milliseconds since the epoch.

CREATE TABLE policy_states (
    policy       TEXT    NOT NULL,
    model        TEXT    NOT NULL,
    version      INTEGER NOT NULL CHECK (version >= 1),
    body         TEXT    NOT NULL,
    updated_time INTEGER NOT NULL,
    updated_by   TEXT    NOT NULL,
    PRIMARY KEY (policy, model)
);

-- The log of decisions per (policy, model), in the order saved (seq 1, 2, 3, ...). A window may have several
-- decisions (awaiting approval, then approved; a failed evaluation, then a good one); its current decision is the
-- latest whose status is not 'failed'. status, retrain, window_id and decided_at are the decision's own fields, kept
-- as columns for queries.
CREATE TABLE policy_decisions (
    policy     TEXT    NOT NULL,
    model      TEXT    NOT NULL,
    seq        INTEGER NOT NULL CHECK (seq >= 1),
    window_id  TEXT    NOT NULL,
    status     TEXT    NOT NULL,
    retrain    INTEGER NOT NULL CHECK (retrain IN (0, 1)),
    decided_at INTEGER NOT NULL,
    body       TEXT    NOT NULL,
    PRIMARY KEY (policy, model, seq),
    FOREIGN KEY (policy, model) REFERENCES policy_states (policy, model)
);
CREATE INDEX policy_decisions_by_window ON policy_decisions (policy, model, window_id, seq);

-- The retraining requests of retrain decisions, one per idempotency key (policy/model/window), moving requested ->
-- running -> completed | failed by compare-and-set on (status, attempt). seq orders listings by creation.
CREATE TABLE retraining_requests (
    key            TEXT    NOT NULL PRIMARY KEY,
    seq            INTEGER NOT NULL UNIQUE CHECK (seq >= 1),
    policy         TEXT    NOT NULL,
    model          TEXT    NOT NULL,
    window_id      TEXT    NOT NULL,
    status         TEXT    NOT NULL CHECK (status IN ('requested', 'running', 'completed', 'failed')),
    attempt        INTEGER NOT NULL CHECK (attempt >= 0),
    run_id         TEXT,
    error          TEXT,
    requested_time INTEGER NOT NULL,
    updated_time   INTEGER NOT NULL,
    body           TEXT    NOT NULL
);
CREATE INDEX retraining_requests_by_model ON retraining_requests (policy, model, seq);
CREATE INDEX retraining_requests_by_status ON retraining_requests (status, seq);
