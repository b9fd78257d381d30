package main

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awscreds "github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"

	"github.com/orgconfig/orgconfig/internal/sdkhttp"
)

// The control scenario measures the cheapest authenticated calls: what every request pays for
// HTTP, SigV4 verification, protocol detection, routing, validation, rendering and metrics —
// plus two cheap Organizations reads (JSON 1.1) that answer 200 from the store.
func init() {
	register(&Scenario{
		Name: "control",
		Summary: "STS GetCallerIdentity (Query), Organizations DescribeOrganization and ListAccounts (JSON 1.1), " +
			"all signed with SigV4 (and an AWS Config JSON 1.1 call with -json-op)",
		Calls: controlCalls,
		Setup: controlSetup,
	})
}

// controlAccounts is how many member accounts the setup creates, so that ListAccounts lists
// the management account and these.
const controlAccounts = 5

// orgListBody is the ListAccounts request body: one page that holds every account.
const orgListBody = `{"MaxResults":20}`

func controlCalls(_ context.Context, o *Options) ([]Call, error) {
	sts := Call{
		Name:    "sts:GetCallerIdentity",
		Label:   "STS GetCallerIdentity (Query)",
		Service: "sts", Region: "us-east-1",
		Method: http.MethodPost, Path: "/",
		Header: http.Header{"Content-Type": {"application/x-www-form-urlencoded; charset=utf-8"}},
		Body:   []byte("Action=GetCallerIdentity&Version=2011-06-15"),
	}
	orgCall := func(op, body string) Call {
		return Call{
			Name:    "organizations:" + op,
			Label:   "Organizations " + op + " (JSON 1.1)",
			Service: "organizations", Region: "us-east-1",
			Method: http.MethodPost, Path: "/",
			Header: http.Header{
				"Content-Type": {"application/x-amz-json-1.1"},
				"X-Amz-Target": {"AWSOrganizationsV20161128." + op},
			},
			Body: []byte(body), // Accept empty: only a 2xx answer is accepted
		}
	}
	calls := []Call{sts, orgCall("DescribeOrganization", "{}"), orgCall("ListAccounts", orgListBody)}
	if o.JSONOp != "" {
		calls = append(calls, Call{
			Name:    "config:" + o.JSONOp,
			Label:   "Config " + o.JSONOp + " (JSON 1.1, -json-op)",
			Service: "config", Region: "us-east-1",
			Method: http.MethodPost, Path: "/",
			Header: http.Header{
				"Content-Type": {"application/x-amz-json-1.1"},
				"X-Amz-Target": {"StarlingDoveService." + o.JSONOp},
			},
			Body:   []byte(o.JSONBody),
			Accept: o.AcceptCodes,
		})
	}
	return calls, nil
}

// controlSetup gives orgconfig and moto an organization (feature set ALL) with controlAccounts
// member accounts, through aws-sdk-go-v2 with the target's credentials, and checks that
// ListAccounts lists all of them. The bare handler keeps no state: nothing to do.
func controlSetup(ctx context.Context, _ *Options, t *Target) error {
	if t.Name == targetBare {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	org := organizations.NewFromConfig(aws.Config{
		Region:           "us-east-1",
		Credentials:      awscreds.NewStaticCredentialsProvider(t.Creds.AccessKeyID, t.Creds.SecretAccessKey, ""),
		BaseEndpoint:     aws.String(t.Endpoint),
		RetryMaxAttempts: 1,
		HTTPClient:       sdkhttp.Client(30*time.Second, nil),
	})
	if _, err := org.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll}); err != nil {
		return fmt.Errorf("CreateOrganization: %w", err)
	}
	// One account at a time: orgconfig creates accounts in a background job (and bounds the
	// requests in progress); moto answers SUCCEEDED at once.
	for i := 1; i <= controlAccounts; i++ {
		out, err := org.CreateAccount(ctx, &organizations.CreateAccountInput{
			AccountName: aws.String(fmt.Sprintf("bench-member-%d", i)),
			Email:       aws.String(fmt.Sprintf("bench-member-%d@example.com", i)),
		})
		if err != nil {
			return fmt.Errorf("CreateAccount %d: %w", i, err)
		}
		st := out.CreateAccountStatus
		for st.State == orgtypes.CreateAccountStateInProgress {
			select {
			case <-ctx.Done():
				return fmt.Errorf("CreateAccount %d still in progress: %w", i, ctx.Err())
			case <-time.After(20 * time.Millisecond):
			}
			d, err := org.DescribeCreateAccountStatus(ctx, &organizations.DescribeCreateAccountStatusInput{CreateAccountRequestId: st.Id})
			if err != nil {
				return fmt.Errorf("DescribeCreateAccountStatus %d: %w", i, err)
			}
			st = d.CreateAccountStatus
		}
		if st.State != orgtypes.CreateAccountStateSucceeded {
			return fmt.Errorf("CreateAccount %d: %s (%s)", i, st.State, st.FailureReason)
		}
	}
	list, err := org.ListAccounts(ctx, &organizations.ListAccountsInput{MaxResults: aws.Int32(20)})
	if err != nil {
		return fmt.Errorf("ListAccounts: %w", err)
	}
	if len(list.Accounts) != controlAccounts+1 || list.NextToken != nil {
		return fmt.Errorf("ListAccounts: %d accounts (next token %v), want %d in one page",
			len(list.Accounts), list.NextToken != nil, controlAccounts+1)
	}
	return nil
}
