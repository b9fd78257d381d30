package store

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
)

// Sealer seals a secret's bytes at rest and opens them (see internal/sealed); the store
// package knows nothing of keys.
type Sealer interface {
	Seal(plain []byte, context string) []byte
	Open(v []byte, context string) ([]byte, error)
}

// Secret returns the installation's secret record (kind, scope "", id) of size random bytes,
// creating it on first use; seal, when not nil, seals it at rest (a secret stored unsealed is
// sealed on first use). It lives in the store, so it survives restarts and every replica over
// one database shares it; two servers racing to create it both end up with the one that was
// stored first.
func Secret(ctx context.Context, st Store, kind, id string, size int, seal Sealer) ([]byte, error) {
	context := kind + "/" + id
	open := func(v []byte) ([]byte, error) {
		if seal == nil || v == nil {
			return v, nil
		}
		return seal.Open(v, context)
	}
	// Almost always the secret exists, sealed: read it without taking the writer.
	var stored []byte
	err := st.Read(ctx, func(tx Tx) (err error) {
		stored, err = GetOptional(tx, kind, "", id)
		return err
	})
	if err == nil && (stored == nil || seal != nil && !bytes.HasPrefix(stored, []byte("sealed1:"))) {
		err = st.Write(ctx, func(tx Tx) error {
			var err error
			if stored, err = GetOptional(tx, kind, "", id); err != nil {
				return err
			}
			if stored == nil {
				stored = make([]byte, size)
				if _, err := rand.Read(stored); err != nil {
					return err
				}
			}
			if seal == nil {
				return tx.Put(kind, "", id, stored)
			}
			plain, err := seal.Open(stored, context)
			if err != nil {
				return err
			}
			stored = seal.Seal(plain, context)
			return tx.Put(kind, "", id, stored)
		})
	}
	var key []byte
	if err == nil {
		key, err = open(stored)
	}
	if err != nil {
		return nil, fmt.Errorf("secret %s/%s: %w", kind, id, err)
	}
	if len(key) != size {
		return nil, fmt.Errorf("secret %s/%s: stored secret has %d bytes, want %d", kind, id, len(key), size)
	}
	return key, nil
}
