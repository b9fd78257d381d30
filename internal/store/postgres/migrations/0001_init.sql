-- Records: documents addressed by (kind, scope, id), listed in id order. id is BYTEA so that
-- ordering and prefix ranges are plain byte order whatever the database's collation, and the
-- same on CockroachDB (BYTES).
CREATE TABLE records (
	kind  TEXT  NOT NULL,
	scope TEXT  NOT NULL,
	id    BYTEA NOT NULL,
	body  BYTEA NOT NULL,
	PRIMARY KEY (kind, scope, id)
);

-- Jobs: the durable background work queue (see package store, JobQueue).
-- Times are Unix milliseconds (BIGINT). While a job is leased, run_at = lease_until, so a job
-- is claimable exactly when dead_at IS NULL AND run_at <= now. waiting_key is dedupe_key while
-- the job waits and NULL otherwise; its unique index allows one waiting job per (kind, key).
-- id is random (never a sequence), so inserts do not pile onto one index page or range.
CREATE TABLE jobs (
	id          TEXT    NOT NULL PRIMARY KEY,
	kind        TEXT    NOT NULL,
	dedupe_key  TEXT    NOT NULL DEFAULT '',
	waiting_key TEXT,
	payload     BYTEA   NOT NULL,
	run_at      BIGINT  NOT NULL,
	attempts    INTEGER NOT NULL DEFAULT 0,
	last_error  TEXT    NOT NULL DEFAULT '',
	lease_owner TEXT    NOT NULL DEFAULT '',
	lease_until BIGINT  NOT NULL DEFAULT 0,
	created_at  BIGINT  NOT NULL,
	dead_at     BIGINT
);

CREATE UNIQUE INDEX jobs_waiting_key ON jobs (kind, waiting_key);
CREATE INDEX jobs_due ON jobs (run_at, id) WHERE dead_at IS NULL;
CREATE INDEX jobs_dead ON jobs (kind, id) WHERE dead_at IS NOT NULL;
