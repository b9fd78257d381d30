package malformed

import (
	"encoding/json"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/orgconfig/orgconfig/internal/awsproto"
)

// stepKind is one move from a container to a value inside it.
type stepKind int

const (
	stepMember stepKind = iota // a member of a structure
	stepElem                   // the first element of a list
	stepKey                    // the key of a map's only entry
	stepValue                  // the value of a map's first entry
)

type step struct {
	kind stepKind
	name string // the member, for stepMember
}

// site is one place in an operation's input where a value lives: a member of the input
// structure, or a member, list element, map key or map value nested below one.
type site struct {
	steps []step
	shape *awsproto.Shape
	// required: the value is a required member of its structure.
	required bool
	// path is the member path as the server's validation messages spell it
	// (accountAggregationSources.1.member.accountIds).
	path string
	// name is the member the value belongs to, which an error about it must name.
	name string
	// qkey is the value's Query parameter, or the prefix of its parameters (Tags.member.1).
	qkey string
	// flat: a list or map serialized without its member/entry level in Query.
	flat bool
}

func (s site) String() string { return s.path }

// sites lists the places of input shape in, walking nested structures, lists and maps down to
// maxDepth levels.
func sites(svc *awsproto.Service, in *awsproto.Shape) []site {
	var out []site
	var structure func(s *awsproto.Shape, parent site, depth int)
	var descend func(st site, depth int)
	structure = func(s *awsproto.Shape, parent site, depth int) {
		for _, m := range s.Members {
			ms := svc.Shapes[m.Shape]
			if ms == nil {
				continue
			}
			qname := m.Name
			if m.LocationName != "" {
				qname = m.LocationName
			}
			st := site{
				steps:    appendStep(parent.steps, step{stepMember, m.Name}),
				shape:    ms,
				required: isRequired(s, m.Name),
				path:     joinPath(parent.path, m.Name),
				name:     m.Name,
				qkey:     joinKey(parent.qkey, qname),
				flat:     m.Flattened || ms.Flattened,
			}
			out = append(out, st)
			descend(st, depth+1)
		}
	}
	descend = func(st site, depth int) {
		if depth > maxDepth {
			return
		}
		switch st.shape.Type {
		case awsproto.TypeStructure:
			structure(st.shape, st, depth)
		case awsproto.TypeList:
			es := svc.Shapes[st.shape.Member]
			if es == nil {
				return
			}
			e := site{steps: appendStep(st.steps, step{kind: stepElem}), shape: es, path: st.path + ".1.member",
				name: st.name, qkey: listBase(st) + ".1", flat: es.Flattened}
			out = append(out, e)
			descend(e, depth+1)
		case awsproto.TypeMap:
			ks, vs := svc.Shapes[st.shape.Key], svc.Shapes[st.shape.Value]
			if ks == nil || vs == nil {
				return
			}
			base := mapBase(st) + ".1"
			out = append(out, site{steps: appendStep(st.steps, step{kind: stepKey}), shape: ks, path: st.path + ".key",
				name: st.name, qkey: base + ".key"})
			v := site{steps: appendStep(st.steps, step{kind: stepValue}), shape: vs, path: st.path + ".value",
				name: st.name, qkey: base + ".value", flat: vs.Flattened}
			out = append(out, v)
			descend(v, depth+1)
		}
	}
	if in != nil {
		structure(in, site{}, 0)
	}
	return out
}

func appendStep(steps []step, s step) []step {
	out := make([]step, len(steps), len(steps)+1)
	copy(out, steps)
	return append(out, s)
}

// joinPath extends a validation path as the server spells it: member names with a lower-case
// first letter, joined by dots.
func joinPath(path, name string) string {
	r, n := utf8.DecodeRuneInString(name)
	name = string(unicode.ToLower(r)) + name[n:]
	if path == "" {
		return name
	}
	return path + "." + name
}

func joinKey(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}

// listBase is the prefix of a Query list's numbered members: Name.member, or Name when flattened.
func listBase(st site) string {
	if st.flat {
		return st.qkey
	}
	return st.qkey + ".member"
}

// mapBase is the prefix of a Query map's numbered entries: Name.entry, or Name when flattened.
func mapBase(st site) string {
	if st.flat {
		return st.qkey
	}
	return st.qkey + ".entry"
}

// put returns x, a value of shape s, with the value the steps lead to replaced by v. Containers
// on the way that are missing are created with valid values; a list gets one element, a map
// one entry. At a stepKey, v (a string) becomes the key of the map's only entry.
func put(svc *awsproto.Service, s *awsproto.Shape, x any, steps []step, v any) any {
	if len(steps) == 0 {
		return v
	}
	st := steps[0]
	switch st.kind {
	case stepMember:
		m, _ := x.(map[string]any)
		if m == nil {
			m = map[string]any{}
		}
		mem, _ := member(s, st.name)
		ms := svc.Shapes[mem.Shape]
		cur, ok := m[st.name]
		if !ok || cur == nil {
			cur, _ = valid(svc, ms, 0)
		}
		m[st.name] = put(svc, ms, cur, steps[1:], v)
		return m
	case stepElem:
		l, _ := x.([]any)
		es := svc.Shapes[s.Member]
		if len(l) == 0 {
			e, _ := valid(svc, es, 0)
			l = []any{e}
		}
		l[0] = put(svc, es, l[0], steps[1:], v)
		return l
	case stepValue:
		m, _ := x.(map[string]any)
		vs := svc.Shapes[s.Value]
		if len(m) == 0 {
			m = map[string]any{}
			k := "a"
			if keys := distinctKeys(svc.Shapes[s.Key], 1); keys != nil {
				k = keys[0]
			}
			m[k], _ = valid(svc, vs, 0)
		}
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		m[keys[0]] = put(svc, vs, m[keys[0]], steps[1:], v)
		return m
	case stepKey:
		val, _ := valid(svc, svc.Shapes[s.Value], 0)
		k, _ := v.(string)
		return map[string]any{k: val}
	}
	return x
}

// encodeForm writes x, a value of shape s, as the Query parameters under key.
func encodeForm(svc *awsproto.Service, s *awsproto.Shape, key string, x any, flat bool, form url.Values) {
	if s == nil || x == nil {
		return
	}
	switch s.Type {
	case awsproto.TypeStructure:
		m, _ := x.(map[string]any)
		n := len(form)
		for _, mem := range s.Members {
			v, ok := m[mem.Name]
			if !ok {
				continue
			}
			name := mem.Name
			if mem.LocationName != "" {
				name = mem.LocationName
			}
			encodeForm(svc, svc.Shapes[mem.Shape], joinKey(key, name), v, mem.Flattened, form)
		}
		if len(form) == n && key != "" {
			form.Set(key, "") // an empty structure, named so that it is present
		}
	case awsproto.TypeList:
		l, _ := x.([]any)
		if len(l) == 0 {
			form.Set(key, "") // an empty list, as the SDKs send it
			return
		}
		base := key + ".member"
		if flat || s.Flattened {
			base = key
		}
		for i, e := range l {
			encodeForm(svc, svc.Shapes[s.Member], base+"."+strconv.Itoa(i+1), e, false, form)
		}
	case awsproto.TypeMap:
		m, _ := x.(map[string]any)
		base := key + ".entry"
		if flat || s.Flattened {
			base = key
		}
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for i, k := range keys {
			p := base + "." + strconv.Itoa(i+1)
			form.Set(p+".key", k)
			encodeForm(svc, svc.Shapes[s.Value], p+".value", m[k], false, form)
		}
	case awsproto.TypeTimestamp:
		form.Set(key, "2023-11-14T22:13:20Z")
	default:
		switch t := x.(type) {
		case string:
			form.Set(key, t)
		case json.Number:
			form.Set(key, string(t))
		case bool:
			form.Set(key, strconv.FormatBool(t))
		}
	}
}

// dropParams removes the parameter key and every parameter under it (key.…).
func dropParams(form url.Values, key string) {
	for k := range form {
		if k == key || strings.HasPrefix(k, key+".") {
			delete(form, k)
		}
	}
}
