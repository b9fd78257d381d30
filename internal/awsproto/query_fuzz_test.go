package awsproto_test

import (
	"encoding/json"
	"net/url"
	"testing"

	"github.com/orgconfig/orgconfig/internal/api/configapi"
	"github.com/orgconfig/orgconfig/internal/api/iamapi"
	"github.com/orgconfig/orgconfig/internal/api/stsapi"
	"github.com/orgconfig/orgconfig/internal/awsproto"
)

// FuzzDecodeQuery: any form body, for any IAM or STS operation, either decodes into JSON that
// the operation's generated input type accepts, or fails with an AWS error; it never panics.
func FuzzDecodeQuery(f *testing.F) {
	f.Add("Action=CreateRole&RoleName=r&AssumeRolePolicyDocument=%7B%7D&Tags.member.1.Key=k&Tags.member.1.Value=v", "CreateRole")
	f.Add("RoleArn=arn%3Aaws%3Aiam%3A%3A111111111111%3Arole%2Fx&RoleSessionName=s&DurationSeconds=900&PolicyArns.member.1.arn=x", "AssumeRole")
	f.Add("Tags=&RoleName=r", "TagRole")
	f.Add("Tags.member.99999999999.Key=k", "TagRole")
	f.Add("%zz=1&&=&a.b.c.member.1.entry.1.key=x", "UpdateRole")
	f.Fuzz(func(t *testing.T, body, opName string) {
		form, err := url.ParseQuery(body)
		if err != nil {
			return
		}
		for _, svc := range []*awsproto.Service{iamapi.Service, stsapi.Service} {
			op := svc.Operations[opName]
			if op == nil {
				continue
			}
			out, err := awsproto.DecodeQuery(svc, op, form)
			if err != nil {
				if awsproto.AsError(err) == nil {
					t.Fatalf("non-AWS error %T: %v", err, err)
				}
				continue
			}
			if !json.Valid(out) {
				t.Fatalf("invalid JSON %s", out)
			}
		}
	})
}

// FuzzValidateJSON: any JSON body validates or fails with an AWS error, never panics.
func FuzzValidateJSON(f *testing.F) {
	f.Add(`{"ConfigurationAggregatorName":"a","AccountAggregationSources":[{"AccountIds":["111111111111"],"AllAwsRegions":true}]}`, "PutConfigurationAggregator")
	f.Add(`{"ConfigRule":{"Source":{"Owner":"AWS","SourceIdentifier":"S3_BUCKET_VERSIONING_ENABLED"}}}`, "PutConfigRule")
	f.Add(`{"limit":1e400}`, "ListDiscoveredResources")
	f.Fuzz(func(t *testing.T, body, opName string) {
		op := configapi.Service.Operations[opName]
		if op == nil {
			return
		}
		if err := awsproto.ValidateJSON(configapi.Service, op, []byte(body)); err != nil && awsproto.AsError(err) == nil {
			t.Fatalf("non-AWS error %T: %v", err, err)
		}
	})
}
