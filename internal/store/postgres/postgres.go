package postgres

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/orgconfig/orgconfig/internal/store"
)

// Options configures Open. The zero value is a reasonable default.
type Options struct {
	// MaxConns is the size of the connection pool; 0 keeps pgxpool's default (or the
	// pool_max_conns parameter of the URL).
	MaxConns int32
	// MaxAttempts bounds how many times a transaction is run when it keeps failing with a
	// serialization failure or deadlock; 0 means 12.
	MaxAttempts int
	// Now is the store's clock, used for the default RunAt and the CreatedAt of enqueued
	// jobs. nil means time.Now.
	Now func() time.Time
	// AfterConnect, if set, runs on every new connection (for example to SET search_path).
	AfterConnect func(ctx context.Context, conn *pgx.Conn) error
}

// Store is the PostgreSQL implementation of store.Store. It is safe for concurrent use.
type Store struct {
	pool *pgxpool.Pool
	opts Options
	now  func() time.Time
}

var _ store.Store = (*Store)(nil)

// Open connects to the database at url (a postgres:// URL or key=value DSN as accepted by
// pgxpool; unknown URL parameters such as search_path are sent as run-time parameters) and
// applies pending migrations. Several processes may Open the same database at once.
func Open(ctx context.Context, url string, opts Options) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres store: %w", err)
	}
	if opts.MaxConns > 0 {
		cfg.MaxConns = opts.MaxConns
	}
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = 12
	}
	if opts.AfterConnect != nil {
		cfg.AfterConnect = opts.AfterConnect
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres store: %w", err)
	}
	s := &Store{pool: pool, opts: opts, now: opts.Now}
	if s.now == nil {
		s.now = time.Now
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres store: connect: %w", err)
	}
	if err := s.migrate(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres store: migrate: %w", err)
	}
	return s, nil
}

// Close closes the pool. It waits for connections in use to be returned.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// Pool returns the underlying pool, for tools and tests.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// retryable reports whether err is a transient conflict after which the whole transaction can
// run again: a serialization failure or a deadlock.
func retryable(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code == "40001" || pe.Code == "40P01"
	}
	return false
}

// retry runs attempt until it succeeds, fails with a non-retryable error (returned unchanged),
// or has failed MaxAttempts times with retryable errors (ErrConflict).
func (s *Store) retry(ctx context.Context, attempt func() error) error {
	backoff := 2 * time.Millisecond
	for i := 1; ; i++ {
		err := attempt()
		if err == nil || !retryable(err) {
			return err
		}
		if i >= s.opts.MaxAttempts {
			return fmt.Errorf("%w (%d attempts): %w", store.ErrConflict, i, err)
		}
		// Full jitter: a uniformly random wait in [backoff/2, backoff), doubling up to 250ms.
		d := backoff/2 + rand.N(backoff/2)
		backoff = min(backoff*2, 250*time.Millisecond)
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return errors.Join(ctx.Err(), err)
		case <-t.C:
		}
	}
}

// Write runs fn in a SERIALIZABLE transaction and commits it, running it again (after a
// rollback) on serialization failures and deadlocks. fn's own errors are returned unchanged
// after a rollback, unless they wrap a serialization failure or deadlock, in which case fn is
// run again.
func (s *Store) Write(ctx context.Context, fn func(tx store.Tx) error) error {
	return classify(s.retry(ctx, func() error {
		return s.runTx(ctx, pgx.TxOptions{IsoLevel: pgx.Serializable}, false, fn)
	}))
}

// classify wraps the errors that say the database cannot store anything (class 53,
// insufficient resources such as disk_full; 58030 io_error) in store.ErrUnavailable.
func classify(err error) error {
	var pe *pgconn.PgError
	if err == nil || !errors.As(err, &pe) {
		return err
	}
	if strings.HasPrefix(pe.Code, "53") || pe.Code == "58030" {
		return fmt.Errorf("%w: %w", store.ErrUnavailable, err)
	}
	return err
}

// Read runs fn in a READ ONLY REPEATABLE READ transaction: every statement sees the snapshot
// taken by the first one.
func (s *Store) Read(ctx context.Context, fn func(tx store.Tx) error) error {
	return s.retry(ctx, func() error {
		return s.runTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, true, fn)
	})
}

func (s *Store) runTx(ctx context.Context, o pgx.TxOptions, readOnly bool, fn func(tx store.Tx) error) (err error) {
	ptx, err := s.pool.BeginTx(ctx, o)
	if err != nil {
		return err
	}
	t := &tx{ctx: ctx, s: s, q: ptx, readOnly: readOnly}
	defer func() {
		t.done = true
		// A no-op after Commit; otherwise (fn failed or panicked) it ends the transaction
		// before the connection goes back to the pool.
		ptx.Rollback(context.WithoutCancel(ctx))
	}()
	if err := fn(t); err != nil {
		return err
	}
	if readOnly {
		return ptx.Rollback(ctx)
	}
	return ptx.Commit(ctx)
}
