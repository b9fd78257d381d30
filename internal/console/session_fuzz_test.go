package console

import "testing"

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
