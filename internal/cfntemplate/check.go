package cfntemplate

import (
	"strconv"
	"strings"
)

// checkTemplate validates what CloudFormation validates before evaluating anything: every
// function is one conformance packs support, every Ref, Fn::Sub variable and Fn::If condition
// names something declared, and no resource property is null. It covers resources whose
// condition is false and Fn::If branches that are not taken, so whether a template is valid does
// not depend on its parameter values. It then evaluates every condition once.
func (r *resolver) checkTemplate(resources []*resource) error {
	for _, name := range r.conds.keys {
		if err := r.check(r.conds.vals[name], "/Conditions/"+name); err != nil {
			return err
		}
	}
	for _, res := range resources {
		if !res.hasProps {
			continue
		}
		if err := r.check(res.rawProps, "/Resources/"+res.id+"/Properties"); err != nil {
			return err
		}
	}
	for _, name := range r.conds.keys {
		if _, err := r.condition(name); err != nil {
			return err
		}
	}
	return nil
}

// check walks one value. Its recursion is bounded by the template's nesting (maxDepth).
func (r *resolver) check(v any, path string) error {
	switch x := v.(type) {
	case nil:
		return problem("Template format error: [%s] 'null' values are not allowed in templates", path)
	case []any:
		for i, e := range x {
			if err := r.check(e, path+"/"+strconv.Itoa(i)); err != nil {
				return err
			}
		}
	case *object:
		if fn, arg, ok := intrinsic(x); ok {
			if err := r.checkCall(fn, arg); err != nil {
				return err
			}
		}
		for _, k := range x.keys {
			if err := r.check(x.vals[k], path+"/"+k); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkCall checks one function call's name and the names it refers to.
func (r *resolver) checkCall(fn string, arg any) error {
	switch fn {
	case "Ref":
		name, ok := arg.(string)
		if !ok {
			return problem("Template format error: Every Ref object must have a single String value.")
		}
		if !r.declared(name) {
			return errUnresolved(name)
		}
	case "Fn::If":
		if l, ok := arg.([]any); ok && len(l) == 3 {
			if name, ok := l[0].(string); ok && !r.conds.has(name) {
				return problem("Template error: unresolved condition dependency %s in Fn::If", name)
			}
		}
	case "Fn::Sub":
		return r.checkSub(arg)
	case "Fn::Join", "Fn::Select", "Fn::Split", "Fn::FindInMap",
		"Fn::Equals", "Fn::Not", "Fn::And", "Fn::Or":
	default:
		return functionError(fn)
	}
	return nil
}

// checkSub checks the variables of an Fn::Sub template.
func (r *resolver) checkSub(arg any) error {
	tmpl, vars, err := subArgs(arg)
	if err != nil {
		return err
	}
	segs, err := parseSub(tmpl)
	if err != nil {
		return err
	}
	for _, s := range segs {
		switch {
		case s.name == "" || vars.has(s.name) || r.declared(s.name):
		case strings.Contains(s.name, ".") && !isPseudo(s.name):
			return errUnsupportedFunction("Fn::GetAtt")
		default:
			return errUnresolved(s.name)
		}
	}
	return nil
}

// declared reports whether Ref may name name: a parameter, a pseudo parameter or a resource.
func (r *resolver) declared(name string) bool {
	if _, ok := r.params[name]; ok {
		return true
	}
	if _, ok := r.resources[name]; ok {
		return true
	}
	return isPseudo(name)
}
