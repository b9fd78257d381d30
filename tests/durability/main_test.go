package durability

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/orgconfig/orgconfig/internal/sdkhttp"
	"github.com/orgconfig/orgconfig/internal/testserver"
)

// Root credentials of the bootstrap account of every server the tests start (through the
// ORGCONFIG_* environment, as an operator configures replicas).
const (
	accountID = "222222222222"
	rootKey   = "AKIAORGCONFIGDURABLE1"
	rootSec   = "orgconfig/durability/secret/key/00000000"
)

// binary is the orgconfig binary, built once for the package's tests.
var binary *testserver.Binary

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "orgconfig-durability-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = testserver.NewBinary(dir)
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// orgconfigBinary builds cmd/orgconfig once per test process and returns its path.
func orgconfigBinary(t testing.TB) string { return binary.Path(t) }

// childEnv is the environment of a child process: nothing of the user's AWS or ORGCONFIG_*
// setup, a temporary HOME, and the bootstrap account's configuration.
func childEnv(home string) []string {
	return []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + home,
		"LANG=C.UTF-8",
		"ORGCONFIG_ACCOUNT_ID=" + accountID,
		"ORGCONFIG_ROOT_ACCESS_KEY_ID=" + rootKey,
		"ORGCONFIG_ROOT_SECRET_ACCESS_KEY=" + rootSec,
		"ORGCONFIG_LOG_LEVEL=warn",
	}
}

// syncBuffer collects a child process's output while the test reads it.
type syncBuffer = testserver.SyncBuffer

// proc is one `orgconfig serve` child process.
type proc struct {
	name     string
	cmd      *exec.Cmd
	pid      int
	stderr   *syncBuffer
	done     chan struct{}
	waitErr  error // of Wait, once done is closed
	endpoint string
}

// freeAddr returns a loopback address with a port that was free a moment ago.
func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// launch starts `orgconfig serve` on a fresh loopback port with storeArgs (--data-dir DIR or
// --database-url URL) without waiting for it to be ready (see ready). The process is killed by
// its PID when the test ends if it still runs.
func launch(t testing.TB, name string, storeArgs ...string) *proc {
	t.Helper()
	addr := freeAddr(t)
	home := t.TempDir()
	p := &proc{name: name, stderr: &syncBuffer{}, done: make(chan struct{}), endpoint: "http://" + addr}
	args := append([]string{"serve", "--addr", addr}, storeArgs...)
	p.cmd = exec.Command(orgconfigBinary(t), args...)
	p.cmd.Dir = home
	p.cmd.Env = childEnv(home)
	p.cmd.Stdout, p.cmd.Stderr = p.stderr, p.stderr
	setPdeathsig(p.cmd)
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p.pid = p.cmd.Process.Pid
	go func() {
		p.waitErr = p.cmd.Wait()
		close(p.done)
	}()
	t.Cleanup(func() { p.kill() })
	return p
}

// ready waits until GET /healthz answers 200 (or fails the test after 30 s or if the process
// exits).
func (p *proc) ready(t testing.TB) *proc {
	t.Helper()
	client := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{Proxy: nil}}
	defer client.CloseIdleConnections()
	deadline := time.Now().Add(30 * time.Second)
	for {
		select {
		case <-p.done:
			t.Fatalf("%s (pid %d) exited before it was ready: %v\n%s", p.name, p.pid, p.waitErr, p.stderr)
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
			t.Fatalf("%s: GET /healthz did not answer 200 within 30s (last error %v)\n%s", p.name, err, p.stderr)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// start is launch + ready.
func start(t testing.TB, name string, storeArgs ...string) *proc {
	t.Helper()
	return launch(t, name, storeArgs...).ready(t)
}

// kill sends SIGKILL to the process (by its PID) unless it already exited, and waits for it.
func (p *proc) kill() {
	select {
	case <-p.done:
		return
	default:
	}
	_ = p.cmd.Process.Kill() // SIGKILL to p.pid
	<-p.done
}

// clientConfig is an aws.Config for endpoint with the given keys: loopback, no proxy, no
// retries (every answer is the server's first one, and a failed call is never resent).
func clientConfig(endpoint, akid, secret string) aws.Config {
	return aws.Config{
		Region:           "us-east-1",
		Credentials:      credentials.NewStaticCredentialsProvider(akid, secret, ""),
		BaseEndpoint:     aws.String(endpoint),
		RetryMaxAttempts: 1,
		HTTPClient: sdkhttp.Client(15*time.Second, &http.Transport{
			Proxy: nil, MaxIdleConnsPerHost: 16, IdleConnTimeout: 30 * time.Second,
		}),
	}
}

func (p *proc) iam() *iam.Client {
	return iam.NewFromConfig(clientConfig(p.endpoint, rootKey, rootSec))
}
func (p *proc) sts(akid, secret string) *sts.Client {
	return sts.NewFromConfig(clientConfig(p.endpoint, akid, secret))
}

// callerArn returns the ARN GetCallerIdentity answers on p for the keys.
func callerArn(ctx context.Context, p *proc, akid, secret string) (string, error) {
	out, err := p.sts(akid, secret).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		return "", err
	}
	return aws.ToString(out.Arn), nil
}
