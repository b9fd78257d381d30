package awsproto

import (
	"encoding/json"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// maxQueryListIndex bounds list and map indexes in a Query form, so a hostile request such as
// Tags.member.999999999.Key cannot make the decoder allocate.
const maxQueryListIndex = 1000

// DecodeQuery turns a Query-protocol form into the JSON input of op, checking it against the
// model on the way: lists are Name.member.N (Name.N when flattened), maps Name.entry.N.key and
// .value, nested structures Name.Member. Unknown parameters are ignored, as AWS does. It returns
// the JSON body for the operation's handler, or a *Error.
func DecodeQuery(svc *Service, op *Operation, form url.Values) ([]byte, error) {
	if op.Input == "" {
		return []byte("{}"), nil
	}
	d := &queryDecoder{svc: svc, form: form}
	tree := d.structure(svc.Shapes[op.Input], "")
	if d.err != nil {
		return nil, d.err
	}
	if tree == nil {
		tree = map[string]any{}
	}
	if err := validateTree(svc, op, tree); err != nil {
		return nil, err
	}
	return json.Marshal(tree)
}

type queryDecoder struct {
	svc  *Service
	form url.Values
	err  *Error
	// keys is the sorted list of form keys, built on first use for prefix scans.
	keys []string
}

// has reports whether the form holds prefix or anything under it (prefix.…).
func (d *queryDecoder) has(prefix string) bool {
	if _, ok := d.form[prefix]; ok {
		return true
	}
	keys := d.sortedKeys()
	p := prefix + "."
	i := sort.SearchStrings(keys, p)
	return i < len(keys) && strings.HasPrefix(keys[i], p)
}

// sortedKeys returns the form's keys in order, for prefix scans.
func (d *queryDecoder) sortedKeys() []string {
	if d.keys == nil {
		d.keys = make([]string, 0, len(d.form))
		for k := range d.form {
			d.keys = append(d.keys, k)
		}
		sort.Strings(d.keys)
	}
	return d.keys
}

// indexes checks the members of the list or map under base (base.1, base.2, ...) and returns
// how many there are. The indexes must be 1 to n without a gap: a member that is missing,
// numbered 0, past maxQueryListIndex or not a number would otherwise be dropped in silence, so
// it is a ValidationError, naming the first offending parameter.
func (d *queryDecoder) indexes(base string) (int, bool) {
	keys := d.sortedKeys()
	p := base + "."
	seen := map[int]bool{}
	top := 0
	for i := sort.SearchStrings(keys, p); i < len(keys) && strings.HasPrefix(keys[i], p); i++ {
		seg, _, _ := strings.Cut(keys[i][len(p):], ".")
		n, err := strconv.Atoi(seg)
		if err != nil || n < 1 || n > maxQueryListIndex || strconv.Itoa(n) != seg {
			d.err = ErrValidation("1 validation error detected: Parameter '%s' is not a valid list or map member: its index must be a number from 1 to %d", keys[i], maxQueryListIndex)
			return 0, false
		}
		seen[n] = true
		top = max(top, n)
	}
	for i := 1; i <= top; i++ {
		if !seen[i] {
			d.err = ErrValidation("1 validation error detected: Value null at '%s.%d' failed to satisfy constraint: Member must not be null", base, i)
			return 0, false
		}
	}
	return top, true
}

// memberKey is the query parameter key of member name under prefix: "prefix.name", or name
// alone at the top level.
func memberKey(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}

// structure decodes the members of s under prefix; nil when none is present.
func (d *queryDecoder) structure(s *Shape, prefix string) map[string]any {
	if s == nil {
		return nil
	}
	var out map[string]any
	for _, m := range s.Members {
		name := m.Name
		if m.LocationName != "" {
			name = m.LocationName
		}
		key := memberKey(prefix, name)
		if !d.has(key) {
			continue
		}
		v, ok := d.value(d.svc.Shapes[m.Shape], key, m.Flattened)
		if !ok {
			continue
		}
		if out == nil {
			out = map[string]any{}
		}
		out[m.Name] = v
	}
	return out
}

func (d *queryDecoder) value(s *Shape, key string, flattened bool) (any, bool) {
	if s == nil || d.err != nil {
		return nil, false
	}
	switch s.Type {
	case TypeStructure:
		m := d.structure(s, key)
		if m == nil {
			return map[string]any{}, true
		}
		return m, true
	case TypeList:
		// An empty list is sent as "Name=" with no members.
		elem := d.svc.Shapes[s.Member]
		base := key + ".member"
		if flattened || s.Flattened {
			base = key
		}
		n, ok := d.indexes(base)
		if !ok {
			return nil, false
		}
		list := []any{}
		for i := 1; i <= n; i++ {
			v, ok := d.value(elem, base+"."+strconv.Itoa(i), false)
			if ok {
				list = append(list, v)
			}
		}
		return list, true
	case TypeMap:
		base := key + ".entry"
		if flattened || s.Flattened {
			base = key
		}
		n, ok := d.indexes(base)
		if !ok {
			return nil, false
		}
		m := map[string]any{}
		for i := 1; i <= n; i++ {
			k := base + "." + strconv.Itoa(i)
			mk := d.form.Get(k + ".key")
			v, ok := d.value(d.svc.Shapes[s.Value], k+".value", false)
			if ok {
				m[mk] = v
			}
		}
		return m, true
	}
	raw, ok := d.form[key]
	if !ok || len(raw) == 0 {
		return nil, false
	}
	str := raw[0]
	switch s.Type {
	case TypeInteger, TypeLong:
		if _, err := strconv.ParseInt(str, 10, 64); err != nil {
			d.err = ErrInvalidParameterValue("Value '%s' for parameter %s is not a valid integer.", str, key)
			return nil, false
		}
		return json.Number(str), true
	case TypeFloat, TypeDouble:
		if _, err := strconv.ParseFloat(str, 64); err != nil {
			d.err = ErrInvalidParameterValue("Value '%s' for parameter %s is not a valid number.", str, key)
			return nil, false
		}
		return json.Number(str), true
	case TypeBoolean:
		b, err := strconv.ParseBool(str)
		if err != nil {
			d.err = ErrInvalidParameterValue("Value '%s' for parameter %s is not a valid boolean.", str, key)
			return nil, false
		}
		return b, true
	}
	return str, true
}
