package organizations

import (
	"encoding/json"
	"testing"

	"github.com/orgconfig/orgconfig/internal/pagetoken"
)

func TestPageSliceVisitsEachItemOnce(t *testing.T) {
	var items []string
	for _, c := range "abcdefghijklmnopq" {
		items = append(items, string(c))
	}
	seen := map[string]int{}
	tokens := map[string]bool{}
	tok := ""
	for pages := 0; ; pages++ {
		page, next, err := pageSlice(items, func(s string) string { return s }, tok, 4)
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range page {
			seen[it]++
		}
		if next == "" {
			break
		}
		if tokens[next] || next == tok {
			t.Fatalf("token %q repeated", next)
		}
		tokens[next], tok = true, next
		if pages > 10 {
			t.Fatal("no end")
		}
	}
	if len(seen) != len(items) {
		t.Fatalf("saw %d of %d items", len(seen), len(items))
	}
	for k, n := range seen {
		if n != 1 {
			t.Errorf("%s seen %d times", k, n)
		}
	}
}

func TestDecodeTokenRejectsForeignTokens(t *testing.T) {
	for _, tok := range []string{"garbage!", "djE", pagetoken.Encode("x")[1:]} {
		if _, err := decodeToken(tok); err == nil {
			t.Errorf("token %q accepted", tok)
		}
	}
	if after, err := decodeToken(pagetoken.Encode("123/a:4")); err != nil || after != "123/a:4" {
		t.Errorf("round trip: %q %v", after, err)
	}
}

func FuzzDecodeToken(f *testing.F) {
	f.Add(pagetoken.Encode("abc"))
	f.Add("")
	f.Add("%%%")
	f.Fuzz(func(t *testing.T, tok string) {
		after, err := decodeToken(tok)
		if err == nil && tok != "" && pagetoken.Encode(after) != tok {
			// Several encodings may decode alike; the canonical one must round-trip.
			if a2, err := decodeToken(pagetoken.Encode(after)); err != nil || a2 != after {
				t.Fatalf("round trip of %q failed", after)
			}
		}
	})
}

func TestEffectivePolicyMerge(t *testing.T) {
	root := `{"tags":{"costcenter":{"tag_key":{"@@assign":"CostCenter"},"tag_value":{"@@assign":["100","200"]}}}}`
	ou := `{"tags":{"costcenter":{"tag_value":{"@@append":["300"]}},"project":{"tag_key":{"@@assign":"Project"}}}}`
	acct := `{"tags":{"costcenter":{"tag_value":{"@@remove":["100"]}}}}`
	merged := map[string]any{}
	for _, doc := range []string{root, ou, acct} {
		var m map[string]any
		if err := json.Unmarshal([]byte(doc), &m); err != nil {
			t.Fatal(err)
		}
		mergeInto(merged, m)
	}
	b, _ := json.Marshal(resolveOperators(merged))
	want := `{"tags":{"costcenter":{"tag_key":"CostCenter","tag_value":["200","300"]},"project":{"tag_key":"Project"}}}`
	if string(b) != want {
		t.Errorf("merged %s\nwant   %s", b, want)
	}
}
