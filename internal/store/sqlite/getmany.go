package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/orgconfig/orgconfig/internal/store"
)

// maxGetManyStatement is the largest GetMany answered by one UNION ALL statement (SQLite
// bounds the terms of a compound SELECT, 500 by default); larger ones run in a Read.
const maxGetManyStatement = 128

// getManyQuery is the single statement that reads n records: a UNION ALL of point lookups on
// the primary key, each row tagged with the index of its key. In autocommit mode the
// statement is its own read transaction, so every row comes from one snapshot.
func getManyQuery(n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteString(" UNION ALL ")
		}
		fmt.Fprintf(&b, "SELECT %d, body FROM records WHERE kind = ? AND scope = ? AND id = ?", i)
	}
	return b.String()
}

func (s *Store) getManyStmt(ctx context.Context, n int) (*sql.Stmt, error) {
	if v, ok := s.many.Load(n); ok {
		return v.(*sql.Stmt), nil
	}
	st, err := s.rdb.PrepareContext(ctx, getManyQuery(n))
	if err != nil {
		return nil, err
	}
	if v, ok := s.many.LoadOrStore(n, st); ok {
		st.Close()
		return v.(*sql.Stmt), nil
	}
	return st, nil
}

// GetMany reads the records in one statement on the read pool, without BEGIN and ROLLBACK: a
// single SELECT sees one snapshot (WAL mode), which includes every committed Write.
func (s *Store) GetMany(ctx context.Context, keys []store.Key) ([][]byte, error) {
	if !s.enter() {
		return nil, ErrClosed
	}
	defer s.busy.Done()
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
	st, err := s.getManyStmt(ctx, len(keys))
	if err != nil {
		return nil, wrapErr(err)
	}
	var argv [3 * 8]any
	args := argv[:0]
	for _, k := range keys {
		args = append(args, k.Kind, k.Scope, k.ID)
	}
	rows, err := st.QueryContext(ctx, args...)
	if err != nil {
		return nil, wrapErr(err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			i    int
			body []byte
		)
		if err := rows.Scan(&i, &body); err != nil {
			return nil, err
		}
		if i < 0 || i >= len(out) {
			return nil, fmt.Errorf("sqlite store: GetMany: row index %d out of range", i)
		}
		out[i] = nonNil(body)
	}
	if err := rows.Err(); err != nil {
		return nil, wrapErr(err)
	}
	return out, nil
}

// manyQueries caches the text of the statements of GetMany and PutMany by size.
var manyQueries sync.Map // string (op + size) -> string

func cachedQuery(op string, n int, build func(int) string) string {
	key := op + strconv.Itoa(n)
	if v, ok := manyQueries.Load(key); ok {
		return v.(string)
	}
	q := build(n)
	manyQueries.Store(key, q)
	return q
}

// maxPutManyStatement is the most rows one INSERT of PutMany carries (4 parameters each).
const maxPutManyStatement = 64

func putManyQuery(n int) string {
	var b strings.Builder
	b.WriteString("INSERT INTO records (kind, scope, id, body) VALUES ")
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(?, ?, ?, ?)")
	}
	b.WriteString(" ON CONFLICT (kind, scope, id) DO UPDATE SET body = excluded.body")
	return b.String()
}

// GetMany reads the records with one UNION ALL statement per 128 keys, inside the transaction.
func (t *tx) GetMany(keys []store.Key) ([][]byte, error) {
	out := make([][]byte, len(keys))
	for start := 0; start < len(keys); start += maxGetManyStatement {
		chunk := keys[start:min(start+maxGetManyStatement, len(keys))]
		args := make([]any, 0, 3*len(chunk))
		for _, k := range chunk {
			args = append(args, k.Kind, k.Scope, k.ID)
		}
		rows, err := t.query(cachedQuery("get", len(chunk), getManyQuery), args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var (
				i    int
				body []byte
			)
			if err := rows.Scan(&i, &body); err != nil {
				rows.Close()
				return nil, err
			}
			if i < 0 || i >= len(chunk) {
				rows.Close()
				return nil, fmt.Errorf("sqlite store: GetMany: row index %d out of range", i)
			}
			out[start+i] = nonNil(body)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, wrapErr(err)
		}
	}
	return out, nil
}

// PutMany upserts the records with one multi-row INSERT per 64 records.
func (t *tx) PutMany(recs []store.Record) error {
	if err := t.writable(); err != nil {
		return err
	}
	recs = store.DedupeLast(recs)
	for start := 0; start < len(recs); start += maxPutManyStatement {
		chunk := recs[start:min(start+maxPutManyStatement, len(recs))]
		args := make([]any, 0, 4*len(chunk))
		for _, r := range chunk {
			args = append(args, r.Kind, r.Scope, r.ID, nonNil(r.Body))
		}
		if _, err := t.exec(cachedQuery("put", len(chunk), putManyQuery), args...); err != nil {
			return err
		}
	}
	return nil
}
