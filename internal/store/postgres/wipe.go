package postgres

import (
	"context"

	"github.com/orgconfig/orgconfig/internal/store"
)

// Wipe deletes every record and job. It exists for the permissive mode's reset endpoint (test
// suites written against other emulators); every replica sees the empty store at once.
func (s *Store) Wipe(ctx context.Context) error {
	return s.Write(ctx, func(stx store.Tx) error {
		t := stx.(*tx)
		for _, q := range []string{"DELETE FROM records", "DELETE FROM jobs"} {
			if _, err := t.q.Exec(t.ctx, q); err != nil {
				return err
			}
		}
		return nil
	})
}
