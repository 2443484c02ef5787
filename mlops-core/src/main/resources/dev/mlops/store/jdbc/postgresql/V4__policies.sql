-- mlops metadata store, PostgreSQL, schema version 4: the state and decisions of retraining policies
-- (Mlops.policies()) and the retraining requests of retrain decisions. The same tables, columns, keys and indexes
-- as the SQLite script (sqlite/V4__policies.sql), with PostgreSQL's types; every text column uses the "C" collation.
-- Only adds tables and indexes, so a version 1, 2 or 3 schema keeps every row as it is.
--
-- A policy's state for a model is one row per (policy, model), replaced by compare-and-set on version (1 after the
-- first save, then 2, 3, ...). body is of type json, which keeps the text exactly as the library wrote it (unlike
-- jsonb). Times are milliseconds since the epoch.

CREATE TABLE policy_states (
    policy       TEXT COLLATE "C" NOT NULL,
    model        TEXT COLLATE "C" NOT NULL,
    version      BIGINT NOT NULL CHECK (version >= 1),
    body         JSON   NOT NULL,
    updated_time BIGINT NOT NULL,
    updated_by   TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (policy, model)
);

-- The log of decisions per (policy, model), in the order saved (seq 1, 2, 3, ...). A window may have several
-- decisions (awaiting approval, then approved; a failed evaluation, then a good one); its current decision is the
-- latest whose status is not 'failed'. status, retrain, window_id and decided_at are the decision's own fields, kept
-- as columns for queries.
CREATE TABLE policy_decisions (
    policy     TEXT COLLATE "C" NOT NULL,
    model      TEXT COLLATE "C" NOT NULL,
    seq        BIGINT  NOT NULL CHECK (seq >= 1),
    window_id  TEXT COLLATE "C" NOT NULL,
    status     TEXT COLLATE "C" NOT NULL,
    retrain    BOOLEAN NOT NULL,
    decided_at BIGINT  NOT NULL,
    body       JSON    NOT NULL,
    PRIMARY KEY (policy, model, seq),
    FOREIGN KEY (policy, model) REFERENCES policy_states (policy, model)
);
CREATE INDEX policy_decisions_by_window ON policy_decisions (policy, model, window_id, seq);

-- The retraining requests of retrain decisions, one per idempotency key (policy/model/window), moving requested ->
-- running -> completed | failed by compare-and-set on (status, attempt). seq orders listings by creation.
CREATE TABLE retraining_requests (
    key            TEXT COLLATE "C" NOT NULL PRIMARY KEY,
    seq            BIGINT  NOT NULL UNIQUE CHECK (seq >= 1),
    policy         TEXT COLLATE "C" NOT NULL,
    model          TEXT COLLATE "C" NOT NULL,
    window_id      TEXT COLLATE "C" NOT NULL,
    status         TEXT COLLATE "C" NOT NULL CHECK (status IN ('requested', 'running', 'completed', 'failed')),
    attempt        INTEGER NOT NULL CHECK (attempt >= 0),
    run_id         TEXT COLLATE "C",
    error          TEXT COLLATE "C",
    requested_time BIGINT  NOT NULL,
    updated_time   BIGINT  NOT NULL,
    body           JSON    NOT NULL
);
CREATE INDEX retraining_requests_by_model ON retraining_requests (policy, model, seq);
CREATE INDEX retraining_requests_by_status ON retraining_requests (status, seq);
