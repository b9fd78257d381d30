package pagetoken

import "testing"

func TestRoundTrip(t *testing.T) {
	for _, c := range []string{"a", "acct/123456789012", "ü\x00/", "oc1:"} {
		tok := Encode(c)
		got, ok := Decode(tok)
		if !ok || got != c {
			t.Errorf("Decode(Encode(%q)) = %q, %v", c, got, ok)
		}
	}
	if Encode("") != "" {
		t.Error(`Encode("") is not empty`)
	}
	if c, ok := Decode(""); !ok || c != "" {
		t.Error(`Decode("") is not the first page`)
	}
	for _, bad := range []string{"!", "b2Mx", "b2MxOg", "djE6eA", "====", Encode("x") + "="} {
		if _, ok := Decode(bad); ok {
			t.Errorf("Decode(%q) accepted", bad)
		}
	}
}

// FuzzDecode: any string decodes or is refused without a panic, and whatever decodes encodes
// back to the same token.
func FuzzDecode(f *testing.F) {
	f.Add("")
	f.Add(Encode("acct/1"))
	f.Add("b2MxOg")
	f.Fuzz(func(t *testing.T, tok string) {
		c, ok := Decode(tok)
		if !ok || tok == "" {
			return
		}
		if again := Encode(c); again != tok {
			t.Fatalf("Decode(%q) = %q, which encodes to %q", tok, c, again)
		}
	})
}
