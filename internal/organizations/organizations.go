package organizations

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/orgconfig/orgconfig/internal/api/organizationsapi"
	"github.com/orgconfig/orgconfig/internal/call"
	"github.com/orgconfig/orgconfig/internal/clock"
	"github.com/orgconfig/orgconfig/internal/iam"
	"github.com/orgconfig/orgconfig/internal/identity"
	"github.com/orgconfig/orgconfig/internal/ids"
	"github.com/orgconfig/orgconfig/internal/jobs"
	"github.com/orgconfig/orgconfig/internal/store"
)

// Quotas of AWS Organizations that orgconfig enforces. DefaultLimits are AWS's defaults.
type Limits struct {
	// MaxAccounts is the number of accounts an organization may hold, the management account,
	// suspended accounts and open invitations included. A per-organization override can be
	// stored with SetAccountLimit.
	MaxAccounts int
	// MaxCreationsInProgress bounds the CreateAccount requests in progress at once.
	MaxCreationsInProgress int
	// MaxOUs bounds the OUs of an organization; MaxOUDepth their nesting under the root.
	MaxOUs, MaxOUDepth int
	// MaxPolicies bounds the customer-managed policies of an organization.
	MaxPolicies int
}

// DefaultLimits are AWS's default quotas.
var DefaultLimits = Limits{MaxAccounts: 10, MaxCreationsInProgress: 5, MaxOUs: 1000, MaxOUDepth: 5, MaxPolicies: 1000}

// Job kinds registered by this package.
const (
	JobCreateAccount = "organizations.create-account"
	JobCloseAccount  = "organizations.close-account"
)

// Service implements organizationsapi.API.
type Service struct {
	organizationsapi.Unimplemented
	store store.Store
	clock clock.Clock
	ids   ids.Generator
	dir   *identity.Directory
	iam   *iam.Service
	jobs  *jobs.Runner

	mu         sync.RWMutex
	limits     Limits
	principals map[string]ServicePrincipal
	gen        atomic.Uint64
	hooks      []MembershipHook
	// cache holds this Service's caches of decoded and rendered state (see cache.go).
	cache *caches
}

// New returns the Organizations service. It registers its background job kinds on runner.
func New(st store.Store, c clock.Clock, g ids.Generator, dir *identity.Directory, iamSvc *iam.Service, runner *jobs.Runner) *Service {
	s := &Service{store: st, clock: c, ids: g, dir: dir, iam: iamSvc, jobs: runner, limits: DefaultLimits,
		principals: map[string]ServicePrincipal{}, cache: newCaches()}
	for _, p := range DefaultServicePrincipals {
		s.principals[p.Name] = p
	}
	if runner != nil {
		runner.Register(JobCreateAccount, s.runCreateAccount)
		runner.Register(JobCloseAccount, s.runCloseAccount)
	}
	return s
}

// SetLimits replaces the quotas (zero fields keep their current value). The server calls it
// from its options; it is safe to call while serving.
func (s *Service) SetLimits(l Limits) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if l.MaxAccounts > 0 {
		s.limits.MaxAccounts = l.MaxAccounts
	}
	if l.MaxCreationsInProgress > 0 {
		s.limits.MaxCreationsInProgress = l.MaxCreationsInProgress
	}
	if l.MaxOUs > 0 {
		s.limits.MaxOUs = l.MaxOUs
	}
	if l.MaxOUDepth > 0 {
		s.limits.MaxOUDepth = l.MaxOUDepth
	}
	if l.MaxPolicies > 0 {
		s.limits.MaxPolicies = l.MaxPolicies
	}
}

func (s *Service) lim() Limits {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.limits
}

// SetAccountLimit stores a per-organization account quota (as a raised Service Quotas value
// would be); n <= 0 returns the organization to the service default. It is durable and seen by
// every replica. Tests that need many accounts use it.
func SetAccountLimit(ctx context.Context, st store.Store, orgID string, n int) error {
	return st.Write(ctx, func(tx store.Tx) error {
		o, err := newCaches().getOrg(tx, orgID)
		if err != nil {
			return err
		}
		if o == nil {
			return fmt.Errorf("organization %s: %w", orgID, store.ErrNotFound)
		}
		o.MaxAccounts = max(n, 0)
		return putJSON(tx, kindOrg, "", o.ID, o)
	})
}

// Standard messages of AWS Organizations errors.
const (
	msgNotInUse      = "Your account is not a member of an organization."
	msgAccessDenied  = "You don't have permissions to access this resource."
	msgAcctNotFound  = "You specified an account that doesn't exist."
	msgOUNotFound    = "You specified an organizational unit that doesn't exist."
	msgPolicyMissing = "We can't find a policy with the PolicyId that you specified."
	msgTargetMissing = "You specified a target that doesn't exist."
	msgParentMissing = "You specified parent that doesn't exist."
	msgUnrecognized  = "You specified an unrecognized service principal."
)

func errNotInUse() error { return organizationsapi.ErrAWSOrganizationsNotInUse(msgNotInUse) }
func errDenied() error   { return organizationsapi.ErrAccessDenied(msgAccessDenied) }

func constraint(reason, format string, args ...any) error {
	return organizationsapi.ErrConstraintViolation(format, args...).With("Reason", reason)
}

func invalid(reason, format string, args ...any) error {
	return organizationsapi.ErrInvalidInput(format, args...).With("Reason", reason)
}

func hsConstraint(reason, format string, args ...any) error {
	return organizationsapi.ErrHandshakeConstraintViolation(format, args...).With("Reason", reason)
}

// callerAccount is the account of the request's principal (call.Caller's error outside a
// request).
func callerAccount(ctx context.Context) (string, error) {
	info, err := call.Caller(ctx)
	if err != nil {
		return "", err
	}
	return info.Principal.Account, nil
}

// now is the service clock's time, truncated to the millisecond precision of the wire.
func (s *Service) now() time.Time { return s.clock.Now().UTC().Truncate(time.Millisecond) }

// member returns the organization of the caller, or AWSOrganizationsNotInUseException.
func (s *Service) member(ctx context.Context, tx store.Tx) (*Organization, string, error) {
	o, _, acct, err := s.memberRaw(ctx, tx)
	if err != nil {
		return nil, "", err
	}
	return copyOrg(o), acct, nil
}

// memberRaw is member returning the shared cached organization (which must not be modified)
// and its record's bytes.
func (s *Service) memberRaw(ctx context.Context, tx store.Tx) (*Organization, []byte, string, error) {
	acct, err := callerAccount(ctx)
	if err != nil {
		return nil, nil, "", err
	}
	o, raw, err := s.cache.orgOfRaw(tx, acct)
	if err != nil {
		return nil, nil, "", err
	}
	if o == nil {
		return nil, nil, "", errNotInUse()
	}
	return o, raw, acct, nil
}

// mgmt returns the caller's organization when the caller is its management account.
func (s *Service) mgmt(ctx context.Context, tx store.Tx) (*Organization, error) {
	o, acct, err := s.member(ctx, tx)
	if err != nil {
		return nil, err
	}
	if acct != o.Mgmt {
		return nil, errDenied()
	}
	return o, nil
}

// reader returns the caller's organization when the caller may use the read operations: the
// management account, a delegated administrator of any service, or a principal the
// organization's delegation policy allows the operation (see delegation.go).
func (s *Service) reader(ctx context.Context, tx store.Tx) (*Organization, string, error) {
	o, _, acct, err := s.readerRaw(ctx, tx)
	if err != nil {
		return nil, "", err
	}
	return copyOrg(o), acct, nil
}

// readerRaw is reader returning the shared cached organization (which must not be modified)
// and its record's bytes.
func (s *Service) readerRaw(ctx context.Context, tx store.Tx) (*Organization, []byte, string, error) {
	o, raw, acct, err := s.memberRaw(ctx, tx)
	if err != nil {
		return nil, nil, "", err
	}
	if acct == o.Mgmt {
		return o, raw, acct, nil
	}
	recs, err := tx.ListPrefix(kindDelegate, o.ID, acct+"/", "", 1)
	if err != nil {
		return nil, nil, "", err
	}
	if len(recs) == 0 {
		if ok, err := delegatedByPolicyTx(ctx, tx, o); err != nil {
			return nil, nil, "", err
		} else if !ok {
			return nil, nil, "", errDenied()
		}
	}
	return o, raw, acct, nil
}

// read and write run fn in a store transaction.
func (s *Service) read(ctx context.Context, fn func(tx store.Tx) error) error {
	return s.store.Read(ctx, fn)
}

func (s *Service) write(ctx context.Context, fn func(tx store.Tx) error) error {
	// Bumped after every write, committed or not, so that caches of derived state in this
	// process (authz's SCP levels) never outlive a change made here.
	defer s.gen.Add(1)
	return s.store.Write(ctx, func(tx store.Tx) error {
		vt := &versionTx{Tx: tx}
		if err := fn(vt); err != nil {
			return err
		}
		return vt.finish()
	})
}

// OrgOfTx returns the organization that account belongs to, or nil if it belongs to none.
// The returned value is a snapshot; callers must not modify it.
func (s *Service) OrgOfTx(tx store.Tx, account string) (*Organization, error) {
	return s.cache.orgOfTx(tx, account)
}

func (c *caches) orgOfTx(tx store.Tx, account string) (*Organization, error) {
	o, _, err := c.orgOfRaw(tx, account)
	if err != nil || o == nil {
		return nil, err
	}
	return copyOrg(o), nil
}

// orgOfRaw is OrgOfTx without the copy: it returns the cached organization, which must not be
// modified, and the organization record's bytes.
func (c *caches) orgOfRaw(tx store.Tx, account string) (*Organization, []byte, error) {
	b, err := tx.Get(kindOrgOf, "", account)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	orgID, err := c.orgIDOf(account, b)
	if err != nil {
		return nil, nil, err
	}
	return c.getOrgRaw(tx, orgID)
}

// Generation changes after every write this process makes to Organizations state. Caches of
// state derived from Organizations compare it to know they are stale; writes by other replicas
// are bounded by the caches' own short lifetimes instead.
func (s *Service) Generation() uint64 { return s.gen.Load() }

// ServiceAccessEnabled implements iam.OrgInfo: it reports whether account belongs to an
// organization in which trusted access for servicePrincipal is enabled (for
// "organizations.amazonaws.com": whether the organization has all features). It is false for
// accounts outside any organization, so service-linked roles become deletable once trusted
// access is disabled or the account has left.
func (s *Service) ServiceAccessEnabled(tx store.Tx, account, servicePrincipal string) (bool, error) {
	o, err := s.OrgOfTx(tx, account)
	if err != nil || o == nil {
		return false, err
	}
	if servicePrincipal == organizationsPrincipal {
		return o.all(), nil
	}
	return s.TrustedAccessEnabledTx(tx, o.ID, servicePrincipal)
}

// TrustedAccessEnabledTx reports whether trusted access for principal is enabled in the
// organization orgID. It is false for an unknown organization.
func (s *Service) TrustedAccessEnabledTx(tx store.Tx, orgID, principal string) (bool, error) {
	return exists(tx, kindService, orgID, principal)
}

// IsDelegatedAdminTx reports whether account is a registered delegated administrator for
// principal in its organization. It is false for accounts outside any organization.
func (s *Service) IsDelegatedAdminTx(tx store.Tx, account, principal string) (bool, error) {
	o, err := s.OrgOfTx(tx, account)
	if err != nil || o == nil {
		return false, err
	}
	return exists(tx, kindDelegate, o.ID, account+"/"+principal)
}

// MemberAccountsTx returns the IDs of the ACTIVE accounts of organization orgID, the management
// account included, in ascending order. Suspended and closing accounts are left out. An unknown
// organization has none.
func (s *Service) MemberAccountsTx(tx store.Tx, orgID string) ([]string, error) {
	ids, _, err := s.cache.membershipTx(tx, orgID)
	return ids, err
}

// MembershipTx returns MemberAccountsTx and DepartedAccountsTx of organization orgID together.
//
// Aggregators call it on every read, so the answer is cached per organization and validated by
// the organization's version record read in tx (see cache.go): a hit costs one point read
// instead of listing and decoding every account. Inside an Organizations write (a versionTx,
// whose version record is only replaced at its end) the cache is bypassed.
func (s *Service) MembershipTx(tx store.Tx, orgID string) (members []string, departed map[string]time.Time, err error) {
	return s.cache.membershipTx(tx, orgID)
}

func (c *caches) membershipTx(tx store.Tx, orgID string) (members []string, departed map[string]time.Time, err error) {
	var version []byte
	if !WritingTx(tx) {
		if version, err = store.GetOptional(tx, kindOrgVersion, "", orgID); err != nil {
			return nil, nil, err
		}
	}
	return c.membershipAt(tx, orgID, version)
}

// VersionKey is the key of an organization's version record: a value that changes with every
// Organizations write to the organization. A reader that caches what it derives from the
// membership reads this record (in a GetMany with its own) to validate that cache.
func VersionKey(orgID string) store.Key { return store.Key{Kind: kindOrgVersion, Scope: "", ID: orgID} }

// WritingTx reports whether tx is an Organizations write, in which an organization's membership
// may already differ from what its version record says (the record is replaced at the end):
// caches validated by VersionKey must not be used in it.
func WritingTx(tx store.Tx) bool {
	_, writing := tx.(*versionTx)
	return writing
}

// MembershipAtTx is MembershipTx for a caller that has already read the organization's version
// record in tx (nil when absent, or inside an Organizations write).
func (s *Service) MembershipAtTx(tx store.Tx, orgID string, version []byte) (members []string, departed map[string]time.Time, err error) {
	return s.cache.membershipAt(tx, orgID, version)
}

func (c *caches) membershipAt(tx store.Tx, orgID string, version []byte) (members []string, departed map[string]time.Time, err error) {
	if WritingTx(tx) {
		version = nil
	}
	if m, ok := c.members.Get(orgID); ok && version != nil && m.version == string(version) {
		return slices.Clone(m.ids), maps.Clone(m.departed), nil
	}
	recs, err := listAll(tx, kindAccount, orgID, "")
	if err != nil {
		return nil, nil, err
	}
	for _, r := range recs {
		var a accountRec
		if err := decode(r, &a); err != nil {
			return nil, nil, err
		}
		if a.State == "ACTIVE" {
			members = append(members, a.ID)
		}
	}
	if departed, err = DepartedAccountsTx(tx, orgID); err != nil {
		return nil, nil, err
	}
	if version != nil {
		c.members.Put(orgID, memberIDs{version: string(version), ids: slices.Clone(members), departed: maps.Clone(departed)})
	}
	return members, departed, nil
}

// SCPLevelsTx returns the service control policies that bound a member account's principals:
// one list of policy documents per level of the tree, from the root down to the account
// itself. applies is false when SCPs do not apply: the account is in no organization, is the
// management account, or the organization does not have the SCP policy type enabled.
func (s *Service) SCPLevelsTx(tx store.Tx, account string) (levels [][]string, applies bool, err error) {
	o, err := s.OrgOfTx(tx, account)
	if err != nil || o == nil {
		return nil, false, err
	}
	if account == o.Mgmt || !o.all() || !o.typeEnabled(scpType) {
		return nil, false, nil
	}
	chain, err := ancestry(tx, o, account)
	if err != nil {
		return nil, false, err
	}
	for _, target := range chain {
		pols, err := attachedPolicies(tx, o, target, scpType)
		if err != nil {
			return nil, false, err
		}
		docs := make([]string, 0, len(pols))
		for _, p := range pols {
			docs = append(docs, p.Content)
		}
		levels = append(levels, docs)
	}
	return levels, true, nil
}

// ancestry returns the targets from the root down to id (an account or OU), id included.
func ancestry(tx store.Tx, o *Organization, id string) ([]string, error) {
	chain := []string{id}
	parent, err := parentOf(tx, o, id)
	if err != nil {
		return nil, err
	}
	for i := 0; parent != "" && i < 16; i++ {
		chain = append(chain, parent)
		if parent == o.RootID {
			break
		}
		ou, err := getOU(tx, o.ID, parent)
		if err != nil {
			return nil, err
		}
		if ou == nil {
			return nil, fmt.Errorf("organization %s: OU %s is missing", o.ID, parent)
		}
		parent = ou.Parent
	}
	for i, j := 0, len(chain)-1; i < j; i, j = i+1, j-1 {
		chain[i], chain[j] = chain[j], chain[i]
	}
	return chain, nil
}

// parentOf returns the parent of an account or OU ("" for the root or an unknown child).
func parentOf(tx store.Tx, o *Organization, id string) (string, error) {
	if strings.HasPrefix(id, "ou-") {
		ou, err := getOU(tx, o.ID, id)
		if err != nil || ou == nil {
			return "", err
		}
		return ou.Parent, nil
	}
	a, err := getAccount(tx, o.ID, id)
	if err != nil || a == nil {
		return "", err
	}
	return a.Parent, nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
