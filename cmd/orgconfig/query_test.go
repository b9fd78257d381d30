package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/configservice"

	"github.com/orgconfig/orgconfig/internal/testserver"
)

// TestQueryCommand runs `orgconfig query` against a server: a table by default, JSON lines with
// --json, every page fetched, and an invalid expression reported with AWS's error.
func TestQueryCommand(t *testing.T) {
	srv := testserver.Start(t)
	ctx := context.Background()
	cfg := configservice.NewFromConfig(srv.Config("us-east-1"))
	testserver.StartRecording(t, cfg, testserver.AccountID, nil)
	for _, id := range []string{"d1", "d2", "d3"} {
		if _, err := cfg.PutResourceConfig(ctx, &configservice.PutResourceConfigInput{ResourceType: aws.String("Acme::Fleet::Drone"),
			SchemaVersionId: aws.String("1"), ResourceId: aws.String(id), Configuration: aws.String(`{}`), Tags: map[string]string{"env": "prod"}}); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("AWS_ACCESS_KEY_ID", testserver.AccessKey)
	t.Setenv("AWS_SECRET_ACCESS_KEY", testserver.SecretKey)
	t.Setenv("AWS_SESSION_TOKEN", "")
	runQuery := func(args ...string) (string, error) {
		var out, errOut bytes.Buffer
		err := run(ctx, append([]string{"query", "--endpoint", srv.Endpoint, "--page-size", "2"}, args...), &out, &errOut)
		return out.String(), err
	}
	table, err := runQuery("SELECT resourceId, resourceType WHERE tags.tag = 'env=prod'")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"resourceId", "resourceType", "d1", "d2", "d3", "Acme::Fleet::Drone", "(3 rows)"} {
		if !strings.Contains(table, want) {
			t.Errorf("table lacks %q:\n%s", want, table)
		}
	}
	lines, err := runQuery("--json", "SELECT resourceType, COUNT(*) GROUP BY resourceType")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(lines, `"COUNT(*)":3`) || !strings.Contains(lines, `"resourceType":"Acme::Fleet::Drone"`) {
		t.Errorf("--json output: %s", lines)
	}
	if _, err := runQuery("SELECT DISTINCT resourceId"); err == nil || !strings.Contains(err.Error(), "InvalidExpressionException") {
		t.Errorf("invalid expression: %v", err)
	}
}
