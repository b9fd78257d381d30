package query

import (
	"encoding/json"
	"sort"
	"strconv"
	"strings"
)

// Table turns the answer of SelectResourceConfig or SelectAggregateResourceConfig (its
// QueryInfo.SelectFields names and its Results documents) into columns and rows of text, as the
// CLI and the console show it. A selected property is looked up by its text as a key first
// (aggregates such as "COUNT(*)"), then by its dotted path through the nested objects AWS
// answers with ("configuration.instanceType" is {"configuration":{"instanceType":...}}).
// Without fields, or for SELECT *, the columns are the documents' top-level keys: the familiar
// leading ones first, the rest alphabetical. A missing value is an empty cell; an object or array
// is its JSON; a result that is not a JSON object is kept whole in a "result" column. Every row
// has one cell per column.
func Table(fields []string, results []string) (columns []string, rows [][]string) {
	docs := make([]map[string]any, 0, len(results))
	for _, r := range results {
		var m map[string]any
		if err := json.Unmarshal([]byte(r), &m); err != nil || m == nil {
			m = map[string]any{"result": r}
		}
		docs = append(docs, m)
	}
	columns = fields
	if len(columns) == 0 || (len(columns) == 1 && columns[0] == "*") {
		columns = nil
		seen := map[string]bool{}
		for _, d := range docs {
			for _, k := range topLevelKeys(d) {
				if !seen[k] {
					seen[k] = true
					columns = append(columns, k)
				}
			}
		}
	}
	rows = make([][]string, 0, len(docs))
	for _, d := range docs {
		row := make([]string, len(columns))
		for i, col := range columns {
			row[i] = tableCell(tableLookup(d, col))
		}
		rows = append(rows, row)
	}
	return columns, rows
}

// leadingColumns come first in a SELECT * table, in this order, as in AWS's documents.
var leadingColumns = []string{"accountId", "awsRegion", "resourceId", "resourceName", "resourceType", "arn"}

func topLevelKeys(m map[string]any) []string {
	var out, rest []string
	for _, k := range leadingColumns {
		if _, ok := m[k]; ok {
			out = append(out, k)
		}
	}
	for k := range m {
		lead := false
		for _, l := range leadingColumns {
			lead = lead || k == l
		}
		if !lead {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	return append(out, rest...)
}

func tableLookup(doc map[string]any, field string) any {
	if v, ok := doc[field]; ok {
		return v
	}
	var cur any = doc
	for _, seg := range strings.Split(field, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		if cur, ok = m[seg]; !ok {
			return nil
		}
	}
	return cur
}

func tableCell(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	}
	b, _ := json.Marshal(v)
	return string(b)
}
