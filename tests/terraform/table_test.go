package terraform

import (
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
)

// The table of docs/COMPATIBILITY.md between these markers lists every provider test: the
// ported ones with their result in the last full run, the others with the reason they are not
// ported. ORGCONFIG_TERRAFORM_UPDATE_DOC=1 rewrites it from a full run; a full run without it
// fails when the table does not match.
const (
	tableBegin = "<!-- terraform-cases: begin -->"
	tableEnd   = "<!-- terraform-cases: end -->"
	tableDoc   = "../../docs/COMPATIBILITY.md"
)

// NotPorted is a provider test the suite does not run, and why.
type NotPorted struct{ Name, Reason string }

// notPorted collects the NotPorted lists of the port files (each adds its own in an init).
var notPorted []NotPorted

var results = struct {
	sync.Mutex
	m map[string]string // case name -> "pass", "FAIL", "skip"
}{m: map[string]string{}}

func recordResult(t *testing.T, name string) {
	t.Cleanup(func() {
		r := "pass"
		switch {
		case t.Failed():
			r = "FAIL"
		case t.Skipped():
			r = "skip"
		}
		results.Lock()
		results.m[name] = r
		results.Unlock()
	})
}

// fullRun reports whether every case of the package ran: no -run and no case filter.
func fullRun() bool {
	f := flag.Lookup("test.run")
	return tf.filter == nil && (f == nil || f.Value.String() == "")
}

func renderTable() string {
	results.Lock()
	defer results.Unlock()
	type row struct{ name, ported, result string }
	var rows []row
	for n, r := range results.m {
		res := "passes"
		if r != "pass" {
			res = r
		}
		rows = append(rows, row{n, "yes", res})
	}
	for _, n := range notPorted {
		rows = append(rows, row{n.Name, "no", n.Reason})
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].name < rows[j].name })
	var b strings.Builder
	b.WriteString("| provider test | ported | result, or why not ported |\n|---|---|---|\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "| %s | %s | %s |\n", r.name, r.ported, r.result)
	}
	return b.String()
}

// checkTable compares (or, with ORGCONFIG_TERRAFORM_UPDATE_DOC=1, rewrites) the table after
// a full run.
func checkTable() error {
	if !fullRun() {
		return nil
	}
	b, err := os.ReadFile(tableDoc)
	if err != nil {
		return err
	}
	doc := string(b)
	head, rest, ok1 := strings.Cut(doc, tableBegin)
	_, tail, ok2 := strings.Cut(rest, tableEnd)
	if !ok1 || !ok2 {
		return fmt.Errorf("%s has no %s ... %s markers", tableDoc, tableBegin, tableEnd)
	}
	want := renderTable()
	if os.Getenv("ORGCONFIG_TERRAFORM_UPDATE_DOC") == "1" {
		return os.WriteFile(tableDoc, []byte(head+tableBegin+"\n"+want+tableEnd+tail), 0o644)
	}
	got := strings.TrimSpace(strings.TrimPrefix(rest[:strings.Index(rest, tableEnd)], "\n"))
	if got != strings.TrimSpace(want) {
		return fmt.Errorf("the table of Terraform cases in %s does not match this run; rerun with ORGCONFIG_TERRAFORM_UPDATE_DOC=1 and review the diff.\nThis run:\n%s", tableDoc, want)
	}
	return nil
}

var listed struct {
	sync.Mutex
	names []string
}

func listCase(name string) {
	listed.Lock()
	listed.names = append(listed.names, name)
	listed.Unlock()
}

// writeList writes the ported cases ("ported<TAB>name") and the tests not ported
// ("not-ported<TAB>name<TAB>reason"), sorted, for tools that report on the suite.
func writeList(path string) error {
	listed.Lock()
	defer listed.Unlock()
	var lines []string
	for _, n := range listed.names {
		lines = append(lines, "ported\t"+n)
	}
	for _, n := range notPorted {
		lines = append(lines, "not-ported\t"+n.Name+"\t"+n.Reason)
	}
	sort.Strings(lines)
	return os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644)
}
