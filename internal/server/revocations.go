package server

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/orgconfig/orgconfig/internal/store"
)

// kindRevokedSession records a console session signed out before it expired (id = the
// session's ID; body {"until": unix seconds}), so that every replica over the store refuses a
// copy of its cookie.
const kindRevokedSession = "console-revoked-session"

// revocations is the console's list of signed-out sessions, kept in the store.
type revocations struct {
	store store.Store
	now   func() time.Time
}

type revokedRec struct {
	Until int64 `json:"until"`
}

// Revoke records that the session id is over; the record is worthless after until, when the
// cookie expires anyway, and is then removed by the next look-up.
func (r revocations) Revoke(ctx context.Context, id string, until time.Time) error {
	b, err := json.Marshal(revokedRec{Until: until.Unix()})
	if err != nil {
		return err
	}
	return r.store.Write(ctx, func(tx store.Tx) error { return tx.Put(kindRevokedSession, "", id, b) })
}

// Revoked reports whether the session id was signed out.
func (r revocations) Revoked(ctx context.Context, id string) (bool, error) {
	var rec *revokedRec
	err := r.store.Read(ctx, func(tx store.Tx) error {
		b, err := tx.Get(kindRevokedSession, "", id)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		rec = &revokedRec{}
		return json.Unmarshal(b, rec)
	})
	if err != nil || rec == nil {
		return false, err
	}
	if r.now().Unix() >= rec.Until {
		// The cookie has expired anyway: forget the session.
		_ = r.store.Write(ctx, func(tx store.Tx) error {
			_, err := tx.Delete(kindRevokedSession, "", id)
			return err
		})
	}
	return true, nil
}
