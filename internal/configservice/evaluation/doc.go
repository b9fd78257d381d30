// Package evaluation is the evaluation area of AWS Config: Config rules (AWS managed rules,
// CUSTOM_POLICY rules in Guard, CUSTOM_LAMBDA rules invoked over HTTP), their evaluation jobs
// (on configuration change and periodic), evaluation results, compliance by rule and by
// resource, PutEvaluations and external evaluations, proactive resource evaluation, and
// remediation configurations, exceptions and execution records.
//
// It must never report a result it did not compute or receive from the rule's owner, nor
// import an area above it (aggregation, conformance, advancedquery).
package evaluation
