package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestControlSmoke runs the control scenario briefly against bare and orgconfig (after its
// setup: an organization with member accounts): every cell is measured, without errors, with
// a 200 answer.
func TestControlSmoke(t *testing.T) {
	o, err := parseFlags([]string{"-scenario", "control", "-targets", "bare,orgconfig", "-duration", "200ms", "-warmup", "50ms", "-concurrency", "1,2"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := run(context.Background(), o, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Cells) != 3*2*2 {
		t.Fatalf("%d cells, want 12", len(rep.Cells))
	}
	for _, c := range rep.Cells {
		if c.Skipped != "" || c.Requests == 0 || c.Errors != 0 {
			t.Errorf("cell %s c=%d on %s: skipped %q, %d requests, %d errors", c.Call, c.Concurrency, c.Target, c.Skipped, c.Requests, c.Errors)
		}
		if want := (answer{Status: 200}); c.Answer != want {
			t.Errorf("cell %s on %s: answer %s, want %s", c.Call, c.Target, c.Answer, want)
		}
		if c.Dials != c.Concurrency {
			t.Errorf("cell %s c=%d on %s: the raw client opened %d connections, want one per worker", c.Call, c.Concurrency, c.Target, c.Dials)
		}
		if c.Target == targetOrgconfig && c.VsBare <= 0 {
			t.Errorf("cell %s c=%d: no ratio to bare", c.Call, c.Concurrency)
		}
	}
	var md, js bytes.Buffer
	if err := rep.writeMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md.String(), "| STS GetCallerIdentity (Query) | 1 | orgconfig |") ||
		!strings.Contains(md.String(), "| Organizations DescribeOrganization (JSON 1.1) | 2 | orgconfig |") ||
		!strings.Contains(md.String(), "| Organizations ListAccounts (JSON 1.1) | 1 | orgconfig |") {
		t.Errorf("markdown report:\n%s", md.String())
	}
	if err := rep.writeJSON(&js); err != nil {
		t.Fatal(err)
	}
	var back report
	if err := json.Unmarshal(js.Bytes(), &back); err != nil || len(back.Cells) != len(rep.Cells) {
		t.Errorf("JSON report does not round-trip: %v", err)
	}
}

// TestControlJSONOp: -json-op adds the AWS Config call, with -accept-codes as its accepted
// errors; without it the control scenario has only the calls that answer 200.
func TestControlJSONOp(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{nil, []string{"sts:GetCallerIdentity", "organizations:DescribeOrganization", "organizations:ListAccounts"}},
		{[]string{"-json-op", "DescribeConfigurationAggregators"}, []string{"sts:GetCallerIdentity", "organizations:DescribeOrganization",
			"organizations:ListAccounts", "config:DescribeConfigurationAggregators"}},
	} {
		o, err := parseFlags(tc.args, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		calls, err := controlCalls(context.Background(), o)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, c := range calls {
			names = append(names, c.Name)
			if strings.HasPrefix(c.Name, "config:") != (len(c.Accept) > 0) {
				t.Errorf("%s: accepted codes %q", c.Name, c.Accept)
			}
		}
		if strings.Join(names, ",") != strings.Join(tc.want, ",") {
			t.Errorf("%q: calls %q, want %q", tc.args, names, tc.want)
		}
	}
}

// TestVsMoto: the ratio to moto is computed for orgconfig's cells, and the target only over
// the cells where both answer 2xx.
func TestVsMoto(t *testing.T) {
	r := &report{Cells: []Cell{
		{Call: "a", Target: targetOrgconfig, RPS: 3000, Answer: answer{Status: 200}},
		{Call: "a", Target: targetMoto, RPS: 100, Answer: answer{Status: 200}},
		{Call: "b", Target: targetOrgconfig, RPS: 2000, Answer: answer{Status: 400, Code: "NotImplementedException"}},
		{Call: "b", Target: targetMoto, RPS: 100, Answer: answer{Status: 200}},
		{Call: "c", Target: targetOrgconfig, RPS: 3500, Answer: answer{Status: 200}},
		{Call: "c", Target: targetMoto, RPS: 100, Answer: answer{Status: 200}},
	}}
	r.finish()
	if r.Cells[0].VsMoto != 30 || r.Cells[2].VsMoto != 20 || r.MinVsMoto != 30 || r.TargetVsMotoMet == nil || !*r.TargetVsMotoMet {
		t.Errorf("ratios %v %v, min %v, met %v", r.Cells[0].VsMoto, r.Cells[2].VsMoto, r.MinVsMoto, r.TargetVsMotoMet)
	}
}

func TestErrorCode(t *testing.T) {
	for _, tc := range []struct {
		h    http.Header
		body string
		want string
	}{
		{http.Header{"X-Amzn-Errortype": {"NotImplementedException:http://internal.amazon.com/"}}, "", "NotImplementedException"},
		{nil, `{"__type":"com.amazonaws.config#NoSuchConfigRuleException","message":"x"}`, "NoSuchConfigRuleException"},
		{nil, `<ErrorResponse><Error><Type>Sender</Type><Code>SignatureDoesNotMatch</Code></Error></ErrorResponse>`, "SignatureDoesNotMatch"},
		{nil, `<Response><Errors><Error><Code>InvalidAction</Code></Error></Errors></Response>`, "InvalidAction"},
	} {
		if got := errorCode(tc.h, []byte(tc.body)); got != tc.want {
			t.Errorf("errorCode(%v, %q) = %q, want %q", tc.h, tc.body, got, tc.want)
		}
	}
}

func TestMedianCell(t *testing.T) {
	got := medianCell([]Cell{{RPS: 3}, {RPS: 1}, {RPS: 2}})
	if got.RPS != 2 || len(got.RoundsRPS) != 3 || got.RoundsRPS[0] != 3 {
		t.Errorf("median = %+v", got)
	}
	if got := medianCell([]Cell{{RPS: 3}, {Skipped: "boom"}}); got.Skipped != "boom" {
		t.Errorf("a failed round must fail the cell: %+v", got)
	}
}

func TestParseFlagsRejects(t *testing.T) {
	for _, args := range [][]string{
		{"-scenario", "nope"},
		{"-targets", "aws"},
		{"-concurrency", "0"},
		{"-duration", "5m"},
		{"-duration", "0", "-count", "0"},
		{"-client", "curl"},
	} {
		if _, err := parseFlags(args, io.Discard); err == nil {
			t.Errorf("parseFlags(%q) accepted", args)
		}
	}
}

// TestReportDirectScenario: a scenario measured directly describes its backend and prints its
// notes, without the store-write scenario's table.
func TestReportDirectScenario(t *testing.T) {
	rep := &report{
		Options:       reportOpts{Scenarios: []string{"console"}},
		StoreBackends: []targetInfo{{Name: "orgconfig", Note: "in-process internal/server"}},
		Notes:         []string{"console: 100 loads"},
	}
	var md bytes.Buffer
	if err := rep.writeMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	s := md.String()
	if strings.Contains(s, "store-write") || strings.Contains(s, "| Backend |") {
		t.Errorf("the store-write table in a direct scenario's report:\n%s", s)
	}
	if !strings.Contains(s, "- `orgconfig`: in-process internal/server") || !strings.Contains(s, "- Note: console: 100 loads") {
		t.Errorf("report lacks the backend or the note:\n%s", s)
	}
}
