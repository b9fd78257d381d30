// Package store is orgconfig's persistence boundary: every service keeps its state through the
// Store interface, and every backend (store/sqlite, store/postgres) implements it identically.
// The conformance suite in store/storetest is the executable form of the contracts below and
// runs against both backends.
//
// # Records
//
// The model is deliberately small. Most state is a record: a JSON document addressed by
// (kind, scope, id), where kind names the type of object ("account", "iam-role"), scope the
// partition it lives in ("" for global objects, an account ID, or "account/region" for AWS Config
// objects) and id its key inside the partition. Listing is by (kind, scope) in ascending byte
// order of id, which is what AWS-style pagination needs (the last id of a page is the token of
// the next); ListPrefix is a range scan of the same index. Services keep their own secondary
// lookups as further records written in the same transaction. Bodies are opaque bytes of any
// size up to several MiB; ids may hold any UTF-8 text.
//
// # Transactions
//
// Read runs a function against one consistent snapshot. Write runs a function in a
// serializable read-write transaction: the outcome is as if all Writes ran one after the
// other. A Write whose function returns an error commits nothing and returns that error
// unchanged. A backend may run the function more than once (PostgreSQL retries serialization
// failures), so the function must have no effects outside its Tx; when the retries are
// exhausted Write returns ErrConflict.
//
// # Durability
//
// A Write that returned nil is durable: it is on stable storage and survives a crash of the
// process, and (with the default settings of both backends) of the machine. A Write that
// returned an error committed nothing. The store never holds state only in memory; caches above
// it are caches.
//
// # Jobs
//
// Background work lives in the same database, in a job table (JobQueue). A job is enqueued
// with Tx.Enqueue in the same transaction as the write that causes it, so it exists exactly when
// that write commits. Workers (package jobs) claim due jobs with a lease, complete them, retry
// them with a later RunAt, or bury them as dead; a worker that crashes loses its lease at
// expiry and another worker claims the job again, so handlers must be idempotent
// (at-least-once execution). A handler whose effects are a store write can make them
// exactly-once by completing the job in the same transaction (Tx.CompleteJob). Times are passed
// in by the caller's injected clock; the store only reads its own clock for defaults.
//
// The store must never keep state only in memory, and it imports no orgconfig package: the
// services depend on it, never the reverse.
package store
