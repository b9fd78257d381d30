package core

import (
	"encoding/json"
	"fmt"

	"github.com/orgconfig/orgconfig/internal/store"
)

// GetRecTx decodes the JSON record (kind, scope, id) into a new T, or returns nil when there is
// none.
func GetRecTx[T any](tx store.Tx, kind, scope, id string) (*T, error) {
	b, err := store.GetOptional(tx, kind, scope, id)
	if err != nil || b == nil {
		return nil, err
	}
	v := new(T)
	if err := json.Unmarshal(b, v); err != nil {
		return nil, fmt.Errorf("configservice: decode %s %s/%s: %w", kind, scope, id, err)
	}
	return v, nil
}

// PutRecTx stores v as the JSON record (kind, scope, id).
func PutRecTx(tx store.Tx, kind, scope, id string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return tx.Put(kind, scope, id, b)
}

// SelectRecsTx decodes the records of (kind, scope) named (in the order given; a missing one is
// notFound's error), or every record of (kind, scope) in id order when names is empty.
func SelectRecsTx[T any](tx store.Tx, kind, scope string, names []string, notFound func(string) error) ([]*T, error) {
	var out []*T
	if len(names) == 0 {
		recs, err := tx.List(kind, scope, "", 0)
		if err != nil {
			return nil, err
		}
		for _, r := range recs {
			v := new(T)
			if err := json.Unmarshal(r.Body, v); err != nil {
				return nil, fmt.Errorf("configservice: decode %s %s/%s: %w", kind, scope, r.ID, err)
			}
			out = append(out, v)
		}
		return out, nil
	}
	for _, n := range names {
		v, err := GetRecTx[T](tx, kind, scope, n)
		if err != nil {
			return nil, err
		}
		if v == nil {
			return nil, notFound(n)
		}
		out = append(out, v)
	}
	return out, nil
}
