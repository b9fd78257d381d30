package jobs

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"runtime/debug"
	"sort"
	"sync"
	"time"

	"github.com/orgconfig/orgconfig/internal/clock"
	"github.com/orgconfig/orgconfig/internal/store"
)

// Handler runs one job. It must be idempotent (see the package doc). ctx is canceled when the
// lease is lost or the Runner is stopped forcibly. Returning nil completes the job; returning
// an error schedules a retry, or buries the job if the error is Permanent or the attempts are
// exhausted.
type Handler func(ctx context.Context, job store.Job) error

type permanentError struct{ err error }

func (e permanentError) Error() string { return e.err.Error() }
func (e permanentError) Unwrap() error { return e.err }

// Permanent wraps err so that the job that returned it is buried at once instead of retried
// (for example a payload that can never be processed). Permanent(nil) is nil.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return permanentError{err}
}

// IsPermanent reports whether err was wrapped with Permanent.
func IsPermanent(err error) bool {
	var p permanentError
	return errors.As(err, &p)
}

// Options configures a Runner. Zero fields take the documented defaults.
type Options struct {
	// Owner names this runner in leases; it must be unique among the runners sharing a
	// store. Default: hostname-pid-random.
	Owner string
	// Clock is the time source. Default: clock.System.
	Clock clock.Clock
	// Lease is how long a claim lasts before another runner may take the job; the lease is
	// extended every Lease/3 while the handler runs. Default: 1 minute.
	Lease time.Duration
	// PollInterval is how often Start's loop looks for due jobs when not notified. Default: 1s.
	PollInterval time.Duration
	// Concurrency is how many handlers Start's loop runs at once. Default: 4.
	Concurrency int
	// MaxAttempts is how many attempts a job gets before it is buried. Default: 10.
	MaxAttempts int
	// BackoffBase is the delay before the first retry; each further retry doubles it.
	// Default: 1 second.
	BackoffBase time.Duration
	// BackoffMax caps the retry delay. Default: 10 minutes.
	BackoffMax time.Duration
	// Logger receives the runner's logs. Default: slog.Default().
	Logger *slog.Logger
}

// Runner claims and runs jobs of the kinds registered with it.
type Runner struct {
	q    store.JobQueue
	opts Options
	log  *slog.Logger

	mu       sync.Mutex
	handlers map[string]Handler
	kinds    []string
	started  bool

	wake     chan struct{}
	stop     chan struct{}
	loopDone chan struct{}
	running  sync.WaitGroup
	cancel   context.CancelFunc // cancels handler contexts of the background loop
}

// New returns a Runner on q (normally the store.Store) with opts.
func New(q store.JobQueue, opts Options) *Runner {
	if opts.Clock == nil {
		opts.Clock = clock.System{}
	}
	if opts.Owner == "" {
		host, _ := os.Hostname()
		opts.Owner = fmt.Sprintf("%s-%d-%s", host, os.Getpid(), rand.Text()[:8])
	}
	if opts.Lease <= 0 {
		opts.Lease = time.Minute
	}
	if opts.PollInterval <= 0 {
		opts.PollInterval = time.Second
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = 4
	}
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = 10
	}
	if opts.BackoffBase <= 0 {
		opts.BackoffBase = time.Second
	}
	if opts.BackoffMax <= 0 {
		opts.BackoffMax = 10 * time.Minute
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return &Runner{
		q:        q,
		opts:     opts,
		log:      opts.Logger.With("component", "jobs", "owner", opts.Owner),
		handlers: map[string]Handler{},
		wake:     make(chan struct{}, 1),
		stop:     make(chan struct{}),
		loopDone: make(chan struct{}),
	}
}

// Owner returns the name this runner uses in leases.
func (r *Runner) Owner() string { return r.opts.Owner }

// Register sets the handler of kind. It must be called before Start; registering a kind twice
// panics. A runner only claims jobs of registered kinds, so replicas running different
// versions never claim a kind they cannot run.
func (r *Runner) Register(kind string, h Handler) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.started {
		panic("jobs: Register after Start")
	}
	if _, dup := r.handlers[kind]; dup {
		panic("jobs: handler for " + kind + " registered twice")
	}
	r.handlers[kind] = h
	r.kinds = append(r.kinds, kind)
	sort.Strings(r.kinds)
}

func (r *Runner) registered() ([]string, map[string]Handler) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.kinds, r.handlers
}

// Backoff returns the delay before the retry that follows failed attempt number attempt
// (1-based): BackoffBase * 2^(attempt-1), capped at BackoffMax.
func (r *Runner) Backoff(attempt int) time.Duration {
	d := r.opts.BackoffBase
	for i := 1; i < attempt && d < r.opts.BackoffMax; i++ {
		d *= 2
	}
	return min(d, r.opts.BackoffMax)
}

// RunDue claims and runs, one after the other in the calling goroutine, every job that is due
// at the clock's current time, until none is left (jobs enqueued by handlers and due now run
// too; failed jobs are rescheduled into the future and do not run again in this call). It
// returns how many jobs it ran and the first store error, at which it stops. It is meant for
// tests and tools; production uses Start.
func (r *Runner) RunDue(ctx context.Context) (int, error) {
	kinds, handlers := r.registered()
	if len(kinds) == 0 {
		return 0, nil
	}
	n := 0
	for {
		jobs, err := r.q.ClaimJobs(ctx, r.opts.Owner, r.opts.Clock.Now(), r.opts.Lease, kinds, 16)
		if err != nil {
			return n, fmt.Errorf("jobs: claim: %w", err)
		}
		if len(jobs) == 0 {
			return n, nil
		}
		for _, j := range jobs {
			n++
			if err := r.process(ctx, handlers[j.Kind], j); err != nil {
				return n, err
			}
		}
	}
}

// Notify wakes Start's loop to look for due jobs now. Call it after a Write that enqueued a
// job due now. It never blocks; calls while a wake-up is pending coalesce.
func (r *Runner) Notify() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// Start runs the background loop until Stop: it claims due jobs whenever a handler slot is
// free and runs up to Options.Concurrency handlers at once. It polls every PollInterval and on
// Notify. ctx is the parent of the handlers' contexts. Start may be called once.
func (r *Runner) Start(ctx context.Context) {
	r.mu.Lock()
	if r.started {
		r.mu.Unlock()
		panic("jobs: Start called twice")
	}
	r.started = true
	r.mu.Unlock()
	hctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	r.cancel = cancel
	go r.loop(ctx, hctx)
}

func (r *Runner) loop(ctx, hctx context.Context) {
	defer close(r.loopDone)
	kinds, handlers := r.registered()
	slots := make(chan struct{}, r.opts.Concurrency)
	finished := make(chan struct{}, r.opts.Concurrency)
	for {
		select {
		case <-r.stop:
			return
		case <-ctx.Done():
			return
		default:
		}
		free := r.opts.Concurrency - len(slots)
		claimed := 0
		if free > 0 && len(kinds) > 0 {
			jobs, err := r.q.ClaimJobs(hctx, r.opts.Owner, r.opts.Clock.Now(), r.opts.Lease, kinds, free)
			if err != nil {
				r.log.Warn("claiming jobs failed", "err", err)
			}
			claimed = len(jobs)
			for _, j := range jobs {
				slots <- struct{}{}
				r.running.Add(1)
				go func() {
					defer func() {
						<-slots
						r.running.Done()
						select {
						case finished <- struct{}{}:
						default:
						}
					}()
					if err := r.process(hctx, handlers[j.Kind], j); err != nil {
						r.log.Warn("recording job outcome failed", "kind", j.Kind, "id", j.ID, "err", err)
					}
				}()
			}
		}
		if claimed > 0 && claimed == free {
			continue // there may be more due jobs; claim again as soon as a slot frees up
		}
		select {
		case <-r.stop:
			return
		case <-ctx.Done():
			return
		case <-r.wake:
		case <-finished: // a slot is free again
		case <-r.opts.Clock.After(r.opts.PollInterval):
		}
	}
}

// Stop stops claiming new jobs and waits for the running handlers to finish. If ctx ends
// first, the handlers' contexts are canceled, Stop waits for them to return and returns
// ctx's error; their jobs are retried (immediately) by whichever runner claims them next.
func (r *Runner) Stop(ctx context.Context) error {
	r.mu.Lock()
	started := r.started
	r.mu.Unlock()
	select {
	case <-r.stop:
	default:
		close(r.stop)
	}
	if !started {
		return nil
	}
	<-r.loopDone
	done := make(chan struct{})
	go func() { r.running.Wait(); close(done) }()
	select {
	case <-done:
		r.cancel()
		return nil
	case <-ctx.Done():
		r.cancel()
		<-done
		return ctx.Err()
	}
}

// errLeaseLost is the cause of a handler context canceled because the lease was lost.
var errLeaseLost = errors.New("jobs: lease lost")

// process runs one claimed job and records its outcome. It returns an error only when the
// outcome could not be recorded in the store (the job will then be claimed again when its
// lease expires).
func (r *Runner) process(ctx context.Context, h Handler, j store.Job) error {
	log := r.log.With("kind", j.Kind, "id", j.ID, "attempt", j.Attempts)
	lease := j.Lease()
	if h == nil { // cannot happen: only registered kinds are claimed
		return r.bury(ctx, log, j, "no handler registered for kind "+j.Kind)
	}
	if j.Attempts > r.opts.MaxAttempts {
		msg := fmt.Sprintf("claimed %d times without completing (worker crashed?)", j.Attempts)
		if j.LastError != "" {
			msg += "; last error: " + j.LastError
		}
		return r.bury(ctx, log, j, msg)
	}

	hctx, cancel := context.WithCancelCause(ctx)
	extendDone := make(chan struct{})
	stopExtend := make(chan struct{})
	go func() {
		defer close(extendDone)
		r.extendWhileRunning(hctx, log, lease, cancel, stopExtend)
	}()
	err := r.call(hctx, h, j)
	close(stopExtend)
	<-extendDone
	lost := context.Cause(hctx) == errLeaseLost
	cancel(nil)

	now := r.opts.Clock.Now()
	switch {
	case lost:
		log.Warn("job lease lost while running; another worker owns the job now", "err", err)
		return nil
	case err == nil:
		err := r.q.CompleteJob(context.WithoutCancel(ctx), lease)
		if errors.Is(err, store.ErrLeaseLost) {
			// Completed by the handler in its own transaction, or taken over by another
			// worker after our lease expired: either way the job is not ours any more.
			log.Debug("job already completed or taken over")
			return nil
		}
		if err != nil {
			return fmt.Errorf("jobs: complete %s: %w", j.ID, err)
		}
		log.Debug("job completed")
		return nil
	case IsPermanent(err):
		return r.bury(ctx, log, j, err.Error())
	case j.Attempts >= r.opts.MaxAttempts:
		return r.bury(ctx, log, j, err.Error())
	default:
		delay := r.Backoff(j.Attempts)
		if ctx.Err() != nil {
			delay = 0 // stopped forcibly: let the next runner take it at once
		}
		rerr := r.q.RetryJob(context.WithoutCancel(ctx), lease, now.Add(delay), err.Error())
		if errors.Is(rerr, store.ErrLeaseLost) {
			log.Warn("job failed after its lease was lost", "err", err)
			return nil
		}
		if rerr != nil {
			return fmt.Errorf("jobs: retry %s: %w", j.ID, rerr)
		}
		log.Info("job failed; will retry", "err", err, "retry_in", delay)
		return nil
	}
}

func (r *Runner) bury(ctx context.Context, log *slog.Logger, j store.Job, msg string) error {
	err := r.q.BuryJob(context.WithoutCancel(ctx), j.Lease(), r.opts.Clock.Now(), msg)
	if errors.Is(err, store.ErrLeaseLost) {
		log.Warn("job failed for good after its lease was lost", "err", msg)
		return nil
	}
	if err != nil {
		return fmt.Errorf("jobs: bury %s: %w", j.ID, err)
	}
	log.Error("job is dead; it stays in the job table for inspection", "err", msg)
	return nil
}

// call runs the handler, turning a panic into an error.
func (r *Runner) call(ctx context.Context, h Handler, j store.Job) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("handler panicked: %v\n%s", v, debug.Stack())
		}
	}()
	return h(ctx, j)
}

// extendWhileRunning extends the lease every Lease/3 until stop is closed. If the lease is
// lost it cancels the handler's context with errLeaseLost.
func (r *Runner) extendWhileRunning(ctx context.Context, log *slog.Logger, lease store.Lease, cancel context.CancelCauseFunc, stop <-chan struct{}) {
	every := r.opts.Lease / 3
	for {
		select {
		case <-stop:
			return
		case <-ctx.Done():
			return
		case <-r.opts.Clock.After(every):
		}
		err := r.q.ExtendLease(ctx, lease, r.opts.Clock.Now().Add(r.opts.Lease))
		switch {
		case errors.Is(err, store.ErrLeaseLost):
			cancel(errLeaseLost)
			return
		case err != nil:
			// Keep running; the next extension may succeed before the lease expires.
			log.Warn("extending job lease failed", "err", err)
		}
	}
}
