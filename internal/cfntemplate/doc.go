// Package cfntemplate parses AWS Config conformance pack templates into the Config rules and
// remediation configurations they declare.
//
// A conformance pack template is a CloudFormation template (YAML or JSON) restricted to two
// resource types, AWS::Config::ConfigRule and AWS::Config::RemediationConfiguration (the
// PutConformancePack API reference: "You can use a YAML template with two resource types"). Parse
// does what CloudFormation would do with such a template before any rule exists: it declares the
// parameters and applies ConformancePackInputParameters over their defaults, evaluates the
// Conditions, drops the resources whose condition is false, resolves the intrinsic functions
// (Ref, Fn::If, Fn::Sub, Fn::Join, Fn::Select, Fn::Split, Fn::FindInMap and the condition
// functions, in their long and YAML short forms) and turns what is left into Rule and
// Remediation values (see "Conformance packs" in the AWS Config developer guide,
// https://docs.aws.amazon.com/config/latest/developerguide/conformance-packs.html).
//
// Every template Parse refuses comes back as an *Error, whose message is the one AWS returns in
// ConformancePackTemplateValidationException (the caller picks that code, or the
// OrganizationConformancePackTemplateValidationException one, and the HTTP status). Where AWS's
// documentation leaves a choice open, the comment where orgconfig makes it says so.
//
// What Parse checks is the template: its format, its parameters, its functions and the shape of
// the two resource types. It does not check a rule the way PutConfigRule does (whether a managed
// rule identifier exists, whether its InputParameters suit it): the caller runs that validation
// on each Rule, as AWS does when the pack's stack creates it.
//
// The package must never accept a resource type other than Config's two, do I/O, keep state
// between calls, read the clock, import another orgconfig package (tests/deps checks it), or
// panic or run unbounded on any input: template nesting, evaluation depth and the bytes Fn::Sub,
// Fn::Join and Fn::Split may produce are all capped.
package cfntemplate
