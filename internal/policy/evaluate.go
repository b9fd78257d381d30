package policy

import "strings"

// Decision is the outcome of evaluating policies for a request.
type Decision int

const (
	// ImplicitDeny: no statement allows the request (and none denies it).
	ImplicitDeny Decision = iota
	// Allowed: some statement allows the request and none denies it.
	Allowed
	// ExplicitDeny: a Deny statement applies. It overrides every Allow.
	ExplicitDeny
)

func (d Decision) String() string {
	switch d {
	case Allowed:
		return "Allow"
	case ExplicitDeny:
		return "ExplicitDeny"
	}
	return "ImplicitDeny"
}

// CallerType is the kind of principal making a request, spelled as aws:PrincipalType.
type CallerType string

// Caller types.
const (
	CallerRoot        CallerType = "Account"
	CallerUser        CallerType = "User"
	CallerAssumedRole CallerType = "AssumedRole"
	CallerService     CallerType = "Service"
)

// Caller is the principal of a request, as Principal and NotPrincipal elements see it.
type Caller struct {
	Type CallerType
	// Account is the caller's account ID (empty for service principals).
	Account string
	// ARN is the caller's ARN: arn:aws:iam::<acct>:root, the user's ARN (with its path), or the
	// session's arn:aws:sts::<acct>:assumed-role/<role>/<session>.
	ARN string
	// RoleARN is the role of an assumed-role session (with its path).
	RoleARN string
	// Service is the service principal name (config.amazonaws.com) of a Service caller.
	Service string
}

// Request is what a policy is evaluated against.
type Request struct {
	// Action is "<service>:<Operation>", such as "iam:GetRole".
	Action string
	// Resource is the ARN the action acts on, or "*" (also when empty) for a request on no
	// particular resource or on one the caller did not determine: "*" matches every Resource
	// and every NotResource pattern.
	Resource string
	// Caller is needed for statements with Principal or NotPrincipal (resource and trust
	// policies); a statement with a Principal never applies to a request without a Caller.
	Caller *Caller
	// Context holds the condition keys of the request.
	Context Context
	// ExactPrincipal makes account-wide principals (the account ID or its root ARN) match
	// nothing, so that a caller can learn whether a trust policy names it specifically (which
	// makes an identity policy unnecessary for same-account role assumption) or only delegates
	// to the account.
	ExactPrincipal bool
}

// Evaluate applies AWS's logic to docs (nil documents are skipped): an explicit Deny wins,
// otherwise Allowed if any statement allows the request, otherwise ImplicitDeny.
func Evaluate(req Request, docs ...*Document) Decision {
	allowed := false
	for _, d := range docs {
		if d == nil {
			continue
		}
		vars := d.Version == Version2012
		for i := range d.Statements {
			st := &d.Statements[i]
			if !st.applies(&req, vars) {
				continue
			}
			if st.Effect == Deny {
				return ExplicitDeny
			}
			allowed = true
		}
	}
	if allowed {
		return Allowed
	}
	return ImplicitDeny
}

// EvaluateSCP evaluates service control policies given per level of the organization tree
// (root, each OU, the account): the request is Allowed only if at every level some document
// allows it and no document at any level denies it. A level without documents allows nothing.
// No levels at all means no SCP applies: Allowed.
func EvaluateSCP(req Request, levels [][]*Document) Decision {
	result := Allowed
	for _, level := range levels {
		switch Evaluate(req, level...) {
		case ExplicitDeny:
			return ExplicitDeny
		case ImplicitDeny:
			result = ImplicitDeny
		}
	}
	return result
}

func (st *Statement) applies(req *Request, vars bool) bool {
	if st.Action != nil && !anyMatch(st.Action, func(p string) bool { return matchAction(p, req.Action) }) {
		return false
	}
	if st.NotAction != nil && anyMatch(st.NotAction, func(p string) bool { return matchAction(p, req.Action) }) {
		return false
	}
	resource := req.Resource
	if resource == "" {
		resource = "*"
	}
	matchRes := func(p string) bool {
		if vars {
			var ok bool
			if p, ok = expand(p, req.Context); !ok {
				return false
			}
		}
		if resource == "*" {
			// A request on no particular (or an undetermined) resource: every pattern
			// covers it, so resource-scoped Allows grant and resource-scoped Denies deny.
			return true
		}
		return MatchARN(p, resource)
	}
	if st.Resource != nil && !anyMatch(st.Resource, matchRes) {
		return false
	}
	if st.NotResource != nil && anyMatch(st.NotResource, matchRes) {
		return false
	}
	if st.Principal != nil && (req.Caller == nil || !st.Principal.Matches(req.Caller, req.ExactPrincipal)) {
		return false
	}
	if st.NotPrincipal != nil && (req.Caller == nil || st.NotPrincipal.Matches(req.Caller, req.ExactPrincipal)) {
		return false
	}
	for _, c := range st.Conditions {
		if !evalCondition(c, st.Effect, req.Context, vars) {
			return false
		}
	}
	return true
}

func anyMatch(patterns []string, f func(string) bool) bool {
	for _, p := range patterns {
		if f(p) {
			return true
		}
	}
	return false
}

// Matches reports whether the principal element names c:
//   - "*" (bare) matches anyone; {"AWS": "*"} any caller but a service;
//   - an account ID or arn:aws:iam::<acct>:root any principal of that account (root, users,
//     assumed-role sessions), unless exact is set;
//   - a user ARN that user; a role ARN every session of that role; an assumed-role session ARN
//     that session;
//   - {"Service": name} only that service principal. Federated and CanonicalUser principals
//     never match: orgconfig has no such callers.
func (p *Principal) Matches(c *Caller, exact bool) bool {
	if p.All {
		return true
	}
	if c.Type == CallerService {
		for _, s := range p.Service {
			if strings.EqualFold(s, c.Service) {
				return true
			}
		}
		return false
	}
	for _, a := range p.AWS {
		if matchAWSPrincipal(a, c, exact) {
			return true
		}
	}
	return false
}

func matchAWSPrincipal(a string, c *Caller, exact bool) bool {
	if a == "*" {
		return true
	}
	if isAccountID(a) {
		return !exact && c.Account == a
	}
	parts := strings.SplitN(a, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" {
		return false
	}
	svc, acct, res := parts[2], parts[4], parts[5]
	switch {
	case svc == "iam" && res == "root":
		return !exact && c.Account == acct
	case svc == "iam" && strings.HasPrefix(res, "user/"):
		return c.Type == CallerUser && c.ARN == a
	case svc == "iam" && strings.HasPrefix(res, "role/"):
		return c.Type == CallerAssumedRole && c.RoleARN == a
	case svc == "sts" && strings.HasPrefix(res, "assumed-role/"):
		return c.Type == CallerAssumedRole && c.ARN == a
	}
	return c.ARN == a
}
