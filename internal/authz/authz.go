package authz

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/orgconfig/orgconfig/internal/awsproto"
	"github.com/orgconfig/orgconfig/internal/call"
	"github.com/orgconfig/orgconfig/internal/iam"
	"github.com/orgconfig/orgconfig/internal/identity"
	"github.com/orgconfig/orgconfig/internal/organizations"
	"github.com/orgconfig/orgconfig/internal/policy"
	"github.com/orgconfig/orgconfig/internal/store"
)

// Authorizer evaluates policies for every call.
type Authorizer struct {
	store store.Store
	iam   *iam.Service
	orgs  *organizations.Service
	docs  *docCache
	// scpCache spares root callers of accounts outside SCPs a read transaction per call.
	scpCache scpCache
}

// New returns an Authorizer.
func New(st store.Store, iamSvc *iam.Service, orgs *organizations.Service) *Authorizer {
	return &Authorizer{store: st, iam: iamSvc, orgs: orgs, docs: newDocCache()}
}

// actionPrefixes maps signing names to IAM action prefixes.
var actionPrefixes = map[string]string{
	"config": "config", "organizations": "organizations", "iam": "iam", "sts": "sts",
}

// Action returns the IAM action of an operation of service (a signing name).
func Action(service, operation string) string {
	if p, ok := actionPrefixes[service]; ok {
		return p + ":" + operation
	}
	return service + ":" + operation
}

// Authorize returns nil when info.Principal may call operation of service (signing name:
// "config", "organizations", "iam", "sts") with the given JSON input, or an *awsproto.Error
// (access denied, in the protocol's spelling) when it may not.
func (a *Authorizer) Authorize(ctx context.Context, info *call.Info, service, operation string, input []byte) error {
	action := Action(service, operation)
	if action == "sts:GetCallerIdentity" {
		return nil
	}
	p := info.Principal
	if p == nil {
		return awsproto.ErrAccessDenied("Anonymous callers are not authorized to perform: %s", action)
	}
	checkIdentity := !p.IsRoot() && action != "sts:AssumeRole" && action != "sts:GetSessionToken"
	checkSCP := !isServiceLinkedSession(p)
	if !checkIdentity && !checkSCP {
		return nil
	}
	// The common case, root of an account that SCPs do not bound (no organization, or the
	// management account), needs no transaction once that fact is cached.
	if !checkIdentity && checkSCP {
		if e, ok := a.scpCache.get(p.Account, a.orgs.Generation()); ok && !e.applies {
			return nil
		}
	}
	var denial error
	err := a.store.Read(ctx, func(tx store.Tx) error {
		denial = nil
		var scps [][]*policy.Document
		if checkSCP {
			gen := a.orgs.Generation()
			levels, applies, err := a.orgs.SCPLevelsTx(tx, p.Account)
			if err != nil {
				return err
			}
			a.scpCache.put(p.Account, gen, applies)
			if applies {
				scps = make([][]*policy.Document, len(levels))
				for i, l := range levels {
					scps[i] = a.docs.parseAll(l)
				}
			} else {
				checkSCP = false
			}
		}
		var perms *Permissions
		if checkIdentity {
			var err error
			if perms, err = loadPermissionsTx(tx, a.iam, p, a.docs.parse); err != nil {
				return err
			}
		}
		if !checkIdentity && !checkSCP {
			return nil
		}
		resource := resourceTx(tx, a.iam, p.Account, action, input)
		req := policy.Request{Action: action, Resource: resource, Caller: CallerOf(p), Context: RequestContext(info, service)}
		if mentionsOrgID(scps, perms) {
			if err := a.addOrgIDTx(tx, req.Context, p.Account); err != nil {
				return err
			}
		}
		var scpDecision policy.Decision = policy.Allowed
		if checkSCP {
			scpDecision = policy.EvaluateSCP(req, scps)
			if scpDecision == policy.ExplicitDeny {
				denial = Denied(p, action, resource, scpDecision, "service control policy")
				return nil
			}
		}
		if checkIdentity {
			if d, kind := perms.Decide(req); d != policy.Allowed {
				denial = Denied(p, action, resource, d, kind)
				return nil
			}
		}
		if scpDecision != policy.Allowed {
			denial = Denied(p, action, resource, scpDecision, "service control policy")
		}
		return nil
	})
	if err != nil {
		return err
	}
	return denial
}

// Denied returns AWS's AccessDenied error for a refused action, naming the policy type that
// refused it: "User: <arn> is not authorized to perform: <action> on resource: <resource>
// with an explicit deny in a <kind>" or "... because no <kind> allows the <action> action".
func Denied(p *identity.Principal, action, resource string, d policy.Decision, kind string) *awsproto.Error {
	if d == policy.ExplicitDeny {
		article := "a"
		if strings.IndexByte("aeiou", kind[0]) >= 0 {
			article = "an"
		}
		return awsproto.ErrAccessDenied("User: %s is not authorized to perform: %s on resource: %s with an explicit deny in %s %s",
			p.ARN, action, resource, article, kind)
	}
	return awsproto.ErrAccessDenied("User: %s is not authorized to perform: %s on resource: %s because no %s allows the %s action",
		p.ARN, action, resource, kind, action)
}

// isServiceLinkedSession reports whether p is a session of a service-linked role, which SCPs
// never restrict. Service-linked roles, and only they, live under the /aws-service-role/ path.
func isServiceLinkedSession(p *identity.Principal) bool {
	return p.Type == identity.AssumedRole && strings.Contains(p.RoleARN, ":role/aws-service-role/")
}

// CallerOf describes p for Principal elements of trust policies.
func CallerOf(p *identity.Principal) *policy.Caller {
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

// RequestContext returns the global condition keys of a call (see the package comment).
func RequestContext(info *call.Info, service string) policy.Context {
	ctx := policy.Context{}
	if p := info.Principal; p != nil {
		ctx.Set("aws:PrincipalAccount", p.Account)
		ctx.Set("aws:userid", p.UserID)
		switch p.Type {
		case identity.Root:
			ctx.Set("aws:PrincipalType", "Account")
			ctx.Set("aws:PrincipalArn", p.ARN)
		case identity.User:
			ctx.Set("aws:PrincipalType", "User")
			ctx.Set("aws:PrincipalArn", p.ARN)
			ctx.Set("aws:username", p.Name)
		case identity.AssumedRole:
			ctx.Set("aws:PrincipalType", "AssumedRole")
			ctx.Set("aws:PrincipalArn", p.RoleARN)
		}
		if !p.Expiration.IsZero() || p.Type == identity.AssumedRole {
			ctx.Set("aws:MultiFactorAuthPresent", "false")
		}
	}
	region := info.Region
	if service == "iam" || service == "organizations" || region == "" {
		region = "us-east-1"
	}
	ctx.Set("aws:RequestedRegion", region)
	t := info.Time
	if t.IsZero() {
		t = time.Now()
	}
	ctx.Set("aws:CurrentTime", t.UTC().Format(time.RFC3339))
	ctx.Set("aws:EpochTime", strconv.FormatInt(t.Unix(), 10))
	return ctx
}

// mentionsOrgID reports whether any document uses aws:PrincipalOrgID, which costs a read.
func mentionsOrgID(scps [][]*policy.Document, perms *Permissions) bool {
	has := func(docs []*policy.Document) bool {
		for _, d := range docs {
			for _, st := range d.Statements {
				for _, c := range st.Conditions {
					if strings.EqualFold(c.Key, "aws:PrincipalOrgID") {
						return true
					}
				}
			}
		}
		return false
	}
	for _, l := range scps {
		if has(l) {
			return true
		}
	}
	return perms != nil && (has(perms.Identity) || has(perms.Session))
}

// addOrgIDTx sets aws:PrincipalOrgID when account is in an organization.
func (a *Authorizer) addOrgIDTx(tx store.Tx, ctx policy.Context, account string) error {
	o, err := a.orgs.OrgOfTx(tx, account)
	if err != nil {
		return err
	}
	if o != nil {
		ctx.Set("aws:PrincipalOrgID", o.ID)
	}
	return nil
}

// resourceTx derives the resource of the cheap cases listed in the package comment.
func resourceTx(tx store.Tx, iamSvc *iam.Service, account, action string, input []byte) string {
	svc, _, _ := strings.Cut(action, ":")
	if svc != "iam" && action != "sts:AssumeRole" {
		return "*"
	}
	var in struct{ RoleName, UserName, PolicyArn, RoleArn, Path string }
	if len(input) == 0 || json.Unmarshal(input, &in) != nil {
		return "*"
	}
	switch {
	case action == "sts:AssumeRole" && in.RoleArn != "":
		return in.RoleArn
	case in.RoleName != "":
		if r, err := iam.GetRoleTx(tx, account, in.RoleName); err == nil {
			return r.ARN
		}
		return "arn:aws:iam::" + account + ":role" + pathOr(in.Path) + in.RoleName
	case in.UserName != "":
		if u, err := iamSvc.UserByNameTx(tx, account, in.UserName); err == nil {
			return u.ARN
		}
		return "arn:aws:iam::" + account + ":user" + pathOr(in.Path) + in.UserName
	case in.PolicyArn != "":
		return in.PolicyArn
	}
	return "*"
}

func pathOr(p string) string {
	if p == "" {
		return "/"
	}
	return p
}

// docCache keeps parsed documents by their text: the same few policies are evaluated on every
// call. It is bounded and safe for concurrent use. Invalid documents are cached as nil (they
// grant nothing).
type docCache struct {
	mu sync.Mutex
	m  map[string]*policy.Document
}

const docCacheMax = 4096

func newDocCache() *docCache { return &docCache{m: map[string]*policy.Document{}} }

func (c *docCache) parse(text string) *policy.Document {
	c.mu.Lock()
	d, ok := c.m[text]
	c.mu.Unlock()
	if ok {
		return d
	}
	d = parseDoc(text)
	c.mu.Lock()
	if len(c.m) >= docCacheMax {
		clear(c.m)
	}
	c.m[text] = d
	c.mu.Unlock()
	return d
}

func (c *docCache) parseAll(texts []string) []*policy.Document {
	out := make([]*policy.Document, 0, len(texts))
	for _, t := range texts {
		if d := c.parse(t); d != nil {
			out = append(out, d)
		}
	}
	return out
}

// parseDoc parses a stored document; one that does not parse (stored before validation was
// strict, or corrupted) is nil and grants nothing.
func parseDoc(text string) *policy.Document {
	d, err := policy.ParseString(text)
	if err != nil {
		return nil
	}
	return d
}
