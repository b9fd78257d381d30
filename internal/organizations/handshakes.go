package organizations

import (
	"context"
	"sort"
	"strings"
	"time"

	"github.com/orgconfig/orgconfig/internal/api/organizationsapi"
	"github.com/orgconfig/orgconfig/internal/awsproto"
	"github.com/orgconfig/orgconfig/internal/identity"
	"github.com/orgconfig/orgconfig/internal/store"
)

// inviteLifetime is how long an invitation stays open.
const inviteLifetime = 15 * 24 * time.Hour

// open reports whether h can still be accepted, declined or canceled at now.
func (h *handshakeRec) open(now time.Time) bool {
	return (h.State == "OPEN" || h.State == "REQUESTED") && now.Before(h.Expires)
}

// stateAt is h's state at now: an open handshake past its expiry is EXPIRED.
func (h *handshakeRec) stateAt(now time.Time) string {
	if (h.State == "OPEN" || h.State == "REQUESTED") && !now.Before(h.Expires) {
		return "EXPIRED"
	}
	return h.State
}

func partyScope(targetType, target string) string {
	if targetType == "EMAIL" {
		return "email:" + strings.ToLower(target)
	}
	return target
}

// putHandshakeTx stores h with its organization and party indexes; party is the index scope
// of the party that must answer it.
func (s *Service) putHandshakeTx(tx store.Tx, h *handshakeRec, party string) error {
	if err := putJSON(tx, kindHandshake, "", h.ID, h); err != nil {
		return err
	}
	if err := tx.Put(kindHSOrg, h.OrgID, h.ID, index); err != nil {
		return err
	}
	return tx.Put(kindHSParty, party, h.ID, index)
}

func wireResources(rs []hsResource) []organizationsapi.HandshakeResource {
	if len(rs) == 0 {
		return nil
	}
	out := make([]organizationsapi.HandshakeResource, 0, len(rs))
	for _, r := range rs {
		out = append(out, organizationsapi.HandshakeResource{Type: organizationsapi.HandshakeResourceType(r.Type), Value: r.Value,
			Resources: wireResources(r.Resources)})
	}
	return out
}

func wireHandshake(h *handshakeRec, now time.Time) *organizationsapi.Handshake {
	parties := []organizationsapi.HandshakeParty{{Id: h.OrgID, Type: organizationsapi.HandshakePartyTypeOrganization}}
	if h.TargetType != "ORGANIZATION" {
		parties = append(parties, organizationsapi.HandshakeParty{Id: h.Target, Type: organizationsapi.HandshakePartyType(h.TargetType)})
	}
	return &organizationsapi.Handshake{
		Id: h.ID, Arn: handshakeARN(h), Parties: parties, State: organizationsapi.HandshakeState(h.stateAt(now)),
		RequestedTimestamp: awsproto.NewTime(h.Requested), ExpirationTimestamp: awsproto.NewTime(h.Expires),
		Action: organizationsapi.ActionType(h.Action), Resources: wireResources(h.Resources),
	}
}

func errHandshakeNotFound() error {
	return organizationsapi.ErrHandshakeNotFound("We can't find a handshake with the HandshakeId that you specified.")
}

// hostedAccount returns the hosted account with id, or nil.
func hostedAccount(tx store.Tx, id string) (*identity.Account, error) {
	var a identity.Account
	ok, err := findJSON(tx, identity.KindAccount, "", id, &a)
	if !ok || err != nil {
		return nil, err
	}
	return &a, nil
}

// accountByEmail returns the hosted account using email, or nil.
func accountByEmail(tx store.Tx, email string) (*identity.Account, error) {
	recs, err := tx.List(identity.KindAccount, "", "", 0)
	if err != nil {
		return nil, err
	}
	for _, r := range recs {
		var a identity.Account
		if err := decode(r, &a); err != nil {
			return nil, err
		}
		if strings.EqualFold(a.Email, email) {
			return &a, nil
		}
	}
	return nil, nil
}

// InviteAccountToOrganization invites a standalone account, by account ID or by email, to join
// the organization. The invitation counts against the account quota while it is open.
func (s *Service) InviteAccountToOrganization(ctx context.Context, in *organizationsapi.InviteAccountToOrganizationRequest) (*organizationsapi.InviteAccountToOrganizationResponse, error) {
	tags, err := validateTags(in.Tags)
	if err != nil {
		return nil, err
	}
	var out *organizationsapi.Handshake
	err = s.write(ctx, func(tx store.Tx) error {
		o, err := s.mgmt(ctx, tx)
		if err != nil {
			return err
		}
		t := in.Target
		if t == nil || t.Id == "" {
			return invalid("INPUT_REQUIRED", "You must specify a value for Target.")
		}
		var invitee *identity.Account
		switch t.Type {
		case organizationsapi.HandshakePartyTypeAccount:
			if !identity.ValidAccountID(t.Id) {
				return invalid("INVALID_PATTERN_TARGET_ID", "You specified a value that doesn't match the required pattern: an account ID is 12 digits.")
			}
			if invitee, err = hostedAccount(tx, t.Id); err != nil {
				return err
			}
		case organizationsapi.HandshakePartyTypeEmail:
			if strings.Count(t.Id, "@") != 1 {
				return invalid("INVALID_EMAIL_ADDRESS_TARGET", "You specified an invalid email address for the invited account owner.")
			}
			if invitee, err = accountByEmail(tx, t.Id); err != nil {
				return err
			}
		default:
			return invalid("INVALID_PARTY_TYPE_TARGET", "You specified the wrong type for the handshake's target.")
		}
		if invitee != nil {
			if cur, err := s.OrgOfTx(tx, invitee.ID); err != nil {
				return err
			} else if cur != nil {
				return hsConstraint("ALREADY_IN_AN_ORGANIZATION", "The invited account is already a member of an organization.")
			}
		}
		now := s.now()
		if o.AllFeaturesHandshake != "" {
			var af handshakeRec
			if ok, err := findJSON(tx, kindHandshake, "", o.AllFeaturesHandshake, &af); err != nil {
				return err
			} else if ok && af.open(now) {
				return hsConstraint("INVITE_DISABLED_DURING_ENABLE_ALL_FEATURES", "You can't issue new invitations to join an organization while it's in the process of enabling all features.")
			}
		}
		party := partyScope(string(t.Type), t.Id)
		pending, err := listAll(tx, kindHSParty, party, "")
		if err != nil {
			return err
		}
		for _, r := range pending {
			var h handshakeRec
			if ok, err := findJSON(tx, kindHandshake, "", r.ID, &h); err != nil {
				return err
			} else if ok && h.OrgID == o.ID && h.Action == "INVITE" && h.open(now) {
				return organizationsapi.ErrDuplicateHandshake("A handshake with the same action and target already exists.")
			}
		}
		if n, err := accountsCounted(tx, o, now); err != nil {
			return err
		} else if n >= s.accountQuota(o) {
			return hsConstraint("ACCOUNT_NUMBER_LIMIT_EXCEEDED", "You attempted to exceed the limit on the number of accounts in an organization.")
		}
		h := &handshakeRec{ID: "h-" + s.ids.Lower(10), OrgID: o.ID, Mgmt: o.Mgmt, Action: "INVITE", State: "OPEN",
			Requested: now, Expires: now.Add(inviteLifetime), TargetType: string(t.Type), Target: t.Id, Notes: in.Notes, Tags: tags,
			Resources: []hsResource{
				{Type: "ORGANIZATION", Value: o.ID, Resources: []hsResource{
					{Type: "MASTER_EMAIL", Value: o.MgmtEmail}, {Type: "MASTER_NAME", Value: o.MgmtName},
					{Type: "ORGANIZATION_FEATURE_SET", Value: o.FeatureSet}}},
				{Type: string(t.Type), Value: t.Id},
			}}
		if in.Notes != "" {
			h.Resources = append(h.Resources, hsResource{Type: "NOTES", Value: in.Notes})
		}
		if err := s.putHandshakeTx(tx, h, party); err != nil {
			return err
		}
		out = wireHandshake(h, now)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &organizationsapi.InviteAccountToOrganizationResponse{Handshake: out}, nil
}

// isParty reports whether the caller's account is the party that answers h.
func isParty(tx store.Tx, h *handshakeRec, acct string) (bool, error) {
	switch h.TargetType {
	case "ACCOUNT":
		return h.Target == acct, nil
	case "EMAIL":
		a, err := hostedAccount(tx, acct)
		if err != nil || a == nil {
			return false, err
		}
		return strings.EqualFold(a.Email, h.Target), nil
	}
	return h.Mgmt == acct, nil
}

// answer loads a handshake for its party and checks that it can move to state.
func (s *Service) answer(ctx context.Context, tx store.Tx, id, state string, originator bool) (*handshakeRec, string, error) {
	acct, err := callerAccount(ctx)
	if err != nil {
		return nil, "", err
	}
	var h handshakeRec
	ok, err := findJSON(tx, kindHandshake, "", id, &h)
	if err != nil {
		return nil, "", err
	}
	if !ok {
		return nil, "", errHandshakeNotFound()
	}
	allowed := originator && h.Mgmt == acct
	if !originator {
		if allowed, err = isParty(tx, &h, acct); err != nil {
			return nil, "", err
		}
	}
	if !allowed {
		return nil, "", errDenied()
	}
	now := s.now()
	cur := h.stateAt(now)
	if cur == state {
		return nil, "", organizationsapi.ErrHandshakeAlreadyInState("The specified handshake is already in the requested state.")
	}
	if !h.open(now) {
		return nil, "", organizationsapi.ErrInvalidHandshakeTransition("You can't perform the operation on the handshake in its current state.")
	}
	return &h, acct, nil
}

// AcceptHandshake accepts an invitation (the account joins with JoinedMethod INVITED and gets
// the organization's service-linked roles, but no OrganizationAccountAccessRole), an
// APPROVE_ALL_FEATURES request, or, once every invited member approved, the
// ENABLE_ALL_FEATURES handshake that completes the move to all features.
func (s *Service) AcceptHandshake(ctx context.Context, in *organizationsapi.AcceptHandshakeRequest) (*organizationsapi.AcceptHandshakeResponse, error) {
	var out *organizationsapi.Handshake
	err := s.write(ctx, func(tx store.Tx) error {
		h, acct, err := s.answer(ctx, tx, in.HandshakeId, "ACCEPTED", false)
		if err != nil {
			return err
		}
		o, err := s.cache.getOrg(tx, h.OrgID)
		if err != nil {
			return err
		}
		if o == nil {
			return errHandshakeNotFound()
		}
		now := s.now()
		switch h.Action {
		case "INVITE":
			if cur, err := s.OrgOfTx(tx, acct); err != nil {
				return err
			} else if cur != nil {
				return hsConstraint("ALREADY_IN_AN_ORGANIZATION", "The account is already a member of an organization.")
			}
			a, err := hostedAccount(tx, acct)
			if err != nil {
				return err
			}
			if a == nil {
				a = &identity.Account{ID: acct, Name: "account-" + acct, Email: "root+" + acct + "@example.com"}
			}
			if err := s.addAccountTx(tx, o, &accountRec{ID: acct, Name: a.Name, Email: a.Email, Parent: o.RootID,
				State: "ACTIVE", Method: "INVITED", Joined: now}); err != nil {
				return err
			}
			if err := s.provisionMemberRolesTx(tx, o, acct); err != nil {
				return err
			}
		case "ENABLE_ALL_FEATURES":
			kids, err := listAll(tx, kindHSOrg, o.ID, "")
			if err != nil {
				return err
			}
			for _, r := range kids {
				var c handshakeRec
				if ok, err := findJSON(tx, kindHandshake, "", r.ID, &c); err != nil {
					return err
				} else if ok && c.Parent == h.ID && c.State != "ACCEPTED" {
					return organizationsapi.ErrInvalidHandshakeTransition("You can't accept the handshake until every invited member account has approved enabling all features.")
				}
			}
			if err := s.finishAllFeaturesTx(tx, o); err != nil {
				return err
			}
		}
		h.State = "ACCEPTED"
		if err := putJSON(tx, kindHandshake, "", h.ID, h); err != nil {
			return err
		}
		out = wireHandshake(h, now)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &organizationsapi.AcceptHandshakeResponse{Handshake: out}, nil
}

// DeclineHandshake declines a handshake addressed to the caller.
func (s *Service) DeclineHandshake(ctx context.Context, in *organizationsapi.DeclineHandshakeRequest) (*organizationsapi.DeclineHandshakeResponse, error) {
	h, err := s.setHandshakeState(ctx, in.HandshakeId, "DECLINED", false)
	if err != nil {
		return nil, err
	}
	return &organizationsapi.DeclineHandshakeResponse{Handshake: h}, nil
}

// CancelHandshake cancels a handshake the caller's organization sent.
func (s *Service) CancelHandshake(ctx context.Context, in *organizationsapi.CancelHandshakeRequest) (*organizationsapi.CancelHandshakeResponse, error) {
	h, err := s.setHandshakeState(ctx, in.HandshakeId, "CANCELED", true)
	if err != nil {
		return nil, err
	}
	return &organizationsapi.CancelHandshakeResponse{Handshake: h}, nil
}

func (s *Service) setHandshakeState(ctx context.Context, id, state string, originator bool) (*organizationsapi.Handshake, error) {
	var out *organizationsapi.Handshake
	err := s.write(ctx, func(tx store.Tx) error {
		h, _, err := s.answer(ctx, tx, id, state, originator)
		if err != nil {
			return err
		}
		h.State = state
		if err := putJSON(tx, kindHandshake, "", h.ID, h); err != nil {
			return err
		}
		if h.Action == "ENABLE_ALL_FEATURES" {
			if o, err := s.cache.getOrg(tx, h.OrgID); err != nil {
				return err
			} else if o != nil && o.AllFeaturesHandshake == h.ID {
				o.AllFeaturesHandshake = ""
				if err := putJSON(tx, kindOrg, "", o.ID, o); err != nil {
					return err
				}
			}
		}
		out = wireHandshake(h, s.now())
		return nil
	})
	return out, err
}

// DescribeHandshake answers the handshake's party and the accounts of its organization.
func (s *Service) DescribeHandshake(ctx context.Context, in *organizationsapi.DescribeHandshakeRequest) (*organizationsapi.DescribeHandshakeResponse, error) {
	var out *organizationsapi.Handshake
	err := s.read(ctx, func(tx store.Tx) error {
		acct, err := callerAccount(ctx)
		if err != nil {
			return err
		}
		var h handshakeRec
		ok, err := findJSON(tx, kindHandshake, "", in.HandshakeId, &h)
		if err != nil {
			return err
		}
		if !ok {
			return errHandshakeNotFound()
		}
		allowed, err := isParty(tx, &h, acct)
		if err != nil {
			return err
		}
		if !allowed {
			o, err := s.OrgOfTx(tx, acct)
			if err != nil {
				return err
			}
			allowed = o != nil && o.ID == h.OrgID
		}
		if !allowed {
			return errHandshakeNotFound()
		}
		out = wireHandshake(&h, s.now())
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &organizationsapi.DescribeHandshakeResponse{Handshake: out}, nil
}

// listHandshakes loads the handshakes with the given IDs, filters and pages them.
func (s *Service) listHandshakes(tx store.Tx, ids []string, f *organizationsapi.HandshakeFilter, token string, max *int32) ([]organizationsapi.Handshake, string, error) {
	sort.Strings(ids)
	var hs []*handshakeRec
	for _, id := range ids {
		var h handshakeRec
		ok, err := findJSON(tx, kindHandshake, "", id, &h)
		if err != nil {
			return nil, "", err
		}
		if !ok {
			continue
		}
		if f != nil && f.ActionType != "" && string(f.ActionType) != h.Action {
			continue
		}
		if f != nil && f.ParentHandshakeId != "" && f.ParentHandshakeId != h.Parent {
			continue
		}
		hs = append(hs, &h)
	}
	page, next, err := pageSlice(hs, func(h *handshakeRec) string { return h.ID }, token, pageSize(max))
	if err != nil {
		return nil, "", err
	}
	now := s.now()
	out := []organizationsapi.Handshake{}
	for _, h := range page {
		out = append(out, *wireHandshake(h, now))
	}
	return out, next, nil
}

// ListHandshakesForAccount lists the handshakes addressed to the caller's account (by ID or
// by its email address). Any account may call it, in an organization or not.
func (s *Service) ListHandshakesForAccount(ctx context.Context, in *organizationsapi.ListHandshakesForAccountRequest) (*organizationsapi.ListHandshakesForAccountResponse, error) {
	out := &organizationsapi.ListHandshakesForAccountResponse{}
	err := s.read(ctx, func(tx store.Tx) error {
		acct, err := callerAccount(ctx)
		if err != nil {
			return err
		}
		scopes := []string{acct}
		if a, err := hostedAccount(tx, acct); err != nil {
			return err
		} else if a != nil && a.Email != "" {
			scopes = append(scopes, partyScope("EMAIL", a.Email))
		}
		var ids []string
		for _, sc := range scopes {
			recs, err := listAll(tx, kindHSParty, sc, "")
			if err != nil {
				return err
			}
			for _, r := range recs {
				ids = append(ids, r.ID)
			}
		}
		out.Handshakes, out.NextToken, err = s.listHandshakes(tx, ids, in.Filter, in.NextToken, in.MaxResults)
		return err
	})
	return out, err
}

// ListHandshakesForOrganization lists the handshakes the organization sent.
func (s *Service) ListHandshakesForOrganization(ctx context.Context, in *organizationsapi.ListHandshakesForOrganizationRequest) (*organizationsapi.ListHandshakesForOrganizationResponse, error) {
	out := &organizationsapi.ListHandshakesForOrganizationResponse{}
	err := s.read(ctx, func(tx store.Tx) error {
		o, _, err := s.reader(ctx, tx)
		if err != nil {
			return err
		}
		recs, err := listAll(tx, kindHSOrg, o.ID, "")
		if err != nil {
			return err
		}
		ids := make([]string, 0, len(recs))
		for _, r := range recs {
			ids = append(ids, r.ID)
		}
		out.Handshakes, out.NextToken, err = s.listHandshakes(tx, ids, in.Filter, in.NextToken, in.MaxResults)
		return err
	})
	return out, err
}
