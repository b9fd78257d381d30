package policy

import "strings"

// Runes that policy-variable substitution puts in a pattern for the literal characters ${*}
// and ${?}: the matcher compares them with '*' and '?' instead of treating them as wildcards.
// They are from the Unicode private use area, so no real value contains them.
const (
	literalStar     = '\uE000'
	literalQuestion = '\uE001'
)

// Glob reports whether s matches pattern, where * matches any run of characters (including
// none) and ? exactly one. It is case-sensitive.
func Glob(pattern, s string) bool {
	if !strings.ContainsAny(pattern, "*?") && !strings.ContainsRune(pattern, literalStar) && !strings.ContainsRune(pattern, literalQuestion) {
		return pattern == s
	}
	p, r := []rune(pattern), []rune(s)
	// Iterative matcher that backtracks only to the last star: O(len(p)*len(r)) at worst,
	// never exponential.
	pi, ri := 0, 0
	star, mark := -1, 0
	for ri < len(r) {
		switch {
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, ri
			pi++
		case pi < len(p) && (p[pi] == '?' || p[pi] == r[ri] ||
			(p[pi] == literalStar && r[ri] == '*') || (p[pi] == literalQuestion && r[ri] == '?')):
			pi++
			ri++
		case star >= 0:
			pi = star + 1
			mark++
			ri = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

// matchAction compares an action with a policy's action pattern, case-insensitively.
func matchAction(pattern, action string) bool {
	if pattern == "*" {
		return true
	}
	return Glob(strings.ToLower(pattern), strings.ToLower(action))
}

// MatchARN reports whether arn matches pattern segment by segment (partition, service, region,
// account, resource), each with wildcards: a wildcard never spans a colon of the first five
// segments. "*" matches everything. A pattern or value that is not an ARN is compared as a
// whole with Glob.
func MatchARN(pattern, arn string) bool {
	if pattern == "*" {
		return true
	}
	p := strings.SplitN(pattern, ":", 6)
	a := strings.SplitN(arn, ":", 6)
	if len(p) != 6 || len(a) != 6 {
		return Glob(pattern, arn)
	}
	for i := range p {
		if !Glob(p[i], a[i]) {
			return false
		}
	}
	return true
}

// expand substitutes policy variables in a pattern: ${key} (or ${key, 'default'}) by the
// context value, ${*}, ${?} and ${$} by the literal characters. ok is false when a variable
// names a key the request lacks (or has several values for) and has no default: such a value
// matches nothing.
func expand(pattern string, ctx Context) (string, bool) {
	if !strings.Contains(pattern, "${") {
		return pattern, true
	}
	var b strings.Builder
	rest := pattern
	for {
		i := strings.Index(rest, "${")
		if i < 0 {
			b.WriteString(rest)
			return b.String(), true
		}
		b.WriteString(rest[:i])
		j := strings.IndexByte(rest[i:], '}')
		if j < 0 {
			b.WriteString(rest[i:])
			return b.String(), true
		}
		inner := rest[i+2 : i+j]
		rest = rest[i+j+1:]
		switch inner {
		case "*":
			b.WriteRune(literalStar)
			continue
		case "?":
			b.WriteRune(literalQuestion)
			continue
		case "$":
			b.WriteByte('$')
			continue
		}
		key, def, hasDef := strings.Cut(inner, ",")
		key = strings.TrimSpace(key)
		if vals, ok := ctx.Get(key); ok && len(vals) == 1 {
			b.WriteString(vals[0])
			continue
		}
		def = strings.TrimSpace(def)
		if hasDef && len(def) >= 2 && def[0] == '\'' && def[len(def)-1] == '\'' {
			b.WriteString(def[1 : len(def)-1])
			continue
		}
		return "", false
	}
}
