// Package policy parses and evaluates IAM policy documents: identity policies, trust (resource)
// policies and service control policies. It is pure: no store, no clock except what the caller
// passes in the request context. An unsupported condition never grants access.
package policy
