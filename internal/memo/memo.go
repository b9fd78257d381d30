package memo

import "sync"

// DefaultMax is the bound of a Map whose Max is 0.
const DefaultMax = 4096

// Map is a concurrency-safe map from strings to shared values. When it holds Max entries
// (DefaultMax when 0), the next Put starts it again empty: entries are cheap to rebuild, and a
// workload with more live keys than the bound only rebuilds more often. The zero Map is ready.
type Map[V any] struct {
	Max int
	mu  sync.RWMutex
	m   map[string]V
}

// Get returns the value stored under k.
func (c *Map[V]) Get(k string) (V, bool) {
	c.mu.RLock()
	v, ok := c.m[k]
	c.mu.RUnlock()
	return v, ok
}

// GetBytes is Get for a key held as bytes (a record's body), without converting it.
func (c *Map[V]) GetBytes(k []byte) (V, bool) {
	c.mu.RLock()
	v, ok := c.m[string(k)]
	c.mu.RUnlock()
	return v, ok
}

// Put stores v under k.
func (c *Map[V]) Put(k string, v V) { c.PutMax(k, v, c.Max) }

// PutMax is Put with the bound max (DefaultMax when 0) in place of Max, for a zero Map that
// wants another bound.
func (c *Map[V]) PutMax(k string, v V, max int) {
	if max <= 0 {
		max = DefaultMax
	}
	c.mu.Lock()
	if c.m == nil || len(c.m) >= max {
		c.m = make(map[string]V)
	}
	c.m[k] = v
	c.mu.Unlock()
}

// Delete removes the entry of k, if any.
func (c *Map[V]) Delete(k string) {
	c.mu.Lock()
	delete(c.m, k)
	c.mu.Unlock()
}

// Len is the number of entries.
func (c *Map[V]) Len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.m)
}
