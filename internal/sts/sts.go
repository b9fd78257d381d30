package sts

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/orgconfig/orgconfig/internal/api/stsapi"
	"github.com/orgconfig/orgconfig/internal/authz"
	"github.com/orgconfig/orgconfig/internal/awsproto"
	"github.com/orgconfig/orgconfig/internal/call"
	"github.com/orgconfig/orgconfig/internal/clock"
	"github.com/orgconfig/orgconfig/internal/iam"
	"github.com/orgconfig/orgconfig/internal/identity"
	"github.com/orgconfig/orgconfig/internal/ids"
	"github.com/orgconfig/orgconfig/internal/organizations"
	"github.com/orgconfig/orgconfig/internal/policy"
	"github.com/orgconfig/orgconfig/internal/store"
)

// Service implements stsapi.API.
type Service struct {
	stsapi.Unimplemented
	store store.Store
	clock clock.Clock
	ids   ids.Generator
	dir   *identity.Directory
	iam   *iam.Service
	// orgs tells a role's trust policy the caller's organization (aws:PrincipalOrgID).
	orgs *organizations.Service
}

// New returns the STS service.
func New(st store.Store, c clock.Clock, g ids.Generator, dir *identity.Directory, iamSvc *iam.Service, orgs *organizations.Service) *Service {
	return &Service{store: st, clock: c, ids: g, dir: dir, iam: iamSvc, orgs: orgs}
}

// Session limits, in seconds.
const (
	minDuration         = 900
	defaultRoleDuration = 3600
	maxChainedDuration  = 3600  // role chaining: a session assuming another role
	maxRootSession      = 3600  // GetSessionToken for root
	defaultUserSession  = 43200 // GetSessionToken default
	maxUserSession      = 129600
	packedPolicyBudget  = 2048
)

// GetCallerIdentity reports the principal that signed the request: for root the account's root
// ARN and the account ID as UserId, for an IAM user its ARN (with path) and AIDA… ID, for an
// assumed role arn:aws:sts::<acct>:assumed-role/<role>/<session> and <RoleId>:<session>. The
// credential stores exactly these values.
func (s *Service) GetCallerIdentity(ctx context.Context, _ *stsapi.GetCallerIdentityRequest) (*stsapi.GetCallerIdentityResponse, error) {
	info, err := call.Caller(ctx)
	if err != nil {
		return nil, err
	}
	p := info.Principal
	return &stsapi.GetCallerIdentityResponse{Account: p.Account, Arn: p.ARN, UserId: p.UserID}, nil
}

var sessionNamePattern = regexp.MustCompile(`^[\w+=,.@-]*$`)

func validationError(value, member, rule string) error {
	return awsproto.ErrValidation("1 validation error detected: Value '%s' at '%s' failed to satisfy constraint: %s", value, member, rule)
}

// AssumeRole issues credentials for a session of the role RoleArn names, if its trust policy
// (and, where AWS needs it, the caller's identity policy) lets the caller assume it.
func (s *Service) AssumeRole(ctx context.Context, in *stsapi.AssumeRoleRequest) (*stsapi.AssumeRoleResponse, error) {
	info, err := call.Caller(ctx)
	if err != nil {
		return nil, err
	}
	p := info.Principal
	session := in.RoleSessionName
	switch {
	case len(session) < 2:
		return nil, validationError(session, "roleSessionName", "Member must have length greater than or equal to 2")
	case len(session) > 64:
		return nil, validationError(session, "roleSessionName", "Member must have length less than or equal to 64")
	case !sessionNamePattern.MatchString(session):
		return nil, validationError(session, "roleSessionName", `Member must satisfy regular expression pattern: [\w+=,.@-]*`)
	}
	duration := int32(defaultRoleDuration)
	if in.DurationSeconds != nil {
		duration = *in.DurationSeconds
	}
	if duration < minDuration {
		return nil, validationError(itoa(duration), "durationSeconds", "Member must have value greater than or equal to 900")
	}
	sp, packed, err := sessionPolicies(in)
	if err != nil {
		return nil, err
	}

	now := s.clock.Now().UTC()
	expiration := now.Add(time.Duration(duration) * time.Second)
	var cred *identity.Credential
	err = s.store.Write(ctx, func(tx store.Tx) error {
		denied := awsproto.ErrAccessDenied("User: %s is not authorized to perform: sts:AssumeRole on resource: %s", p.ARN, in.RoleArn)
		role, err := iam.RoleByARNTx(tx, in.RoleArn)
		if errors.Is(err, iam.ErrNoSuchRole) {
			return denied
		}
		if err != nil {
			return err
		}
		trust, err := policy.ParseString(role.AssumeRolePolicyDocument)
		if err != nil {
			return denied
		}
		pctx := authz.RequestContext(info, "sts")
		if in.ExternalId != "" {
			pctx.Set("sts:ExternalId", in.ExternalId)
		}
		pctx.Set("sts:RoleSessionName", session)
		if s.orgs != nil && strings.Contains(strings.ToLower(role.AssumeRolePolicyDocument), "aws:principalorgid") {
			if o, err := s.orgs.OrgOfTx(tx, p.Account); err != nil {
				return err
			} else if o != nil {
				pctx.Set("aws:PrincipalOrgID", o.ID)
			}
		}
		req := policy.Request{Action: "sts:AssumeRole", Resource: role.ARN, Caller: authz.CallerOf(p), Context: pctx}
		if policy.Evaluate(req, trust) != policy.Allowed {
			return denied
		}
		if !p.IsRoot() {
			// The trust policy is a resource policy: when it names the caller itself (user,
			// role or session) in the role's own account it suffices, unless an identity
			// policy denies; when it only trusts the account, or the caller is in another
			// account, the caller's identity policy must allow too.
			exact := req
			exact.ExactPrincipal = true
			needIdentity := p.Account != role.Account || policy.Evaluate(exact, trust) != policy.Allowed
			perms, err := authz.PermissionsTx(tx, s.iam, p)
			if err != nil {
				return err
			}
			idReq := policy.Request{Action: "sts:AssumeRole", Resource: role.ARN, Context: pctx}
			if d, _ := perms.Decide(idReq); d == policy.ExplicitDeny || (needIdentity && d != policy.Allowed) {
				return denied
			}
		}
		if p.Type == identity.AssumedRole && duration > maxChainedDuration {
			return awsproto.ErrValidation("The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.")
		}
		maxDuration := role.MaxSessionDuration
		if maxDuration == 0 {
			maxDuration = defaultRoleDuration
		}
		if duration > maxDuration {
			return awsproto.ErrValidation("The requested DurationSeconds exceeds the MaxSessionDuration set for this role.")
		}
		cred = &identity.Credential{
			AccessKeyID: s.dir.NewAccessKeyID(true), SecretAccessKey: s.ids.Secret(), SessionToken: s.sessionToken(),
			Expiration: expiration, Account: role.Account, Type: identity.AssumedRole,
			ARN:    "arn:aws:sts::" + role.Account + ":assumed-role/" + role.Name + "/" + session,
			UserID: role.RoleID + ":" + session, Status: "Active", Created: now,
			Name: role.Name, RoleARN: role.ARN, SessionName: session,
		}
		if err := s.dir.PutCredential(tx, cred); err != nil {
			return err
		}
		if sp != nil {
			sp.Expiration = expiration
			return authz.PutSessionPoliciesTx(tx, cred.AccessKeyID, sp)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := &stsapi.AssumeRoleResponse{
		Credentials:     credentials(cred),
		AssumedRoleUser: &stsapi.AssumedRoleUser{AssumedRoleId: cred.UserID, Arn: cred.ARN},
		SourceIdentity:  in.SourceIdentity,
	}
	if sp != nil {
		out.PackedPolicySize = &packed
	}
	return out, nil
}

// sessionPolicies validates AssumeRole's Policy and PolicyArns. It returns nil when there are
// none, and the packed size estimate (percent of AWS's budget).
func sessionPolicies(in *stsapi.AssumeRoleRequest) (*authz.SessionPolicies, int32, error) {
	if in.Policy == "" && len(in.PolicyArns) == 0 {
		return nil, 0, nil
	}
	sp := &authz.SessionPolicies{}
	size := 0
	if in.Policy != "" {
		d, err := policy.ParseString(in.Policy)
		if err == nil {
			err = d.Validate(policy.Identity)
		}
		if err != nil {
			return nil, 0, stsapi.ErrMalformedPolicyDocument("%s", err.Error())
		}
		var compact bytes.Buffer
		if json.Compact(&compact, []byte(in.Policy)) == nil {
			size += compact.Len()
		} else {
			size += len(in.Policy)
		}
		sp.Documents = []string{in.Policy}
	}
	for _, a := range in.PolicyArns {
		if !strings.HasPrefix(a.Arn, "arn:aws:iam::") || !strings.Contains(a.Arn, ":policy/") {
			return nil, 0, validationError(a.Arn, "policyArns.member.arn", "Member must be the ARN of an IAM managed policy")
		}
		sp.ARNs = append(sp.ARNs, a.Arn)
		size += len(a.Arn)
	}
	for _, t := range in.Tags {
		size += len(t.Key) + len(t.Value)
	}
	packed := int32((size*100 + packedPolicyBudget - 1) / packedPolicyBudget)
	if packed > 100 {
		return nil, 0, stsapi.ErrPackedPolicyTooLarge("Packed size of policies and tags exceeds the allowed limit by %d%%.", packed-100)
	}
	return sp, packed, nil
}

// GetSessionToken issues temporary credentials for the calling root user or IAM user; they
// act as that principal (same ARN and UserId). Sessions cannot call it.
func (s *Service) GetSessionToken(ctx context.Context, in *stsapi.GetSessionTokenRequest) (*stsapi.GetSessionTokenResponse, error) {
	info, err := call.Caller(ctx)
	if err != nil {
		return nil, err
	}
	p := info.Principal
	if p.Type == identity.AssumedRole || !p.Expiration.IsZero() {
		return nil, awsproto.ErrAccessDenied("Cannot call GetSessionToken with session credentials")
	}
	duration := int32(defaultUserSession)
	if in.DurationSeconds != nil {
		duration = *in.DurationSeconds
	}
	switch {
	case duration < minDuration:
		return nil, validationError(itoa(duration), "durationSeconds", "Member must have value greater than or equal to 900")
	case duration > maxUserSession:
		return nil, validationError(itoa(duration), "durationSeconds", "Member must have value less than or equal to 129600")
	}
	if p.IsRoot() && duration > maxRootSession {
		// AWS: "If the duration is longer than one hour, the session for AWS account owners
		// defaults to one hour."
		duration = maxRootSession
	}
	now := s.clock.Now().UTC()
	cred := &identity.Credential{
		AccessKeyID: s.dir.NewAccessKeyID(true), SecretAccessKey: s.ids.Secret(), SessionToken: s.sessionToken(),
		Expiration: now.Add(time.Duration(duration) * time.Second), Account: p.Account, Type: p.Type,
		ARN: p.ARN, UserID: p.UserID, Status: "Active", Created: now, Name: p.Name,
	}
	err = s.store.Write(ctx, func(tx store.Tx) error {
		if p.IsRoot() {
			// identity.PutCredential would also index the key among the account's root access
			// keys, which temporary credentials are not.
			b, err := s.dir.EncodeCredential(cred)
			if err != nil {
				return err
			}
			return tx.Put(identity.KindCredential, "", cred.AccessKeyID, b)
		}
		return s.dir.PutCredential(tx, cred)
	})
	if err != nil {
		return nil, err
	}
	return &stsapi.GetSessionTokenResponse{Credentials: credentials(cred)}, nil
}

func credentials(c *identity.Credential) *stsapi.Credentials {
	return &stsapi.Credentials{AccessKeyId: c.AccessKeyID, SecretAccessKey: c.SecretAccessKey,
		SessionToken: c.SessionToken, Expiration: awsproto.NewTime(c.Expiration)}
}

// sessionToken returns an opaque session token of AWS's typical length, drawn from the
// injected generator.
func (s *Service) sessionToken() string {
	var b strings.Builder
	b.WriteString("IQoJb3JpZ2luX2VjE")
	for range 8 {
		b.WriteString(s.ids.Secret())
	}
	return b.String()
}

func itoa(n int32) string { return strconv.Itoa(int(n)) }
