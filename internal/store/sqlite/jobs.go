package sqlite

import (
	"context"
	"time"

	"github.com/orgconfig/orgconfig/internal/store"
)

// The job methods run through the writer (and so take part in group commit) or the read pool.
// SQLite has a single writer, so a claim can never hand the same job to two callers.

// ClaimJobs implements store.JobQueue.
func (s *Store) ClaimJobs(ctx context.Context, owner string, now time.Time, lease time.Duration, kinds []string, limit int) ([]store.Job, error) {
	var out []store.Job
	err := s.Write(ctx, func(t store.Tx) error {
		var err error
		out, err = t.(*tx).claimJobs(owner, now, lease, kinds, limit)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// CompleteJob implements store.JobQueue.
func (s *Store) CompleteJob(ctx context.Context, l store.Lease) error {
	return s.Write(ctx, func(t store.Tx) error { return t.CompleteJob(l) })
}

// RetryJob implements store.JobQueue.
func (s *Store) RetryJob(ctx context.Context, l store.Lease, runAt time.Time, errMsg string) error {
	return s.Write(ctx, func(t store.Tx) error { return t.(*tx).retryJob(l, runAt, errMsg) })
}

// BuryJob implements store.JobQueue.
func (s *Store) BuryJob(ctx context.Context, l store.Lease, now time.Time, errMsg string) error {
	return s.Write(ctx, func(t store.Tx) error { return t.(*tx).buryJob(l, now, errMsg) })
}

// ExtendLease implements store.JobQueue.
func (s *Store) ExtendLease(ctx context.Context, l store.Lease, until time.Time) error {
	return s.Write(ctx, func(t store.Tx) error { return t.(*tx).extendLease(l, until) })
}

// ListJobs implements store.JobQueue.
func (s *Store) ListJobs(ctx context.Context, f store.JobFilter) ([]store.Job, error) {
	var out []store.Job
	err := s.Read(ctx, func(st store.Tx) error {
		t := st.(*tx)
		where, args := jobFilterSQL(f)
		q := `SELECT ` + jobCols + where + ` AND id > ? ORDER BY id LIMIT ?`
		limit := f.Limit
		if limit <= 0 {
			limit = -1
		}
		args = append(args, f.After, limit)
		var err error
		out, err = collectJobs(t.queryDynamic(q, args...))
		return err
	})
	return out, err
}

// CountJobs implements store.JobQueue.
func (s *Store) CountJobs(ctx context.Context, f store.JobFilter) (int, error) {
	var n int
	err := s.Read(ctx, func(st store.Tx) error {
		t := st.(*tx)
		where, args := jobFilterSQL(f)
		rows, err := t.queryDynamic(`SELECT count(*)`+where, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		if rows.Next() {
			if err := rows.Scan(&n); err != nil {
				return err
			}
		}
		return rows.Err()
	})
	return n, err
}
