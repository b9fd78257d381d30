package query

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// FuzzParse: the parser never panics and only fails with *Error; whatever parses prints as
// canonical text that parses back to a deep-equal tree, printing the same again; and the
// evaluators accept whatever the parser accepts.
//
//	go test -run '^$' -fuzz FuzzParse -fuzztime 30s ./internal/query/
func FuzzParse(f *testing.F) {
	for _, tc := range tableQueries {
		f.Add(tc.expr)
	}
	for _, s := range []string{
		"", "SELECT *", "SELECT a WHERE NOT (x = 1 OR y <> 'b') AND z BETWEEN 1 AND 2 ORDER BY a DESC",
		"SELECT a WHERE x = 'it''s'", "SELECT a WHERE x = -1e-7", "SELECT DISTINCT a",
		"SELECT a WHERE x LIKE 'abc%'", "SELECT a WHERE x IS NULL", "SELECT COUNT(*) GROUP BY a, b, c",
		"SELECT a WHERE ((((x = 1))))", "SELECT a WHERE NOT NOT NOT x = 1", "SELECT a\nWHERE\tx = 'é'",
		"SELECT a WHERE x = 5AND y = 1", "SELECT a WHERE x IN (1, '2', true, false)",
	} {
		f.Add(s)
	}
	items := dataset()
	docs := make([]*Doc, len(items))
	for i, it := range items {
		docs[i] = NewDoc(it)
	}
	f.Fuzz(func(t *testing.T, expr string) {
		q, err := Parse(expr)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || e.Message == "" {
				t.Fatalf("Parse(%q) failed with %T %v, want a non-empty *Error", expr, err, err)
			}
			return
		}
		text := q.String()
		q2, err := Parse(text)
		if err != nil {
			t.Fatalf("canonical text %q of %q does not parse: %v", text, expr, err)
		}
		if !reflect.DeepEqual(q, q2) {
			t.Fatalf("canonical text %q of %q parses to a different tree", text, expr)
		}
		if again := q2.String(); again != text {
			t.Fatalf("canonical text is not stable: %q then %q", text, again)
		}
		if strings.Join(q.SelectFields(), "") == "" && !q.Star {
			t.Fatalf("no select fields for %q", expr)
		}
		// The evaluators take any parsed query without panicking.
		PlanWhere(q.Where)
		d := docs[len(expr)%len(docs)]
		Match(q.Where, d)
		if q.Aggregate() {
			a := NewAggregator(q)
			a.Add(d)
			a.Results()
		} else {
			Project(q, d)
			SortRows(q, docs[:3])
		}
	})
}
