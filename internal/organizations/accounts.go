package organizations

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/orgconfig/orgconfig/internal/api/organizationsapi"
	"github.com/orgconfig/orgconfig/internal/awsproto"
	"github.com/orgconfig/orgconfig/internal/identity"
	"github.com/orgconfig/orgconfig/internal/jobs"
	"github.com/orgconfig/orgconfig/internal/store"
)

const hour = time.Hour

// DefaultAccessRole is the role CreateAccount creates in a new account when RoleName is empty.
const DefaultAccessRole = "OrganizationAccountAccessRole"

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// wireAccount renders an account; the legacy Status has no CLOSED value and reports SUSPENDED.
func wireAccount(o *Organization, a *accountRec) organizationsapi.Account {
	status := a.State
	if status == "CLOSED" {
		status = "SUSPENDED"
	}
	return organizationsapi.Account{
		Id: a.ID, Arn: accountARN(o, a.ID), Email: a.Email, Name: a.Name,
		Status: organizationsapi.AccountStatus(status), State: organizationsapi.AccountState(a.State),
		JoinedMethod: organizationsapi.AccountJoinedMethod(a.Method), JoinedTimestamp: awsproto.NewTime(a.Joined),
	}
}

// pathOf returns the Path of an entity whose parent is parent: "o-…/r-…/ou-…/…/".
func pathOf(tx store.Tx, o *Organization, parent string) (string, error) {
	chain := []string{}
	for i := 0; parent != "" && parent != o.RootID && i < 16; i++ {
		chain = append(chain, parent)
		ou, err := getOU(tx, o.ID, parent)
		if err != nil {
			return "", err
		}
		if ou == nil {
			break
		}
		parent = ou.Parent
	}
	var b strings.Builder
	b.WriteString(o.ID + "/" + o.RootID + "/")
	for i := len(chain) - 1; i >= 0; i-- {
		b.WriteString(chain[i] + "/")
	}
	return b.String(), nil
}

func wireAccountPaths(tx store.Tx, o *Organization, a *accountRec) (organizationsapi.Account, error) {
	w := wireAccount(o, a)
	p, err := pathOf(tx, o, a.Parent)
	if err != nil {
		return w, err
	}
	w.Paths = []string{p + a.ID + "/"}
	return w, nil
}

func wireCAR(c *carRec) *organizationsapi.CreateAccountStatus {
	return &organizationsapi.CreateAccountStatus{
		Id: c.ID, AccountName: c.AccountName, State: organizationsapi.CreateAccountState(c.State),
		RequestedTimestamp: awsproto.NewTime(c.Requested), CompletedTimestamp: awsproto.NewTime(c.Completed),
		AccountId: c.AccountID, FailureReason: organizationsapi.CreateAccountFailureReason(c.Failure),
	}
}

// validateTags checks tags as Organizations does: no "aws:" keys, no duplicate keys.
func validateTags(in []organizationsapi.Tag) ([]tag, error) {
	seen := map[string]bool{}
	out := make([]tag, 0, len(in))
	for _, t := range in {
		if strings.HasPrefix(strings.ToLower(t.Key), "aws:") {
			return nil, invalid("INVALID_SYSTEM_TAGS_PARAMETER", "You provided a value that does not match the required pattern: tag keys can't start with \"aws:\".")
		}
		if seen[t.Key] {
			return nil, invalid("DUPLICATE_TAG_KEY", "Tag keys must be unique among the tags attached to the same entity.")
		}
		seen[t.Key] = true
		out = append(out, tag{Key: t.Key, Value: t.Value})
	}
	if len(out) > 50 {
		return nil, constraint("MAX_TAG_LIMIT_EXCEEDED", "You have exceeded the number of tags allowed on this resource.")
	}
	return out, nil
}

type createAccountJob struct {
	OrgID string `json:"orgId"`
	CarID string `json:"carId"`
}

// CreateAccount starts the creation of a member account. It returns at once with an
// IN_PROGRESS status; a durable job creates the account (see runCreateAccount). Failures that
// AWS reports asynchronously (duplicate email, account quota) surface as a FAILED status.
func (s *Service) CreateAccount(ctx context.Context, in *organizationsapi.CreateAccountRequest) (*organizationsapi.CreateAccountResponse, error) {
	if strings.HasPrefix(in.RoleName, "AWSServiceRoleFor") {
		return nil, invalid("INVALID_ROLE_NAME", "You provided a role name that isn't valid. A role name can't begin with the reserved prefix 'AWSServiceRoleFor'.")
	}
	tags, err := validateTags(in.Tags)
	if err != nil {
		return nil, err
	}
	role := in.RoleName
	if role == "" {
		role = DefaultAccessRole
	}
	var out *organizationsapi.CreateAccountStatus
	err = s.write(ctx, func(tx store.Tx) error {
		o, err := s.mgmt(ctx, tx)
		if err != nil {
			return err
		}
		n, err := tx.Count(kindCARPending, o.ID)
		if err != nil {
			return err
		}
		if n >= s.lim().MaxCreationsInProgress {
			return constraint("ACCOUNT_CREATION_RATE_LIMIT_EXCEEDED",
				"You attempted to exceed the number of accounts that you can create at one time.")
		}
		c := &carRec{ID: "car-" + s.ids.Lower(32), AccountName: in.AccountName, Email: in.Email, RoleName: role,
			Tags: tags, State: "IN_PROGRESS", Requested: s.now()}
		if err := tx.Create(kindCAR, o.ID, c.ID, mustJSON(c)); err != nil {
			return err
		}
		if err := tx.Put(kindCARPending, o.ID, c.ID, index); err != nil {
			return err
		}
		if err := tx.Enqueue(store.Job{Kind: JobCreateAccount, Key: c.ID, Payload: mustJSON(createAccountJob{OrgID: o.ID, CarID: c.ID}), RunAt: s.clock.Now()}); err != nil {
			return err
		}
		out = wireCAR(c)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if s.jobs != nil {
		s.jobs.Notify()
	}
	return &organizationsapi.CreateAccountResponse{CreateAccountStatus: out}, nil
}

// CreateGovCloudAccount is not supported: orgconfig hosts no GovCloud partition.
func (s *Service) CreateGovCloudAccount(ctx context.Context, in *organizationsapi.CreateGovCloudAccountRequest) (*organizationsapi.CreateGovCloudAccountResponse, error) {
	return nil, organizationsapi.ErrUnsupportedAPIEndpoint("orgconfig does not support AWS GovCloud (US) accounts.")
}

// accountQuota is the number of accounts o may hold.
func (s *Service) accountQuota(o *Organization) int {
	if o.MaxAccounts > 0 {
		return o.MaxAccounts
	}
	return s.lim().MaxAccounts
}

// accountsCounted is the number of accounts counted against o's quota: members (suspended ones
// included) and open invitations.
func accountsCounted(tx store.Tx, o *Organization, now time.Time) (int, error) {
	n, err := tx.Count(kindAccount, o.ID)
	if err != nil {
		return 0, err
	}
	hs, err := listAll(tx, kindHSOrg, o.ID, "")
	if err != nil {
		return 0, err
	}
	for _, r := range hs {
		var h handshakeRec
		ok, err := findJSON(tx, kindHandshake, "", r.ID, &h)
		if err != nil {
			return 0, err
		}
		if ok && h.Action == "INVITE" && h.open(now) {
			n++
		}
	}
	return n, nil
}

// emailTaken reports whether any account orgconfig hosts uses email (case-insensitively).
func emailTaken(tx store.Tx, email string) (bool, error) {
	recs, err := tx.List(identity.KindAccount, "", "", 0)
	if err != nil {
		return false, err
	}
	for _, r := range recs {
		var a identity.Account
		if err := json.Unmarshal(r.Body, &a); err != nil {
			return false, err
		}
		if strings.EqualFold(a.Email, email) {
			return true, nil
		}
	}
	return false, nil
}

// runCreateAccount is the CreateAccount job. It is idempotent: a request that is no longer in
// progress (or whose organization is gone) is left alone. The account, its membership, its
// roles and the SUCCEEDED status commit in one transaction.
func (s *Service) runCreateAccount(ctx context.Context, job store.Job) error {
	var p createAccountJob
	if err := json.Unmarshal(job.Payload, &p); err != nil {
		return jobs.Permanent(fmt.Errorf("create-account payload: %w", err))
	}
	err := s.createAccountTx(ctx, p)
	var ie errIAM
	if errors.As(err, &ie) && awsproto.AsError(ie.err) != nil {
		// IAM refused deterministically (not a transient store error): retrying cannot help,
		// so the request fails instead of staying IN_PROGRESS forever.
		return s.write(ctx, func(tx store.Tx) error {
			var c carRec
			if ok, err := findJSON(tx, kindCAR, p.OrgID, p.CarID, &c); err != nil || !ok || c.State != "IN_PROGRESS" {
				return err
			}
			c.State, c.Failure, c.Completed = "FAILED", "INTERNAL_FAILURE", s.now()
			if _, err := tx.Delete(kindCARPending, p.OrgID, c.ID); err != nil {
				return err
			}
			return putJSON(tx, kindCAR, p.OrgID, c.ID, &c)
		})
	}
	return err
}

func (s *Service) createAccountTx(ctx context.Context, p createAccountJob) error {
	return s.write(ctx, func(tx store.Tx) error {
		o, err := s.cache.getOrg(tx, p.OrgID)
		if err != nil || o == nil {
			return err
		}
		var c carRec
		if ok, err := findJSON(tx, kindCAR, o.ID, p.CarID, &c); err != nil || !ok || c.State != "IN_PROGRESS" {
			return err
		}
		now := s.now()
		fail := func(reason string) error {
			c.State, c.Failure, c.Completed = "FAILED", reason, now
			if _, err := tx.Delete(kindCARPending, o.ID, c.ID); err != nil {
				return err
			}
			return putJSON(tx, kindCAR, o.ID, c.ID, &c)
		}
		if taken, err := emailTaken(tx, c.Email); err != nil {
			return err
		} else if taken {
			return fail("EMAIL_ALREADY_EXISTS")
		}
		if n, err := accountsCounted(tx, o, now); err != nil {
			return err
		} else if n >= s.accountQuota(o) {
			return fail("ACCOUNT_LIMIT_EXCEEDED")
		}
		id, err := s.newAccountID(tx)
		if err != nil {
			return err
		}
		if err := identity.PutAccount(tx, &identity.Account{ID: id, Name: c.AccountName, Email: c.Email, Created: now, Origin: "organizations"}); err != nil {
			return err
		}
		if err := s.addAccountTx(tx, o, &accountRec{ID: id, Name: c.AccountName, Email: c.Email, Parent: o.RootID,
			State: "ACTIVE", Method: "CREATED", Joined: now}); err != nil {
			return err
		}
		if len(c.Tags) > 0 {
			if err := putJSON(tx, kindTag, o.ID, id, c.Tags); err != nil {
				return err
			}
		}
		if err := s.createAccessRoleTx(tx, id, o.Mgmt, c.RoleName); err != nil {
			return err
		}
		if err := s.provisionMemberRolesTx(tx, o, id); err != nil {
			return err
		}
		c.State, c.AccountID, c.Completed = "SUCCEEDED", id, now
		if _, err := tx.Delete(kindCARPending, o.ID, c.ID); err != nil {
			return err
		}
		return putJSON(tx, kindCAR, o.ID, c.ID, &c)
	})
}

// newAccountID draws a 12-digit account ID that no hosted account uses.
func (s *Service) newAccountID(tx store.Tx) (string, error) {
	for range 100 {
		id := s.ids.Digits(12)
		if id[0] == '0' {
			continue
		}
		if ok, err := exists(tx, identity.KindAccount, "", id); err != nil {
			return "", err
		} else if !ok {
			return id, nil
		}
	}
	return "", errors.New("organizations: could not draw a free account ID")
}

// DescribeCreateAccountStatus returns one CreateAccount request's status.
func (s *Service) DescribeCreateAccountStatus(ctx context.Context, in *organizationsapi.DescribeCreateAccountStatusRequest) (*organizationsapi.DescribeCreateAccountStatusResponse, error) {
	var out *organizationsapi.CreateAccountStatus
	err := s.read(ctx, func(tx store.Tx) error {
		o, _, err := s.reader(ctx, tx)
		if err != nil {
			return err
		}
		var c carRec
		ok, err := findJSON(tx, kindCAR, o.ID, in.CreateAccountRequestId, &c)
		if err != nil {
			return err
		}
		if !ok {
			return organizationsapi.ErrCreateAccountStatusNotFound("We can't find an create account request with the CreateAccountRequestId that you specified.")
		}
		out = wireCAR(&c)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &organizationsapi.DescribeCreateAccountStatusResponse{CreateAccountStatus: out}, nil
}

// ListCreateAccountStatus lists CreateAccount requests, optionally only those in given states.
func (s *Service) ListCreateAccountStatus(ctx context.Context, in *organizationsapi.ListCreateAccountStatusRequest) (*organizationsapi.ListCreateAccountStatusResponse, error) {
	out := &organizationsapi.ListCreateAccountStatusResponse{}
	err := s.read(ctx, func(tx store.Tx) error {
		o, _, err := s.reader(ctx, tx)
		if err != nil {
			return err
		}
		want := map[string]bool{}
		for _, st := range in.States {
			want[string(st)] = true
		}
		var cars []carRec
		_, next, err := pageRecords(tx, kindCAR, o.ID, "", in.NextToken, pageSize(in.MaxResults), func(r store.Record) (bool, error) {
			var c carRec
			if err := decode(r, &c); err != nil {
				return false, err
			}
			if len(want) > 0 && !want[c.State] {
				return false, nil
			}
			cars = append(cars, c)
			return true, nil
		})
		if err != nil {
			return err
		}
		out.NextToken = next
		for i := range cars {
			out.CreateAccountStatuses = append(out.CreateAccountStatuses, *wireCAR(&cars[i]))
		}
		return nil
	})
	return out, err
}

// DescribeAccount returns a member account.
func (s *Service) DescribeAccount(ctx context.Context, in *organizationsapi.DescribeAccountRequest) (*organizationsapi.DescribeAccountResponse, error) {
	var out organizationsapi.Account
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
		out, err = wireAccountPaths(tx, o, a)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &organizationsapi.DescribeAccountResponse{Account: &out}, nil
}

// ListAccounts lists the organization's accounts by account ID.
func (s *Service) ListAccounts(ctx context.Context, in *organizationsapi.ListAccountsRequest) (*organizationsapi.ListAccountsResponse, error) {
	// Fast path: the management account, with the organization's snapshot cached at the
	// version read (with the membership and the organization) in one statement.
	if acct, err := callerAccount(ctx); err == nil {
		v, ok, err := s.fastMember(ctx, acct, true)
		if err != nil {
			return nil, err
		}
		if ok && acct == v.o.Mgmt && v.version != nil {
			if snap, _ := s.cache.snaps.Get(v.o.ID); snap != nil && snap.version == string(v.version) && bytes.Equal(snap.org, v.raw) {
				return accountsPage(ctx, snap.accounts, in)
			}
		}
	}
	out := &organizationsapi.ListAccountsResponse{}
	err := s.read(ctx, func(tx store.Tx) error {
		o, raw, _, err := s.readerRaw(ctx, tx)
		if err != nil {
			return err
		}
		if snap, err := s.accountsSnapshot(tx, o, raw); err != nil {
			return err
		} else if snap != nil {
			out, err = accountsPage(ctx, snap, in)
			return err
		}
		recs, next, err := pageRecords(tx, kindAccount, o.ID, "", in.NextToken, pageSize(in.MaxResults), nil)
		if err != nil {
			return err
		}
		out.NextToken = next
		out.Accounts = []organizationsapi.Account{}
		for _, r := range recs {
			var a accountRec
			if err := decode(r, &a); err != nil {
				return err
			}
			w, err := wireAccountPaths(tx, o, &a)
			if err != nil {
				return err
			}
			out.Accounts = append(out.Accounts, w)
		}
		return nil
	})
	return out, err
}

// accountsSnapshot returns every account of o rendered (sorted by ID), from the snapshot cache
// when the organization's version record (read in tx) and record bytes (raw) match it. It
// returns nil when the organization has no version record or too many accounts: the caller
// then pages the store. The items are shared and must not be modified.
func (s *Service) accountsSnapshot(tx store.Tx, o *Organization, raw []byte) ([]snapAccount, error) {
	vb, err := tx.Get(kindOrgVersion, "", o.ID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if snap, _ := s.cache.snaps.Get(o.ID); snap != nil && snap.version == string(vb) && bytes.Equal(snap.org, raw) {
		return snap.accounts, nil
	}
	recs, err := tx.List(kindAccount, o.ID, "", maxSnapshotAccounts+1)
	if err != nil {
		return nil, err
	}
	if len(recs) > maxSnapshotAccounts {
		return nil, nil
	}
	accounts := make([]snapAccount, 0, len(recs))
	for _, r := range recs {
		var a accountRec
		if err := decode(r, &a); err != nil {
			return nil, err
		}
		w, err := wireAccountPaths(tx, o, &a)
		if err != nil {
			return nil, err
		}
		js, err := json.Marshal(&w)
		if err != nil {
			return nil, err
		}
		accounts = append(accounts, snapAccount{a: w, json: js})
	}
	s.cache.snaps.Put(o.ID, &accountsSnapshot{version: string(vb), org: bytes.Clone(raw), accounts: accounts})
	return accounts, nil
}

// MoveAccount moves an account from one parent to another.
func (s *Service) MoveAccount(ctx context.Context, in *organizationsapi.MoveAccountRequest) error {
	return s.write(ctx, func(tx store.Tx) error {
		o, err := s.mgmt(ctx, tx)
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
		if ok, err := parentExists(tx, o, in.SourceParentId); err != nil {
			return err
		} else if !ok {
			return organizationsapi.ErrSourceParentNotFound("You specified a source parent that doesn't exist.")
		}
		if ok, err := parentExists(tx, o, in.DestinationParentId); err != nil {
			return err
		} else if !ok {
			return organizationsapi.ErrDestinationParentNotFound("You specified a destination parent that doesn't exist.")
		}
		if a.Parent != in.SourceParentId {
			if a.Parent == in.DestinationParentId {
				return organizationsapi.ErrDuplicateAccount("That account is already present in the specified destination.")
			}
			return organizationsapi.ErrAccountNotFound("You specified an account that isn't a child of the source parent.")
		}
		if in.SourceParentId == in.DestinationParentId {
			return organizationsapi.ErrDuplicateAccount("That account is already present in the specified destination.")
		}
		return moveAccountTx(tx, o, a, in.DestinationParentId)
	})
}

// moveAccountTx puts account a of o under parent (a root or an OU of o).
func moveAccountTx(tx store.Tx, o *Organization, a *accountRec, parent string) error {
	if _, err := tx.Delete(kindChild, o.ID, childKey(a.Parent, "ACCOUNT", a.ID)); err != nil {
		return err
	}
	a.Parent = parent
	if err := tx.Put(kindChild, o.ID, childKey(a.Parent, "ACCOUNT", a.ID), index); err != nil {
		return err
	}
	return putJSON(tx, kindAccount, o.ID, a.ID, a)
}

// removeMemberTx takes an account out of o: membership, tree position, policy attachments,
// tags, delegations. Its IAM roles stay (the service-linked ones become deletable).
func (s *Service) removeMemberTx(tx store.Tx, o *Organization, a *accountRec, now time.Time) error {
	if err := s.departTx(tx, o.ID, a.ID, now); err != nil {
		return err
	}
	for _, del := range []struct{ kind, id string }{
		{kindAccount, a.ID}, {kindChild, childKey(a.Parent, "ACCOUNT", a.ID)}, {kindTag, a.ID},
	} {
		if _, err := tx.Delete(del.kind, o.ID, del.id); err != nil {
			return err
		}
	}
	if err := detachAllTx(tx, o, a.ID); err != nil {
		return err
	}
	dels, err := listAll(tx, kindDelegate, o.ID, a.ID+"/")
	if err != nil {
		return err
	}
	for _, r := range dels {
		if _, err := tx.Delete(kindDelegate, o.ID, r.ID); err != nil {
			return err
		}
	}
	_, err = tx.Delete(kindOrgOf, "", a.ID)
	return err
}

// checkCanLeave applies the constraints shared by RemoveAccountFromOrganization and
// LeaveOrganization. The 4-day wait after creation is not enforced (a deliberate difference from
// AWS: tests and local use would otherwise wait four days).
func checkCanLeave(tx store.Tx, o *Organization, a *accountRec) error {
	if a.ID == o.Mgmt {
		return organizationsapi.ErrMasterCannotLeaveOrganization("You can't remove a management account from an organization. If you want the management account to become a member account in another organization, you must first delete the current organization of the management account.")
	}
	if ok, err := isDelegatedAdmin(tx, o, a.ID); err != nil {
		return err
	} else if ok {
		return constraint("CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG",
			"You cannot remove a delegated administrator account from the organization. Deregister it as a delegated administrator first.")
	}
	return nil
}

// RemoveAccountFromOrganization removes a member account; it becomes a standalone account.
func (s *Service) RemoveAccountFromOrganization(ctx context.Context, in *organizationsapi.RemoveAccountFromOrganizationRequest) error {
	return s.write(ctx, func(tx store.Tx) error {
		o, err := s.mgmt(ctx, tx)
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
		if err := checkCanLeave(tx, o, a); err != nil {
			return err
		}
		return s.removeMemberTx(tx, o, a, s.now())
	})
}

// LeaveOrganization removes the caller's own account from its organization.
func (s *Service) LeaveOrganization(ctx context.Context) error {
	return s.write(ctx, func(tx store.Tx) error {
		o, acct, err := s.member(ctx, tx)
		if err != nil {
			return err
		}
		a, err := getAccount(tx, o.ID, acct)
		if err != nil {
			return err
		}
		if a == nil {
			return organizationsapi.ErrAccountNotFound(msgAcctNotFound)
		}
		if err := checkCanLeave(tx, o, a); err != nil {
			return err
		}
		return s.removeMemberTx(tx, o, a, s.now())
	})
}

type closeAccountJob struct {
	OrgID   string `json:"orgId"`
	Account string `json:"account"`
}

// CloseAccount starts closing a member account: it is PENDING_CLOSURE at once and SUSPENDED
// when the close job has run. A closed account stays in the organization and counts against
// the account quota.
func (s *Service) CloseAccount(ctx context.Context, in *organizationsapi.CloseAccountRequest) error {
	err := s.write(ctx, func(tx store.Tx) error {
		o, err := s.mgmt(ctx, tx)
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
		if a.ID == o.Mgmt {
			return constraint("CANNOT_CLOSE_MANAGEMENT_ACCOUNT", "You attempted to close the management account. To close the management account, you must first remove all member accounts and delete the organization.")
		}
		if a.State != "ACTIVE" {
			return organizationsapi.ErrAccountAlreadyClosed("You attempted to close an account that is already closed.")
		}
		a.State = "PENDING_CLOSURE"
		if err := putJSON(tx, kindAccount, o.ID, a.ID, a); err != nil {
			return err
		}
		if err := s.departTx(tx, o.ID, a.ID, s.now()); err != nil {
			return err
		}
		return tx.Enqueue(store.Job{Kind: JobCloseAccount, Key: a.ID, Payload: mustJSON(closeAccountJob{OrgID: o.ID, Account: a.ID}), RunAt: s.clock.Now()})
	})
	if err == nil && s.jobs != nil {
		s.jobs.Notify()
	}
	return err
}

// runCloseAccount suspends an account whose closure is pending. It is idempotent.
func (s *Service) runCloseAccount(ctx context.Context, job store.Job) error {
	var p closeAccountJob
	if err := json.Unmarshal(job.Payload, &p); err != nil {
		return jobs.Permanent(fmt.Errorf("close-account payload: %w", err))
	}
	return s.write(ctx, func(tx store.Tx) error {
		a, err := getAccount(tx, p.OrgID, p.Account)
		if err != nil || a == nil || a.State != "PENDING_CLOSURE" {
			return err
		}
		a.State = "SUSPENDED"
		return putJSON(tx, kindAccount, p.OrgID, a.ID, a)
	})
}

// kindDeparted records when an account stopped being an ACTIVE member of an organization (it
// left, was removed, or is being closed): scope = organization ID, id = account, body
// departure. Services that follow an organization's membership with a delay (AWS Config's
// organization aggregators) read it; the record goes when the account joins again.
const kindDeparted = "org-departed"

type departure struct {
	At time.Time `json:"at"`
}

func (s *Service) departTx(tx store.Tx, orgID, account string, now time.Time) error {
	if err := putJSON(tx, kindDeparted, orgID, account, departure{At: now}); err != nil {
		return err
	}
	return s.membershipChangedTx(tx, orgID, account, false)
}

// MembershipHook is called in the transaction that changes an organization's ACTIVE membership:
// joined is true for an account that became an ACTIVE member (created, invited, or back), false
// for one that stopped being one (left, removed, closing). Its error aborts the change.
type MembershipHook func(tx store.Tx, orgID, account string, joined bool) error

// OnMembershipChange registers a hook (AWS Config's organization rules and conformance packs
// follow the membership with it). It must be called before the service is used.
func (s *Service) OnMembershipChange(h MembershipHook) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hooks = append(s.hooks, h)
}

func (s *Service) membershipChangedTx(tx store.Tx, orgID, account string, joined bool) error {
	s.mu.RLock()
	hooks := s.hooks
	s.mu.RUnlock()
	for _, h := range hooks {
		if err := h(tx, orgID, account, joined); err != nil {
			return err
		}
	}
	return nil
}

// DepartedAccountsTx returns the accounts that stopped being ACTIVE members of organization
// orgID, with the time each did.
func DepartedAccountsTx(tx store.Tx, orgID string) (map[string]time.Time, error) {
	recs, err := listAll(tx, kindDeparted, orgID, "")
	if err != nil {
		return nil, err
	}
	out := make(map[string]time.Time, len(recs))
	for _, r := range recs {
		var d departure
		if err := decode(r, &d); err != nil {
			return nil, err
		}
		out[r.ID] = d.At
	}
	return out, nil
}
