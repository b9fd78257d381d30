package query

import (
	"net/netip"
	"testing"
)

// FuzzParseIPRange: parseIPRange never panics; whatever it accepts is a non-empty range of one
// family (lo <= hi), a single address unless it is a block, and a block holds the address its
// text names.
//
//	go test -run '^$' -fuzz FuzzParseIPRange -fuzztime 30s ./internal/query/
func FuzzParseIPRange(f *testing.F) {
	for _, s := range []string{
		"10.0.0.1", "10.0.1.0/24", "10.0.0.5/24", "10.0.0.0/8", "0.0.0.0/0", "192.168.0.1/32",
		"::1", "2001:db8::/32", "2001:db8::1/128", "::/0", "::ffff:10.0.0.1", "::ffff:10.0.0.0/104",
		"fe80::1%eth0", "10.0.0.256", "10.0.0.0/33", "a.b", "abc", ":", "1.", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, ok := parseIPRange(s)
		if !ok {
			return
		}
		if !r.lo.IsValid() || !r.hi.IsValid() || r.lo.Is4() != r.hi.Is4() || r.lo.Compare(r.hi) > 0 {
			t.Fatalf("parseIPRange(%q) = [%v, %v]", s, r.lo, r.hi)
		}
		if !r.block {
			if r.lo != r.hi {
				t.Fatalf("address %q is the range [%v, %v]", s, r.lo, r.hi)
			}
			return
		}
		p, err := netip.ParsePrefix(s)
		if err != nil {
			t.Fatalf("block %q does not parse as a prefix: %v", s, err)
		}
		if a := p.Addr(); a.Compare(r.lo) < 0 || a.Compare(r.hi) > 0 {
			t.Fatalf("block %q = [%v, %v] does not hold %v", s, r.lo, r.hi, a)
		}
	})
}
