package guard

import (
	"strconv"
)

// via records how a query reached a value. It matters only for a filter applied to a map:
// after a key (Resources[ Type == 'x' ]) the filter selects among the map's values, as in
// cfn-guard; after a wildcard, a variable or this, the map is one candidate and the filter
// tests the map itself.
type via int

const (
	viaKey via = iota
	viaOther
)

// entry is one value a query produced, or one place where it could not go on.
type entry struct {
	v    any
	ok   bool   // false: the query could not be resolved here (a missing key, an empty list under [*] ...)
	path string // JSON-pointer style location in the document, for messages
	why  string // for an unresolved entry, the reason
	via  via
}

// unresolved builds an entry for a query that stopped at path.
func unresolved(path, why string) entry {
	return entry{path: path, why: why}
}

// env is one evaluation scope: the block whose lets it holds, the value "this" names, and
// the enclosing scope. Variables are evaluated on first use and remembered.
type env struct {
	blk      *block
	this     any
	thisPath string
	parent   *env
	vars     map[*letDecl]*varState
}

// varState is a variable's value in one env; busy guards against re-entry.
type varState struct {
	busy, done bool
	entries    []entry
}

// child opens a scope for b nested in e with "this" bound to v.
func (e *env) child(b *block, v any, path string) *env {
	return &env{blk: b, this: v, thisPath: path, parent: e}
}

// variable returns the entries of a let, evaluated in the env that declares it.
func (ev *evaluator) variable(e *env, d *letDecl) []entry {
	owner := e
	for owner != nil && owner.blk != d.scope {
		owner = owner.parent
	}
	if owner == nil {
		// Parse resolves every variable to an enclosing block, so this is unreachable; answer
		// "unresolved" rather than panic.
		return []entry{unresolved("", "variable %"+d.name+" is not in scope")}
	}
	if owner.vars == nil {
		owner.vars = map[*letDecl]*varState{}
	}
	st := owner.vars[d]
	if st == nil {
		st = &varState{}
		owner.vars[d] = st
	}
	switch {
	case st.done:
		return st.entries
	case st.busy:
		return []entry{unresolved("", "variable %"+d.name+" depends on itself")}
	}
	st.busy = true
	if d.isLit {
		st.entries = []entry{{v: d.lit, ok: true, path: "%" + d.name, via: viaOther}}
	} else {
		st.entries = ev.query(d.q, owner)
		for i := range st.entries {
			st.entries[i].via = viaOther
		}
	}
	st.busy, st.done = false, true
	return st.entries
}

// query evaluates a query in e and returns its entries; see the package documentation for
// what each step does.
func (ev *evaluator) query(q *query, e *env) []entry {
	var cur []entry
	first := q.parts[0]
	switch first.kind {
	case pVar:
		cur = append(cur, ev.variable(e, first.decl)...)
	case pThis:
		cur = []entry{{v: e.this, ok: true, path: e.thisPath, via: viaOther}}
	default:
		cur = ev.step(entry{v: e.this, ok: true, path: e.thisPath, via: viaOther}, &first, e)
	}
	for i := 1; i < len(q.parts); i++ {
		var next []entry
		for _, en := range cur {
			next = append(next, ev.step(en, &q.parts[i], e)...)
		}
		cur = next
	}
	return cur
}

// step applies one query part to one entry.
func (ev *evaluator) step(en entry, pt *part, e *env) []entry {
	if !en.ok {
		return []entry{en}
	}
	if !ev.spend() {
		return []entry{unresolved(en.path, "evaluation stopped")}
	}
	switch pt.kind {
	case pKey:
		return []entry{stepKey(en, pt.key)}
	case pIndex:
		return []entry{stepIndex(en, pt.index)}
	case pAllIdx:
		return stepAllIndices(en)
	case pAllVals:
		return stepAllValues(en)
	case pFilter:
		return ev.stepFilter(en, pt.filter, e)
	}
	return []entry{unresolved(en.path, "unknown query step")}
}

// stepKey looks a key up in a map; on a list a numeric key is an index.
func stepKey(en entry, key string) entry {
	switch x := en.v.(type) {
	case map[string]any:
		v, ok := x[key]
		if !ok {
			return unresolved(en.path, "key "+strconv.Quote(key)+" is missing")
		}
		return entry{v: v, ok: true, path: en.path + "/" + key, via: viaKey}
	case []any:
		if n, err := strconv.Atoi(key); err == nil {
			return stepIndex(en, n)
		}
	}
	return unresolved(en.path, "key "+strconv.Quote(key)+" looked up in a value that is not a struct")
}

// stepIndex selects a list element; a negative index counts from the end.
func stepIndex(en entry, n int) entry {
	l, ok := en.v.([]any)
	if !ok {
		return unresolved(en.path, "index "+strconv.Itoa(n)+" applied to a value that is not a list")
	}
	i := n
	if i < 0 {
		i += len(l)
	}
	if i < 0 || i >= len(l) {
		return unresolved(en.path, "index "+strconv.Itoa(n)+" is out of range")
	}
	return entry{v: l[i], ok: true, path: en.path + "/" + strconv.Itoa(i), via: viaOther}
}

// stepAllIndices is [*]: every element of a list. A map or a scalar passes through as the
// single value, as in cfn-guard; an empty list cannot be resolved.
func stepAllIndices(en entry) []entry {
	l, ok := en.v.([]any)
	if !ok {
		en.via = viaOther
		return []entry{en}
	}
	if len(l) == 0 {
		return []entry{unresolved(en.path, "list is empty")}
	}
	return elements(en, l)
}

// stepAllValues is .*: every value of a map (in key order) or element of a list. A scalar
// passes through; an empty map or list cannot be resolved.
func stepAllValues(en entry) []entry {
	switch x := en.v.(type) {
	case []any:
		if len(x) == 0 {
			return []entry{unresolved(en.path, "list is empty")}
		}
		return elements(en, x)
	case map[string]any:
		if len(x) == 0 {
			return []entry{unresolved(en.path, "struct is empty")}
		}
		return mapValues(en, x)
	}
	en.via = viaOther
	return []entry{en}
}

func elements(en entry, l []any) []entry {
	out := make([]entry, len(l))
	for i, v := range l {
		out[i] = entry{v: v, ok: true, path: en.path + "/" + strconv.Itoa(i), via: viaOther}
	}
	return out
}

func mapValues(en entry, m map[string]any) []entry {
	keys := sortedKeys(m)
	out := make([]entry, len(keys))
	for i, k := range keys {
		out[i] = entry{v: m[k], ok: true, path: en.path + "/" + k, via: viaOther}
	}
	return out
}

// stepFilter keeps the candidates for which the filter's clauses PASS. The candidates are a
// list's elements, a map's values when the map was reached by a key, and otherwise the value
// itself. A filter that keeps nothing yields no entries, which makes clauses on the query
// SKIP rather than FAIL.
func (ev *evaluator) stepFilter(en entry, f *block, e *env) []entry {
	var candidates []entry
	switch x := en.v.(type) {
	case []any:
		candidates = elements(en, x)
	case map[string]any:
		if en.via == viaKey {
			candidates = mapValues(en, x)
		} else {
			candidates = []entry{en}
		}
	default:
		candidates = []entry{en}
	}
	var kept []entry
	for _, c := range candidates {
		if !ev.spend() {
			break
		}
		if ev.selects(f, c, e) {
			c.via = viaOther
			kept = append(kept, c)
		}
	}
	return kept
}

// selects evaluates a filter's clauses against one candidate, without collecting messages.
func (ev *evaluator) selects(f *block, c entry, e *env) bool {
	ev.quiet++
	defer func() { ev.quiet-- }()
	st, _ := ev.cnf(f.body, e.child(f, c.v, c.path))
	return st == Pass
}
