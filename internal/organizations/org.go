package organizations

import (
	"context"
	"strings"

	"github.com/orgconfig/orgconfig/internal/api/organizationsapi"
	"github.com/orgconfig/orgconfig/internal/identity"
	"github.com/orgconfig/orgconfig/internal/store"
)

// ARNs. Every Organizations ARN carries the management account's ID (see "Resource types
// defined by AWS Organizations" in the Service Authorization Reference,
// https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsorganizations.html).
func orgARN(o *Organization) string {
	return "arn:aws:organizations::" + o.Mgmt + ":organization/" + o.ID
}
func rootARN(o *Organization) string {
	return "arn:aws:organizations::" + o.Mgmt + ":root/" + o.ID + "/" + o.RootID
}
func ouARN(o *Organization, id string) string {
	return "arn:aws:organizations::" + o.Mgmt + ":ou/" + o.ID + "/" + id
}
func accountARN(o *Organization, id string) string {
	return "arn:aws:organizations::" + o.Mgmt + ":account/" + o.ID + "/" + id
}
func handshakeARN(h *handshakeRec) string {
	return "arn:aws:organizations::" + h.Mgmt + ":handshake/" + h.OrgID + "/" + strings.ToLower(h.Action) + "/" + h.ID
}
func policyARN(o *Organization, p *policyRec) string {
	if p.AWSManaged {
		return "arn:aws:organizations::aws:policy/" + strings.ToLower(p.Type) + "/" + p.ID
	}
	return "arn:aws:organizations::" + o.Mgmt + ":policy/" + o.ID + "/" + strings.ToLower(p.Type) + "/" + p.ID
}
func resourcePolicyARN(o *Organization, id string) string {
	return "arn:aws:organizations::" + o.Mgmt + ":resourcepolicy/" + o.ID + "/" + id
}

func wireOrg(o *Organization) *organizationsapi.Organization {
	out := &organizationsapi.Organization{
		Id: o.ID, Arn: orgARN(o), FeatureSet: organizationsapi.OrganizationFeatureSet(o.FeatureSet),
		MasterAccountArn: accountARN(o, o.Mgmt), MasterAccountId: o.Mgmt, MasterAccountEmail: o.MgmtEmail,
		AvailablePolicyTypes: []organizationsapi.PolicyTypeSummary{},
	}
	if o.all() {
		out.AvailablePolicyTypes = policyTypeSummaries(o)
	}
	return out
}

func policyTypeSummaries(o *Organization) []organizationsapi.PolicyTypeSummary {
	out := []organizationsapi.PolicyTypeSummary{}
	for _, t := range o.PolicyTypes {
		out = append(out, organizationsapi.PolicyTypeSummary{Type: organizationsapi.PolicyType(t), Status: organizationsapi.PolicyTypeStatusEnabled})
	}
	return out
}

// CreateOrganization makes the caller's account the management account of a new organization
// with one root, "Root". As in AWS, no policy type is enabled on the new root, not even with all
// features: service control policies apply once EnablePolicyType enables them.
// AWSServiceRoleForOrganizations is created in the management account.
func (s *Service) CreateOrganization(ctx context.Context, in *organizationsapi.CreateOrganizationRequest) (*organizationsapi.CreateOrganizationResponse, error) {
	acct, err := callerAccount(ctx)
	if err != nil {
		return nil, err
	}
	fs := string(in.FeatureSet)
	if fs == "" {
		fs = "ALL"
	}
	var out *organizationsapi.Organization
	err = s.write(ctx, func(tx store.Tx) error {
		if cur, err := s.OrgOfTx(tx, acct); err != nil {
			return err
		} else if cur != nil {
			return organizationsapi.ErrAlreadyInOrganization("The AWS account is already a member of an organization.")
		}
		var a identity.Account
		if _, err := findJSON(tx, identity.KindAccount, "", acct, &a); err != nil {
			return err
		}
		if a.Name == "" {
			a.Name = "account-" + acct
		}
		if a.Email == "" {
			a.Email = "root+" + acct + "@example.com"
		}
		now := s.now()
		o := &Organization{ID: "o-" + s.ids.Lower(10), FeatureSet: fs, Mgmt: acct, MgmtEmail: a.Email, MgmtName: a.Name,
			RootID: "r-" + s.ids.Lower(4), Created: now}
		if err := tx.Create(kindOrg, "", o.ID, mustJSON(o)); err != nil {
			return err
		}
		if err := putJSON(tx, kindOrgOf, "", acct, memberOf{OrgID: o.ID}); err != nil {
			return err
		}
		if err := s.addAccountTx(tx, o, &accountRec{ID: acct, Name: a.Name, Email: a.Email, Parent: o.RootID,
			State: "ACTIVE", Method: "CREATED", Joined: now}); err != nil {
			return err
		}
		if err := s.ensureSLRTx(tx, acct, organizationsPrincipal); err != nil {
			return err
		}
		out = wireOrg(o)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &organizationsapi.CreateOrganizationResponse{Organization: out}, nil
}

// addAccountTx puts an account under its parent in o (membership index, tree index, the AWS
// managed policies of the enabled types). It does not provision roles.
func (s *Service) addAccountTx(tx store.Tx, o *Organization, a *accountRec) error {
	if err := putJSON(tx, kindAccount, o.ID, a.ID, a); err != nil {
		return err
	}
	if _, err := tx.Delete(kindDeparted, o.ID, a.ID); err != nil { // back in the organization
		return err
	}
	if a.State == "ACTIVE" {
		if err := s.membershipChangedTx(tx, o.ID, a.ID, true); err != nil {
			return err
		}
	}
	if err := putJSON(tx, kindOrgOf, "", a.ID, memberOf{OrgID: o.ID}); err != nil {
		return err
	}
	if err := tx.Put(kindChild, o.ID, childKey(a.Parent, "ACCOUNT", a.ID), index); err != nil {
		return err
	}
	return s.attachManagedTx(tx, o, a.ID)
}

// DescribeOrganization answers any member account.
func (s *Service) DescribeOrganization(ctx context.Context) (*organizationsapi.DescribeOrganizationResponse, error) {
	if acct, err := callerAccount(ctx); err == nil {
		v, ok, err := s.fastMember(ctx, acct, false)
		if err != nil {
			return nil, err
		}
		if ok {
			return &organizationsapi.DescribeOrganizationResponse{Organization: wireOrg(v.o)}, nil
		}
	}
	var out *organizationsapi.Organization
	err := s.read(ctx, func(tx store.Tx) error {
		o, _, _, err := s.memberRaw(ctx, tx)
		if err != nil {
			return err
		}
		out = wireOrg(o)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &organizationsapi.DescribeOrganizationResponse{Organization: out}, nil
}

// DeleteOrganization deletes an organization that holds only its management account. Open
// handshakes are canceled.
func (s *Service) DeleteOrganization(ctx context.Context) error {
	return s.write(ctx, func(tx store.Tx) error {
		o, err := s.mgmt(ctx, tx)
		if err != nil {
			return err
		}
		n, err := tx.Count(kindAccount, o.ID)
		if err != nil {
			return err
		}
		if n > 1 {
			return organizationsapi.ErrOrganizationNotEmpty("To delete an organization you must first remove all member accounts (except the management account).")
		}
		hs, err := listAll(tx, kindHSOrg, o.ID, "")
		if err != nil {
			return err
		}
		now := s.now()
		for _, r := range hs {
			var h handshakeRec
			ok, err := findJSON(tx, kindHandshake, "", r.ID, &h)
			if err != nil {
				return err
			}
			if ok && h.open(now) {
				h.State = "CANCELED"
				if err := putJSON(tx, kindHandshake, "", h.ID, &h); err != nil {
					return err
				}
			}
		}
		for _, kind := range perOrgKinds {
			recs, err := listAll(tx, kind, o.ID, "")
			if err != nil {
				return err
			}
			for _, r := range recs {
				if _, err := tx.Delete(kind, o.ID, r.ID); err != nil {
					return err
				}
			}
		}
		if _, err := tx.Delete(kindOrgOf, "", o.Mgmt); err != nil {
			return err
		}
		_, err = tx.Delete(kindOrg, "", o.ID)
		return err
	})
}

// EnableAllFeatures starts the move of a consolidated-billing organization to all features: an
// ENABLE_ALL_FEATURES handshake for the management account and an APPROVE_ALL_FEATURES
// handshake for every invited member. Accounts created by the organization need not approve.
// Once every invited member has accepted, the management account accepts the
// ENABLE_ALL_FEATURES handshake to finish.
func (s *Service) EnableAllFeatures(ctx context.Context, in *organizationsapi.EnableAllFeaturesRequest) (*organizationsapi.EnableAllFeaturesResponse, error) {
	var out *organizationsapi.Handshake
	err := s.write(ctx, func(tx store.Tx) error {
		o, err := s.mgmt(ctx, tx)
		if err != nil {
			return err
		}
		if o.all() {
			return hsConstraint("ORGANIZATION_ALREADY_HAS_ALL_FEATURES", "The organization already has all features enabled.")
		}
		now := s.now()
		if o.AllFeaturesHandshake != "" {
			var h handshakeRec
			if ok, err := findJSON(tx, kindHandshake, "", o.AllFeaturesHandshake, &h); err != nil {
				return err
			} else if ok && h.open(now) {
				return hsConstraint("ORGANIZATION_IS_ALREADY_PENDING_ALL_FEATURES_MIGRATION",
					"The organization is already in the process of enabling all features.")
			}
		}
		parent := &handshakeRec{ID: "h-" + s.ids.Lower(10), OrgID: o.ID, Mgmt: o.Mgmt, Action: "ENABLE_ALL_FEATURES",
			State: "OPEN", Requested: now, Expires: now.Add(90 * 24 * hour), TargetType: "ORGANIZATION", Target: o.ID,
			Resources: []hsResource{{Type: "ORGANIZATION", Value: o.ID}}}
		if err := s.putHandshakeTx(tx, parent, o.Mgmt); err != nil {
			return err
		}
		accts, err := listAll(tx, kindAccount, o.ID, "")
		if err != nil {
			return err
		}
		for _, r := range accts {
			var a accountRec
			if err := decode(r, &a); err != nil {
				return err
			}
			if a.Method != "INVITED" || a.ID == o.Mgmt {
				continue
			}
			child := &handshakeRec{ID: "h-" + s.ids.Lower(10), OrgID: o.ID, Mgmt: o.Mgmt, Action: "APPROVE_ALL_FEATURES",
				State: "OPEN", Requested: now, Expires: parent.Expires, TargetType: "ACCOUNT", Target: a.ID, Parent: parent.ID,
				Resources: []hsResource{{Type: "ORGANIZATION", Value: o.ID}, {Type: "PARENT_HANDSHAKE", Value: parent.ID}}}
			if err := s.putHandshakeTx(tx, child, a.ID); err != nil {
				return err
			}
		}
		o.AllFeaturesHandshake = parent.ID
		if err := putJSON(tx, kindOrg, "", o.ID, o); err != nil {
			return err
		}
		out = wireHandshake(parent, now)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &organizationsapi.EnableAllFeaturesResponse{Handshake: out}, nil
}

// finishAllFeaturesTx switches o to all features: every member gets
// AWSServiceRoleForOrganizations. No policy type is enabled: as in a new organization, the
// management account enables the ones it wants with EnablePolicyType.
func (s *Service) finishAllFeaturesTx(tx store.Tx, o *Organization) error {
	o.FeatureSet = "ALL"
	o.AllFeaturesHandshake = ""
	accts, err := listAll(tx, kindAccount, o.ID, "")
	if err != nil {
		return err
	}
	for _, r := range accts {
		if err := s.ensureSLRTx(tx, r.ID, organizationsPrincipal); err != nil {
			return err
		}
	}
	return putJSON(tx, kindOrg, "", o.ID, o)
}
