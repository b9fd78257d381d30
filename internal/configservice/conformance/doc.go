// Package conformance is the conformance area of AWS Config: conformance packs (a CloudFormation
// subset of rules and remediations) and their compliance, and organization rules and
// organization packs with their deployment to member accounts, which follows the
// organization's membership through background jobs.
//
// It must never deploy into an account that is not an active member of the caller's
// organization, nor act for a caller that is neither its management account nor a delegated
// administrator for config-multiaccountsetup.amazonaws.com.
package conformance
