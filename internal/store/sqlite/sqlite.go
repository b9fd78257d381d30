package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/orgconfig/orgconfig/internal/store"
)

// ErrClosed is returned by Write and Read after Close.
var ErrClosed = errors.New("sqlite store: closed")

// Options configures Open. The zero value is the durable default.
type Options struct {
	// NormalSync selects PRAGMA synchronous=NORMAL instead of FULL. With NORMAL a commit
	// survives a crash of the process but not necessarily a power loss or an OS crash.
	NormalSync bool
	// ReadConns is the size of the read pool; 0 means max(4, GOMAXPROCS).
	ReadConns int
	// BusyTimeout is how long a connection waits for a lock held by another connection
	// (PRAGMA busy_timeout); 0 means 10 seconds.
	BusyTimeout time.Duration
	// MaxBatch bounds how many Write calls one group-commit transaction runs; 0 means 128.
	MaxBatch int
	// Now is the store's clock, used for the default RunAt and the CreatedAt of enqueued
	// jobs. nil means time.Now.
	Now func() time.Time
}

// Store is the SQLite implementation of store.Store. It is safe for concurrent use.
type Store struct {
	opts  Options
	now   func() time.Time
	wdb   *sql.DB   // exactly one connection, owned by the writer goroutine
	wconn *sql.Conn // that connection
	rdb   *sql.DB   // read pool, query_only

	queue   chan *writeReq // unbuffered: blocked senders are the queue
	closing chan struct{}
	stopped chan struct{}
	closeMu sync.Once

	wstmts map[string]*sql.Stmt // writer statements; used only by the writer goroutine
	rstmts sync.Map             // query -> *sql.Stmt prepared on rdb, or preparing{}
	many   sync.Map             // number of keys -> *sql.Stmt of GetMany prepared on rdb

	// busy counts what uses the read pool: the Read and GetMany calls in flight and the
	// background preparations of rstmt. Close waits for them, so that nothing holds or opens a
	// connection (and the database's files) after Close returned. busyMu orders Add against
	// Wait: once closed is set, nothing new starts.
	busyMu sync.Mutex
	busy   sync.WaitGroup
	closed bool

	stats struct{ writes, batches, commits atomic.Int64 }
}

// Stats are counters of the writer since Open, for metrics and tests.
type Stats struct {
	// Writes is the number of Write calls the writer ran (including the internal ones of the
	// job methods).
	Writes int64
	// Batches is the number of transactions the writer ran them in; Writes/Batches is the
	// average group-commit batch size.
	Batches int64
	// Commits is the number of batches that committed.
	Commits int64
}

// Stats returns the writer's counters.
func (s *Store) Stats() Stats {
	return Stats{Writes: s.stats.writes.Load(), Batches: s.stats.batches.Load(), Commits: s.stats.commits.Load()}
}

var _ store.Store = (*Store)(nil)

// Open opens (creating if needed) the database file at path, applies pending migrations and
// starts the writer goroutine. The directory of path must exist. Only one process may open a
// database at a time (the writer assumes it is the only writer).
func Open(ctx context.Context, path string, opts Options) (*Store, error) {
	if opts.ReadConns <= 0 {
		opts.ReadConns = max(4, runtime.GOMAXPROCS(0))
	}
	if opts.BusyTimeout <= 0 {
		opts.BusyTimeout = 10 * time.Second
	}
	if opts.MaxBatch <= 0 {
		opts.MaxBatch = 128
	}
	s := &Store{
		opts:    opts,
		now:     opts.Now,
		queue:   make(chan *writeReq),
		closing: make(chan struct{}),
		stopped: make(chan struct{}),
		wstmts:  map[string]*sql.Stmt{},
	}
	if s.now == nil {
		s.now = time.Now
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	base := "file:" + (&url.URL{Path: abs}).EscapedPath()
	busy := fmt.Sprintf("busy_timeout(%d)", opts.BusyTimeout.Milliseconds())
	sync := "FULL"
	if opts.NormalSync {
		sync = "NORMAL"
	}
	wq := url.Values{}
	wq.Add("_pragma", busy)
	wq.Add("_pragma", "journal_mode(WAL)")
	wq.Add("_pragma", "synchronous("+sync+")")
	wq.Add("_pragma", "foreign_keys(1)")
	// Statement and savepoint journals stay in memory: the writer's transactions are short,
	// and spilling them to a temporary file costs an open, writes and a close per batch.
	wq.Add("_pragma", "temp_store(MEMORY)")
	s.wdb, err = sql.Open("sqlite", base+"?"+wq.Encode())
	if err != nil {
		return nil, err
	}
	s.wdb.SetMaxOpenConns(1)
	s.wdb.SetMaxIdleConns(1)
	s.wdb.SetConnMaxLifetime(0)
	s.wdb.SetConnMaxIdleTime(0)
	s.wconn, err = s.wdb.Conn(ctx)
	if err != nil {
		s.wdb.Close()
		return nil, fmt.Errorf("sqlite store: open %s: %w", path, err)
	}
	var mode string
	if err := s.wconn.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		s.closeDBs()
		if err == nil {
			err = fmt.Errorf("journal_mode is %q, want wal", mode)
		}
		return nil, fmt.Errorf("sqlite store: open %s: %w", path, err)
	}
	if err := migrate(ctx, s.wconn); err != nil {
		s.closeDBs()
		return nil, fmt.Errorf("sqlite store: migrate %s: %w", path, err)
	}

	rq := url.Values{}
	rq.Add("_pragma", busy)
	rq.Add("_pragma", "query_only(1)")
	rq.Add("_pragma", "foreign_keys(1)")
	// Each read connection keeps up to 32 MiB of pages (SQLite's default is 2 MiB): a read
	// transaction looks up several records (an aggregate query: the aggregator, the
	// organization's version, index ranges), and in a store of millions of records the
	// interior pages of the records B-tree no longer fit in 2 MiB, so every lookup re-read them
	// from the OS. The cache grows only as pages are read.
	rq.Add("_pragma", fmt.Sprintf("cache_size(%d)", -readCacheKiB))
	s.rdb, err = sql.Open("sqlite", base+"?"+rq.Encode())
	if err != nil {
		s.closeDBs()
		return nil, err
	}
	s.rdb.SetMaxOpenConns(opts.ReadConns)
	s.rdb.SetMaxIdleConns(opts.ReadConns)
	s.rdb.SetConnMaxIdleTime(0)
	s.rdb.SetConnMaxLifetime(0)
	if err := s.rdb.PingContext(ctx); err != nil {
		s.closeDBs()
		return nil, fmt.Errorf("sqlite store: open %s: %w", path, err)
	}
	go s.writer()
	return s, nil
}

// readCacheKiB is the page cache of each read connection (PRAGMA cache_size, in KiB).
const readCacheKiB = 32 << 10

func (s *Store) closeDBs() {
	if s.wconn != nil {
		s.wconn.Close()
	}
	if s.wdb != nil {
		s.wdb.Close()
	}
	if s.rdb != nil {
		s.rdb.Close()
	}
}

// Close stops the writer goroutine after it has finished the writes it already accepted and
// waits for the reads in flight, then closes the database. Writes that were not accepted yet fail with ErrClosed.
func (s *Store) Close() error {
	var err error
	s.closeMu.Do(func() {
		close(s.closing)
		<-s.stopped
		s.busyMu.Lock()
		s.closed = true
		s.busyMu.Unlock()
		s.busy.Wait()
		for _, st := range s.wstmts {
			st.Close()
		}
		s.rstmts.Range(func(_, v any) bool {
			if st, ok := v.(*sql.Stmt); ok {
				st.Close()
			}
			return true
		})
		s.many.Range(func(_, v any) bool { v.(*sql.Stmt).Close(); return true })
		if e := s.wconn.Close(); e != nil && err == nil {
			err = e
		}
		if e := s.wdb.Close(); e != nil && err == nil {
			err = e
		}
		if e := s.rdb.Close(); e != nil && err == nil {
			err = e
		}
	})
	return err
}

// enter counts a use of the read pool that Close must wait for (the caller calls s.busy.Done
// when it is over); false once the store is closing.
func (s *Store) enter() bool {
	s.busyMu.Lock()
	defer s.busyMu.Unlock()
	if s.closed {
		return false
	}
	s.busy.Add(1)
	return true
}

// Read runs fn in a read-only transaction on a connection of the read pool. The snapshot is
// taken at the first statement and holds until fn returns.
func (s *Store) Read(ctx context.Context, fn func(tx store.Tx) error) error {
	if !s.enter() {
		return ErrClosed
	}
	defer s.busy.Done()
	stx, err := s.rdb.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return wrapErr(err)
	}
	t := &tx{ctx: ctx, s: s, rtx: stx, readOnly: true}
	defer func() {
		t.done = true
		stx.Rollback()
	}()
	return fn(t)
}

type writeReq struct {
	ctx  context.Context
	fn   func(tx store.Tx) error
	done chan writeResult
}

type writeResult struct {
	err      error
	panicked bool
	panicVal any
}

// Write runs fn in the next group-commit batch and returns after the batch committed (nil) or
// failed (the error). fn runs on the writer goroutine, inside its own savepoint: its error, or
// a panic, which is re-raised in the caller, rolls back only its own changes. fn runs exactly
// once; SQLite has a single writer and needs no retries. The context is checked before fn
// runs (a canceled Write runs nothing); fn's statements are not interrupted by a later
// cancellation, because interrupting SQLite aborts the whole batch. Once fn has run, Write
// waits for the batch's COMMIT regardless of the context, so that its result is definitive:
// nil means committed durably, an error means nothing of fn was committed.
func (s *Store) Write(ctx context.Context, fn func(tx store.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	req := &writeReq{ctx: ctx, fn: fn, done: make(chan writeResult, 1)}
	select {
	case s.queue <- req:
	case <-s.closing:
		return ErrClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	res := <-req.done
	if res.panicked {
		panic(res.panicVal)
	}
	return classify(res.err)
}

// classify wraps the errors that say the database cannot store anything (full disk or
// max_page_count reached, I/O failure, read-only or unopenable file) in store.ErrUnavailable.
func classify(err error) error {
	var se *sqlite.Error
	if err == nil || !errors.As(err, &se) {
		return err
	}
	switch se.Code() & 0xff {
	case sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_READONLY, sqlite3.SQLITE_CANTOPEN:
		return fmt.Errorf("%w: %w", store.ErrUnavailable, err)
	}
	return err
}

// writer is the single writer goroutine: it takes a batch of queued writes and runs it.
func (s *Store) writer() {
	defer close(s.stopped)
	batch := make([]*writeReq, 0, s.opts.MaxBatch)
	for {
		var first *writeReq
		select {
		case first = <-s.queue:
		case <-s.closing:
			return
		}
		batch = append(batch[:0], first)
	fill:
		for len(batch) < s.opts.MaxBatch {
			select {
			case r := <-s.queue:
				batch = append(batch, r)
			default:
				break fill
			}
		}
		s.runBatch(batch)
		clear(batch)
	}
}

func (s *Store) exec(q string) error {
	_, err := s.wconn.ExecContext(context.Background(), q)
	return err
}

// runBatch runs a batch of writes in one transaction, each in its own savepoint, and delivers
// every result only after the outcome of the COMMIT is known.
func (s *Store) runBatch(batch []*writeReq) {
	results := make([]writeResult, len(batch))
	ok := make([]bool, len(batch)) // fn succeeded; its changes await the COMMIT
	s.stats.batches.Add(1)
	s.stats.writes.Add(int64(len(batch)))
	deliver := func() {
		for i, r := range batch {
			r.done <- results[i]
		}
	}
	if err := s.exec("BEGIN IMMEDIATE"); err != nil {
		err = wrapErr(err)
		for i := range results {
			results[i].err = err
		}
		deliver()
		return
	}
	var fatal error
	committed := 0
	// A lone Write needs no savepoint: if it fails, the whole transaction is rolled back.
	savepoints := len(batch) > 1
	for i, r := range batch {
		if err := r.ctx.Err(); err != nil {
			results[i].err = err
			continue
		}
		if savepoints {
			if err := s.exec("SAVEPOINT w"); err != nil {
				fatal = err
				break
			}
		}
		// The statements of fn ignore cancellation: SQLite implements it with
		// sqlite3_interrupt, which rolls back the whole transaction, and so the whole batch.
		// The context was checked above, and fn's statements are short.
		t := &tx{ctx: context.WithoutCancel(r.ctx), s: s}
		res := callFn(r.fn, t)
		t.done = true
		if res.err != nil || res.panicked {
			results[i] = res
			if !savepoints {
				break // nothing else in the transaction: it is rolled back below
			}
			if err := s.exec("ROLLBACK TO w"); err != nil {
				fatal = err
				break
			}
		} else {
			ok[i] = true
			committed++
		}
		if savepoints {
			if err := s.exec("RELEASE w"); err != nil {
				fatal = err
				break
			}
		}
	}
	switch {
	case fatal != nil:
		// The transaction is broken (I/O error, or SQLite rolled it back by itself): nothing
		// of the batch can be committed.
		s.exec("ROLLBACK")
		fatal = fmt.Errorf("sqlite store: batch aborted: %w", wrapErr(fatal))
		for i := range batch {
			if results[i].err == nil && !results[i].panicked {
				results[i].err = fatal
			}
		}
	case committed == 0:
		s.exec("ROLLBACK")
	default:
		if err := s.exec("COMMIT"); err == nil {
			s.stats.commits.Add(1)
		} else {
			s.exec("ROLLBACK")
			err = fmt.Errorf("sqlite store: commit: %w", wrapErr(err))
			for i := range batch {
				if ok[i] {
					results[i].err = err
				}
			}
		}
	}
	deliver()
}

func callFn(fn func(store.Tx) error, t *tx) (res writeResult) {
	defer func() {
		if v := recover(); v != nil {
			res = writeResult{panicked: true, panicVal: v}
		}
	}()
	return writeResult{err: fn(t)}
}

// wrapErr maps SQLite lock errors to store.ErrConflict (keeping the original error in the
// chain) and leaves other errors alone.
func wrapErr(err error) error {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return fmt.Errorf("%w: %w", store.ErrConflict, err)
		}
	}
	return err
}

// wstmt returns a statement prepared on the writer connection (writer goroutine only).
func (s *Store) wstmt(ctx context.Context, q string) (*sql.Stmt, error) {
	if st, ok := s.wstmts[q]; ok {
		return st, nil
	}
	st, err := s.wconn.PrepareContext(ctx, q)
	if err != nil {
		return nil, err
	}
	s.wstmts[q] = st
	return st, nil
}

// rstmt returns a statement for q bound to stx: the read pool's prepared statement when there is
// one. A query seen for the first time is prepared on stx's own connection, and for the pool in
// the background: preparing on the pool here would wait for a free connection while holding
// one, and with every connection held by a transaction doing the same, no one would get one.
func (s *Store) rstmt(ctx context.Context, stx *sql.Tx, q string) (*sql.Stmt, error) {
	v, ok := s.rstmts.Load(q)
	if st, prepared := v.(*sql.Stmt); prepared {
		return stx.StmtContext(ctx, st), nil
	}
	if !ok {
		if _, loaded := s.rstmts.LoadOrStore(q, preparing{}); !loaded {
			if s.enter() {
				go s.preparePooled(q)
			} else {
				s.rstmts.Delete(q)
			}
		}
	}
	return stx.PrepareContext(ctx, q)
}

// preparing marks a query whose read-pool statement is being prepared.
type preparing struct{}

// preparePooled prepares q on the read pool for later transactions (forgetting the attempt if it
// fails, so a later one tries again).
func (s *Store) preparePooled(q string) {
	defer s.busy.Done()
	st, err := s.rdb.PrepareContext(context.Background(), q)
	if err != nil {
		s.rstmts.Delete(q)
		return
	}
	s.rstmts.Store(q, st)
}
