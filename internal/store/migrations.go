package store

import (
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
)

// Migration is one forward-only schema change of a backend: the file
// migrations/NNNN_name.sql of its embedded files. A released migration is never edited; a
// change is a new file. Backends apply them in Version order, each in its own transaction
// together with the row that records it.
type Migration struct {
	Version int64
	Name    string
	SQL     string
}

// LoadMigrations reads migrations/*.sql from fsys, in ascending version order. A file whose
// name is not NNNN_name.sql, or two files with one version, are errors.
func LoadMigrations(fsys fs.FS) ([]Migration, error) {
	names, err := fs.Glob(fsys, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var out []Migration
	for _, n := range names {
		base := strings.TrimPrefix(n, "migrations/")
		num, _, ok := strings.Cut(base, "_")
		v, err := strconv.ParseInt(num, 10, 64)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("migration file %q: name must be NNNN_name.sql", n)
		}
		b, err := fs.ReadFile(fsys, n)
		if err != nil {
			return nil, err
		}
		out = append(out, Migration{Version: v, Name: base, SQL: string(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	for i := 1; i < len(out); i++ {
		if out[i].Version == out[i-1].Version {
			return nil, fmt.Errorf("migrations %q and %q have the same version", out[i-1].Name, out[i].Name)
		}
	}
	return out, nil
}
