package awsproto

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// maxViolations bounds how many constraint violations one error message lists.
const maxViolations = 10

// violation is one broken model constraint.
type violation struct {
	path   string
	value  string // rendered as AWS renders it; "null" for a missing member
	rule   string // "Member must ..."
	reason string // Organizations' InvalidInputException reason
}

func (v violation) String() string {
	if v.value == "null" {
		return fmt.Sprintf("Value null at '%s' failed to satisfy constraint: %s", v.path, v.rule)
	}
	return fmt.Sprintf("Value '%s' at '%s' failed to satisfy constraint: %s", v.value, v.path, v.rule)
}

// validator walks a decoded request against the model.
type validator struct {
	svc  *Service
	errs []violation
	// typeErr is a JSON type mismatch, reported as a serialization error.
	typeErr *Error
}

// ValidateJSON decodes a JSON request body and checks it against the input shape of op. It
// returns a *Error (SerializationException for malformed JSON or wrong JSON types, the service's
// validation error for broken constraints) or nil.
func ValidateJSON(svc *Service, op *Operation, body []byte) error {
	if !utf8.Valid(body) {
		// encoding/json would turn the bad bytes into U+FFFD and let the request through.
		return ErrSerialization("Invalid UTF-8 in request body")
	}
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		body = []byte("{}")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var tree any
	if err := dec.Decode(&tree); err != nil {
		return ErrSerialization("Invalid JSON in request body: %s", jsonErrText(err))
	}
	if dec.More() {
		return ErrSerialization("Invalid JSON in request body: unexpected data after the top-level value")
	}
	if _, ok := tree.(map[string]any); !ok && tree != nil {
		return ErrSerialization("The request body must be a JSON object")
	}
	if op.Input == "" {
		// An operation without input still takes only a JSON object (its members ignored).
		return nil
	}
	return validateTree(svc, op, tree)
}

func validateTree(svc *Service, op *Operation, tree any) error {
	v := &validator{svc: svc}
	v.value(svc.Shapes[op.Input], "", tree, true)
	if v.typeErr != nil {
		return v.typeErr
	}
	if len(v.errs) == 0 {
		return nil
	}
	return v.render()
}

func jsonErrText(err error) string {
	s := err.Error()
	return strings.TrimPrefix(s, "json: ")
}

// render builds the service's validation error from the violations.
func (v *validator) render() *Error {
	parts := make([]string, 0, len(v.errs))
	for i, e := range v.errs {
		if i == maxViolations {
			break
		}
		parts = append(parts, e.String())
	}
	noun := "errors"
	if len(v.errs) == 1 {
		noun = "error"
	}
	msg := fmt.Sprintf("%d validation %s detected: %s", len(v.errs), noun, strings.Join(parts, "; "))
	if v.svc.Name == "organizations" {
		// Organizations reports constraint failures as InvalidInputException with a Reason,
		// never ValidationException.
		return (&Error{Code: "InvalidInputException", Status: 400, Sender: true, Message: msg}).With("Reason", v.errs[0].reason)
	}
	return ErrValidation("%s", msg)
}

// lowerFirst renders a member name as AWS's validation paths do (configurationAggregatorName).
func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	return strings.ToLower(string(r)) + s[n:]
}

func join(path, name string) string {
	if path == "" {
		return lowerFirst(name)
	}
	return path + "." + lowerFirst(name)
}

func (v *validator) add(path, value, rule, reason string) {
	v.errs = append(v.errs, violation{path: path, value: value, rule: rule, reason: reason})
}

func (v *validator) mismatch(path, want string, got any) {
	if v.typeErr != nil {
		return
	}
	where := path
	if where == "" {
		where = "the request"
	}
	v.typeErr = ErrSerialization("Expected %s for %s, got %s", want, where, jsonKind(got))
}

func jsonKind(x any) string {
	switch x.(type) {
	case map[string]any:
		return "an object"
	case []any:
		return "an array"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	}
	return "null"
}

// value validates x (already known to be present unless nil) against shape s.
func (v *validator) value(s *Shape, path string, x any, top bool) {
	if s == nil || x == nil {
		return
	}
	switch s.Type {
	case TypeStructure:
		m, ok := x.(map[string]any)
		if !ok {
			v.mismatch(path, "an object", x)
			return
		}
		for _, r := range s.Required {
			if val, ok := m[r]; !ok || val == nil {
				v.add(join(path, r), "null", "Member must not be null", "INPUT_REQUIRED")
			}
		}
		for _, mem := range s.Members {
			val, ok := m[mem.Name]
			if !ok || val == nil {
				continue
			}
			v.value(v.svc.Shapes[mem.Shape], join(path, mem.Name), val, false)
		}
	case TypeList:
		l, ok := x.([]any)
		if !ok {
			v.mismatch(path, "an array", x)
			return
		}
		v.size(s, path, len(l), func() string { return renderList(l) })
		elem := v.svc.Shapes[s.Member]
		for i, e := range l {
			p := fmt.Sprintf("%s.%d.member", path, i+1)
			if e == nil {
				v.add(p, "null", "Member must not be null", "INPUT_REQUIRED")
				continue
			}
			v.value(elem, p, e, false)
		}
	case TypeMap:
		m, ok := x.(map[string]any)
		if !ok {
			v.mismatch(path, "an object", x)
			return
		}
		v.size(s, path, len(m), func() string { return renderMap(m) })
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		ks, vs := v.svc.Shapes[s.Key], v.svc.Shapes[s.Value]
		for _, k := range keys {
			v.value(ks, path+".key", k, false)
			if m[k] == nil {
				v.add(path+".value", "null", "Member must not be null", "INPUT_REQUIRED")
				continue
			}
			v.value(vs, path+".value", m[k], false)
		}
	case TypeString:
		str, ok := x.(string)
		if !ok {
			v.mismatch(path, "a string", x)
			return
		}
		n := utf8.RuneCountInString(str)
		v.size(s, path, n, func() string { return str })
		if len(s.Enum) > 0 && !contains(s.Enum, str) && !openEnum(v.svc, s, str) {
			v.add(path, str, "Member must satisfy enum value set: ["+strings.Join(s.Enum, ", ")+"]", "INVALID_ENUM")
		}
		if s.Pattern != "" {
			if re := compiled(s.Pattern); re != nil && !re.MatchString(str) {
				v.add(path, str, "Member must satisfy regular expression pattern: "+s.Pattern, "INVALID_PATTERN")
			}
		}
	case TypeBlob:
		str, ok := x.(string)
		if !ok {
			v.mismatch(path, "a base64 string", x)
			return
		}
		v.size(s, path, len(str)*3/4, func() string { return "<binary>" })
	case TypeInteger, TypeLong:
		n, ok := x.(json.Number)
		if !ok {
			v.mismatch(path, "a number", x)
			return
		}
		i, err := strconv.ParseInt(string(n), 10, 64)
		if err != nil || (s.Type == TypeInteger && (i > math.MaxInt32 || i < math.MinInt32)) {
			v.mismatch(path, "an integer", x)
			return
		}
		v.number(s, path, float64(i), string(n))
	case TypeFloat, TypeDouble:
		n, ok := x.(json.Number)
		if !ok {
			v.mismatch(path, "a number", x)
			return
		}
		f, err := n.Float64()
		if err != nil {
			v.mismatch(path, "a number", x)
			return
		}
		v.number(s, path, f, string(n))
	case TypeBoolean:
		if _, ok := x.(bool); !ok {
			v.mismatch(path, "a boolean", x)
		}
	case TypeTimestamp:
		switch t := x.(type) {
		case json.Number:
			if _, err := t.Float64(); err != nil {
				v.mismatch(path, "a timestamp", x)
			}
		case string:
			if _, err := ParseTimeString(t); err != nil {
				v.mismatch(path, "a timestamp", x)
			}
		default:
			v.mismatch(path, "a timestamp", x)
		}
	}
}

// ThirdPartyType is the form of a CloudFormation registry resource type (Org::Service::Resource,
// each part 2 to 64 letters and digits): the types PutResourceConfig records, and the only
// values outside the ResourceType enum that Config's read operations take.
var ThirdPartyType = regexp.MustCompile(`^[A-Za-z0-9]{2,64}::[A-Za-z0-9]{2,64}::[A-Za-z0-9]{2,64}$`)

// openEnum reports whether a value outside a model enum is still valid on the wire. AWS Config's
// ResourceType enum lists AWS's own types, yet the service accepts third-party types recorded
// with PutResourceConfig wherever a resource type is asked for (history, discovery, batch get).
// The AWS:: namespace stays closed: an AWS type must be one the model lists.
func openEnum(svc *Service, s *Shape, value string) bool {
	return svc.Name == "config" && s.Name == "ResourceType" && ThirdPartyType.MatchString(value) &&
		!strings.HasPrefix(strings.ToUpper(value), "AWS::")
}

// size checks length bounds of strings, blobs, lists and maps.
func (v *validator) size(s *Shape, path string, n int, render func() string) {
	if s.HasMin && float64(n) < s.Min {
		v.add(path, render(), fmt.Sprintf("Member must have length greater than or equal to %s", num(s.Min)), "MIN_LENGTH_EXCEEDED")
	}
	if s.HasMax && float64(n) > s.Max {
		v.add(path, render(), fmt.Sprintf("Member must have length less than or equal to %s", num(s.Max)), "MAX_LENGTH_EXCEEDED")
	}
}

// number checks value bounds.
func (v *validator) number(s *Shape, path string, f float64, text string) {
	if s.HasMin && f < s.Min {
		v.add(path, text, fmt.Sprintf("Member must have value greater than or equal to %s", num(s.Min)), "MIN_VALUE_EXCEEDED")
	}
	if s.HasMax && f > s.Max {
		v.add(path, text, fmt.Sprintf("Member must have value less than or equal to %s", num(s.Max)), "MAX_VALUE_EXCEEDED")
	}
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func renderList(l []any) string {
	parts := make([]string, len(l))
	for i, e := range l {
		parts[i] = renderScalar(e)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

func renderMap(m map[string]any) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + renderScalar(m[k])
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

func renderScalar(x any) string {
	switch t := x.(type) {
	case string:
		return t
	case json.Number:
		return string(t)
	case bool:
		return strconv.FormatBool(t)
	case nil:
		return "null"
	case []any:
		return renderList(t)
	case map[string]any:
		return renderMap(t)
	}
	return fmt.Sprint(x)
}

// patterns caches compiled, anchored model patterns. AWS's servers match patterns against the
// whole value (Java's matches()), so each is wrapped in ^(?:...)$.
var patterns sync.Map // string -> *regexp.Regexp (nil if it does not compile)

func compiled(p string) *regexp.Regexp {
	if re, ok := patterns.Load(p); ok {
		r, _ := re.(*regexp.Regexp)
		return r
	}
	re, err := regexp.Compile("^(?:" + p + ")$")
	if err != nil {
		re = nil
	}
	patterns.Store(p, re)
	return re
}
