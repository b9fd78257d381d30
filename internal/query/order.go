package query

import (
	"encoding/json"
	"sort"
	"strconv"
	"strings"
)

// Ordering of values, for ORDER BY, for the order of groups and for MIN / MAX. AWS documents
// only "sorts by the output properties"; what we chose:
//
//   - Values of different kinds order booleans, then numbers, then strings, then objects;
//     numbers compare numerically, strings by bytes (so ISO-8601 timestamps in AWS's format
//     order chronologically), objects by their JSON text.
//   - A row whose property has several values (an array) sorts by its smallest value when
//     ascending and its largest when descending, as a search engine over flattened arrays does.
//   - Rows lacking the property sort last in both directions.
//   - Ties keep the caller's order (rows) or the group order (groups).

// oval is an orderable value; kind is 0 when the value is missing.
type oval struct {
	kind byte // 'b', 'n', 's', 'o'
	s    string
	f    float64
	b    bool
}

func kindRank(k byte) int {
	switch k {
	case 'b':
		return 0
	case 'n':
		return 1
	case 's':
		return 2
	}
	return 3
}

// cmpOval orders two present values.
func cmpOval(a, b oval) int {
	if ra, rb := kindRank(a.kind), kindRank(b.kind); ra != rb {
		return ra - rb
	}
	switch a.kind {
	case 'b':
		return cmpBool(a.b, b.b)
	case 'n':
		return cmpFloat(a.f, b.f)
	}
	return strings.Compare(a.s, b.s)
}

// cmpKey orders two keys of one ORDER BY item: missing last, desc reverses the rest.
func cmpKey(a, b oval, desc bool) int {
	switch {
	case a.kind == 0 && b.kind == 0:
		return 0
	case a.kind == 0:
		return 1
	case b.kind == 0:
		return -1
	}
	c := cmpOval(a, b)
	if desc {
		return -c
	}
	return c
}

func ovalOfScalar(v scalar) oval {
	switch v.kind {
	case 'n':
		f, _ := strconv.ParseFloat(v.s, 64)
		return oval{kind: 'n', s: v.s, f: f}
	case 'b':
		return oval{kind: 'b', b: v.b}
	}
	return oval{kind: 's', s: v.s}
}

func ovalOfAny(v any) oval {
	switch t := v.(type) {
	case nil:
		return oval{}
	case string:
		return oval{kind: 's', s: t}
	case json.Number:
		f, _ := strconv.ParseFloat(string(t), 64)
		return oval{kind: 'n', s: string(t), f: f}
	case bool:
		return oval{kind: 'b', b: t}
	}
	return oval{kind: 'o', s: string(appendJSON(nil, v))}
}

// sortKey is a row's key for one ORDER BY property: its smallest value, or its largest when
// descending.
func sortKey(d *Doc, path string, desc bool) oval {
	var best oval
	d.eachScalar(path, func(v scalar) bool {
		o := ovalOfScalar(v)
		if best.kind == 0 {
			best = o
			return false
		}
		c := cmpOval(o, best)
		if (desc && c > 0) || (!desc && c < 0) {
			best = o
		}
		return false
	})
	return best
}

// SortRows orders the rows of a non-aggregate query by its ORDER BY clause, stably; without
// ORDER BY it leaves the caller's order alone.
func SortRows(q *Query, docs []*Doc) {
	var items []OrderItem
	for _, o := range q.OrderBy {
		if o.Item.Func == "" {
			items = append(items, o)
		}
	}
	if len(items) == 0 || len(docs) < 2 {
		return
	}
	type row struct {
		d    *Doc
		keys []oval
	}
	rows := make([]row, len(docs))
	for i, d := range docs {
		keys := make([]oval, len(items))
		for j, o := range items {
			keys[j] = sortKey(d, o.Item.Path, o.Desc)
		}
		rows[i] = row{d: d, keys: keys}
	}
	sort.SliceStable(rows, func(a, b int) bool {
		for j, o := range items {
			if c := cmpKey(rows[a].keys[j], rows[b].keys[j], o.Desc); c != 0 {
				return c < 0
			}
		}
		return false
	})
	for i := range rows {
		docs[i] = rows[i].d
	}
}
