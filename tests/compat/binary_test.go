package compat

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// orgconfigBinary builds cmd/orgconfig once per test process and returns its path.
func orgconfigBinary(t *testing.T) string { return binary.Path(t) }

// runBinary runs a short orgconfig command (not serve) and returns its output and exit code.
func runBinary(t *testing.T, home string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, orgconfigBinary(t), args...)
	cmd.Dir = home
	cmd.Env = cleanEnv(home)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		code = ee.ExitCode()
	default:
		t.Fatalf("orgconfig %s: %v", strings.Join(args, " "), err)
	}
	return o.String(), e.String(), code
}

// serveProcess is an `orgconfig serve` child process.
type serveProcess struct {
	cmd            *exec.Cmd
	stdout, stderr *syncBuffer
	done           chan struct{}
	err            error // of Wait, once done is closed
	endpoint       string
}

// freeAddr returns a loopback address with a port that was free a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// startServe starts `orgconfig serve` on addr and dataDir with a clean environment (no
// ORGCONFIG_* variables) and waits until GET /healthz answers 200. The process is killed (by
// its PID) when the test ends if it is still running.
func startServe(t *testing.T, addr, dataDir string) *serveProcess {
	t.Helper()
	home := t.TempDir()
	p := &serveProcess{stdout: &syncBuffer{}, stderr: &syncBuffer{}, done: make(chan struct{}), endpoint: "http://" + addr}
	p.cmd = exec.Command(orgconfigBinary(t), "serve", "--addr", addr, "--data-dir", dataDir)
	p.cmd.Dir = home
	p.cmd.Env = cleanEnv(home)
	p.cmd.Stdout, p.cmd.Stderr = p.stdout, p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() {
		select {
		case <-p.done:
		default:
			_ = p.cmd.Process.Kill()
			<-p.done
		}
	})

	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(30 * time.Second)
	for {
		select {
		case <-p.done:
			t.Fatalf("orgconfig serve exited early: %v\nstdout:\n%s\nstderr:\n%s", p.err, p.stdout, p.stderr)
		default:
		}
		resp, err := client.Get(p.endpoint + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET /healthz did not answer 200 within 30s (last error %v)\nstderr:\n%s", err, p.stderr)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// stop sends SIGTERM and checks that the server exits 0 within a few seconds.
func (p *serveProcess) stop(t *testing.T) {
	t.Helper()
	start := time.Now()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatalf("SIGTERM: %v", err)
	}
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		t.Fatalf("orgconfig serve did not exit within 10s of SIGTERM\nstderr:\n%s", p.stderr)
	}
	if p.err != nil {
		t.Fatalf("orgconfig serve after SIGTERM: %v (want exit 0)\nstderr:\n%s", p.err, p.stderr)
	}
	t.Logf("orgconfig serve exited 0 %v after SIGTERM", time.Since(start).Round(time.Millisecond))
}

// TestBinaryServe runs the orgconfig binary as a user does: first start on an empty data
// directory (credentials generated, printed once, saved 0600), the aws CLI with those
// credentials, SIGTERM, a restart on the same directory (nothing printed, same keys), and the
// accounts subcommands against the running server's data directory.
func TestBinaryServe(t *testing.T) {
	awsCLI(t)
	dataDir := filepath.Join(t.TempDir(), "data")
	addr := freeAddr(t)

	first := startServe(t, addr, dataDir)
	// The banner is printed before the server answers, but it reaches the buffer through the
	// pipe exec copies from: wait for it (bounded) rather than race the copy.
	out := first.stdout.String()
	for wait := time.Now().Add(10 * time.Second); !strings.Contains(out, "AWS_ENDPOINT_URL") && time.Now().Before(wait); out = first.stdout.String() {
		time.Sleep(20 * time.Millisecond)
	}
	akid, ok1 := exportValue(out, "AWS_ACCESS_KEY_ID")
	secret, ok2 := exportValue(out, "AWS_SECRET_ACCESS_KEY")
	if !ok1 || !ok2 || akid == "" || secret == "" {
		t.Fatalf("first start did not print the export lines; stdout:\n%s", out)
	}
	if ep, ok := exportValue(out, "AWS_ENDPOINT_URL"); ok && ep != first.endpoint {
		t.Errorf("printed AWS_ENDPOINT_URL=%s, want %s", ep, first.endpoint)
	}

	credFile := filepath.Join(dataDir, "root-credentials")
	st, err := os.Stat(credFile)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("%s has mode %v, want 0600", credFile, st.Mode().Perm())
	}
	b, err := os.ReadFile(credFile)
	if err != nil {
		t.Fatal(err)
	}
	if k, _ := exportValue(string(b), "AWS_ACCESS_KEY_ID"); k != akid {
		t.Errorf("root-credentials access key = %q, printed %q", k, akid)
	}
	if s, _ := exportValue(string(b), "AWS_SECRET_ACCESS_KEY"); s != secret {
		t.Errorf("root-credentials secret differs from the printed one")
	}
	// The file carries the region and the endpoint too, so that sourcing it, as the README
	// says, sends the next aws command here and not to real AWS.
	if ep, _ := exportValue(string(b), "AWS_ENDPOINT_URL"); ep != first.endpoint {
		t.Errorf("root-credentials AWS_ENDPOINT_URL = %q, want %q", ep, first.endpoint)
	}
	if r, _ := exportValue(string(b), "AWS_DEFAULT_REGION"); r != "us-east-1" {
		t.Errorf("root-credentials AWS_DEFAULT_REGION = %q, want us-east-1", r)
	}
	sourced := exec.Command("bash", "-c", `. "$1" && exec aws sts get-caller-identity --output text --query Arn`, "bash", credFile)
	sourced.Env = cleanEnv(t.TempDir())
	if out, err := sourced.CombinedOutput(); err != nil || strings.TrimSpace(string(out)) != "arn:aws:iam::123456789012:root" {
		t.Errorf(". root-credentials && aws sts get-caller-identity: %v\n%s", err, out)
	}

	c := newCLI(t, first.endpoint, akid, secret)
	if id := getCallerIdentity(t, c); id.Arn != "arn:aws:iam::123456789012:root" {
		t.Errorf("Arn = %q, want arn:aws:iam::123456789012:root", id.Arn)
	}
	first.stop(t)
	if !strings.Contains(first.stderr.String(), "shutting down") {
		t.Errorf("no shutdown log line:\n%s", first.stderr)
	}

	// Restart on the same data directory: no credentials printed, the same keys work.
	second := startServe(t, addr, dataDir)
	if s := second.stdout.String(); strings.Contains(s, "AWS_ACCESS_KEY_ID") || strings.Contains(s, "AWS_SECRET_ACCESS_KEY") {
		t.Errorf("restart printed credentials again:\n%s", s)
	}
	if id := getCallerIdentity(t, c); id.Account != "123456789012" {
		t.Errorf("after restart: Account = %q", id.Account)
	}

	// accounts create/list work on the data directory while the server runs, and the new
	// account's keys work at once on the running server.
	home := t.TempDir()
	stdout, stderr, code := runBinary(t, home, "accounts", "create", "--data-dir", dataDir)
	if code != 0 {
		t.Fatalf("accounts create: exit %d\n%s%s", code, stdout, stderr)
	}
	m := regexp.MustCompile(`Created account (\d{12})`).FindStringSubmatch(stdout)
	newKey, ok1 := exportValue(stdout, "AWS_ACCESS_KEY_ID")
	newSecret, ok2 := exportValue(stdout, "AWS_SECRET_ACCESS_KEY")
	if m == nil || !ok1 || !ok2 {
		t.Fatalf("accounts create output lacks the account or its export lines:\n%s", stdout)
	}
	newID := m[1]
	if newID == "123456789012" || newKey == akid {
		t.Errorf("accounts create reused the bootstrap account or key:\n%s", stdout)
	}
	if id := getCallerIdentity(t, c.with(newKey, newSecret)); id.Arn != "arn:aws:iam::"+newID+":root" {
		t.Errorf("new account's keys: Arn = %q, want arn:aws:iam::%s:root", id.Arn, newID)
	}

	stdout, stderr, code = runBinary(t, home, "accounts", "list", "--data-dir", dataDir)
	if code != 0 {
		t.Fatalf("accounts list: exit %d\n%s%s", code, stdout, stderr)
	}
	for _, want := range []string{"123456789012", newID, akid, newKey} {
		if !strings.Contains(stdout, want) {
			t.Errorf("accounts list lacks %s:\n%s", want, stdout)
		}
	}
	if n := strings.Count(strings.TrimSpace(stdout), "\n"); n != 2 {
		t.Errorf("accounts list has %d account lines, want 2:\n%s", n, stdout)
	}
	second.stop(t)

	// A start on another address points the file at the new endpoint.
	third := startServe(t, freeAddr(t), dataDir)
	defer third.stop(t)
	b, err = os.ReadFile(credFile)
	if err != nil {
		t.Fatal(err)
	}
	if ep, _ := exportValue(string(b), "AWS_ENDPOINT_URL"); ep != third.endpoint {
		t.Errorf("after a start on %s, root-credentials AWS_ENDPOINT_URL = %q", third.endpoint, ep)
	}
	if k, _ := exportValue(string(b), "AWS_ACCESS_KEY_ID"); k != akid {
		t.Errorf("after a start on another address, the access key is %q, want %q", k, akid)
	}
}

// TestBinaryCommands checks the small commands: version, serve --help, and accounts on a data
// directory no server has initialized.
func TestBinaryCommands(t *testing.T) {
	home := t.TempDir()
	stdout, stderr, code := runBinary(t, home, "version")
	if code != 0 || !strings.HasPrefix(stdout, "orgconfig ") {
		t.Errorf("orgconfig version: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}

	stdout, stderr, code = runBinary(t, home, "serve", "--help")
	if code != 0 {
		t.Errorf("serve --help: exit %d", code)
	}
	help := stdout + stderr
	for _, v := range []string{"ORGCONFIG_ADDR", "ORGCONFIG_DATA_DIR", "ORGCONFIG_ACCOUNT_ID", "ORGCONFIG_ROOT_ACCESS_KEY_ID",
		"ORGCONFIG_ROOT_SECRET_ACCESS_KEY", "ORGCONFIG_AUTH", "ORGCONFIG_DATABASE_URL"} {
		if !strings.Contains(help, v) {
			t.Errorf("serve --help does not mention %s:\n%s", v, help)
		}
	}

	empty := filepath.Join(t.TempDir(), "empty")
	stdout, stderr, code = runBinary(t, home, "accounts", "create", "--data-dir", empty)
	if code == 0 || !strings.Contains(stderr, "orgconfig serve") {
		t.Errorf("accounts create on an uninitialized data dir: exit %d, stdout %q, stderr %q (want a failure telling to run serve first)",
			code, stdout, stderr)
	}

	_, stderr, code = runBinary(t, home, "no-such-command")
	if code == 0 || !strings.Contains(stderr, strconv.Quote("no-such-command")) {
		t.Errorf("unknown command: exit %d, stderr %q", code, stderr)
	}
}
