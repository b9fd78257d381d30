package deps

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
)

// module is the module path; rules name packages relative to it.
const module = "github.com/orgconfig/orgconfig"

// A rule says which orgconfig packages some packages may not depend on, directly or through
// other packages. Patterns are package paths relative to the module: "internal/clock" is that
// package, "internal/configservice/..." is that package and every package under it, and a
// pattern with a * ("internal/api/*api") matches one path element as path.Match does.
type rule struct {
	// pkgs are the packages the rule applies to.
	pkgs []string
	// except are packages that pkgs match but the rule leaves out.
	except []string
	// forbid are the orgconfig packages pkgs must not depend on.
	forbid []string
	// only, when not nil, lists the only orgconfig packages pkgs may depend on (an empty list:
	// none at all). A rule has forbid or only, not both.
	only []string
	// tests applies the rule to the packages' test files too (what they import and what that
	// depends on). Otherwise only the code that is built into the packages counts.
	tests bool
	// why is the reason, as docs/ARCHITECTURE.md or the package's doc.go states it.
	why string
}

// services are the packages that implement the AWS services and their authorization.
var services = []string{
	"internal/organizations", "internal/iam", "internal/sts", "internal/configservice/...",
	"internal/rules", "internal/authz",
}

// testHelpers are the packages that exist only for tests.
var testHelpers = []string{"internal/testserver", "internal/store/storetest", "internal/store/postgres/pgtest"}

// rules is docs/ARCHITECTURE.md's "what it must never do" column, where an import can break it.
var rules = []rule{
	{
		pkgs: []string{
			"internal/clock", "internal/ids", "internal/memo", "internal/sealed", "internal/regions",
			"internal/pagetoken", "internal/awsproto", "internal/policy", "internal/guard",
		},
		only: []string{},
		why:  "the bottom of the graph: packages of every layer use them, so they import no orgconfig package",
	},
	{
		pkgs: []string{"internal/cfntemplate", "internal/rules", "internal/sigv4", "internal/store"},
		only: []string{},
		why:  "their doc.go says they import no orgconfig package: the template parser and the rule evaluators are pure, and the services depend on the signature verifier and the store interface, never the reverse",
	},
	{
		pkgs: []string{"internal/query"},
		only: []string{"internal/memo"},
		why:  "the query language is pure and never depends on the API layer: its one orgconfig import is the bounded map of its expression cache",
	},
	{
		pkgs: []string{"internal/api/*api"},
		only: []string{"internal/awsproto"},
		why:  "the generated API packages are the models and their awsproto glue, nothing more",
	},
	{
		pkgs: []string{"internal/store/sqlite", "internal/store/postgres"},
		only: []string{"internal/store"},
		why:  "a store backend implements the store interface and knows nothing above it",
	},
	{
		pkgs:   services,
		forbid: []string{"internal/server", "internal/console"},
		why:    "a service is called by the server's request pipeline; it never depends on the server that wires it or on the web console",
	},
	{
		pkgs:   []string{"internal/console"},
		forbid: []string{"internal/store/..."},
		why:    "the console must never read or write the store: every page is SDK calls through the API pipeline, signed as the signed-in principal",
	},
	{
		pkgs:   []string{"internal/console"},
		forbid: []string{"internal/organizations", "internal/iam", "internal/sts", "internal/configservice/...", "internal/authz", "internal/identity", "internal/jobs"},
		why:    "the console must never act with any authority but the session's: it reaches the services only through the API pipeline, which authenticates and authorizes every call",
	},
	{
		pkgs:   []string{"..."},
		except: append([]string{"bench/...", "tests/..."}, testHelpers...),
		forbid: testHelpers,
		why:    "test helpers are for tests: only test files, bench and tests/* may import them, so neither the server nor the binary depends on its test harness",
	},
	{
		pkgs:   []string{"internal/..."},
		forbid: []string{"cmd/...", "tests/...", "bench/..."},
		tests:  true,
		why:    "internal packages are the program; the command, the black-box suites and the benchmarks sit on top of them",
	},
	{
		pkgs:   []string{"internal/..."},
		except: []string{"internal/gogc"},
		forbid: []string{"internal/gogc"},
		tests:  true,
		why:    "the collector's target is the process's business: only main packages (orgconfig serve, the benchmarks) set it",
	},
	// The areas of AWS Config, each importing only the ones below it:
	// core < recording < evaluation < aggregation < conformance, advancedquery < configservice.
	{
		pkgs:   []string{"internal/configservice/core"},
		forbid: []string{"internal/configservice", "internal/configservice/*"},
		why:    "core is what every area of the Config service shares; it imports none of them",
	},
	{
		pkgs:   []string{"internal/configservice/recording"},
		forbid: []string{"internal/configservice", "internal/configservice/evaluation", "internal/configservice/aggregation", "internal/configservice/conformance", "internal/configservice/advancedquery", "internal/configservice/importer"},
		tests:  true,
		why:    "recording is the bottom area: evaluation learns of item changes through a hook, not an import",
	},
	{
		pkgs:   []string{"internal/configservice/importer"},
		forbid: []string{"internal/configservice", "internal/configservice/evaluation", "internal/configservice/aggregation", "internal/configservice/conformance", "internal/configservice/advancedquery"},
		tests:  true,
		why:    "the importer writes through the recording area only",
	},
	{
		pkgs:   []string{"internal/configservice/evaluation"},
		forbid: []string{"internal/configservice", "internal/configservice/aggregation", "internal/configservice/conformance", "internal/configservice/advancedquery"},
		tests:  true,
		why:    "evaluation builds on recording only",
	},
	{
		pkgs:   []string{"internal/configservice/aggregation"},
		forbid: []string{"internal/configservice", "internal/configservice/conformance", "internal/configservice/advancedquery"},
		tests:  true,
		why:    "aggregation reads the recording and evaluation areas; conformance and advanced queries build on it",
	},
	{
		pkgs:   []string{"internal/configservice/conformance"},
		forbid: []string{"internal/configservice", "internal/configservice/advancedquery"},
		tests:  true,
		why:    "conformance and advanced queries are siblings at the top: nothing depends on them but the Service",
	},
	{
		pkgs:   []string{"internal/configservice/advancedquery"},
		forbid: []string{"internal/configservice", "internal/configservice/conformance"},
		tests:  true,
		why:    "conformance and advanced queries are siblings at the top: nothing depends on them but the Service",
	},
}

// pkg is one package of the module as go list describes it.
type pkg struct {
	path        string   // relative to the module: "internal/clock"
	imports     []string // orgconfig imports of its non-test code, relative
	testImports []string // orgconfig imports of its test files (internal and external tests), relative
	deps        []string // orgconfig packages its non-test code depends on, relative
}

// graph maps a package's relative path to it.
type graph map[string]*pkg

// TestDependencies applies every rule to the module's import graph.
func TestDependencies(t *testing.T) {
	g := loadGraph(t)
	for _, r := range rules {
		for _, v := range r.check(g) {
			t.Error(v)
		}
	}
}

// TestRulesMatch keeps the table honest: every pattern of every rule names at least one package
// of the module, so a renamed or mistyped package cannot turn a rule into a no-op.
func TestRulesMatch(t *testing.T) {
	g := loadGraph(t)
	for i, r := range rules {
		if (r.forbid == nil) == (r.only == nil) {
			t.Errorf("rule %d (%s): give forbid or only, not both or neither", i, r.why)
		}
		for _, list := range [][]string{r.pkgs, r.except, r.forbid, r.only} {
			for _, p := range list {
				if !g.matchesAny(p) {
					t.Errorf("rule %d (%s): pattern %q matches no package of the module", i, r.why, p)
				}
			}
		}
		if len(r.applies(g)) == 0 {
			t.Errorf("rule %d (%s) applies to no package", i, r.why)
		}
	}
}

// TestRuleEngine checks the checker on a graph made up for it, so that a rule that should fail
// is known to fail even while the module keeps every rule.
func TestRuleEngine(t *testing.T) {
	g := graph{}
	add := func(p string, imports, testImports []string) {
		g[p] = &pkg{path: p, imports: imports, testImports: testImports}
	}
	add("internal/a", []string{"internal/b"}, []string{"tests/x"})
	add("internal/b", []string{"internal/c"}, nil)
	add("internal/c", nil, nil)
	add("internal/d", nil, []string{"internal/c"})
	add("tests/x", []string{"internal/c"}, nil)
	g.computeDeps()
	if got := g["internal/a"].deps; !slices.Equal(got, []string{"internal/b", "internal/c"}) {
		t.Fatalf("deps of internal/a: %v", got)
	}
	for _, c := range []struct {
		r    rule
		want []string
	}{
		{rule{pkgs: []string{"internal/a"}, forbid: []string{"internal/c"}},
			[]string{"internal/a depends on internal/c (internal/a → internal/b → internal/c): why"}},
		{rule{pkgs: []string{"internal/..."}, forbid: []string{"internal/c"}},
			[]string{"internal/a depends on internal/c (internal/a → internal/b → internal/c): why",
				"internal/b depends on internal/c (internal/b → internal/c): why"}},
		{rule{pkgs: []string{"internal/..."}, except: []string{"internal/a"}, forbid: []string{"internal/c"}},
			[]string{"internal/b depends on internal/c (internal/b → internal/c): why"}},
		{rule{pkgs: []string{"internal/b"}, only: []string{}},
			[]string{"internal/b depends on internal/c (internal/b → internal/c), outside what it may import (none): why"}},
		{rule{pkgs: []string{"internal/a"}, only: []string{"internal/b", "internal/c"}}, nil},
		{rule{pkgs: []string{"internal/..."}, forbid: []string{"tests/..."}}, nil},
		{rule{pkgs: []string{"internal/..."}, forbid: []string{"tests/..."}, tests: true},
			[]string{"internal/a depends on tests/x (internal/a [test] → tests/x): why"}},
		{rule{pkgs: []string{"internal/d"}, forbid: []string{"internal/c"}, tests: true},
			[]string{"internal/d depends on internal/c (internal/d [test] → internal/c): why"}},
	} {
		c.r.why = "why"
		if got := c.r.check(g); !slices.Equal(got, c.want) {
			t.Errorf("rule %+v:\n got %q\nwant %q", c.r, got, c.want)
		}
	}
	for _, c := range []struct {
		pattern, p string
		want       bool
	}{
		{"internal/clock", "internal/clock", true},
		{"internal/clock", "internal/clockwork", false},
		{"internal/store/...", "internal/store", true},
		{"internal/store/...", "internal/store/sqlite", true},
		{"internal/store/...", "internal/storage", false},
		{"internal/api/*api", "internal/api/iamapi", true},
		{"internal/api/*api", "internal/api/gen", false},
		{"internal/api/*api", "internal/api/iamapi/x", false},
		{"...", "cmd/orgconfig", true},
	} {
		if got := match(c.pattern, c.p); got != c.want {
			t.Errorf("match(%q, %q) = %v", c.pattern, c.p, got)
		}
	}
}

// check returns one message per (package, forbidden dependency) pair, sorted.
func (r rule) check(g graph) []string {
	var out []string
	for _, p := range r.applies(g) {
		for _, d := range r.reach(g, p) {
			if d == p.path {
				continue
			}
			if r.only != nil {
				if !anyMatch(r.only, d) {
					allowed := "none"
					if len(r.only) > 0 {
						allowed = strings.Join(r.only, ", ")
					}
					out = append(out, fmt.Sprintf("%s depends on %s (%s), outside what it may import (%s): %s",
						p.path, d, strings.Join(g.chain(p, d, r.tests), " → "), allowed, r.why))
				}
				continue
			}
			if anyMatch(r.forbid, d) {
				out = append(out, fmt.Sprintf("%s depends on %s (%s): %s", p.path, d, strings.Join(g.chain(p, d, r.tests), " → "), r.why))
			}
		}
	}
	slices.Sort(out)
	return out
}

// applies returns the packages the rule applies to, sorted by path.
func (r rule) applies(g graph) []*pkg {
	var out []*pkg
	for _, p := range g {
		if anyMatch(r.pkgs, p.path) && !anyMatch(r.except, p.path) {
			out = append(out, p)
		}
	}
	slices.SortFunc(out, func(a, b *pkg) int { return strings.Compare(a.path, b.path) })
	return out
}

// reach returns the orgconfig packages p depends on: its non-test code's dependencies and, for
// a rule that covers tests, its test files' imports and their dependencies. Sorted, no
// duplicates.
func (r rule) reach(g graph, p *pkg) []string {
	out := slices.Clone(p.deps)
	if r.tests {
		for _, ti := range p.testImports {
			out = append(out, ti)
			if q := g[ti]; q != nil {
				out = append(out, q.deps...)
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// chain returns the shortest import path from p to dep, p first: through p's non-test imports,
// or, when tests is set and no such path exists, starting with one of its test files' imports
// (marked "[test]").
func (g graph) chain(p *pkg, dep string, tests bool) []string {
	if c := g.shortest(p.path, p.imports, dep); c != nil {
		return c
	}
	if tests {
		if c := g.shortest(p.path+" [test]", p.testImports, dep); c != nil {
			return c
		}
	}
	return []string{p.path, "…", dep}
}

// shortest is a breadth-first search from the imports first to dep, through non-test imports.
func (g graph) shortest(from string, first []string, dep string) []string {
	prev := map[string]string{}
	queue := []string{}
	for _, i := range first {
		if _, seen := prev[i]; !seen {
			prev[i] = from
			queue = append(queue, i)
		}
	}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		if cur == dep {
			var c []string
			for n := cur; n != from; n = prev[n] {
				c = append(c, n)
			}
			c = append(c, from)
			slices.Reverse(c)
			return c
		}
		if q := g[cur]; q != nil {
			for _, i := range q.imports {
				if _, seen := prev[i]; !seen {
					prev[i] = cur
					queue = append(queue, i)
				}
			}
		}
	}
	return nil
}

// computeDeps fills every package's deps from the imports (for the made-up graph of
// TestRuleEngine; go list gives them for the module's).
func (g graph) computeDeps() {
	for _, p := range g {
		seen := map[string]bool{}
		var walk func(string)
		walk = func(i string) {
			if seen[i] {
				return
			}
			seen[i] = true
			if q := g[i]; q != nil {
				for _, j := range q.imports {
					walk(j)
				}
			}
		}
		for _, i := range p.imports {
			walk(i)
		}
		p.deps = slices.Sorted(func(yield func(string) bool) {
			for d := range seen {
				if !yield(d) {
					return
				}
			}
		})
	}
}

// matchesAny reports whether pattern matches a package of the graph.
func (g graph) matchesAny(pattern string) bool {
	for p := range g {
		if match(pattern, p) {
			return true
		}
	}
	return false
}

// match reports whether pattern (relative to the module) matches the package path p.
func match(pattern, p string) bool {
	if pattern == "..." {
		return true
	}
	if prefix, ok := strings.CutSuffix(pattern, "/..."); ok {
		return p == prefix || strings.HasPrefix(p, prefix+"/")
	}
	ok, err := path.Match(pattern, p)
	return err == nil && ok
}

func anyMatch(patterns []string, p string) bool {
	return slices.ContainsFunc(patterns, func(pattern string) bool { return match(pattern, p) })
}

// listFormat is what go list prints for each package, tab-separated: its path, its imports, its
// test files' imports (internal and external tests) and its dependencies.
const listFormat = `{{.ImportPath}}{{"\t"}}{{join .Imports " "}}{{"\t"}}{{join .TestImports " "}} {{join .XTestImports " "}}{{"\t"}}{{join .Deps " "}}`

// graphCache keeps the module's graph between the tests of one run: go list runs once.
var graphCache graph

// loadGraph runs go list -deps once over the whole module and keeps its packages, with their
// imports and dependencies restricted to the module's own packages.
func loadGraph(t *testing.T) graph {
	t.Helper()
	if graphCache != nil {
		return graphCache
	}
	goCmd := goCommand(t)
	cmd := exec.Command(goCmd, "list", "-deps", "-f", listFormat, module+"/...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s list -deps: %v\n%s", goCmd, err, stderr.String())
	}
	g := graph{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 0, 1<<20), 16<<20)
	for sc.Scan() {
		f := strings.Split(sc.Text(), "\t")
		if len(f) != 4 {
			t.Fatalf("go list printed %q", sc.Text())
		}
		rel, ok := relative(f[0])
		if !ok {
			continue // the standard library and other modules
		}
		g[rel] = &pkg{path: rel, imports: own(f[1]), testImports: own(f[2]), deps: own(f[3])}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if len(g) == 0 || g["internal/server"] == nil {
		t.Fatalf("go list found no packages of %s (%d lines of output)", module, bytes.Count(out, []byte("\n")))
	}
	graphCache = g
	return g
}

// relative returns the package path relative to the module, if it is in the module.
func relative(importPath string) (string, bool) {
	if rest, ok := strings.CutPrefix(importPath, module+"/"); ok {
		return rest, true
	}
	return "", false
}

// own returns the module's packages among space-separated import paths, relative and sorted.
func own(list string) []string {
	var out []string
	for _, f := range strings.Fields(list) {
		if rel, ok := relative(f); ok {
			out = append(out, rel)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// goCommand returns the go command of the toolchain that runs the test, or else the one in
// PATH. Without one the test skips, except under CI=true, where it fails.
func goCommand(t *testing.T) string {
	t.Helper()
	exe := "go"
	if runtime.GOOS == "windows" {
		exe += ".exe"
	}
	if root := runtime.GOROOT(); root != "" {
		p := filepath.Join(root, "bin", exe)
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("go"); err == nil {
		return p
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("CI=true but no go command was found (neither in GOROOT/bin nor in PATH): CI must check the dependency rules")
	}
	t.Skip("no go command found (neither in GOROOT/bin nor in PATH): the dependency rules are not checked")
	return ""
}
