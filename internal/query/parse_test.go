package query

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// at is the "line 1, column N" of the first occurrence of sub in a one-line expression.
func at(expr, sub string) string {
	i := strings.Index(expr, sub)
	if i < 0 {
		panic(sub + " not in " + expr)
	}
	return fmt.Sprintf("line 1, column %d", i+1)
}

// TestRejected: every construct AWS documents as unsupported, every limit, and malformed text
// fail with an *Error carrying the InvalidExpressionException message.
func TestRejected(t *testing.T) {
	deep := "SELECT resourceId WHERE " + strings.Repeat("(", maxDepth+1) + "resourceId = 'x'" + strings.Repeat(")", maxDepth+1)
	nots := "SELECT resourceId WHERE " + strings.Repeat("NOT ", maxDepth+1) + "resourceId = 'x'"
	cases := []struct{ expr, want string }{
		// Unsupported keywords.
		{"SELECT DISTINCT resourceType", "unsupported keyword DISTINCT at line 1, column 8"},
		{"SELECT COUNT(DISTINCT resourceType)", "unsupported keyword DISTINCT at line 1, column 14"},
		{"SELECT resourceId AS id", "unsupported keyword AS at line 1, column 19"},
		{"SELECT resourceId FROM resources", "unsupported keyword FROM at line 1, column 19"},
		{"SELECT ALL resourceId", "unsupported keyword ALL at line 1, column 8"},
		{"SELECT resourceId JOIN other", "unsupported keyword JOIN at line 1, column 19"},
		{"SELECT resourceId WHERE resourceType = 'a' UNION SELECT resourceId",
			"unsupported keyword UNION at " + at("SELECT resourceId WHERE resourceType = 'a' UNION SELECT resourceId", "UNION")},
		{"SELECT resourceType, COUNT(*) GROUP BY resourceType HAVING COUNT(*) > 1",
			"unsupported keyword HAVING at " + at("SELECT resourceType, COUNT(*) GROUP BY resourceType HAVING COUNT(*) > 1", "HAVING")},
		{"SELECT CASE WHEN resourceId = 'a' THEN 1 END", "unsupported keyword CASE at line 1, column 8"},
		{"union select resourceId", "unsupported keyword UNION at line 1, column 1"},
		// NULL tests.
		{"SELECT resourceId WHERE resourceName IS NULL", "NULL value queries are not supported at line 1, column 38"},
		{"SELECT resourceId WHERE resourceName IS NOT NULL", "NULL value queries are not supported at line 1, column 38"},
		{"SELECT resourceId WHERE resourceName = NULL", "NULL value queries are not supported at line 1, column 40"},
		{"SELECT resourceId WHERE resourceName != null", "NULL value queries are not supported at line 1, column 41"},
		{"SELECT resourceId WHERE resourceName IN ('a', NULL)", "NULL value queries are not supported at line 1, column 47"},
		// Aggregates.
		{"SELECT COUNT(resourceId, resourceType)", "aggregate functions accept exactly one argument at line 1, column 24"},
		{"SELECT COUNT()", "aggregate functions accept exactly one argument at line 1, column 14"},
		{"SELECT SUM(*)", "only COUNT accepts * as its argument at line 1, column 12"},
		{"SELECT MAX(*)", "only COUNT accepts * as its argument at line 1, column 12"},
		{"SELECT COUNT(SUM(configuration.size))", "aggregate functions cannot take other functions as arguments at line 1, column 14"},
		{"SELECT resourceId WHERE COUNT(*) > 1", "aggregate functions are not allowed in WHERE at line 1, column 25"},
		{"SELECT COUNT(*) GROUP BY COUNT(*)", "aggregate functions are not allowed in GROUP BY at line 1, column 26"},
		{"SELECT COUNT(*) GROUP BY accountId, awsRegion, resourceType, resourceId", "GROUP BY may contain at most 3 properties"},
		{"SELECT COUNT(*) GROUP BY accountId, awsRegion ORDER BY COUNT(*)",
			"GROUP BY may contain only 1 property when ORDER BY references an aggregate function"},
		{"SELECT resourceId, COUNT(*)", "resourceId must appear in GROUP BY or be used in an aggregate function"},
		{"SELECT resourceId, COUNT(*) GROUP BY resourceType", "resourceId must appear in GROUP BY or be used in an aggregate function"},
		{"SELECT resourceType, COUNT(*) GROUP BY resourceType ORDER BY resourceId",
			"resourceId must appear in GROUP BY or be used in an aggregate function"},
		{"SELECT resourceId ORDER BY COUNT(*)", "resourceId must appear in GROUP BY or be used in an aggregate function"},
		{"SELECT * GROUP BY resourceType", "SELECT * cannot be used in an aggregate query"},
		// Wildcards.
		{"SELECT resourceId WHERE resourceType LIKE '%::EC2::Instance'",
			"only suffix wildcards are supported in LIKE patterns at line 1, column 43"},
		{"SELECT resourceId WHERE resourceType LIKE '_::EC2::Instance'",
			"only suffix wildcards are supported in LIKE patterns at line 1, column 43"},
		{"SELECT resourceId WHERE resourceType LIKE 'AWS::%::Instance'",
			"only suffix wildcards are supported in LIKE patterns at line 1, column 43"},
		{"SELECT resourceId WHERE resourceType LIKE 'ab%'",
			"LIKE patterns need at least 3 characters before the first wildcard at line 1, column 43"},
		{"SELECT resourceId WHERE resourceType LIKE 'ab_'",
			"LIKE patterns need at least 3 characters before the first wildcard at line 1, column 43"},
		{"SELECT resourceId WHERE resourceType LIKE '%'",
			"LIKE patterns need at least 3 characters before the first wildcard at line 1, column 43"},
		{"SELECT resourceId WHERE 'someKey%' LIKE 'someValue%'",
			"wildcards are supported only for property values, not property names at line 1, column 25"},
		// Mismatched identifiers.
		{"SELECT configuration.dbclusterIdentifier WHERE configuration.dBClusterIdentifier = 'x'",
			"mismatched identifiers: configuration.dbclusterIdentifier and configuration.dBClusterIdentifier differ only in case"},
		{"SELECT configuration.ipAddress WHERE configuration.ipaddressPermissions.x = 1",
			"mismatched identifiers: configuration.ipAddress and configuration.ipaddressPermissions.x differ only in case"},
		{"SELECT resourceid ORDER BY resourceId",
			"mismatched identifiers: resourceid and resourceId differ only in case"},
		// Limits of the parser.
		{deep, fmt.Sprintf("the expression nests more than %d levels of parentheses and NOT at line 1, column %d", maxDepth, 25+maxDepth)},
		{nots, fmt.Sprintf("the expression nests more than %d levels of parentheses and NOT at line 1, column %d", maxDepth, 25+4*maxDepth)},
		{"SELECT resourceId WHERE configuration.size > 1e999", "the number 1e999 is out of range at line 1, column 46"},
		{strings.Repeat(" ", maxExprLen+1), fmt.Sprintf("the expression is longer than %d characters", maxExprLen)},
		// Syntax errors.
		{"", "syntax error at line 1, column 1"},
		{"   ", "syntax error at line 1, column 4"},
		{"SELEC resourceId", "syntax error at line 1, column 1"},
		{"SELECT", "syntax error at line 1, column 7"},
		{"SELECT resourceId WHERE", "syntax error at line 1, column 24"},
		{"SELECT resourceId WHERE resourceType = ", "syntax error at line 1, column 40"},
		{"SELECT resourceId WHERE resourceType = 'unterminated", "syntax error at line 1, column 40"},
		{"SELECT resourceId WHERE resourceType == 'x'", "syntax error at line 1, column 39"},
		{"SELECT resourceId,, resourceType", "syntax error at line 1, column 19"},
		{"SELECT resourceId WHERE (resourceType = 'x'", "syntax error at line 1, column 44"},
		{"SELECT resourceId WHERE resourceType = 'x')", "syntax error at line 1, column 43"},
		{"SELECT resourceId WHERE resourceType IN ()", "syntax error at line 1, column 42"},
		{"SELECT resourceId WHERE configuration.size BETWEEN 1 2", "syntax error at line 1, column 54"},
		{"SELECT resourceId ORDER resourceId", "syntax error at line 1, column 25"},
		{"SELECT resourceId WHERE resourceType LIKE 5", "syntax error at line 1, column 43"},
		{"SELECT resourceId WHERE configuration.size NOT = 5", "syntax error at line 1, column 48"},
		{"SELECT configuration.* WHERE resourceId = 'x'", "syntax error at line 1, column 22"},
		{"SELECT resourceId WHERE resourceType = \"x\"", "syntax error at line 1, column 40"},
		{"SELECT resourceId WHERE resourceType = 'x' LIMIT 5", "syntax error at line 1, column 44"},
		{"SELECT resourceId WHERE configuration.size = -", "syntax error at line 1, column 46"},
		{"SELECT resourceId WHERE where = 1", "syntax error at line 1, column 25"},
		{"SELECT resourceId WHERE resourceType = 'x' AND", "syntax error at line 1, column 47"},
		{"SELECT resourceId WHERE resourceType = 'x' resourceId = 'y'", "syntax error at line 1, column 44"},
		{"SELECT resourceId;", "syntax error at line 1, column 18"},
		{"SELECT resourceId\nWHERE\n  resourceType = 'x' AND\n  ;", "syntax error at line 4, column 3"},
		{"SELECT resourceId\nWHERE resourceName = 'two\nlines' AND ]", "syntax error at line 3, column 12"},
		{"SELECT résumé", "syntax error at line 1, column 9"},
		{"SELECT resourceId GROUP resourceId", "syntax error at line 1, column 25"},
		{"SELECT resourceId ORDER BY resourceId ASC DESC", "syntax error at line 1, column 43"},
		{"SELECT COUNT(*", "syntax error at line 1, column 15"},
	}
	for _, tc := range cases {
		q, err := Parse(tc.expr)
		var e *Error
		if !errors.As(err, &e) {
			name := tc.expr
			if len(name) > 80 {
				name = name[:80] + "..."
			}
			t.Errorf("Parse(%q) = %v, %v; want *Error %q", name, q, err, tc.want)
			continue
		}
		if e.Message != tc.want {
			t.Errorf("Parse(%.80q):\n got  %s\n want %s", tc.expr, e.Message, tc.want)
		}
	}
}

// TestAccepted: the grammar's corners that must parse, and their canonical text.
func TestAccepted(t *testing.T) {
	cases := []struct{ expr, canonical string }{
		{"select resourceId where resourceType = 'AWS::EC2::Instance'",
			"SELECT resourceId WHERE resourceType = 'AWS::EC2::Instance'"},
		{"SELECT a WHERE NOT (x = 1 OR y <> 'b') AND z BETWEEN 1 AND 2 ORDER BY a desc",
			"SELECT a WHERE NOT (x = 1 OR y != 'b') AND z BETWEEN 1 AND 2 ORDER BY a DESC"},
		{"SELECT a WHERE x = 1 AND (y = 2 AND z = 3)", "SELECT a WHERE x = 1 AND (y = 2 AND z = 3)"},
		{"SELECT a WHERE ((x = 1 OR y = 2) OR z = 3)", "SELECT a WHERE x = 1 OR y = 2 OR z = 3"},
		{"SELECT a WHERE x = 1 OR (y = 2 OR z = 3)", "SELECT a WHERE x = 1 OR (y = 2 OR z = 3)"},
		{"SELECT a WHERE x = 1 OR y = 2 AND z = 3", "SELECT a WHERE x = 1 OR y = 2 AND z = 3"},
		{"SELECT a WHERE (x = 1 OR y = 2) AND z = 3", "SELECT a WHERE (x = 1 OR y = 2) AND z = 3"},
		{"SELECT a WHERE NOT NOT x = 1", "SELECT a WHERE NOT NOT x = 1"},
		{"SELECT a WHERE NOT x NOT IN (1, 'b', true)", "SELECT a WHERE NOT x NOT IN (1, 'b', true)"},
		{"SELECT a WHERE x = 'it''s' AND y LIKE 'abc%' AND z NOT LIKE 'abc_'",
			"SELECT a WHERE x = 'it''s' AND y LIKE 'abc%' AND z NOT LIKE 'abc_'"},
		{"SELECT a WHERE x = -1.50 AND y = 1E3 AND z = 0.000001 AND w = 12345678901234567890",
			"SELECT a WHERE x = -1.5 AND y = 1000 AND z = 1e-06 AND w = 1.2345678901234567e+19"},
		{"SELECT a WHERE x BETWEEN '2020-01-01' AND '2020-12-31' AND y NOT BETWEEN -1 AND 1",
			"SELECT a WHERE x BETWEEN '2020-01-01' AND '2020-12-31' AND y NOT BETWEEN -1 AND 1"},
		{"SELECT a WHERE x <= 1 AND x >= 0 AND x < 2 AND x > -2 AND x != 3 AND x = FALSE",
			"SELECT a WHERE x <= 1 AND x >= 0 AND x < 2 AND x > -2 AND x != 3 AND x = false"},
		{"SELECT configuration.state.name, configuration.from, configuration . order WHERE configuration.select = 1",
			"SELECT configuration.state.name, configuration.from, configuration.order WHERE configuration.select = 1"},
		{"SELECT count(*), Avg(configuration.size), min(a), MAX(a), sum(a), COUNT(a) GROUP BY b",
			"SELECT COUNT(*), AVG(configuration.size), MIN(a), MAX(a), SUM(a), COUNT(a) GROUP BY b"},
		{"SELECT b, COUNT(*) GROUP BY b ORDER BY COUNT(*) DESC, b ASC",
			"SELECT b, COUNT(*) GROUP BY b ORDER BY COUNT(*) DESC, b"},
		{"SELECT count", "SELECT count"}, // a property that happens to be named count
		{"SELECT a WHERE x = 'line1\nline2'", "SELECT a WHERE x = 'line1\nline2'"},
		{"SELECT configuration.ipAddress, configuration.ipAddressPermissions",
			"SELECT configuration.ipAddress, configuration.ipAddressPermissions"},
		{"SELECT a WHERE x LIKE 'ab'", "SELECT a WHERE x LIKE 'ab'"}, // no wildcard, no minimum
		{"SELECT a WHERE x = 5AND y = 1", "SELECT a WHERE x = 5 AND y = 1"},
	}
	for _, tc := range cases {
		q, err := Parse(tc.expr)
		if err != nil {
			t.Errorf("Parse(%q): %v", tc.expr, err)
			continue
		}
		if got := q.String(); got != tc.canonical {
			t.Errorf("Parse(%q).String()\n got  %s\n want %s", tc.expr, got, tc.canonical)
		}
		q2, err := Parse(q.String())
		if err != nil || !reflect.DeepEqual(q, q2) {
			t.Errorf("%q does not parse back to the same tree (%v)", q.String(), err)
		}
	}
}

// TestTree pins the shape of the tree for the operators' precedence and associativity.
func TestTree(t *testing.T) {
	q, err := Parse("SELECT a WHERE x = 1 OR NOT y IN ('a', 'b') AND z BETWEEN 1 AND 2 AND w LIKE 'abc%'")
	if err != nil {
		t.Fatal(err)
	}
	or, ok := q.Where.(*Or)
	if !ok {
		t.Fatalf("top is %T, want *Or", q.Where)
	}
	if p, ok := or.L.(*Pred); !ok || p.Path != "x" || p.Op != "=" || p.Values[0] != (Literal{Kind: Number, N: 1}) {
		t.Fatalf("left of OR: %#v", or.L)
	}
	and2, ok := or.R.(*And)
	if !ok {
		t.Fatalf("right of OR is %T, want *And", or.R)
	}
	and1, ok := and2.L.(*And)
	if !ok {
		t.Fatalf("AND is not left-associative: %s", and2)
	}
	not, ok := and1.L.(*Not)
	if !ok {
		t.Fatalf("NOT does not bind tighter than AND: %s", and1)
	}
	if p := not.C.(*Pred); p.Op != "IN" || p.Negated || len(p.Values) != 2 || p.Values[1].S != "b" {
		t.Fatalf("IN: %#v", p)
	}
	if p := and1.R.(*Pred); p.Op != "BETWEEN" || len(p.Values) != 2 {
		t.Fatalf("BETWEEN: %#v", p)
	}
	if p := and2.R.(*Pred); p.Op != "LIKE" || p.Values[0].S != "abc%" {
		t.Fatalf("LIKE: %#v", p)
	}
	if q.Aggregate() || q.OrderByAggregate() {
		t.Fatal("a plain query reports aggregation")
	}
}

// TestHandBuilt: trees built without Parse (no cached literal classification) behave like
// parsed ones.
func TestHandBuilt(t *testing.T) {
	d := NewDoc(dataset()[8]) // i-01
	for _, tc := range []struct {
		c    Cond
		want bool
	}{
		{&Pred{Path: "configuration.cpuOptions.coreCount", Op: "=", Values: []Literal{{Kind: Number, N: 1}}}, true},
		{&Pred{Path: "configuration.privateIpAddress", Op: "=", Values: []Literal{{Kind: String, S: "10.0.0.0/16"}}}, true},
		{&Pred{Path: "configuration.launchTime", Op: "<", Values: []Literal{{Kind: String, S: "2020-01-16"}}}, true},
		{&Pred{Path: "resourceType", Op: "LIKE", Values: []Literal{{Kind: String, S: "AWS::EC2::%"}}}, true},
		{&Not{C: &Pred{Path: "tags.key", Op: "IN", Values: []Literal{{Kind: String, S: "Name"}}}}, false},
		{&Pred{Path: "tags.key", Op: "IN"}, false}, // no values: matches nothing
	} {
		if got := Match(tc.c, d); got != tc.want {
			t.Errorf("Match(%s) = %v, want %v", tc.c, got, tc.want)
		}
	}
	q := &Query{Select: []SelectItem{{Path: "configuration.instanceType"}}}
	if got := string(Project(q, d)); got != `{"configuration":{"instanceType":"t2.micro"}}` {
		t.Errorf("Project of a hand-built query: %s", got)
	}
}
