// Package sqlite is the embedded store backend: one SQLite database file in WAL mode, opened
// with the pure-Go modernc.org/sqlite driver.
//
// Connections. A Store holds two connection pools on the same file: a writer pool of exactly
// one connection, used only by the writer goroutine, and a read pool of several connections
// opened with PRAGMA query_only. In WAL mode readers never block the writer and the writer
// never blocks readers; each Read transaction sees the snapshot of its first statement.
//
// Group commit. SQLite has one writer at a time and, with synchronous=FULL, each COMMIT waits
// for an fsync. Rather than paying one fsync per Write, every Write call hands its function to
// the writer goroutine, which takes whatever is queued at that moment (at most
// Options.MaxBatch, without waiting for more) and runs it in a single BEGIN IMMEDIATE
// transaction. Each function runs inside its own SAVEPOINT: a function that returns an error
// (or panics) is rolled back alone with ROLLBACK TO and gets its own error back, while the
// others go on. One COMMIT then makes the whole batch durable, and only after that COMMIT has
// succeeded does any caller of the batch return nil; if the COMMIT fails every successful
// function of the batch gets the error. Under load this turns N fsyncs into one.
//
// Durability. By default PRAGMA synchronous=FULL: an acknowledged write survives a process
// crash and a power loss. Options.NormalSync selects synchronous=NORMAL, which in WAL mode
// still survives a process crash but may lose the last commits on power loss or OS crash.
//
// Migrations are embedded SQL files applied in order at Open (see migrate.go).
//
// The backend must never acknowledge a write before the COMMIT of its batch succeeded, nor run a
// write anywhere but on the writer goroutine.
package sqlite
