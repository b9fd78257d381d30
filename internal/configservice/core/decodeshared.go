package core

import (
	"encoding/json"

	"github.com/orgconfig/orgconfig/internal/memo"
)

// DecodeShared decodes the JSON record b into a *T, from c when the same bytes were decoded
// before. The result is shared: callers must not modify it.
func DecodeShared[T any](c *memo.Map[*T], b []byte) (*T, error) {
	if v, ok := c.GetBytes(b); ok {
		return v, nil
	}
	v := new(T)
	if err := json.Unmarshal(b, v); err != nil {
		return nil, err
	}
	c.Put(string(b), v)
	return v, nil
}
