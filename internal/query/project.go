package query

import (
	"encoding/json"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// pnode is a node of the projection trie: the selected paths merged by prefix, children in the
// order the query first names them.
type pnode struct {
	name     string
	terminal bool // the whole value at this path is selected
	kids     []*pnode
}

func (n *pnode) child(name string) *pnode {
	for _, k := range n.kids {
		if k.name == name {
			return k
		}
	}
	k := &pnode{name: name}
	n.kids = append(n.kids, k)
	return k
}

func buildTrie(items []SelectItem) *pnode {
	root := &pnode{}
	for _, it := range items {
		if it.Func != "" || it.Path == "" {
			continue
		}
		n := root
		for _, seg := range strings.Split(it.Path, ".") {
			n = n.child(seg)
		}
		n.terminal = true
	}
	return root
}

// Project shapes the result row of a non-aggregate query: a JSON object holding only the
// selected properties, re-nested by path ({"configuration":{"instanceType":"t2.micro"}}).
// Objects and arrays are returned whole; a path through an array keeps the array, with each
// element reduced to the selected properties and elements that have none of them dropped
// (configuration.ipPermissions.fromPort gives {"ipPermissions":[{"fromPort":22},...]}). A
// property the item lacks is absent, never null. tags is [{"key":..,"value":..}], [] when the
// item has none. SELECT * gives the ten top-level scalars AWS documents.
func Project(q *Query, d *Doc) []byte { return AppendProject(make([]byte, 0, 256), q, d) }

// AppendProject appends the row of Project to dst, so that a caller shaping many rows can reuse
// one buffer.
func AppendProject(dst []byte, q *Query, d *Doc) []byte {
	buf := append(dst, '{')
	if q.Star {
		first := true
		for _, name := range starFields {
			if v := d.top[topIndex(name)]; v != "" {
				if !first {
					buf = append(buf, ',')
				}
				first = false
				buf = appendString(buf, name)
				buf = append(buf, ':')
				buf = appendString(buf, v)
			}
		}
		return append(buf, '}')
	}
	trie := q.proj
	if trie == nil {
		trie = buildTrie(q.Select)
	}
	first := true
	for _, k := range trie.kids {
		v, ok := d.rootValue(k.name, k.name == "tags" && !k.terminal)
		if !ok {
			continue
		}
		mark := len(buf)
		if !first {
			buf = append(buf, ',')
		}
		buf = appendString(buf, k.name)
		buf = append(buf, ':')
		var wrote bool
		buf, wrote = appendProjected(buf, v, k)
		if !wrote {
			buf = buf[:mark]
			continue
		}
		first = false
	}
	return append(buf, '}')
}

// appendProjected appends the part of v that n selects, reporting whether there was any.
func appendProjected(buf []byte, v any, n *pnode) ([]byte, bool) {
	if v == nil {
		return buf, false
	}
	if n.terminal {
		return appendJSON(buf, v), true
	}
	switch t := v.(type) {
	case map[string]any:
		mark := len(buf)
		buf = append(buf, '{')
		some := false
		for _, k := range n.kids {
			cv, ok := t[k.name]
			if !ok {
				continue
			}
			kmark := len(buf)
			if some {
				buf = append(buf, ',')
			}
			buf = appendString(buf, k.name)
			buf = append(buf, ':')
			var wrote bool
			buf, wrote = appendProjected(buf, cv, k)
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
	case []any:
		mark := len(buf)
		buf = append(buf, '[')
		some := false
		for _, e := range t {
			emark := len(buf)
			if some {
				buf = append(buf, ',')
			}
			var wrote bool
			buf, wrote = appendProjected(buf, e, n)
			if !wrote {
				buf = buf[:emark]
				continue
			}
			some = true
		}
		if !some {
			return buf[:mark], false
		}
		return append(buf, ']'), true
	}
	return buf, false
}

// appendJSON appends a decoded JSON value: objects with sorted keys, numbers as written.
func appendJSON(buf []byte, v any) []byte {
	switch t := v.(type) {
	case nil:
		return append(buf, "null"...)
	case string:
		return appendString(buf, t)
	case json.Number:
		return append(buf, t...)
	case bool:
		return strconv.AppendBool(buf, t)
	case float64:
		return append(buf, formatNumber(t)...)
	case int64:
		return strconv.AppendInt(buf, t, 10)
	case []any:
		buf = append(buf, '[')
		for i, e := range t {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = appendJSON(buf, e)
		}
		return append(buf, ']')
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		buf = append(buf, '{')
		for i, k := range keys {
			if i > 0 {
				buf = append(buf, ',')
			}
			buf = appendString(buf, k)
			buf = append(buf, ':')
			buf = appendJSON(buf, t[k])
		}
		return append(buf, '}')
	}
	return append(buf, "null"...)
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string. Unlike encoding/json it leaves <, > and & alone
// (results are data, not HTML); invalid UTF-8 becomes U+FFFD.
func appendString(buf []byte, s string) []byte {
	buf = append(buf, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			buf = append(buf, s[start:i]...)
			switch c {
			case '"', '\\':
				buf = append(buf, '\\', c)
			case '\n':
				buf = append(buf, '\\', 'n')
			case '\r':
				buf = append(buf, '\\', 'r')
			case '\t':
				buf = append(buf, '\\', 't')
			default:
				buf = append(buf, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			buf = append(buf, s[start:i]...)
			buf = append(buf, `\ufffd`...)
			i++
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			buf = append(buf, s[start:i]...)
			buf = append(buf, `\u202`...)
			buf = append(buf, hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	buf = append(buf, s[start:]...)
	return append(buf, '"')
}
