package cfntemplate

import (
	"sort"
	"strings"
)

// state tracks a lazily computed condition or resource, so that a cycle is reported instead of
// recursing forever.
type state int

const (
	unvisited state = iota
	visiting
	done
)

// unsupportedFunctions are CloudFormation functions a conformance pack cannot use: each needs a
// resource attribute, another stack, the stack's Availability Zones or a transform.
var unsupportedFunctions = map[string]bool{
	"Fn::GetAtt": true, "Fn::Base64": true, "Fn::Cidr": true, "Fn::GetAZs": true,
	"Fn::ImportValue": true, "Fn::Transform": true, "Fn::Length": true, "Fn::ToJsonString": true,
	"Fn::ForEach": true,
}

// conditionFunctions may appear only in the Conditions section.
var conditionFunctions = map[string]bool{
	"Fn::Equals": true, "Fn::Not": true, "Fn::And": true, "Fn::Or": true,
}

// resolver evaluates one template's functions and conditions. It lives for one Parse call.
type resolver struct {
	ctx       Context
	params    map[string]*param
	mappings  *object
	conds     *object
	condState map[string]state
	condValue map[string]bool
	resources map[string]*resource
	// stack holds the resources whose properties are being evaluated, to name a cycle.
	stack []string
	// inConditions is set while a condition is evaluated: resources cannot be referenced there.
	inConditions bool
	depth        int
	budget       int
}

// newResolver prepares evaluation of a template whose sections have been declared.
func newResolver(ctx Context, params []*param, mappings, conds *object, resources []*resource) *resolver {
	r := &resolver{
		ctx:       ctx,
		params:    map[string]*param{},
		mappings:  mappings,
		conds:     conds,
		condState: map[string]state{},
		condValue: map[string]bool{},
		resources: map[string]*resource{},
		budget:    maxOutputBytes,
	}
	for _, p := range params {
		r.params[p.Name] = p
	}
	for _, res := range resources {
		r.resources[res.id] = res
	}
	return r
}

// enter counts one level of evaluation and refuses to go beyond maxEvalDepth.
func (r *resolver) enter() error {
	r.depth++
	if r.depth > maxEvalDepth {
		return problem("Template error: the template's functions and conditions nest more than %d levels deep", maxEvalDepth)
	}
	return nil
}

// leave undoes enter.
func (r *resolver) leave() { r.depth-- }

// spend takes n bytes from the output budget of Fn::Sub, Fn::Join and Fn::Split.
func (r *resolver) spend(n int) error {
	if n > r.budget {
		return problem("Template error: the template's functions produce more than %d bytes", maxOutputBytes)
	}
	r.budget -= n
	return nil
}

// eval evaluates a template value: functions are called, mappings and lists are evaluated member
// by member, and members that evaluate to AWS::NoValue are removed.
func (r *resolver) eval(v any) (any, error) {
	if err := r.enter(); err != nil {
		return nil, err
	}
	defer r.leave()
	switch x := v.(type) {
	case *object:
		if fn, arg, ok := intrinsic(x); ok {
			return r.call(fn, arg)
		}
		return r.evalObject(x)
	case []any:
		return r.evalList(x)
	case nil:
		return nil, problem("Template format error: 'null' values are not allowed in templates")
	}
	return v, nil
}

// evalObject evaluates the members of a mapping that is not a function call.
func (r *resolver) evalObject(o *object) (*object, error) {
	out := newObject()
	for _, k := range o.keys {
		v, err := r.eval(o.vals[k])
		if err != nil {
			return nil, err
		}
		if _, removed := v.(noValue); !removed {
			out.set(k, v)
		}
	}
	return out, nil
}

// evalList evaluates the elements of a list.
func (r *resolver) evalList(l []any) ([]any, error) {
	out := make([]any, 0, len(l))
	for _, e := range l {
		v, err := r.eval(e)
		if err != nil {
			return nil, err
		}
		if _, removed := v.(noValue); !removed {
			out = append(out, v)
		}
	}
	return out, nil
}

// call evaluates one function call.
func (r *resolver) call(fn string, arg any) (any, error) {
	switch fn {
	case "Ref":
		name, ok := arg.(string)
		if !ok {
			return nil, problem("Template format error: Every Ref object must have a single String value.")
		}
		return r.ref(name)
	case "Fn::If":
		return r.fnIf(arg)
	case "Fn::Sub":
		return r.fnSub(arg)
	case "Fn::Join":
		return r.fnJoin(arg)
	case "Fn::Select":
		return r.fnSelect(arg)
	case "Fn::Split":
		return r.fnSplit(arg)
	case "Fn::FindInMap":
		return r.fnFindInMap(arg)
	}
	return nil, functionError(fn)
}

// functionError reports a function that cannot be called where it is.
func functionError(fn string) error {
	switch {
	case conditionFunctions[fn]:
		return problem("Template error: %s can only be used in the Conditions section", fn)
	case unsupportedFunctions[fn]:
		return errUnsupportedFunction(fn)
	}
	return problem("Template error: encountered unsupported function: %s", fn)
}

// ref is Ref: a parameter's value, a pseudo parameter, or a resource's name.
func (r *resolver) ref(name string) (any, error) {
	if p, ok := r.params[name]; ok {
		return p.ref(), nil
	}
	if strings.HasPrefix(name, "AWS::") {
		return r.pseudo(name)
	}
	res, ok := r.resources[name]
	if !ok {
		return nil, errUnresolved(name)
	}
	if r.inConditions {
		return nil, problem("Template format error: Unresolved dependencies [%s]. Cannot reference resources in the Conditions block of the template", name)
	}
	return r.resourceRef(res)
}

// pseudo returns a pseudo parameter. AWS::StackId is refused because a pack's stack ID is not
// known when its template is read (AWS does not document this; it is orgconfig's choice).
func (r *resolver) pseudo(name string) (any, error) {
	switch name {
	case "AWS::AccountId":
		return r.ctx.AccountID, nil
	case "AWS::Region":
		return r.ctx.Region, nil
	case "AWS::Partition":
		return r.ctx.partition(), nil
	case "AWS::StackName":
		return r.ctx.StackName, nil
	case "AWS::URLSuffix":
		return r.ctx.urlSuffix(), nil
	case "AWS::NoValue":
		return noValue{}, nil
	case "AWS::NotificationARNs":
		return []any{}, nil
	case "AWS::StackId":
		return nil, problem("Template error: AWS::StackId is not supported in conformance pack templates")
	}
	return nil, errUnresolved(name)
}

// isPseudo reports whether name is a pseudo parameter Ref accepts.
func isPseudo(name string) bool {
	switch name {
	case "AWS::AccountId", "AWS::Region", "AWS::Partition", "AWS::StackName", "AWS::URLSuffix",
		"AWS::NoValue", "AWS::NotificationARNs", "AWS::StackId":
		return true
	}
	return false
}

// resourceRef is Ref to a resource: a rule's ConfigRuleName as the template gives it (before AWS
// adds the pack's suffix, so a remediation can name its rule either way), or a remediation's
// logical ID (AWS does not document what Ref to a resource gives in a pack; this is orgconfig's
// choice). A resource whose condition is false cannot be referenced.
func (r *resolver) resourceRef(res *resource) (any, error) {
	active, err := r.active(res)
	if err != nil {
		return nil, err
	}
	if !active {
		return nil, errUnresolved(res.id)
	}
	if res.typ != typeConfigRule {
		return res.id, nil
	}
	return r.ruleName(res)
}

// active reports whether a resource is created: it has no Condition or its condition is true.
func (r *resolver) active(res *resource) (bool, error) {
	if res.condition == "" {
		return true, nil
	}
	return r.condition(res.condition)
}

// properties evaluates a resource's Properties once. A Properties that evaluates to
// AWS::NoValue, or is absent, is an empty mapping.
func (r *resolver) properties(res *resource) (*object, error) {
	switch res.propState {
	case done:
		return res.props, nil
	case visiting:
		return nil, r.cycle(res.id)
	}
	res.propState = visiting
	r.stack = append(r.stack, res.id)
	props, err := r.evalProperties(res)
	r.stack = r.stack[:len(r.stack)-1]
	if err != nil {
		return nil, err
	}
	res.props, res.propState = props, done
	return props, nil
}

// evalProperties evaluates the raw Properties of a resource.
func (r *resolver) evalProperties(res *resource) (*object, error) {
	if !res.hasProps {
		return newObject(), nil
	}
	v, err := r.eval(res.rawProps)
	if err != nil {
		return nil, err
	}
	switch p := v.(type) {
	case noValue:
		return newObject(), nil
	case *object:
		return p, nil
	}
	return nil, problem("Template format error: [/Resources/%s/Properties] Properties must be an object", res.id)
}

// cycle reports resources whose properties refer to each other, from id's first appearance on
// the evaluation stack.
func (r *resolver) cycle(id string) error {
	var ids []string
	for i := len(r.stack) - 1; i >= 0; i-- {
		ids = append(ids, r.stack[i])
		if r.stack[i] == id {
			break
		}
	}
	sort.Strings(ids)
	return problem("Template format error: Circular dependency between resources: [%s]", strings.Join(ids, ", "))
}

// ruleName is a rule's ConfigRuleName as the template gives it, or its logical ID when it has
// none.
func (r *resolver) ruleName(res *resource) (string, error) {
	props, err := r.properties(res)
	if err != nil {
		return "", err
	}
	v, ok := props.get("ConfigRuleName")
	if !ok {
		return res.id, nil
	}
	name, ok := scalarText(v)
	if !ok {
		return "", propertyTypeError(res.id, "/ConfigRuleName", "String", v)
	}
	return name, nil
}
