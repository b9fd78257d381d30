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

// GetMany reads the records in the transaction with one statement: the keys travel as three
// arrays, joined to the records by primary key.
func (t *tx) GetMany(keys []store.Key) ([][]byte, error) {
	if err := t.check(false); err != nil {
		return nil, err
	}
	out := make([][]byte, len(keys))
	if len(keys) == 0 {
		return out, nil
	}
	kinds := make([]string, len(keys))
	scopes := make([]string, len(keys))
	ids := make([][]byte, len(keys))
	for i, k := range keys {
		kinds[i], scopes[i], ids[i] = k.Kind, k.Scope, []byte(k.ID)
	}
	rows, err := t.q.Query(t.ctx, `SELECT k.i::INT4, r.body
		FROM unnest($1::TEXT[], $2::TEXT[], $3::BYTEA[]) WITH ORDINALITY AS k(kind, scope, id, i)
		JOIN records r ON r.kind = k.kind AND r.scope = k.scope AND r.id = k.id`, kinds, scopes, ids)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			i    int32
			body []byte
		)
		if err := rows.Scan(&i, &body); err != nil {
			return nil, err
		}
		if i < 1 || int(i) > len(out) {
			return nil, fmt.Errorf("postgres store: GetMany: row index %d out of range", i)
		}
		out[i-1] = nonNil(body)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// PutMany upserts the records with one INSERT of arrays. Keys are deduplicated first (the last
// record wins): one INSERT ... ON CONFLICT cannot touch a row twice.
func (t *tx) PutMany(recs []store.Record) error {
	if err := t.check(true); err != nil {
		return err
	}
	recs = store.DedupeLast(recs)
	if len(recs) == 0 {
		return nil
	}
	kinds := make([]string, len(recs))
	scopes := make([]string, len(recs))
	ids := make([][]byte, len(recs))
	bodies := make([][]byte, len(recs))
	for i, r := range recs {
		kinds[i], scopes[i], ids[i], bodies[i] = r.Kind, r.Scope, []byte(r.ID), nonNil(r.Body)
	}
	_, err := t.q.Exec(t.ctx, `INSERT INTO records (kind, scope, id, body)
		SELECT * FROM unnest($1::TEXT[], $2::TEXT[], $3::BYTEA[], $4::BYTEA[])
		ON CONFLICT (kind, scope, id) DO UPDATE SET body = excluded.body`, kinds, scopes, ids, bodies)
	return err
}
