package guard

import (
	"errors"
	"strings"
	"testing"
)

func TestSyntaxErrors(t *testing.T) {
	cases := []struct {
		name, policy string
		line, col    int
		msg          string
	}{
		{"missing rhs", "rule r {\n  configuration.x ==\n}", 3, 1, "expected a value or a query, found '}'"},
		{"missing operator", "rule r {\n  configuration.x\n}", 3, 1, "expected an operator after configuration.x"},
		{"unclosed block", "rule r {\n  x == 1\n", 3, 1, "expected a clause or the end of the block, found end of input"},
		{"unclosed string", "rule r { x == 'abc }", 1, 15, "string is not closed"},
		{"unclosed message", "rule r { x == 1 <<oops }", 1, 17, "custom message '<<' is not closed"},
		{"unclosed regex", "rule r { x == /abc\n}", 1, 15, "regular expression is not closed"},
		{"bad regex", "rule r {\n x == /(/ }", 2, 7, "invalid regular expression"},
		{"bad character", "rule r { x == 1 ; }", 1, 17, "unexpected character ';'"},
		{"literal lhs", "rule r { 22 in x }", 1, 10, "expected a query, found '22'"},
		{"undefined rule", "rule r {\n  other\n}", 2, 3, "undefined rule other"},
		{"undefined rule in when", "rule r when other { x == 1 }", 1, 13, "undefined rule other"},
		{"undefined variable", "rule r {\n  %v == 1\n}", 2, 3, "undefined variable %v"},
		{"variable of another rule", "rule a { let v = 1\n x == %v }\nrule b { y == %v }", 3, 15, "undefined variable %v"},
		{"duplicate let", "let a = 1\nlet a = 2", 2, 5, "variable %a is already defined"},
		{"rule cycle", "rule a when b { x == 1 }\nrule b { a }", 1, 6, "rule a depends on itself"},
		{"self reference", "rule a { a }", 1, 6, "rule a depends on itself"},
		{"variable cycle", "let a = %b.x\nlet b = %a.y\nrule r { %a == 1 }", 1, 5, "variable %a depends on itself"},
		{"rule and variable cycle", "let a = x[ not r ]\nrule r { %a exists }", 2, 6, "rule r depends on itself"},
		{"nested rule", "rule a { rule b { x == 1 } }", 1, 10, "rules cannot be nested"},
		{"empty rule", "rule a { }", 1, 6, "block has no clauses"},
		{"empty when", "rule a { when x == 1 { } }", 1, 10, "block has no clauses"},
		{"when without condition", "rule a when { x == 1 }", 1, 13, "expected a condition after when"},
		{"query without operator in condition", "rule a when x.y { z == 1 }", 1, 17, "expected an operator after x.y"},
		{"let in filter", "rule a { x[ let y = 1 ] exists }", 1, 13, "let is not allowed inside a filter"},
		{"empty filter", "rule a { x[] exists }", 1, 12, "empty filter"},
		{"and keyword", "rule a { x == 1 and y == 2 }", 1, 17, "'and' is not a Guard keyword"},
		{"not on block", "rule a { not x { y == 1 } }", 1, 10, "'not' cannot be applied to a block"},
		{"rule name keyword", "rule when { x == 1 }", 1, 6, "expected a rule name"},
		{"dangling or", "rule a { x == 1 or }", 1, 20, "expected a query"},
		{"bad number", "rule a { x == 12abc }", 1, 15, "malformed number"},
		{"bad dotted", "rule a { x. == 1 }", 1, 13, "expected a key"},
		{"percent alone", "rule a { % == 1 }", 1, 10, "'%' must be followed by a variable name"},
		{"unclosed list", "rule a { x in [1, 2 }", 1, 21, "expected ',' or ']' in list"},
		{"bad map", "rule a { x == { 1: 2 } }", 1, 17, "expected a map key"},
		{"index overflow", "rule a { x[99999999999999999999] exists }", 1, 12, "index 99999999999999999999 is out of range"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse(c.policy)
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("got %v (%T), want *SyntaxError", err, err)
			}
			if se.Line != c.line || se.Column != c.col || !strings.Contains(se.Msg, c.msg) {
				t.Fatalf("got %d:%d %q, want %d:%d containing %q", se.Line, se.Column, se.Msg, c.line, c.col, c.msg)
			}
			if !strings.HasPrefix(err.Error(), "guard: syntax error at line ") {
				t.Errorf("Error() = %q", err.Error())
			}
		})
	}
}

func TestUnsupported(t *testing.T) {
	cases := []struct {
		name, policy, construct string
		line                    int
	}{
		{"parameterized rule", "rule r(x) {\n %x == 1 }", "parameterized rule r(...)", 1},
		{"function in clause", "rule r {\n  count(Resources.*) > 1\n}", "function call count()", 2},
		{"function in let", "let x = json_parse(a)", "function call json_parse()", 1},
		{"function on rhs", "rule r { a == regex_replace(b, 'x', 'y') }", "function call regex_replace()", 1},
		{"type block", "\nAWS::S3::Bucket {\n  Properties.BucketName exists\n}", "type block AWS::...", 2},
		{"type block in rule", "rule r {\n  AWS::S3::Bucket { Properties exists }\n}", "type block AWS::...", 2},
		{"keys filter", "rule r { Resources[ keys == /x/ ] exists }", "map key filter [keys ...]", 1},
		{"named capture", "rule r { Resources[ name ] exists }", "named capture [name]", 1},
		{"interpolation", "let k = 'a'\nrule r { Resources.%k exists }", "variable interpolation in a query (.%k)", 2},
		{"character range", "rule r { x in r['a', 'z'] }", "character range", 1},
		{"duplicate rule", "rule r { x == 1 }\nrule r { y == 1 }", "a second rule named r", 2},
		{"default clash", "x == 1\nrule default { y == 1 }", "a second rule named default", 2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse(c.policy)
			var ue *UnsupportedError
			if !errors.As(err, &ue) {
				t.Fatalf("got %v (%T), want *UnsupportedError", err, err)
			}
			if ue.Construct != c.construct || ue.Line != c.line {
				t.Fatalf("got %q at line %d, want %q at line %d", ue.Construct, ue.Line, c.construct, c.line)
			}
			want := "guard: " + c.construct + " at line "
			if !strings.HasPrefix(err.Error(), want) || !strings.HasSuffix(err.Error(), "is not supported") {
				t.Errorf("Error() = %q", err.Error())
			}
		})
	}
}

func TestNestingLimit(t *testing.T) {
	deep := func(open, close string, n int) string {
		return strings.Repeat(open, n) + strings.Repeat(close, n)
	}
	for name, policy := range map[string]string{
		"filters": "rule r { a" + deep("[ b", " exists ]", 200) + " exists }",
		"blocks":  "rule r { " + deep("a { ", "} ", 200) + " }",
		"whens":   "rule r { " + deep("when a exists { ", "} ", 200) + " }",
		"lists":   "rule r { a == " + deep("[", "]", 200) + " }",
		"maps":    "rule r { a == " + deep("{a: ", "}", 200) + " }",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Parse(policy)
			var se *SyntaxError
			if !errors.As(err, &se) || !strings.Contains(se.Msg, "nesting is too deep") {
				t.Fatalf("got %v", err)
			}
		})
	}
	// Within the limit is fine.
	ok := "rule r { a" + deep("[ b", " exists ]", 20) + " exists }"
	if _, err := Parse(ok); err != nil {
		t.Fatalf("moderate nesting rejected: %v", err)
	}
}

func TestParseAccepts(t *testing.T) {
	// Forms seen in AWS and cfn-guard documentation that must parse.
	for _, policy := range []string{
		`let ec2_volumes = Resources.*[ Type == 'AWS::EC2::Volume' ]
		when %ec2_volumes !empty {
			%ec2_volumes {
				Properties {
					Encrypted == true
					VolumeType in ['gp2', 'gp3']
				}
			}
		}`,
		`rule check_resource_type_and_parameter {
			resourceType == /AWS::EC2::SecurityGroup/
			InputParameters.TcpBlockedPorts NOT EMPTY
		}
		rule check_parameter_validity when check_resource_type_and_parameter {
			InputParameters.TcpBlockedPorts[*] {
				this in r[0,65535]
			}
		}`,
		`let iam = Resources.*[
			Type in [/IAM::Policy/, /IAM::ManagedPolicy/]
			some Properties.PolicyDocument.Statement[*] {
				some Action[*] == 'cloudwatch:CreateLogGroup'
				Effect == 'Allow'
			}
		]
		rule r { %iam empty }`,
		`rule r {
			not task_role
			<<
				result: NON_COMPLIANT
			>>
		}
		rule task_role { a exists }`,
		`rule r { x == -1.5e3 or x == 1E2 or x == "a\"b" or x == 'it\'s' or x == /a\/b/ }`,
		`rule r { x == [1, 2,] y == {a: 1, "b": [true, null],} }`,
		"rule r {\r\n\tx == 1\r\n}\r\n",
	} {
		if _, err := Parse(policy); err != nil {
			t.Errorf("Parse(%q): %v", policy, err)
		}
	}
}

func TestLexerValues(t *testing.T) {
	p := mustParse(t, `rule r {
		a == "x\ty\\z"
		b == /a\/b/
		c == 'don\'t'
	}`)
	doc := map[string]any{"a": "x\ty\\z", "b": "xa/by", "c": "don't"}
	if out := p.Evaluate(doc); out.Status != Pass {
		t.Fatalf("got %+v", out)
	}
}
