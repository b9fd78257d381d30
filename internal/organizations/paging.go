package organizations

import (
	"github.com/orgconfig/orgconfig/internal/pagetoken"
	"github.com/orgconfig/orgconfig/internal/store"
)

// Pagination. A NextToken is opaque to clients: it encodes (package pagetoken) the key of the
// last item returned, so every token of a listing is different from the one before it
// (botocore aborts on a repeated token) and a listing ends when the last page omits it. Items
// added or removed between pages do not make a listing repeat or skip the items that stay.

// defaultPageSize is the page size when MaxResults is not given (the model bounds it to 1–20).
const defaultPageSize = 20

func pageSize(max *int32) int {
	if max == nil || *max <= 0 {
		return defaultPageSize
	}
	return int(*max)
}

// decodeToken returns the key a token resumes after ("" for no token), or
// InvalidInputException (INVALID_NEXT_TOKEN) for a token pagetoken.Encode did not produce.
func decodeToken(tok string) (string, error) {
	after, ok := pagetoken.Decode(tok)
	if !ok {
		return "", invalid("INVALID_NEXT_TOKEN", "The provided token is invalid.")
	}
	return after, nil
}

// pageRecords lists up to size records of (kind, scope) under prefix after the token's key,
// keeping those keep accepts (nil keeps all). next is "" on the last page.
func pageRecords(tx store.Tx, kind, scope, prefix, token string, size int, keep func(store.Record) (bool, error)) (out []store.Record, next string, err error) {
	after, err := decodeToken(token)
	if err != nil {
		return nil, "", err
	}
	batch := size + 1
	for {
		recs, err := tx.ListPrefix(kind, scope, prefix, after, batch)
		if err != nil {
			return nil, "", err
		}
		for _, r := range recs {
			if len(out) == size {
				// More records follow: resume after the last one returned.
				return out, pagetoken.Encode(out[len(out)-1].ID), nil
			}
			ok := true
			if keep != nil {
				if ok, err = keep(r); err != nil {
					return nil, "", err
				}
			}
			if ok {
				out = append(out, r)
			}
			after = r.ID
		}
		if len(recs) < batch {
			return out, "", nil
		}
	}
}

// pageSlice pages over items already sorted by key.
func pageSlice[T any](items []T, key func(T) string, token string, size int) (out []T, next string, err error) {
	after, err := decodeToken(token)
	if err != nil {
		return nil, "", err
	}
	for _, it := range items {
		k := key(it)
		if after != "" && k <= after {
			continue
		}
		if len(out) == size {
			return out, pagetoken.Encode(key(out[len(out)-1])), nil
		}
		out = append(out, it)
	}
	return out, "", nil
}
