package terraform

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/configservice"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/organizations"

	"github.com/orgconfig/orgconfig/internal/server"
	"github.com/orgconfig/orgconfig/internal/testserver"
)

// Region is the region the provider is configured for, as in the provider's own test runs.
const Region = "us-west-2"

// Case is one ported acceptance test.
type Case struct {
	// Name is the provider's name of the test, e.g. "ConfigRule/basic".
	Name string
	// Setup prepares the account before the first step, as the provider's PreCheck functions
	// expect it (for example an existing organization whose management account runs the test).
	Setup func(t *testing.T, e *Env)
	Steps []Step
	// OwnProvider means the steps' configurations carry their own terraform and provider
	// blocks, and the harness adds none; ExtraEnv is then how they get credentials.
	OwnProvider bool
	ExtraEnv    []string
	// Region is the provider's region when the case brings its own provider block (default
	// Region).
	Region string
	// CheckDestroy runs after terraform destroy with the last applied state; when nil, every
	// resource of that state must be gone (see gone).
	CheckDestroy func(e *Env, last *State) error
}

// Step is one step of a case, as in the provider's resource.TestStep.
type Step struct {
	// Config is the HCL of the step, without the provider block (the harness adds it).
	// Empty in an import step means the previous step's configuration.
	Config string
	// PreConfig runs before the step.
	PreConfig func(t *testing.T, e *Env)
	// Check runs against the state after apply; every check must hold.
	Check []Check
	// PlanOnly plans without applying; the plan must be empty unless ExpectNonEmptyPlan.
	PlanOnly bool
	// ExpectNonEmptyPlan allows changes in the plan that follows the apply.
	ExpectNonEmptyPlan bool
	// ExpectError must match terraform's output of a failing apply (or plan).
	ExpectError *regexp.Regexp

	// ImportState imports ResourceName into a fresh state with the step's configuration.
	ImportState  bool
	ResourceName string
	// ImportStateId overrides the ID to import (default: the resource's "id" attribute);
	// ImportStateIdFunc computes it from the current state.
	ImportStateId     string
	ImportStateIdFunc func(s *State) (string, error)
	// ImportStateVerify compares the imported attributes with the applied ones, but for the
	// ImportStateVerifyIgnore prefixes.
	ImportStateVerify       bool
	ImportStateVerifyIgnore []string
}

// Env is the world of one case: an orgconfig server and a terraform working directory.
type Env struct {
	T   *testing.T
	Srv *testserver.Server
	Dir string
	// AccountID is the account the provider runs as (the server's bootstrap account).
	AccountID string
	// Region is the region of the provider and of the Config client.
	Region string
	Ctx    context.Context

	Orgs   *organizations.Client
	Config *configservice.Client
	IAM    *iam.Client

	// remembered carries a value from one step's checks to a later step's (the provider's
	// tests keep such values in variables of the test function).
	remembered string

	lastConfig  string
	ownProvider bool
	extraEnv    []string
}

// Run runs the cases, each as a parallel subtest with its own server. The calling test runs in
// parallel with the package's other tests too, so that -parallel bounds the cases in flight
// across the whole suite (most of a case's time is the provider waiting on its own timers).
func Run(t *testing.T, cases []Case) {
	t.Helper()
	t.Parallel()
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			if tf.listTo != "" {
				listCase(c.Name)
				t.Skip("listing the cases (ORGCONFIG_TERRAFORM_LIST)")
			}
			if tf.skip != "" {
				if os.Getenv("CI") == "true" {
					t.Fatalf("%s; CI requires the Terraform suite", tf.skip)
				}
				t.Skip(tf.skip)
			}
			if tf.filter != nil && !tf.filter.MatchString(t.Name()) {
				t.Skipf("not selected by ORGCONFIG_TERRAFORM_CASES=%s", tf.filter)
			}
			t.Parallel()
			recordResult(t, c.Name)
			runCase(t, c)
		})
	}
}

func runCase(t *testing.T, c Case) {
	rec := newCallRecorder(t.Name())
	srv := testserver.Start(t, func(o *server.Options) { o.Logger = rec.logger() })
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	t.Cleanup(cancel)
	region := cmp.Or(c.Region, Region)
	cfg := srv.Config(region)
	e := &Env{
		T: t, Srv: srv, Dir: t.TempDir(), AccountID: testserver.AccountID, Region: region, Ctx: ctx,
		Orgs:   organizations.NewFromConfig(cfg),
		Config: configservice.NewFromConfig(cfg),
		IAM:    iam.NewFromConfig(cfg),
	}
	e.ownProvider, e.extraEnv = c.OwnProvider, c.ExtraEnv
	e.prepareDir()
	if c.Setup != nil {
		c.Setup(t, e)
	}
	var last *State
	applied := false
	for i, st := range c.Steps {
		name := fmt.Sprintf("step %d", i+1)
		if st.PreConfig != nil {
			st.PreConfig(t, e)
		}
		if st.ImportState {
			e.importStep(name, st)
			continue
		}
		e.writeConfig(st.Config)
		if st.PlanOnly {
			changed, out, err := e.plan()
			if err != nil {
				if st.ExpectError != nil && st.ExpectError.MatchString(out) {
					continue
				}
				t.Fatalf("%s: terraform plan: %v\n%s", name, err, out)
			}
			if changed && !st.ExpectNonEmptyPlan {
				t.Fatalf("%s: the plan is not empty:\n%s", name, out)
			}
			continue
		}
		out, err := e.terraform("apply", "-auto-approve", "-input=false", "-no-color")
		applied = true
		if st.ExpectError != nil {
			if err == nil {
				t.Fatalf("%s: apply succeeded, want an error matching %q\n%s", name, st.ExpectError, out)
			}
			if !st.ExpectError.MatchString(out) {
				t.Fatalf("%s: apply failed with an unexpected error (want %q):\n%s", name, st.ExpectError, out)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: terraform apply: %v\n%s", name, err, out)
		}
		last = e.state("terraform.tfstate")
		for _, chk := range st.Check {
			if err := chk(e, last); err != nil {
				t.Errorf("%s: check: %v", name, err)
			}
		}
		if t.Failed() {
			t.FailNow()
		}
		changed, pout, err := e.plan()
		if err != nil {
			t.Fatalf("%s: terraform plan after apply: %v\n%s", name, err, pout)
		}
		if changed && !st.ExpectNonEmptyPlan {
			t.Fatalf("%s: after applying, the plan is not empty:\n%s", name, pout)
		}
	}
	if !applied {
		return
	}
	out, err := e.terraform("destroy", "-auto-approve", "-input=false", "-no-color")
	if err != nil {
		t.Fatalf("terraform destroy: %v\n%s", err, out)
	}
	if last == nil {
		return
	}
	check := c.CheckDestroy
	if check == nil {
		check = checkAllGone
	}
	if err := check(e, last); err != nil {
		t.Fatalf("after destroy: %v", err)
	}
}

// importStep imports ResourceName into a separate state file and, with ImportStateVerify,
// compares its attributes with the applied state's.
func (e *Env) importStep(name string, st Step) {
	t := e.T
	if st.Config != "" {
		// The provider test framework imports in a working directory of its own: the step's
		// configuration does not replace the applied one that later steps and destroy use.
		if prev := e.lastConfig; prev != "" {
			defer e.writeConfig(prev)
		}
		e.writeConfig(st.Config)
	}
	cur := e.state("terraform.tfstate")
	id := st.ImportStateId
	if st.ImportStateIdFunc != nil {
		var err error
		if id, err = st.ImportStateIdFunc(cur); err != nil {
			t.Fatalf("%s: import ID: %v", name, err)
		}
	}
	if id == "" {
		id = cur.Attr(st.ResourceName, "id")
	}
	if id == "" {
		t.Fatalf("%s: %s has no id in the state", name, st.ResourceName)
	}
	imported := filepath.Join(e.Dir, "import.tfstate")
	os.Remove(imported)
	out, err := e.terraform("import", "-input=false", "-no-color", "-state="+imported, "-state-out="+imported, st.ResourceName, id)
	if st.ExpectError != nil {
		if err == nil || !st.ExpectError.MatchString(out) {
			t.Fatalf("%s: import: want an error matching %q, got %v\n%s", name, st.ExpectError, err, out)
		}
		return
	}
	if err != nil {
		t.Fatalf("%s: terraform import %s %s: %v\n%s", name, st.ResourceName, id, err, out)
	}
	if !st.ImportStateVerify {
		return
	}
	got := e.state(imported).Resource(st.ResourceName)
	want := cur.Resource(st.ResourceName)
	if got == nil || want == nil {
		t.Fatalf("%s: %s missing from the imported (%v) or applied (%v) state", name, st.ResourceName, got != nil, want != nil)
	}
	ignored := func(k string) bool {
		if k == "timeouts" || strings.HasPrefix(k, "timeouts.") {
			return true
		}
		for _, p := range st.ImportStateVerifyIgnore {
			if strings.HasPrefix(k, p) {
				return true
			}
		}
		return false
	}
	var diffs []string
	for k, v := range want {
		if ignored(k) {
			continue
		}
		if g, ok := got[k]; !ok || g != v {
			if !ok && emptyContainer(k, v) {
				continue
			}
			diffs = append(diffs, fmt.Sprintf("%s: applied %q, imported %q (present: %v)", k, v, g, ok))
		}
	}
	for k, g := range got {
		if _, ok := want[k]; !ok && !ignored(k) && !emptyContainer(k, g) {
			diffs = append(diffs, fmt.Sprintf("%s: not in the applied state, imported %q", k, g))
		}
	}
	if len(diffs) > 0 {
		sort.Strings(diffs)
		t.Fatalf("%s: ImportStateVerify of %s (id %s):\n  %s", name, st.ResourceName, id, strings.Join(diffs, "\n  "))
	}
}

func emptyContainer(k, v string) bool {
	return v == "0" && (strings.HasSuffix(k, ".#") || strings.HasSuffix(k, ".%"))
}

// prepareDir lays out the working directory as terraform init would, without running it: the
// dependency lock file and a link to the provider in the mirror.
func (e *Env) prepareDir() {
	if err := os.WriteFile(filepath.Join(e.Dir, ".terraform.lock.hcl"), tf.lock, 0o644); err != nil {
		e.T.Fatal(err)
	}
	link := filepath.Join(e.Dir, ".terraform", "providers", "registry.terraform.io", "hashicorp", "aws", providerVersion, "linux_amd64")
	if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
		e.T.Fatal(err)
	}
	if err := os.Symlink(tf.providerDir, link); err != nil {
		e.T.Fatal(err)
	}
}

// ProviderConfig is the provider block every configuration gets: orgconfig's endpoints and
// the bootstrap account's root credentials.
func (e *Env) ProviderConfig() string {
	return fmt.Sprintf(`terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = %q
    }
  }
}

provider "aws" {
  region                  = %q
  access_key              = %q
  secret_key              = %q
  skip_metadata_api_check = true

  endpoints {
    configservice = %q
    iam           = %q
    organizations = %q
    sts           = %q
  }
}
`, providerVersion, e.Region, testserver.AccessKey, testserver.SecretKey, e.Srv.Endpoint, e.Srv.Endpoint, e.Srv.Endpoint, e.Srv.Endpoint)
}

func (e *Env) writeConfig(cfg string) {
	if cfg == "" {
		cfg = e.lastConfig
	}
	e.lastConfig = cfg
	if !e.ownProvider {
		if err := os.WriteFile(filepath.Join(e.Dir, "provider.tf"), []byte(e.ProviderConfig()), 0o644); err != nil {
			e.T.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(e.Dir, "main.tf"), []byte(cfg), 0o644); err != nil {
		e.T.Fatal(err)
	}
}

// terraform runs terraform in the case's directory and returns its combined output.
func (e *Env) terraform(args ...string) (string, error) {
	cmd := exec.CommandContext(e.Ctx, tf.bin, args...)
	cmd.Dir = e.Dir
	cmd.Env = append(tf.env(e.Dir), e.extraEnv...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

// plan runs terraform plan and says whether it has changes.
func (e *Env) plan() (changed bool, out string, err error) {
	out, err = e.terraform("plan", "-detailed-exitcode", "-input=false", "-no-color")
	var ee *exec.ExitError
	if errors.As(err, &ee) && ee.ExitCode() == 2 {
		return true, out, nil
	}
	return false, out, err
}

// Terraform runs a terraform command in the case's directory (for steps that need more than
// apply, plan and import); a failure fails the test.
func (e *Env) Terraform(args ...string) string {
	out, err := e.terraform(args...)
	if err != nil {
		e.T.Fatalf("terraform %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return out
}

// State is a terraform state, its resources' attributes flattened as the provider test
// framework sees them ("tags.%", "roots.0.policy_types.#", ...).
type State struct {
	resources map[string]map[string]string // by address
	types     map[string]string            // address -> resource type
}

// Resource returns the flattened attributes of the resource at address, or nil.
func (s *State) Resource(address string) map[string]string { return s.resources[address] }

// Attr returns one attribute ("" when absent).
func (s *State) Attr(address, key string) string { return s.resources[address][key] }

// Addresses returns the managed resources' addresses.
func (s *State) Addresses() []string {
	var out []string
	for a := range s.resources {
		if !strings.HasPrefix(a, "data.") {
			out = append(out, a)
		}
	}
	sort.Strings(out)
	return out
}

// Type returns the resource type at address.
func (s *State) Type(address string) string { return s.types[address] }

func (e *Env) state(file string) *State {
	if !filepath.IsAbs(file) {
		file = filepath.Join(e.Dir, file)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		e.T.Fatalf("reading the state: %v", err)
	}
	s, err := parseState(b)
	if err != nil {
		e.T.Fatalf("parsing the state: %v", err)
	}
	return s
}

func parseState(b []byte) (*State, error) {
	var raw struct {
		Resources []struct {
			Module    string `json:"module"`
			Mode      string `json:"mode"`
			Type      string `json:"type"`
			Name      string `json:"name"`
			Instances []struct {
				IndexKey   any            `json:"index_key"`
				Attributes map[string]any `json:"attributes"`
			} `json:"instances"`
		} `json:"resources"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, err
	}
	s := &State{resources: map[string]map[string]string{}, types: map[string]string{}}
	for _, r := range raw.Resources {
		base := r.Type + "." + r.Name
		if r.Mode == "data" {
			base = "data." + base
		}
		if r.Module != "" {
			base = r.Module + "." + base
		}
		for _, in := range r.Instances {
			addr := base
			switch k := in.IndexKey.(type) {
			case float64:
				addr += "[" + strconv.FormatFloat(k, 'f', -1, 64) + "]"
			case string:
				addr += "[" + strconv.Quote(k) + "]"
			}
			flat := map[string]string{}
			for k, v := range in.Attributes {
				flatten(flat, k, v)
			}
			s.resources[addr] = flat
			s.types[addr] = r.Type
		}
	}
	return s, nil
}

// flatten writes v under key the way the provider test framework's flatmap does: lists and
// sets as "key.#" and "key.N...", maps as "key.%" and "key.K", nulls not at all.
func flatten(into map[string]string, key string, v any) {
	switch v := v.(type) {
	case nil:
	case string:
		into[key] = v
	case bool:
		into[key] = strconv.FormatBool(v)
	case float64:
		into[key] = strconv.FormatFloat(v, 'f', -1, 64)
	case []any:
		into[key+".#"] = strconv.Itoa(len(v))
		for i, x := range v {
			flatten(into, key+"."+strconv.Itoa(i), x)
		}
	case map[string]any:
		into[key+".%"] = strconv.Itoa(len(v))
		for k, x := range v {
			flatten(into, key+"."+k, x)
		}
	default:
		into[key] = fmt.Sprint(v)
	}
}
