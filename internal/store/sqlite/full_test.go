package sqlite

import (
	"bytes"
	"errors"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/orgconfig/orgconfig/internal/store"
)

// TestFullDatabaseIsUnavailable: when the database cannot grow (here max_page_count, as a
// full disk would), Write's error wraps store.ErrUnavailable, so that the server answers
// ServiceUnavailable rather than an internal failure; once it may grow again, writes work.
func TestFullDatabaseIsUnavailable(t *testing.T) {
	s, err := Open(t.Context(), filepath.Join(t.TempDir(), "db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var pages int
	if err := s.wconn.QueryRowContext(t.Context(), `PRAGMA page_count`).Scan(&pages); err != nil {
		t.Fatal(err)
	}
	if _, err := s.wconn.ExecContext(t.Context(), `PRAGMA max_page_count = `+strconv.Itoa(pages+1)); err != nil {
		t.Fatal(err)
	}
	big := bytes.Repeat([]byte("x"), 1<<20)
	err = s.Write(t.Context(), func(tx store.Tx) error { return tx.Put("k", "", "big", big) })
	if !errors.Is(err, store.ErrUnavailable) {
		t.Fatalf("Write into a full database: %v, want store.ErrUnavailable", err)
	}
	if _, err := s.wconn.ExecContext(t.Context(), `PRAGMA max_page_count = 1073741823`); err != nil {
		t.Fatal(err)
	}
	if err := s.Write(t.Context(), func(tx store.Tx) error { return tx.Put("k", "", "big", big) }); err != nil {
		t.Fatalf("Write once the database may grow: %v", err)
	}
}
