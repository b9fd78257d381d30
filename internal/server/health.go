package server

import (
	"context"
	"strconv"
	"sync"
	"time"

	"github.com/orgconfig/orgconfig/internal/store"
)

// kindHealth is the record /healthz writes to find out whether the store takes writes.
const kindHealth = "health-probe"

// healthProbe remembers the last write probe for a second, so that frequent health checks
// cost at most one small write a second.
type healthProbe struct {
	mu  sync.Mutex
	at  time.Time
	err error
}

func (h *healthProbe) check(ctx context.Context, st store.Store) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if now := time.Now(); now.Sub(h.at) >= time.Second {
		pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		h.err = st.Write(pctx, func(tx store.Tx) error {
			return tx.Put(kindHealth, "", "probe", []byte(strconv.FormatInt(now.UnixNano(), 10)))
		})
		h.at = now
	}
	return h.err
}
