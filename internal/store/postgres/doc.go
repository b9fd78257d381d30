// Package postgres is the scale-out store backend: PostgreSQL through a pgx connection pool.
// Several orgconfig processes may share one database; everything they coordinate on (records,
// jobs, migrations) is in the database, and the SQL is kept portable to CockroachDB (no
// advisory locks, no PostgreSQL-only index types, client-side retries, no sequences).
//
// Isolation. Write runs in a SERIALIZABLE transaction. REPEATABLE READ (snapshot isolation)
// would be cheaper but allows write skew: two transactions that each check an invariant over
// several records ("at most N", "the last one must not be removed") and each change a
// different record can both commit and break it. The embedded SQLite backend is serializable
// by construction (one writer), services are written against that behavior, and CockroachDB
// runs SERIALIZABLE by default; so this backend is serializable too. Serialization failures
// (SQLSTATE 40001) and deadlocks (40P01) roll the transaction back and run it again after a
// jittered exponential backoff, up to Options.MaxAttempts times; then Write returns
// store.ErrConflict. Read runs in a READ ONLY REPEATABLE READ transaction: one snapshot, no
// serialization failures on PostgreSQL (retried like writes where CockroachDB reports them).
//
// Jobs. A claim is one statement: the due rows are selected in RunAt order with
// FOR UPDATE SKIP LOCKED, so concurrent claimers (in any number of processes) skip the rows
// another claimer is taking instead of waiting for it or taking them too, and the same
// statement moves their RunAt to the lease expiry. Completions, extensions and burials are
// single conditional statements on (id, owner, attempt).
//
// Migrations: see migrate.go.
//
// The backend must never acknowledge a write before its transaction committed, nor keep state
// that other replicas need in the process: everything is in the database.
package postgres
