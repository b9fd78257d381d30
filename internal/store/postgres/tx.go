package postgres

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/orgconfig/orgconfig/internal/store"
)

var errTxDone = errors.New("postgres store: transaction used after its function returned")

type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

// tx implements store.Tx on a pgx transaction. Write methods of a read-only tx return
// store.ErrReadOnly without sending anything, so the transaction stays usable.
type tx struct {
	ctx      context.Context
	s        *Store
	q        querier
	readOnly bool
	done     bool
}

func (t *tx) check(write bool) error {
	if t.done {
		return errTxDone
	}
	if write && t.readOnly {
		return store.ErrReadOnly
	}
	return nil
}

func nonNil(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

func (t *tx) Get(kind, scope, id string) ([]byte, error) {
	if err := t.check(false); err != nil {
		return nil, err
	}
	var body []byte
	err := pgxQueryRow(t.ctx, t.q, `SELECT body FROM records WHERE kind = $1 AND scope = $2 AND id = $3`,
		[]any{kind, scope, []byte(id)}, &body)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, store.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	return nonNil(body), nil
}

func pgxQueryRow(ctx context.Context, q querier, sql string, args []any, dest ...any) error {
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return err
		}
		return pgx.ErrNoRows
	}
	if err := rows.Scan(dest...); err != nil {
		return err
	}
	rows.Close()
	return rows.Err()
}

func (t *tx) Put(kind, scope, id string, body []byte) error {
	if err := t.check(true); err != nil {
		return err
	}
	_, err := t.q.Exec(t.ctx, `INSERT INTO records (kind, scope, id, body) VALUES ($1, $2, $3, $4)
		ON CONFLICT (kind, scope, id) DO UPDATE SET body = excluded.body`, kind, scope, []byte(id), nonNil(body))
	return err
}

func (t *tx) Create(kind, scope, id string, body []byte) error {
	if err := t.check(true); err != nil {
		return err
	}
	tag, err := t.q.Exec(t.ctx, `INSERT INTO records (kind, scope, id, body) VALUES ($1, $2, $3, $4)
		ON CONFLICT (kind, scope, id) DO NOTHING`, kind, scope, []byte(id), nonNil(body))
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return store.ErrExists
	}
	return nil
}

func (t *tx) Delete(kind, scope, id string) (bool, error) {
	if err := t.check(true); err != nil {
		return false, err
	}
	tag, err := t.q.Exec(t.ctx, `DELETE FROM records WHERE kind = $1 AND scope = $2 AND id = $3`, kind, scope, []byte(id))
	if err != nil {
		return false, err
	}
	return tag.RowsAffected() > 0, nil
}

func (t *tx) List(kind, scope, after string, limit int) ([]store.Record, error) {
	return t.list(kind, scope, "", after, limit)
}

func (t *tx) ListPrefix(kind, scope, prefix, after string, limit int) ([]store.Record, error) {
	return t.list(kind, scope, prefix, after, limit)
}

// list is a range scan of the primary key: id > after, and id in [prefix, PrefixEnd(prefix)).
func (t *tx) list(kind, scope, prefix, after string, limit int) ([]store.Record, error) {
	if err := t.check(false); err != nil {
		return nil, err
	}
	q := `SELECT id, body FROM records WHERE kind = $1 AND scope = $2 AND id > $3`
	args := []any{kind, scope, []byte(after)}
	if prefix != "" {
		args = append(args, []byte(prefix))
		q += fmt.Sprintf(` AND id >= $%d`, len(args))
		if end, ok := store.PrefixEnd(prefix); ok {
			args = append(args, []byte(end))
			q += fmt.Sprintf(` AND id < $%d`, len(args))
		}
	}
	q += ` ORDER BY id`
	if limit > 0 {
		args = append(args, limit)
		q += fmt.Sprintf(` LIMIT $%d`, len(args))
	}
	rows, err := t.q.Query(t.ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Record
	for rows.Next() {
		var id, body []byte
		if err := rows.Scan(&id, &body); err != nil {
			return nil, err
		}
		out = append(out, store.Record{Kind: kind, Scope: scope, ID: string(id), Body: nonNil(body)})
	}
	return out, rows.Err()
}

func (t *tx) Count(kind, scope string) (int, error) {
	if err := t.check(false); err != nil {
		return 0, err
	}
	var n int64
	err := pgxQueryRow(t.ctx, t.q, `SELECT count(*) FROM records WHERE kind = $1 AND scope = $2`, []any{kind, scope}, &n)
	return int(n), err
}

// ListScopes seeks the next scope of kind in the primary key, once per scope (a loose index
// scan, which PostgreSQL does not do by itself for DISTINCT).
func (t *tx) ListScopes(kind, after string, limit int) ([]string, error) {
	if err := t.check(false); err != nil {
		return nil, err
	}
	var out []string
	for limit <= 0 || len(out) < limit {
		err := pgxQueryRow(t.ctx, t.q, `SELECT scope FROM records WHERE kind = $1 AND scope > $2 ORDER BY scope LIMIT 1`,
			[]any{kind, after}, &after)
		if errors.Is(err, pgx.ErrNoRows) {
			break
		}
		if err != nil {
			return nil, err
		}
		out = append(out, after)
	}
	return out, nil
}

// CountGroups groups in SQL, one statement for all the scopes (one round trip, one hash
// aggregate over the prefix ranges of the primary key); id is BYTEA, so the cuts are at byte
// offsets.
func (t *tx) CountGroups(kind string, scopes []string, prefix string, sep byte) ([]store.GroupCount, error) {
	if err := t.check(false); err != nil {
		return nil, err
	}
	if len(scopes) == 0 {
		return nil, nil
	}
	q := `SELECT g, count(*) FROM (
		SELECT substring(r FROM 1 FOR position($1::bytea IN r || $1::bytea) - 1) AS g
		FROM (SELECT substring(id FROM $2::int4) AS r FROM records
			WHERE kind = $3 AND scope = ANY($4::text[]) AND id >= $5`
	args := []any{[]byte{sep}, int32(len(prefix) + 1), kind, scopes, []byte(prefix)}
	if end, ok := store.PrefixEnd(prefix); ok {
		args = append(args, []byte(end))
		q += ` AND id < $6`
	}
	q += `) s) t GROUP BY g ORDER BY g`
	rows, err := t.q.Query(t.ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.GroupCount
	for rows.Next() {
		var g []byte
		var n int64
		if err := rows.Scan(&g, &n); err != nil {
			return nil, err
		}
		out = append(out, store.GroupCount{Group: string(g), Count: int(n)})
	}
	return out, rows.Err()
}

// --- jobs -------------------------------------------------------------------------------

const jobCols = `id, kind, dedupe_key, payload, run_at, attempts, last_error, lease_owner, lease_until, created_at, dead_at`

func ms(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

func fromMS(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v).UTC()
}

// scanJob scans jobCols, optionally preceded by extra destinations.
func scanJob(rows pgx.Rows, extra ...any) (store.Job, error) {
	var j store.Job
	var runAt, leaseUntil, createdAt int64
	var attempts int32
	var deadAt *int64
	dest := append(extra, &j.ID, &j.Kind, &j.Key, &j.Payload, &runAt, &attempts, &j.LastError,
		&j.LeaseOwner, &leaseUntil, &createdAt, &deadAt)
	err := rows.Scan(dest...)
	j.Attempts = int(attempts)
	j.Payload = nonNil(j.Payload)
	j.RunAt, j.LeaseUntil, j.CreatedAt = fromMS(runAt), fromMS(leaseUntil), fromMS(createdAt)
	if deadAt != nil {
		j.DeadAt = fromMS(*deadAt)
	}
	return j, err
}

func collectJobs(rows pgx.Rows, err error) ([]store.Job, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Job
	for rows.Next() {
		j, err := scanJob(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, j)
	}
	return out, rows.Err()
}

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func (t *tx) Enqueue(job store.Job) error {
	if err := t.check(true); err != nil {
		return err
	}
	if job.Kind == "" {
		return errors.New("store: Enqueue: job kind is empty")
	}
	now := t.s.now()
	if job.ID == "" {
		job.ID = store.NewJobID()
	}
	if job.RunAt.IsZero() {
		job.RunAt = now
	}
	// DO NOTHING without a conflict target covers both a waiting job with the same (kind,
	// key), the deduplication no-op, and an existing ID, told apart below; neither raises an
	// error, which would abort the transaction.
	tag, err := t.q.Exec(t.ctx, `INSERT INTO jobs (id, kind, dedupe_key, waiting_key, payload, run_at, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
		job.ID, job.Kind, job.Key, nullIfEmpty(job.Key), nonNil(job.Payload), ms(job.RunAt), ms(now))
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 1 {
		return nil
	}
	var one int
	err = pgxQueryRow(t.ctx, t.q, `SELECT 1 FROM jobs WHERE id = $1`, []any{job.ID}, &one)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil // deduplicated
	}
	if err != nil {
		return err
	}
	return store.ErrExists
}

// leaseHeld is the condition under which the lease ($1 id, $2 owner, $3 attempt) is held.
const leaseHeld = `id = $1 AND lease_owner = $2 AND attempts = $3 AND dead_at IS NULL AND lease_until <> 0`

func leaseArgs(l store.Lease, more ...any) []any {
	return append([]any{l.JobID, l.Owner, int32(l.Attempt)}, more...)
}

func leaseResult(tag pgconn.CommandTag, err error) error {
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return store.ErrLeaseLost
	}
	return nil
}

func (t *tx) CompleteJob(l store.Lease) error {
	if err := t.check(true); err != nil {
		return err
	}
	return leaseResult(t.q.Exec(t.ctx, `DELETE FROM jobs WHERE `+leaseHeld, leaseArgs(l)...))
}

func (t *tx) retryJob(l store.Lease, runAt time.Time, errMsg string) error {
	var kind, key string
	err := pgxQueryRow(t.ctx, t.q, `SELECT kind, dedupe_key FROM jobs WHERE `+leaseHeld, leaseArgs(l), &kind, &key)
	if errors.Is(err, pgx.ErrNoRows) {
		return store.ErrLeaseLost
	}
	if err != nil {
		return err
	}
	if key != "" {
		tag, err := t.q.Exec(t.ctx, `UPDATE jobs SET attempts = GREATEST(attempts, $1), last_error = $2,
			run_at = GREATEST(run_at, $3) WHERE kind = $4 AND waiting_key = $5`,
			int32(l.Attempt), errMsg, ms(runAt), kind, key)
		if err != nil {
			return err
		}
		if tag.RowsAffected() > 0 {
			_, err := t.q.Exec(t.ctx, `DELETE FROM jobs WHERE id = $1`, l.JobID)
			return err
		}
	}
	_, err = t.q.Exec(t.ctx, `UPDATE jobs SET run_at = $1, last_error = $2, lease_owner = '', lease_until = 0,
		waiting_key = NULLIF(dedupe_key, '') WHERE id = $3`, ms(runAt), errMsg, l.JobID)
	return err
}

// ClaimJobs implements store.JobQueue with one statement that locks the due rows with
// FOR UPDATE SKIP LOCKED and leases them.
func (s *Store) ClaimJobs(ctx context.Context, owner string, now time.Time, lease time.Duration, kinds []string, limit int) ([]store.Job, error) {
	if owner == "" {
		return nil, errors.New("store: ClaimJobs: empty owner")
	}
	if lease <= 0 {
		return nil, errors.New("store: ClaimJobs: lease must be positive")
	}
	if limit <= 0 {
		limit = 1
	}
	until := ms(now.Add(lease))
	kindFilter := ``
	args := []any{ms(now), limit, owner, until}
	if len(kinds) > 0 {
		kindFilter = ` AND kind = ANY($5)`
		args = append(args, kinds)
	}
	q := `WITH due AS (
			SELECT id, run_at FROM jobs
			WHERE dead_at IS NULL AND run_at <= $1` + kindFilter + `
			ORDER BY run_at, id
			LIMIT $2
			FOR UPDATE SKIP LOCKED)
		UPDATE jobs SET attempts = jobs.attempts + 1, lease_owner = $3, lease_until = $4, run_at = $4,
			waiting_key = NULL
		FROM due WHERE jobs.id = due.id
		RETURNING due.run_at, jobs.id, jobs.kind, jobs.dedupe_key, jobs.payload, jobs.run_at, jobs.attempts,
			jobs.last_error, jobs.lease_owner, jobs.lease_until, jobs.created_at, jobs.dead_at`
	type claimed struct {
		prev int64
		job  store.Job
	}
	var out []claimed
	err := s.retry(ctx, func() error {
		out = out[:0]
		rows, err := s.pool.Query(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var c claimed
			if c.job, err = scanJob(rows, &c.prev); err != nil {
				return err
			}
			out = append(out, c)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].prev != out[j].prev {
			return out[i].prev < out[j].prev
		}
		return out[i].job.ID < out[j].job.ID
	})
	jobs := make([]store.Job, len(out))
	for i, c := range out {
		jobs[i] = c.job
	}
	return jobs, nil
}

// exec1 runs one statement outside an explicit transaction, retrying conflicts.
func (s *Store) exec1(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	var tag pgconn.CommandTag
	err := s.retry(ctx, func() error {
		var err error
		tag, err = s.pool.Exec(ctx, sql, args...)
		return err
	})
	return tag, err
}

// CompleteJob implements store.JobQueue.
func (s *Store) CompleteJob(ctx context.Context, l store.Lease) error {
	return leaseResult(s.exec1(ctx, `DELETE FROM jobs WHERE `+leaseHeld, leaseArgs(l)...))
}

// RetryJob implements store.JobQueue. It runs as a serializable Write because it reads the
// job and its possible waiting twin before changing them.
func (s *Store) RetryJob(ctx context.Context, l store.Lease, runAt time.Time, errMsg string) error {
	return s.Write(ctx, func(st store.Tx) error { return st.(*tx).retryJob(l, runAt, errMsg) })
}

// BuryJob implements store.JobQueue.
func (s *Store) BuryJob(ctx context.Context, l store.Lease, now time.Time, errMsg string) error {
	return leaseResult(s.exec1(ctx, `UPDATE jobs SET dead_at = $4, last_error = $5, lease_until = 0 WHERE `+leaseHeld,
		leaseArgs(l, ms(now), errMsg)...))
}

// ExtendLease implements store.JobQueue.
func (s *Store) ExtendLease(ctx context.Context, l store.Lease, until time.Time) error {
	return leaseResult(s.exec1(ctx, `UPDATE jobs SET lease_until = $4, run_at = $4 WHERE `+leaseHeld,
		leaseArgs(l, ms(until))...))
}

func jobFilterSQL(f store.JobFilter) (string, []any) {
	q := ` FROM jobs WHERE dead_at IS NULL`
	if f.Dead {
		q = ` FROM jobs WHERE dead_at IS NOT NULL`
	}
	var args []any
	if f.Kind != "" {
		args = append(args, f.Kind)
		q += fmt.Sprintf(` AND kind = $%d`, len(args))
	}
	return q, args
}

// ListJobs implements store.JobQueue.
func (s *Store) ListJobs(ctx context.Context, f store.JobFilter) ([]store.Job, error) {
	where, args := jobFilterSQL(f)
	args = append(args, f.After)
	q := `SELECT ` + jobCols + where + fmt.Sprintf(` AND id > $%d ORDER BY id`, len(args))
	if f.Limit > 0 {
		args = append(args, f.Limit)
		q += fmt.Sprintf(` LIMIT $%d`, len(args))
	}
	var out []store.Job
	err := s.Read(ctx, func(st store.Tx) error {
		var err error
		out, err = collectJobs(st.(*tx).q.Query(ctx, q, args...))
		return err
	})
	return out, err
}

// CountJobs implements store.JobQueue.
func (s *Store) CountJobs(ctx context.Context, f store.JobFilter) (int, error) {
	where, args := jobFilterSQL(f)
	var n int64
	err := s.Read(ctx, func(st store.Tx) error {
		return pgxQueryRow(ctx, st.(*tx).q, `SELECT count(*)`+where, args, &n)
	})
	return int(n), err
}
