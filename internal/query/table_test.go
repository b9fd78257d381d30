package query

import (
	"reflect"
	"strings"
	"testing"
)

func TestResultTable(t *testing.T) {
	for _, tc := range []struct {
		name    string
		fields  []string
		results []string
		cols    []string
		rows    [][]string
	}{
		{"paths and aggregates", []string{"resourceId", "configuration.instanceType", "COUNT(*)"},
			[]string{`{"resourceId":"i-1","configuration":{"instanceType":"t3.micro"},"COUNT(*)":3}`, `{"resourceId":"i-2"}`},
			[]string{"resourceId", "configuration.instanceType", "COUNT(*)"},
			[][]string{{"i-1", "t3.micro", "3"}, {"i-2", "", ""}}},
		{"select star", []string{"*"},
			[]string{`{"zeta":true,"resourceType":"AWS::S3::Bucket","accountId":"1","tags":[{"key":"a","value":"b"}]}`},
			[]string{"accountId", "resourceType", "tags", "zeta"},
			[][]string{{"1", "AWS::S3::Bucket", `[{"key":"a","value":"b"}]`, "true"}}},
		{"not an object", nil, []string{`[1]`}, []string{"result"}, [][]string{{"[1]"}}},
		{"numbers", []string{"n"}, []string{`{"n":1.5}`, `{"n":1e21}`}, []string{"n"}, [][]string{{"1.5"}, {"1000000000000000000000"}}},
	} {
		cols, rows := Table(tc.fields, tc.results)
		if !reflect.DeepEqual(cols, tc.cols) || !reflect.DeepEqual(rows, tc.rows) {
			t.Errorf("%s: got %q %q, want %q %q", tc.name, cols, rows, tc.cols, tc.rows)
		}
	}
}

// FuzzTable: any answer of the query operations becomes a table without panicking, with one
// cell per column in every row.
func FuzzTable(f *testing.F) {
	f.Add("resourceId,configuration.instanceType", `{"resourceId":"i-1","configuration":{"instanceType":"t3.micro"}}`)
	f.Add("*", `{"resourceId":"i-1","tags":[{"key":"a","value":"b"}]}`)
	f.Add("COUNT(*)", `{"COUNT(*)":3}`)
	f.Add("a.b.c", `not json`)
	f.Fuzz(func(t *testing.T, fields, doc string) {
		var fs []string
		if fields != "" {
			fs = strings.Split(fields, ",")
		}
		cols, rows := Table(fs, []string{doc, doc})
		for _, r := range rows {
			if len(r) != len(cols) {
				t.Fatalf("row of %d cells for %d columns", len(r), len(cols))
			}
		}
	})
}
