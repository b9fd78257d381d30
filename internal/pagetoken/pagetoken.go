package pagetoken

import (
	"encoding/base64"
	"strings"
)

// prefix versions the token format, so a later format can tell its tokens from these.
const prefix = "oc1:"

// Encode returns the token resuming after cursor; an empty cursor (the last page) has no token.
func Encode(cursor string) string {
	if cursor == "" {
		return ""
	}
	return base64.RawURLEncoding.EncodeToString([]byte(prefix + cursor))
}

// Decode returns the cursor of tok ("" for no token). ok is false when tok is not a token that
// Encode produced.
func Decode(tok string) (cursor string, ok bool) {
	if tok == "" {
		return "", true
	}
	b, err := base64.RawURLEncoding.Strict().DecodeString(tok)
	if err != nil || len(b) == len(prefix) || !strings.HasPrefix(string(b), prefix) {
		return "", false
	}
	cursor = string(b[len(prefix):])
	// The decoder skips line breaks: only the one spelling Encode gives is a token.
	if Encode(cursor) != tok {
		return "", false
	}
	return cursor, true
}
