package organizations

import (
	"context"

	"github.com/orgconfig/orgconfig/internal/call"
	"github.com/orgconfig/orgconfig/internal/identity"
	"github.com/orgconfig/orgconfig/internal/policy"
	"github.com/orgconfig/orgconfig/internal/store"
)

// The organization's resource-based delegation policy (PutResourcePolicy) lets principals of
// member accounts call Organizations operations that are otherwise the management account's
// ("Delegated administrator for AWS Organizations"). The caller's own identity policies must
// allow the action too; the authorizer has checked them before the handler runs.
//
// orgconfig honours the policy for the read-only operations (Describe*, List*): the ones the
// AWS documentation's examples delegate first, and the ones a member needs to see the
// organization's structure. Delegated policy management (CreatePolicy, AttachPolicy, ...)
// remains the management account's.

// delegatedByPolicyTx reports whether the delegation policy of o allows the call in ctx (its
// principal, a member of o, and its operation).
func delegatedByPolicyTx(ctx context.Context, tx store.Tx, o *Organization) (bool, error) {
	info := call.From(ctx)
	if info == nil || info.Principal == nil || info.Operation == "" {
		return false, nil
	}
	var rp resourcePolicyRec
	ok, err := findJSON(tx, kindResPolicy, o.ID, "policy", &rp)
	if err != nil || !ok {
		return false, err
	}
	doc, err := policy.ParseString(rp.Content)
	if err != nil {
		// PutResourcePolicy stores only JSON; a document the policy language refuses grants
		// nothing.
		return false, nil
	}
	p := info.Principal
	req := policy.Request{
		Action:  "organizations:" + info.Operation,
		Caller:  delegationCaller(p),
		Context: policy.Context{},
	}
	req.Context.Set("aws:PrincipalAccount", p.Account)
	req.Context.Set("aws:PrincipalOrgID", o.ID)
	req.Context.Set("aws:PrincipalArn", principalARN(p))
	return policy.Evaluate(req, doc) == policy.Allowed, nil
}

// delegationCaller describes p for the Principal elements of the delegation policy.
func delegationCaller(p *identity.Principal) *policy.Caller {
	c := &policy.Caller{Account: p.Account, ARN: p.ARN, RoleARN: p.RoleARN}
	switch p.Type {
	case identity.Root:
		c.Type = policy.CallerRoot
	case identity.User:
		c.Type = policy.CallerUser
	case identity.AssumedRole:
		c.Type = policy.CallerAssumedRole
	}
	return c
}

// principalARN is aws:PrincipalArn: the role's ARN for a role session, else the caller's ARN.
func principalARN(p *identity.Principal) string {
	if p.Type == identity.AssumedRole && p.RoleARN != "" {
		return p.RoleARN
	}
	return p.ARN
}
