package store

import (
	"context"
	"errors"
	"time"
)

// ErrNotFound is returned when a record does not exist.
var ErrNotFound = errors.New("store: not found")

// ErrExists is returned by Tx.Create when the record already exists.
var ErrExists = errors.New("store: already exists")

// ErrUnavailable wraps a backend's failure to store anything: a full disk, an I/O error, a
// database out of resources. The caller cannot fix it by changing its request; the server
// answers ServiceUnavailable and reports itself unhealthy.
var ErrUnavailable = errors.New("store: unavailable")

// ErrConflict is returned by Write when the transaction could not be committed because of a
// concurrent transaction even after retries (serialization failure, busy database).
var ErrConflict = errors.New("store: conflict with a concurrent transaction")

// ErrReadOnly is returned by the write methods of a Tx obtained from Store.Read.
var ErrReadOnly = errors.New("store: write in a read-only transaction")

// ErrLeaseLost is returned by the job methods that need a lease (CompleteJob, RetryJob, BuryJob,
// ExtendLease) when the lease is no longer held: the job was completed, buried, or claimed again
// by another worker after the lease expired. The caller must not assume that its work was
// recorded; it should drop the job (the current lease holder owns it now).
var ErrLeaseLost = errors.New("store: job lease lost")

// Record is one stored document.
type Record struct {
	Kind  string
	Scope string
	ID    string
	Body  []byte
}

// GroupCount is one group of Tx.CountGroups: its key and its number of records.
type GroupCount struct {
	Group string
	Count int
}

// Key addresses one record.
type Key struct {
	Kind  string
	Scope string
	ID    string
}

// Store is a transactional record store.
type Store interface {
	// Read runs fn in a read-only transaction that sees one consistent snapshot (taken at its
	// first statement at the latest), including every Write that returned before Read was
	// called. The Tx must not be used after fn returns. Write methods of the Tx (including
	// Enqueue and CompleteJob) return ErrReadOnly. fn's error is returned unchanged.
	Read(ctx context.Context, fn func(tx Tx) error) error

	// Write runs fn in a read-write transaction and commits it durably before returning nil.
	// If fn returns an error the transaction is rolled back and that error is returned unchanged.
	// fn may be run more than once (the backend retries serialization failures), so it must not
	// have side effects outside the Tx. Transactions are serializable: concurrent Writes behave
	// as if run one after the other (no lost updates, no write skew). If the retries are
	// exhausted Write returns an error wrapping ErrConflict. If ctx is already done, Write
	// commits nothing and returns an error. fn must not call Write on the same store (the
	// SQLite backend runs fn on its single writer and would deadlock); the Tx must not be used
	// after fn returns nor from several goroutines at once.
	Write(ctx context.Context, fn func(tx Tx) error) error

	// GetMany returns the bodies of the records keys, in the order of keys, with a nil entry
	// for a missing record (a present record with an empty body has a non-nil empty entry).
	// All the values come from one consistent snapshot, taken after every Write that returned
	// before GetMany was called. It is a single statement, cheaper than a Read of several Gets.
	GetMany(ctx context.Context, keys []Key) ([][]byte, error)

	// Close releases the backend's resources. Pending writes either complete or fail.
	// Close must be called once, after every other call has returned.
	Close() error

	JobQueue
}

// Tx is a transaction. Its methods use the context given to Read or Write.
type Tx interface {
	// Get returns the body of a record, or ErrNotFound.
	Get(kind, scope, id string) ([]byte, error)

	// Put creates or replaces a record. It is idempotent.
	Put(kind, scope, id string, body []byte) error

	// GetMany returns the bodies of the records keys, in the order of keys, with a nil entry
	// for a missing record (a present record with an empty body has a non-nil empty entry). It
	// reads what Get would, in as few statements as the backend allows.
	GetMany(keys []Key) ([][]byte, error)

	// PutMany is Put of every record in order (a later record with the same key as an earlier
	// one wins), in as few statements as the backend allows.
	PutMany(recs []Record) error

	// Create creates a record, or returns ErrExists if one with the same key exists.
	Create(kind, scope, id string, body []byte) error

	// Delete removes a record. It reports whether a record was removed; deleting a missing
	// record is not an error.
	Delete(kind, scope, id string) (bool, error)

	// List returns up to limit records of (kind, scope) whose id is greater than after, in
	// ascending byte order of id. A limit <= 0 means no limit.
	List(kind, scope, after string, limit int) ([]Record, error)

	// ListPrefix is List restricted to ids that start with prefix.
	ListPrefix(kind, scope, prefix, after string, limit int) ([]Record, error)

	// Count returns the number of records of (kind, scope).
	Count(kind, scope string) (int, error)

	// ListScopes returns up to limit distinct scopes that hold records of kind and come after
	// after, in ascending order: byte order on SQLite; on PostgreSQL the order of the scope
	// column's collation (byte order for the scopes orgconfig makes under the C collation),
	// the same from call to call, so that paging with the last scope as after visits every
	// scope once. A limit <= 0 means no limit. Each scope costs one index seek, however many
	// records it holds: it finds the partitions of a kind without reading them.
	ListScopes(kind, after string, limit int) ([]string, error)

	// CountGroups counts the records of kind in scopes (each scope once, however often it is
	// listed) whose id starts with prefix, grouped by their group key: the part of the id after
	// prefix up to (not including) the first sep byte after prefix, or the whole rest of the id
	// when no sep follows. It returns one GroupCount per group that has records, summed over the
	// scopes, in ascending byte order of Group; every count is positive, and the counts add up
	// to the number of records ListPrefix(kind, scope, prefix) returns over the scopes (no
	// records: an empty result). Ids are split as bytes, so a sep that is part of a multi-byte
	// UTF-8 character still separates. The counting happens in the database (on PostgreSQL one
	// statement for all the scopes; nothing but the counts travels), so it suits aggregates over
	// an index kept as records (path + sep + value + sep + …); the whole answer is held in
	// memory, so it is meant for prefixes with a moderate number of groups. It sees the Tx's
	// snapshot, including the Tx's own writes.
	CountGroups(kind string, scopes []string, prefix string, sep byte) ([]GroupCount, error)

	// Enqueue adds a background job in this transaction: the job exists if and only if the
	// transaction commits, so work caused by a write is never lost nor run for a rolled-back
	// write. Only Kind is required. An empty ID is replaced by a random one (never a sequence);
	// a zero RunAt means "due now" by the store's clock; Attempts, LastError, lease and dead
	// fields are ignored. If job.Key is not empty and a waiting job (enqueued, not yet claimed)
	// with the same (Kind, Key) exists, Enqueue does nothing and returns nil: the waiting job
	// will see the state this transaction commits. A job with an explicit ID that already
	// exists gives ErrExists. In a read-only Tx it returns ErrReadOnly.
	Enqueue(job Job) error

	// CompleteJob deletes the job held by lease in this transaction, so a handler can commit its
	// effects and the job's completion atomically (exactly-once effects for handlers whose work
	// is a store write). It returns ErrLeaseLost if the lease is no longer held; the handler
	// should then return that error so that the whole transaction, effects included, is
	// rolled back. In a read-only Tx it returns ErrReadOnly.
	CompleteJob(lease Lease) error
}

// Job is a durable unit of background work (see package jobs for the lifecycle). Times are
// stored with millisecond precision and returned in UTC.
type Job struct {
	// ID identifies the job. It is random (or chosen by the enqueuer), never a sequence.
	ID string
	// Kind selects the handler.
	Kind string
	// Key is an optional deduplication key: while a job of the same Kind and Key is waiting,
	// enqueuing another is a no-op.
	Key string
	// Payload is opaque to the store.
	Payload []byte
	// RunAt is when the job is next due. While the job is leased RunAt equals LeaseUntil, so
	// a job is claimable exactly when it is live and RunAt <= now.
	RunAt time.Time
	// Attempts counts the claims of the job, including the current one. Every claim increments
	// it, so (ID, LeaseOwner, Attempts) identifies one claim: see Lease.
	Attempts int
	// LastError is the error message of the last failed attempt, or "".
	LastError string
	// LeaseOwner is the worker that claimed the job last, or "" if it was never claimed or was
	// released for a retry.
	LeaseOwner string
	// LeaseUntil is when the current lease expires (zero if not leased).
	LeaseUntil time.Time
	// CreatedAt is when the job was enqueued, by the store's clock.
	CreatedAt time.Time
	// DeadAt is when the job was buried after its last failed attempt; zero for live jobs.
	// Dead jobs are kept (see JobQueue.ListJobs) and never claimed.
	DeadAt time.Time
}

// Lease returns the lease of the claim that produced j, for CompleteJob, RetryJob, BuryJob
// and ExtendLease.
func (j Job) Lease() Lease { return Lease{JobID: j.ID, Owner: j.LeaseOwner, Attempt: j.Attempts} }

// Lease identifies one claim of one job. Because every claim increments the job's attempt
// counter, a lease taken by a worker that stalled past its expiry never matches the job again
// once another worker has claimed it: stale workers cannot complete, retry or extend a job that
// someone else holds.
type Lease struct {
	JobID   string
	Owner   string
	Attempt int
}

// JobFilter selects jobs for ListJobs and CountJobs.
type JobFilter struct {
	// Kind restricts the result to one kind; "" means every kind.
	Kind string
	// Dead selects buried jobs when true and live (waiting or leased) jobs when false.
	Dead bool
	// After restricts ListJobs to jobs whose ID is greater than After (pagination).
	After string
	// Limit bounds ListJobs; <= 0 means no limit.
	Limit int
}

// JobQueue is the durable job table. Jobs are added with Tx.Enqueue. Workers claim due jobs
// with a time-limited lease, and then complete, retry or bury them with that lease; a worker
// that crashes simply lets its lease expire, after which another worker claims the job again.
// Every method runs in its own transaction and is durable when it returns nil. Times are
// passed in by the caller (the injected clock of package jobs), never read from the wall clock.
type JobQueue interface {
	// ClaimJobs leases up to limit live jobs with RunAt <= now, oldest RunAt first, to owner
	// until now+lease, and returns them with Attempts incremented and the lease fields set.
	// kinds restricts the claim to those kinds; an empty kinds claims every kind. A job is
	// returned to at most one concurrent caller: on PostgreSQL the candidates are locked with
	// FOR UPDATE SKIP LOCKED, so several processes can claim at once without blocking on each
	// other or claiming the same job twice.
	ClaimJobs(ctx context.Context, owner string, now time.Time, lease time.Duration, kinds []string, limit int) ([]Job, error)

	// CompleteJob deletes the job held by lease. It returns ErrLeaseLost if the lease is not
	// held any more (in particular, a job re-claimed by another worker is left alone).
	CompleteJob(ctx context.Context, lease Lease) error

	// RetryJob releases the job held by lease, records errMsg as its LastError and makes it due
	// again at runAt. If meanwhile a waiting job of the same Kind and Key was enqueued, that job
	// already covers this work: this one is deleted and the waiting one inherits its attempt
	// count and error and is postponed to at least runAt. It returns ErrLeaseLost if the lease
	// is not held.
	RetryJob(ctx context.Context, lease Lease, runAt time.Time, errMsg string) error

	// BuryJob marks the job held by lease dead at now with errMsg as its LastError. A dead job
	// is kept for inspection (ListJobs with Dead) and never claimed again. It returns
	// ErrLeaseLost if the lease is not held.
	BuryJob(ctx context.Context, lease Lease, now time.Time, errMsg string) error

	// ExtendLease moves the expiry of the lease (and the job's RunAt) to until, so a long
	// handler keeps its job. It returns ErrLeaseLost if the lease is not held.
	ExtendLease(ctx context.Context, lease Lease, until time.Time) error

	// ListJobs returns the jobs selected by f in ascending ID order.
	ListJobs(ctx context.Context, f JobFilter) ([]Job, error)

	// CountJobs returns the number of jobs selected by f (After and Limit are ignored).
	CountJobs(ctx context.Context, f JobFilter) (int, error)
}

// GetOptional returns the body of record (kind, scope, id), or nil without an error when there
// is none.
func GetOptional(tx Tx, kind, scope, id string) ([]byte, error) {
	b, err := tx.Get(kind, scope, id)
	if errors.Is(err, ErrNotFound) {
		return nil, nil
	}
	return b, err
}

// DedupeLast returns recs without the records whose key appears again later in recs, keeping
// the order of the rest: the records a PutMany of recs leaves. It returns recs itself when no
// key repeats.
func DedupeLast(recs []Record) []Record {
	if len(recs) < 2 {
		return recs
	}
	seen := make(map[Key]int, len(recs))
	dup := false
	for i, r := range recs {
		k := Key{r.Kind, r.Scope, r.ID}
		if _, ok := seen[k]; ok {
			dup = true
		}
		seen[k] = i
	}
	if !dup {
		return recs
	}
	out := make([]Record, 0, len(seen))
	for i, r := range recs {
		if seen[Key{r.Kind, r.Scope, r.ID}] == i {
			out = append(out, r)
		}
	}
	return out
}
