package core

import (
	"testing"

	"github.com/orgconfig/orgconfig/internal/awsproto"
)

// FuzzDecodeToken: any NextToken decodes to the cursor it was made from, or is refused with
// InvalidNextTokenException; never another error or a panic.
func FuzzDecodeToken(f *testing.F) {
	for _, s := range []string{"", EncodeToken("AWS::EC2::Instance\x00i-1"), "b2MxOg", "%%%", "b2MxOmE="} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, tok string) {
		c, err := DecodeToken(tok)
		if err != nil {
			if e := awsproto.AsError(err); e == nil || e.Code != "InvalidNextTokenException" {
				t.Fatalf("DecodeToken(%q) = %v, want InvalidNextTokenException", tok, err)
			}
			return
		}
		if EncodeToken(c) != tok {
			t.Fatalf("DecodeToken(%q) = %q, which encodes to %q", tok, c, EncodeToken(c))
		}
	})
}
