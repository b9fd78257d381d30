package conformance

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/orgconfig/orgconfig/internal/api/configapi"
	"github.com/orgconfig/orgconfig/internal/awsproto"
	"github.com/orgconfig/orgconfig/internal/configservice/core"
	"github.com/orgconfig/orgconfig/internal/store"
)

// Organization rules and organization conformance packs are deployed the same way: an object
// of the caller's (account, region) is deployed to that region of every ACTIVE account of the
// organization but the excluded ones, by a background job (jobOrgDeploy) that runs after each
// Put and Delete, when an account joins or leaves (the Organizations membership hook) and every
// orgDeployInterval. Each member's deployment has a status; the object's status sums them up
// as AWS does: *_IN_PROGRESS until the job has run, then *_SUCCESSFUL when every member succeeded
// or *_FAILED.

// multiAccountPrincipal is the service principal of organization rules and packs.
const multiAccountPrincipal = "config-multiaccountsetup.amazonaws.com"

// Record kinds of organization deployments.
const (
	// KindOrgRule holds an organization rule: scope = Scope(creator, region), id = name, body
	// orgRuleRec.
	KindOrgRule = "config-org-rule"
	// KindOrgPack holds an organization conformance pack, the same way (body orgPackRec).
	KindOrgPack = "config-org-pack"
	// KindOrgDeployIndex lists the organization rules and packs of an organization: scope =
	// organization ID, id = kind + "|" + creator + "|" + region + "|" + name, empty body.
	KindOrgDeployIndex = "config-org-deploy-index"
)

// jobOrgDeploy reconciles one organization rule or pack with the organization. Key: kind |
// creator | region | name.
const jobOrgDeploy = "config-org-deploy"

// orgDeployInterval is how often deployments are reconciled without a membership change.
const orgDeployInterval = 5 * time.Minute

// Deployment statuses (OrganizationRuleStatus, MemberAccountRuleStatus, OrganizationResourceStatus).
const (
	phaseCreate = "CREATE"
	phaseUpdate = "UPDATE"
	phaseDelete = "DELETE"
)

func inProgress(phase string) string { return phase + "_IN_PROGRESS" }
func succeeded(phase string) string  { return phase + "_SUCCESSFUL" }
func failed(phase string) string     { return phase + "_FAILED" }

// memberStatus is one member account's deployment.
type memberStatus struct {
	Name    string    `json:"name"` // the member rule or pack
	Status  string    `json:"status"`
	Code    string    `json:"code,omitempty"`
	Message string    `json:"message,omitempty"`
	Updated time.Time `json:"updated"`
}

// deployment is the state shared by organization rules and packs.
type deployment struct {
	OrgID   string                   `json:"orgId"`
	Creator string                   `json:"creator"`
	Region  string                   `json:"region"`
	Name    string                   `json:"name"`
	Suffix  string                   `json:"suffix"` // of member object names
	Phase   string                   `json:"phase"`
	Status  string                   `json:"status"`
	Code    string                   `json:"code,omitempty"`
	Message string                   `json:"message,omitempty"`
	Updated time.Time                `json:"updated"`
	Members map[string]*memberStatus `json:"members,omitempty"`
}

// deployer deploys one kind of organization object to members.
type deployer interface {
	// kind is the record kind of the objects.
	kind() string
	// deployTx creates or updates the member object in (account, region) and returns its name,
	// or an AWS error saying why it failed there.
	deployTx(tx store.Tx, d *deployment, account string) (string, error)
	// removeTx removes the member object.
	removeTx(tx store.Tx, d *deployment, account string, m *memberStatus) error
	// excluded returns the accounts excluded from the deployment.
	excluded() []string
}

// orgCallerTx checks the caller of an organization rule or pack operation: an
// account of an organization with all features that is its management account or a delegated
// administrator for config-multiaccountsetup.amazonaws.com. With enable, a management account
// gets trusted access for that principal (and its service-linked roles) enabled.
func (s *Service) orgCallerTx(tx store.Tx, account string, enable bool) (string, error) {
	if s.Orgs == nil {
		return "", configapi.ErrOrganizationAccessDenied("This action can only be made by accounts in an AWS Organization.")
	}
	o, err := s.Orgs.OrgOfTx(tx, account)
	if err != nil {
		return "", err
	}
	if o == nil {
		return "", configapi.ErrOrganizationAccessDenied("This action can only be made by accounts in an AWS Organization.")
	}
	if o.FeatureSet != "ALL" {
		return "", configapi.ErrOrganizationAllFeaturesNotEnabled("This action can be only made by AWS Organization's with all features enabled.")
	}
	if account == o.Mgmt {
		if enable {
			if err := s.Orgs.EnableServiceAccessTx(tx, o.ID, multiAccountPrincipal); err != nil {
				return "", err
			}
		}
		return o.ID, nil
	}
	da, err := s.Orgs.IsDelegatedAdminTx(tx, account, multiAccountPrincipal)
	if err != nil {
		return "", err
	}
	if !da {
		return "", configapi.ErrOrganizationAccessDenied("This action can only be performed if you are a registered delegated administrator for AWS Config with permissions to call ListDelegatedAdministrators API.")
	}
	return o.ID, nil
}

func deployIndexID(kind, creator, region, name string) string {
	return kind + "|" + creator + "|" + region + "|" + name
}

type deployJob struct {
	Kind    string `json:"kind"`
	Creator string `json:"creator"`
	Region  string `json:"region"`
	Name    string `json:"name"`
}

func (s *Service) enqueueDeployTx(tx store.Tx, kind, creator, region, name string, at time.Time) error {
	b, err := json.Marshal(deployJob{Kind: kind, Creator: creator, Region: region, Name: name})
	if err != nil {
		return err
	}
	// The periodic run has a key of its own: a waiting periodic job must not absorb (by the
	// queue's deduplication) a run asked for now.
	key := deployIndexID(kind, creator, region, name)
	if at.After(s.Clock.Now()) {
		key += "|later"
	}
	return tx.Enqueue(store.Job{Kind: jobOrgDeploy, Key: key, Payload: b, RunAt: at})
}

// startDeploymentTx puts a deployment in a phase: every current target member is in progress.
func (s *Service) startDeploymentTx(tx store.Tx, d *deployment, phase string, now time.Time) error {
	d.Phase, d.Status, d.Code, d.Message, d.Updated = phase, inProgress(phase), "", "", now
	for _, m := range d.Members {
		m.Status, m.Code, m.Message, m.Updated = inProgress(phase), "", "", now
	}
	if phase != phaseDelete {
		targets, err := s.Orgs.MemberAccountsTx(tx, d.OrgID)
		if err != nil {
			return err
		}
		if d.Members == nil {
			d.Members = map[string]*memberStatus{}
		}
		for _, acct := range targets {
			if _, ok := d.Members[acct]; !ok {
				d.Members[acct] = &memberStatus{Status: inProgress(phase), Updated: now}
			}
		}
	}
	return nil
}

// reconcileTx brings a deployment in line with the organization: deploys to every target,
// removes from every member that is no longer one (all of them when deleting, or when trusted
// access for config-multiaccountsetup.amazonaws.com is off), and sums the statuses up. It
// reports whether the object is gone (a finished deletion).
func (s *Service) reconcileTx(tx store.Tx, d *deployment, dep deployer, deleting bool, now time.Time) (gone bool, err error) {
	enabled, err := s.Orgs.TrustedAccessEnabledTx(tx, d.OrgID, multiAccountPrincipal)
	if err != nil {
		return false, err
	}
	var targets []string
	if !deleting && enabled {
		members, err := s.Orgs.MemberAccountsTx(tx, d.OrgID)
		if err != nil {
			return false, err
		}
		for _, acct := range members {
			if !slices.Contains(dep.excluded(), acct) {
				targets = append(targets, acct)
			}
		}
	}
	if d.Members == nil {
		d.Members = map[string]*memberStatus{}
	}
	for acct, m := range d.Members {
		if slices.Contains(targets, acct) {
			continue
		}
		if err := dep.removeTx(tx, d, acct, m); err != nil {
			return false, err
		}
		delete(d.Members, acct)
	}
	phase := d.Phase
	if phase == "" || phase == phaseDelete {
		phase = phaseCreate
	}
	anyFailed := false
	for _, acct := range targets {
		m := d.Members[acct]
		if m == nil {
			m = &memberStatus{}
			d.Members[acct] = m
		}
		name, err := dep.deployTx(tx, d, acct)
		m.Updated = now
		if name != "" {
			m.Name = name
		}
		if e := awsErr(err); e != nil {
			m.Status, m.Code, m.Message = failed(phase), e.Code, e.Message
			anyFailed = true
			continue
		} else if err != nil {
			return false, err
		}
		m.Status, m.Code, m.Message = succeeded(phase), "", ""
	}
	if deleting {
		return true, nil
	}
	d.Updated = now
	switch {
	case !enabled:
		d.Status, d.Code, d.Message = failed(phase), "OrganizationAccessDeniedException", "Trusted access for config-multiaccountsetup.amazonaws.com is not enabled in the organization."
	case anyFailed:
		d.Status, d.Code, d.Message = failed(phase), "", "The deployment failed in at least one member account: see the detailed status."
	default:
		d.Status, d.Code, d.Message = succeeded(phase), "", ""
	}
	return false, nil
}

// runOrgDeploy reconciles the organization rule or pack the job names, and schedules its next
// periodic reconciliation.
func (s *Service) runOrgDeploy(ctx context.Context, job store.Job) error {
	var p deployJob
	if err := json.Unmarshal(job.Payload, &p); err != nil {
		return fmt.Errorf("configservice: deployment job payload: %w", err)
	}
	return s.Store.Write(ctx, func(tx store.Tx) error {
		var err error
		switch p.Kind {
		case KindOrgRule:
			err = s.reconcileOrgRuleTx(tx, p.Creator, p.Region, p.Name)
		case KindOrgPack:
			err = s.reconcileOrgPackTx(tx, p.Creator, p.Region, p.Name)
		default:
			err = fmt.Errorf("configservice: deployment of unknown kind %q", p.Kind)
		}
		if err != nil {
			return err
		}
		return tx.CompleteJob(job.Lease())
	})
}

// membershipChangedTx follows an organization's membership: every organization rule and pack
// of the organization is reconciled again.
func (s *Service) membershipChangedTx(tx store.Tx, orgID, account string, joined bool) error {
	recs, err := tx.List(KindOrgDeployIndex, orgID, "", 0)
	if err != nil {
		return err
	}
	now := s.Clock.Now()
	for _, r := range recs {
		parts := splitN4(r.ID)
		if parts == nil {
			continue
		}
		if err := s.enqueueDeployTx(tx, parts[0], parts[1], parts[2], parts[3], now); err != nil {
			return err
		}
	}
	return nil
}

func splitN4(id string) []string {
	var out []string
	start := 0
	for i := 0; i < len(id) && len(out) < 3; i++ {
		if id[i] == '|' {
			out = append(out, id[start:i])
			start = i + 1
		}
	}
	if len(out) != 3 {
		return nil
	}
	return append(out, id[start:])
}

// awsErr returns err as an AWS error, or nil.
func awsErr(err error) *awsproto.Error { return awsproto.AsError(err) }

// detailedStatus renders members' statuses, in account order, filtered.
func detailedStatus(d *deployment, account, status string) []string {
	accts := make([]string, 0, len(d.Members))
	for acct, m := range d.Members {
		if (account == "" || acct == account) && (status == "" || m.Status == status) {
			accts = append(accts, acct)
		}
	}
	slices.Sort(accts)
	return accts
}

// reconcileObjectTx is the deployment job of an organization rule or pack (kind): it
// reconciles the members with dep, then forgets the object once its deletion is done, or saves
// it and comes back after orgDeployInterval.
func (s *Service) reconcileObjectTx(tx store.Tx, kind, creator, region, name string, d *deployment, dep deployer, deleting bool, save func() error) error {
	now := s.Clock.Now().UTC()
	gone, err := s.reconcileTx(tx, d, dep, deleting, now)
	if err != nil {
		return err
	}
	if gone {
		if _, err := tx.Delete(kind, core.Scope(creator, region), name); err != nil {
			return err
		}
		_, err := tx.Delete(KindOrgDeployIndex, d.OrgID, deployIndexID(kind, creator, region, name))
		return err
	}
	if err := save(); err != nil {
		return err
	}
	return s.enqueueDeployTx(tx, kind, creator, region, name, now.Add(orgDeployInterval))
}

// listOrgObjects is what the Describe operations of organization rules and packs (and of their
// statuses) share: the caller's checks, then the page the token and limit (100 by default)
// select of the objects sel returns (in the order given when the caller named them), each
// rendered.
func listOrgObjects[T, R any](s *Service, ctx context.Context, names []string, tok string, limit *int32,
	sel func(tx store.Tx, account, region string, names []string) ([]*T, error), name func(*T) string, render func(*T) R) ([]R, string, error) {
	account, region, err := core.Where(ctx)
	if err != nil {
		return nil, "", err
	}
	out, next := []R{}, ""
	err = s.Store.Read(ctx, func(tx store.Tx) error {
		if _, err := s.orgCallerTx(tx, account, false); err != nil {
			return err
		}
		all, err := sel(tx, account, region, names)
		if err != nil {
			return err
		}
		page, n, err := pageByName(all, name, tok, core.LimitOr(limit, 100), len(names) > 0)
		if err != nil {
			return err
		}
		out, next = out[:0], n
		for _, o := range page {
			out = append(out, render(o))
		}
		return nil
	})
	if err != nil {
		return nil, "", err
	}
	return out, next, nil
}

// listMemberStatuses is what the two detailed-status operations share: the caller's checks, the
// object's deployment (get returns the operation's not-found error when there is none), and the
// page of member accounts whose status passes the filters (empty: any), each rendered.
func listMemberStatuses[R any](s *Service, ctx context.Context, tok string, limit *int32, accountFilter, statusFilter string,
	get func(tx store.Tx, account, region string) (*deployment, error), render func(account string, m *memberStatus) R) ([]R, string, error) {
	account, region, err := core.Where(ctx)
	if err != nil {
		return nil, "", err
	}
	out, next := []R{}, ""
	err = s.Store.Read(ctx, func(tx store.Tx) error {
		if _, err := s.orgCallerTx(tx, account, false); err != nil {
			return err
		}
		d, err := get(tx, account, region)
		if err != nil {
			return err
		}
		accts := detailedStatus(d, accountFilter, statusFilter)
		page, n, err := pageByName(accts, func(a string) string { return a }, tok, core.LimitOr(limit, 100), false)
		if err != nil {
			return err
		}
		out, next = out[:0], n
		for _, acct := range page {
			out = append(out, render(acct, d.Members[acct]))
		}
		return nil
	})
	if err != nil {
		return nil, "", err
	}
	return out, next, nil
}
