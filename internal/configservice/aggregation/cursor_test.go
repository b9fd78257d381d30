package aggregation

import (
	"testing"

	"github.com/orgconfig/orgconfig/internal/awsproto"
	"github.com/orgconfig/orgconfig/internal/configservice/core"
)

// FuzzParseAggregateCursor: a NextToken of an aggregate list parses back to the source and
// position it was made from, or is refused with InvalidNextTokenException.
func FuzzParseAggregateCursor(f *testing.F) {
	f.Add("")
	f.Add(core.EncodeToken(aggregateCursor(Source{Account: "111111111111", Region: "us-east-1"}, "AWS::EC2::Instance\x00i-1")))
	f.Add(core.EncodeToken("no separators"))
	f.Add("not a token")
	f.Fuzz(func(t *testing.T, tok string) {
		src, pos, err := parseAggregateCursor(tok)
		if err != nil {
			if e := awsproto.AsError(err); e == nil || e.Code != "InvalidNextTokenException" {
				t.Fatalf("parseAggregateCursor(%q) = %v, want InvalidNextTokenException", tok, err)
			}
			return
		}
		if tok == "" {
			if src != (Source{}) || pos != "" {
				t.Fatalf("no token parsed as %v %q", src, pos)
			}
			return
		}
		if again := core.EncodeToken(aggregateCursor(src, pos)); again != tok {
			t.Fatalf("parseAggregateCursor(%q) = %v %q, which encodes to %q", tok, src, pos, again)
		}
	})
}
