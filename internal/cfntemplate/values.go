package cfntemplate

import (
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
)

// A template value is one of: string, number, bool, nil (a YAML or JSON null), []any, *object.
// Evaluation may also produce noValue.

// object is a template mapping. It keeps its keys in document order, so that rules, remediations
// and parameters come out in the order the template declares them.
type object struct {
	keys []string
	vals map[string]any
}

// newObject returns an empty mapping.
func newObject() *object {
	return &object{vals: map[string]any{}}
}

// get returns the value under key and whether the mapping has it.
func (o *object) get(key string) (any, bool) {
	v, ok := o.vals[key]
	return v, ok
}

// has reports whether the mapping has key.
func (o *object) has(key string) bool {
	_, ok := o.vals[key]
	return ok
}

// set stores v under key, keeping key's first position when it is already present.
func (o *object) set(key string, v any) {
	if _, ok := o.vals[key]; !ok {
		o.keys = append(o.keys, key)
	}
	o.vals[key] = v
}

// number is a numeric scalar, held as the text of a JSON number so that it renders as written.
type number string

// noValue is what Ref AWS::NoValue evaluates to: the property or list element that holds it is
// removed, as CloudFormation removes it.
type noValue struct{}

// intrinsic reports whether o is a function call: a mapping with the single key Ref or Fn::*.
func intrinsic(o *object) (fn string, arg any, ok bool) {
	if len(o.keys) != 1 {
		return "", nil, false
	}
	k := o.keys[0]
	if k != "Ref" && !strings.HasPrefix(k, "Fn::") {
		return "", nil, false
	}
	return k, o.vals[k], true
}

// scalarText renders a string, number or bool as the text CloudFormation passes on: numbers as
// written, booleans as true or false.
func scalarText(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case number:
		return string(x), true
	case bool:
		return strconv.FormatBool(x), true
	}
	return "", false
}

// kindName names v's type the way CloudFormation's property validation does.
func kindName(v any) string {
	switch v.(type) {
	case string:
		return "String"
	case number:
		return "Number"
	case bool:
		return "Boolean"
	case []any:
		return "JSONArray"
	case *object:
		return "JSONObject"
	}
	return "null"
}

// plain converts an evaluated value to the Go values encoding/json produces: string, bool,
// json.Number, []any and map[string]any.
func plain(v any) any {
	switch x := v.(type) {
	case number:
		return json.Number(x)
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = plain(e)
		}
		return out
	case *object:
		out := make(map[string]any, len(x.keys))
		for _, k := range x.keys {
			out[k] = plain(x.vals[k])
		}
		return out
	}
	return v
}

// jsonText renders an evaluated value as compact JSON.
func jsonText(v any) string {
	b, err := json.Marshal(plain(v))
	if err != nil {
		// Only a number whose text is not JSON could fail, and decode never makes one.
		return ""
	}
	return string(b)
}

// inputText renders one InputParameters value as the string AWS Config stores for it: scalars as
// their text, lists as their elements joined with "," (the way a CSV parameter is written, so a
// Ref to one round-trips), anything else as compact JSON (AWS does not document this; it is
// orgconfig's choice).
func inputText(v any) string {
	if s, ok := scalarText(v); ok {
		return s
	}
	if l, ok := v.([]any); ok {
		parts := make([]string, len(l))
		for i, e := range l {
			parts[i] = inputText(e)
		}
		return strings.Join(parts, ",")
	}
	return jsonText(v)
}

// canonical replaces every scalar in v by its text, so that Fn::Equals compares values the way
// CloudFormation compares strings ("1" equals 1).
func canonical(v any) any {
	if s, ok := scalarText(v); ok {
		return s
	}
	switch x := v.(type) {
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = canonical(e)
		}
		return out
	case *object:
		out := make(map[string]any, len(x.keys))
		for _, k := range x.keys {
			out[k] = canonical(x.vals[k])
		}
		return out
	}
	return v
}

// equal reports whether two evaluated values are equal for Fn::Equals.
func equal(a, b any) bool {
	return reflect.DeepEqual(canonical(a), canonical(b))
}

// alphanumeric reports whether s is a non-empty run of ASCII letters and digits, the form
// CloudFormation requires of logical IDs and parameter names.
func alphanumeric(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}
