package sigv4

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"math/rand/v2"
	"testing"
)

// TestStreamedSigningStringsMatch: the canonical request and string to sign streamed into the
// hashes are byte for byte the strings canonicalRequest and stringToSign build.
func TestStreamedSigningStringsMatch(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	word := func() string {
		b := make([]byte, r.IntN(40))
		for i := range b {
			b[i] = byte(32 + r.IntN(95))
		}
		return string(b)
	}
	for range 500 {
		m, u, q, h, sh, ph := word(), word(), word(), word(), word(), word()
		var buf bytes.Buffer
		writeCanonicalRequest(&buf, m, u, q, h, sh, ph)
		cr := canonicalRequest(m, u, q, h, sh, ph)
		if buf.String() != cr {
			t.Fatalf("canonical request differs:\n%q\n%q", buf.String(), cr)
		}
		date, scope := word(), word()
		sum := sha256.Sum256([]byte(cr))
		buf.Reset()
		writeStringToSign(&buf, date, scope, []byte(hex.EncodeToString(sum[:])))
		if want := stringToSign(date, scope, cr); buf.String() != want {
			t.Fatalf("string to sign differs:\n%q\n%q", buf.String(), want)
		}
	}
}
