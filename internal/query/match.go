package query

// Match reports whether d satisfies c; a nil condition matches every row.
//
// A predicate is existential over the values of its property: arrays are flattened, and the
// predicate holds when some scalar value passes its test (compare.go, ip.go), independently of
// the other predicates — a.list.x = 'A' AND a.list.y = 'B' may be satisfied by two different
// elements, as AWS documents. The negative forms (!=, NOT IN, NOT BETWEEN, NOT LIKE) are tests
// of one value too: x != 'a' holds when some value of x is not 'a'. A property the item lacks
// has no values, so no predicate on it holds, negative or not: unknown properties never match.
//
// NOT, AND and OR use two-valued logic over those results: NOT x = 'a' holds when no value of x
// is 'a', including when the item has no x at all. SQL's three-valued logic would make that
// NOT unknown and drop the row. AWS does not document which it does; we chose two-valued logic
// because the common idiom for "resources without a tag" (NOT tags.key = 'Name') and AWS's
// exact-CIDR examples (NOT ipRanges > '10.0.0.255') read as "no value satisfies", and because
// a search index over flattened arrays, which AWS's existential semantics suggest, behaves so.
// The difference is visible: x != 'a' needs some x, NOT x = 'a' does not.
func Match(c Cond, d *Doc) bool {
	switch c := c.(type) {
	case nil:
		return true
	case *And:
		return Match(c.L, d) && Match(c.R, d)
	case *Or:
		return Match(c.L, d) || Match(c.R, d)
	case *Not:
		return !Match(c.C, d)
	case *Pred:
		return matchPred(c, d)
	}
	return false
}

func matchPred(p *Pred, d *Doc) bool {
	pi := p.predInfo()
	if len(pi.lits) == 0 {
		return false
	}
	return d.eachScalar(p.Path, func(v scalar) bool {
		return positive(p.Op, pi, v) != p.Negated
	})
}

// positive evaluates the predicate's operator on one value, ignoring Negated.
func positive(op string, pi *predInfo, v scalar) bool {
	l := &pi.lits[0]
	switch op {
	case "=":
		return equal(v, l)
	case "!=":
		return !equal(v, l)
	case "IN":
		for i := range pi.lits {
			if equal(v, &pi.lits[i]) {
				return true
			}
		}
		return false
	case "<", "<=", ">", ">=":
		if vr, ip, ok := ipOf(v, l); ip {
			return ok && ipOrder(op, vr, l.ip)
		}
		c, ok := compare(v, l)
		if !ok {
			return false
		}
		switch op {
		case "<":
			return c < 0
		case "<=":
			return c <= 0
		case ">":
			return c > 0
		}
		return c >= 0
	case "BETWEEN":
		if len(pi.lits) != 2 {
			return false
		}
		hi := &pi.lits[1]
		if vr, ip, ok := ipOf(v, l); ip && hi.isIP {
			return ok && sameFamily(vr, hi.ip) && ipBetween(vr, l.ip, hi.ip)
		}
		c, ok := compare(v, l)
		if !ok || c < 0 {
			return false
		}
		c, ok = compare(v, hi)
		return ok && c <= 0
	case "LIKE":
		return v.kind == 's' && pi.like.match(v.s)
	}
	return false
}

func equal(v scalar, l *litInfo) bool {
	if vr, ip, ok := ipOf(v, l); ip {
		return ok && ipEqual(vr, l.ip)
	}
	c, ok := compare(v, l)
	return ok && c == 0
}

// ipOf tells whether IP semantics apply (the literal and the value are both addresses or
// blocks) and, if so, whether they are comparable (of the same family); an IPv6 value and an
// IPv4 literal satisfy no positive test.
func ipOf(v scalar, l *litInfo) (r ipRange, ip, comparable bool) {
	if !l.isIP || v.kind != 's' {
		return ipRange{}, false, false
	}
	r, ok := parseIPRange(v.s)
	if !ok {
		return ipRange{}, false, false
	}
	return r, true, sameFamily(r, l.ip)
}
