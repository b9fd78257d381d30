package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/orgconfig/orgconfig/internal/store"
)

var errTxDone = errors.New("sqlite store: transaction used after its function returned")

// tx implements store.Tx. A write tx runs on the writer connection (inside the batch's
// transaction and the function's savepoint); a read tx wraps a *sql.Tx of the read pool.
type tx struct {
	ctx      context.Context
	s        *Store
	rtx      *sql.Tx // read transactions only
	readOnly bool
	done     bool
	// rstmts are the statements of rtx already bound to it (few distinct queries per read).
	rstmts []boundStmt
}

type boundStmt struct {
	q  string
	st *sql.Stmt
}

func (t *tx) stmt(q string) (*sql.Stmt, error) {
	if t.done {
		return nil, errTxDone
	}
	if t.readOnly {
		for _, b := range t.rstmts {
			if b.q == q {
				return b.st, nil
			}
		}
		st, err := t.s.rstmt(t.ctx, t.rtx, q)
		if err != nil {
			return nil, err
		}
		t.rstmts = append(t.rstmts, boundStmt{q, st})
		return st, nil
	}
	return t.s.wstmt(t.ctx, q)
}

func (t *tx) exec(q string, args ...any) (sql.Result, error) {
	st, err := t.stmt(q)
	if err != nil {
		return nil, err
	}
	res, err := st.ExecContext(t.ctx, args...)
	return res, wrapErr(err)
}

func (t *tx) query(q string, args ...any) (*sql.Rows, error) {
	st, err := t.stmt(q)
	if err != nil {
		return nil, err
	}
	rows, err := st.QueryContext(t.ctx, args...)
	return rows, wrapErr(err)
}

// queryDynamic runs a query whose text varies (not worth caching as a prepared statement).
func (t *tx) queryDynamic(q string, args ...any) (*sql.Rows, error) {
	if t.done {
		return nil, errTxDone
	}
	var (
		rows *sql.Rows
		err  error
	)
	if t.readOnly {
		rows, err = t.rtx.QueryContext(t.ctx, q, args...)
	} else {
		rows, err = t.s.wconn.QueryContext(t.ctx, q, args...)
	}
	return rows, wrapErr(err)
}

func (t *tx) writable() error {
	if t.done {
		return errTxDone
	}
	if t.readOnly {
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
	rows, err := t.query(`SELECT body FROM records WHERE kind = ? AND scope = ? AND id = ?`, kind, scope, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return nil, wrapErr(err)
		}
		return nil, store.ErrNotFound
	}
	var body []byte
	if err := rows.Scan(&body); err != nil {
		return nil, err
	}
	return nonNil(body), nil
}

func (t *tx) Put(kind, scope, id string, body []byte) error {
	if err := t.writable(); err != nil {
		return err
	}
	_, err := t.exec(`INSERT INTO records (kind, scope, id, body) VALUES (?, ?, ?, ?)
		ON CONFLICT (kind, scope, id) DO UPDATE SET body = excluded.body`, kind, scope, id, nonNil(body))
	return err
}

func (t *tx) Create(kind, scope, id string, body []byte) error {
	if err := t.writable(); err != nil {
		return err
	}
	res, err := t.exec(`INSERT INTO records (kind, scope, id, body) VALUES (?, ?, ?, ?)
		ON CONFLICT (kind, scope, id) DO NOTHING`, kind, scope, id, nonNil(body))
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return store.ErrExists
	}
	return nil
}

func (t *tx) Delete(kind, scope, id string) (bool, error) {
	if err := t.writable(); err != nil {
		return false, err
	}
	res, err := t.exec(`DELETE FROM records WHERE kind = ? AND scope = ? AND id = ?`, kind, scope, id)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

func (t *tx) List(kind, scope, after string, limit int) ([]store.Record, error) {
	return t.list(kind, scope, "", after, limit)
}

func (t *tx) ListPrefix(kind, scope, prefix, after string, limit int) ([]store.Record, error) {
	return t.list(kind, scope, prefix, after, limit)
}

// list scans the primary key range of (kind, scope) from max(after, prefix) to the end of the
// prefix range. The bounds are plain comparisons so SQLite uses the primary key index.
func (t *tx) list(kind, scope, prefix, after string, limit int) ([]store.Record, error) {
	if limit <= 0 {
		limit = -1 // SQLite: no limit
	}
	var rows *sql.Rows
	var err error
	end, bounded := store.PrefixEnd(prefix)
	switch {
	case prefix == "":
		rows, err = t.query(`SELECT id, body FROM records WHERE kind = ? AND scope = ? AND id > ?
			ORDER BY id LIMIT ?`, kind, scope, after, limit)
	// One lower bound only: with two on id, SQLite may start the index range at the weaker one
	// (id > '') and read the whole scope.
	case bounded && after < prefix:
		rows, err = t.query(`SELECT id, body FROM records WHERE kind = ? AND scope = ? AND id >= ? AND id < ?
			ORDER BY id LIMIT ?`, kind, scope, prefix, end, limit)
	case bounded:
		rows, err = t.query(`SELECT id, body FROM records WHERE kind = ? AND scope = ? AND id > ? AND id < ?
			ORDER BY id LIMIT ?`, kind, scope, after, end, limit)
	case after < prefix: // prefix of 0xFF bytes only: no upper bound
		rows, err = t.query(`SELECT id, body FROM records WHERE kind = ? AND scope = ? AND id >= ?
			ORDER BY id LIMIT ?`, kind, scope, prefix, limit)
	default:
		rows, err = t.query(`SELECT id, body FROM records WHERE kind = ? AND scope = ? AND id > ?
			ORDER BY id LIMIT ?`, kind, scope, after, limit)
	}
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Record
	for rows.Next() {
		r := store.Record{Kind: kind, Scope: scope}
		if err := rows.Scan(&r.ID, &r.Body); err != nil {
			return nil, err
		}
		r.Body = nonNil(r.Body)
		out = append(out, r)
	}
	return out, wrapErr(rows.Err())
}

func (t *tx) Count(kind, scope string) (int, error) {
	rows, err := t.query(`SELECT count(*) FROM records WHERE kind = ? AND scope = ?`, kind, scope)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	var n int
	if rows.Next() {
		if err := rows.Scan(&n); err != nil {
			return 0, err
		}
	}
	return n, wrapErr(rows.Err())
}

// ListScopes seeks the next scope of kind in the primary key, once per scope.
func (t *tx) ListScopes(kind, after string, limit int) ([]string, error) {
	var out []string
	for limit <= 0 || len(out) < limit {
		rows, err := t.query(`SELECT scope FROM records WHERE kind = ? AND scope > ? ORDER BY scope LIMIT 1`, kind, after)
		if err != nil {
			return nil, err
		}
		found := rows.Next()
		if found {
			err = rows.Scan(&after)
		}
		rows.Close()
		if err != nil {
			return nil, err
		}
		if err := rows.Err(); err != nil {
			return nil, wrapErr(err)
		}
		if !found {
			break
		}
		out = append(out, after)
	}
	return out, nil
}

// CountGroups groups in SQL, one statement per scope: the ids of the prefix range (a range of
// the primary key) are cut as blobs (byte offsets, whatever the text holds) after the prefix
// and at the first sep; the scopes' counts are added up here.
func (t *tx) CountGroups(kind string, scopes []string, prefix string, sep byte) ([]store.GroupCount, error) {
	// (No r || sep: SQLite's || makes text, and instr then counts characters.)
	const groupOf = `SELECT CASE WHEN p = 0 THEN r ELSE substr(r, 1, p - 1) END AS g, count(*)
		FROM (SELECT r, instr(r, ?) AS p FROM (SELECT substr(CAST(id AS BLOB), ?) AS r FROM records
		WHERE kind = ? AND scope = ? AND id >= ?`
	q := groupOf + `)) GROUP BY g`
	end, bounded := store.PrefixEnd(prefix)
	if bounded {
		q = groupOf + ` AND id < ?)) GROUP BY g`
	}
	sepb := []byte{sep}
	counts := map[string]int{}
	done := make(map[string]bool, len(scopes))
	for _, scope := range scopes {
		if done[scope] {
			continue
		}
		done[scope] = true
		args := []any{sepb, len(prefix) + 1, kind, scope, prefix}
		if bounded {
			args = append(args, end)
		}
		rows, err := t.query(q, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var g []byte
			var n int
			if err := rows.Scan(&g, &n); err != nil {
				rows.Close()
				return nil, err
			}
			counts[string(g)] += n
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, wrapErr(err)
		}
	}
	return store.SortedGroups(counts), nil
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

func scanJob(rows *sql.Rows) (store.Job, error) {
	var j store.Job
	var runAt, leaseUntil, createdAt int64
	var deadAt sql.NullInt64
	err := rows.Scan(&j.ID, &j.Kind, &j.Key, &j.Payload, &runAt, &j.Attempts, &j.LastError,
		&j.LeaseOwner, &leaseUntil, &createdAt, &deadAt)
	j.Payload = nonNil(j.Payload)
	j.RunAt, j.LeaseUntil, j.CreatedAt = fromMS(runAt), fromMS(leaseUntil), fromMS(createdAt)
	if deadAt.Valid {
		j.DeadAt = fromMS(deadAt.Int64)
	}
	return j, err
}

func collectJobs(rows *sql.Rows, err error) ([]store.Job, error) {
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
	return out, wrapErr(rows.Err())
}

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func (t *tx) Enqueue(job store.Job) error {
	if err := t.writable(); err != nil {
		return err
	}
	if job.Kind == "" {
		return errors.New("store: Enqueue: job kind is empty")
	}
	now := t.s.now()
	if job.ID == "" {
		job.ID = store.NewJobID()
	} else {
		rows, err := t.query(`SELECT 1 FROM jobs WHERE id = ?`, job.ID)
		if err != nil {
			return err
		}
		exists := rows.Next()
		rows.Close()
		if exists {
			return store.ErrExists
		}
	}
	if job.RunAt.IsZero() {
		job.RunAt = now
	}
	_, err := t.exec(`INSERT INTO jobs (id, kind, dedupe_key, waiting_key, payload, run_at, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (kind, waiting_key) DO NOTHING`,
		job.ID, job.Kind, job.Key, nullIfEmpty(job.Key), nonNil(job.Payload), ms(job.RunAt), ms(now))
	return err
}

// leaseHeld is the condition under which a lease (id, owner, attempt) is still held.
const leaseHeld = `id = ? AND lease_owner = ? AND attempts = ? AND dead_at IS NULL AND lease_until <> 0`

func (t *tx) CompleteJob(l store.Lease) error {
	if err := t.writable(); err != nil {
		return err
	}
	res, err := t.exec(`DELETE FROM jobs WHERE `+leaseHeld, l.JobID, l.Owner, l.Attempt)
	return leaseResult(res, err)
}

func leaseResult(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return store.ErrLeaseLost
	}
	return nil
}

func (t *tx) claimJobs(owner string, now time.Time, lease time.Duration, kinds []string, limit int) ([]store.Job, error) {
	if owner == "" {
		return nil, errors.New("store: ClaimJobs: empty owner")
	}
	if lease <= 0 {
		return nil, errors.New("store: ClaimJobs: lease must be positive")
	}
	if limit <= 0 {
		limit = 1
	}
	// INDEXED BY: without statistics the planner may prefer the (kind, waiting_key) index
	// and sort; the due index yields the jobs in claim order and stops at the limit.
	q := `SELECT id FROM jobs INDEXED BY jobs_due WHERE dead_at IS NULL AND run_at <= ?`
	args := []any{ms(now)}
	if len(kinds) > 0 {
		q += ` AND kind IN (?` + strings.Repeat(`, ?`, len(kinds)-1) + `)`
		for _, k := range kinds {
			args = append(args, k)
		}
	}
	q += ` ORDER BY run_at, id LIMIT ?`
	args = append(args, limit)
	rows, err := t.queryDynamic(q, args...)
	if err != nil {
		return nil, err
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, wrapErr(err)
	}
	until := ms(now.Add(lease))
	out := make([]store.Job, 0, len(ids))
	for _, id := range ids {
		jobs, err := collectJobs(t.query(`UPDATE jobs SET attempts = attempts + 1, lease_owner = ?,
			lease_until = ?, run_at = ?, waiting_key = NULL WHERE id = ? RETURNING `+jobCols,
			owner, until, until, id))
		if err != nil {
			return nil, err
		}
		if len(jobs) != 1 {
			return nil, fmt.Errorf("store: ClaimJobs: job %s vanished", id)
		}
		out = append(out, jobs[0])
	}
	return out, nil
}

func (t *tx) retryJob(l store.Lease, runAt time.Time, errMsg string) error {
	rows, err := t.query(`SELECT kind, dedupe_key FROM jobs WHERE `+leaseHeld, l.JobID, l.Owner, l.Attempt)
	if err != nil {
		return err
	}
	var kind, key string
	found := rows.Next()
	if found {
		err = rows.Scan(&kind, &key)
	}
	rows.Close()
	if err != nil {
		return err
	}
	if !found {
		return store.ErrLeaseLost
	}
	if key != "" {
		res, err := t.exec(`UPDATE jobs SET attempts = max(attempts, ?), last_error = ?, run_at = max(run_at, ?)
			WHERE kind = ? AND waiting_key = ?`, l.Attempt, errMsg, ms(runAt), kind, key)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n > 0 {
			_, err := t.exec(`DELETE FROM jobs WHERE id = ?`, l.JobID)
			return err
		}
	}
	_, err = t.exec(`UPDATE jobs SET run_at = ?, last_error = ?, lease_owner = '', lease_until = 0,
		waiting_key = NULLIF(dedupe_key, '') WHERE id = ?`, ms(runAt), errMsg, l.JobID)
	return err
}

func (t *tx) buryJob(l store.Lease, now time.Time, errMsg string) error {
	res, err := t.exec(`UPDATE jobs SET dead_at = ?, last_error = ?, lease_until = 0 WHERE `+leaseHeld,
		ms(now), errMsg, l.JobID, l.Owner, l.Attempt)
	return leaseResult(res, err)
}

func (t *tx) extendLease(l store.Lease, until time.Time) error {
	res, err := t.exec(`UPDATE jobs SET lease_until = ?, run_at = ? WHERE `+leaseHeld,
		ms(until), ms(until), l.JobID, l.Owner, l.Attempt)
	return leaseResult(res, err)
}

func jobFilterSQL(f store.JobFilter) (string, []any) {
	q := ` FROM jobs WHERE dead_at IS NULL`
	if f.Dead {
		q = ` FROM jobs WHERE dead_at IS NOT NULL`
	}
	var args []any
	if f.Kind != "" {
		q += ` AND kind = ?`
		args = append(args, f.Kind)
	}
	return q, args
}
