package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	cfgtypes "github.com/aws/aws-sdk-go-v2/service/configservice/types"

	"github.com/orgconfig/orgconfig/internal/testserver"
)

// TestImportCommand imports the e2e suite's AWS snapshot fixture (gzipped, delivery dialect)
// into a running server's data directory and checks the progress lines, the summary and the
// data the server then serves.
func TestImportCommand(t *testing.T) {
	srv := testserver.Start(t, testserver.WithDataDir(t.TempDir()))
	ctx := context.Background()
	dir := t.TempDir()
	fixture := "../../tests/e2e/config/testdata/111111111111_Config_us-east-1_ConfigSnapshot_20260115T103000Z_5b9d2e4c-3a1f-4f6e-9a51-0c2d6f8e7a10.json.gz"
	b, err := os.ReadFile(fixture)
	if err != nil {
		t.Fatal(err)
	}
	nested := filepath.Join(dir, "AWSLogs", "111111111111", "Config", "us-east-1", "2026", "1", "15", "ConfigSnapshot")
	if err := os.MkdirAll(nested, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(nested, filepath.Base(fixture)), b, 0o644); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "ConfigWritabilityCheckFile"), []byte("x"), 0o644) // not JSON: ignored

	var stdout, stderr bytes.Buffer
	c := &importCommand{stdout: &stdout, stderr: &stderr, isTerminal: func(io.Writer) bool { return false }}
	if err := c.ParseFlags([]string{"--data-dir", srv.DataDir, "--progress-interval", "1ms", "--create-accounts", dir}); err != nil {
		t.Fatal(err)
	}
	if err := c.Run(ctx); err != nil {
		t.Fatalf("import: %v\nstdout:\n%s\nstderr:\n%s", err, stdout.String(), stderr.String())
	}
	out := stdout.String()
	for _, want := range []string{
		"Imported 4 configuration items from 1 file",
		"111111111111  us-east-1  AWS::EC2::Instance  1",
		"111111111111  us-east-1  AWS::IAM::Role      1",
		"222222222222  us-east-1  AWS::S3::Bucket     1",
		"Created 1 account (origin import)",
		"222222222222  AWS_ACCESS_KEY_ID=AKIA",
		"No configuration recorder is running in 111111111111/us-east-1, 222222222222/us-east-1",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(stderr.String(), "import: 100% 4 items") {
		t.Errorf("progress lines:\n%s", stderr.String())
	}

	// The server serves what the CLI wrote to its store.
	cfg := configservice.NewFromConfig(srv.Config("us-east-1"))
	l, err := cfg.ListDiscoveredResources(ctx, &configservice.ListDiscoveredResourcesInput{ResourceType: cfgtypes.ResourceTypeBucket})
	if err != nil {
		t.Fatal(err)
	}
	if len(l.ResourceIdentifiers) != 1 || aws.ToString(l.ResourceIdentifiers[0].ResourceId) != "example-logs-111111111111" {
		t.Errorf("ListDiscoveredResources after import: %+v", l.ResourceIdentifiers)
	}

	// Without --create-accounts the other account's item is skipped, with its reason, and the
	// exit status says so.
	srv2 := testserver.Start(t, testserver.WithDataDir(t.TempDir()))
	stdout.Reset()
	stderr.Reset()
	c = &importCommand{stdout: &stdout, stderr: &stderr}
	if err := c.ParseFlags([]string{"--data-dir", srv2.DataDir, "--progress", "none", dir}); err != nil {
		t.Fatal(err)
	}
	if err := c.Run(ctx); err == nil || !strings.Contains(err.Error(), "1 items were skipped") {
		t.Errorf("import with an unknown account: err %v", err)
	}
	if !strings.Contains(stdout.String(), "account 222222222222 does not exist") || stderr.Len() != 0 {
		t.Errorf("stdout:\n%s\nstderr:\n%s", stdout.String(), stderr.String())
	}
}
