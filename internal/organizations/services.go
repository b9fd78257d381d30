package organizations

import (
	"context"
	"fmt"
	"strings"

	"github.com/orgconfig/orgconfig/internal/api/organizationsapi"
	"github.com/orgconfig/orgconfig/internal/awsproto"
	"github.com/orgconfig/orgconfig/internal/store"
)

// Service principals that Organizations itself and AWS Config use.
const (
	organizationsPrincipal = "organizations.amazonaws.com"
	ConfigPrincipal        = "config.amazonaws.com"
	ConfigMultiAccount     = "config-multiaccountsetup.amazonaws.com"
)

// ServicePrincipal describes an AWS service that supports trusted access.
type ServicePrincipal struct {
	// Name is the service principal, such as "config.amazonaws.com".
	Name string
	// MaxDelegatedAdmins is how many delegated administrators the service accepts at once; 0
	// means the service does not support delegated administration.
	MaxDelegatedAdmins int
	// ServiceLinkedRole says that enabling trusted access creates the service's service-linked
	// role in every account of the organization, including accounts that join later.
	ServiceLinkedRole bool
}

// DefaultServicePrincipals are the services recognized by EnableAWSServiceAccess and
// RegisterDelegatedAdministrator. RegisterServicePrincipal extends the list.
var DefaultServicePrincipals = []ServicePrincipal{
	{Name: ConfigPrincipal, MaxDelegatedAdmins: 3, ServiceLinkedRole: true},
	{Name: ConfigMultiAccount, MaxDelegatedAdmins: 3, ServiceLinkedRole: true},
	{Name: "access-analyzer.amazonaws.com", MaxDelegatedAdmins: 1},
	{Name: "account.amazonaws.com", MaxDelegatedAdmins: 1},
	{Name: "auditmanager.amazonaws.com", MaxDelegatedAdmins: 1},
	{Name: "aws-artifact-account-sync.amazonaws.com"},
	{Name: "backup.amazonaws.com", MaxDelegatedAdmins: 1},
	{Name: "cloudtrail.amazonaws.com", MaxDelegatedAdmins: 3},
	{Name: "compute-optimizer.amazonaws.com", MaxDelegatedAdmins: 1},
	{Name: "detective.amazonaws.com", MaxDelegatedAdmins: 1},
	{Name: "ds.amazonaws.com", MaxDelegatedAdmins: 1},
	{Name: "fms.amazonaws.com", MaxDelegatedAdmins: 1},
	{Name: "guardduty.amazonaws.com", MaxDelegatedAdmins: 1},
	{Name: "health.amazonaws.com", MaxDelegatedAdmins: 1},
	{Name: "iam.amazonaws.com", MaxDelegatedAdmins: 1},
	{Name: "inspector2.amazonaws.com", MaxDelegatedAdmins: 1},
	{Name: "ipam.amazonaws.com", MaxDelegatedAdmins: 1},
	{Name: "license-manager.amazonaws.com", MaxDelegatedAdmins: 1},
	{Name: "macie.amazonaws.com", MaxDelegatedAdmins: 1},
	{Name: "member.org.stacksets.cloudformation.amazonaws.com", MaxDelegatedAdmins: 5},
	{Name: "ram.amazonaws.com"},
	{Name: "reporting.trustedadvisor.amazonaws.com", MaxDelegatedAdmins: 1},
	{Name: "securityhub.amazonaws.com", MaxDelegatedAdmins: 1},
	{Name: "securitylake.amazonaws.com", MaxDelegatedAdmins: 1},
	{Name: "servicecatalog.amazonaws.com", MaxDelegatedAdmins: 1},
	{Name: "servicequotas.amazonaws.com"},
	{Name: "ssm.amazonaws.com", MaxDelegatedAdmins: 1},
	{Name: "sso.amazonaws.com", MaxDelegatedAdmins: 1},
	{Name: "storage-lens.s3.amazonaws.com", MaxDelegatedAdmins: 1},
	{Name: "tagpolicies.tag.amazonaws.com"},
}

// RegisterServicePrincipal adds (or replaces) a recognized service principal.
func (s *Service) RegisterServicePrincipal(p ServicePrincipal) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.principals[p.Name] = p
}

func (s *Service) principal(name string) (ServicePrincipal, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	p, ok := s.principals[name]
	return p, ok
}

// slrPrincipals returns the principals with trusted access enabled in o whose service-linked
// role Organizations provisions in member accounts.
func (s *Service) slrPrincipals(tx store.Tx, o *Organization) ([]string, error) {
	recs, err := listAll(tx, kindService, o.ID, "")
	if err != nil {
		return nil, err
	}
	var out []string
	for _, r := range recs {
		if p, ok := s.principal(r.ID); ok && p.ServiceLinkedRole {
			out = append(out, r.ID)
		}
	}
	return out, nil
}

// provisionMemberRolesTx creates, in an account that joins o, the service-linked roles the
// organization's trusted services own: AWSServiceRoleForOrganizations (all features) and those
// of the trusted-access-enabled services.
func (s *Service) provisionMemberRolesTx(tx store.Tx, o *Organization, account string) error {
	if o.all() {
		if err := s.ensureSLRTx(tx, account, organizationsPrincipal); err != nil {
			return err
		}
	}
	principals, err := s.slrPrincipals(tx, o)
	if err != nil {
		return err
	}
	for _, p := range principals {
		if err := s.ensureSLRTx(tx, account, p); err != nil {
			return err
		}
	}
	return nil
}

// EnableAWSServiceAccess enables trusted access for a service. Checks, in order: membership,
// management account, recognized principal, all-features mode. Enabling an enabled service
// changes nothing (the original DateEnabled stays). For services with a service-linked role
// (AWS Config's two principals) the role is created in every account of the organization in
// the same transaction.
func (s *Service) EnableAWSServiceAccess(ctx context.Context, in *organizationsapi.EnableAWSServiceAccessRequest) error {
	return s.write(ctx, func(tx store.Tx) error {
		o, err := s.mgmt(ctx, tx)
		if err != nil {
			return err
		}
		p, ok := s.principal(in.ServicePrincipal)
		if !ok {
			return invalid("UNRECOGNIZED_SERVICE_PRINCIPAL", msgUnrecognized)
		}
		if !o.all() {
			return constraint("ORGANIZATION_NOT_IN_ALL_FEATURES_MODE",
				"You can't perform the operation on an organization that doesn't have all features enabled.")
		}
		return s.enableTx(tx, o, p)
	})
}

// enableTx enables trusted access for p in o (nothing when it is enabled) and creates its
// service-linked role in every account.
func (s *Service) enableTx(tx store.Tx, o *Organization, p ServicePrincipal) error {
	if ok, err := exists(tx, kindService, o.ID, p.Name); err != nil || ok {
		return err
	}
	if err := putJSON(tx, kindService, o.ID, p.Name, serviceAccess{Principal: p.Name, Enabled: s.now()}); err != nil {
		return err
	}
	if !p.ServiceLinkedRole {
		return nil
	}
	accts, err := listAll(tx, kindAccount, o.ID, "")
	if err != nil {
		return err
	}
	for _, r := range accts {
		if err := s.ensureSLRTx(tx, r.ID, p.Name); err != nil {
			return err
		}
	}
	return nil
}

// EnableServiceAccessTx enables trusted access for a registered service principal in
// organization orgID, as EnableAWSServiceAccess does, in the caller's transaction: AWS Config
// does it for the management account that creates an organization aggregator.
func (s *Service) EnableServiceAccessTx(tx store.Tx, orgID, principal string) error {
	p, ok := s.principal(principal)
	if !ok {
		return fmt.Errorf("organizations: unregistered service principal %s", principal)
	}
	o, _, err := s.cache.getOrgRaw(tx, orgID)
	if err != nil {
		return err
	}
	if o == nil {
		return fmt.Errorf("organizations: no organization %s", orgID)
	}
	return s.enableTx(tx, o, p)
}

// DisableAWSServiceAccess disables trusted access. Disabling a service that is not enabled
// succeeds. Delegated administrator registrations are kept (AWS does not document what becomes
// of them; keeping them is orgconfig's choice), and service-linked roles stay in the accounts
// (they become deletable: ServiceAccessEnabled turns false).
func (s *Service) DisableAWSServiceAccess(ctx context.Context, in *organizationsapi.DisableAWSServiceAccessRequest) error {
	return s.write(ctx, func(tx store.Tx) error {
		o, err := s.mgmt(ctx, tx)
		if err != nil {
			return err
		}
		if _, ok := s.principal(in.ServicePrincipal); !ok {
			return invalid("UNRECOGNIZED_SERVICE_PRINCIPAL", msgUnrecognized)
		}
		if !o.all() {
			return constraint("ORGANIZATION_NOT_IN_ALL_FEATURES_MODE",
				"You can't perform the operation on an organization that doesn't have all features enabled.")
		}
		_, err = tx.Delete(kindService, o.ID, in.ServicePrincipal)
		return err
	})
}

// ListAWSServiceAccessForOrganization lists the services with trusted access, by principal.
func (s *Service) ListAWSServiceAccessForOrganization(ctx context.Context, in *organizationsapi.ListAWSServiceAccessForOrganizationRequest) (*organizationsapi.ListAWSServiceAccessForOrganizationResponse, error) {
	out := &organizationsapi.ListAWSServiceAccessForOrganizationResponse{}
	err := s.read(ctx, func(tx store.Tx) error {
		o, _, err := s.reader(ctx, tx)
		if err != nil {
			return err
		}
		recs, next, err := pageRecords(tx, kindService, o.ID, "", in.NextToken, pageSize(in.MaxResults), nil)
		if err != nil {
			return err
		}
		out.NextToken = next
		for _, r := range recs {
			var sa serviceAccess
			if err := decode(r, &sa); err != nil {
				return err
			}
			out.EnabledServicePrincipals = append(out.EnabledServicePrincipals, organizationsapi.EnabledServicePrincipal{
				ServicePrincipal: sa.Principal, DateEnabled: awsproto.NewTime(sa.Enabled)})
		}
		return nil
	})
	return out, err
}

// RegisterDelegatedAdministrator registers a member account as a delegated administrator for a
// service. AWS does not document the order of its checks; orgconfig's is: the caller is the
// management account, the principal accepts delegated administrators, the account is a member
// and not the management account, trusted access is enabled for the principal, the account is
// active, it is not already registered, and the principal's limit is not reached.
func (s *Service) RegisterDelegatedAdministrator(ctx context.Context, in *organizationsapi.RegisterDelegatedAdministratorRequest) error {
	return s.write(ctx, func(tx store.Tx) error {
		o, err := s.mgmt(ctx, tx)
		if err != nil {
			return err
		}
		p, ok := s.principal(in.ServicePrincipal)
		if !ok || p.MaxDelegatedAdmins == 0 {
			return invalid("UNRECOGNIZED_SERVICE_PRINCIPAL", msgUnrecognized)
		}
		a, err := getAccount(tx, o.ID, in.AccountId)
		if err != nil {
			return err
		}
		if a == nil {
			return organizationsapi.ErrAccountNotFound(msgAcctNotFound)
		}
		if a.ID == o.Mgmt {
			return constraint("CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR",
				"You cannot register the management account of the organization as a delegated administrator for an AWS service.")
		}
		if ok, err := exists(tx, kindService, o.ID, p.Name); err != nil {
			return err
		} else if !ok {
			return constraint("SERVICE_ACCESS_NOT_ENABLED",
				"You attempted to register a delegated administrator for a service that does not have trusted access enabled for your organization.")
		}
		if a.State != "ACTIVE" {
			return constraint("CANNOT_REGISTER_SUSPENDED_ACCOUNT_AS_DELEGATED_ADMINISTRATOR",
				"You cannot register a suspended account as a delegated administrator.")
		}
		key := a.ID + "/" + p.Name
		if ok, err := exists(tx, kindDelegate, o.ID, key); err != nil {
			return err
		} else if ok {
			return organizationsapi.ErrAccountAlreadyRegistered("The provided account is already a delegated administrator for your organization.")
		}
		n, err := s.adminCount(tx, o, p.Name)
		if err != nil {
			return err
		}
		if n >= p.MaxDelegatedAdmins {
			if p.MaxDelegatedAdmins == 1 {
				return constraint("DELEGATED_ADMINISTRATOR_EXISTS_FOR_THIS_SERVICE",
					"You attempted to register more delegated administrators than allowed for the service principal.")
			}
			return constraint("MAX_DELEGATED_ADMINISTRATORS_FOR_SERVICE_LIMIT_EXCEEDED",
				"You attempted to register more delegated administrators than allowed for the service principal.")
		}
		return putJSON(tx, kindDelegate, o.ID, key, delegation{Account: a.ID, Principal: p.Name, Enabled: s.now()})
	})
}

func (s *Service) adminCount(tx store.Tx, o *Organization, principal string) (int, error) {
	recs, err := listAll(tx, kindDelegate, o.ID, "")
	if err != nil {
		return 0, err
	}
	n := 0
	for _, r := range recs {
		if strings.HasSuffix(r.ID, "/"+principal) {
			n++
		}
	}
	return n, nil
}

// DeregisterDelegatedAdministrator removes a delegation.
func (s *Service) DeregisterDelegatedAdministrator(ctx context.Context, in *organizationsapi.DeregisterDelegatedAdministratorRequest) error {
	return s.write(ctx, func(tx store.Tx) error {
		o, err := s.mgmt(ctx, tx)
		if err != nil {
			return err
		}
		if _, ok := s.principal(in.ServicePrincipal); !ok {
			return invalid("UNRECOGNIZED_SERVICE_PRINCIPAL", msgUnrecognized)
		}
		a, err := getAccount(tx, o.ID, in.AccountId)
		if err != nil {
			return err
		}
		if a == nil {
			return organizationsapi.ErrAccountNotFound(msgAcctNotFound)
		}
		ok, err := tx.Delete(kindDelegate, o.ID, a.ID+"/"+in.ServicePrincipal)
		if err != nil {
			return err
		}
		if !ok {
			return organizationsapi.ErrAccountNotRegistered("The provided account is not a registered delegated administrator for your organization.")
		}
		return nil
	})
}

// ListDelegatedAdministrators lists the delegated administrators, one entry per account, for
// one service or (without a principal) for any service; DelegationEnabledDate is then the
// account's first delegation (AWS does not document which date it reports; this is orgconfig's
// choice).
func (s *Service) ListDelegatedAdministrators(ctx context.Context, in *organizationsapi.ListDelegatedAdministratorsRequest) (*organizationsapi.ListDelegatedAdministratorsResponse, error) {
	out := &organizationsapi.ListDelegatedAdministratorsResponse{}
	err := s.read(ctx, func(tx store.Tx) error {
		o, _, err := s.reader(ctx, tx)
		if err != nil {
			return err
		}
		if in.ServicePrincipal != "" {
			if _, ok := s.principal(in.ServicePrincipal); !ok {
				return invalid("UNRECOGNIZED_SERVICE_PRINCIPAL", msgUnrecognized)
			}
		}
		recs, err := listAll(tx, kindDelegate, o.ID, "")
		if err != nil {
			return err
		}
		first := map[string]delegation{}
		for _, r := range recs {
			var d delegation
			if err := decode(r, &d); err != nil {
				return err
			}
			if in.ServicePrincipal != "" && d.Principal != in.ServicePrincipal {
				continue
			}
			if f, ok := first[d.Account]; !ok || d.Enabled.Before(f.Enabled) {
				first[d.Account] = d
			}
		}
		keys := sortedKeys(first)
		page, next, err := pageSlice(keys, func(k string) string { return k }, in.NextToken, pageSize(in.MaxResults))
		if err != nil {
			return err
		}
		out.NextToken = next
		for _, id := range page {
			a, err := getAccount(tx, o.ID, id)
			if err != nil {
				return err
			}
			if a == nil {
				continue
			}
			wa := wireAccount(o, a)
			out.DelegatedAdministrators = append(out.DelegatedAdministrators, organizationsapi.DelegatedAdministrator{
				Id: wa.Id, Arn: wa.Arn, Email: wa.Email, Name: wa.Name, Status: wa.Status, State: wa.State,
				JoinedMethod: wa.JoinedMethod, JoinedTimestamp: wa.JoinedTimestamp,
				DelegationEnabledDate: awsproto.NewTime(first[id].Enabled),
			})
		}
		return nil
	})
	return out, err
}

// ListDelegatedServicesForAccount lists the services an account is a delegated administrator of.
func (s *Service) ListDelegatedServicesForAccount(ctx context.Context, in *organizationsapi.ListDelegatedServicesForAccountRequest) (*organizationsapi.ListDelegatedServicesForAccountResponse, error) {
	out := &organizationsapi.ListDelegatedServicesForAccountResponse{}
	err := s.read(ctx, func(tx store.Tx) error {
		o, _, err := s.reader(ctx, tx)
		if err != nil {
			return err
		}
		a, err := getAccount(tx, o.ID, in.AccountId)
		if err != nil {
			return err
		}
		if a == nil {
			return organizationsapi.ErrAccountNotFound(msgAcctNotFound)
		}
		if in.NextToken == "" {
			recs, err := tx.ListPrefix(kindDelegate, o.ID, a.ID+"/", "", 1)
			if err != nil {
				return err
			}
			if len(recs) == 0 {
				return organizationsapi.ErrAccountNotRegistered("The provided account is not a registered delegated administrator for your organization.")
			}
		}
		recs, next, err := pageRecords(tx, kindDelegate, o.ID, a.ID+"/", in.NextToken, pageSize(in.MaxResults), nil)
		if err != nil {
			return err
		}
		out.NextToken = next
		for _, r := range recs {
			var d delegation
			if err := decode(r, &d); err != nil {
				return err
			}
			out.DelegatedServices = append(out.DelegatedServices, organizationsapi.DelegatedService{
				ServicePrincipal: d.Principal, DelegationEnabledDate: awsproto.NewTime(d.Enabled)})
		}
		return nil
	})
	return out, err
}

// isDelegatedAdmin reports whether account holds any delegation in o.
func isDelegatedAdmin(tx store.Tx, o *Organization, account string) (bool, error) {
	recs, err := tx.ListPrefix(kindDelegate, o.ID, account+"/", "", 1)
	return len(recs) > 0, err
}
