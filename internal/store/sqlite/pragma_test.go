package sqlite

import (
	"path/filepath"
	"testing"
)

// TestPragmas checks the connection settings the durability contract depends on.
func TestPragmas(t *testing.T) {
	for _, tc := range []struct {
		opts Options
		sync int
	}{{Options{}, 2 /* FULL */}, {Options{NormalSync: true}, 1 /* NORMAL */}} {
		s, err := Open(t.Context(), filepath.Join(t.TempDir(), "db"), tc.opts)
		if err != nil {
			t.Fatal(err)
		}
		var sync, fk, busy int
		var mode string
		for q, dest := range map[string]any{"PRAGMA synchronous": &sync, "PRAGMA foreign_keys": &fk,
			"PRAGMA busy_timeout": &busy, "PRAGMA journal_mode": &mode} {
			if err := s.wconn.QueryRowContext(t.Context(), q).Scan(dest); err != nil {
				t.Fatal(err)
			}
		}
		if sync != tc.sync || fk != 1 || busy != 10000 || mode != "wal" {
			t.Errorf("writer: synchronous=%d foreign_keys=%d busy_timeout=%d journal_mode=%s", sync, fk, busy, mode)
		}
		var queryOnly int
		if err := s.rdb.QueryRowContext(t.Context(), `PRAGMA query_only`).Scan(&queryOnly); err != nil || queryOnly != 1 {
			t.Errorf("read pool: query_only=%d, %v", queryOnly, err)
		}
		var cache int
		if err := s.rdb.QueryRowContext(t.Context(), `PRAGMA cache_size`).Scan(&cache); err != nil || cache != -readCacheKiB {
			t.Errorf("read pool: cache_size=%d, %v; want %d", cache, err, -readCacheKiB)
		}
		if _, err := s.rdb.ExecContext(t.Context(), `INSERT INTO records VALUES ('k', '', 'x', x'')`); err == nil {
			t.Error("the read pool accepted a write")
		}
		s.Close()
	}
}
