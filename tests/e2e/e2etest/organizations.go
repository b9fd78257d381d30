package e2etest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/orgconfig/orgconfig/internal/clock"
	"github.com/orgconfig/orgconfig/internal/iam"
	"github.com/orgconfig/orgconfig/internal/store"
	"github.com/orgconfig/orgconfig/internal/testserver"
)

// CreateAccount creates an account in the organization, runs the creation to its end and
// fails the test unless it succeeded; it returns the account ID.
func (e *OrgEnv) CreateAccount(name, email string) string {
	e.T.Helper()
	st := e.FinishAccount(e.StartAccount(name, email).Id)
	if st.State != orgtypes.CreateAccountStateSucceeded {
		e.T.Fatalf("account %s: %s %s", name, st.State, st.FailureReason)
	}
	return aws.ToString(st.AccountId)
}

// OrgReason asserts err is code with the given Reason member.
func OrgReason(t *testing.T, err error, code, reason string) {
	t.Helper()
	APIError(t, err, code, 400)
	var got string
	var cv *orgtypes.ConstraintViolationException
	var ii *orgtypes.InvalidInputException
	var hc *orgtypes.HandshakeConstraintViolationException
	switch {
	case errors.As(err, &cv):
		got = string(cv.Reason)
	case errors.As(err, &ii):
		got = string(ii.Reason)
	case errors.As(err, &hc):
		got = string(hc.Reason)
	}
	if got != reason {
		t.Fatalf("%s: Reason %q, want %q", code, got, reason)
	}
}

// RunJobs runs the server's due background jobs.
func (e *OrgEnv) RunJobs() {
	e.T.Helper()
	if _, err := e.Srv.Jobs().RunDue(e.Ctx); err != nil {
		e.T.Fatalf("running jobs: %v", err)
	}
}

// MemberClient assumes OrganizationAccountAccessRole in a member account.
func (e *OrgEnv) MemberClient(acct string) *organizations.Client {
	e.T.Helper()
	out, err := sts.NewFromConfig(e.Srv.Config("us-east-1")).AssumeRole(e.Ctx, &sts.AssumeRoleInput{
		RoleArn: aws.String("arn:aws:iam::" + acct + ":role/OrganizationAccountAccessRole"), RoleSessionName: aws.String("orgtest"),
	})
	if err != nil {
		e.T.Fatalf("AssumeRole into %s: %v", acct, err)
	}
	c := out.Credentials
	return organizations.NewFromConfig(e.Srv.ConfigFor("us-east-1", aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken)))
}

// HasRole reports whether the account holds the IAM role name.
func (e *OrgEnv) HasRole(acct, name string) bool {
	e.T.Helper()
	var found bool
	err := e.Srv.Store().Read(e.Ctx, func(tx store.Tx) error {
		_, err := iam.GetRoleTx(tx, acct, name)
		if errors.Is(err, iam.ErrNoSuchRole) {
			return nil
		}
		found = err == nil
		return err
	})
	if err != nil {
		e.T.Fatalf("GetRoleTx %s/%s: %v", acct, name, err)
	}
	return found
}

// OrgEnv is a server with a manual clock, jobs run by the test, and a management client.
type OrgEnv struct {
	T   *testing.T
	Ctx context.Context
	Srv *testserver.Server
	Clk *clock.Manual
	Org *organizations.Client
}

// FinishAccount polls DescribeCreateAccountStatus, running jobs between polls, until the
// request ends; it returns the final status.
func (e *OrgEnv) FinishAccount(id *string) *orgtypes.CreateAccountStatus {
	e.T.Helper()
	for i := 0; i < 5; i++ {
		out, err := e.Org.DescribeCreateAccountStatus(e.Ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: id})
		if err != nil {
			e.T.Fatalf("DescribeCreateAccountStatus: %v", err)
		}
		if st := out.CreateAccountStatus; st.State != orgtypes.CreateAccountStateInProgress {
			return st
		}
		if i > 0 {
			e.Clk.Advance(time.Second)
		}
		e.RunJobs()
	}
	e.T.Fatal("account creation never ended")
	return nil
}

// CreateOrg creates the organization with the feature set fs.
func (e *OrgEnv) CreateOrg(fs orgtypes.OrganizationFeatureSet) *orgtypes.Organization {
	e.T.Helper()
	out, err := e.Org.CreateOrganization(e.Ctx, &organizations.CreateOrganizationInput{FeatureSet: fs})
	if err != nil {
		e.T.Fatalf("CreateOrganization: %v", err)
	}
	return out.Organization
}

// Standalone creates an account outside any organization, with root credentials.
func (e *OrgEnv) Standalone(name, email string) (string, *organizations.Client) {
	e.T.Helper()
	a, cred, err := e.Srv.Directory().CreateAccount(e.Ctx, "", name, email, "cli")
	if err != nil {
		e.T.Fatal(err)
	}
	return a.ID, organizations.NewFromConfig(e.Srv.ConfigFor("us-east-1", cred.AccessKeyID, cred.SecretAccessKey, ""))
}

// StartAccount requests an account and checks the immediate IN_PROGRESS answer.
func (e *OrgEnv) StartAccount(name, email string) *orgtypes.CreateAccountStatus {
	e.T.Helper()
	out, err := e.Org.CreateAccount(e.Ctx, &organizations.CreateAccountInput{AccountName: aws.String(name), Email: aws.String(email)})
	if err != nil {
		e.T.Fatalf("CreateAccount %s: %v", name, err)
	}
	st := out.CreateAccountStatus
	if st.State != orgtypes.CreateAccountStateInProgress || len(aws.ToString(st.Id)) != 36 || aws.ToString(st.AccountName) != name ||
		st.RequestedTimestamp == nil || st.AccountId != nil || st.CompletedTimestamp != nil {
		e.T.Fatalf("CreateAccount status %+v", st)
	}
	return st
}
