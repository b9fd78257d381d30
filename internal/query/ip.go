package query

import (
	"net/netip"
	"strings"
)

// IP and CIDR semantics. AWS's schema types some properties as ip or cidr_block and documents
// that "CIDR notation is converted to IP ranges for search", so that = and BETWEEN "search for
// any range that includes the provided IP", and that an exact block needs extra NOT < / NOT >
// conditions. We have no schema at hand, so a value is an address range when its text parses as
// an IPv4/IPv6 address (a one-address range) or CIDR block, and these rules apply when the
// literal parses as one too:
//
//   - value = lit: a block value contains the whole literal range; an address value lies in the
//     literal range (so privateIpAddress = '10.0.0.0/8' finds addresses in the block).
//   - value BETWEEN lo AND hi: a block value contains [lo, hi]; an address value lies in it.
//   - value < lit, <=, >, >=: some address of the value compares so with some address of the
//     literal (value.lo < lit.hi, value.lo <= lit.hi, value.hi > lit.lo, value.hi >= lit.lo).
//     For an address literal that is the documented "compare range bounds", and it makes AWS's
//     exact-block examples exact.
//   - != and the NOT forms negate the above per value; IN is any of its = tests.
//
// An IPv4 value and an IPv6 literal (or the reverse) are incomparable: no positive test holds.
// Anything else (one side not an address, a BETWEEN with one bound that is not, LIKE) compares
// the text.

type ipRange struct {
	lo, hi netip.Addr
	block  bool
}

// parseIPRange parses an address or CIDR block. A block with host bits set ("10.0.0.5/24")
// stands for its whole network, as AWS canonicalizes it.
func parseIPRange(s string) (ipRange, bool) {
	if len(s) < 2 || len(s) > 50 || !maybeIP(s) {
		return ipRange{}, false
	}
	if strings.IndexByte(s, '/') >= 0 {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return ipRange{}, false
		}
		p = p.Masked()
		return ipRange{lo: p.Addr(), hi: lastAddr(p), block: true}, true
	}
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return ipRange{}, false
	}
	a = a.Unmap()
	return ipRange{lo: a, hi: a}, true
}

// maybeIP is a cheap filter run before the parser on every string a predicate meets.
func maybeIP(s string) bool {
	c := s[0]
	if !(isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':') {
		return false
	}
	return strings.IndexByte(s, '.') >= 0 || strings.IndexByte(s, ':') >= 0
}

func lastAddr(p netip.Prefix) netip.Addr {
	a := p.Addr()
	bits := p.Bits()
	if a.Is4() {
		b := a.As4()
		for i := bits; i < 32; i++ {
			b[i/8] |= 1 << (7 - i%8)
		}
		return netip.AddrFrom4(b)
	}
	b := a.As16()
	for i := bits; i < 128; i++ {
		b[i/8] |= 1 << (7 - i%8)
	}
	return netip.AddrFrom16(b)
}

func sameFamily(a, b ipRange) bool { return a.lo.Is4() == b.lo.Is4() }

// ipEqual is value = lit.
func ipEqual(v, l ipRange) bool {
	if v.block {
		return v.lo.Compare(l.lo) <= 0 && l.hi.Compare(v.hi) <= 0
	}
	return l.lo.Compare(v.lo) <= 0 && v.lo.Compare(l.hi) <= 0
}

// ipBetween is value BETWEEN lo AND hi.
func ipBetween(v, lo, hi ipRange) bool {
	if v.block {
		return v.lo.Compare(lo.lo) <= 0 && hi.hi.Compare(v.hi) <= 0
	}
	return lo.lo.Compare(v.lo) <= 0 && v.lo.Compare(hi.hi) <= 0
}

// ipOrder is value op lit for the four ordering operators.
func ipOrder(op string, v, l ipRange) bool {
	switch op {
	case "<":
		return v.lo.Compare(l.hi) < 0
	case "<=":
		return v.lo.Compare(l.hi) <= 0
	case ">":
		return v.hi.Compare(l.lo) > 0
	default: // ">="
		return v.hi.Compare(l.lo) >= 0
	}
}
