package rules

import (
	"slices"
	"strings"
)

// This file reads the parts of resource policy documents the S3 rules need. It is deliberately
// not a policy evaluator: it recognises statement shapes, and anything it cannot read matches
// nothing.

// statements returns the statements of a policy document: Statement is one object or a list.
func statements(doc value) []value {
	st := doc.get("Statement")
	if _, ok := st.object(); ok {
		return []value{st}
	}
	return st.list()
}

// effect reports whether a statement's Effect is e (exactly, as IAM requires).
func effect(st value, e string) bool { return st.get("Effect").str() == e }

// coversAction reports whether a statement applies to action: some Action pattern matches it,
// or NotAction is given and none of its patterns match it.
func coversAction(st value, action string) bool {
	if a := st.get("Action"); a.present() {
		return anyPatternMatches(a.texts(), action)
	}
	if na := st.get("NotAction"); na.present() {
		return !anyPatternMatches(na.texts(), action)
	}
	return false
}

// anyPatternMatches reports whether one of the action patterns matches action.
func anyPatternMatches(patterns []string, action string) bool {
	return slices.ContainsFunc(patterns, func(p string) bool { return wildcardMatch(p, action) })
}

// wildcardMatch matches s against pattern, where * matches any run of characters and ? any one
// character, ignoring case as IAM does for actions. It runs in O(len(pattern)·len(s)).
func wildcardMatch(pattern, s string) bool {
	p, t := []rune(strings.ToLower(pattern)), []rune(strings.ToLower(s))
	pi, ti := 0, 0
	star, mark := -1, 0
	for ti < len(t) {
		switch {
		case pi < len(p) && (p[pi] == '?' || p[pi] == t[ti]):
			pi++
			ti++
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, ti
			pi++
		case star >= 0:
			pi = star + 1
			mark++
			ti = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

// publicPrincipal reports whether a statement's Principal is everyone: "*" or {"AWS": "*"} (or a
// list holding "*").
func publicPrincipal(st value) bool {
	p := st.get("Principal")
	return p.str() == "*" || slices.Contains(p.get("AWS").texts(), "*")
}

// unconditional reports whether a statement has no Condition (absent, null or {}). A Condition of
// any other shape counts as restricting.
func unconditional(st value) bool {
	c := st.get("Condition")
	if !c.present() {
		return true
	}
	m, ok := c.object()
	return ok && len(m) == 0
}

// conditionValues returns the values a condition operator block gives for key (condition keys
// compare case-insensitively); ok is false when the block does not mention key.
func conditionValues(block value, key string) (values []string, ok bool) {
	m, _ := block.object()
	for k, v := range m {
		if strings.EqualFold(k, key) {
			return value{v}.texts(), true
		}
	}
	return nil, false
}
