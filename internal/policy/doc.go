// Package policy parses and evaluates IAM policy documents: identity policies, session
// policies, trust (resource) policies and service control policies. It is pure: no store, no
// clock except what the caller passes in the request context. An unsupported condition never
// grants access.
//
// # Evaluation
//
// Evaluate implements AWS's evaluation logic for one set of documents of one policy type: an
// explicit Deny wins; otherwise the request is allowed when some statement allows it; otherwise
// it is implicitly denied. Combining policy types (identity ∩ session ∩ SCP, trust policy plus
// identity policy for cross-account role assumption) is the caller's job; EvaluateSCP is the
// helper for the organization's tree of service control policies.
//
// Actions match case-insensitively, resources case-sensitively, both with the * and ?
// wildcards (resources segment by segment of the ARN). NotAction, NotResource and NotPrincipal
// match everything the listed values do not.
//
// # Conditions
//
// Supported operators: StringEquals, StringNotEquals, StringEqualsIgnoreCase,
// StringNotEqualsIgnoreCase, StringLike, StringNotLike, NumericEquals, NumericNotEquals,
// NumericLessThan, NumericLessThanEquals, NumericGreaterThan, NumericGreaterThanEquals,
// DateEquals, DateNotEquals, DateLessThan, DateLessThanEquals, DateGreaterThan,
// DateGreaterThanEquals, Bool, ArnEquals, ArnLike, ArnNotEquals, ArnNotLike and Null, each (but
// Null) with the IfExists suffix and the ForAnyValue: / ForAllValues: set prefixes.
// BinaryEquals, IpAddress and NotIpAddress are valid in a document but not evaluated.
//
// Condition keys are whatever the caller puts in Request.Context (names compare
// case-insensitively). SupportedKeys lists the keys orgconfig's callers fill in. A key that the
// request lacks follows AWS's rules when it is a supported key (or present in the context of
// other requests): plain operators are false, negated operators (StringNotEquals, ArnNotLike ...)
// true, ...IfExists true, Null "true" true, ForAllValues true, ForAnyValue false.
//
// Failing safe, which is where orgconfig departs from AWS on purpose:
//   - In an Allow statement, an operator that is not evaluated, or a key orgconfig never
//     supplies (not in SupportedKeys and absent from the request), makes the condition false:
//     something orgconfig cannot evaluate never grants access.
//   - In a Deny statement, an operator that is not evaluated makes the condition true (fail
//     closed: the Deny applies). An unknown key follows AWS's missing-key rules there, as it
//     would for a key AWS does not put in that request.
//
// Policy variables (${aws:username} and other keys, ${*}, ${?}, ${$}) are substituted in
// Resource, NotResource and condition values of 2012-10-17 documents; a variable whose key the
// request lacks makes that value match nothing.
//
// The package must never grant access on a condition it does not understand, and it imports no
// orgconfig package (tests/deps checks it).
package policy
