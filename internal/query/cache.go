package query

import "github.com/orgconfig/orgconfig/internal/memo"

// Cache remembers parsed queries by their expression, so that an expression asked again (a
// client paging through results, a console dashboard) is lexed and parsed once. A parsed Query
// is never modified after Parse, so one value serves every caller. Errors are not remembered.
// The zero Cache is ready to use and safe for concurrent use.
type Cache struct{ m memo.Map[*Query] }

// cacheMax bounds a Cache (expressions are at most maxExprLen bytes, so a full cache holds a few
// MB at most).
const cacheMax = 512

// Parse is Parse through the cache.
func (c *Cache) Parse(expr string) (*Query, error) {
	if q, ok := c.m.Get(expr); ok {
		return q, nil
	}
	q, err := Parse(expr)
	if err != nil {
		return nil, err
	}
	c.m.PutMax(expr, q, cacheMax)
	return q, nil
}
