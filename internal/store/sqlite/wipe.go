package sqlite

import (
	"context"

	"github.com/orgconfig/orgconfig/internal/store"
)

// Wipe deletes every record and job, through the writer like any write. It exists for the
// permissive mode's reset endpoint (test suites written against other emulators).
func (s *Store) Wipe(ctx context.Context) error {
	return s.Write(ctx, func(stx store.Tx) error {
		t := stx.(*tx)
		for _, q := range []string{"DELETE FROM records", "DELETE FROM jobs"} {
			if _, err := t.exec(q); err != nil {
				return err
			}
		}
		return nil
	})
}
