package cfntemplate

import (
	"errors"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// paramTypes are the parameter types a conformance pack template may declare. The first six are
// the ones the Config developer guide lists ("String", "int", "double", "CSV", "boolean" and
// "StringMap"); Number and CommaDelimitedList, CloudFormation's own names for double and CSV, are
// accepted too because packs are CloudFormation stacks (AWS Config does not document them; this
// is orgconfig's choice).
var paramTypes = map[string]bool{
	"String": true, "int": true, "double": true, "CSV": true, "boolean": true, "StringMap": true,
	"Number": true, "CommaDelimitedList": true,
}

// paramAttributes are the members a parameter declaration may have (CloudFormation's list).
var paramAttributes = map[string]bool{
	"Type": true, "Default": true, "Description": true, "AllowedValues": true, "AllowedPattern": true,
	"ConstraintDescription": true, "MinLength": true, "MaxLength": true, "MinValue": true,
	"MaxValue": true, "NoEcho": true,
}

// param is one declared parameter with its value.
type param struct {
	Parameter
	decl *object
}

// isList reports whether Ref returns the parameter as a list of strings, as it does for
// CloudFormation's CommaDelimitedList.
func (p *param) isList() bool {
	return p.Type == "CSV" || p.Type == "CommaDelimitedList"
}

// ref is what Ref returns for the parameter: its value, split on "," for list types (members are
// not trimmed, so joining them again gives back the value exactly; AWS does not document this).
func (p *param) ref() any {
	if !p.isList() {
		return p.Value
	}
	parts := strings.Split(p.Value, ",")
	out := make([]any, len(parts))
	for i, s := range parts {
		out[i] = s
	}
	return out
}

// declareParameters reads the Parameters section and gives each parameter its value: the
// ConformancePackInputParameters value when one is given, else its Default. Input values for
// undeclared parameters and parameters left without a value are CloudFormation's errors.
func declareParameters(root *object, inputs map[string]string) ([]*param, error) {
	section, err := sectionObject(root, "Parameters")
	if err != nil {
		return nil, err
	}
	var params []*param
	for _, name := range section.keys {
		p, err := declareParameter(name, section.vals[name])
		if err != nil {
			return nil, err
		}
		params = append(params, p)
	}
	if err := assignValues(params, section, inputs); err != nil {
		return nil, err
	}
	for _, p := range params {
		if err := p.validate(); err != nil {
			return nil, err
		}
	}
	return params, nil
}

// sectionObject returns a top-level section that must be a mapping, or an empty one when absent.
func sectionObject(root *object, name string) (*object, error) {
	v, ok := root.get(name)
	if !ok {
		return newObject(), nil
	}
	obj, ok := v.(*object)
	if !ok {
		return nil, problem("Template format error: The %s section must be an object", name)
	}
	return obj, nil
}

// declareParameter checks one parameter declaration.
func declareParameter(name string, v any) (*param, error) {
	if !alphanumeric(name) {
		return nil, problem("Template format error: Parameter name %s is non alphanumeric.", name)
	}
	decl, ok := v.(*object)
	if !ok || !decl.has("Type") {
		return nil, problem("Template format error: Every Parameters object must contain a Type member.")
	}
	for _, k := range decl.keys {
		if !paramAttributes[k] {
			return nil, problem("Template format error: Invalid template parameter property '%s'", k)
		}
	}
	typ, _ := decl.vals["Type"].(string)
	if !paramTypes[typ] {
		return nil, problem("Template format error: Unrecognized parameter type: %s", describe(decl.vals["Type"]))
	}
	p := &param{Parameter: Parameter{Name: name, Type: typ}, decl: decl}
	if d, ok := decl.get("Default"); ok {
		s, ok := scalarText(d)
		if !ok {
			return nil, problem("Template format error: Every Default member must be a string.")
		}
		p.Default = s
	}
	return p, nil
}

// describe renders a scalar for an error message, or names the kind of anything else.
func describe(v any) string {
	if s, ok := scalarText(v); ok {
		return s
	}
	return kindName(v)
}

// assignValues gives every parameter its input value or default.
func assignValues(params []*param, section *object, inputs map[string]string) error {
	var unknown, missing []string
	for name := range inputs {
		if !section.has(name) {
			unknown = append(unknown, name)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return problem("Parameters: [%s] do not exist in the template", strings.Join(unknown, ", "))
	}
	for _, p := range params {
		if v, ok := inputs[p.Name]; ok {
			p.Value = v
		} else if p.decl.has("Default") {
			p.Value = p.Default
		} else {
			missing = append(missing, p.Name)
		}
	}
	if len(missing) > 0 {
		return problem("Parameters: [%s] must have values", strings.Join(missing, ", "))
	}
	return nil
}

// validate checks the parameter's value against its type and constraints, with CloudFormation's
// messages. An empty value passes the type check of every type, because AWS's sample packs
// pass an empty string to leave a rule parameter out (an Fn::If on an Fn::Equals of the
// parameter and the empty string); AWS does not document this. List types are checked member by
// member.
func (p *param) validate() error {
	err := p.validateEach()
	var e *Error
	cd, hasCD := p.decl.get("ConstraintDescription")
	if hasCD && errors.As(err, &e) && strings.HasPrefix(e.Problem, "Parameter '") {
		// A value that breaks a constraint is reported with the template's own description of
		// the constraint; a malformed declaration keeps its template format error.
		return problem("Parameter %s failed to satisfy constraint: %s", p.Name, describe(cd))
	}
	return err
}

// validateEach checks the value, or each member of a list value.
func (p *param) validateEach() error {
	if !p.isList() {
		return p.validateOne(p.Value)
	}
	for _, s := range strings.Split(p.Value, ",") {
		if err := p.validateOne(s); err != nil {
			return err
		}
	}
	return nil
}

// validateOne checks one value against the type and every constraint the declaration has.
func (p *param) validateOne(v string) error {
	if err := p.checkType(v); err != nil {
		return err
	}
	if err := p.checkAllowedValues(v); err != nil {
		return err
	}
	if err := p.checkPattern(v); err != nil {
		return err
	}
	if err := p.checkLength(v); err != nil {
		return err
	}
	return p.checkRange(v)
}

// checkType checks that a numeric or boolean parameter's value reads as one.
func (p *param) checkType(v string) error {
	if v == "" {
		return nil
	}
	switch p.Type {
	case "int":
		if _, err := strconv.ParseInt(v, 10, 64); err != nil {
			return problem("Parameter '%s' must be an integer.", p.Name)
		}
	case "double", "Number":
		if _, err := strconv.ParseFloat(v, 64); err != nil {
			return problem("Parameter '%s' must be a number.", p.Name)
		}
	case "boolean":
		if !strings.EqualFold(v, "true") && !strings.EqualFold(v, "false") {
			return problem("Parameter '%s' must be a boolean (true or false).", p.Name)
		}
	}
	return nil
}

// checkAllowedValues applies AllowedValues.
func (p *param) checkAllowedValues(v string) error {
	raw, ok := p.decl.get("AllowedValues")
	if !ok {
		return nil
	}
	list, ok := raw.([]any)
	if !ok {
		return problem("Template format error: Every AllowedValues member of parameter %s must be a list.", p.Name)
	}
	for _, a := range list {
		if s, ok := scalarText(a); ok && s == v {
			return nil
		}
	}
	return problem("Parameter '%s' must be one of AllowedValues", p.Name)
}

// checkPattern applies AllowedPattern, which must match the whole value.
func (p *param) checkPattern(v string) error {
	raw, ok := p.decl.get("AllowedPattern")
	if !ok {
		return nil
	}
	pattern, ok := raw.(string)
	if !ok {
		return problem("Template format error: AllowedPattern of parameter %s must be a string.", p.Name)
	}
	re, err := regexp.Compile("^(?:" + pattern + ")$")
	if err != nil {
		return problem("Template format error: AllowedPattern of parameter %s is not a valid regular expression.", p.Name)
	}
	if !re.MatchString(v) {
		return problem("Parameter '%s' must match pattern %s", p.Name, pattern)
	}
	return nil
}

// checkLength applies MinLength and MaxLength, counted in characters.
func (p *param) checkLength(v string) error {
	n := float64(utf8.RuneCountInString(v))
	if min, ok, err := p.bound("MinLength"); err != nil {
		return err
	} else if ok && n < min {
		return problem("Parameter '%s' must contain at least %s characters", p.Name, formatBound(min))
	}
	if max, ok, err := p.bound("MaxLength"); err != nil {
		return err
	} else if ok && n > max {
		return problem("Parameter '%s' must contain at most %s characters", p.Name, formatBound(max))
	}
	return nil
}

// checkRange applies MinValue and MaxValue to values that read as numbers.
func (p *param) checkRange(v string) error {
	x, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return nil
	}
	if min, ok, err := p.bound("MinValue"); err != nil {
		return err
	} else if ok && x < min {
		return problem("Parameter '%s' must be a number not less than %s", p.Name, formatBound(min))
	}
	if max, ok, err := p.bound("MaxValue"); err != nil {
		return err
	} else if ok && x > max {
		return problem("Parameter '%s' must be a number not greater than %s", p.Name, formatBound(max))
	}
	return nil
}

// bound reads a numeric constraint of the declaration.
func (p *param) bound(name string) (float64, bool, error) {
	raw, ok := p.decl.get(name)
	if !ok {
		return 0, false, nil
	}
	s, _ := scalarText(raw)
	x, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, false, problem("Template format error: %s of parameter %s must be a number.", name, p.Name)
	}
	return x, true, nil
}

// formatBound renders a constraint bound without a needless fraction.
func formatBound(x float64) string {
	return strconv.FormatFloat(x, 'f', -1, 64)
}
