package query

import (
	"encoding/json"
	"math"
	"strconv"
	"time"
	"unicode/utf8"
)

// Index support. A store keeps, for every item, the (path, encoded value) pairs of Entries; a
// WHERE clause becomes index lookups through PlanWhere; the items found are candidates, which
// the store then checks with Match. The contract between the two halves: for every item whose
// Entries were all indexed (fewer than MaxEntries), if Match accepts the item then one of the
// plan's ranges contains one of its entries. Plans may be loose — candidates that do not match
// are fine — but never miss.
//
// Encoded values order like the values within a type: "s"+text for strings (byte order),
// "n"+16 hex digits for numbers (numeric order), "b0"/"b1" for booleans, and "d"+24 hex digits
// for strings that are ISO-8601 dates (chronological order). A string value that is a JSON
// number or a date is indexed under "s" and also under "n" or "d", because a number literal or
// a date literal compares with it as a number or a date (compare.go). Encodings are printable
// ASCII apart from the text of strings, and never hold a NUL that the value itself does not.

// Limits on what one item contributes to the index.
const (
	// MaxEntries caps the entries of one item. An item with more gets exactly MaxEntries from
	// Entries, which is then incomplete: the store must treat such an item as unindexed (a
	// candidate of every plan).
	MaxEntries = 1000
	// MaxValueLen caps an encoded value's length in bytes. Longer values are indexed by their
	// first MaxValueLen bytes or a little less (cut at a character boundary, never under
	// MaxValueLen-3), and PlanWhere widens its lower bounds and prefixes to match, so long values
	// stay findable at the cost of some extra candidates.
	MaxValueLen = 512
	// MaxPathLen caps a path's length in bytes. Values under longer paths are not indexed, and
	// PlanWhere scans for predicates on such paths.
	MaxPathLen = 512
)

// boundLen is the length lower bounds and prefixes are cut to: below the shortest cut value
// (MaxValueLen-3), so every value at or above a bound keeps a cut form at or above the cut bound.
const boundLen = MaxValueLen - 4

// Entry is one indexed (path, value) pair of an item.
type Entry struct{ Path, Value string }

// EncodeString encodes a string value.
func EncodeString(s string) string { return "s" + s }

// EncodeNumber encodes a number so that byte order is numeric order (-0 and 0 are equal).
func EncodeNumber(f float64) string {
	if f == 0 {
		f = 0
	}
	bits := math.Float64bits(f)
	if bits>>63 == 0 {
		bits |= 1 << 63
	} else {
		bits = ^bits
	}
	var b [17]byte
	b[0] = 'n'
	for i := 16; i >= 1; i-- {
		b[i] = hexDigits[bits&0xf]
		bits >>= 4
	}
	return string(b[:])
}

// EncodeBool encodes a boolean (false before true).
func EncodeBool(b bool) string {
	if b {
		return "b1"
	}
	return "b0"
}

// EncodeTime encodes an instant, as the index holds date strings.
func EncodeTime(t time.Time) string {
	return encodeInstant(instant{sec: t.Unix(), nsec: int32(t.Nanosecond())})
}

func encodeInstant(t instant) string {
	var b [25]byte
	b[0] = 'd'
	u := uint64(t.sec) ^ 1<<63
	for i := 16; i >= 1; i-- {
		b[i] = hexDigits[u&0xf]
		u >>= 4
	}
	n := uint32(t.nsec)
	for i := 24; i >= 17; i-- {
		b[i] = hexDigits[n&0xf]
		n >>= 4
	}
	return string(b[:])
}

// cutAt cuts s to at most n bytes at a character boundary, stepping back at most 3 bytes.
func cutAt(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > n-3 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}

// Entries returns every (path, value) pair a plan can look an item up by: each top-level
// scalar; each scalar leaf of configuration and supplementaryConfiguration under its dotted path
// (arrays flattened: configuration.ipPermissions.ipRanges); tags.key, tags.value and tags.tag
// ("key=value"); relationships.resourceId, .resourceName, .resourceType and .name. Pairs are
// distinct. Keys that no query can name (holding dots, spaces...) are skipped. See MaxEntries,
// MaxValueLen and MaxPathLen for the limits.
func Entries(d *Doc) []Entry {
	x := entries{seen: make(map[Entry]struct{}, 32)}
	for i, name := range topNames {
		if d.top[i] != "" {
			x.scalar(name, scalar{kind: 's', s: d.top[i]})
		}
	}
	for _, t := range d.tags {
		x.scalar("tags.key", scalar{kind: 's', s: t.key})
		x.scalar("tags.value", scalar{kind: 's', s: t.value})
		x.scalar("tags.tag", scalar{kind: 's', s: t.kv})
	}
	for i := range d.rels {
		for _, f := range []string{"resourceId", "resourceName", "resourceType", "name"} {
			if s := relField(&d.rels[i], f); s != "" {
				x.scalar("relationships."+f, scalar{kind: 's', s: s})
			}
		}
	}
	if c := d.configuration(); c != nil {
		x.walk("configuration", c)
	}
	for k, v := range d.supplementary() {
		if validSegment(k) {
			x.walk("supplementaryConfiguration."+k, v)
		}
	}
	return x.out
}

type entries struct {
	out  []Entry
	seen map[Entry]struct{}
}

func (x *entries) full() bool { return len(x.out) >= MaxEntries }

func (x *entries) add(path, value string) {
	if x.full() || len(path) > MaxPathLen {
		return
	}
	e := Entry{Path: path, Value: cutAt(value, MaxValueLen)}
	if _, dup := x.seen[e]; dup {
		return
	}
	x.seen[e] = struct{}{}
	x.out = append(x.out, e)
}

func (x *entries) scalar(path string, v scalar) {
	switch v.kind {
	case 'n':
		f, _ := strconv.ParseFloat(v.s, 64)
		x.add(path, EncodeNumber(f))
	case 'b':
		x.add(path, EncodeBool(v.b))
	default:
		x.add(path, EncodeString(v.s))
		if f, ok := jsonNumber(v.s); ok {
			x.add(path, EncodeNumber(f))
		}
		if t, ok := parseDate(v.s); ok {
			x.add(path, encodeInstant(t))
		}
	}
}

func (x *entries) walk(path string, v any) {
	if x.full() || len(path) > MaxPathLen {
		return
	}
	switch t := v.(type) {
	case map[string]any:
		for k, c := range t {
			if validSegment(k) {
				x.walk(path+"."+k, c)
			}
		}
	case []any:
		for _, c := range t {
			x.walk(path, c)
		}
	case string:
		x.scalar(path, scalar{kind: 's', s: t})
	case json.Number:
		x.scalar(path, scalar{kind: 'n', s: string(t)})
	case bool:
		x.scalar(path, scalar{kind: 'b', b: t})
	}
}

// Plan is how to find the candidates of a WHERE clause: every item (Scan), or the items with
// an entry in one of Ranges.
type Plan struct {
	Scan   bool
	Ranges []Range
	// Exact is set when the plan's candidates are exactly the items Match accepts: every item
	// whose Entries are complete and that has an entry in one of Ranges satisfies the clause,
	// so the candidates need no check (an index can answer alone). It holds for = and IN on
	// plain string literals (not numbers, booleans, dates nor IP addresses, and short enough
	// not to be cut) and for OR of such predicates; each of their ranges is then one exact
	// value (Lo == Hi, both inclusive). Items with incomplete entries must still be checked.
	Exact bool
}

// Range selects the entries of Path whose Value starts with Prefix when Prefix is set, else
// those between Lo and Hi (an empty Lo or Hi is unbounded on that side; with neither, every
// entry of Path).
type Range struct {
	Path, Prefix, Lo, Hi     string
	LoInclusive, HiInclusive bool
}

// Costs guess how many candidates a plan yields, to choose between the sides of an AND.
const (
	costEqual    = 10 // =, IN
	costPrefix   = 20 // LIKE 'abc%'
	costBounded  = 30 // BETWEEN
	costHalfOpen = 40 // <, >
	costPath     = 50 // every value of a path: !=, NOT forms, IP and CIDR tests
	// Top-level properties with few distinct values (resourceType, awsRegion...) rank after
	// configuration properties tested the same way.
	costCommon = 5
)

var commonPaths = map[string]bool{"resourceType": true, "awsRegion": true, "accountId": true,
	"configurationItemStatus": true, "availabilityZone": true, "recordingFrequency": true,
	"version": true}

type plan struct {
	scan   bool
	ranges []Range
	cost   int
	exact  bool // see Plan.Exact
}

// PlanWhere turns a WHERE clause into index lookups whose candidates are a superset of the
// items Match accepts. AND uses its most selective-looking side (equality and IN, then LIKE
// prefixes, then ranges, then whole paths); OR unites its sides, or scans when either side
// must; NOT scans (it matches items that lack the property, which no range finds), except
// NOT NOT. A predicate with no usable range — !=, the NOT forms, and IP/CIDR tests — looks up
// every value of its property, or scans when the property is a top-level one every item has.
func PlanWhere(c Cond) Plan {
	p := planCond(c)
	if p.scan {
		return Plan{Scan: true}
	}
	return Plan{Ranges: p.ranges, Exact: p.exact}
}

func planCond(c Cond) plan {
	switch c := c.(type) {
	case *And:
		// One side's candidates, which the other side must still check: never exact.
		l, r := planCond(c.L), planCond(c.R)
		l.exact, r.exact = false, false
		switch {
		case l.scan:
			return r
		case r.scan:
			return l
		case r.cost < l.cost || (r.cost == l.cost && len(r.ranges) < len(l.ranges)):
			return r
		}
		return l
	case *Or:
		l, r := planCond(c.L), planCond(c.R)
		if l.scan || r.scan {
			return plan{scan: true}
		}
		ranges := append(append([]Range(nil), l.ranges...), r.ranges...)
		return plan{ranges: ranges, cost: max(l.cost, r.cost), exact: l.exact && r.exact}
	case *Not:
		if inner, ok := c.C.(*Not); ok {
			return planCond(inner.C)
		}
		return plan{scan: true}
	case *Pred:
		return planPred(c)
	}
	return plan{scan: true}
}

// bound is a literal's encoded form in one class of values ('s', 'n', 'b', 'd').
type bound struct {
	class byte
	enc   string
}

// litBounds lists the classes of indexed values a literal compares with (compare.go) and its
// encoding in each.
func litBounds(l *litInfo) []bound {
	switch l.lit.Kind {
	case Number:
		return []bound{{'n', EncodeNumber(l.num)}}
	case Bool:
		text := "false"
		if l.bv {
			text = "true"
		}
		return []bound{{'b', EncodeBool(l.bv)}, {'s', EncodeString(text)}}
	}
	bs := []bound{{'s', EncodeString(l.lit.S)}}
	if l.isNum {
		bs = append(bs, bound{'n', EncodeNumber(l.num)})
	}
	if l.isBool {
		bs = append(bs, bound{'b', EncodeBool(l.bv)})
	}
	if l.isDate {
		bs = append(bs, bound{'d', encodeInstant(l.date)})
	}
	return bs
}

// plainString reports whether a literal of = or IN is a string that compares with values by
// bytes only, and whose index range therefore holds exactly the items it matches: the "s"
// entry of a value is the value's text, and only string values have one; a string value
// equals such a literal exactly when the texts are equal (compare.go: no number, boolean, date
// or IP semantics apply), and numbers and booleans are incomparable with it. The literal's
// encoding must be short enough to be no cut value's (cut values are at least MaxValueLen-3
// bytes long).
func plainString(l *litInfo) bool {
	return l.lit.Kind == String && !l.isNum && !l.isBool && !l.isDate && !l.isIP &&
		len(EncodeString(l.lit.S)) <= boundLen
}

// lower returns a lower bound usable against cut values: cut bounds become inclusive.
func lower(enc string, inclusive bool) (string, bool) {
	if len(enc) > boundLen {
		return cutAt(enc, boundLen), true
	}
	return enc, inclusive
}

func planPred(p *Pred) plan {
	if len(p.Path) > MaxPathLen || !validPath(p.Path) {
		return plan{scan: true}
	}
	pi := p.predInfo()
	if len(pi.lits) == 0 {
		return plan{cost: costEqual, exact: true} // matches nothing
	}
	common := 0
	if commonPaths[p.Path] {
		common = costCommon
	}
	wholePath := func() plan {
		if topIndex(p.Path) >= 0 {
			return plan{scan: true}
		}
		return plan{ranges: []Range{{Path: p.Path}}, cost: costPath + common}
	}
	if p.Negated || p.Op == "!=" {
		return wholePath()
	}
	for i := range pi.lits {
		if pi.lits[i].isIP && p.Op != "LIKE" {
			return wholePath()
		}
	}
	var out []Range
	switch p.Op {
	case "=", "IN":
		exact := true
		for i := range pi.lits {
			exact = exact && plainString(&pi.lits[i])
			for _, b := range litBounds(&pi.lits[i]) {
				lo, _ := lower(b.enc, true)
				out = append(out, Range{Path: p.Path, Lo: lo, Hi: b.enc, LoInclusive: true, HiInclusive: true})
			}
		}
		return plan{ranges: out, cost: costEqual + common, exact: exact}
	case "<", "<=":
		for _, b := range litBounds(&pi.lits[0]) {
			out = append(out, Range{Path: p.Path, Lo: string(b.class), LoInclusive: true, Hi: b.enc, HiInclusive: p.Op == "<="})
		}
		return plan{ranges: out, cost: costHalfOpen + common}
	case ">", ">=":
		for _, b := range litBounds(&pi.lits[0]) {
			lo, incl := lower(b.enc, p.Op == ">=")
			out = append(out, Range{Path: p.Path, Lo: lo, LoInclusive: incl, Hi: string(b.class + 1)})
		}
		return plan{ranges: out, cost: costHalfOpen + common}
	case "BETWEEN":
		if len(pi.lits) != 2 {
			return plan{cost: costEqual}
		}
		// Per class: the bounds the literals have in it, the class's ends for those they lack
		// (a value may meet one bound in this class and the other in another).
		los, his := litBounds(&pi.lits[0]), litBounds(&pi.lits[1])
		cost := costBounded
		for _, class := range []byte{'b', 'd', 'n', 's'} {
			r := Range{Path: p.Path, Lo: string(class), LoInclusive: true, Hi: string(class + 1)}
			have := 0
			for _, b := range los {
				if b.class == class {
					r.Lo, r.LoInclusive = lower(b.enc, true)
					have++
				}
			}
			for _, b := range his {
				if b.class == class {
					r.Hi, r.HiInclusive = b.enc, true
					have++
				}
			}
			switch have {
			case 0:
				continue
			case 1:
				cost = costHalfOpen
			}
			out = append(out, r)
		}
		return plan{ranges: out, cost: cost + common}
	case "LIKE":
		if pi.like.literal {
			enc := EncodeString(pi.like.prefix)
			lo, _ := lower(enc, true)
			return plan{ranges: []Range{{Path: p.Path, Lo: lo, Hi: enc, LoInclusive: true, HiInclusive: true}}, cost: costEqual + common}
		}
		return plan{ranges: []Range{{Path: p.Path, Prefix: cutAt(EncodeString(pi.like.prefix), boundLen)}}, cost: costPrefix + common}
	}
	return plan{scan: true}
}
