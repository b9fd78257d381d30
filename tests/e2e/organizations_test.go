package e2e

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/orgconfig/orgconfig/tests/e2e/e2etest"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/orgconfig/orgconfig/internal/clock"
	"github.com/orgconfig/orgconfig/internal/iam"
	"github.com/orgconfig/orgconfig/internal/ids"
	orgsvc "github.com/orgconfig/orgconfig/internal/organizations"
	"github.com/orgconfig/orgconfig/internal/store"
	"github.com/orgconfig/orgconfig/internal/testserver"
)

// TestOrganizations runs the Organizations suite on both store backends.
func TestOrganizations(t *testing.T) {
	testserver.Backends(t, func(t *testing.T, backend testserver.Backend) {
		for _, c := range []struct {
			name string
			fn   func(*testing.T, testserver.Option)
		}{
			{"WholeFlow", testOrgWholeFlow},
			{"Negative", testOrgNegative},
			{"InvitationsAndConsolidatedBilling", testOrgInvitations},
			{"TreeAndPolicies", testOrgTreeAndPolicies},
			{"ListAccountsPagination", testOrgListAccountsPagination},
			{"PolicyTypesOfANewRoot", testOrgPolicyTypesOfANewRoot},
			{"DelegationPolicy", testOrgDelegationPolicy},
			{"DeleteOUAfterItsAccountLeft", testOrgDeleteOUAfterItsAccountLeft},
		} {
			t.Run(c.name, func(t *testing.T) { c.fn(t, backend(t)) })
		}
	})
}

func newOrgEnv(t *testing.T, backend testserver.Option) *e2etest.OrgEnv {
	clk := clock.NewManual(time.Now().Truncate(time.Millisecond))
	srv := testserver.Start(t, backend, testserver.WithClock(clk), testserver.WithoutJobLoop())
	return &e2etest.OrgEnv{T: t, Ctx: context.Background(), Srv: srv, Clk: clk,
		Org: organizations.NewFromConfig(srv.Config("us-east-1"))}
}

func testOrgWholeFlow(t *testing.T, backend testserver.Option) {
	e := newOrgEnv(t, backend)
	ctx, org := e.Ctx, e.Org
	mgmt := testserver.AccountID

	o := e.CreateOrg(orgtypes.OrganizationFeatureSetAll)
	oid := aws.ToString(o.Id)
	if len(oid) != 12 || aws.ToString(o.Arn) != "arn:aws:organizations::"+mgmt+":organization/"+oid ||
		aws.ToString(o.MasterAccountId) != mgmt || aws.ToString(o.MasterAccountArn) != "arn:aws:organizations::"+mgmt+":account/"+oid+"/"+mgmt ||
		o.FeatureSet != orgtypes.OrganizationFeatureSetAll || aws.ToString(o.MasterAccountEmail) == "" {
		t.Fatalf("organization %+v", o)
	}
	desc, err := org.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	if err != nil || aws.ToString(desc.Organization.Id) != oid || aws.ToString(desc.Organization.MasterAccountEmail) != aws.ToString(o.MasterAccountEmail) {
		t.Fatalf("DescribeOrganization %+v %v", desc, err)
	}
	if !e.HasRole(mgmt, "AWSServiceRoleForOrganizations") {
		t.Error("no AWSServiceRoleForOrganizations in the management account")
	}
	roots, err := org.ListRoots(ctx, &organizations.ListRootsInput{})
	if err != nil || len(roots.Roots) != 1 {
		t.Fatalf("ListRoots %+v %v", roots, err)
	}
	root := roots.Roots[0]
	rid := aws.ToString(root.Id)
	if aws.ToString(root.Name) != "Root" || aws.ToString(root.Arn) != "arn:aws:organizations::"+mgmt+":root/"+oid+"/"+rid ||
		len(root.PolicyTypes) != 0 {
		t.Fatalf("root %+v", root)
	}
	// SCPs are not enabled in a new organization; the flow below uses them.
	if out, err := org.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: aws.String(rid), PolicyType: orgtypes.PolicyTypeServiceControlPolicy}); err != nil ||
		len(out.Root.PolicyTypes) != 1 || out.Root.PolicyTypes[0].Type != orgtypes.PolicyTypeServiceControlPolicy || out.Root.PolicyTypes[0].Status != orgtypes.PolicyTypeStatusEnabled {
		t.Fatalf("EnablePolicyType(SCP) %+v %v", out, err)
	}

	// Three accounts, IN_PROGRESS at first and SUCCEEDED once the jobs ran.
	var members []string
	for i := 1; i <= 3; i++ {
		st := e.StartAccount(fmt.Sprintf("member-%d", i), fmt.Sprintf("member-%d@example.com", i))
		again, err := org.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: st.Id})
		if err != nil || again.CreateAccountStatus.State != orgtypes.CreateAccountStateInProgress ||
			!again.CreateAccountStatus.RequestedTimestamp.Equal(*st.RequestedTimestamp) {
			t.Fatalf("status before the job ran: %+v %v", again, err)
		}
		done := e.FinishAccount(st.Id)
		if done.State != orgtypes.CreateAccountStateSucceeded || len(aws.ToString(done.AccountId)) != 12 || done.CompletedTimestamp == nil ||
			aws.ToString(done.Id) != aws.ToString(st.Id) || done.FailureReason != "" {
			t.Fatalf("final status %+v", done)
		}
		members = append(members, aws.ToString(done.AccountId))
	}
	list, err := org.ListCreateAccountStatus(ctx, &organizations.ListCreateAccountStatusInput{States: []orgtypes.CreateAccountState{orgtypes.CreateAccountStateSucceeded}})
	if err != nil || len(list.CreateAccountStatuses) != 3 {
		t.Fatalf("ListCreateAccountStatus %+v %v", list, err)
	}
	accts, err := org.ListAccounts(ctx, &organizations.ListAccountsInput{})
	if err != nil || len(accts.Accounts) != 4 || accts.NextToken != nil {
		t.Fatalf("ListAccounts: %d accounts, %v", len(accts.Accounts), err)
	}
	m0 := members[0]
	da, err := org.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: aws.String(m0)})
	if err != nil {
		t.Fatal(err)
	}
	a := da.Account
	if aws.ToString(a.Arn) != "arn:aws:organizations::"+mgmt+":account/"+oid+"/"+m0 || aws.ToString(a.Name) != "member-1" ||
		aws.ToString(a.Email) != "member-1@example.com" || a.Status != orgtypes.AccountStatusActive || a.State != orgtypes.AccountStateActive ||
		a.JoinedMethod != orgtypes.AccountJoinedMethodCreated || a.JoinedTimestamp == nil {
		t.Fatalf("DescribeAccount %+v", a)
	}
	for _, acc := range accts.Accounts {
		if aws.ToString(acc.Id) == m0 && (!acc.JoinedTimestamp.Equal(*a.JoinedTimestamp) || aws.ToString(acc.Arn) != aws.ToString(a.Arn)) {
			t.Errorf("ListAccounts and DescribeAccount differ: %+v vs %+v", acc, a)
		}
	}
	// The access role: trusted by the management account, with administrator access.
	err = e.Srv.Store().Read(ctx, func(tx store.Tx) error {
		r, err := iam.GetRoleTx(tx, m0, "OrganizationAccountAccessRole")
		if err != nil {
			return err
		}
		if want := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + mgmt + `:root"},"Action":"sts:AssumeRole"}]}`; r.AssumeRolePolicyDocument != want {
			t.Errorf("trust policy %s", r.AssumeRolePolicyDocument)
		}
		if _, ok := r.InlinePolicies["AdministratorAccess"]; !ok {
			t.Errorf("inline policies %v", r.InlinePolicies)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if !e.HasRole(m0, "AWSServiceRoleForOrganizations") {
		t.Error("no AWSServiceRoleForOrganizations in a created account")
	}

	// An OU with tags; move an account into it.
	ou, err := org.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(rid), Name: aws.String("Workloads"),
		Tags: []orgtypes.Tag{{Key: aws.String("team"), Value: aws.String("platform")}}})
	if err != nil {
		t.Fatal(err)
	}
	ouid := aws.ToString(ou.OrganizationalUnit.Id)
	dou, err := org.DescribeOrganizationalUnit(ctx, &organizations.DescribeOrganizationalUnitInput{OrganizationalUnitId: aws.String(ouid)})
	if err != nil || aws.ToString(dou.OrganizationalUnit.Arn) != "arn:aws:organizations::"+mgmt+":ou/"+oid+"/"+ouid ||
		aws.ToString(dou.OrganizationalUnit.Name) != "Workloads" || aws.ToString(dou.OrganizationalUnit.Arn) != aws.ToString(ou.OrganizationalUnit.Arn) {
		t.Fatalf("DescribeOrganizationalUnit %+v %v", dou, err)
	}
	tags, err := org.ListTagsForResource(ctx, &organizations.ListTagsForResourceInput{ResourceId: aws.String(ouid)})
	if err != nil || len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Value) != "platform" {
		t.Fatalf("ListTagsForResource %+v %v", tags, err)
	}
	if _, err := org.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: aws.String(m0), SourceParentId: aws.String(rid), DestinationParentId: aws.String(ouid)}); err != nil {
		t.Fatal(err)
	}
	parents, err := org.ListParents(ctx, &organizations.ListParentsInput{ChildId: aws.String(m0)})
	if err != nil || len(parents.Parents) != 1 || aws.ToString(parents.Parents[0].Id) != ouid || parents.Parents[0].Type != orgtypes.ParentTypeOrganizationalUnit {
		t.Fatalf("ListParents %+v %v", parents, err)
	}
	kids, err := org.ListChildren(ctx, &organizations.ListChildrenInput{ParentId: aws.String(ouid), ChildType: orgtypes.ChildTypeAccount})
	if err != nil || len(kids.Children) != 1 || aws.ToString(kids.Children[0].Id) != m0 {
		t.Fatalf("ListChildren %+v %v", kids, err)
	}
	rootAccts, err := org.ListAccountsForParent(ctx, &organizations.ListAccountsForParentInput{ParentId: aws.String(rid)})
	if err != nil || len(rootAccts.Accounts) != 3 {
		t.Fatalf("ListAccountsForParent(root): %d %v", len(rootAccts.Accounts), err)
	}
	_, err = org.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: aws.String(m0), SourceParentId: aws.String(rid), DestinationParentId: aws.String(ouid)})
	e2etest.APIError(t, err, "DuplicateAccountException", 400)

	// Trusted access for both AWS Config principals puts their roles in every account.
	principals := map[string]string{"config.amazonaws.com": "AWSServiceRoleForConfig",
		"config-multiaccountsetup.amazonaws.com": "AWSServiceRoleForConfigMultiAccountSetup"}
	for p := range principals {
		if _, err := org.EnableAWSServiceAccess(ctx, &organizations.EnableAWSServiceAccessInput{ServicePrincipal: aws.String(p)}); err != nil {
			t.Fatalf("EnableAWSServiceAccess %s: %v", p, err)
		}
	}
	for _, acct := range append([]string{mgmt}, members...) {
		for _, role := range principals {
			if !e.HasRole(acct, role) {
				t.Errorf("%s: no %s after enabling trusted access", acct, role)
			}
		}
	}
	sa, err := org.ListAWSServiceAccessForOrganization(ctx, &organizations.ListAWSServiceAccessForOrganizationInput{})
	if err != nil || len(sa.EnabledServicePrincipals) != 2 || sa.EnabledServicePrincipals[0].DateEnabled == nil {
		t.Fatalf("ListAWSServiceAccessForOrganization %+v %v", sa, err)
	}
	// An account created later gets them too.
	late := e.CreateAccount("late", "late@example.com")
	for _, role := range principals {
		if !e.HasRole(late, role) {
			t.Errorf("account created after trusted access lacks %s", role)
		}
	}

	// A delegated administrator for AWS Config, who may then read the organization.
	if _, err := org.RegisterDelegatedAdministrator(ctx, &organizations.RegisterDelegatedAdministratorInput{
		AccountId: aws.String(members[1]), ServicePrincipal: aws.String("config.amazonaws.com")}); err != nil {
		t.Fatal(err)
	}
	das, err := org.ListDelegatedAdministrators(ctx, &organizations.ListDelegatedAdministratorsInput{ServicePrincipal: aws.String("config.amazonaws.com")})
	if err != nil || len(das.DelegatedAdministrators) != 1 || aws.ToString(das.DelegatedAdministrators[0].Id) != members[1] ||
		das.DelegatedAdministrators[0].DelegationEnabledDate == nil || das.DelegatedAdministrators[0].JoinedMethod != orgtypes.AccountJoinedMethodCreated {
		t.Fatalf("ListDelegatedAdministrators %+v %v", das, err)
	}
	svcs, err := org.ListDelegatedServicesForAccount(ctx, &organizations.ListDelegatedServicesForAccountInput{AccountId: aws.String(members[1])})
	if err != nil || len(svcs.DelegatedServices) != 1 || aws.ToString(svcs.DelegatedServices[0].ServicePrincipal) != "config.amazonaws.com" {
		t.Fatalf("ListDelegatedServicesForAccount %+v %v", svcs, err)
	}
	admin := e.MemberClient(members[1])
	if out, err := admin.ListAccounts(ctx, &organizations.ListAccountsInput{}); err != nil || len(out.Accounts) != 5 {
		t.Fatalf("delegated admin ListAccounts: %v", err)
	}
	_, err = admin.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(rid), Name: aws.String("x")})
	e2etest.APIError(t, err, "AccessDeniedException", 400)
	plain := e.MemberClient(members[2])
	_, err = plain.ListAccounts(ctx, &organizations.ListAccountsInput{})
	e2etest.APIError(t, err, "AccessDeniedException", 400)
	if out, err := plain.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{}); err != nil || aws.ToString(out.Organization.Id) != oid {
		t.Fatalf("member DescribeOrganization: %v", err)
	}

	// SCP levels seen by the authorizer: root, OU, account, each with FullAWSAccess.
	probe := orgsvc.New(e.Srv.Store(), e.Clk, ids.NewRandom(), nil, nil, nil)
	err = e.Srv.Store().Read(ctx, func(tx store.Tx) error {
		levels, applies, err := probe.SCPLevelsTx(tx, m0)
		if err != nil {
			return err
		}
		if !applies || len(levels) != 3 || len(levels[2]) != 1 || levels[2][0] != orgsvc.FullAWSAccessContent {
			t.Errorf("SCPLevelsTx(member) = %v, %v", levels, applies)
		}
		if _, applies, _ := probe.SCPLevelsTx(tx, mgmt); applies {
			t.Error("SCPs apply to the management account")
		}
		for p := range principals {
			if ok, _ := probe.ServiceAccessEnabled(tx, m0, p); !ok {
				t.Errorf("ServiceAccessEnabled(%s) false while enabled", p)
			}
		}
		if ok, _ := probe.IsDelegatedAdminTx(tx, members[1], "config.amazonaws.com"); !ok {
			t.Error("IsDelegatedAdminTx false")
		}
		ids, err := probe.MemberAccountsTx(tx, oid)
		if err != nil || len(ids) != 5 {
			t.Errorf("MemberAccountsTx = %v, %v", ids, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	// Disable trusted access: the service is no longer listed, the roles lose their guard.
	for p := range principals {
		if _, err := org.DisableAWSServiceAccess(ctx, &organizations.DisableAWSServiceAccessInput{ServicePrincipal: aws.String(p)}); err != nil {
			t.Fatal(err)
		}
	}
	sa, err = org.ListAWSServiceAccessForOrganization(ctx, &organizations.ListAWSServiceAccessForOrganizationInput{})
	if err != nil || len(sa.EnabledServicePrincipals) != 0 {
		t.Fatalf("after disabling: %+v %v", sa, err)
	}
	_ = e.Srv.Store().Read(ctx, func(tx store.Tx) error {
		if ok, _ := probe.ServiceAccessEnabled(tx, m0, "config.amazonaws.com"); ok {
			t.Error("ServiceAccessEnabled true after DisableAWSServiceAccess")
		}
		return nil
	})
}

func testOrgNegative(t *testing.T, backend testserver.Option) {
	e := newOrgEnv(t, backend)
	ctx, org := e.Ctx, e.Org

	// Outside any organization.
	_, err := org.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	if ae := e2etest.APIError(t, err, "AWSOrganizationsNotInUseException", 400); ae.ErrorMessage() != "Your account is not a member of an organization." {
		t.Errorf("message %q", ae.ErrorMessage())
	}
	_, err = org.EnableAWSServiceAccess(ctx, &organizations.EnableAWSServiceAccessInput{ServicePrincipal: aws.String("config.amazonaws.com")})
	e2etest.APIError(t, err, "AWSOrganizationsNotInUseException", 400)

	o := e.CreateOrg(orgtypes.OrganizationFeatureSetAll)
	_, err = org.CreateOrganization(ctx, &organizations.CreateOrganizationInput{})
	e2etest.APIError(t, err, "AlreadyInOrganizationException", 400)
	m1 := e.CreateAccount("one", "one@example.com")
	m2 := e.CreateAccount("two", "two@example.com")

	// A member account enables trusted access.
	_, err = e.MemberClient(m1).EnableAWSServiceAccess(ctx, &organizations.EnableAWSServiceAccessInput{ServicePrincipal: aws.String("config.amazonaws.com")})
	if ae := e2etest.APIError(t, err, "AccessDeniedException", 400); ae.ErrorMessage() != "You don't have permissions to access this resource." {
		t.Errorf("message %q", ae.ErrorMessage())
	}
	// An unknown service principal.
	_, err = org.EnableAWSServiceAccess(ctx, &organizations.EnableAWSServiceAccessInput{ServicePrincipal: aws.String("nosuch.amazonaws.com")})
	e2etest.OrgReason(t, err, "InvalidInputException", "UNRECOGNIZED_SERVICE_PRINCIPAL")
	if ae := e2etest.APIError(t, err, "InvalidInputException", 400); ae.ErrorMessage() != "You specified an unrecognized service principal." {
		t.Errorf("message %q", ae.ErrorMessage())
	}
	// A delegated administrator before trusted access.
	_, err = org.RegisterDelegatedAdministrator(ctx, &organizations.RegisterDelegatedAdministratorInput{AccountId: aws.String(m1), ServicePrincipal: aws.String("config.amazonaws.com")})
	e2etest.OrgReason(t, err, "ConstraintViolationException", "SERVICE_ACCESS_NOT_ENABLED")
	if _, err := org.EnableAWSServiceAccess(ctx, &organizations.EnableAWSServiceAccessInput{ServicePrincipal: aws.String("config.amazonaws.com")}); err != nil {
		t.Fatal(err)
	}
	// The management account as delegated administrator.
	_, err = org.RegisterDelegatedAdministrator(ctx, &organizations.RegisterDelegatedAdministratorInput{AccountId: aws.String(testserver.AccountID), ServicePrincipal: aws.String("config.amazonaws.com")})
	e2etest.OrgReason(t, err, "ConstraintViolationException", "CANNOT_REGISTER_MASTER_AS_DELEGATED_ADMINISTRATOR")
	_, err = org.RegisterDelegatedAdministrator(ctx, &organizations.RegisterDelegatedAdministratorInput{AccountId: aws.String("999999999999"), ServicePrincipal: aws.String("config.amazonaws.com")})
	e2etest.APIError(t, err, "AccountNotFoundException", 400)
	if _, err := org.RegisterDelegatedAdministrator(ctx, &organizations.RegisterDelegatedAdministratorInput{AccountId: aws.String(m1), ServicePrincipal: aws.String("config.amazonaws.com")}); err != nil {
		t.Fatal(err)
	}
	_, err = org.RegisterDelegatedAdministrator(ctx, &organizations.RegisterDelegatedAdministratorInput{AccountId: aws.String(m1), ServicePrincipal: aws.String("config.amazonaws.com")})
	e2etest.APIError(t, err, "AccountAlreadyRegisteredException", 400)
	_, err = org.ListDelegatedServicesForAccount(ctx, &organizations.ListDelegatedServicesForAccountInput{AccountId: aws.String(m2)})
	e2etest.APIError(t, err, "AccountNotRegisteredException", 400)
	// Removing a delegated administrator's account, or the management account.
	_, err = org.RemoveAccountFromOrganization(ctx, &organizations.RemoveAccountFromOrganizationInput{AccountId: aws.String(m1)})
	e2etest.OrgReason(t, err, "ConstraintViolationException", "CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG")
	_, err = e.MemberClient(m1).LeaveOrganization(ctx, &organizations.LeaveOrganizationInput{})
	e2etest.OrgReason(t, err, "ConstraintViolationException", "CANNOT_REMOVE_DELEGATED_ADMINISTRATOR_FROM_ORG")
	_, err = org.RemoveAccountFromOrganization(ctx, &organizations.RemoveAccountFromOrganizationInput{AccountId: o.MasterAccountId})
	e2etest.APIError(t, err, "MasterCannotLeaveOrganizationException", 400)
	_, err = org.DeleteOrganization(ctx, &organizations.DeleteOrganizationInput{})
	e2etest.APIError(t, err, "OrganizationNotEmptyException", 400)

	// A duplicate email fails asynchronously.
	st := e.FinishAccount(e.StartAccount("dup", "ONE@example.com").Id)
	if st.State != orgtypes.CreateAccountStateFailed || st.FailureReason != orgtypes.CreateAccountFailureReasonEmailAlreadyExists || st.CompletedTimestamp == nil {
		t.Fatalf("duplicate email: %+v", st)
	}
	failed, err := org.ListCreateAccountStatus(ctx, &organizations.ListCreateAccountStatusInput{States: []orgtypes.CreateAccountState{orgtypes.CreateAccountStateFailed}})
	if err != nil || len(failed.CreateAccountStatuses) != 1 {
		t.Fatalf("ListCreateAccountStatus(FAILED) %+v %v", failed, err)
	}
	// A reserved role name.
	_, err = org.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String("r"), Email: aws.String("r@example.com"), RoleName: aws.String("AWSServiceRoleForX")})
	e2etest.OrgReason(t, err, "InvalidInputException", "INVALID_ROLE_NAME")
	_, err = org.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: aws.String("car-00000000000000000000000000000000")})
	e2etest.APIError(t, err, "CreateAccountStatusNotFoundException", 400)

	// At most 5 creations in progress; over the quota a creation fails.
	var pending []*string
	for i := 0; i < 5; i++ {
		pending = append(pending, e.StartAccount(fmt.Sprintf("p%d", i), fmt.Sprintf("p%d@example.com", i)).Id)
	}
	_, err = org.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String("p6"), Email: aws.String("p6@example.com")})
	e2etest.OrgReason(t, err, "ConstraintViolationException", "ACCOUNT_CREATION_RATE_LIMIT_EXCEEDED")
	if err := orgsvc.SetAccountLimit(ctx, e.Srv.Store(), aws.ToString(o.Id), 5); err != nil {
		t.Fatal(err)
	}
	e.RunJobs()
	var ok, over int
	for _, id := range pending {
		switch st := e.FinishAccount(id); {
		case st.State == orgtypes.CreateAccountStateSucceeded:
			ok++
		case st.FailureReason == orgtypes.CreateAccountFailureReasonAccountLimitExceeded:
			over++
		default:
			t.Errorf("unexpected status %+v", st)
		}
	}
	if ok != 2 || over != 3 {
		t.Errorf("with a quota of 5: %d created, %d over the limit; want 2 and 3", ok, over)
	}
}

func testOrgInvitations(t *testing.T, backend testserver.Option) {
	e := newOrgEnv(t, backend)
	ctx, org := e.Ctx, e.Org
	o := e.CreateOrg(orgtypes.OrganizationFeatureSetAll)
	oid := aws.ToString(o.Id)
	if _, err := org.EnableAWSServiceAccess(ctx, &organizations.EnableAWSServiceAccessInput{ServicePrincipal: aws.String("config.amazonaws.com")}); err != nil {
		t.Fatal(err)
	}

	// A standalone account with root credentials is invited and accepts.
	guest, guestOrg := e.Standalone("guest", "guest@example.com")
	inv, err := org.InviteAccountToOrganization(ctx, &organizations.InviteAccountToOrganizationInput{
		Target: &orgtypes.HandshakeParty{Type: orgtypes.HandshakePartyTypeAccount, Id: aws.String(guest)}, Notes: aws.String("welcome")})
	if err != nil {
		t.Fatal(err)
	}
	h := inv.Handshake
	if h.State != orgtypes.HandshakeStateOpen || h.Action != orgtypes.ActionTypeInviteAccountToOrganization ||
		aws.ToString(h.Arn) != "arn:aws:organizations::"+testserver.AccountID+":handshake/"+oid+"/invite/"+aws.ToString(h.Id) {
		t.Fatalf("handshake %+v", h)
	}
	_, err = org.InviteAccountToOrganization(ctx, &organizations.InviteAccountToOrganizationInput{
		Target: &orgtypes.HandshakeParty{Type: orgtypes.HandshakePartyTypeAccount, Id: aws.String(guest)}})
	e2etest.APIError(t, err, "DuplicateHandshakeException", 400)
	mine, err := guestOrg.ListHandshakesForAccount(ctx, &organizations.ListHandshakesForAccountInput{})
	if err != nil || len(mine.Handshakes) != 1 || aws.ToString(mine.Handshakes[0].Id) != aws.ToString(h.Id) {
		t.Fatalf("ListHandshakesForAccount %+v %v", mine, err)
	}
	acc, err := guestOrg.AcceptHandshake(ctx, &organizations.AcceptHandshakeInput{HandshakeId: h.Id})
	if err != nil || acc.Handshake.State != orgtypes.HandshakeStateAccepted {
		t.Fatalf("AcceptHandshake %+v %v", acc, err)
	}
	_, err = guestOrg.AcceptHandshake(ctx, &organizations.AcceptHandshakeInput{HandshakeId: h.Id})
	e2etest.APIError(t, err, "HandshakeAlreadyInStateException", 400)
	da, err := org.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: aws.String(guest)})
	if err != nil || da.Account.JoinedMethod != orgtypes.AccountJoinedMethodInvited || aws.ToString(da.Account.Email) != "guest@example.com" {
		t.Fatalf("invited account %+v %v", da, err)
	}
	if e.HasRole(guest, "OrganizationAccountAccessRole") {
		t.Error("an invited account got OrganizationAccountAccessRole")
	}
	if !e.HasRole(guest, "AWSServiceRoleForConfig") || !e.HasRole(guest, "AWSServiceRoleForOrganizations") {
		t.Error("an invited account lacks the organization's service-linked roles")
	}
	// The member, with its own root credentials, cannot enable trusted access.
	_, err = guestOrg.EnableAWSServiceAccess(ctx, &organizations.EnableAWSServiceAccessInput{ServicePrincipal: aws.String("config.amazonaws.com")})
	e2etest.APIError(t, err, "AccessDeniedException", 400)
	_, err = guestOrg.LeaveOrganization(ctx, &organizations.LeaveOrganizationInput{})
	if err != nil {
		t.Fatalf("LeaveOrganization: %v", err)
	}
	_, err = guestOrg.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	e2etest.APIError(t, err, "AWSOrganizationsNotInUseException", 400)
	_, err = org.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: aws.String(guest)})
	e2etest.APIError(t, err, "AccountNotFoundException", 400)

	// Declined and canceled invitations, by email.
	_, other := e.Standalone("other", "other@example.com")
	inv2, err := org.InviteAccountToOrganization(ctx, &organizations.InviteAccountToOrganizationInput{
		Target: &orgtypes.HandshakeParty{Type: orgtypes.HandshakePartyTypeEmail, Id: aws.String("other@example.com")}})
	if err != nil {
		t.Fatal(err)
	}
	if out, err := other.DeclineHandshake(ctx, &organizations.DeclineHandshakeInput{HandshakeId: inv2.Handshake.Id}); err != nil || out.Handshake.State != orgtypes.HandshakeStateDeclined {
		t.Fatalf("DeclineHandshake %+v %v", out, err)
	}
	_, err = org.CancelHandshake(ctx, &organizations.CancelHandshakeInput{HandshakeId: inv2.Handshake.Id})
	e2etest.APIError(t, err, "InvalidHandshakeTransitionException", 400)

	// A consolidated-billing organization: no trusted access.
	cb, cbOrg := e.Standalone("billing", "billing@example.com")
	if _, err := cbOrg.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetConsolidatedBilling}); err != nil {
		t.Fatal(err)
	}
	_, err = cbOrg.EnableAWSServiceAccess(ctx, &organizations.EnableAWSServiceAccessInput{ServicePrincipal: aws.String("config.amazonaws.com")})
	e2etest.OrgReason(t, err, "ConstraintViolationException", "ORGANIZATION_NOT_IN_ALL_FEATURES_MODE")
	roots, err := cbOrg.ListRoots(ctx, &organizations.ListRootsInput{})
	if err != nil || len(roots.Roots[0].PolicyTypes) != 0 {
		t.Fatalf("consolidated billing root %+v %v", roots, err)
	}
	// Move it to all features: the management account accepts its handshake.
	af, err := cbOrg.EnableAllFeatures(ctx, &organizations.EnableAllFeaturesInput{})
	if err != nil || af.Handshake.Action != orgtypes.ActionTypeEnableAllFeatures {
		t.Fatalf("EnableAllFeatures %+v %v", af, err)
	}
	if _, err := cbOrg.AcceptHandshake(ctx, &organizations.AcceptHandshakeInput{HandshakeId: af.Handshake.Id}); err != nil {
		t.Fatal(err)
	}
	if d, err := cbOrg.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{}); err != nil || d.Organization.FeatureSet != orgtypes.OrganizationFeatureSetAll {
		t.Fatalf("after EnableAllFeatures %+v %v", d, err)
	}
	if !e.HasRole(cb, "AWSServiceRoleForOrganizations") {
		t.Error("no AWSServiceRoleForOrganizations")
	}
	if _, err := cbOrg.DeleteOrganization(ctx, &organizations.DeleteOrganizationInput{}); err != nil {
		t.Fatalf("DeleteOrganization: %v", err)
	}
	_, err = cbOrg.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	e2etest.APIError(t, err, "AWSOrganizationsNotInUseException", 400)
}

func testOrgTreeAndPolicies(t *testing.T, backend testserver.Option) {
	e := newOrgEnv(t, backend)
	ctx, org := e.Ctx, e.Org
	e.CreateOrg(orgtypes.OrganizationFeatureSetAll)
	roots, err := org.ListRoots(ctx, &organizations.ListRootsInput{})
	if err != nil {
		t.Fatal(err)
	}
	rid := aws.ToString(roots.Roots[0].Id)
	if _, err := org.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: aws.String(rid), PolicyType: orgtypes.PolicyTypeServiceControlPolicy}); err != nil {
		t.Fatal(err)
	}
	m := e.CreateAccount("m", "m@example.com")

	// OUs: nesting up to 5 levels, duplicates, non-empty deletion.
	parent := rid
	var chain []string
	for i := 1; i <= 5; i++ {
		out, err := org.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(parent), Name: aws.String(fmt.Sprintf("L%d", i))})
		if err != nil {
			t.Fatalf("level %d: %v", i, err)
		}
		id := aws.ToString(out.OrganizationalUnit.Id)
		if want := "ou-" + rid[2:] + "-"; len(id) != len(want)+8 || id[:len(want)] != want {
			t.Errorf("OU id %s", id)
		}
		chain = append(chain, id)
		parent = id
	}
	_, err = org.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(parent), Name: aws.String("L6")})
	e2etest.OrgReason(t, err, "ConstraintViolationException", "OU_DEPTH_LIMIT_EXCEEDED")
	_, err = org.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(rid), Name: aws.String("L1")})
	e2etest.APIError(t, err, "DuplicateOrganizationalUnitException", 400)
	_, err = org.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String("ou-zzzz-zzzzzzzz"), Name: aws.String("x")})
	e2etest.APIError(t, err, "ParentNotFoundException", 400)
	_, err = org.DeleteOrganizationalUnit(ctx, &organizations.DeleteOrganizationalUnitInput{OrganizationalUnitId: aws.String(chain[0])})
	e2etest.APIError(t, err, "OrganizationalUnitNotEmptyException", 400)
	up, err := org.UpdateOrganizationalUnit(ctx, &organizations.UpdateOrganizationalUnitInput{OrganizationalUnitId: aws.String(chain[4]), Name: aws.String("Leaf")})
	if err != nil || aws.ToString(up.OrganizationalUnit.Name) != "Leaf" || aws.ToString(up.OrganizationalUnit.Id) != chain[4] {
		t.Fatalf("UpdateOrganizationalUnit %+v %v", up, err)
	}
	if _, err := org.DeleteOrganizationalUnit(ctx, &organizations.DeleteOrganizationalUnitInput{OrganizationalUnitId: aws.String(chain[4])}); err != nil {
		t.Fatal(err)
	}
	_, err = org.DescribeOrganizationalUnit(ctx, &organizations.DescribeOrganizationalUnitInput{OrganizationalUnitId: aws.String(chain[4])})
	e2etest.APIError(t, err, "OrganizationalUnitNotFoundException", 400)

	// A customer SCP: create, read back, attach, detach, delete.
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*"}]}`
	cp, err := org.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String("DenyS3"), Description: aws.String("no s3"), Content: aws.String(doc),
		Type: orgtypes.PolicyTypeServiceControlPolicy, Tags: []orgtypes.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
	if err != nil {
		t.Fatal(err)
	}
	pid := cp.Policy.PolicySummary.Id
	dp, err := org.DescribePolicy(ctx, &organizations.DescribePolicyInput{PolicyId: pid})
	if err != nil || aws.ToString(dp.Policy.Content) != doc || aws.ToString(dp.Policy.PolicySummary.Arn) != aws.ToString(cp.Policy.PolicySummary.Arn) ||
		aws.ToString(dp.Policy.PolicySummary.Description) != "no s3" || dp.Policy.PolicySummary.AwsManaged {
		t.Fatalf("DescribePolicy %+v %v", dp, err)
	}
	_, err = org.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String("DenyS3"), Description: aws.String("x"), Content: aws.String(doc), Type: orgtypes.PolicyTypeServiceControlPolicy})
	e2etest.APIError(t, err, "DuplicatePolicyException", 400)
	if _, err := org.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: pid, TargetId: aws.String(m)}); err != nil {
		t.Fatal(err)
	}
	_, err = org.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: pid, TargetId: aws.String(m)})
	e2etest.APIError(t, err, "DuplicatePolicyAttachmentException", 400)
	pols, err := org.ListPoliciesForTarget(ctx, &organizations.ListPoliciesForTargetInput{TargetId: aws.String(m), Filter: orgtypes.PolicyTypeServiceControlPolicy})
	if err != nil || len(pols.Policies) != 2 {
		t.Fatalf("ListPoliciesForTarget %+v %v", pols, err)
	}
	targets, err := org.ListTargetsForPolicy(ctx, &organizations.ListTargetsForPolicyInput{PolicyId: pid})
	if err != nil || len(targets.Targets) != 1 || aws.ToString(targets.Targets[0].TargetId) != m || targets.Targets[0].Type != orgtypes.TargetTypeAccount {
		t.Fatalf("ListTargetsForPolicy %+v %v", targets, err)
	}
	_, err = org.DeletePolicy(ctx, &organizations.DeletePolicyInput{PolicyId: pid})
	e2etest.APIError(t, err, "PolicyInUseException", 400)
	if _, err := org.DetachPolicy(ctx, &organizations.DetachPolicyInput{PolicyId: aws.String("p-FullAWSAccess"), TargetId: aws.String(m)}); err != nil {
		t.Fatalf("detaching FullAWSAccess while another SCP stays: %v", err)
	}
	_, err = org.DetachPolicy(ctx, &organizations.DetachPolicyInput{PolicyId: pid, TargetId: aws.String(m)})
	e2etest.OrgReason(t, err, "ConstraintViolationException", "MIN_POLICY_TYPE_ATTACHMENT_LIMIT_EXCEEDED")
	full, err := org.DescribePolicy(ctx, &organizations.DescribePolicyInput{PolicyId: aws.String("p-FullAWSAccess")})
	if err != nil || aws.ToString(full.Policy.PolicySummary.Arn) != "arn:aws:organizations::aws:policy/service_control_policy/p-FullAWSAccess" ||
		!full.Policy.PolicySummary.AwsManaged {
		t.Fatalf("FullAWSAccess %+v %v", full, err)
	}
	_, err = org.DeletePolicy(ctx, &organizations.DeletePolicyInput{PolicyId: aws.String("p-FullAWSAccess")})
	e2etest.OrgReason(t, err, "InvalidInputException", "IMMUTABLE_POLICY")

	// Tag policies: the type must be enabled first; then an effective policy.
	tp, err := org.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String("tags"), Description: aws.String("d"), Type: orgtypes.PolicyTypeTagPolicy,
		Content: aws.String(`{"tags":{"costcenter":{"tag_key":{"@@assign":"CostCenter"}}}}`)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = org.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: tp.Policy.PolicySummary.Id, TargetId: aws.String(rid)})
	e2etest.APIError(t, err, "PolicyTypeNotEnabledException", 400)
	if _, err := org.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: aws.String(rid), PolicyType: orgtypes.PolicyTypeTagPolicy}); err != nil {
		t.Fatal(err)
	}
	_, err = org.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: aws.String(rid), PolicyType: orgtypes.PolicyTypeTagPolicy})
	e2etest.APIError(t, err, "PolicyTypeAlreadyEnabledException", 400)
	if _, err := org.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: tp.Policy.PolicySummary.Id, TargetId: aws.String(rid)}); err != nil {
		t.Fatal(err)
	}
	eff, err := org.DescribeEffectivePolicy(ctx, &organizations.DescribeEffectivePolicyInput{PolicyType: orgtypes.EffectivePolicyTypeTagPolicy, TargetId: aws.String(m)})
	if err != nil || aws.ToString(eff.EffectivePolicy.PolicyContent) != `{"tags":{"costcenter":{"tag_key":"CostCenter"}}}` {
		t.Fatalf("DescribeEffectivePolicy %+v %v", eff, err)
	}
	if out, err := org.DisablePolicyType(ctx, &organizations.DisablePolicyTypeInput{RootId: aws.String(rid), PolicyType: orgtypes.PolicyTypeTagPolicy}); err != nil || len(out.Root.PolicyTypes) != 1 {
		t.Fatalf("DisablePolicyType %+v %v", out, err)
	}

	// Tags on an account, the root and a policy.
	for _, id := range []string{m, rid, aws.ToString(pid)} {
		if _, err := org.TagResource(ctx, &organizations.TagResourceInput{ResourceId: aws.String(id), Tags: []orgtypes.Tag{{Key: aws.String("env"), Value: aws.String("test")}}}); err != nil {
			t.Fatalf("TagResource %s: %v", id, err)
		}
	}
	if _, err := org.UntagResource(ctx, &organizations.UntagResourceInput{ResourceId: pid, TagKeys: []string{"k"}}); err != nil {
		t.Fatal(err)
	}
	tags, err := org.ListTagsForResource(ctx, &organizations.ListTagsForResourceInput{ResourceId: pid})
	if err != nil || len(tags.Tags) != 1 || aws.ToString(tags.Tags[0].Key) != "env" {
		t.Fatalf("policy tags %+v %v", tags, err)
	}
	_, err = org.TagResource(ctx, &organizations.TagResourceInput{ResourceId: aws.String("999999999999"), Tags: []orgtypes.Tag{{Key: aws.String("a"), Value: aws.String("b")}}})
	e2etest.APIError(t, err, "TargetNotFoundException", 400)

	// CloseAccount: PENDING_CLOSURE, then SUSPENDED once the job ran.
	if _, err := org.CloseAccount(ctx, &organizations.CloseAccountInput{AccountId: aws.String(m)}); err != nil {
		t.Fatal(err)
	}
	da, err := org.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: aws.String(m)})
	if err != nil || da.Account.Status != orgtypes.AccountStatusPendingClosure || da.Account.State != orgtypes.AccountStatePendingClosure {
		t.Fatalf("after CloseAccount %+v %v", da, err)
	}
	e.RunJobs()
	da, err = org.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: aws.String(m)})
	if err != nil || da.Account.Status != orgtypes.AccountStatusSuspended {
		t.Fatalf("after the close job %+v %v", da, err)
	}
	_, err = org.CloseAccount(ctx, &organizations.CloseAccountInput{AccountId: aws.String(m)})
	e2etest.APIError(t, err, "AccountAlreadyClosedException", 400)
}

func testOrgListAccountsPagination(t *testing.T, backend testserver.Option) {
	e := newOrgEnv(t, backend)
	ctx, org := e.Ctx, e.Org
	o := e.CreateOrg(orgtypes.OrganizationFeatureSetAll)
	if err := orgsvc.SetAccountLimit(ctx, e.Srv.Store(), aws.ToString(o.Id), 100); err != nil {
		t.Fatal(err)
	}
	for batch := 0; batch < 12; batch++ {
		for i := 0; i < 5; i++ {
			n := batch*5 + i
			e.StartAccount(fmt.Sprintf("acct-%02d", n), fmt.Sprintf("acct-%02d@example.com", n))
		}
		e.RunJobs()
	}
	seen := map[string]int{}
	tokens := map[string]bool{}
	var token *string
	pages := 0
	for {
		out, err := org.ListAccounts(ctx, &organizations.ListAccountsInput{MaxResults: aws.Int32(7), NextToken: token})
		if err != nil {
			t.Fatalf("page %d: %v", pages, err)
		}
		pages++
		if len(out.Accounts) > 7 {
			t.Fatalf("page of %d accounts", len(out.Accounts))
		}
		for _, a := range out.Accounts {
			seen[aws.ToString(a.Id)]++
		}
		if out.NextToken == nil {
			break
		}
		if tokens[*out.NextToken] {
			t.Fatalf("token %q repeated", *out.NextToken)
		}
		tokens[*out.NextToken] = true
		token = out.NextToken
		if pages > 20 {
			t.Fatal("listing does not end")
		}
	}
	if len(seen) != 61 {
		t.Errorf("listed %d distinct accounts, want 61", len(seen))
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("account %s listed %d times", id, n)
		}
	}
	_, err := org.ListAccounts(ctx, &organizations.ListAccountsInput{NextToken: aws.String("garbage!")})
	e2etest.OrgReason(t, err, "InvalidInputException", "INVALID_NEXT_TOKEN")
}

// testOrgPolicyTypesOfANewRoot: a new organization, even with all features, has no policy type
// enabled on its root, and SCPs bind member accounts only once the type is enabled.
func testOrgPolicyTypesOfANewRoot(t *testing.T, backend testserver.Option) {
	e := newOrgEnv(t, backend)
	ctx, org := e.Ctx, e.Org
	e.CreateOrg(orgtypes.OrganizationFeatureSetAll)
	roots, err := org.ListRoots(ctx, &organizations.ListRootsInput{})
	if err != nil || len(roots.Roots) != 1 || len(roots.Roots[0].PolicyTypes) != 0 {
		t.Fatalf("root of a new organization %+v %v", roots, err)
	}
	rid := roots.Roots[0].Id
	m := e.CreateAccount("m", "m@example.com")
	member := e.MemberClient(m)
	probe := orgsvc.New(e.Srv.Store(), e.Clk, ids.NewRandom(), nil, nil, nil)
	scpsApply := func() bool {
		t.Helper()
		var applies bool
		err := e.Srv.Store().Read(ctx, func(tx store.Tx) error {
			var err error
			_, applies, err = probe.SCPLevelsTx(tx, m)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return applies
	}
	if scpsApply() {
		t.Error("SCPs apply to a member before the SCP type is enabled")
	}
	// No SCP is attached anywhere, and none can be until the type is enabled.
	pols, err := org.ListPoliciesForTarget(ctx, &organizations.ListPoliciesForTargetInput{TargetId: aws.String(m), Filter: orgtypes.PolicyTypeServiceControlPolicy})
	if err != nil || len(pols.Policies) != 0 {
		t.Fatalf("SCPs of a member before enabling %+v %v", pols, err)
	}
	deny, err := org.CreatePolicy(ctx, &organizations.CreatePolicyInput{Name: aws.String("deny-orgs"), Description: aws.String("d"),
		Type: orgtypes.PolicyTypeServiceControlPolicy, Content: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"organizations:*","Resource":"*"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	_, err = org.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: deny.Policy.PolicySummary.Id, TargetId: aws.String(m)})
	e2etest.APIError(t, err, "PolicyTypeNotEnabledException", 400)
	if _, err := member.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{}); err != nil {
		t.Fatalf("member DescribeOrganization without SCPs: %v", err)
	}

	// Enabling the type attaches FullAWSAccess to the root and every account; a Deny SCP then
	// binds the member.
	out, err := org.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: rid, PolicyType: orgtypes.PolicyTypeServiceControlPolicy})
	if err != nil || len(out.Root.PolicyTypes) != 1 || out.Root.PolicyTypes[0].Type != orgtypes.PolicyTypeServiceControlPolicy ||
		out.Root.PolicyTypes[0].Status != orgtypes.PolicyTypeStatusEnabled {
		t.Fatalf("EnablePolicyType %+v %v", out, err)
	}
	for _, target := range []string{aws.ToString(rid), m, testserver.AccountID} {
		pols, err := org.ListPoliciesForTarget(ctx, &organizations.ListPoliciesForTargetInput{TargetId: aws.String(target), Filter: orgtypes.PolicyTypeServiceControlPolicy})
		if err != nil || len(pols.Policies) != 1 || aws.ToString(pols.Policies[0].Id) != orgsvc.FullAWSAccessID {
			t.Errorf("SCPs of %s after enabling %+v %v", target, pols, err)
		}
	}
	_, err = org.EnablePolicyType(ctx, &organizations.EnablePolicyTypeInput{RootId: rid, PolicyType: orgtypes.PolicyTypeServiceControlPolicy})
	e2etest.APIError(t, err, "PolicyTypeAlreadyEnabledException", 400)
	if !scpsApply() {
		t.Error("SCPs do not apply to a member once enabled")
	}
	if _, err := org.AttachPolicy(ctx, &organizations.AttachPolicyInput{PolicyId: deny.Policy.PolicySummary.Id, TargetId: aws.String(m)}); err != nil {
		t.Fatal(err)
	}
	_, err = member.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{})
	e2etest.APIError(t, err, "AccessDeniedException", 400)

	// Disabling it detaches every SCP, and SCPs no longer bind anyone.
	if out, err := org.DisablePolicyType(ctx, &organizations.DisablePolicyTypeInput{RootId: rid, PolicyType: orgtypes.PolicyTypeServiceControlPolicy}); err != nil || len(out.Root.PolicyTypes) != 0 {
		t.Fatalf("DisablePolicyType %+v %v", out, err)
	}
	if scpsApply() {
		t.Error("SCPs apply to a member after the SCP type was disabled")
	}
	if _, err := member.DescribeOrganization(ctx, &organizations.DescribeOrganizationInput{}); err != nil {
		t.Fatalf("member DescribeOrganization after disabling SCPs: %v", err)
	}
}

// testOrgDelegationPolicy: the organization's resource-based delegation policy lets the
// principals it names use the read operations it lists, and nothing else.
func testOrgDelegationPolicy(t *testing.T, backend testserver.Option) {
	e := newOrgEnv(t, backend)
	ctx, org := e.Ctx, e.Org
	e.CreateOrg(orgtypes.OrganizationFeatureSetAll)
	m1 := e.CreateAccount("one", "one@example.com")
	m2 := e.CreateAccount("two", "two@example.com")
	one, two := e.MemberClient(m1), e.MemberClient(m2)
	_, err := one.ListAccounts(ctx, &organizations.ListAccountsInput{})
	e2etest.APIError(t, err, "AccessDeniedException", 400)

	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + m1 + `:root"},` +
		`"Action":["organizations:ListAccounts","organizations:Describe*"],"Resource":"*"}]}`
	if _, err := org.PutResourcePolicy(ctx, &organizations.PutResourcePolicyInput{Content: aws.String(doc)}); err != nil {
		t.Fatal(err)
	}
	if out, err := one.ListAccounts(ctx, &organizations.ListAccountsInput{}); err != nil || len(out.Accounts) != 3 {
		t.Fatalf("delegated ListAccounts %+v %v", out, err)
	}
	if _, err := one.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: aws.String(m2)}); err != nil {
		t.Fatalf("delegated DescribeAccount: %v", err)
	}
	// Not listed in the policy; another account; a write.
	_, err = one.ListRoots(ctx, &organizations.ListRootsInput{})
	e2etest.APIError(t, err, "AccessDeniedException", 400)
	_, err = two.ListAccounts(ctx, &organizations.ListAccountsInput{})
	e2etest.APIError(t, err, "AccessDeniedException", 400)
	_, err = one.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String("r-0000"), Name: aws.String("x")})
	e2etest.APIError(t, err, "AccessDeniedException", 400)

	// A Deny wins, and the grant goes with the policy.
	deny := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + m1 + `"},"Action":"organizations:*","Resource":"*"},` +
		`{"Effect":"Deny","Principal":"*","Action":"organizations:ListAccounts","Resource":"*"}]}`
	if _, err := org.PutResourcePolicy(ctx, &organizations.PutResourcePolicyInput{Content: aws.String(deny)}); err != nil {
		t.Fatal(err)
	}
	_, err = one.ListAccounts(ctx, &organizations.ListAccountsInput{})
	e2etest.APIError(t, err, "AccessDeniedException", 400)
	if _, err := one.ListRoots(ctx, &organizations.ListRootsInput{}); err != nil {
		t.Fatalf("delegated ListRoots: %v", err)
	}
	if _, err := org.DeleteResourcePolicy(ctx, &organizations.DeleteResourcePolicyInput{}); err != nil {
		t.Fatal(err)
	}
	_, err = one.ListRoots(ctx, &organizations.ListRootsInput{})
	e2etest.APIError(t, err, "AccessDeniedException", 400)
}

// testOrgDeleteOUAfterItsAccountLeft: an OU whose accounts were removed from the organization,
// or closed, can be deleted (Terraform destroys an aws_organizations_account with
// close_on_deletion, then its OU).
func testOrgDeleteOUAfterItsAccountLeft(t *testing.T, backend testserver.Option) {
	e := newOrgEnv(t, backend)
	ctx, org := e.Ctx, e.Org
	e.CreateOrg(orgtypes.OrganizationFeatureSetAll)
	roots, err := org.ListRoots(ctx, &organizations.ListRootsInput{})
	if err != nil {
		t.Fatal(err)
	}
	rid := aws.ToString(roots.Roots[0].Id)
	for i, leave := range []func(acct string) error{
		func(acct string) error {
			_, err := org.RemoveAccountFromOrganization(ctx, &organizations.RemoveAccountFromOrganizationInput{AccountId: aws.String(acct)})
			return err
		},
		func(acct string) error {
			_, err := org.CloseAccount(ctx, &organizations.CloseAccountInput{AccountId: aws.String(acct)})
			return err
		},
	} {
		ou, err := org.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(rid), Name: aws.String(fmt.Sprintf("ou%d", i))})
		if err != nil {
			t.Fatal(err)
		}
		ouid := ou.OrganizationalUnit.Id
		acct := e.CreateAccount(fmt.Sprintf("a%d", i), fmt.Sprintf("a%d@example.com", i))
		if _, err := org.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: aws.String(acct), SourceParentId: aws.String(rid), DestinationParentId: ouid}); err != nil {
			t.Fatal(err)
		}
		_, err = org.DeleteOrganizationalUnit(ctx, &organizations.DeleteOrganizationalUnitInput{OrganizationalUnitId: ouid})
		e2etest.APIError(t, err, "OrganizationalUnitNotEmptyException", 400)
		if err := leave(acct); err != nil {
			t.Fatalf("case %d: %v", i, err)
		}
		e.RunJobs()
		if _, err := org.DeleteOrganizationalUnit(ctx, &organizations.DeleteOrganizationalUnitInput{OrganizationalUnitId: ouid}); err != nil {
			t.Fatalf("case %d: DeleteOrganizationalUnit after the account left: %v", i, err)
		}
	}
	// The closed account stays visible, under the deleted OU's parent.
	closed := e.CreateAccount("c", "c@example.com")
	ou, err := org.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: aws.String(rid), Name: aws.String("outer")})
	if err != nil {
		t.Fatal(err)
	}
	inner, err := org.CreateOrganizationalUnit(ctx, &organizations.CreateOrganizationalUnitInput{ParentId: ou.OrganizationalUnit.Id, Name: aws.String("inner")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := org.MoveAccount(ctx, &organizations.MoveAccountInput{AccountId: aws.String(closed), SourceParentId: aws.String(rid), DestinationParentId: inner.OrganizationalUnit.Id}); err != nil {
		t.Fatal(err)
	}
	if _, err := org.CloseAccount(ctx, &organizations.CloseAccountInput{AccountId: aws.String(closed)}); err != nil {
		t.Fatal(err)
	}
	_, err = org.DeleteOrganizationalUnit(ctx, &organizations.DeleteOrganizationalUnitInput{OrganizationalUnitId: ou.OrganizationalUnit.Id})
	e2etest.APIError(t, err, "OrganizationalUnitNotEmptyException", 400)
	if _, err := org.DeleteOrganizationalUnit(ctx, &organizations.DeleteOrganizationalUnitInput{OrganizationalUnitId: inner.OrganizationalUnit.Id}); err != nil {
		t.Fatalf("DeleteOrganizationalUnit with an account pending closure: %v", err)
	}
	parents, err := org.ListParents(ctx, &organizations.ListParentsInput{ChildId: aws.String(closed)})
	if err != nil || len(parents.Parents) != 1 || aws.ToString(parents.Parents[0].Id) != aws.ToString(ou.OrganizationalUnit.Id) {
		t.Fatalf("parent of the closed account %+v %v", parents, err)
	}
	da, err := org.DescribeAccount(ctx, &organizations.DescribeAccountInput{AccountId: aws.String(closed)})
	if err != nil || da.Account.Status != orgtypes.AccountStatusPendingClosure {
		t.Fatalf("closed account %+v %v", da, err)
	}
}
