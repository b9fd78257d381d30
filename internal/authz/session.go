package authz

import (
	"encoding/json"
	"errors"
	"time"

	"github.com/orgconfig/orgconfig/internal/iam"
	"github.com/orgconfig/orgconfig/internal/identity"
	"github.com/orgconfig/orgconfig/internal/policy"
	"github.com/orgconfig/orgconfig/internal/store"
)

// KindSessionPolicies is the record kind of the session policies of temporary credentials
// (scope "", id = access key ID). Package sts writes it with PutSessionPoliciesTx when
// AssumeRole is given Policy or PolicyArns; a session without the record has no session
// policies.
const KindSessionPolicies = "sts-session-policies"

// SessionPolicies are the session policies passed to AssumeRole. A session may do only what
// both its role's identity policies and its session policies allow.
type SessionPolicies struct {
	// Documents are inline session policies (the Policy parameter).
	Documents []string `json:"documents,omitempty"`
	// ARNs are managed policies (the PolicyArns parameter). They are resolved at each call; an
	// ARN that cannot be resolved grants nothing.
	ARNs []string `json:"arns,omitempty"`
	// Expiration is the session's expiration, so that expired records can be swept.
	Expiration time.Time `json:"expiration"`
}

// PutSessionPoliciesTx stores the session policies of the temporary credentials akid.
func PutSessionPoliciesTx(tx store.Tx, akid string, sp *SessionPolicies) error {
	b, err := json.Marshal(sp)
	if err != nil {
		return err
	}
	return tx.Put(KindSessionPolicies, "", akid, b)
}

func sessionPoliciesTx(tx store.Tx, akid string) (*SessionPolicies, error) {
	b, err := tx.Get(KindSessionPolicies, "", akid)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var sp SessionPolicies
	if err := json.Unmarshal(b, &sp); err != nil {
		return nil, err
	}
	return &sp, nil
}

// policyDocumenter resolves a managed policy ARN to its default version's document. The IAM
// service implements it once it exports the lookup; until then managed session policies grant
// nothing (fail closed).
type policyDocumenter interface {
	PolicyDocumentTx(tx store.Tx, policyARN string) (string, error)
}

// Permissions are the policies that bound what an IAM user or assumed-role session may do.
type Permissions struct {
	// Identity are the identity policies of the user or of the session's role.
	Identity []*policy.Document
	// Session are the session policies; HasSession says whether the session has any (a
	// session given only unresolvable ARNs has HasSession and no documents: it may do nothing).
	Session    []*policy.Document
	HasSession bool
}

// Decide evaluates req against the permissions: Allowed only when the identity policies allow
// it and, for a session with session policies, those too; an explicit Deny in either wins. kind
// names the policy type behind a refusal, for Denied.
func (ps *Permissions) Decide(req policy.Request) (d policy.Decision, kind string) {
	id := policy.Evaluate(req, ps.Identity...)
	sess := policy.Allowed
	if ps.HasSession {
		sess = policy.Evaluate(req, ps.Session...)
	}
	switch {
	case id == policy.ExplicitDeny:
		return id, "identity-based policy"
	case sess == policy.ExplicitDeny:
		return sess, "session policy"
	case id != policy.Allowed:
		return id, "identity-based policy"
	case sess != policy.Allowed:
		return sess, "session policy"
	}
	return policy.Allowed, ""
}

// PermissionsTx loads the permissions of a user or assumed-role session (root has none: it is
// not bound by identity policies, and the result is empty).
func PermissionsTx(tx store.Tx, iamSvc *iam.Service, p *identity.Principal) (*Permissions, error) {
	return loadPermissionsTx(tx, iamSvc, p, parseDoc)
}

func loadPermissionsTx(tx store.Tx, iamSvc *iam.Service, p *identity.Principal, parse func(string) *policy.Document) (*Permissions, error) {
	ps := &Permissions{}
	texts, err := iamSvc.IdentityPoliciesTx(tx, p)
	if err != nil {
		return nil, err
	}
	for _, t := range texts {
		if d := parse(t); d != nil {
			ps.Identity = append(ps.Identity, d)
		}
	}
	if p.Type != identity.AssumedRole || p.AccessKeyID == "" {
		return ps, nil
	}
	sp, err := sessionPoliciesTx(tx, p.AccessKeyID)
	if err != nil || sp == nil {
		return ps, err
	}
	ps.HasSession = true
	for _, t := range sp.Documents {
		if d := parse(t); d != nil {
			ps.Session = append(ps.Session, d)
		}
	}
	if pd, ok := any(iamSvc).(policyDocumenter); ok {
		for _, arn := range sp.ARNs {
			t, err := pd.PolicyDocumentTx(tx, arn)
			if err != nil {
				continue // deleted or unknown: grants nothing
			}
			if d := parse(t); d != nil {
				ps.Session = append(ps.Session, d)
			}
		}
	}
	return ps, nil
}
