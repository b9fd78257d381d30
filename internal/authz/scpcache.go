package authz

import (
	"sync"
	"time"
)

// scpCacheTTL bounds how long a cached "SCPs do not apply to this account" survives a change
// made by another replica. Changes made by this process invalidate entries at once (through
// organizations.Service.Generation).
const scpCacheTTL = time.Second

// scpCacheMax bounds the cache; it is emptied when full.
const scpCacheMax = 10000

// scpCache remembers, per account, whether service control policies bound its principals. It
// is a cache only: a miss reads the store.
type scpCache struct {
	mu      sync.Mutex
	entries map[string]scpEntry
}

type scpEntry struct {
	gen     uint64
	at      time.Time
	applies bool
}

func (c *scpCache) get(account string, gen uint64) (scpEntry, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[account]
	if !ok || e.gen != gen || time.Since(e.at) > scpCacheTTL {
		return scpEntry{}, false
	}
	return e, true
}

func (c *scpCache) put(account string, gen uint64, applies bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.entries == nil || len(c.entries) >= scpCacheMax {
		c.entries = map[string]scpEntry{}
	}
	c.entries[account] = scpEntry{gen: gen, at: time.Now(), applies: applies}
}
