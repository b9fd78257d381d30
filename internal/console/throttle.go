package console

import (
	"context"
	"math"
	"sync"
	"time"
)

// Failed sign-ins are throttled per source address and per access key ID: each gets
// signinBurst failures, then one more every signinRefill. A throttled sign-in is refused
// before the credentials are tried, so guessing a secret through the console goes no faster
// than that, whichever keys or addresses the guesser spreads over. Successful sign-ins cost
// nothing.
const (
	signinBurst  = 5
	signinRefill = 12 * time.Second // 5 a minute
	// signinTracked bounds the addresses and keys remembered; past it, those whose budget is
	// full again are forgotten first.
	signinTracked = 10000
)

// signinThrottle is a token bucket per key ("ip:…", "key:…").
type signinThrottle struct {
	now     func() time.Time
	mu      sync.Mutex
	buckets map[string]*bucket
}

type bucket struct {
	tokens float64
	at     time.Time
}

func newSigninThrottle(now func() time.Time) *signinThrottle {
	return &signinThrottle{now: now, buckets: map[string]*bucket{}}
}

// level refills b to now and returns its tokens.
func (t *signinThrottle) level(b *bucket, now time.Time) float64 {
	b.tokens = math.Min(signinBurst, b.tokens+now.Sub(b.at).Seconds()/signinRefill.Seconds())
	b.at = now
	return b.tokens
}

// wait returns how long the caller must wait before its next attempt: zero when every key
// has a failure left.
func (t *signinThrottle) wait(keys ...string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	var longest time.Duration
	for _, k := range keys {
		b := t.buckets[k]
		if b == nil {
			continue
		}
		if lv := t.level(b, now); lv < 1 {
			if d := time.Duration((1 - lv) * float64(signinRefill)); d > longest {
				longest = d
			}
		}
	}
	return longest
}

// fail spends one failure of every key.
func (t *signinThrottle) fail(keys ...string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	if len(t.buckets) >= signinTracked {
		for k, b := range t.buckets {
			if t.level(b, now) >= signinBurst {
				delete(t.buckets, k)
			}
		}
	}
	for _, k := range keys {
		b := t.buckets[k]
		if b == nil {
			b = &bucket{tokens: signinBurst, at: now}
			t.buckets[k] = b
		}
		t.level(b, now)
		b.tokens = math.Max(0, b.tokens-1)
	}
}

// memoryRevocations is a Revocations kept in memory, for a console built without a store's.
type memoryRevocations struct {
	mu sync.Mutex
	m  map[string]time.Time
}

func (r *memoryRevocations) Revoke(_ context.Context, id string, until time.Time) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.m[id] = until
	return nil
}

func (r *memoryRevocations) Revoked(_ context.Context, id string) (bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	_, ok := r.m[id]
	return ok, nil
}
