package rules

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
)

// Params are a rule's input parameters after validation, with defaults applied. Values are kept
// as given; rules trim them where they compare them.
type Params map[string]string

// ParamError is an invalid managed rule identifier or InputParameters value. Its message is the
// text AWS returns with InvalidParameterValueException.
type ParamError struct{ Message string }

// Error returns the AWS message.
func (e *ParamError) Error() string { return e.Message }

// Validate looks up a managed rule and parses its InputParameters: the check PutConfigRule makes
// for Owner=AWS. Every error is a *ParamError.
func Validate(identifier, inputParameters string) (*Rule, Params, error) {
	r, ok := Lookup(identifier)
	if !ok {
		return nil, nil, &ParamError{"The sourceIdentifier " + identifier + " is invalid. Please refer to the documentation for a list of valid sourceIdentifiers that can be used when AWS is the Owner."}
	}
	p, err := ParseParams(r, inputParameters)
	if err != nil {
		return nil, nil, err
	}
	return r, p, nil
}

// ParseParams validates InputParameters (the JSON string of PutConfigRule; "" means none) against
// the rule and returns the parameters with defaults applied. It checks, in AWS's order: the text
// is a JSON object whose values are strings, numbers or booleans (numbers and booleans become
// their JSON text; null counts as absent); every name is a parameter of the rule (unless
// AnyParams); every required parameter is present. A blank value (empty or only spaces) counts as
// absent: it neither satisfies a required parameter nor overrides a default. Every error is a
// *ParamError.
func ParseParams(r *Rule, inputParameters string) (Params, error) {
	given, err := decodeParams(inputParameters)
	if err != nil {
		return nil, err
	}
	if !r.AnyParams {
		if unknown := unknownNames(r, given); len(unknown) > 0 {
			return nil, &ParamError{"Unknown parameters provided in the inputParameters: " + strings.Join(unknown, ", ")}
		}
	}
	p := make(Params, len(r.Params))
	for name, v := range given {
		if strings.TrimSpace(v) != "" {
			p[name] = v
		}
	}
	if missing := missingNames(r, p); len(missing) > 0 {
		return nil, &ParamError{"The required parameter [" + strings.Join(missing, ", ") + "] is not present in the inputParameters"}
	}
	for _, d := range r.Params {
		if _, ok := p[d.Name]; !ok && !d.Required && d.Default != "" {
			p[d.Name] = d.Default
		}
	}
	return p, nil
}

// decodeParams reads InputParameters into name → text. Objects and arrays as values are
// rejected with the invalid-JSON message: AWS documents parameter values as strings and the
// managed rules could not use them (AWS does not document this; it is orgconfig's choice).
func decodeParams(s string) (map[string]string, error) {
	if s == "" {
		return nil, nil
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal([]byte(s), &raw); err != nil || raw == nil {
		return nil, invalidJSON(s)
	}
	out := make(map[string]string, len(raw))
	for name, v := range raw {
		text, ok := paramText(v)
		if !ok {
			return nil, invalidJSON(s)
		}
		out[name] = text
	}
	return out, nil
}

// paramText converts one JSON parameter value to its text: a string's content, a number's or
// boolean's JSON text, "" for null; ok is false for objects and arrays.
func paramText(v json.RawMessage) (string, bool) {
	v = bytes.TrimSpace(v)
	if len(v) == 0 {
		return "", false
	}
	switch v[0] {
	case '"':
		var s string
		err := json.Unmarshal(v, &s)
		return s, err == nil
	case '{', '[':
		return "", false
	case 'n':
		return "", true
	default: // numbers, true, false: json.Unmarshal already checked the syntax
		return string(v), true
	}
}

// invalidJSON is AWS's error for InputParameters that are not a JSON object.
func invalidJSON(s string) error {
	return &ParamError{"Invalid json " + s + " passed in the inputParameters field"}
}

// unknownNames returns the given names that are not parameters of r, sorted.
func unknownNames(r *Rule, given map[string]string) []string {
	var unknown []string
	for name := range given {
		if r.Param(name) == nil {
			unknown = append(unknown, name)
		}
	}
	slices.Sort(unknown)
	return unknown
}

// missingNames returns the required parameters of r absent from p, sorted.
func missingNames(r *Rule, p Params) []string {
	var missing []string
	for _, d := range r.Params {
		if _, ok := p[d.Name]; d.Required && !ok {
			missing = append(missing, d.Name)
		}
	}
	slices.Sort(missing)
	return missing
}

// flag reports whether a boolean parameter is set: only the literal lowercase "true" is true.
func (p Params) flag(name string) bool { return p[name] == "true" }

// text returns a parameter with surrounding spaces removed ("" when absent).
func (p Params) text(name string) string { return strings.TrimSpace(p[name]) }

// list splits a comma-separated parameter into its trimmed, non-empty entries.
func (p Params) list(name string) []string { return splitCSV(p[name]) }

// integer reads an integer parameter; ok is false when it is absent or not an integer (a JSON
// number such as 14.0 counts as 14).
func (p Params) integer(name string) (n int, ok bool) {
	s := p.text(name)
	if n, err := strconv.Atoi(s); err == nil {
		return n, true
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, false
	}
	return value{f}.integer()
}

// splitCSV splits s at commas into its trimmed, non-empty entries.
func splitCSV(s string) []string {
	var out []string
	for entry := range strings.SplitSeq(s, ",") {
		if entry = strings.TrimSpace(entry); entry != "" {
			out = append(out, entry)
		}
	}
	return out
}
