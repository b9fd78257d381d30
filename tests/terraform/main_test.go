package terraform

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/orgconfig/orgconfig/internal/testserver"
)

// providerVersion is the AWS provider the suite runs, from the filesystem mirror.
const providerVersion = "5.100.0"

// tfTools is what TestMain found: the terraform binary, the provider and the shared files.
type tfTools struct {
	bin         string
	providerDir string
	mirror      string
	cliConfig   string
	lock        []byte
	filter      *regexp.Regexp
	// skip says why the suite cannot run here ("" when it can).
	skip string
	// listTo, from ORGCONFIG_TERRAFORM_LIST, is a file to write the case names and the
	// not-ported tests to instead of running anything.
	listTo string
}

var tf tfTools

// env is the environment of a terraform command run in dir.
func (c *tfTools) env(dir string) []string {
	return []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + dir,
		"TF_CLI_CONFIG_FILE=" + c.cliConfig,
		"TF_IN_AUTOMATION=1",
		"CHECKPOINT_DISABLE=1",
		"TF_LOG=" + os.Getenv("ORGCONFIG_TF_LOG"),
		// Nothing of the user's AWS setup may reach the provider: the provider block says all.
		"AWS_CONFIG_FILE=" + filepath.Join(dir, "no-aws-config"),
		"AWS_SHARED_CREDENTIALS_FILE=" + filepath.Join(dir, "no-aws-credentials"),
		"AWS_EC2_METADATA_DISABLED=true",
		"AWS_MAX_ATTEMPTS=2",
	}
}

func TestMain(m *testing.M) {
	code := setup()
	if code == 0 && tf.listTo != "" {
		code = m.Run()
		if err := writeList(tf.listTo); err != nil {
			fmt.Fprintln(os.Stderr, err)
			code = 1
		}
		os.Exit(code)
	}
	if code == 0 {
		code = m.Run()
		if code == 0 && tf.skip == "" {
			if err := calls.check(); err != nil {
				fmt.Fprintln(os.Stderr, "FAIL:", err)
				code = 1
			}
			if err := checkTable(); err != nil {
				fmt.Fprintln(os.Stderr, "FAIL:", err)
				code = 1
			}
		}
	}
	if tf.cliConfig != "" {
		os.RemoveAll(filepath.Dir(tf.cliConfig))
	}
	os.Exit(code)
}

// setup finds terraform and the provider and writes the CLI configuration and the lock file
// every case shares. A missing tool sets tf.skip; the cases then skip (or fail under CI).
func setup() int {
	tf.listTo = os.Getenv("ORGCONFIG_TERRAFORM_LIST")
	if v := os.Getenv("ORGCONFIG_TERRAFORM_CASES"); v != "" {
		re, err := regexp.Compile(v)
		if err != nil {
			fmt.Fprintln(os.Stderr, "ORGCONFIG_TERRAFORM_CASES:", err)
			return 2
		}
		tf.filter = re
	}
	tf.bin = os.Getenv("ORGCONFIG_TERRAFORM")
	if tf.bin == "" {
		tf.bin = "/usr/local/bin/terraform"
		if _, err := os.Stat(tf.bin); err != nil {
			if p, err := exec.LookPath("terraform"); err == nil {
				tf.bin = p
			}
		}
	}
	if _, err := os.Stat(tf.bin); err != nil {
		tf.skip = fmt.Sprintf("terraform not found at %s (set ORGCONFIG_TERRAFORM)", tf.bin)
		return 0
	}
	tf.mirror = os.Getenv("ORGCONFIG_TF_PLUGINS")
	if tf.mirror == "" {
		tf.mirror = "/opt/tf-plugins"
	}
	tf.providerDir = filepath.Join(tf.mirror, "registry.terraform.io", "hashicorp", "aws", providerVersion, "linux_amd64")
	if _, err := os.Stat(tf.providerDir); err != nil {
		tf.skip = fmt.Sprintf("the AWS provider %s is not in the filesystem mirror %s (set ORGCONFIG_TF_PLUGINS)", providerVersion, tf.mirror)
		return 0
	}
	dir, err := os.MkdirTemp("", "orgconfig-terraform-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	tf.cliConfig = filepath.Join(dir, "cli.tfrc")
	cli := fmt.Sprintf(`provider_installation {
  filesystem_mirror {
    path    = %q
    include = ["registry.terraform.io/hashicorp/aws"]
  }
  direct {
    exclude = ["registry.terraform.io/*/*"]
  }
}
`, tf.mirror)
	if err := os.WriteFile(tf.cliConfig, []byte(cli), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	// One terraform init writes the dependency lock file that every case copies, so no case
	// pays for init (terraform hashes the 700 MB provider there).
	tmpl := filepath.Join(dir, "template")
	os.MkdirAll(tmpl, 0o755)
	req := fmt.Sprintf("terraform {\n  required_providers {\n    aws = {\n      source  = \"hashicorp/aws\"\n      version = %q\n    }\n  }\n}\n", providerVersion)
	if err := os.WriteFile(filepath.Join(tmpl, "main.tf"), []byte(req), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	cmd := exec.Command(tf.bin, "init", "-input=false", "-no-color", "-backend=false")
	cmd.Dir = tmpl
	cmd.Env = tf.env(tmpl)
	if out, err := cmd.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "terraform init with the mirror %s failed: %v\n%s", tf.mirror, err, out)
		return 1
	}
	if tf.lock, err = os.ReadFile(filepath.Join(tmpl, ".terraform.lock.hcl")); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// calls records every (service, operation, error code) the suite's servers answered.
var calls = &callLog{pairs: map[string]*pairUse{}}

type pairUse struct {
	count int
	cases map[string]bool
}

type callLog struct {
	mu    sync.Mutex
	pairs map[string]*pairUse // "service operation code"
}

type callRecorder struct{ caseName string }

func newCallRecorder(caseName string) *callRecorder { return &callRecorder{caseName: caseName} }

func (r *callRecorder) logger() *slog.Logger { return slog.New(r) }

func (r *callRecorder) Enabled(context.Context, slog.Level) bool { return true }
func (r *callRecorder) WithAttrs([]slog.Attr) slog.Handler       { return r }
func (r *callRecorder) WithGroup(string) slog.Handler            { return r }

func (r *callRecorder) Handle(_ context.Context, rec slog.Record) error {
	if rec.Message != "request" {
		return nil
	}
	var svc, op, code string
	rec.Attrs(func(a slog.Attr) bool {
		switch a.Key {
		case "service":
			svc = a.Value.String()
		case "operation":
			op = a.Value.String()
		case "error_code":
			code = a.Value.String()
		}
		return true
	})
	if code == "" {
		return nil
	}
	key := svc + " " + op + " " + code
	calls.mu.Lock()
	defer calls.mu.Unlock()
	u := calls.pairs[key]
	if u == nil {
		u = &pairUse{cases: map[string]bool{}}
		calls.pairs[key] = u
	}
	u.count++
	u.cases[r.caseName] = true
	return nil
}

// check fails when any recorded pair is not allowed, and prints every pair seen.
func (l *callLog) check() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	keys := make([]string, 0, len(l.pairs))
	for k := range l.pairs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var bad []string
	for _, k := range keys {
		f := strings.Fields(k)
		u := l.pairs[k]
		cs := make([]string, 0, len(u.cases))
		for c := range u.cases {
			cs = append(cs, c)
		}
		sort.Strings(cs)
		if testing.Verbose() {
			fmt.Printf("error answered: %s %s %s ×%d\n", f[0], f[1], f[2], u.count)
		}
		if !(testserver.ErrorPair{Service: f[0], Operation: f[1], Code: f[2]}).Allowed() {
			bad = append(bad, fmt.Sprintf("%s %s answered %s, which its model does not list (%s)", f[0], f[1], f[2], strings.Join(cs, ", ")))
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("errors outside the models:\n  %s", strings.Join(bad, "\n  "))
	}
	return nil
}
