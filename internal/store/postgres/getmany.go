package postgres

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/orgconfig/orgconfig/internal/store"
)

// maxGetManyStatement is the largest GetMany answered by one UNION ALL statement; larger ones
// run in a Read.
const maxGetManyStatement = 128

// getManyQueries caches the GetMany statement text per number of keys.
var getManyQueries sync.Map // int -> string

// getManyQuery is the single statement that reads n records: a UNION ALL of point lookups on
// the primary key, each row tagged with the index of its key. Outside a transaction the
// statement runs with its own snapshot, so every row comes from one consistent state that
// includes every committed Write.
func getManyQuery(n int) string {
	if v, ok := getManyQueries.Load(n); ok {
		return v.(string)
	}
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString(" UNION ALL ")
		}
		fmt.Fprintf(&b, "SELECT %d::INT4, body FROM records WHERE kind = $%d AND scope = $%d AND id = $%d", i, 3*i+1, 3*i+2, 3*i+3)
	}
	q := b.String()
	getManyQueries.Store(n, q)
	return q
}

// GetMany reads the records in one statement, without BEGIN and ROLLBACK.
func (s *Store) GetMany(ctx context.Context, keys []store.Key) ([][]byte, error) {
	out := make([][]byte, len(keys))
	if len(keys) == 0 {
		return out, nil
	}
	if len(keys) > maxGetManyStatement {
		err := s.Read(ctx, func(tx store.Tx) error {
			for i, k := range keys {
				b, err := tx.Get(k.Kind, k.Scope, k.ID)
				if err == store.ErrNotFound {
					continue
				}
				if err != nil {
					return err
				}
				out[i] = b
			}
			return nil
		})
		return out, err
	}
	q := getManyQuery(len(keys))
	args := make([]any, 0, 3*len(keys))
	for _, k := range keys {
		args = append(args, k.Kind, k.Scope, []byte(k.ID))
	}
	err := s.retry(ctx, func() error {
		clear(out)
		rows, err := s.pool.Query(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				i    int32
				body []byte
			)
			if err := rows.Scan(&i, &body); err != nil {
				return err
			}
			if i < 0 || int(i) >= len(out) {
				return fmt.Errorf("postgres store: GetMany: row index %d out of range", i)
			}
			out[i] = nonNil(body)
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}
