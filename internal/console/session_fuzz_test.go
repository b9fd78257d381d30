package console

import (
	"strings"
	"testing"
)

// FuzzOpenCookie: a cookie value from a browser never panics the console and is never accepted
// unless this installation sealed it.
func FuzzOpenCookie(f *testing.F) {
	s, err := newSealer([]byte("0123456789abcdef0123456789abcdef"))
	if err != nil {
		f.Fatal(err)
	}
	good, err := s.seal(sessionCookie, &session{AccessKeyID: "AKIA", Secret: "s", Expires: 1, ID: "x"})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good)
	f.Add("")
	f.Add("AAAA")
	f.Add(good[:len(good)-1] + "A")
	f.Fuzz(func(t *testing.T, v string) {
		var out session
		err := s.open(sessionCookie, v, &out)
		// Fuzz workers seal their own seed (another nonce, same key and session); anything
		// else that opens is a forgery.
		if err == nil && (out.AccessKeyID != "AKIA" || out.Secret != "s" || out.ID != "x") {
			t.Fatalf("accepted a cookie it did not seal: %q", v)
		}
	})
}

// FuzzTabulate: any answer of the query operations becomes a table without panicking, with one
// cell per column in every row.
func FuzzTabulate(f *testing.F) {
	f.Add("resourceId,configuration.instanceType", `{"resourceId":"i-1","configuration":{"instanceType":"t3.micro"}}`)
	f.Add("*", `{"resourceId":"i-1","tags":[{"key":"a","value":"b"}]}`)
	f.Add("COUNT(*)", `{"COUNT(*)":3}`)
	f.Add("a.b.c", `not json`)
	f.Fuzz(func(t *testing.T, fields, doc string) {
		var fs []string
		if fields != "" {
			fs = strings.Split(fields, ",")
		}
		cols, rows := tabulate(fs, []string{doc, doc})
		for _, r := range rows {
			if len(r) != len(cols) {
				t.Fatalf("row of %d cells for %d columns", len(r), len(cols))
			}
		}
	})
}
