package query

import (
	"sort"
	"strconv"
	"strings"
)

// maxGroupsPerDoc bounds the groups one row joins. A row joins one group per combination of
// its values of the GROUP BY properties (a row tagged A and B counts in the tags.key = A group
// and in the B group); three array properties of a hundred values each would otherwise make a
// million combinations. Combinations past the bound are dropped.
const maxGroupsPerDoc = 1000

// Aggregator groups the rows of an aggregate query (Query.Aggregate) and computes its results.
// It keeps one small state per group, not the rows. Not safe for concurrent use.
//
// Grouping: a row joins a group per distinct value of each GROUP BY property (arrays
// flattened); a row lacking the property joins the group where it is missing, whose result
// leaves the property out. Without GROUP BY there is exactly one group, even over no rows
// (COUNT(*) is then 0).
//
// Functions: COUNT(*) counts rows; COUNT(p) counts rows that have p; SUM and AVG add the
// numeric values of p (strings are ignored); MIN and MAX take the least and greatest value of p
// in the order of order.go. A function with no value to work on is left out of the result.
type Aggregator struct {
	q      *Query
	aggs   []SelectItem // distinct aggregate items of SELECT and ORDER BY
	trie   *pnode       // plain SELECT items
	groups map[string]*group
	single *group // the one group when there is no GROUP BY
}

type group struct {
	key    string
	vals   []any // per GROUP BY property; nil when missing
	states []aggState
}

type aggState struct {
	count    int64
	sum      float64
	n        int64
	min, max oval
}

// NewAggregator prepares the aggregation of q, which must be an aggregate query.
func NewAggregator(q *Query) *Aggregator {
	a := &Aggregator{q: q, groups: map[string]*group{}, trie: buildTrie(q.Select)}
	seen := map[string]bool{}
	add := func(it SelectItem) {
		if it.Func != "" && !seen[it.Text()] {
			seen[it.Text()] = true
			a.aggs = append(a.aggs, it)
		}
	}
	for _, s := range q.Select {
		add(s)
	}
	for _, o := range q.OrderBy {
		add(o.Item)
	}
	if len(q.GroupBy) == 0 {
		a.single = a.newGroup("", nil)
	}
	return a
}

func (a *Aggregator) newGroup(key string, vals []any) *group {
	g := &group{key: key, vals: vals, states: make([]aggState, len(a.aggs))}
	a.groups[key] = g
	return g
}

type groupVal struct {
	key string // encoded value; "" when missing
	v   any
}

// Add counts one row (a doc that matched the WHERE clause).
func (a *Aggregator) Add(d *Doc) { a.AddN(d, 1) }

// AddN counts n rows equal to d: the results are those of n calls of Add(d), but the groups of
// d are worked out once and counts grow by n at once, so a caller holding counts of identical
// rows (from an index) need not repeat them. n <= 0 adds nothing.
func (a *Aggregator) AddN(d *Doc, n int64) {
	if n <= 0 {
		return
	}
	if a.single != nil {
		a.update(a.single, d, n)
		return
	}
	per := make([][]groupVal, len(a.q.GroupBy))
	for i, path := range a.q.GroupBy {
		d.eachValue(path, func(v any) bool {
			k := groupKey(v)
			for _, g := range per[i] { // a row has few values per property: no map
				if g.key == k {
					return false
				}
			}
			per[i] = append(per[i], groupVal{key: k, v: v})
			return false
		})
		if len(per[i]) == 0 {
			per[i] = []groupVal{{}}
		}
	}
	idx := make([]int, len(per))
	for combo := 0; combo < maxGroupsPerDoc; combo++ {
		var kb strings.Builder
		for i, j := range idx {
			k := per[i][j].key
			kb.WriteString(strconv.Itoa(len(k)))
			kb.WriteByte(':')
			kb.WriteString(k)
		}
		key := kb.String()
		g := a.groups[key]
		if g == nil {
			vals := make([]any, len(per))
			for i, j := range idx {
				vals[i] = per[i][j].v
			}
			g = a.newGroup(key, vals)
		}
		a.update(g, d, n)
		// Next combination, last property fastest.
		i := len(idx) - 1
		for ; i >= 0; i-- {
			idx[i]++
			if idx[i] < len(per[i]) {
				break
			}
			idx[i] = 0
		}
		if i < 0 {
			return
		}
	}
}

// update adds n rows equal to d to a group. Sums add the values n times over (not a product),
// so that floating-point rounding is that of n separate rows.
func (a *Aggregator) update(g *group, d *Doc, n int64) {
	for i, it := range a.aggs {
		st := &g.states[i]
		switch it.Func {
		case "COUNT":
			if it.Star || d.eachValue(it.Path, func(any) bool { return true }) {
				st.count += n
			}
		case "SUM", "AVG":
			d.eachScalar(it.Path, func(v scalar) bool {
				if v.kind == 'n' {
					f, _ := strconv.ParseFloat(v.s, 64)
					for range n {
						st.sum += f
					}
					st.n += n
				}
				return false
			})
		case "MIN", "MAX":
			d.eachScalar(it.Path, func(v scalar) bool {
				o := ovalOfScalar(v)
				if st.min.kind == 0 || cmpOval(o, st.min) < 0 {
					st.min = o
				}
				if st.max.kind == 0 || cmpOval(o, st.max) > 0 {
					st.max = o
				}
				return false
			})
		}
	}
}

// result is an aggregate's value in a group (kind 0 when it has none).
func (a *Aggregator) result(g *group, i int) oval {
	st := &g.states[i]
	switch a.aggs[i].Func {
	case "COUNT":
		return oval{kind: 'n', f: float64(st.count), s: strconv.FormatInt(st.count, 10)}
	case "SUM":
		if st.n == 0 {
			return oval{}
		}
		return oval{kind: 'n', f: st.sum, s: formatNumber(st.sum)}
	case "AVG":
		if st.n == 0 {
			return oval{}
		}
		avg := st.sum / float64(st.n)
		return oval{kind: 'n', f: avg, s: formatNumber(avg)}
	case "MIN":
		return st.min
	}
	return st.max
}

// Results returns one JSON object per group: the aggregates keyed by their text ("COUNT(*)")
// first, then the grouped properties re-nested by path. They come in ORDER BY order, else in
// the order of the group values (order.go).
func (a *Aggregator) Results() [][]byte {
	groups := make([]*group, 0, len(a.groups))
	for _, g := range a.groups {
		groups = append(groups, g)
	}
	byValues := func(x, y *group) int {
		for i := range x.vals {
			if c := cmpKey(ovalOfAny(x.vals[i]), ovalOfAny(y.vals[i]), false); c != 0 {
				return c
			}
		}
		return strings.Compare(x.key, y.key)
	}
	aggIndex := func(text string) int {
		for i, it := range a.aggs {
			if it.Text() == text {
				return i
			}
		}
		return -1
	}
	groupIndex := func(path string) int {
		for i, p := range a.q.GroupBy {
			if p == path {
				return i
			}
		}
		return -1
	}
	sort.SliceStable(groups, func(x, y int) bool {
		gx, gy := groups[x], groups[y]
		for _, o := range a.q.OrderBy {
			var kx, ky oval
			if o.Item.Func != "" {
				i := aggIndex(o.Item.Text())
				kx, ky = a.result(gx, i), a.result(gy, i)
			} else if i := groupIndex(o.Item.Path); i >= 0 {
				kx, ky = ovalOfAny(gx.vals[i]), ovalOfAny(gy.vals[i])
			}
			if c := cmpKey(kx, ky, o.Desc); c != 0 {
				return c < 0
			}
		}
		return byValues(gx, gy) < 0
	})
	out := make([][]byte, len(groups))
	for gi, g := range groups {
		buf := []byte{'{'}
		first := true
		written := map[string]bool{}
		for _, it := range a.q.Select {
			if it.Func == "" || written[it.Text()] {
				continue
			}
			written[it.Text()] = true
			r := a.result(g, aggIndex(it.Text()))
			if r.kind == 0 {
				continue
			}
			if !first {
				buf = append(buf, ',')
			}
			first = false
			buf = appendString(buf, it.Text())
			buf = append(buf, ':')
			buf = appendOval(buf, r)
		}
		vals := map[string]any{}
		for i, p := range a.q.GroupBy {
			if g.vals[i] != nil {
				vals[p] = g.vals[i]
			}
		}
		for _, k := range a.trie.kids {
			mark := len(buf)
			if !first {
				buf = append(buf, ',')
			}
			buf = appendString(buf, k.name)
			buf = append(buf, ':')
			var wrote bool
			buf, wrote = appendGroupTree(buf, k, k.name, vals)
			if !wrote {
				buf = buf[:mark]
				continue
			}
			first = false
		}
		out[gi] = append(buf, '}')
	}
	return out
}

// appendGroupTree writes the grouped properties under trie node n, at path prefix.
func appendGroupTree(buf []byte, n *pnode, prefix string, vals map[string]any) ([]byte, bool) {
	if n.terminal {
		v, ok := vals[prefix]
		if !ok {
			return buf, false
		}
		return appendJSON(buf, v), true
	}
	mark := len(buf)
	buf = append(buf, '{')
	some := false
	for _, k := range n.kids {
		kmark := len(buf)
		if some {
			buf = append(buf, ',')
		}
		buf = appendString(buf, k.name)
		buf = append(buf, ':')
		var wrote bool
		buf, wrote = appendGroupTree(buf, k, prefix+"."+k.name, vals)
		if !wrote {
			buf = buf[:kmark]
			continue
		}
		some = true
	}
	if !some {
		return buf[:mark], false
	}
	return append(buf, '}'), true
}

func appendOval(buf []byte, o oval) []byte {
	switch o.kind {
	case 'n':
		return append(buf, o.s...)
	case 'b':
		return strconv.AppendBool(buf, o.b)
	case 'o':
		return append(buf, o.s...)
	}
	return appendString(buf, o.s)
}

// groupKey encodes a group value so equal values (100 and 100.0 included) share a key.
func groupKey(v any) string {
	switch o := ovalOfAny(v); o.kind {
	case 'n':
		return EncodeNumber(o.f)
	case 'b':
		return EncodeBool(o.b)
	case 's':
		return EncodeString(o.s)
	case 'o':
		return "o" + o.s
	}
	return ""
}

// eachValue calls fn with every value at path — scalars, objects and the elements of arrays,
// flattened — until fn returns true, and reports whether it did.
func (d *Doc) eachValue(path string, fn func(any) bool) bool {
	root, rest, _ := strings.Cut(path, ".")
	var v any
	var ok bool
	switch root {
	case "supplementaryConfiguration":
		if rest == "" {
			v, ok = d.rootValue(root, false)
			break
		}
		var key string
		key, rest, _ = strings.Cut(rest, ".")
		v, ok = d.supplementary()[key]
	case "configuration", "tags", "relationships":
		v, ok = d.rootValue(root, root == "tags" && rest != "")
	default:
		if rest != "" {
			return false
		}
		v, ok = d.rootValue(root, false)
	}
	if !ok {
		return false
	}
	return walkValues(v, rest, fn)
}

func walkValues(v any, path string, fn func(any) bool) bool {
	switch t := v.(type) {
	case nil:
		return false
	case []any:
		for _, e := range t {
			if walkValues(e, path, fn) {
				return true
			}
		}
		return false
	case map[string]any:
		if path == "" {
			return fn(t)
		}
		seg, rest, _ := strings.Cut(path, ".")
		child, ok := t[seg]
		if !ok {
			return false
		}
		return walkValues(child, rest, fn)
	}
	if path != "" {
		return false
	}
	return fn(v)
}
