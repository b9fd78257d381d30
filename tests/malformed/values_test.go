package malformed

import (
	"encoding/base64"
	"encoding/json"
	"math"
	"regexp"
	"regexp/syntax"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/orgconfig/orgconfig/internal/awsproto"
)

// maxDepth bounds how deep the suite walks nested structures, lists and maps, and how deep a
// valid value is built for a recursive shape.
const maxDepth = 4

// valid builds the smallest value of shape s that the model accepts: a structure with its
// required members, a list or map with its minimum number of entries, a string from its enum or
// its pattern within its length bounds, a number within its bounds. ok is false when no such
// value could be found (a pattern the generator cannot satisfy): the request still goes out,
// but its answer is then only checked to be a client error.
func valid(svc *awsproto.Service, s *awsproto.Shape, depth int) (v any, ok bool) {
	if s == nil {
		return nil, false
	}
	switch s.Type {
	case awsproto.TypeStructure:
		m := map[string]any{}
		ok = true
		if depth > maxDepth {
			return m, len(s.Required) == 0
		}
		for _, r := range s.Required {
			mem, found := member(s, r)
			if !found {
				ok = false
				continue
			}
			x, good := valid(svc, svc.Shapes[mem.Shape], depth+1)
			ok = ok && good
			m[r] = x
		}
		return m, ok
	case awsproto.TypeList:
		l := []any{}
		ok = true
		for i := 0; s.HasMin && i < int(s.Min); i++ {
			x, good := valid(svc, svc.Shapes[s.Member], depth+1)
			ok = ok && good
			l = append(l, x)
		}
		return l, ok
	case awsproto.TypeMap:
		m := map[string]any{}
		ok = true
		if s.HasMin && s.Min > 0 {
			keys := distinctKeys(svc.Shapes[s.Key], int(s.Min))
			if keys == nil {
				return m, false
			}
			for _, k := range keys {
				x, good := valid(svc, svc.Shapes[s.Value], depth+1)
				ok = ok && good
				m[k] = x
			}
		}
		return m, ok
	case awsproto.TypeString:
		str, good := validString(s)
		return str, good
	case awsproto.TypeBlob:
		n := 1
		if s.HasMin && s.Min > 1 {
			n = int(s.Min)
		}
		return base64.StdEncoding.EncodeToString([]byte(strings.Repeat("a", n))), true
	case awsproto.TypeInteger, awsproto.TypeLong, awsproto.TypeFloat, awsproto.TypeDouble:
		n := 1.0
		if s.HasMin && n < s.Min {
			n = s.Min
		}
		if s.HasMax && n > s.Max {
			n = s.Max
		}
		if s.Type == awsproto.TypeInteger || s.Type == awsproto.TypeLong {
			n = math.Ceil(n)
		}
		return json.Number(strconv.FormatFloat(n, 'f', -1, 64)), true
	case awsproto.TypeBoolean:
		return true, true
	case awsproto.TypeTimestamp:
		return json.Number("1700000000"), true
	}
	return nil, false
}

// member finds the member called name in structure s.
func member(s *awsproto.Shape, name string) (awsproto.Member, bool) {
	for _, m := range s.Members {
		if m.Name == name {
			return m, true
		}
	}
	return awsproto.Member{}, false
}

// isRequired reports whether name is a required member of s.
func isRequired(s *awsproto.Shape, name string) bool { return slices.Contains(s.Required, name) }

// distinctKeys returns n different valid map keys of shape k, or nil when the generator cannot
// make them (an enum too short, or a pattern it cannot vary).
func distinctKeys(k *awsproto.Shape, n int) []string {
	if k == nil {
		return nil
	}
	if len(k.Enum) > 0 {
		if len(k.Enum) < n {
			return nil
		}
		return append([]string(nil), k.Enum[:n]...)
	}
	first, ok := validString(k)
	if !ok {
		return nil
	}
	keys := []string{first}
	for i := 1; len(keys) < n && i < 100*n; i++ {
		c := first + strconv.Itoa(i)
		if utf8.RuneCountInString(c) > int(k.Max) && k.HasMax {
			c = strconv.Itoa(i)
		}
		if stringOK(k, c) && !slices.Contains(keys, c) {
			keys = append(keys, c)
		}
	}
	if len(keys) < n {
		return nil
	}
	return keys
}

// validString generates a string the string shape s accepts.
func validString(s *awsproto.Shape) (string, bool) {
	if len(s.Enum) > 0 {
		return s.Enum[0], stringOK(s, s.Enum[0])
	}
	if s.Pattern == "" {
		n := 1
		if s.HasMin && s.Min > 1 {
			n = int(s.Min)
		}
		if s.HasMax && float64(n) > s.Max {
			n = int(s.Max)
		}
		str := strings.Repeat("a", n)
		return str, stringOK(s, str)
	}
	re, err := syntax.Parse(s.Pattern, syntax.Perl)
	if err != nil {
		return "", false
	}
	minLen := 0
	if s.HasMin {
		minLen = int(s.Min)
	}
	// One repetition count for every repeat of the pattern, tried from the smallest: enough to
	// find a short value for the patterns of the AWS models (ARNs, names, identifiers).
	counts := []int{1, 0, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64, 128, minLen, (minLen + 1) / 2, (minLen + 2) / 3}
	for alt := 0; alt < 4; alt++ {
		for _, k := range counts {
			var b strings.Builder
			if (&patternGen{k: k, alt: alt}).gen(re, &b) && stringOK(s, b.String()) {
				return b.String(), true
			}
		}
	}
	return "", false
}

// stringOK reports whether str satisfies every constraint of the string shape s, as the
// server's validator checks them (whole-value pattern match, length in characters).
func stringOK(s *awsproto.Shape, str string) bool {
	n := float64(utf8.RuneCountInString(str))
	if s.HasMin && n < s.Min || s.HasMax && n > s.Max {
		return false
	}
	if len(s.Enum) > 0 && !slices.Contains(s.Enum, str) {
		return false
	}
	if s.Pattern != "" {
		re := anchored(s.Pattern)
		if re == nil || !re.MatchString(str) {
			return false
		}
	}
	return true
}

var anchoredCache sync.Map // pattern -> *regexp.Regexp (nil when it does not compile)

// anchored compiles a model pattern as AWS's servers apply it: to the whole value.
func anchored(p string) *regexp.Regexp {
	if re, ok := anchoredCache.Load(p); ok {
		r, _ := re.(*regexp.Regexp)
		return r
	}
	re, err := regexp.Compile("^(?:" + p + ")$")
	if err != nil {
		re = nil
	}
	anchoredCache.Store(p, re)
	return re
}

// patternGen writes one string a parsed regular expression matches: every repeat taken k
// times (within its bounds), alternative alt of every alternation (modulo their number).
type patternGen struct {
	k, alt int
}

func (g *patternGen) gen(re *syntax.Regexp, b *strings.Builder) bool {
	switch re.Op {
	case syntax.OpNoMatch:
		return false
	case syntax.OpEmptyMatch, syntax.OpBeginLine, syntax.OpEndLine, syntax.OpBeginText,
		syntax.OpEndText, syntax.OpWordBoundary, syntax.OpNoWordBoundary:
		return true
	case syntax.OpLiteral:
		b.WriteString(string(re.Rune))
		return true
	case syntax.OpCharClass:
		r, ok := pickRune(re.Rune)
		if ok {
			b.WriteRune(r)
		}
		return ok
	case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
		b.WriteByte('a')
		return true
	case syntax.OpCapture:
		return g.gen(re.Sub[0], b)
	case syntax.OpStar:
		return g.repeat(re.Sub[0], g.k, b)
	case syntax.OpPlus:
		return g.repeat(re.Sub[0], max(1, g.k), b)
	case syntax.OpQuest:
		return g.repeat(re.Sub[0], min(1, g.k), b)
	case syntax.OpRepeat:
		n := max(g.k, re.Min)
		if re.Max >= 0 {
			n = min(n, re.Max)
		}
		return g.repeat(re.Sub[0], n, b)
	case syntax.OpConcat:
		for _, sub := range re.Sub {
			if !g.gen(sub, b) {
				return false
			}
		}
		return true
	case syntax.OpAlternate:
		return g.gen(re.Sub[g.alt%len(re.Sub)], b)
	}
	return false
}

func (g *patternGen) repeat(re *syntax.Regexp, n int, b *strings.Builder) bool {
	for range n {
		if !g.gen(re, b) {
			return false
		}
	}
	return true
}

// pickRune chooses a plain character of a class (pairs of lo, hi): a letter or digit when the
// class has one, else its first character.
func pickRune(ranges []rune) (rune, bool) {
	if len(ranges) < 2 {
		return 0, false
	}
	for _, want := range []rune{'a', 'A', '0', '1', '-', '_'} {
		for i := 0; i+1 < len(ranges); i += 2 {
			if ranges[i] <= want && want <= ranges[i+1] {
				return want, true
			}
		}
	}
	return ranges[0], true
}

// notMatching returns a value of string shape s that breaks its pattern and only its pattern
// when one of the candidates does (within the length bounds, not an enum concern), else any
// candidate that breaks it; ok is false when every candidate matches (a pattern such as .*).
func notMatching(s *awsproto.Shape) (string, bool) {
	re := anchored(s.Pattern)
	if re == nil {
		return "", false
	}
	candidates := []string{"!#%^ ()<>", " ", "\x00", "a b", "\u2603\u2603", "UPPER lower", "", "a"}
	var fallback string
	found := false
	for _, c := range candidates {
		if re.MatchString(c) {
			continue
		}
		n := float64(utf8.RuneCountInString(c))
		if !(s.HasMin && n < s.Min || s.HasMax && n > s.Max) {
			return c, true
		}
		if !found {
			fallback, found = c, true
		}
	}
	return fallback, found
}

// clone copies a JSON tree, so that each variant mutates its own copy of the baseline.
func clone(v any) any {
	switch t := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(t))
		for k, x := range t {
			m[k] = clone(x)
		}
		return m
	case []any:
		l := make([]any, len(t))
		for i, x := range t {
			l[i] = clone(x)
		}
		return l
	}
	return v
}
