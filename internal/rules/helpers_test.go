package rules

import (
	"encoding/json"
	"testing"
	"unicode/utf8"
)

// fakeEnv is an Env over fixed items (keyed by type and ID) and a password policy.
type fakeEnv struct {
	items  map[[2]string]*Item
	policy *PasswordPolicy
}

func (e fakeEnv) Item(resourceType, resourceID string) *Item {
	return e.items[[2]string{resourceType, resourceID}]
}

func (e fakeEnv) PasswordPolicy() *PasswordPolicy { return e.policy }

// evalCase is one configuration item evaluated by one rule.
type evalCase struct {
	name   string
	item   Item   // ResourceType defaults to the rule's first type, ResourceID to "res-1", Status to OK
	params string // InputParameters
	env    Env
	want   string // the compliance, or "" when the item must yield no evaluation
}

// runCases evaluates each case with the rule id and checks the result.
func runCases(t *testing.T, id string, cases []evalCase) {
	t.Helper()
	r := mustLookup(t, id)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := ParseParams(r, c.params)
			if err != nil {
				t.Fatalf("ParseParams(%q): %v", c.params, err)
			}
			it := c.item
			if it.ResourceType == "" {
				it.ResourceType = r.ResourceTypes[0]
			}
			if it.ResourceID == "" {
				it.ResourceID = "res-1"
			}
			if it.Status == "" {
				it.Status = StatusOK
			}
			res, ok := r.EvaluateItem(c.env, &it, p)
			if c.want == "" {
				if ok {
					t.Fatalf("got %+v, want no evaluation", res)
				}
				return
			}
			if !ok {
				t.Fatalf("no evaluation, want %s", c.want)
			}
			if res.Compliance != c.want {
				t.Fatalf("compliance %s (%q), want %s", res.Compliance, res.Annotation, c.want)
			}
			checkResult(t, res, it.ResourceType, it.ResourceID)
		})
	}
}

// checkResult checks what every result must satisfy.
func checkResult(t *testing.T, res Result, resourceType, resourceID string) {
	t.Helper()
	if res.ResourceType != resourceType || res.ResourceID != resourceID {
		t.Fatalf("result names %s %s, want %s %s", res.ResourceType, res.ResourceID, resourceType, resourceID)
	}
	switch res.Compliance {
	case Compliant:
		if res.Annotation != "" {
			t.Fatalf("compliant result with annotation %q", res.Annotation)
		}
	case NonCompliant, NotApplicable:
		if res.Annotation == "" {
			t.Fatalf("%s result without annotation", res.Compliance)
		}
	default:
		t.Fatalf("compliance %q", res.Compliance)
	}
	if n := utf8.RuneCountInString(res.Annotation); n > maxAnnotation {
		t.Fatalf("annotation of %d characters", n)
	}
}

// mustLookup returns a known rule.
func mustLookup(t testing.TB, id string) *Rule {
	t.Helper()
	r, ok := Lookup(id)
	if !ok {
		t.Fatalf("rule %s unknown", id)
	}
	return r
}

// raw is JSON text as a json.RawMessage.
func raw(s string) json.RawMessage { return json.RawMessage(s) }

// supp builds supplementary configuration from name, JSON pairs.
func supp(pairs ...string) map[string]json.RawMessage {
	m := map[string]json.RawMessage{}
	for i := 0; i+1 < len(pairs); i += 2 {
		m[pairs[i]] = raw(pairs[i+1])
	}
	return m
}

// quoted returns s as a JSON string literal: the form AWS records some documents in.
func quoted(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
