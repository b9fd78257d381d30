package cfntemplate

import (
	"sort"
	"strings"
)

// The two resource types a conformance pack template may declare.
const (
	typeConfigRule  = "AWS::Config::ConfigRule"
	typeRemediation = "AWS::Config::RemediationConfiguration"
)

// sections are the top-level sections Parse reads or tolerates. Metadata and Outputs are accepted
// and ignored: a pack has no stack outputs to show (AWS does not document this; it is orgconfig's
// choice).
var sections = map[string]bool{
	"AWSTemplateFormatVersion": true, "Description": true, "Metadata": true, "Parameters": true,
	"Mappings": true, "Conditions": true, "Resources": true, "Outputs": true,
}

// unsupportedSections are CloudFormation sections a conformance pack cannot use: a transform or a
// hook needs the CloudFormation service, and a Rules section would constrain parameters in ways
// AWS Config does not document (refusing them is orgconfig's choice).
var unsupportedSections = map[string]bool{"Transform": true, "Rules": true, "Hooks": true}

// resourceAttributes are the members a resource declaration may have.
var resourceAttributes = map[string]bool{
	"Type": true, "Properties": true, "Condition": true, "DependsOn": true, "Metadata": true,
	"DeletionPolicy": true, "UpdateReplacePolicy": true,
}

// resource is one declared resource, with its properties once evaluated.
type resource struct {
	id        string
	typ       string
	condition string
	rawProps  any
	hasProps  bool
	propState state
	props     *object
}

// checkSections refuses unknown or unsupported top-level sections and a format version other
// than 2010-09-09, the only one CloudFormation has.
func checkSections(root *object) error {
	var unknown []string
	for _, k := range root.keys {
		if unsupportedSections[k] {
			return problem("Template format error: the %s section is not supported in conformance pack templates", k)
		}
		if !sections[k] {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		return problem("Template format error: Invalid template property or properties [%s]", strings.Join(unknown, ", "))
	}
	if v, ok := root.get("AWSTemplateFormatVersion"); ok {
		if s, _ := scalarText(v); s != "2010-09-09" {
			return problem("Template format error: '%s' is not a supported AWSTemplateFormatVersion value", describe(v))
		}
	}
	return nil
}

// declareMappings checks the Mappings section: each map is a mapping of keys to mappings of
// attributes, whose values are strings or lists of strings.
func declareMappings(root *object) (*object, error) {
	mappings, err := sectionObject(root, "Mappings")
	if err != nil {
		return nil, err
	}
	for _, name := range mappings.keys {
		m, ok := mappings.vals[name].(*object)
		if !ok {
			return nil, problem("Template format error: Every Mappings member %s must be a map", name)
		}
		for _, key := range m.keys {
			attrs, ok := m.vals[key].(*object)
			if !ok {
				return nil, problem("Template format error: Every Mappings member %s must be a map", key)
			}
			for _, a := range attrs.keys {
				if !mappingValue(attrs.vals[a]) {
					return nil, problem("Template format error: Every Mappings attribute must be a String or a List.")
				}
			}
		}
	}
	return mappings, nil
}

// mappingValue reports whether v may be a Mappings attribute value.
func mappingValue(v any) bool {
	if _, ok := scalarText(v); ok {
		return true
	}
	l, ok := v.([]any)
	if !ok {
		return false
	}
	for _, e := range l {
		if _, ok := scalarText(e); !ok {
			return false
		}
	}
	return true
}

// declareConditions returns the Conditions section; its expressions are evaluated later.
func declareConditions(root *object) (*object, error) {
	return sectionObject(root, "Conditions")
}

// declareResources checks the Resources section: logical IDs, attributes, types, conditions
// and dependencies. A template must declare at least one resource, and only Config rules and
// remediation configurations.
func declareResources(root *object, conds *object, params []*param) ([]*resource, error) {
	v, ok := root.get("Resources")
	section, isObj := v.(*object)
	if !ok || !isObj || len(section.keys) == 0 {
		return nil, problem("Template format error: At least one Resources member must be defined.")
	}
	var resources []*resource
	var badTypes []string
	for _, id := range section.keys {
		res, err := declareResource(id, section.vals[id], conds)
		if err != nil {
			return nil, err
		}
		if res.typ != typeConfigRule && res.typ != typeRemediation {
			badTypes = append(badTypes, res.typ)
		}
		resources = append(resources, res)
	}
	if len(badTypes) > 0 {
		sort.Strings(badTypes)
		return nil, problem("Unsupported resource types in conformance pack template: [%s]. A conformance pack template can declare only %s and %s resources", strings.Join(compact(badTypes), ", "), typeConfigRule, typeRemediation)
	}
	if err := checkNames(section, params); err != nil {
		return nil, err
	}
	return resources, checkDependsOn(section)
}

// compact removes adjacent duplicates from a sorted list.
func compact(s []string) []string {
	var out []string
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}

// declareResource checks one resource declaration.
func declareResource(id string, v any, conds *object) (*resource, error) {
	if !alphanumeric(id) {
		return nil, problem("Template format error: Resource name %s is non alphanumeric.", id)
	}
	decl, ok := v.(*object)
	if !ok {
		return nil, problem("Template format error: [/Resources/%s] Every Resources object must contain a Type member.", id)
	}
	for _, k := range decl.keys {
		if !resourceAttributes[k] {
			return nil, problem("Template format error: Invalid template resource property '%s'", k)
		}
	}
	typ, ok := decl.vals["Type"].(string)
	if !ok || typ == "" {
		return nil, problem("Template format error: [/Resources/%s] Every Resources object must contain a Type member.", id)
	}
	res := &resource{id: id, typ: typ}
	res.rawProps, res.hasProps = decl.get("Properties")
	if c, ok := decl.get("Condition"); ok {
		name, ok := c.(string)
		if !ok {
			return nil, problem("Template format error: [/Resources/%s/Condition] Every Condition member must be a string.", id)
		}
		if !conds.has(name) {
			return nil, problem("Template format error: Unresolved condition dependency %s in resource %s", name, id)
		}
		res.condition = name
	}
	return res, nil
}

// checkNames refuses a name declared both as a parameter and as a resource, which would make Ref
// ambiguous (AWS does not document this; it is orgconfig's choice).
func checkNames(section *object, params []*param) error {
	for _, p := range params {
		if section.has(p.Name) {
			return problem("Template format error: %s is declared both as a parameter and as a resource", p.Name)
		}
	}
	return nil
}

// checkDependsOn checks that every DependsOn names a declared resource.
func checkDependsOn(section *object) error {
	for _, id := range section.keys {
		dep, ok := section.vals[id].(*object).get("DependsOn")
		if !ok {
			continue
		}
		names, ok := dependsOnNames(dep)
		if !ok {
			return problem("Template format error: [/Resources/%s/DependsOn] DependsOn must be a string or a list of strings.", id)
		}
		for _, n := range names {
			if !section.has(n) {
				return errUnresolved(n)
			}
		}
	}
	return nil
}

// dependsOnNames reads a DependsOn value: a string or a list of strings.
func dependsOnNames(v any) ([]string, bool) {
	if s, ok := v.(string); ok {
		return []string{s}, true
	}
	l, ok := v.([]any)
	if !ok {
		return nil, false
	}
	names := make([]string, len(l))
	for i, e := range l {
		s, ok := e.(string)
		if !ok {
			return nil, false
		}
		names[i] = s
	}
	return names, true
}

// countRules refuses more than 130 declared rules. Rules are counted as declared, before
// conditions, because AWS's message speaks of the resources "provided in the template" (AWS does
// not say which it counts).
func countRules(resources []*resource) error {
	n := 0
	for _, res := range resources {
		if res.typ == typeConfigRule {
			n++
		}
	}
	if n > maxRules {
		return errTooManyRules()
	}
	return nil
}
