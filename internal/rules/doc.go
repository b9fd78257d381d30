// Package rules evaluates AWS managed Config rules from configuration items alone.
//
// It is the catalogue of managed rule identifiers orgconfig accepts for a ConfigRule with
// Owner=AWS (Lookup, Identifiers), the validation AWS applies to such a rule's InputParameters
// (ParseParams, Validate), and, for the rules orgconfig can evaluate (Rule.Evaluable), the
// evaluation itself: one configuration item in, one compliance result out (Rule.EvaluateItem), or,
// for the account-level IAM_PASSWORD_POLICY, the account's password policy in, one result for the
// account out (Rule.EvaluateAccount). Each evaluated rule follows its page in the AWS Config
// developer guide (https://docs.aws.amazon.com/config/latest/developerguide/managed-rules-by-aws-config.html);
// where that page leaves a choice open, the comment where orgconfig makes it says so.
//
// Evaluation is pure: a rule reads the item it is given and what Env returns about the same
// account and region, nothing else. It never panics on configuration JSON it does not understand:
// an unexpected shape reads as absent, so it never matches (a missing "encrypted" flag is not
// encrypted, a TCP permission without ports opens no port, a policy that does not parse grants
// nothing). Where that choice decides a result, the rule says so in a comment.
//
// The package must never report a result it did not compute (a rule that is not evaluable has
// no evaluator), keep state between calls, do I/O, read the clock, or import another orgconfig
// package (tests/deps checks it): scheduling evaluations, storing results and turning ParamError
// into InvalidParameterValueException belong to the caller.
package rules
