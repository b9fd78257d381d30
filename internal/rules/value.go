package rules

import (
	"encoding/json"
	"math"
	"net/url"
	"strconv"
	"strings"
)

// value is a parsed JSON value read leniently. Every accessor answers the zero value ("", false,
// nil) when the value does not have the expected shape, so a rule reading unexpected
// configuration JSON sees "absent" where it looked for something: this is how the package makes
// malformed input non-matching instead of panicking.
type value struct{ v any }

// parseValue parses raw JSON; empty or invalid input gives the absent value.
func parseValue(raw []byte) value {
	var v any
	if len(raw) == 0 || json.Unmarshal(raw, &v) != nil {
		return value{}
	}
	return value{v}
}

// get follows object fields; a missing field, or a step through anything but an object, gives
// the absent value.
func (x value) get(path ...string) value {
	for _, key := range path {
		m, ok := x.v.(map[string]any)
		if !ok {
			return value{}
		}
		x = value{m[key]}
	}
	return x
}

// first returns the first of the fields that is present (for shapes recorded with different
// spellings).
func (x value) first(keys ...string) value {
	for _, k := range keys {
		if v := x.get(k); v.present() {
			return v
		}
	}
	return value{}
}

// present reports whether the value exists and is not JSON null.
func (x value) present() bool { return x.v != nil }

// object reports whether the value is a JSON object.
func (x value) object() (map[string]any, bool) {
	m, ok := x.v.(map[string]any)
	return m, ok
}

// str returns a JSON string's content, or "" for anything else.
func (x value) str() string {
	s, _ := x.v.(string)
	return s
}

// isTrue reports whether the value is JSON true. The string "true" does not count: the
// configuration schemas type these fields as booleans.
func (x value) isTrue() bool {
	b, _ := x.v.(bool)
	return b
}

// boolean returns a JSON boolean; ok is false for anything else.
func (x value) boolean() (b, ok bool) {
	b, ok = x.v.(bool)
	return b, ok
}

// list returns a JSON array's elements, or nil for anything else.
func (x value) list() []value {
	a, _ := x.v.([]any)
	if len(a) == 0 {
		return nil
	}
	out := make([]value, len(a))
	for i, e := range a {
		out[i] = value{e}
	}
	return out
}

// nonEmptyList reports whether the value is an array with at least one element.
func (x value) nonEmptyList() bool { return len(x.list()) > 0 }

// text returns a string as is, a number in its shortest decimal form and a boolean as "true" or
// "false"; "" for anything else.
func (x value) text() string {
	switch v := x.v.(type) {
	case string:
		return v
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(v)
	}
	return ""
}

// texts returns the text of a scalar as a one-element list, and the texts of an array's scalar
// elements (policy fields such as Action hold either form).
func (x value) texts() []string {
	if a, ok := x.v.([]any); ok {
		var out []string
		for _, e := range a {
			if t := (value{e}).text(); t != "" {
				out = append(out, t)
			}
		}
		return out
	}
	if t := x.text(); t != "" {
		return []string{t}
	}
	return nil
}

// integer returns an integral number, or a string holding one, within ±2³¹; ok is false for
// anything else.
func (x value) integer() (int, bool) {
	var f float64
	switch v := x.v.(type) {
	case float64:
		f = v
	case string:
		parsed, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil {
			return 0, false
		}
		f = parsed
	default:
		return 0, false
	}
	if f != math.Trunc(f) || math.Abs(f) > math.MaxInt32 { // NaN fails the first test
		return 0, false
	}
	return int(f), true
}

// embedded returns the JSON document held by a string value: AWS records some supplementary
// configuration (AccessControlList, sometimes BucketPolicy.policyText) as JSON text, at times
// URL-encoded. A string that holds no JSON gives the absent value; a value that is not a string
// is returned as is.
func (x value) embedded() value {
	s, ok := x.v.(string)
	if !ok {
		return x
	}
	s = strings.TrimSpace(s)
	if v := parseValue([]byte(s)); v.present() {
		return v
	}
	for _, unescape := range []func(string) (string, error){url.QueryUnescape, url.PathUnescape} {
		if u, err := unescape(s); err == nil {
			if v := parseValue([]byte(u)); v.present() {
				return v
			}
		}
	}
	return value{}
}

// supplementary returns a supplementaryConfiguration entry of it, decoding the JSON-in-a-string
// form.
func supplementary(it *Item, name string) value {
	return parseValue(it.Supplementary[name]).embedded()
}
