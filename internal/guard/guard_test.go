package guard

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// decode parses a JSON document the way callers should: with UseNumber.
func decode(t testing.TB, doc string) any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(doc))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("bad test document: %v", err)
	}
	return v
}

// mustParse parses a policy or fails the test.
func mustParse(t testing.TB, text string) *Policy {
	t.Helper()
	p, err := Parse(text)
	if err != nil {
		t.Fatalf("Parse(%q): %v", text, err)
	}
	return p
}

// ruleStatus finds a rule's status in an outcome.
func ruleStatus(t testing.TB, out Outcome, name string) RuleOutcome {
	t.Helper()
	for _, r := range out.Rules {
		if r.Name == name {
			return r
		}
	}
	t.Fatalf("no rule %q in outcome %+v", name, out)
	return RuleOutcome{}
}

// sampleCI is a configuration item with every kind of value the clause tests need.
const sampleCI = `{
  "version": "1.3",
  "accountId": "123456789012",
  "resourceType": "AWS::EC2::SecurityGroup",
  "resourceId": "sg-1",
  "awsRegion": "us-east-1",
  "configuration": {
    "name": "web-sg",
    "count": 3,
    "ratio": 1.5,
    "enabled": true,
    "nothing": null,
    "emptyList": [],
    "emptyMap": {},
    "emptyStr": "",
    "ports": [22, 80, 443],
    "statuses": ["ACTIVE"],
    "tags": [{"key": "env", "value": "prod"}, {"key": "app", "value": "web"}],
    "ipPermissions": [
      {"fromPort": 22, "toPort": 22, "ipProtocol": "tcp", "ipv4Ranges": [{"cidrIp": "10.0.0.0/8"}]},
      {"fromPort": 80, "toPort": 80, "ipProtocol": "tcp", "ipv4Ranges": [{"cidrIp": "0.0.0.0/0"}]}
    ],
    "nested": {"a": {"b": {"c": "deep"}}}
  },
  "supplementaryConfiguration": {},
  "tags": {"Name": "web", "aws:cloudformation:stack-name": "stack1"}
}`

// TestClauses checks each construct alone, as the only clause of a rule.
func TestClauses(t *testing.T) {
	cases := []struct {
		clause string
		want   Status
	}{
		// equality and literals
		{`configuration.name == "web-sg"`, Pass},
		{`configuration.name == 'web-sg'`, Pass},
		{`configuration.name == "db"`, Fail},
		{`configuration.name != "db"`, Pass},
		{`configuration.name != "web-sg"`, Fail},
		{`configuration.count == 3`, Pass},
		{`configuration.count == 3.0`, Pass},
		{`configuration.count == "3"`, Fail},
		{`configuration.count != "3"`, Pass},
		{`configuration.enabled == true`, Pass},
		{`configuration.enabled == TRUE`, Pass},
		{`configuration.enabled == false`, Fail},
		{`configuration.nothing == null`, Pass},
		{`configuration.nested.a == { b: { "c": 'deep' } }`, Pass},
		{`configuration.nested.a == { b: { c: "shallow" } }`, Fail},
		{`configuration.ports == [22, 80, 443]`, Pass},
		{`configuration.ports == [22, 80]`, Fail},
		{`configuration.statuses == ["ACTIVE"]`, Pass},
		{`configuration.statuses == "ACTIVE"`, Pass},
		{`configuration.name == ["web-sg"]`, Pass},
		{`configuration.name == ["web-sg", "x"]`, Fail},
		// ordering
		{`configuration.ratio > 1`, Pass},
		{`configuration.ratio < 1.5`, Fail},
		{`configuration.count < 3`, Fail},
		{`configuration.count <= 3`, Pass},
		{`configuration.count >= 4`, Fail},
		{`configuration.count > -1`, Pass},
		{`configuration.name > "a"`, Pass},
		{`configuration.name > 1`, Fail},
		{`configuration.ports > 10`, Pass},
		{`configuration.ports < 100`, Fail},
		{`configuration.emptyList < 1`, Fail},
		// missing values
		{`configuration.missing == 1`, Fail},
		{`configuration.missing.deeper == 1`, Fail},
		{`configuration.missing != 1`, Fail},
		{`configuration.name.deeper == 1`, Fail},
		// regex
		{`configuration.name == /^web/`, Pass},
		{`configuration.name == /(?i)WEB-SG/`, Pass},
		{`configuration.name != /^db/`, Pass},
		{`configuration.name != /sg$/`, Fail},
		{`configuration.count == /3/`, Fail},
		{`resourceType == /AWS::EC2::/`, Pass},
		// in
		{`configuration.name in ["web-sg", "db-sg"]`, Pass},
		{`configuration.name IN ["db-sg"]`, Fail},
		{`configuration.name not in ["db-sg"]`, Pass},
		{`configuration.name NOT IN ["web-sg"]`, Fail},
		{`configuration.name !in ["db-sg"]`, Pass},
		{`configuration.name in [/^web/, /^db/]`, Pass},
		{`configuration.count in r[1,3]`, Pass},
		{`configuration.count in r[1,3)`, Fail},
		{`configuration.count in r(3, 10]`, Fail},
		{`configuration.ratio in r(1, 2)`, Pass},
		{`configuration.count not in r[4, 5]`, Pass},
		{`configuration.ports in [22, 80, 443, 8080]`, Pass},
		{`configuration.ports in [22, 80]`, Fail},
		{`configuration.ports not in [3389]`, Pass},
		{`configuration.ports not in [22]`, Fail},
		{`configuration.name in "my-web-sg-1"`, Pass},
		{`configuration.missing in [1]`, Fail},
		// wildcards, indexes and keys
		{`configuration.ports[*] > 10`, Pass},
		{`configuration.ports[*] > 30`, Fail},
		{`some configuration.ports[*] == 443`, Pass},
		{`some configuration.ports[*] == 8080`, Fail},
		{`SOME configuration.ports[*] == 80`, Pass},
		{`configuration.ports[0] == 22`, Pass},
		{`configuration.ports[-1] == 443`, Pass},
		{`configuration.ports[5] == 1`, Fail},
		{`configuration.ports.1 == 80`, Pass},
		{`configuration.tags[*].key in ["env", "app"]`, Pass},
		{`configuration.emptyList[*] == 1`, Fail},
		{`configuration.emptyList[*] !exists`, Pass},
		{`configuration.nested.* exists`, Pass},
		{`configuration.emptyMap.* exists`, Fail},
		{`configuration.nested.*.*.c == "deep"`, Pass},
		{`tags.* is_string`, Pass},
		{`tags["aws:cloudformation:stack-name"] == "stack1"`, Pass},
		{`tags.'aws:cloudformation:stack-name' == "stack1"`, Pass},
		{`this.resourceType == "AWS::EC2::SecurityGroup"`, Pass},
		// filters
		{`configuration.tags[ key == "env" ].value == "prod"`, Pass},
		{`configuration.tags[ key == "env" ].value == "dev"`, Fail},
		{`configuration.tags[ key == "none" ].value == "prod"`, Skip},
		{`configuration.tags[ key == "env" value == "prod" ] !empty`, Pass},
		{`configuration.tags[ key == "none" ] empty`, Pass},
		{`configuration.tags[ key == "none" ] !empty`, Fail},
		{`configuration.ipPermissions[ some ipv4Ranges[*].cidrIp == "0.0.0.0/0" ].fromPort == 80`, Pass},
		{`configuration.ipPermissions[ fromPort == 22 ].ipProtocol == "udp"`, Fail},
		{`configuration.ports[ this > 100 ] == 443`, Pass},
		{`configuration.ports[ this == 22 or this == 443 ] !empty`, Pass},
		{`configuration.nested[ b exists ] !empty`, Pass},
		{`configuration.nested[ z exists ] exists`, Skip},
		{`configuration.ipPermissions[ ipv4Ranges[*] { cidrIp == /^10\./ } ].fromPort == 22`, Pass},
		// exists and empty
		{`configuration.name exists`, Pass},
		{`configuration.missing exists`, Fail},
		{`configuration.missing !exists`, Pass},
		{`configuration.missing not exists`, Pass},
		{`configuration.missing NOT EXISTS`, Pass},
		{`configuration.nothing exists`, Pass},
		{`configuration.emptyList empty`, Pass},
		{`configuration.emptyMap empty`, Pass},
		{`configuration.emptyStr empty`, Pass},
		{`configuration.nothing empty`, Pass},
		{`configuration.missing empty`, Pass},
		{`configuration.ports !empty`, Pass},
		{`configuration.ports NOT EMPTY`, Pass},
		{`configuration.ports empty`, Fail},
		{`configuration.count empty`, Fail},
		{`configuration.count !empty`, Fail},
		// type checks
		{`configuration.name is_string`, Pass},
		{`configuration.name !is_string`, Fail},
		{`configuration.count is_string`, Fail},
		{`configuration.ports is_list`, Pass},
		{`configuration.nested is_struct`, Pass},
		{`configuration.enabled is_bool`, Pass},
		{`configuration.count is_int`, Pass},
		{`configuration.ratio is_float`, Pass},
		{`configuration.ratio is_int`, Fail},
		{`configuration.nothing is_null`, Pass},
		{`configuration.name not is_null`, Pass},
		{`configuration.missing is_string`, Fail},
		{`configuration.missing !is_string`, Pass},
		// negation of a whole clause
		{`not configuration.name == "db"`, Pass},
		{`!configuration.name == "web-sg"`, Fail},
		{`not configuration.tags[ key == "none" ].value == "x"`, Skip},
		// right-hand side queries
		{`configuration.count == configuration.count`, Pass},
		{`configuration.ratio > configuration.count`, Fail},
		{`configuration.count == configuration.missing`, Fail},
		{`configuration.count != configuration.missing`, Fail},
		{`configuration.count == configuration.tags[ key == "none" ].value`, Fail},
		{`configuration.ports[*] in configuration.ports`, Pass},
		{`configuration.ports[0] == r[0]`, Fail}, // a key named r, not a range: unresolved
		{`configuration.ports[0] == r[-1, 22]`, Pass},
		{`22 in configuration.ports`, Fail}, // a literal cannot start a clause; see TestSyntaxErrors
	}
	doc := decode(t, sampleCI)
	for _, c := range cases {
		t.Run(c.clause, func(t *testing.T) {
			if strings.HasPrefix(c.clause, "22 ") {
				if _, err := Parse("rule r { " + c.clause + " }"); err == nil {
					t.Fatal("expected a syntax error")
				}
				return
			}
			p := mustParse(t, "rule r {\n    "+c.clause+"\n}\n")
			out := p.Evaluate(doc)
			if got := ruleStatus(t, out, "r"); got.Status != c.want {
				t.Fatalf("got %s, want %s (messages %q)", got.Status, c.want, got.Messages)
			}
			if out.Status != c.want {
				t.Fatalf("overall %s, want %s", out.Status, c.want)
			}
		})
	}
}

// TestPolicies checks multi-clause policies: CNF, let, blocks, rule composition.
func TestPolicies(t *testing.T) {
	cases := []struct {
		name   string
		policy string
		want   map[string]Status
	}{
		{"conjunction all pass", `rule r {
			configuration.name == "web-sg"
			configuration.count == 3
		}`, map[string]Status{"r": Pass}},
		{"conjunction one fails", `rule r {
			configuration.name == "web-sg"
			configuration.count == 4
		}`, map[string]Status{"r": Fail}},
		{"or passes", `rule r { configuration.name == "a" or configuration.name == "web-sg" }`, map[string]Status{"r": Pass}},
		{"OR fails", `rule r { configuration.name == "a" OR configuration.count == 4 }`, map[string]Status{"r": Fail}},
		{"or across lines binds tighter than and", `rule r {
			configuration.name == "a" or
			configuration.name == "web-sg"
			configuration.count == 3 or configuration.count == 4
		}`, map[string]Status{"r": Pass}},
		{"or line start", `rule r {
			configuration.count == 4
			or configuration.count == 3
		}`, map[string]Status{"r": Pass}},
		{"cnf second disjunction fails", `rule r {
			configuration.name == "a" or configuration.name == "web-sg"
			configuration.count == 5 or configuration.count == 4
		}`, map[string]Status{"r": Fail}},
		{"skip and pass is pass", `rule r {
			configuration.tags[ key == "none" ].value == "x"
			configuration.count == 3
		}`, map[string]Status{"r": Pass}},
		{"file let literal", `let n = "web-sg"
		rule r { configuration.name == %n }`, map[string]Status{"r": Pass}},
		{"file let list with in", `let allowed = [22, 80, 443]
		rule r { configuration.ports[*] in %allowed }`, map[string]Status{"r": Pass}},
		{"file let query", `let ports = configuration.ports[*]
		rule r { %ports > 10 }`, map[string]Status{"r": Pass}},
		{"let used before declaration in the same block", `rule r {
			%p == 3
			let p = configuration.count
		}`, map[string]Status{"r": Pass}},
		{"rule let query with filter and when guard", `rule r {
			let open = configuration.ipPermissions[ some ipv4Ranges[*].cidrIp == "0.0.0.0/0" ]
			when %open !empty {
				%open.fromPort == 443
			}
		}`, map[string]Status{"r": Fail}},
		{"when guard skips on empty filter", `rule r {
			let udp = configuration.ipPermissions[ ipProtocol == "udp" ]
			when %udp !empty {
				%udp.fromPort == 443
			}
		}`, map[string]Status{"r": Skip}},
		{"variable of a filter that selected nothing", `let udp = configuration.ipPermissions[ ipProtocol == "udp" ]
		rule r { %udp.fromPort == 443 }
		rule e { %udp empty }`, map[string]Status{"r": Skip, "e": Pass}},
		{"query block passes", `rule r {
			configuration.ipPermissions[*] {
				fromPort == toPort
				ipProtocol == "tcp"
			}
		}`, map[string]Status{"r": Pass}},
		{"query block fails", `rule r {
			configuration.ipPermissions[*] {
				ipv4Ranges[*].cidrIp != "0.0.0.0/0"
			}
		}`, map[string]Status{"r": Fail}},
		{"some query block", `rule r {
			some configuration.ipPermissions[*] {
				ipv4Ranges[*].cidrIp == "0.0.0.0/0"
			}
		}`, map[string]Status{"r": Pass}},
		{"query block over missing key fails", `rule r {
			configuration.missing[*] { this exists }
		}`, map[string]Status{"r": Fail}},
		{"query block over empty filter skips", `rule r {
			configuration.ipPermissions[ ipProtocol == "udp" ] { fromPort == 1 }
		}`, map[string]Status{"r": Skip}},
		{"variable block", `let perms = configuration.ipPermissions[*]
		rule r { %perms { fromPort exists } }`, map[string]Status{"r": Pass}},
		{"this in block with let", `rule r {
			configuration.ipPermissions[*] {
				let perm = this
				%perm.fromPort == %perm.toPort
				fromPort == %perm.toPort
			}
		}`, map[string]Status{"r": Pass}},
		{"nested blocks with outer variable (docs example)", `rule r {
			let ports = configuration.ports[*]
			configuration.ipPermissions[*] {
				when fromPort exists
				     toPort exists {
					let each = this
					%ports {
						this < %each.fromPort or
						this > %each.toPort
					}
				}
			}
		}`, map[string]Status{"r": Fail}},
		{"when block passes", `rule r {
			when configuration.enabled == true { configuration.count == 3 }
		}`, map[string]Status{"r": Pass}},
		{"when block skips", `rule r {
			when configuration.enabled == false { configuration.count == 99 }
		}`, map[string]Status{"r": Skip}},
		{"when on missing key skips", `rule r {
			when configuration.missing == 1 { configuration.count == 99 }
		}`, map[string]Status{"r": Skip}},
		{"when block failing body", `rule r {
			when configuration.enabled == true { configuration.count == 99 }
		}`, map[string]Status{"r": Fail}},
		{"when condition uses a let of its block", `rule r {
			when %c == 3 {
				let c = configuration.count
				%c > 1
			}
		}`, map[string]Status{"r": Pass}},
		{"rule when not matching resource type", `rule r when resourceType == "AWS::S3::Bucket" {
			configuration.missing == 1
		}`, map[string]Status{"r": Skip}},
		{"rule when matching resource type", `rule r when resourceType == "AWS::EC2::SecurityGroup" {
			configuration.count == 3
		}`, map[string]Status{"r": Pass}},
		{"rule composition", `rule a { configuration.count == 4 }
		rule b when a { configuration.count == 3 }
		rule c { not a }
		rule d { a or configuration.count == 3 }
		rule e { a }
		rule f when b { configuration.count == 3 }
		rule g when configuration.count == 3 a { configuration.count == 3 }`,
			map[string]Status{"a": Fail, "b": Skip, "c": Pass, "d": Pass, "e": Fail, "f": Skip, "g": Skip}},
		{"rule referenced before its definition", `rule b when a { configuration.count == 3 }
		rule a { configuration.count == 3 }`, map[string]Status{"a": Pass, "b": Pass}},
		{"not on a skipped rule stays skip", `rule a when resourceType == "X" { configuration.count == 3 }
		rule b { not a }`, map[string]Status{"a": Skip, "b": Skip}},
		{"rule reference inside a filter", `rule tcp { resourceType == /SecurityGroup/ }
		rule r { configuration.ipPermissions[ tcp
			ipProtocol == "tcp" ] !empty }`, map[string]Status{"tcp": Pass, "r": Pass}},
		{"default rule", `configuration.count == 3
		rule r { configuration.name == "web-sg" }
		configuration.name == "x"`, map[string]Status{"default": Fail, "r": Pass}},
		{"top-level when block", `when resourceType == "AWS::S3::Bucket" { configuration.x == 1 }`,
			map[string]Status{"default": Skip}},
		{"comments", `# leading comment
		rule r { # after brace
			configuration.count == 3 # trailing
			# alone
		}`, map[string]Status{"r": Pass}},
		{"shadowed variable", `let x = 1
		rule r {
			let x = 3
			configuration.count == %x
		}
		rule s { %x == 1 }`, map[string]Status{"r": Pass, "s": Pass}},
		{"variable projection", `let perms = configuration.ipPermissions
		rule r { %perms[*].ipProtocol == "tcp" }
		rule s { %perms[ fromPort == 80 ].toPort == 80 }`, map[string]Status{"r": Pass, "s": Pass}},
	}
	doc := decode(t, sampleCI)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := mustParse(t, c.policy).Evaluate(doc)
			for name, want := range c.want {
				if got := ruleStatus(t, out, name); got.Status != want {
					t.Errorf("rule %s: got %s, want %s (messages %q)", name, got.Status, want, got.Messages)
				}
			}
			if len(out.Rules) != len(c.want) {
				t.Errorf("got %d rules, want %d", len(out.Rules), len(c.want))
			}
		})
	}
}

// The two examples from the AWS Config developer guide.
const (
	dynamoTableActive = `
rule tableisactive when
    resourceType == "AWS::DynamoDB::Table" {
    configuration.tableStatus == ['ACTIVE']
}

rule checkcompliance when
    resourceType == "AWS::DynamoDB::Table"
    tableisactive {
        let pitr = supplementaryConfiguration.ContinuousBackupsDescription.pointInTimeRecoveryDescription.pointInTimeRecoveryStatus
        %pitr == "ENABLED"
}
`
)

// dynamoCI builds a DynamoDB configuration item.
func dynamoCI(status, pitr string) string {
	supp := `{}`
	if pitr != "" {
		supp = `{"ContinuousBackupsDescription": {"continuousBackupsStatus": "ENABLED",
			"pointInTimeRecoveryDescription": {"pointInTimeRecoveryStatus": "` + pitr + `"}}}`
	}
	return `{
	  "version": "1.3",
	  "accountId": "123456789012",
	  "configurationItemCaptureTime": "2024-01-01T00:00:00.000Z",
	  "configurationItemStatus": "OK",
	  "configurationStateId": "1700000000000",
	  "arn": "arn:aws:dynamodb:us-east-1:123456789012:table/orders",
	  "resourceType": "AWS::DynamoDB::Table",
	  "resourceId": "orders",
	  "resourceName": "orders",
	  "awsRegion": "us-east-1",
	  "availabilityZone": "Not Applicable",
	  "tags": {},
	  "relationships": [],
	  "configuration": {"tableName": "orders", "tableStatus": "` + status + `", "itemCount": 0},
	  "supplementaryConfiguration": ` + supp + `
	}`
}

func TestAWSDocExamples(t *testing.T) {
	p := mustParse(t, dynamoTableActive)
	cases := []struct {
		name             string
		doc              string
		active, check    Status
		overall          Status
		messageSubstring string
	}{
		{"active with pitr", dynamoCI("ACTIVE", "ENABLED"), Pass, Pass, Pass, ""},
		{"active without pitr", dynamoCI("ACTIVE", "DISABLED"), Pass, Fail, Fail, `%pitr == "ENABLED"`},
		{"active, no backups description", dynamoCI("ACTIVE", ""), Pass, Fail, Fail, `key "ContinuousBackupsDescription" is missing`},
		{"creating", dynamoCI("CREATING", "ENABLED"), Fail, Skip, Fail, `configuration.tableStatus == ['ACTIVE']`},
		{"other resource type", `{"resourceType": "AWS::S3::Bucket", "configuration": {}}`, Skip, Skip, Skip, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := p.Evaluate(decode(t, c.doc))
			if out.Status != c.overall {
				t.Errorf("overall %s, want %s", out.Status, c.overall)
			}
			active, check := ruleStatus(t, out, "tableisactive"), ruleStatus(t, out, "checkcompliance")
			if active.Status != c.active || check.Status != c.check {
				t.Fatalf("got tableisactive=%s checkcompliance=%s, want %s %s (%+v)", active.Status, check.Status, c.active, c.check, out)
			}
			all := strings.Join(append(active.Messages, check.Messages...), "\n")
			if c.messageSubstring != "" && !strings.Contains(all, c.messageSubstring) {
				t.Errorf("messages %q do not mention %q", all, c.messageSubstring)
			}
			if out.Rules[0].Name != "tableisactive" || out.Rules[1].Name != "checkcompliance" {
				t.Errorf("rules out of file order: %+v", out.Rules)
			}
		})
	}
}

func TestFloat64Documents(t *testing.T) {
	// Without UseNumber, encoding/json gives float64; whole numbers count as integers.
	var doc any
	if err := json.Unmarshal([]byte(`{"a": 5, "b": 2.5, "c": [1, 2]}`), &doc); err != nil {
		t.Fatal(err)
	}
	p := mustParse(t, `rule r {
		a is_int
		a == 5
		b is_float
		b > 2
		c[*] < 3
	}`)
	if out := p.Evaluate(doc); out.Status != Pass {
		t.Fatalf("got %+v", out)
	}
}

func TestMessages(t *testing.T) {
	p := mustParse(t, `rule r {
		configuration.count == 4 <<count must be four>>
		configuration.name == "web-sg" <<not shown>>
		configuration.missing exists
		configuration.ports[*] < 100
	}`)
	out := p.Evaluate(decode(t, sampleCI))
	r := ruleStatus(t, out, "r")
	if r.Status != Fail {
		t.Fatalf("got %s", r.Status)
	}
	all := strings.Join(r.Messages, "\n")
	for _, want := range []string{
		"count must be four",
		"configuration.count == 4: found 3 at /configuration/count",
		"configuration.missing exists",
		`key "missing" is missing`,
		"configuration.ports[*] < 100: found 443 at /configuration/ports/2",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("messages %q lack %q", all, want)
		}
	}
	if strings.Contains(all, "not shown") {
		t.Errorf("message of a passing clause reported: %q", all)
	}
	if r.Messages[0] != "count must be four" {
		t.Errorf("custom message should come first, got %q", r.Messages)
	}

	// A multi-line custom message is trimmed; messages of passing or skipped rules are empty.
	p = mustParse(t, "rule a {\n configuration.count == 1\n <<\n  line one\n  line two\n >>\n}\nrule b { configuration.count == 3 <<ok>> }")
	out = p.Evaluate(decode(t, sampleCI))
	if got := ruleStatus(t, out, "a").Messages[0]; got != "line one\n  line two" {
		t.Errorf("got %q", got)
	}
	if got := ruleStatus(t, out, "b").Messages; len(got) != 0 {
		t.Errorf("passing rule has messages %q", got)
	}
}

func TestMessagesAreCapped(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"xs": [`)
	for i := 0; i < 100; i++ {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(`{"v": 1}`)
	}
	b.WriteString(`]}`)
	p := mustParse(t, `rule r { xs[*] { v == 2 } }`)
	r := p.Evaluate(decode(t, b.String())).Rules[0]
	if len(r.Messages) != maxMessages+1 || !strings.Contains(r.Messages[maxMessages], "80 more") {
		t.Fatalf("got %d messages, last %q", len(r.Messages), r.Messages[len(r.Messages)-1])
	}
}

func TestEvaluateIsRepeatable(t *testing.T) {
	p := mustParse(t, dynamoTableActive)
	a := p.Evaluate(decode(t, dynamoCI("ACTIVE", "DISABLED")))
	b := p.Evaluate(decode(t, dynamoCI("ACTIVE", "ENABLED")))
	if a.Status != Fail || b.Status != Pass {
		t.Fatalf("results leak between evaluations: %s %s", a.Status, b.Status)
	}
}

func TestEmptyPolicy(t *testing.T) {
	p := mustParse(t, "# nothing here\nlet x = 1\n")
	if out := p.Evaluate(decode(t, `{}`)); out.Status != Skip || len(out.Rules) != 0 {
		t.Fatalf("got %+v", out)
	}
}

func TestUnusualDocuments(t *testing.T) {
	p := mustParse(t, `rule r { configuration.a == 1 }`)
	for _, doc := range []any{nil, "text", []any{1}, map[string]any{"configuration": []any{}}, struct{}{}} {
		if got := p.Evaluate(doc).Status; got != Fail {
			t.Errorf("doc %#v: got %s, want FAIL", doc, got)
		}
	}
	// A hand-built cyclic document must not hang equality or rendering.
	m := map[string]any{}
	m["self"] = m
	p = mustParse(t, `rule r { self == { a: 1 } }`)
	if got := p.Evaluate(map[string]any{"self": m}).Status; got != Fail {
		t.Errorf("got %s", got)
	}
	p = mustParse(t, `rule r { self.self == self }`)
	if got := p.Evaluate(m).Status; got != Fail {
		t.Errorf("cyclic self-equality: got %s, want FAIL (depth limit)", got)
	}
}

func TestStepBudget(t *testing.T) {
	var b strings.Builder
	b.WriteString(`{"xs": [`)
	for i := 0; i < 200; i++ {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(`{"v": 1}`)
	}
	b.WriteString(`]}`)
	p := mustParse(t, `let all = xs[*]
	rule first { xs[0].v == 1 }
	rule heavy { %all { %all { %all { %all { v == 1 } } } } }
	rule after { xs[0].v == 1 }`)
	out := p.Evaluate(decode(t, b.String()))
	if got := ruleStatus(t, out, "first").Status; got != Pass {
		t.Errorf("rule before the budget ran out: got %s", got)
	}
	for _, name := range []string{"heavy", "after"} {
		r := ruleStatus(t, out, name)
		if r.Status != Fail || len(r.Messages) != 1 || !strings.Contains(r.Messages[0], "evaluation stopped") {
			t.Errorf("rule %s: got %+v", name, r)
		}
	}
	if out.Status != Fail {
		t.Errorf("overall %s", out.Status)
	}
}

func TestConcurrentEvaluate(t *testing.T) {
	p := mustParse(t, dynamoTableActive)
	docs := []any{decode(t, dynamoCI("ACTIVE", "ENABLED")), decode(t, dynamoCI("ACTIVE", "DISABLED"))}
	want := []Status{Pass, Fail}
	done := make(chan error, 8)
	for g := 0; g < 8; g++ {
		go func() {
			for i := 0; i < 50; i++ {
				if got := p.Evaluate(docs[i%2]).Status; got != want[i%2] {
					done <- fmt.Errorf("evaluation %d: got %s", i, got)
					return
				}
			}
			done <- nil
		}()
	}
	for g := 0; g < 8; g++ {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
}
