package query

import (
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Comparison of one value of a configuration item with one literal.
//
// AWS types every property through its resource schema (string, integer, float, boolean, date,
// ip, cidr_block). We have the JSON only, so the type comes from the value and the literal:
//
//   - A JSON number compares numerically with a number literal or with a string literal that
//     is a JSON number ('100'); with anything else it is incomparable.
//   - A JSON boolean compares with true/false or 'true'/'false' (false < true).
//   - A string compares with a string literal lexically (byte order), except that when both
//     parse as ISO-8601 dates they compare as instants ('2020-01-01' is midnight UTC; a zone
//     offset is honoured), and when both parse as IP addresses or CIDR blocks ip.go applies.
//     A string compares numerically with a number literal when it is itself a JSON number
//     (configuration.port = 22 finds "22"), and as a boolean with true/false when it is "true"
//     or "false". A numeric string against a numeric string literal stays lexical: both sides
//     said they were strings.
//
// Incomparable pairs satisfy no positive test (=, <, IN, BETWEEN, LIKE) and therefore satisfy
// the negative ones (!=, NOT IN, NOT BETWEEN, NOT LIKE).

// scalar is one leaf value of an item: a string ('s'), a number ('n', s holds its JSON text) or
// a boolean ('b'). Leaves are passed by value so walking an item allocates nothing.
type scalar struct {
	kind byte
	s    string
	b    bool
}

// litInfo is a literal with everything comparison needs parsed once.
type litInfo struct {
	lit    Literal
	num    float64 // valid when isNum
	isNum  bool    // a number literal, or a string literal that is a JSON number
	bv     bool    // valid when isBool
	isBool bool    // a boolean literal, or 'true' / 'false'
	date   instant // valid when isDate
	isDate bool    // a string literal that is an ISO-8601 date
	ip     ipRange // valid when isIP
	isIP   bool    // a string literal that is an IP address or CIDR block
}

// predInfo is a predicate's literals, classified, and its compiled LIKE pattern.
type predInfo struct {
	lits []litInfo
	like likePattern
}

func newPredInfo(p *Pred) *predInfo {
	pi := &predInfo{lits: make([]litInfo, len(p.Values))}
	for i, l := range p.Values {
		pi.lits[i] = classify(l)
	}
	if p.Op == "LIKE" && len(p.Values) == 1 {
		pi.like = compileLike(p.Values[0].S)
	}
	return pi
}

func (p *Pred) predInfo() *predInfo {
	if p.info != nil && len(p.info.lits) == len(p.Values) {
		return p.info
	}
	return newPredInfo(p)
}

func classify(l Literal) litInfo {
	li := litInfo{lit: l}
	switch l.Kind {
	case Number:
		li.num, li.isNum = l.N, true
	case Bool:
		li.bv, li.isBool = l.B, true
	default:
		if f, ok := jsonNumber(l.S); ok {
			li.num, li.isNum = f, true
		}
		if l.S == "true" || l.S == "false" {
			li.bv, li.isBool = l.S == "true", true
		}
		li.date, li.isDate = parseDate(l.S)
		li.ip, li.isIP = parseIPRange(l.S)
	}
	return li
}

// compare orders a value against a literal; ok is false when they are incomparable.
func compare(v scalar, l *litInfo) (c int, ok bool) {
	switch v.kind {
	case 'n':
		if !l.isNum {
			return 0, false
		}
		f, _ := strconv.ParseFloat(v.s, 64)
		return cmpFloat(f, l.num), true
	case 'b':
		if !l.isBool {
			return 0, false
		}
		return cmpBool(v.b, l.bv), true
	}
	switch l.lit.Kind {
	case Number:
		f, ok := jsonNumber(v.s)
		if !ok {
			return 0, false
		}
		return cmpFloat(f, l.num), true
	case Bool:
		if v.s != "true" && v.s != "false" {
			return 0, false
		}
		return cmpBool(v.s == "true", l.bv), true
	}
	if l.isDate {
		if t, ok := parseDate(v.s); ok {
			return t.compare(l.date), true
		}
	}
	return strings.Compare(v.s, l.lit.S), true
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case !a:
		return -1
	}
	return 1
}

// jsonNumber parses s when it has the syntax of a JSON number (so "1e3" is a number but " 1",
// "0x10", "Inf" and "1_000" are not).
func jsonNumber(s string) (float64, bool) {
	if !isJSONNumber(s) {
		return 0, false
	}
	f, _ := strconv.ParseFloat(s, 64) // out of range gives ±Inf, which still orders correctly
	return f, true
}

func isJSONNumber(s string) bool {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	if i >= len(s) {
		return false
	}
	if s[i] == '0' {
		i++
	} else if s[i] >= '1' && s[i] <= '9' {
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	} else {
		return false
	}
	if i < len(s) && s[i] == '.' {
		i++
		if i >= len(s) || !isDigit(s[i]) {
			return false
		}
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if i >= len(s) || !isDigit(s[i]) {
			return false
		}
		for i < len(s) && isDigit(s[i]) {
			i++
		}
	}
	return i == len(s)
}

// instant is a point in time with nanosecond precision over years 0000-9999.
type instant struct {
	sec  int64
	nsec int32
}

func (a instant) compare(b instant) int {
	switch {
	case a.sec < b.sec:
		return -1
	case a.sec > b.sec:
		return 1
	case a.nsec < b.nsec:
		return -1
	case a.nsec > b.nsec:
		return 1
	}
	return 0
}

// Date forms we recognize: a calendar date, or a date and time to the minute or second with an
// optional fraction and an optional zone (Z or ±hh:mm). Without a zone the time is UTC.
var dateLayouts = []string{
	"2006-01-02T15:04:05Z07:00",
	"2006-01-02T15:04:05",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04",
}

// parseDate parses an ISO-8601 date as AWS writes them ("2020-02-21T07:39:43.771Z") and as
// people type them in queries ('2019-05-14', '2019-05-14T00:00').
func parseDate(s string) (instant, bool) {
	if len(s) < 10 || len(s) > 40 || s[4] != '-' || s[7] != '-' ||
		!isDigit(s[0]) || !isDigit(s[1]) || !isDigit(s[2]) || !isDigit(s[3]) ||
		!isDigit(s[5]) || !isDigit(s[6]) || !isDigit(s[8]) || !isDigit(s[9]) {
		return instant{}, false
	}
	var t time.Time
	var err error
	if len(s) == 10 {
		t, err = time.Parse("2006-01-02", s)
	} else {
		if s[10] != 'T' {
			return instant{}, false
		}
		for _, layout := range dateLayouts {
			if t, err = time.Parse(layout, s); err == nil {
				break
			}
		}
	}
	if err != nil {
		return instant{}, false
	}
	return instant{sec: t.Unix(), nsec: int32(t.Nanosecond())}, true
}

// likePattern is a LIKE pattern AWS accepts: a literal prefix followed by wildcards only.
type likePattern struct {
	prefix  string
	minLen  int  // characters required after the prefix (one per '_')
	exact   bool // no '%': exactly minLen characters
	literal bool // no wildcard at all
}

func compileLike(pat string) likePattern {
	first := strings.IndexAny(pat, "%_")
	if first < 0 {
		return likePattern{prefix: pat, exact: true, literal: true}
	}
	lp := likePattern{prefix: pat[:first], exact: true}
	for _, c := range pat[first:] {
		switch c {
		case '_':
			lp.minLen++
		case '%':
			lp.exact = false
		}
	}
	return lp
}

// match reports whether s matches. A pattern with literal characters after its first wildcard
// (which Parse rejects, so only hand-built predicates have one) ignores them: it matches more,
// never less, which keeps PlanWhere's prefix range a superset.
func (lp *likePattern) match(s string) bool {
	if !strings.HasPrefix(s, lp.prefix) {
		return false
	}
	if lp.literal {
		return len(s) == len(lp.prefix)
	}
	n := utf8.RuneCountInString(s[len(lp.prefix):])
	if lp.exact {
		return n == lp.minLen
	}
	return n >= lp.minLen
}
