-- Records: JSON documents addressed by (kind, scope, id), listed in id order.
CREATE TABLE records (
	kind  TEXT NOT NULL,
	scope TEXT NOT NULL,
	id    TEXT NOT NULL,
	body  BLOB NOT NULL,
	PRIMARY KEY (kind, scope, id)
) WITHOUT ROWID;

-- Jobs: the durable background work queue (see package store, JobQueue).
-- Times are Unix milliseconds. While a job is leased, run_at = lease_until, so a job is
-- claimable exactly when dead_at IS NULL AND run_at <= now.
-- waiting_key is dedupe_key while the job waits (enqueued or released for a retry) and NULL
-- otherwise; its unique index makes a second waiting job of the same (kind, key) impossible.
CREATE TABLE jobs (
	id          TEXT    NOT NULL PRIMARY KEY,
	kind        TEXT    NOT NULL,
	dedupe_key  TEXT    NOT NULL DEFAULT '',
	waiting_key TEXT,
	payload     BLOB    NOT NULL,
	run_at      INTEGER NOT NULL,
	attempts    INTEGER NOT NULL DEFAULT 0,
	last_error  TEXT    NOT NULL DEFAULT '',
	lease_owner TEXT    NOT NULL DEFAULT '',
	lease_until INTEGER NOT NULL DEFAULT 0,
	created_at  INTEGER NOT NULL,
	dead_at     INTEGER
) WITHOUT ROWID;

CREATE UNIQUE INDEX jobs_waiting_key ON jobs (kind, waiting_key);
CREATE INDEX jobs_due ON jobs (run_at, id) WHERE dead_at IS NULL;
CREATE INDEX jobs_dead ON jobs (kind, id) WHERE dead_at IS NOT NULL;
