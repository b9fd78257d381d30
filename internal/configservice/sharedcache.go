package configservice

import (
	"encoding/json"
	"sync"
)

// sharedCacheMax bounds a sharedCache: past it the cache starts again empty.
const sharedCacheMax = 4096

// sharedCache maps keys to values that are shared and never modified (decoded records, derived
// views). The zero value is ready; it is safe for concurrent use.
type sharedCache[V any] struct {
	mu sync.Mutex
	m  map[string]V
}

func (c *sharedCache[V]) get(k string) (V, bool) {
	c.mu.Lock()
	v, ok := c.m[k]
	c.mu.Unlock()
	return v, ok
}

func (c *sharedCache[V]) put(k string, v V) {
	c.mu.Lock()
	if c.m == nil || len(c.m) >= sharedCacheMax {
		c.m = make(map[string]V)
	}
	c.m[k] = v
	c.mu.Unlock()
}

// decodeShared decodes the JSON record b into a *T, from c when the same bytes were decoded
// before. The result is shared: callers must not modify it.
func decodeShared[T any](c *sharedCache[*T], b []byte) (*T, error) {
	if v, ok := c.get(string(b)); ok {
		return v, nil
	}
	v := new(T)
	if err := json.Unmarshal(b, v); err != nil {
		return nil, err
	}
	c.put(string(b), v)
	return v, nil
}
