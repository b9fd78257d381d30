package iam

import (
	"strings"
	"testing"
)

// FuzzParsePolicyARN: parsePolicyARN never panics, and whatever it accepts is the ARN IAM
// builds from the parts (arn:aws:iam::<account>:policy<path><name>), with a path that starts
// and ends with "/" and a name without "/".
//
//	go test -run '^$' -fuzz FuzzParsePolicyARN -fuzztime 30s ./internal/iam/
func FuzzParsePolicyARN(f *testing.F) {
	for _, s := range []string{
		"arn:aws:iam::aws:policy/ReadOnlyAccess",
		"arn:aws:iam::aws:policy/service-role/AWSConfigRole",
		"arn:aws:iam::aws:policy/aws-service-role/AWSConfigServiceRolePolicy",
		"arn:aws:iam::123456789012:policy/mine",
		"arn:aws:iam::123456789012:policy/a/b/c",
		"arn:aws:iam::123456789012:policy/",
		"arn:aws:iam::123456789012:role/a",
		"arn:aws:iam::123456789012",
		"",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		account, path, name, ok := parsePolicyARN(s)
		if !ok {
			if account != "" || path != "" || name != "" {
				t.Fatalf("parsePolicyARN(%q) refused it but returned %q %q %q", s, account, path, name)
			}
			return
		}
		if got := "arn:aws:iam::" + account + ":policy" + path + name; got != s {
			t.Fatalf("parsePolicyARN(%q) = %q %q %q, which rebuild %q", s, account, path, name, got)
		}
		if strings.Contains(account, ":") || !strings.HasPrefix(path, "/") || !strings.HasSuffix(path, "/") ||
			name == "" || strings.Contains(name, "/") {
			t.Fatalf("parsePolicyARN(%q) = %q %q %q", s, account, path, name)
		}
	})
}
