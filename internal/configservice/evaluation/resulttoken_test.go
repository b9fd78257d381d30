package evaluation

import (
	"testing"
	"time"
)

// FuzzVerifyToken: a ResultToken is accepted only when it carries the server's HMAC over a
// token that has not expired; anything else is refused without a panic.
func FuzzVerifyToken(f *testing.F) {
	key := []byte("0123456789abcdef0123456789abcdef")
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	good := signToken(key, resultToken{Account: "111111111111", Region: "us-east-1", RuleID: "config-rule-abc", Rule: "r",
		ResourceType: "AWS::EC2::Instance", ResourceID: "i-1", Invoked: now.UnixMilli(), Expires: now.Add(time.Hour).UnixMilli()})
	for _, s := range []string{"", good, good + "x", "a.b", ".", "e30.", "e30.AAAA"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, tok string) {
		got, ok := verifyToken(key, tok, now)
		if !ok {
			return
		}
		if got.Expires < now.UnixMilli() {
			t.Fatalf("verifyToken(%q) accepted an expired token", tok)
		}
		if again, ok := verifyToken([]byte("another key, 32 bytes long......"), tok, now); ok {
			t.Fatalf("verifyToken(%q) accepted under another key: %+v", tok, again)
		}
	})
}

func TestVerifyToken(t *testing.T) {
	key := []byte("0123456789abcdef0123456789abcdef")
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tok := signToken(key, resultToken{Account: "111111111111", Rule: "r", Expires: now.Add(time.Minute).UnixMilli()})
	if got, ok := verifyToken(key, tok, now); !ok || got.Account != "111111111111" || got.Rule != "r" {
		t.Fatalf("verifyToken(signToken(...)) = %+v, %v", got, ok)
	}
	if _, ok := verifyToken(key, tok, now.Add(2*time.Minute)); ok {
		t.Fatal("an expired token was accepted")
	}
	if _, ok := verifyToken([]byte("another key, 32 bytes long......"), tok, now); ok {
		t.Fatal("a token signed under another key was accepted")
	}
}
