package console

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cfgtypes "github.com/aws/aws-sdk-go-v2/service/configservice/types"
)

// render writes a diff one line a line, as the resource page does: "+ ", "- ", "  ".
func diffRender(d lineDiff) string {
	var b strings.Builder
	for _, l := range d.Lines {
		switch l.Kind {
		case "add":
			b.WriteString("+ ")
		case "del":
			b.WriteString("- ")
		default:
			b.WriteString("  ")
		}
		b.WriteString(l.Text)
		b.WriteString("\n")
	}
	return b.String()
}

func diffLinesOf(s ...string) string { return strings.Join(s, "\n") + "\n" }

func TestDiffText(t *testing.T) {
	for _, c := range []struct {
		name, a, b    string
		want          string
		added, remove int
	}{
		{"change in the middle", diffLinesOf("a", "b", "c"), diffLinesOf("a", "x", "c"), diffLinesOf("  a", "- b", "+ x", "  c"), 1, 1},
		{"insert", diffLinesOf("a", "c"), diffLinesOf("a", "b", "c"), diffLinesOf("  a", "+ b", "  c"), 1, 0},
		{"delete", diffLinesOf("a", "b", "c"), diffLinesOf("a", "c"), diffLinesOf("  a", "- b", "  c"), 0, 1},
		{"from nothing", "", diffLinesOf("a", "b"), diffLinesOf("+ a", "+ b"), 2, 0},
		{"to nothing", diffLinesOf("a", "b"), "", diffLinesOf("- a", "- b"), 0, 2},
		{"append", diffLinesOf("a"), diffLinesOf("a", "b"), diffLinesOf("  a", "+ b"), 1, 0},
		{"prepend", diffLinesOf("b"), diffLinesOf("a", "b"), diffLinesOf("+ a", "  b"), 1, 0},
		{"interleaved", diffLinesOf("a", "b", "c", "d"), diffLinesOf("b", "x", "d", "e"), diffLinesOf("- a", "  b", "- c", "+ x", "  d", "+ e"), 2, 2},
		{"repeated lines", diffLinesOf("x", "x", "y"), diffLinesOf("x", "y", "y"), diffLinesOf("  x", "- x", "+ y", "  y"), 1, 1},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := diffText(c.a, c.b, -1)
			if d.Same || d.TooLarge {
				t.Fatalf("Same %v TooLarge %v", d.Same, d.TooLarge)
			}
			if got := diffRender(d); got != c.want {
				t.Errorf("diff:\n%s\nwant:\n%s", got, c.want)
			}
			if d.Added != c.added || d.Removed != c.remove {
				t.Errorf("added %d removed %d, want %d %d", d.Added, d.Removed, c.added, c.remove)
			}
		})
	}
}

// TestDiffTextIsMinimal checks on many pairs that the diff, applied, turns a into b, and that
// its kept lines are a longest common subsequence.
func TestDiffTextIsMinimal(t *testing.T) {
	alphabet := []string{"a", "b", "c"}
	seq := func(n, seed int) []string {
		var out []string
		for i := range n {
			out = append(out, alphabet[(seed*7+i*i*3+i*seed)%len(alphabet)])
		}
		return out
	}
	for seed := range 40 {
		a, b := seq(seed%9, seed), seq((seed*5)%11, seed+3)
		d := diffText(strings.Join(a, "\n"), strings.Join(b, "\n"), -1)
		if d.Same {
			if fmt.Sprint(a) != fmt.Sprint(b) {
				t.Fatalf("seed %d: %v and %v reported the same", seed, a, b)
			}
			continue
		}
		var gotA, gotB []string
		kept := 0
		for _, l := range d.Lines {
			switch l.Kind {
			case "ctx":
				gotA, gotB = append(gotA, l.Text), append(gotB, l.Text)
				kept++
			case "del":
				gotA = append(gotA, l.Text)
			case "add":
				gotB = append(gotB, l.Text)
			}
		}
		if fmt.Sprint(gotA) != fmt.Sprint(a) || fmt.Sprint(gotB) != fmt.Sprint(b) {
			t.Fatalf("seed %d: diff of %v -> %v rebuilds %v -> %v", seed, a, b, gotA, gotB)
		}
		if want := diffLCSLen(a, b); kept != want {
			t.Errorf("seed %d: %d lines kept, the LCS has %d", seed, kept, want)
		}
	}
}

// diffLCSLen is the textbook recursion, memoized.
func diffLCSLen(a, b []string) int {
	memo := map[[2]int]int{}
	var f func(i, j int) int
	f = func(i, j int) int {
		if i == len(a) || j == len(b) {
			return 0
		}
		k := [2]int{i, j}
		if v, ok := memo[k]; ok {
			return v
		}
		v := max(f(i+1, j), f(i, j+1))
		if a[i] == b[j] {
			v = max(v, 1+f(i+1, j+1))
		}
		memo[k] = v
		return v
	}
	return f(0, 0)
}

func TestDiffTextSame(t *testing.T) {
	d := diffText(diffLinesOf("a", "b"), diffLinesOf("a", "b"), 3)
	if !d.Same || len(d.Lines) != 0 || d.TooLarge {
		t.Fatalf("equal texts: %+v", d)
	}
	// Equal but for the final newline: no line changed.
	d = diffText("a\nb", "a\nb\n", 3)
	if !d.Same || d.Added != 0 || d.Removed != 0 {
		t.Fatalf("texts differing by a final newline: %+v", d)
	}
}

func TestDiffTextContext(t *testing.T) {
	var a, b []string
	for i := range 30 {
		a = append(a, fmt.Sprintf("line %d", i))
	}
	b = append(b, a...)
	b[15] = "changed"
	d := diffText(strings.Join(a, "\n"), strings.Join(b, "\n"), 2)
	want := diffLinesOf("  … 13 unchanged lines", "  line 13", "  line 14", "- line 15", "+ changed", "  line 16", "  line 17", "  … 12 unchanged lines")
	if got := diffRender(d); got != want {
		t.Errorf("collapsed diff:\n%s\nwant:\n%s", got, want)
	}
	if d.Lines[0].Kind != "gap" {
		t.Errorf("first line kind %q, want gap", d.Lines[0].Kind)
	}
	// A single unchanged line between two context windows is a one-line gap.
	b = append([]string{}, a...)
	b[2], b[8] = "x", "y"
	d = diffText(strings.Join(a[:11], "\n"), strings.Join(b[:11], "\n"), 2)
	if got := diffRender(d); !strings.Contains(got, "  … 1 unchanged line\n") {
		t.Errorf("diff:\n%s\nwant a one-line gap", got)
	}
}

func TestDiffTextTooLarge(t *testing.T) {
	var a, b []string
	for i := range 3000 {
		a = append(a, fmt.Sprintf("a %d", i))
		b = append(b, fmt.Sprintf("b %d", i))
	}
	d := diffText(strings.Join(a, "\n"), strings.Join(b, "\n"), 3)
	if !d.TooLarge || len(d.Lines) != 0 {
		t.Fatalf("3000 x 3000 changed lines: TooLarge %v, %d lines", d.TooLarge, len(d.Lines))
	}
	// Large texts with a small change are compared: the common lines are set aside first.
	c := append([]string{}, a...)
	c[1500] = "changed"
	d = diffText(strings.Join(a, "\n"), strings.Join(c, "\n"), 3)
	if d.TooLarge || d.Added != 1 || d.Removed != 1 {
		t.Fatalf("one change in 3000 lines: %+v", d)
	}
	big := strings.Repeat("x", maxDiffBytes+1)
	if d := diffText(big, "x", 3); !d.TooLarge {
		t.Fatalf("a text over %d bytes was compared", maxDiffBytes)
	}
}

func TestItemDocument(t *testing.T) {
	ci := &cfgtypes.ConfigurationItem{
		Configuration:              aws.String(`{"z":1,"a":{"big":12345678901234567890,"list":[1,2]},"html":"<b>"}`),
		SupplementaryConfiguration: map[string]string{"Policy": `{"Version":"2012-10-17"}`, "Plain": "not json"},
		Tags:                       map[string]string{"team": "a"},
		Relationships: []cfgtypes.Relationship{
			{ResourceType: "AWS::EC2::VPC", ResourceId: aws.String("vpc-2"), RelationshipName: aws.String("Is contained in Vpc")},
			{ResourceType: "AWS::EC2::Subnet", ResourceId: aws.String("subnet-1"), RelationshipName: aws.String("Is contained in Subnet")},
		},
		ConfigurationItemStatus: cfgtypes.ConfigurationItemStatusOk,
	}
	want := `{
  "configuration": {
    "a": {
      "big": 12345678901234567890,
      "list": [
        1,
        2
      ]
    },
    "html": "<b>",
    "z": 1
  },
  "supplementaryConfiguration": {
    "Plain": "not json",
    "Policy": {
      "Version": "2012-10-17"
    }
  },
  "tags": {
    "team": "a"
  },
  "relationships": [
    {
      "resourceType": "AWS::EC2::Subnet",
      "resourceId": "subnet-1",
      "relationshipName": "Is contained in Subnet"
    },
    {
      "resourceType": "AWS::EC2::VPC",
      "resourceId": "vpc-2",
      "relationshipName": "Is contained in Vpc"
    }
  ],
  "configurationItemStatus": "OK"
}`
	if got := itemDocument(ci); got != want {
		t.Errorf("itemDocument:\n%s\nwant:\n%s", got, want)
	}
	// A deleted item has no configuration and empty collections, never nulls that would show
	// as changes.
	del := itemDocument(&cfgtypes.ConfigurationItem{ConfigurationItemStatus: cfgtypes.ConfigurationItemStatusResourceDeleted})
	if !strings.Contains(del, `"configuration": null`) || !strings.Contains(del, `"tags": {}`) || !strings.Contains(del, `"relationships": []`) {
		t.Errorf("deleted item document:\n%s", del)
	}
	// The diff of two versions shows the changed member only.
	next := *ci
	next.Configuration = aws.String(`{"z":2,"a":{"big":12345678901234567890,"list":[1,2]},"html":"<b>"}`)
	d := diffText(itemDocument(ci), itemDocument(&next), 0)
	if d.Added != 1 || d.Removed != 1 || !strings.Contains(diffRender(d), "-     \"z\": 1\n+     \"z\": 2\n") {
		t.Errorf("diff of two versions:\n%s", diffRender(d))
	}
}

func TestPrettyJSONString(t *testing.T) {
	if got := prettyJSONString(aws.String(`{"b":1,"a":[true]}`)); got != "{\n  \"a\": [\n    true\n  ],\n  \"b\": 1\n}" {
		t.Errorf("pretty = %q", got)
	}
	if got := prettyJSONString(aws.String("not json {")); got != "not json {" {
		t.Errorf("not JSON = %q", got)
	}
	if got := prettyJSONString(aws.String(`{"a":1} trailing`)); got != `{"a":1} trailing` {
		t.Errorf("trailing data = %q", got)
	}
	if got := prettyJSONString(nil); got != "" {
		t.Errorf("nil = %q", got)
	}
}
