package query

import "sync"

// Cache remembers parsed queries by their expression, so that an expression asked again (a
// client paging through results, a console dashboard) is lexed and parsed once. A parsed Query
// is never modified after Parse, so one value serves every caller. Errors are not remembered.
// The zero Cache is ready to use and safe for concurrent use.
type Cache struct {
	mu sync.Mutex
	m  map[string]*Query
}

// cacheMax bounds a Cache: past it the cache starts again empty (expressions are at most
// maxExprLen bytes, so a full cache holds a few MB at most).
const cacheMax = 512

// Parse is Parse through the cache.
func (c *Cache) Parse(expr string) (*Query, error) {
	c.mu.Lock()
	q, ok := c.m[expr]
	c.mu.Unlock()
	if ok {
		return q, nil
	}
	q, err := Parse(expr)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if c.m == nil || len(c.m) >= cacheMax {
		c.m = make(map[string]*Query)
	}
	c.m[expr] = q
	c.mu.Unlock()
	return q, nil
}
