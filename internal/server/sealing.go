package server

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/orgconfig/orgconfig/internal/identity"
	"github.com/orgconfig/orgconfig/internal/sealed"
	"github.com/orgconfig/orgconfig/internal/store"
)

// SecretsKeyFile is the name, in the data directory, of the key that seals secrets at rest
// (see internal/sealed); Options.SecretsKeyFile may put it elsewhere.
const SecretsKeyFile = "secrets.key"

// kindSealCheck holds a value sealed with the installation's key (id "key"), so that a start
// with another key file, or none, is refused instead of failing on every credential.
const kindSealCheck = "sealed-key-check"

const sealCheckPlain = "orgconfig sealed secrets"

// openSealing loads the key that seals secrets at rest, creating it (mode 0600) with a new
// database, and checks it against the database. The first start with a key over a database
// whose secrets were stored unsealed seals them.
//
// With create false (the CLI's offline commands), a database that was never sealed and has no
// key file gives a nil key: what they write is sealed by the next server start.
func openSealing(ctx context.Context, st store.Store, path string, create bool, log *slog.Logger) (*sealed.Key, error) {
	var check []byte
	if err := st.Read(ctx, func(tx store.Tx) (err error) {
		check, err = store.GetOptional(tx, kindSealCheck, "", "key")
		return err
	}); err != nil {
		return nil, err
	}
	key, created, err := sealed.Load(path, check == nil && create)
	if errors.Is(err, fs.ErrNotExist) && check == nil {
		return nil, nil
	}
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("the secrets of this database are sealed with the key file %s, which is missing: restore it from where the database came from (a database without its key file yields no credential)", path)
	}
	if err != nil {
		return nil, fmt.Errorf("secrets key: %w", err)
	}
	if check != nil {
		if p, err := key.Open(check, kindSealCheck); err != nil || string(p) != sealCheckPlain {
			return nil, fmt.Errorf("the key file %s does not open the secrets of this database (another installation's key? replicas over one database share the key file, see --secrets-key-file)", path)
		}
		return key, nil
	}
	if created {
		log.Info("created the key that seals secrets at rest", "file", path)
	}
	// A database without the check value: new, or written before secrets were sealed. Seal
	// what it holds in one transaction with the check value.
	n := 0
	dir := identity.NewDirectory(st, nil, nil, key)
	err = st.Write(ctx, func(tx store.Tx) error {
		n = 0
		// Another replica may have sealed the database meanwhile: its check value must open
		// with this key too.
		if other, err := store.GetOptional(tx, kindSealCheck, "", "key"); err != nil {
			return err
		} else if other != nil {
			if p, err := key.Open(other, kindSealCheck); err != nil || string(p) != sealCheckPlain {
				return fmt.Errorf("the key file %s does not open the secrets of this database (another replica sealed them with another key: replicas over one database share the key file, see --secrets-key-file)", path)
			}
			return nil
		}
		after := ""
		for {
			recs, err := tx.List(identity.KindCredential, "", after, 500)
			if err != nil {
				return err
			}
			for _, r := range recs {
				c, err := dir.DecodeCredential(r.Body)
				if err != nil {
					return err
				}
				b, err := dir.EncodeCredential(c)
				if err != nil {
					return err
				}
				if string(b) != string(r.Body) {
					if err := tx.Put(identity.KindCredential, "", r.ID, b); err != nil {
						return err
					}
					n++
				}
			}
			if len(recs) < 500 {
				break
			}
			after = recs[len(recs)-1].ID
		}
		return tx.Put(kindSealCheck, "", "key", key.Seal([]byte(sealCheckPlain), kindSealCheck))
	})
	if err != nil {
		return nil, fmt.Errorf("sealing stored secrets: %w", err)
	}
	if n > 0 {
		log.Info("sealed the secrets stored before sealing existed", "credentials", n)
	}
	return key, nil
}

// OpenSealKey returns the key that seals the secrets of the store opts point to, for the CLI's
// commands that work on a data store directly (the same checks as a server's start).
func OpenSealKey(ctx context.Context, st store.Store, opts Options) (*sealed.Key, error) {
	path := secretsKeyFile(opts)
	if path == "" {
		return nil, nil
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return openSealing(ctx, st, path, false, log)
}

// warnOpenDataDir warns when the data directory can be read by other users of the machine:
// it holds the root credentials and the key that seals the database's secrets.
func warnOpenDataDir(dir string, log *slog.Logger) {
	if dir == "" {
		return
	}
	st, err := os.Stat(dir)
	if err != nil {
		return
	}
	if st.Mode().Perm()&0o077 != 0 {
		log.Warn("the data directory is accessible to other users of this machine; it holds root credentials and the key that seals secrets: chmod 700 it",
			"dir", filepath.Clean(dir), "mode", fmt.Sprintf("%#o", st.Mode().Perm()))
	}
}
