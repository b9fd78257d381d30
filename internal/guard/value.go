package guard

import (
	"encoding/json"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Values are plain Go values as encoding/json decodes them: nil, bool, string, json.Number or
// float64, []any and map[string]any. Literals in a policy use the same representation, with
// numbers as json.Number so that 5 and 5.0 keep their kinds, plus two literal-only kinds:
// *regexValue and *rangeValue.

// maxValueDepth bounds how deep equality and rendering descend into a value. Decoded JSON is
// acyclic and encoding/json stops at 10000 levels, but a caller may build a document by hand.
const maxValueDepth = 512

// regexValue is a /pattern/ literal. Compared with a string it means "matches".
type regexValue struct {
	re  *regexp.Regexp
	src string
}

// rangeValue is an r[lo, hi] literal over numbers; the brackets choose inclusive bounds.
type rangeValue struct {
	lo, hi         number
	loIncl, hiIncl bool
}

// contains reports whether v is a number inside the range.
func (r *rangeValue) contains(v any) bool {
	n, ok := toNumber(v)
	if !ok {
		return false
	}
	lo, hi := compareNumbers(n, r.lo), compareNumbers(n, r.hi)
	return (lo > 0 || (r.loIncl && lo == 0)) && (hi < 0 || (r.hiIncl && hi == 0))
}

// number is a numeric value that remembers whether it is an integer.
type number struct {
	isInt bool
	i     int64
	f     float64
}

// toNumber converts any numeric representation. A float64 (what encoding/json produces
// without UseNumber) that holds a whole number counts as an integer, because the decoder has
// already lost the difference between 5 and 5.0.
func toNumber(v any) (number, bool) {
	switch x := v.(type) {
	case json.Number:
		if i, err := strconv.ParseInt(string(x), 10, 64); err == nil {
			return number{isInt: true, i: i}, true
		}
		if f, err := strconv.ParseFloat(string(x), 64); err == nil {
			return number{f: f}, true
		}
		return number{}, false
	case float64:
		return fromFloat(x), true
	case float32:
		return fromFloat(float64(x)), true
	case int:
		return number{isInt: true, i: int64(x)}, true
	case int8:
		return number{isInt: true, i: int64(x)}, true
	case int16:
		return number{isInt: true, i: int64(x)}, true
	case int32:
		return number{isInt: true, i: int64(x)}, true
	case int64:
		return number{isInt: true, i: x}, true
	case uint8:
		return number{isInt: true, i: int64(x)}, true
	case uint16:
		return number{isInt: true, i: int64(x)}, true
	case uint32:
		return number{isInt: true, i: int64(x)}, true
	case uint:
		return fromUint(uint64(x)), true
	case uint64:
		return fromUint(x), true
	}
	return number{}, false
}

func fromFloat(f float64) number {
	if f == math.Trunc(f) && f >= -9.2e18 && f <= 9.2e18 {
		return number{isInt: true, i: int64(f)}
	}
	return number{f: f}
}

func fromUint(u uint64) number {
	if u <= math.MaxInt64 {
		return number{isInt: true, i: int64(u)}
	}
	return number{f: float64(u)}
}

func (n number) float() float64 {
	if n.isInt {
		return float64(n.i)
	}
	return n.f
}

// compareNumbers orders two numbers; integers compare exactly, anything else as float64.
func compareNumbers(a, b number) int {
	if a.isInt && b.isInt {
		switch {
		case a.i < b.i:
			return -1
		case a.i > b.i:
			return 1
		}
		return 0
	}
	fa, fb := a.float(), b.float()
	switch {
	case fa < fb:
		return -1
	case fa > fb:
		return 1
	}
	return 0
}

// kind is the Guard type of a value.
type kind int

const (
	kNull kind = iota
	kBool
	kInt
	kFloat
	kString
	kList
	kMap
	kRegex
	kRange
	kOther
)

// kindOf classifies a value.
func kindOf(v any) kind {
	switch v.(type) {
	case nil:
		return kNull
	case bool:
		return kBool
	case string:
		return kString
	case []any:
		return kList
	case map[string]any:
		return kMap
	case *regexValue:
		return kRegex
	case *rangeValue:
		return kRange
	}
	if n, ok := toNumber(v); ok {
		if n.isInt {
			return kInt
		}
		return kFloat
	}
	return kOther
}

// equal is Guard's ==. A regex matches strings, a range contains numbers, numbers compare by
// value across int and float, lists compare in order and maps by key. A scalar equals a
// one-element list holding an equal value, so `status == ['ACTIVE']` holds for "ACTIVE".
// Values of different kinds are never equal.
func equal(a, b any) bool {
	return equalDepth(a, b, 0)
}

func equalDepth(a, b any, depth int) bool {
	if depth > maxValueDepth {
		return false
	}
	ka, kb := kindOf(a), kindOf(b)
	switch {
	case kb == kRegex || kb == kRange:
		return matchPattern(b, a)
	case ka == kRegex || ka == kRange:
		return matchPattern(a, b)
	case ka == kList && kb != kList:
		return singleton(a, b, depth)
	case kb == kList && ka != kList:
		return singleton(b, a, depth)
	}
	switch ka {
	case kNull:
		return kb == kNull
	case kBool:
		return kb == kBool && a.(bool) == b.(bool)
	case kString:
		return kb == kString && a.(string) == b.(string)
	case kInt, kFloat:
		na, _ := toNumber(a)
		nb, ok := toNumber(b)
		return ok && compareNumbers(na, nb) == 0
	case kList:
		return equalLists(a.([]any), b.([]any), depth)
	case kMap:
		mb, ok := b.(map[string]any)
		return ok && equalMaps(a.(map[string]any), mb, depth)
	}
	return false
}

// matchPattern applies a regex or range literal p to v.
func matchPattern(p, v any) bool {
	switch x := p.(type) {
	case *regexValue:
		s, ok := v.(string)
		return ok && x.re.MatchString(s)
	case *rangeValue:
		return x.contains(v)
	}
	return false
}

// singleton compares a one-element list with a non-list value.
func singleton(list, v any, depth int) bool {
	l := list.([]any)
	return len(l) == 1 && equalDepth(l[0], v, depth+1)
}

func equalLists(a, b []any, depth int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !equalDepth(a[i], b[i], depth+1) {
			return false
		}
	}
	return true
}

func equalMaps(a, b map[string]any, depth int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, va := range a {
		vb, ok := b[k]
		if !ok || !equalDepth(va, vb, depth+1) {
			return false
		}
	}
	return true
}

// order compares two values for < > <= >=. Only numbers with numbers and strings with
// strings (byte-wise) are ordered; ok is false otherwise.
func order(a, b any) (cmp int, ok bool) {
	if na, isNum := toNumber(a); isNum {
		nb, isNum := toNumber(b)
		if !isNum {
			return 0, false
		}
		return compareNumbers(na, nb), true
	}
	sa, isStr := a.(string)
	sb, isStr2 := b.(string)
	if !isStr || !isStr2 {
		return 0, false
	}
	return strings.Compare(sa, sb), true
}

// isEmptyValue reports whether v is null or an empty list, map or string; decided is false
// for numbers and booleans, which are neither empty nor non-empty.
func isEmptyValue(v any) (empty, decided bool) {
	switch x := v.(type) {
	case nil:
		return true, true
	case string:
		return x == "", true
	case []any:
		return len(x) == 0, true
	case map[string]any:
		return len(x) == 0, true
	}
	return false, false
}

// sortedKeys returns a map's keys in order, so that evaluation and its messages are
// deterministic.
func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// maxRender bounds the length of a value quoted in a failure message.
const maxRender = 80

// render writes a short JSON-like rendering of v for failure messages. It stops early once
// the text is long enough, so a failing clause over a large configuration item stays cheap.
func render(v any) string {
	var b strings.Builder
	renderTo(&b, v, 0)
	s := b.String()
	if len(s) > maxRender {
		s = s[:maxRender] + "..."
	}
	return s
}

func renderTo(b *strings.Builder, v any, depth int) {
	if b.Len() > maxRender || depth > 16 {
		b.WriteString("...")
		return
	}
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		b.WriteString(strconv.FormatBool(x))
	case string:
		b.WriteString(strconv.Quote(x))
	case []any:
		renderList(b, x, depth)
	case map[string]any:
		renderMap(b, x, depth)
	case *regexValue:
		b.WriteString("/" + x.src + "/")
	case *rangeValue:
		b.WriteString("r(...)")
	default:
		if n, ok := toNumber(v); ok {
			b.WriteString(formatNumber(n))
		} else {
			b.WriteString("<value>")
		}
	}
}

func renderList(b *strings.Builder, l []any, depth int) {
	b.WriteByte('[')
	for i, e := range l {
		if i > 0 {
			b.WriteByte(',')
		}
		if b.Len() > maxRender {
			b.WriteString("...")
			break
		}
		renderTo(b, e, depth+1)
	}
	b.WriteByte(']')
}

func renderMap(b *strings.Builder, m map[string]any, depth int) {
	b.WriteByte('{')
	for i, k := range sortedKeys(m) {
		if i > 0 {
			b.WriteByte(',')
		}
		if b.Len() > maxRender {
			b.WriteString("...")
			break
		}
		b.WriteString(strconv.Quote(k) + ":")
		renderTo(b, m[k], depth+1)
	}
	b.WriteByte('}')
}

func formatNumber(n number) string {
	if n.isInt {
		return strconv.FormatInt(n.i, 10)
	}
	return strconv.FormatFloat(n.f, 'g', -1, 64)
}
