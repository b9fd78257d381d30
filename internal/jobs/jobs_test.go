package jobs_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/orgconfig/orgconfig/internal/clock"
	"github.com/orgconfig/orgconfig/internal/jobs"
	"github.com/orgconfig/orgconfig/internal/store"
	"github.com/orgconfig/orgconfig/internal/store/sqlite"
)

var t0 = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

type env struct {
	st    *sqlite.Store
	clock *clock.Manual
	logs  *syncBuffer
}

func newEnv(t *testing.T) *env {
	t.Helper()
	clk := clock.NewManual(t0)
	st, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "db"), sqlite.Options{Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return &env{st: st, clock: clk, logs: &syncBuffer{}}
}

func (e *env) runner(q store.JobQueue, owner string, opts jobs.Options) *jobs.Runner {
	opts.Owner = owner
	if opts.Clock == nil {
		opts.Clock = e.clock
	}
	if opts.Lease == 0 {
		opts.Lease = 30 * time.Second
	}
	opts.Logger = slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	return jobs.New(q, opts)
}

func (e *env) enqueue(t *testing.T, js ...store.Job) {
	t.Helper()
	err := e.st.Write(t.Context(), func(tx store.Tx) error {
		for _, j := range js {
			if err := tx.Enqueue(j); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func (e *env) jobs(t *testing.T, dead bool) []store.Job {
	t.Helper()
	js, err := e.st.ListJobs(t.Context(), store.JobFilter{Dead: dead})
	if err != nil {
		t.Fatal(err)
	}
	return js
}

func runDue(t *testing.T, r *jobs.Runner, want int) {
	t.Helper()
	n, err := r.RunDue(t.Context())
	if err != nil {
		t.Fatalf("RunDue: %v", err)
	}
	if n != want {
		t.Fatalf("RunDue ran %d jobs, want %d", n, want)
	}
}

func TestRunDueCompletes(t *testing.T) {
	e := newEnv(t)
	r := e.runner(e.st, "w", jobs.Options{})
	var got []string
	r.Register("greet", func(ctx context.Context, j store.Job) error {
		got = append(got, string(j.Payload))
		return nil
	})
	e.enqueue(t, store.Job{Kind: "greet", Payload: []byte("hello")}, store.Job{Kind: "greet", Payload: []byte("later"), RunAt: t0.Add(time.Hour)})
	e.enqueue(t, store.Job{Kind: "unregistered"})
	runDue(t, r, 1)
	if len(got) != 1 || got[0] != "hello" {
		t.Fatalf("handled %q", got)
	}
	runDue(t, r, 0)
	e.clock.Advance(time.Hour)
	runDue(t, r, 1)
	if js := e.jobs(t, false); len(js) != 1 || js[0].Kind != "unregistered" {
		t.Fatalf("jobs left: %+v", js)
	}
}

func TestRetryBackoffThenDead(t *testing.T) {
	e := newEnv(t)
	r := e.runner(e.st, "w", jobs.Options{MaxAttempts: 4, BackoffBase: time.Second, BackoffMax: 3 * time.Second})
	calls := 0
	r.Register("flaky", func(ctx context.Context, j store.Job) error {
		calls++
		if j.Attempts != calls {
			t.Errorf("attempt %d reported as %d", calls, j.Attempts)
		}
		return fmt.Errorf("failure %d", calls)
	})
	e.enqueue(t, store.Job{ID: "j", Kind: "flaky"})
	wantDelays := []time.Duration{time.Second, 2 * time.Second, 3 * time.Second} // capped
	for i, d := range wantDelays {
		runDue(t, r, 1)
		js := e.jobs(t, false)
		if len(js) != 1 || !js[0].RunAt.Equal(e.clock.Now().Add(d)) || js[0].LastError != fmt.Sprintf("failure %d", i+1) {
			t.Fatalf("after attempt %d: %+v, want RunAt now+%v", i+1, js, d)
		}
		runDue(t, r, 0) // not due yet
		e.clock.Advance(d - time.Millisecond)
		runDue(t, r, 0)
		e.clock.Advance(time.Millisecond)
	}
	runDue(t, r, 1) // fourth and last attempt
	if js := e.jobs(t, false); len(js) != 0 {
		t.Fatalf("live jobs after the last attempt: %+v", js)
	}
	dead := e.jobs(t, true)
	if len(dead) != 1 || dead[0].LastError != "failure 4" || dead[0].Attempts != 4 || !dead[0].DeadAt.Equal(e.clock.Now()) {
		t.Fatalf("dead jobs: %+v", dead)
	}
	if !strings.Contains(e.logs.String(), "job is dead") {
		t.Fatalf("death not logged:\n%s", e.logs)
	}
	e.clock.Advance(24 * time.Hour)
	runDue(t, r, 0)
	if calls != 4 {
		t.Fatalf("handler ran %d times, want 4", calls)
	}
}

func TestBackoff(t *testing.T) {
	r := jobs.New(nil, jobs.Options{BackoffBase: time.Second, BackoffMax: time.Minute})
	for attempt, want := range map[int]time.Duration{1: time.Second, 2: 2 * time.Second, 6: 32 * time.Second, 7: time.Minute, 100: time.Minute} {
		if got := r.Backoff(attempt); got != want {
			t.Errorf("Backoff(%d) = %v, want %v", attempt, got, want)
		}
	}
}

func TestPermanentErrorBuriesAtOnce(t *testing.T) {
	e := newEnv(t)
	r := e.runner(e.st, "w", jobs.Options{})
	r.Register("bad", func(ctx context.Context, j store.Job) error {
		return jobs.Permanent(errors.New("malformed payload"))
	})
	e.enqueue(t, store.Job{Kind: "bad"})
	runDue(t, r, 1)
	if dead := e.jobs(t, true); len(dead) != 1 || dead[0].LastError != "malformed payload" || dead[0].Attempts != 1 {
		t.Fatalf("dead: %+v", dead)
	}
}

func TestPanicIsRetried(t *testing.T) {
	e := newEnv(t)
	r := e.runner(e.st, "w", jobs.Options{})
	n := 0
	r.Register("panicky", func(ctx context.Context, j store.Job) error {
		n++
		if n == 1 {
			panic("oops")
		}
		return nil
	})
	e.enqueue(t, store.Job{Kind: "panicky"})
	runDue(t, r, 1)
	js := e.jobs(t, false)
	if len(js) != 1 || !strings.Contains(js[0].LastError, "panicked: oops") {
		t.Fatalf("after panic: %+v", js)
	}
	e.clock.Advance(time.Second)
	runDue(t, r, 1)
	if js := e.jobs(t, false); len(js) != 0 {
		t.Fatalf("left: %+v", js)
	}
}

func TestCrashedWorkerJobIsRunByAnother(t *testing.T) {
	e := newEnv(t)
	e.enqueue(t, store.Job{ID: "j", Kind: "k", Payload: []byte("p")})
	// A worker claims the job and dies without completing it.
	claimed, err := e.st.ClaimJobs(t.Context(), "crashed", e.clock.Now(), 30*time.Second, []string{"k"}, 10)
	if err != nil || len(claimed) != 1 {
		t.Fatalf("claim: %v %v", claimed, err)
	}
	r := e.runner(e.st, "survivor", jobs.Options{})
	ran := 0
	r.Register("k", func(ctx context.Context, j store.Job) error { ran++; return nil })
	runDue(t, r, 0) // still leased
	e.clock.Advance(30 * time.Second)
	runDue(t, r, 1)
	if ran != 1 || len(e.jobs(t, false)) != 0 {
		t.Fatalf("ran %d, jobs %+v", ran, e.jobs(t, false))
	}
}

func TestCrashLoopingJobDies(t *testing.T) {
	e := newEnv(t)
	e.enqueue(t, store.Job{ID: "j", Kind: "k"})
	// Every claim "crashes" the worker: the lease just expires.
	for range 3 {
		if c, err := e.st.ClaimJobs(t.Context(), "doomed", e.clock.Now(), time.Second, nil, 1); err != nil || len(c) != 1 {
			t.Fatalf("claim: %v %v", c, err)
		}
		e.clock.Advance(time.Second)
	}
	r := e.runner(e.st, "w", jobs.Options{MaxAttempts: 3})
	r.Register("k", func(ctx context.Context, j store.Job) error {
		t.Error("a job claimed more than MaxAttempts times ran again")
		return nil
	})
	runDue(t, r, 1)
	if dead := e.jobs(t, true); len(dead) != 1 || !strings.Contains(dead[0].LastError, "claimed 4 times") {
		t.Fatalf("dead: %+v", dead)
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestLongJobKeepsLease(t *testing.T) {
	e := newEnv(t)
	const lease = 30 * time.Second
	r := e.runner(e.st, "long", jobs.Options{Lease: lease})
	started := make(chan struct{})
	release := make(chan struct{})
	r.Register("long", func(ctx context.Context, j store.Job) error {
		close(started)
		select {
		case <-release:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	other := e.runner(e.st, "other", jobs.Options{Lease: lease})
	otherRan := false
	other.Register("long", func(ctx context.Context, j store.Job) error { otherRan = true; return nil })

	e.enqueue(t, store.Job{Kind: "long"})
	done := make(chan error, 1)
	go func() { _, err := r.RunDue(context.Background()); done <- err }()
	<-started
	// Three leases' worth of time pass while the handler runs; the runner extends the lease
	// every lease/3, so the other runner never gets the job.
	for range 9 {
		waitFor(t, "the lease extender to wait on the clock", func() bool { return e.clock.Waiters() > 0 })
		e.clock.Advance(lease / 3)
		waitFor(t, "the lease extension", func() bool {
			js := e.jobs(t, false)
			return len(js) == 1 && js[0].LeaseUntil.Equal(e.clock.Now().Add(lease))
		})
		runDue(t, other, 0)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if otherRan || len(e.jobs(t, false)) != 0 {
		t.Fatalf("otherRan=%v jobs=%+v", otherRan, e.jobs(t, false))
	}
}

// lossyQueue makes every lease extension fail as if another worker had taken the job.
type lossyQueue struct {
	store.JobQueue
	retries atomic.Int64
}

func (q *lossyQueue) ExtendLease(ctx context.Context, l store.Lease, until time.Time) error {
	return store.ErrLeaseLost
}

func (q *lossyQueue) RetryJob(ctx context.Context, l store.Lease, runAt time.Time, msg string) error {
	q.retries.Add(1)
	return q.JobQueue.RetryJob(ctx, l, runAt, msg)
}

func TestLostLeaseCancelsHandler(t *testing.T) {
	e := newEnv(t)
	q := &lossyQueue{JobQueue: e.st}
	r := e.runner(q, "w", jobs.Options{Lease: 30 * time.Second})
	canceled := make(chan struct{})
	r.Register("k", func(ctx context.Context, j store.Job) error {
		<-ctx.Done()
		close(canceled)
		return ctx.Err()
	})
	e.enqueue(t, store.Job{Kind: "k"})
	done := make(chan error, 1)
	go func() { _, err := r.RunDue(context.Background()); done <- err }()
	waitFor(t, "the lease extender", func() bool { return e.clock.Waiters() > 0 })
	e.clock.Advance(10 * time.Second)
	<-canceled
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if q.retries.Load() != 0 {
		t.Fatal("a runner that lost its lease recorded a retry")
	}
	if !strings.Contains(e.logs.String(), "lease lost") {
		t.Fatalf("lease loss not logged:\n%s", e.logs)
	}
}

func TestEnqueueFromHandlerAndDedupe(t *testing.T) {
	e := newEnv(t)
	r := e.runner(e.st, "w", jobs.Options{})
	var order []string
	r.Register("parent", func(ctx context.Context, j store.Job) error {
		order = append(order, "parent")
		return e.st.Write(ctx, func(tx store.Tx) error {
			// Enqueued twice with one key: one child.
			if err := tx.Enqueue(store.Job{Kind: "child", Key: "c"}); err != nil {
				return err
			}
			return tx.Enqueue(store.Job{Kind: "child", Key: "c"})
		})
	})
	r.Register("child", func(ctx context.Context, j store.Job) error {
		order = append(order, "child")
		return nil
	})
	e.enqueue(t, store.Job{Kind: "parent"})
	runDue(t, r, 2)
	if strings.Join(order, ",") != "parent,child" {
		t.Fatalf("ran %v", order)
	}
}

func TestCompleteInHandlerTransaction(t *testing.T) {
	e := newEnv(t)
	r := e.runner(e.st, "w", jobs.Options{})
	r.Register("apply", func(ctx context.Context, j store.Job) error {
		return e.st.Write(ctx, func(tx store.Tx) error {
			if err := tx.Put("effect", "", j.ID, j.Payload); err != nil {
				return err
			}
			return tx.CompleteJob(j.Lease())
		})
	})
	e.enqueue(t, store.Job{ID: "j1", Kind: "apply", Payload: []byte("v")})
	runDue(t, r, 1)
	if len(e.jobs(t, false)) != 0 || len(e.jobs(t, true)) != 0 {
		t.Fatal("job not completed")
	}
	err := e.st.Read(t.Context(), func(tx store.Tx) error { _, err := tx.Get("effect", "", "j1"); return err })
	if err != nil {
		t.Fatal(err)
	}
}

func TestStartNotifyStop(t *testing.T) {
	e := newEnv(t)
	// A poll interval far in the future on the manual clock: only Notify can start the job.
	r := e.runner(e.st, "bg", jobs.Options{PollInterval: time.Hour})
	ran := make(chan string, 10)
	r.Register("k", func(ctx context.Context, j store.Job) error { ran <- j.ID; return nil })
	r.Start(t.Context())
	e.enqueue(t, store.Job{ID: "a", Kind: "k"})
	r.Notify()
	select {
	case id := <-ran:
		if id != "a" {
			t.Fatalf("ran %s", id)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Notify did not start the job")
	}
	// A job due later runs when the clock reaches it and the poll fires. (The loop may be
	// between two waits when the clock moves, and a clock.Manual cannot tell an abandoned
	// wait from a live one, so time moves on by poll intervals until the job runs.)
	waitFor(t, "completion of a", func() bool { return len(e.jobs(t, false)) == 0 })
	e.enqueue(t, store.Job{ID: "b", Kind: "k", RunAt: t0.Add(time.Hour)})
	for i := 0; ; i++ {
		if i == 100 {
			t.Fatal("the poll did not start the due job")
		}
		waitFor(t, "the loop to wait", func() bool { return e.clock.Waiters() > 0 })
		e.clock.Advance(time.Hour)
		select {
		case id := <-ran:
			if id != "b" {
				t.Fatalf("ran %s", id)
			}
		case <-time.After(100 * time.Millisecond):
			continue
		}
		break
	}
	if err := r.Stop(t.Context()); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "completion", func() bool { return len(e.jobs(t, false)) == 0 })
}

func TestStopWaitsThenForces(t *testing.T) {
	e := newEnv(t)
	r := e.runner(e.st, "bg", jobs.Options{PollInterval: time.Hour})
	started := make(chan struct{})
	r.Register("stuck", func(ctx context.Context, j store.Job) error {
		close(started)
		<-ctx.Done()
		return ctx.Err()
	})
	r.Start(t.Context())
	e.enqueue(t, store.Job{ID: "s", Kind: "stuck"})
	r.Notify()
	<-started
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	if err := r.Stop(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Stop = %v, want DeadlineExceeded", err)
	}
	// The interrupted job is released for immediate retry, not lost and not dead.
	js := e.jobs(t, false)
	if len(js) != 1 || js[0].LeaseOwner != "" || !js[0].RunAt.Equal(e.clock.Now()) || js[0].Attempts != 1 {
		t.Fatalf("job after forced stop: %+v", js)
	}
}

// TestManyRunnersEachJobOnce runs two background runners on one store with real time: every
// job runs exactly once.
func TestManyRunnersEachJobOnce(t *testing.T) {
	e := newEnv(t)
	const n = 150
	var mu sync.Mutex
	counts := map[string]int{}
	var total atomic.Int64
	h := func(ctx context.Context, j store.Job) error {
		mu.Lock()
		counts[j.ID]++
		mu.Unlock()
		total.Add(1)
		return nil
	}
	var runners []*jobs.Runner
	for i := range 2 {
		r := e.runner(e.st, fmt.Sprint("r", i), jobs.Options{Clock: clock.System{}, PollInterval: 5 * time.Millisecond, Concurrency: 4})
		r.Register("k", h)
		r.Start(t.Context())
		runners = append(runners, r)
	}
	var batch []store.Job
	for i := range n {
		batch = append(batch, store.Job{ID: fmt.Sprintf("j%03d", i), Kind: "k", RunAt: time.Now()})
	}
	e.enqueue(t, batch...)
	for _, r := range runners {
		r.Notify()
	}
	waitFor(t, "all jobs", func() bool { return total.Load() >= n })
	for _, r := range runners {
		if err := r.Stop(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	if len(counts) != n {
		t.Fatalf("%d distinct jobs ran", len(counts))
	}
	for id, c := range counts {
		if c != 1 {
			t.Fatalf("%s ran %d times", id, c)
		}
	}
	if js := e.jobs(t, false); len(js) != 0 {
		t.Fatalf("%d jobs left", len(js))
	}
}
