package rules

import (
	"fmt"
	"slices"
	"unicode/utf8"
)

// verdict is a rule's answer for one resource before it becomes a Result.
type verdict struct{ compliance, annotation string }

// compliant is the verdict of a resource that satisfies the rule.
func compliant() verdict { return verdict{compliance: Compliant} }

// nonCompliant is the verdict of a resource that violates the rule, with the reason.
func nonCompliant(format string, args ...any) verdict {
	return verdict{NonCompliant, fmt.Sprintf(format, args...)}
}

// notApplicable is the verdict of a resource the rule does not apply to, with the reason.
func notApplicable(format string, args ...any) verdict {
	return verdict{NotApplicable, fmt.Sprintf(format, args...)}
}

// orNone shows an empty recorded value as "absent" in annotations.
func orNone(s string) string {
	if s == "" {
		return "absent"
	}
	return s
}

// itemCheck is the body of a change-triggered rule. It is called only for recorded, current items
// of the rule's resource types, with the item's parsed configuration c.
type itemCheck func(env Env, it *Item, c value, p Params) verdict

// itemRule builds an evaluable change-triggered rule.
func itemRule(id string, types []string, triggers Trigger, params []Param, check itemCheck) *Rule {
	return &Rule{
		Identifier:    id,
		ResourceTypes: types,
		Triggers:      triggers,
		Params:        params,
		Evaluable:     true,
		EvaluateItem:  evaluateWith(types, check),
	}
}

// named sets the default name of a rule whose name is not derived from its identifier.
func named(name string, r *Rule) *Rule {
	r.DefaultName = name
	return r
}

// evaluateWith wraps a check with what every change-triggered rule does: no evaluation for items
// out of scope, not recorded or deleted, and a Result naming the item.
func evaluateWith(types []string, check itemCheck) func(Env, *Item, Params) (Result, bool) {
	return func(env Env, it *Item, p Params) (Result, bool) {
		if !inScope(it, types) {
			return Result{}, false
		}
		v := check(env, it, parseValue(it.Configuration), p)
		return Result{
			ResourceType: it.ResourceType,
			ResourceID:   it.ResourceID,
			Compliance:   v.compliance,
			Annotation:   annotation(v.annotation),
		}, true
	}
}

// inScope reports whether an item yields an evaluation: it is of one of types and neither
// deleted nor ResourceNotRecorded. Any other status (OK, ResourceDiscovered, or one AWS may add)
// is evaluated.
func inScope(it *Item, types []string) bool {
	if it == nil {
		return false
	}
	switch it.Status {
	case StatusResourceNotRecorded, StatusResourceDeleted, StatusResourceDeletedNotRecorded:
		return false
	}
	return slices.Contains(types, it.ResourceType)
}

// maxAnnotation is the longest annotation AWS accepts, in characters.
const maxAnnotation = 256

// annotation shortens s to maxAnnotation characters, ending a cut text with an ellipsis.
func annotation(s string) string {
	if utf8.RuneCountInString(s) <= maxAnnotation {
		return s
	}
	r := []rune(s)
	return string(r[:maxAnnotation-1]) + "…"
}
