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

// TestControlSmoke runs the control scenario briefly against bare and orgconfig: every cell
// is measured, without errors, with the expected answers.
func TestControlSmoke(t *testing.T) {
	o, err := parseFlags([]string{"-scenario", "control", "-targets", "bare,orgconfig", "-duration", "200ms", "-warmup", "50ms", "-concurrency", "1,2"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := run(context.Background(), o, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Cells) != 2*2*2 {
		t.Fatalf("%d cells, want 8", len(rep.Cells))
	}
	for _, c := range rep.Cells {
		if c.Skipped != "" || c.Requests == 0 || c.Errors != 0 {
			t.Errorf("cell %s c=%d on %s: skipped %q, %d requests, %d errors", c.Call, c.Concurrency, c.Target, c.Skipped, c.Requests, c.Errors)
		}
		want := answer{Status: 200}
		if c.Target == targetOrgconfig && strings.HasPrefix(c.Call, "config:") {
			want = answer{Status: 400, Code: "NotImplementedException"}
		}
		if c.Answer != want {
			t.Errorf("cell %s on %s: answer %s, want %s", c.Call, c.Target, c.Answer, want)
		}
		if c.Target == targetOrgconfig && c.VsBare <= 0 {
			t.Errorf("cell %s c=%d: no ratio to bare", c.Call, c.Concurrency)
		}
	}
	var md, js bytes.Buffer
	if err := rep.writeMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md.String(), "| STS GetCallerIdentity (Query) | 1 | orgconfig |") || !strings.Contains(md.String(), "NotImplemented until Config lands") {
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
	} {
		if _, err := parseFlags(args, io.Discard); err == nil {
			t.Errorf("parseFlags(%q) accepted", args)
		}
	}
}
