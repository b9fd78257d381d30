package e2etest

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
)

// TrustPolicy is a role trust policy allowing principal to assume it, with an optional condition.
func TrustPolicy(principal string, condition string) string {
	s := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":` + principal + `,"Action":"sts:AssumeRole"`
	if condition != "" {
		s += `,"Condition":` + condition
	}
	return s + `}]}`
}

// IAMTrust is a trust policy for AWS Config's service principal limited to the test account.
const IAMTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"config.amazonaws.com"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:SourceAccount":"111111111111"}}}]}`

// CreateRole creates a role through c and returns its ARN.
func CreateRole(t *testing.T, c *iam.Client, name, path, trust string, maxSession int32) string {
	t.Helper()
	in := &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust)}
	if path != "" {
		in.Path = aws.String(path)
	}
	if maxSession != 0 {
		in.MaxSessionDuration = aws.Int32(maxSession)
	}
	out, err := c.CreateRole(context.Background(), in)
	if err != nil {
		t.Fatalf("CreateRole %s: %v", name, err)
	}
	return aws.ToString(out.Role.Arn)
}
