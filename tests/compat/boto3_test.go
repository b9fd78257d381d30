package compat

import (
	"bytes"
	"context"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/orgconfig/orgconfig/internal/testserver"
)

// TestBoto3Foundation runs foundation.py: the foundation checks through boto3 clients,
// including a request signed 20 minutes ago (botocore's signing clock patched), which the aws
// CLI cannot send.
func TestBoto3Foundation(t *testing.T) {
	py := python3WithBoto3(t)
	script, err := filepath.Abs("foundation.py")
	if err != nil {
		t.Fatal(err)
	}
	srv := testserver.Start(t)
	home := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, py, script, "--endpoint", srv.Endpoint, "--account-id", testserver.AccountID)
	cmd.Dir = home
	cmd.Env = cleanEnv(home,
		"AWS_ACCESS_KEY_ID="+testserver.AccessKey,
		"AWS_SECRET_ACCESS_KEY="+testserver.SecretKey,
		"AWS_DEFAULT_REGION=us-east-1",
	)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("foundation.py: %v\n%s%s", err, stderr.String(), stdout.String())
	}
	var res struct {
		OK       bool     `json:"ok"`
		Boto3    string   `json:"boto3"`
		Botocore string   `json:"botocore"`
		Checks   []string `json:"checks"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &res); err != nil {
		t.Fatalf("foundation.py output is not its JSON result: %v\n%s", err, stdout.String())
	}
	if !res.OK || len(res.Checks) == 0 {
		t.Fatalf("foundation.py: %s", stdout.String())
	}
	t.Logf("boto3 %s / botocore %s: %d checks passed", res.Boto3, res.Botocore, len(res.Checks))
	for _, c := range res.Checks {
		t.Logf("  ok %s", c)
	}
}
