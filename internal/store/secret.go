package store

import (
	"context"
	"crypto/rand"
	"fmt"
)

// Secret returns the installation's secret record (kind, scope "", id) of size random bytes,
// creating it on first use. It lives in the store, so it survives restarts and every replica over one database shares
// it; two servers racing to create it both end up with the one that was stored first.
func Secret(ctx context.Context, st Store, kind, id string, size int) ([]byte, error) {
	// Almost always the secret exists: read it without taking the writer.
	var key []byte
	err := st.Read(ctx, func(tx Tx) (err error) {
		key, err = GetOptional(tx, kind, "", id)
		return err
	})
	if err == nil && key == nil {
		err = st.Write(ctx, func(tx Tx) error {
			var err error
			if key, err = GetOptional(tx, kind, "", id); err != nil || key != nil {
				return err
			}
			key = make([]byte, size)
			if _, err := rand.Read(key); err != nil {
				return err
			}
			return tx.Put(kind, "", id, key)
		})
	}
	if err != nil {
		return nil, fmt.Errorf("secret %s/%s: %w", kind, id, err)
	}
	if len(key) != size {
		return nil, fmt.Errorf("secret %s/%s: stored secret has %d bytes, want %d", kind, id, len(key), size)
	}
	return key, nil
}
