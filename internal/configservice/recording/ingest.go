package recording

import (
	"context"
	"sync"

	"github.com/orgconfig/orgconfig/internal/store"
)

// maxIngestBatch bounds the item writes of PutResourceConfig and DeleteResourceConfig that
// share one store write.
const maxIngestBatch = 256

// maxIngestInFlight is the number of batches that may wait for the store at once: with two,
// the next batch is queued while one commits, so the store never waits for a leader to wake.
const maxIngestInFlight = 2

// ingester lets concurrent PutResourceConfig and DeleteResourceConfig calls share store
// writes. The first caller to find no batch running leads: it takes every waiting write, runs
// them in one store.Write (recordBatchTx) and, once it has committed, wakes the callers of its
// batch and hands the lead to the oldest write that arrived meanwhile. Each caller returns once
// its own write is durable, or refused. No goroutine outlives the calls.
type ingester struct {
	mu      sync.Mutex
	pending []*ingestCall
	running int // batches in flight
}

type ingestCall struct {
	w *ItemWrite
	// wake receives false when the write's outcome is known, or true when the caller is to
	// lead the next batch.
	wake chan bool
	err  error // the store's error, if the batch failed
}

// record runs w in a batch and returns its outcome.
func (s *Service) record(ctx context.Context, w *ItemWrite) error {
	g := &s.ingest
	c := &ingestCall{w: w, wake: make(chan bool, 1)}
	g.mu.Lock()
	g.pending = append(g.pending, c)
	if g.running >= maxIngestInFlight {
		g.mu.Unlock()
		if lead := <-c.wake; !lead {
			return c.result()
		}
		g.mu.Lock()
	} else {
		g.running++
	}
	// Leading, with g.mu held: c is still pending.
	n := min(len(g.pending), maxIngestBatch)
	batch := make([]*ingestCall, n)
	copy(batch, g.pending)
	g.pending = append(g.pending[:0], g.pending[n:]...)
	g.mu.Unlock()

	ws := make([]*ItemWrite, len(batch))
	for i, b := range batch {
		ws[i] = b.w
	}
	// The batch carries other callers' writes: the leader's cancellation must not abort it.
	err := s.Store.Write(context.WithoutCancel(ctx), func(tx store.Tx) error { return s.RecordBatchTx(tx, ws) })
	for _, b := range batch {
		b.err = err
	}

	g.mu.Lock()
	if len(g.pending) > 0 {
		g.pending[0].wake <- true
	} else {
		g.running--
	}
	g.mu.Unlock()
	for _, b := range batch {
		if b != c {
			b.wake <- false
		}
	}
	return c.result()
}

func (c *ingestCall) result() error {
	if c.err != nil {
		return c.err
	}
	return c.w.Err
}
