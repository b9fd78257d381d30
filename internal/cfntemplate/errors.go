package cfntemplate

import "fmt"

// Error is a template AWS Config refuses. Its message is the one AWS returns in
// ConformancePackTemplateValidationException, observed in the wild as
//
//	Invalid conformance pack template provided. Errors found: [Number of resources provided in the template exceeds the allowed limit]. Fix your template and try again.
//
// Problem is the part between the brackets. Where the problem is one CloudFormation reports
// (template format, parameters, functions, resource properties), Problem uses CloudFormation's
// wording, because a conformance pack is deployed as a CloudFormation stack; where neither service
// documents a wording, Problem names the problem plainly in orgconfig's own words.
type Error struct {
	// Problem says what is wrong with the template, e.g. "Parameters: [Foo] do not exist in the
	// template".
	Problem string
}

// Error returns the message AWS puts in ConformancePackTemplateValidationException.
func (e *Error) Error() string {
	return "Invalid conformance pack template provided. Errors found: [" + e.Problem + "]. Fix your template and try again."
}

// problem returns an *Error whose Problem is the formatted text.
func problem(format string, args ...any) error {
	return &Error{Problem: fmt.Sprintf(format, args...)}
}

// Limits that keep Parse bounded on any input. They are far above what real templates need (AWS's
// samples nest about ten levels and resolve a few kilobytes) and are reported as template errors.
const (
	// maxRules is AWS's limit on the Config rules in one conformance pack (configlimits: 130).
	maxRules = 130
	// maxDepth is how deeply the template's mappings and lists may nest.
	maxDepth = 64
	// maxEvalDepth is how deeply evaluation may recurse, counting nested values, functions and
	// references from one condition or resource to another.
	maxEvalDepth = 512
	// maxOutputBytes is the total size of the strings Fn::Sub, Fn::Join and Fn::Split may build
	// while one template is parsed.
	maxOutputBytes = 1 << 20
)

// errTooManyRules is AWS's observed answer to a pack with more than 130 rules
// (awslabs/aws-config-rules issue #430, a 131-rule sample pack).
func errTooManyRules() error {
	return problem("Number of resources provided in the template exceeds the allowed limit")
}

// errTooDeep reports a template nested beyond maxDepth (a limit of orgconfig's, in its own
// words).
func errTooDeep() error {
	return problem("Template format error: the template is nested more than %d levels deep", maxDepth)
}

// errUnresolved is CloudFormation's answer to a Ref (or Fn::Sub variable, or DependsOn) naming
// nothing the template declares.
func errUnresolved(name string) error {
	return problem("Template format error: Unresolved resource dependencies [%s] in the Resources block of the template", name)
}

// errUnsupportedFunction reports a CloudFormation function conformance packs cannot use, because
// it needs a resource attribute, another stack or a transform that a pack does not have (AWS does
// not document this list or the message; both are orgconfig's).
func errUnsupportedFunction(fn string) error {
	return problem("Template error: %s is not supported in conformance pack templates", fn)
}

// errNotBoolean is CloudFormation's answer to a condition that is not a condition function.
func errNotBoolean() error {
	return problem("Template format error: Conditions can only be boolean operations on parameters and other conditions")
}
