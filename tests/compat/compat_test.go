package compat

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/orgconfig/orgconfig/internal/testserver"
)

// binary is the orgconfig binary, built once for the package's tests.
var binary *testserver.Binary

func TestMain(m *testing.M) {
	if home, err := os.UserHomeDir(); err == nil {
		shims := filepath.Join(home, ".pyenv", "shims")
		if st, err := os.Stat(shims); err == nil && st.IsDir() {
			os.Setenv("PATH", shims+string(os.PathListSeparator)+os.Getenv("PATH"))
		}
	}
	dir, err := os.MkdirTemp("", "orgconfig-compat-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = testserver.NewBinary(dir)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// missing skips the test, or fails it under CI=true, because a required client is absent.
func missing(t *testing.T, what, hint string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s not found; CI requires it (%s)", what, hint)
	}
	t.Skipf("%s not found: skipping (%s)", what, hint)
}

// cleanEnv is an environment with nothing of the user's AWS setup: PATH, a temporary HOME,
// and AWS config and credentials files that do not exist. extra entries are appended.
func cleanEnv(home string, extra ...string) []string {
	env := []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + home,
		"LANG=C.UTF-8",
		"AWS_CONFIG_FILE=" + filepath.Join(home, "no-such-aws-config"),
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(home, "no-such-aws-credentials"),
		"AWS_EC2_METADATA_DISABLED=true",
	}
	// The pyenv shims need their root; they set it themselves, but a custom one must survive.
	if v, ok := os.LookupEnv("PYENV_ROOT"); ok {
		env = append(env, "PYENV_ROOT="+v)
	}
	return append(env, extra...)
}

// awsCLI returns the path of the aws CLI, or skips/fails the test when there is none.
func awsCLI(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("aws")
	if err != nil {
		missing(t, "aws CLI", "install awscli, e.g. pip install awscli, or put it in PATH")
	}
	return path
}

var (
	boto3Once sync.Once
	boto3Err  error
	python    string
)

// python3WithBoto3 returns the path of a python3 that imports boto3, or skips/fails the test.
func python3WithBoto3(t *testing.T) string {
	t.Helper()
	boto3Once.Do(func() {
		python, boto3Err = exec.LookPath("python3")
		if boto3Err != nil {
			return
		}
		cmd := exec.Command(python, "-c", "import boto3")
		cmd.Env = cleanEnv(t.TempDir())
		if out, err := cmd.CombinedOutput(); err != nil {
			lines := strings.Split(strings.TrimSpace(string(out)), "\n")
			boto3Err = fmt.Errorf("%s -c 'import boto3': %v: %s", python, err, lines[len(lines)-1])
		}
	})
	if boto3Err != nil {
		missing(t, "python3 with boto3", boto3Err.Error())
	}
	return python
}

// cliResult is the outcome of one aws CLI run.
type cliResult struct {
	stdout, stderr string
	code           int
}

// cliRunner runs the aws CLI against one endpoint with given credentials.
type cliRunner struct {
	t        *testing.T
	path     string
	endpoint string
	home     string
	akid     string
	secret   string
	region   string
}

func newCLI(t *testing.T, endpoint, akid, secret string) *cliRunner {
	return &cliRunner{t: t, path: awsCLI(t), endpoint: endpoint, home: t.TempDir(), akid: akid, secret: secret, region: "us-east-1"}
}

// with returns a copy of c using other credentials.
func (c *cliRunner) with(akid, secret string) *cliRunner {
	cp := *c
	cp.akid, cp.secret = akid, secret
	return &cp
}

// run runs `aws --endpoint-url E --output json args...`. Retries are on, as users have them
// (standard mode, 3 attempts), so that an answer the CLI would retry shows up in request
// counts and in the "(reached max retries: N)" suffix of its error line.
func (c *cliRunner) run(args ...string) cliResult {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	full := append([]string{"--endpoint-url", c.endpoint, "--output", "json"}, args...)
	cmd := exec.CommandContext(ctx, c.path, full...)
	cmd.Dir = c.home
	cmd.Env = cleanEnv(c.home,
		"AWS_ACCESS_KEY_ID="+c.akid,
		"AWS_SECRET_ACCESS_KEY="+c.secret,
		"AWS_DEFAULT_REGION="+c.region,
		"AWS_RETRY_MODE=standard",
		"AWS_MAX_ATTEMPTS=3",
	)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	res := cliResult{stdout: stdout.String(), stderr: stderr.String()}
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		res.code = ee.ExitCode()
	default:
		c.t.Fatalf("aws %s: %v\nstderr: %s", strings.Join(args, " "), err, res.stderr)
	}
	if ctx.Err() != nil {
		c.t.Fatalf("aws %s timed out\nstderr: %s", strings.Join(args, " "), res.stderr)
	}
	return res
}

// expectError checks that the CLI failed the way it does for a service error: exit code 254
// or 255 and AWS's error line, without any retry suffix.
func expectError(t *testing.T, r cliResult, code, op string) {
	t.Helper()
	if r.code != 254 && r.code != 255 {
		t.Errorf("exit code %d, want 254 or 255 (stdout %q, stderr %q)", r.code, r.stdout, r.stderr)
	}
	want := "An error occurred (" + code + ") when calling the " + op + " operation: "
	if !strings.Contains(r.stderr, want) {
		t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
	}
}

// requestsServed returns the sum of orgconfig_requests_total over every label set, from the
// server's /metrics.
func requestsServed(t *testing.T, endpoint string) int {
	t.Helper()
	resp, err := http.Get(endpoint + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics: %s", resp.Status)
	}
	total := 0.0
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "orgconfig_requests_total{") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("metrics line %q: %v", line, err)
		}
		total += v
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return int(total)
}

// syncBuffer collects a child process's output while the test reads it.
type syncBuffer = testserver.SyncBuffer

var _ io.Writer = (*syncBuffer)(nil)

// exportValue returns the value of the first "export NAME=value" line of s.
func exportValue(s, name string) (string, bool) {
	for _, line := range strings.Split(s, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "export "+name+"="); ok {
			return v, true
		}
	}
	return "", false
}
