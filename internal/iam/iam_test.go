package iam

import (
	"context"
	"errors"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/orgconfig/orgconfig/internal/api/iamapi"
	"github.com/orgconfig/orgconfig/internal/awsproto"
	"github.com/orgconfig/orgconfig/internal/call"
	"github.com/orgconfig/orgconfig/internal/clock"
	"github.com/orgconfig/orgconfig/internal/identity"
	"github.com/orgconfig/orgconfig/internal/ids"
	"github.com/orgconfig/orgconfig/internal/jobs"
	"github.com/orgconfig/orgconfig/internal/store"
	"github.com/orgconfig/orgconfig/internal/store/sqlite"
)

const acct = "111111111111"

type fixture struct {
	svc    *Service
	st     store.Store
	clock  *clock.Manual
	runner *jobs.Runner
	ctx    context.Context
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	st, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "db.sqlite"), sqlite.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	c := clock.NewManual(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC))
	g := ids.NewSeeded(1)
	runner := jobs.New(st, jobs.Options{Clock: c})
	dir := identity.NewDirectory(st, c, g, nil)
	svc := New(st, c, g, dir, runner)
	ctx := call.With(t.Context(), &call.Info{Principal: identity.RootPrincipal(acct), Region: "us-east-1"})
	return &fixture{svc: svc, st: st, clock: c, runner: runner, ctx: ctx}
}

func (f *fixture) write(t *testing.T, fn func(tx store.Tx) error) error {
	t.Helper()
	return f.st.Write(f.ctx, fn)
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	var ae *awsproto.Error
	if !errors.As(err, &ae) {
		t.Fatalf("want %s, got %v", code, err)
	}
	if got, _ := ae.For(awsproto.Query); got != code {
		t.Fatalf("want %s, got %s (%v)", code, got, err)
	}
}

const trust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"sts:AssumeRole"}]}`

func TestCreateRoleTx(t *testing.T) {
	f := newFixture(t)
	var r *Role
	err := f.write(t, func(tx store.Tx) error {
		var err error
		r, err = f.svc.CreateRoleTx(tx, acct, RoleSpec{Name: "OrganizationAccountAccessRole", AssumeRolePolicyDocument: trust,
			InlinePolicies:     map[string]string{"AdministratorAccess": `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`},
			AttachedPolicyARNs: []string{AdministratorAccessARN}, Tags: []Tag{{"k", "v"}}})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if r.ARN != "arn:aws:iam::"+acct+":role/OrganizationAccountAccessRole" || r.Path != "/" || r.MaxSessionDuration != 3600 ||
		!strings.HasPrefix(r.RoleID, "AROA") || len(r.RoleID) != 20 {
		t.Fatalf("role = %+v", r)
	}
	err = f.st.Read(f.ctx, func(tx store.Tx) error {
		got, err := GetRoleTx(tx, acct, "organizationaccountaccessrole")
		if err != nil {
			return err
		}
		if got.RoleID != r.RoleID || got.AssumeRolePolicyDocument != trust {
			t.Errorf("GetRoleTx = %+v", got)
		}
		if _, err := RoleByARNTx(tx, r.ARN); err != nil {
			t.Errorf("RoleByARNTx: %v", err)
		}
		if _, err := RoleByARNTx(tx, "arn:aws:iam::"+acct+":role/other/OrganizationAccountAccessRole"); !errors.Is(err, ErrNoSuchRole) {
			t.Errorf("wrong path: %v", err)
		}
		if _, err := GetRoleTx(tx, acct, "nope"); !errors.Is(err, ErrNoSuchRole) {
			t.Errorf("missing: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = f.write(t, func(tx store.Tx) error {
		_, err := f.svc.CreateRoleTx(tx, acct, RoleSpec{Name: "ORGANIZATIONACCOUNTACCESSROLE", AssumeRolePolicyDocument: trust})
		return err
	})
	wantCode(t, err, "EntityAlreadyExists")
	err = f.write(t, func(tx store.Tx) error {
		_, err := f.svc.CreateRoleTx(tx, acct, RoleSpec{Name: "r2", AssumeRolePolicyDocument: trust,
			AttachedPolicyARNs: []string{"arn:aws:iam::aws:policy/service-role/AWSConfigRole"}})
		return err
	})
	wantCode(t, err, "NoSuchEntity")
	err = f.write(t, func(tx store.Tx) error {
		_, err := f.svc.CreateRoleTx(tx, acct, RoleSpec{Name: "r3", AssumeRolePolicyDocument: "{not json"})
		return err
	})
	wantCode(t, err, "MalformedPolicyDocument")
}

func TestEnsureServiceLinkedRoleTx(t *testing.T) {
	f := newFixture(t)
	var first, second *Role
	for _, r := range []**Role{&first, &second} {
		err := f.write(t, func(tx store.Tx) error {
			var err error
			*r, err = f.svc.EnsureServiceLinkedRoleTx(tx, acct, "config.amazonaws.com")
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if first.RoleID != second.RoleID {
		t.Fatalf("not idempotent: %s vs %s", first.RoleID, second.RoleID)
	}
	want := "arn:aws:iam::" + acct + ":role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig"
	if first.ARN != want || !first.ServiceLinked || first.ServiceName != "config.amazonaws.com" ||
		first.AssumeRolePolicyDocument != serviceTrustPolicy("config.amazonaws.com") ||
		len(first.AttachedPolicyARNs) != 1 || first.AttachedPolicyARNs[0] != "arn:aws:iam::aws:policy/aws-service-role/AWSConfigServiceRolePolicy" {
		t.Fatalf("SLR = %+v", first)
	}
	for _, p := range []string{"config-multiaccountsetup.amazonaws.com", "config-conforms.amazonaws.com", "organizations.amazonaws.com"} {
		if err := f.write(t, func(tx store.Tx) error { _, err := f.svc.EnsureServiceLinkedRoleTx(tx, acct, p); return err }); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
	}
	err := f.write(t, func(tx store.Tx) error {
		_, err := f.svc.EnsureServiceLinkedRoleTx(tx, acct, "nope.amazonaws.com")
		return err
	})
	wantCode(t, err, "InvalidInput")
}

func TestIdentityPoliciesTx(t *testing.T) {
	f := newFixture(t)
	inline := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`
	var r *Role
	err := f.write(t, func(tx store.Tx) error {
		var err error
		r, err = f.svc.CreateRoleTx(tx, acct, RoleSpec{Name: "R", AssumeRolePolicyDocument: trust,
			InlinePolicies: map[string]string{"p": inline}, AttachedPolicyARNs: []string{AdministratorAccessARN}})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.CreateUser(f.ctx, &iamapi.CreateUserRequest{UserName: "alice"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.CreatePolicy(f.ctx, &iamapi.CreatePolicyRequest{PolicyName: "mine", PolicyDocument: inline}); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.AttachUserPolicy(f.ctx, &iamapi.AttachUserPolicyRequest{UserName: "alice", PolicyArn: "arn:aws:iam::" + acct + ":policy/mine"}); err != nil {
		t.Fatal(err)
	}
	err = f.st.Read(f.ctx, func(tx store.Tx) error {
		docs, err := f.svc.IdentityPoliciesTx(tx, &identity.Principal{Account: acct, Type: identity.AssumedRole, RoleARN: r.ARN})
		if err != nil {
			return err
		}
		if len(docs) != 2 || docs[0] != inline || docs[1] != awsPolicies[AdministratorAccessARN].Document {
			t.Errorf("role docs = %q", docs)
		}
		docs, err = f.svc.IdentityPoliciesTx(tx, &identity.Principal{Account: acct, Type: identity.User, Name: "alice"})
		if err != nil {
			return err
		}
		if len(docs) != 1 || docs[0] != inline {
			t.Errorf("user docs = %q", docs)
		}
		docs, err = f.svc.IdentityPoliciesTx(tx, identity.RootPrincipal(acct))
		if err != nil || docs != nil {
			t.Errorf("root docs = %q, %v", docs, err)
		}
		docs, err = f.svc.IdentityPoliciesTx(tx, &identity.Principal{Account: acct, Type: identity.AssumedRole, RoleARN: "arn:aws:iam::" + acct + ":role/gone"})
		if err != nil || docs == nil || len(docs) != 0 {
			t.Errorf("missing role docs = %q, %v", docs, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// fakeOrgs answers ServiceAccessEnabled from a set of enabled principals.
type fakeOrgs struct{ enabled map[string]bool }

func (o *fakeOrgs) ServiceAccessEnabled(tx store.Tx, account, principal string) (bool, error) {
	return o.enabled[principal], nil
}

func (o *fakeOrgs) OrganizationARN(tx store.Tx, account string) (string, error) {
	return "arn:aws:organizations::" + acct + ":organization/o-abcdefghij", nil
}

func (f *fixture) status(t *testing.T, id string) *iamapi.GetServiceLinkedRoleDeletionStatusResponse {
	t.Helper()
	out, err := f.svc.GetServiceLinkedRoleDeletionStatus(f.ctx, &iamapi.GetServiceLinkedRoleDeletionStatusRequest{DeletionTaskId: id})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func (f *fixture) runDue(t *testing.T) {
	t.Helper()
	if _, err := f.runner.RunDue(f.ctx); err != nil {
		t.Fatal(err)
	}
}

func TestServiceLinkedRoleDeletionGuard(t *testing.T) {
	f := newFixture(t)
	orgs := &fakeOrgs{enabled: map[string]bool{"config.amazonaws.com": true}}
	f.svc.SetOrgInfo(orgs)
	if _, err := f.svc.CreateServiceLinkedRole(f.ctx, &iamapi.CreateServiceLinkedRoleRequest{AWSServiceName: "config.amazonaws.com"}); err != nil {
		t.Fatal(err)
	}
	_, err := f.svc.CreateServiceLinkedRole(f.ctx, &iamapi.CreateServiceLinkedRoleRequest{AWSServiceName: "config.amazonaws.com"})
	wantCode(t, err, "InvalidInput")
	if !strings.Contains(err.Error(), "Service role name AWSServiceRoleForConfig has been taken in this account, please try a different suffix.") {
		t.Errorf("message: %v", err)
	}
	_, err = f.svc.CreateServiceLinkedRole(f.ctx, &iamapi.CreateServiceLinkedRoleRequest{AWSServiceName: "config.amazonaws.com", CustomSuffix: "x"})
	wantCode(t, err, "InvalidInput")
	wantCode(t, f.svc.DeleteRole(f.ctx, &iamapi.DeleteRoleRequest{RoleName: "AWSServiceRoleForConfig"}), "UnmodifiableEntity")
	wantCode(t, f.svc.PutRolePolicy(f.ctx, &iamapi.PutRolePolicyRequest{RoleName: "AWSServiceRoleForConfig", PolicyName: "p", PolicyDocument: trust}), "UnmodifiableEntity")

	del, err := f.svc.DeleteServiceLinkedRole(f.ctx, &iamapi.DeleteServiceLinkedRoleRequest{RoleName: "AWSServiceRoleForConfig"})
	if err != nil {
		t.Fatal(err)
	}
	if !taskIDPattern.MatchString(del.DeletionTaskId) || !strings.HasPrefix(del.DeletionTaskId, "task/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig/") {
		t.Fatalf("task id %s", del.DeletionTaskId)
	}
	if got := f.status(t, del.DeletionTaskId).Status; got != iamapi.DeletionTaskStatusTypeNotStarted {
		t.Fatalf("status %s", got)
	}
	again, err := f.svc.DeleteServiceLinkedRole(f.ctx, &iamapi.DeleteServiceLinkedRoleRequest{RoleName: "AWSServiceRoleForConfig"})
	if err != nil || again.DeletionTaskId != del.DeletionTaskId {
		t.Fatalf("second delete: %v %v", again, err)
	}
	f.runDue(t)
	st := f.status(t, del.DeletionTaskId)
	if st.Status != iamapi.DeletionTaskStatusTypeFailed || st.Reason == nil || !strings.Contains(st.Reason.Reason, "trusted access for config.amazonaws.com") ||
		len(st.Reason.RoleUsageList) != 1 || st.Reason.RoleUsageList[0].Region != "us-east-1" || len(st.Reason.RoleUsageList[0].Resources) != 1 {
		t.Fatalf("status %+v reason %+v", st, st.Reason)
	}
	if _, err := f.svc.GetRole(f.ctx, &iamapi.GetRoleRequest{RoleName: "AWSServiceRoleForConfig"}); err != nil {
		t.Fatalf("role should remain: %v", err)
	}

	// Trusted access disabled: a new task succeeds and removes the role.
	orgs.enabled = map[string]bool{}
	del2, err := f.svc.DeleteServiceLinkedRole(f.ctx, &iamapi.DeleteServiceLinkedRoleRequest{RoleName: "AWSServiceRoleForConfig"})
	if err != nil {
		t.Fatal(err)
	}
	if del2.DeletionTaskId == del.DeletionTaskId {
		t.Fatal("a failed task must not be reused")
	}
	f.runDue(t)
	if got := f.status(t, del2.DeletionTaskId).Status; got != iamapi.DeletionTaskStatusTypeSucceeded {
		t.Fatalf("status %s", got)
	}
	_, err = f.svc.GetRole(f.ctx, &iamapi.GetRoleRequest{RoleName: "AWSServiceRoleForConfig"})
	wantCode(t, err, "NoSuchEntity")
	// The attachment record went with the role.
	pol, err := f.svc.GetPolicy(f.ctx, &iamapi.GetPolicyRequest{PolicyArn: "arn:aws:iam::aws:policy/aws-service-role/AWSConfigServiceRolePolicy"})
	if err != nil || *pol.Policy.AttachmentCount != 0 {
		t.Fatalf("policy %+v %v", pol, err)
	}

	_, err = f.svc.GetServiceLinkedRoleDeletionStatus(f.ctx, &iamapi.GetServiceLinkedRoleDeletionStatusRequest{DeletionTaskId: "garbage"})
	wantCode(t, err, "InvalidInput")
	_, err = f.svc.GetServiceLinkedRoleDeletionStatus(f.ctx, &iamapi.GetServiceLinkedRoleDeletionStatusRequest{
		DeletionTaskId: "task/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig/00000000-0000-0000-0000-000000000000"})
	wantCode(t, err, "NoSuchEntity")
}

func TestOrganizationsSLRGuardAndUsageChecks(t *testing.T) {
	f := newFixture(t)
	f.svc.SetOrgInfo(&fakeOrgs{enabled: map[string]bool{"organizations.amazonaws.com": true}})
	f.svc.RegisterServiceLinkedRoleUsage("config-conforms.amazonaws.com", func(tx store.Tx, account string) ([]RoleUsage, error) {
		return []RoleUsage{{Region: "eu-west-1", Resources: []string{"arn:aws:config:eu-west-1:" + account + ":conformance-pack/p/conformance-pack-x"}}}, nil
	})
	for _, p := range []string{"organizations.amazonaws.com", "config-conforms.amazonaws.com", "config-multiaccountsetup.amazonaws.com"} {
		if _, err := f.svc.CreateServiceLinkedRole(f.ctx, &iamapi.CreateServiceLinkedRoleRequest{AWSServiceName: p}); err != nil {
			t.Fatal(err)
		}
	}
	ids := map[string]string{}
	for _, n := range []string{"AWSServiceRoleForOrganizations", "AWSServiceRoleForConfigConforms", "AWSServiceRoleForConfigMultiAccountSetup"} {
		out, err := f.svc.DeleteServiceLinkedRole(f.ctx, &iamapi.DeleteServiceLinkedRoleRequest{RoleName: n})
		if err != nil {
			t.Fatal(err)
		}
		ids[n] = out.DeletionTaskId
	}
	f.runDue(t)
	for n, want := range map[string]iamapi.DeletionTaskStatusType{
		"AWSServiceRoleForOrganizations":           iamapi.DeletionTaskStatusTypeFailed,
		"AWSServiceRoleForConfigConforms":          iamapi.DeletionTaskStatusTypeFailed,
		"AWSServiceRoleForConfigMultiAccountSetup": iamapi.DeletionTaskStatusTypeSucceeded,
	} {
		if got := f.status(t, ids[n]); got.Status != want {
			t.Errorf("%s: %s (%+v)", n, got.Status, got.Reason)
		}
	}
}

func TestRoleAPIAndPagination(t *testing.T) {
	f := newFixture(t)
	for i := range 10 {
		if _, err := f.svc.CreateRole(f.ctx, &iamapi.CreateRoleRequest{RoleName: "role-" + string(rune('a'+i)), AssumeRolePolicyDocument: trust}); err != nil {
			t.Fatal(err)
		}
	}
	seen := map[string]bool{}
	markers := map[string]bool{}
	marker := ""
	for pages := 0; ; pages++ {
		if pages > 10 {
			t.Fatal("pagination does not end")
		}
		out, err := f.svc.ListRoles(f.ctx, &iamapi.ListRolesRequest{Marker: marker, MaxItems: ptr(int32(3))})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range out.Roles {
			if seen[r.RoleName] {
				t.Fatalf("%s twice", r.RoleName)
			}
			seen[r.RoleName] = true
		}
		if !*out.IsTruncated {
			break
		}
		if markers[out.Marker] {
			t.Fatal("marker repeated")
		}
		markers[out.Marker] = true
		marker = out.Marker
	}
	if len(seen) != 10 {
		t.Fatalf("saw %d roles", len(seen))
	}
	// DeleteConflict.
	if err := f.svc.AttachRolePolicy(f.ctx, &iamapi.AttachRolePolicyRequest{RoleName: "role-a", PolicyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess"}); err != nil {
		t.Fatal(err)
	}
	wantCode(t, f.svc.DeleteRole(f.ctx, &iamapi.DeleteRoleRequest{RoleName: "role-a"}), "DeleteConflict")
	wantCode(t, f.svc.AttachRolePolicy(f.ctx, &iamapi.AttachRolePolicyRequest{RoleName: "role-a", PolicyArn: "arn:aws:iam::aws:policy/service-role/AWSConfigRole"}), "NoSuchEntity")
	if err := f.svc.DetachRolePolicy(f.ctx, &iamapi.DetachRolePolicyRequest{RoleName: "role-a", PolicyArn: "arn:aws:iam::aws:policy/ReadOnlyAccess"}); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.DeleteRole(f.ctx, &iamapi.DeleteRoleRequest{RoleName: "role-a"}); err != nil {
		t.Fatal(err)
	}
	_, err := f.svc.GetRole(f.ctx, &iamapi.GetRoleRequest{RoleName: "role-a"})
	wantCode(t, err, "NoSuchEntity")
	if !strings.Contains(err.Error(), "The role with name role-a cannot be found.") {
		t.Errorf("message %v", err)
	}
}

func TestEncodeDoc(t *testing.T) {
	doc := `{"Statement":[{"Sid":"a b+c","Condition":{"StringLike":{"x":"100% é/?&="}}}]}`
	enc := encodeDoc(doc)
	if strings.ContainsAny(enc, " +{\"") {
		t.Fatalf("not encoded: %s", enc)
	}
	if got, err := url.QueryUnescape(enc); err != nil || got != doc {
		t.Fatalf("QueryUnescape = %q, %v", got, err)
	}
	if got, err := url.PathUnescape(enc); err != nil || got != doc { // same as Python's unquote
		t.Fatalf("PathUnescape = %q, %v", got, err)
	}
}

func TestCheckPolicyDocument(t *testing.T) {
	for doc, ok := range map[string]bool{
		trust: true,
		`{"Statement":{"Effect":"Deny","Action":"*","Resource":"*"}}`: true,
		`{"Version":"2012-10-17","Statement":[]}`:                     false,
		`{"Version":"2012-10-17"}`:                                    false,
		`{"Version":"2020-01-01","Statement":[{"Effect":"Allow"}]}`:   false,
		`{"Version":"2012-10-17","Statement":[{"Effect":"Maybe"}]}`:   false,
		`[]`:   false,
		`null`: false,
		`nope`: false,
		``:     false,
	} {
		err := checkPolicyDocument(doc)
		if (err == nil) != ok {
			t.Errorf("%s: %v", doc, err)
		}
		if err != nil {
			wantCode(t, err, "MalformedPolicyDocument")
		}
	}
}

func TestParseRoleARN(t *testing.T) {
	acc, path, name, ok := parseRoleARN("arn:aws:iam::123456789012:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig")
	if !ok || acc != "123456789012" || path != "/aws-service-role/config.amazonaws.com/" || name != "AWSServiceRoleForConfig" {
		t.Fatal(acc, path, name, ok)
	}
	for _, bad := range []string{"", "arn:aws:iam::123:role/x", "arn:aws:iam::123456789012:user/x", "arn:aws:iam::123456789012:role/"} {
		if _, _, _, ok := parseRoleARN(bad); ok {
			t.Errorf("%q parsed", bad)
		}
	}
}
