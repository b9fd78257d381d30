package sigv4

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// TestPlainHeaderValue checks the fast path of canonicalHeaders: a value plainHeaderValue
// accepts is unchanged by both canonicalizations.
func TestPlainHeaderValue(t *testing.T) {
	alphabet := []string{"a", "Z", "0", " ", "  ", "\t", "\n", "\r", "\v", "\f", ",", ";", "\u00a0", "\u0085", "é", "\xff"}
	r := rand.New(rand.NewPCG(1, 2))
	for range 200000 {
		var b strings.Builder
		for range r.IntN(8) {
			b.WriteString(alphabet[r.IntN(len(alphabet))])
		}
		v := b.String()
		if plainHeaderValue(v) && (trimHeaderValue(v) != v || foldHeaderValue(v) != v) {
			t.Fatalf("plainHeaderValue(%q) but trim=%q fold=%q", v, trimHeaderValue(v), foldHeaderValue(v))
		}
	}
	for _, v := range []string{"", "a", "a b", "application/x-amz-json-1.1", "20261124T153000Z"} {
		if !plainHeaderValue(v) {
			t.Errorf("plainHeaderValue(%q) = false", v)
		}
	}
}

// TestSplitAuthorizationTokens compares splitAuthorization with the strings.FieldsFunc
// tokenization it replaced, on random headers.
func TestSplitAuthorizationTokens(t *testing.T) {
	parts := []string{Algorithm, "Credential=AKID/20260101/us-east-1/sts/aws4_request", "SignedHeaders=host;x-amz-date",
		"Signature=abc", "Foo=bar", "noequal", ",", " ", "\t", ", ", "Credential=x", "\u00a0", "\xff", "é"}
	r := rand.New(rand.NewPCG(3, 4))
	for range 100000 {
		var b strings.Builder
		for range r.IntN(7) {
			b.WriteString(parts[r.IntN(len(parts))])
		}
		h := b.String()
		got, gerr := splitAuthorization(h)
		want, werr := splitAuthorizationFields(h)
		if (gerr == nil) != (werr == nil) || gerr != nil && gerr.Message != werr.Message ||
			got.credential != want.credential || got.signedHeaders != want.signedHeaders ||
			got.signature != want.signature || strings.Join(got.missing, "|") != strings.Join(want.missing, "|") {
			t.Fatalf("splitAuthorization(%q) = %+v, %v; want %+v, %v", h, got, gerr, want, werr)
		}
	}
}

// splitAuthorizationFields is the previous implementation, kept as the reference.
func splitAuthorizationFields(header string) (authzFields, *Error) {
	var f authzFields
	tokens := strings.FieldsFunc(header, isAuthzSep)
	if len(tokens) == 0 {
		return f, newError(KindMissing, MsgMissing)
	}
	if tokens[0] != Algorithm {
		return f, incomplete("The authorization mechanism you have provided is not supported. Please use " + Algorithm + ".")
	}
	var seenCred, seenSH, seenSig bool
	for _, tok := range tokens[1:] {
		k, v, ok := strings.Cut(tok, "=")
		if !ok {
			return f, incomplete("'" + tok + "' not a valid key=value pair (missing equal-sign) in Authorization header: '" + header + "'.")
		}
		var seen *bool
		switch k {
		case "Credential":
			seen, f.credential = &seenCred, v
		case "SignedHeaders":
			seen, f.signedHeaders = &seenSH, v
		case "Signature":
			seen, f.signature = &seenSig, v
		default:
			continue
		}
		if *seen {
			return f, incomplete("Authorization header has a repeated '" + k + "' parameter. Authorization=" + header)
		}
		*seen = true
	}
	if f.credential == "" {
		f.missing = append(f.missing, "Authorization header requires 'Credential' parameter.")
	}
	if f.signature == "" {
		f.missing = append(f.missing, "Authorization header requires 'Signature' parameter.")
	}
	if f.signedHeaders == "" {
		f.missing = append(f.missing, "Authorization header requires 'SignedHeaders' parameter.")
	}
	return f, nil
}
