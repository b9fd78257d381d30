package core

import (
	"github.com/orgconfig/orgconfig/internal/api/configapi"
	"github.com/orgconfig/orgconfig/internal/pagetoken"
)

// EncodeToken is the NextToken resuming after cursor ("" on the last page).
func EncodeToken(cursor string) string { return pagetoken.Encode(cursor) }

// DecodeToken returns the cursor a NextToken resumes after ("" for none), or
// InvalidNextTokenException.
func DecodeToken(tok string) (string, error) {
	cursor, ok := pagetoken.Decode(tok)
	if !ok {
		return "", configapi.ErrInvalidNextToken("The nextToken provided is invalid")
	}
	return cursor, nil
}

// LimitOr is the page size a request asks for with l, or def when it gives none.
func LimitOr(l *int32, def int) int {
	if l == nil || *l <= 0 {
		return def
	}
	return int(*l)
}
