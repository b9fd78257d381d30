package guard

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

// fuzzPolicies are evaluated against arbitrary documents by FuzzEvaluate and seed FuzzParse.
var fuzzPolicies = []string{
	dynamoTableActive,
	`let allowed = [22, 80, 443]
	let perms = configuration.ipPermissions[ some ipv4Ranges[*].cidrIp == "0.0.0.0/0" ]
	rule sg when resourceType == /SecurityGroup/ {
		configuration.ports[*] in %allowed
		when %perms !empty {
			%perms {
				let each = this
				fromPort == %each.toPort or fromPort < 1024
				ipProtocol != '-1' <<any protocol>>
			}
		}
	}
	rule other when sg { not sg or configuration.name == /^web/ }`,
	`rule types {
		configuration.* exists
		configuration.*.* !empty
		some configuration[*].x is_string or configuration is_struct
		configuration.a is_int or configuration.a is_float or configuration.a is_bool or configuration.a is_null
		configuration.list[0] == configuration.list[-1]
		configuration.list[ this > 1 ] !empty
		configuration.m[ x == 1 ].y in r(0, 10]
		tags.'Name' != null
		tags["a:b"] == { k: [1, 'two', /three/] }
		configuration.s in "abcdef"
		configuration.list not in [[1, 2], 3]
	}
	configuration exists`,
	`rule r { this == this }
	rule s { this.* == this.*.* or some this.*.* > this.* }`,
}

func FuzzParse(f *testing.F) {
	for _, p := range fuzzPolicies {
		f.Add(p)
	}
	for _, p := range []string{
		"rule r { x == 1 }", "rule r(x) { }", "AWS::S3::Bucket { x exists }", "let a = %a",
		"rule a { b } rule b { a }", "x[ keys == 1 ]", "<<", "/", "'", "%", "r[1,", "a.%b",
		"rule r when { }", "x == [[[[", "x[*][0][\"k\"].*", "not not x == 1",
	} {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, text string) {
		p, err := Parse(text)
		if err != nil {
			var se *SyntaxError
			var ue *UnsupportedError
			if !errors.As(err, &se) && !errors.As(err, &ue) {
				t.Fatalf("Parse returned %T: %v", err, err)
			}
			if p != nil {
				t.Fatal("Parse returned a policy and an error")
			}
			if se != nil && (se.Line < 1 || se.Column < 1) {
				t.Fatalf("bad position in %v", se)
			}
			return
		}
		// A policy that parses must evaluate without panicking against a few documents.
		for _, doc := range []string{`{}`, sampleCI, `{"configuration": {"a": [1, {"b": null}]}}`} {
			checkOutcome(t, p.Evaluate(decode(t, doc)))
		}
	})
}

func FuzzEvaluate(f *testing.F) {
	f.Add(sampleCI)
	f.Add(dynamoCI("ACTIVE", "ENABLED"))
	f.Add(`{"configuration": {"a": 1.5, "list": [3, 1, 3], "m": {"p": {"x": 1, "y": 5}}, "s": "bcd"}}`)
	f.Add(`[]`)
	f.Add(`null`)
	f.Add(`{"resourceType": 5, "configuration": {"ports": "x", "ipPermissions": {"a": []}}}`)
	f.Add(strings.Repeat(`{"a":`, 1000) + "1" + strings.Repeat("}", 1000))
	policies := make([]*Policy, len(fuzzPolicies))
	for i, text := range fuzzPolicies {
		policies[i] = mustParse(f, text)
	}
	f.Fuzz(func(t *testing.T, doc string) {
		dec := json.NewDecoder(strings.NewReader(doc))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			return
		}
		var plain any
		_ = json.Unmarshal([]byte(doc), &plain) // the float64 decoding too
		for _, p := range policies {
			checkOutcome(t, p.Evaluate(v))
			checkOutcome(t, p.Evaluate(plain))
		}
	})
}

// checkOutcome asserts the invariants every Outcome keeps.
func checkOutcome(t *testing.T, out Outcome) {
	t.Helper()
	want := Skip
	for _, r := range out.Rules {
		switch r.Status {
		case Pass, Fail, Skip:
		default:
			t.Fatalf("rule %s has status %q", r.Name, r.Status)
		}
		if r.Status != Fail && len(r.Messages) > 0 {
			t.Fatalf("rule %s is %s with messages %q", r.Name, r.Status, r.Messages)
		}
		if len(r.Messages) > maxMessages+1 {
			t.Fatalf("rule %s has %d messages", r.Name, len(r.Messages))
		}
		want = andStatus(want, r.Status)
	}
	if out.Status != want {
		t.Fatalf("overall %s, want %s for %+v", out.Status, want, out.Rules)
	}
}
