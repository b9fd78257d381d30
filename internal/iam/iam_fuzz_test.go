package iam

import (
	"net/url"
	"testing"
)

// FuzzPolicyParsers feeds arbitrary text to the policy document check, the role ARN parser and
// the document encoder: none may panic, parsed ARNs must round-trip, encoded documents must
// decode to the original.
func FuzzPolicyParsers(f *testing.F) {
	f.Add(trust)
	f.Add("arn:aws:iam::123456789012:role/a/b")
	f.Add(`{"Statement":{"Effect":"Allow"}}`)
	f.Fuzz(func(t *testing.T, s string) {
		_ = checkPolicyDocument(s)
		if acc, path, name, ok := parseRoleARN(s); ok && roleARN(acc, path, name) != s {
			t.Fatalf("round trip %q", s)
		}
		if got, err := url.QueryUnescape(encodeDoc(s)); err != nil || got != s {
			t.Fatalf("encode round trip %q", s)
		}
	})
}
