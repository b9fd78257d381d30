package console

import (
	"fmt"
	"html/template"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

var funcs = template.FuncMap{
	"time":    fmtTime,
	"join":    strings.Join,
	"lower":   strings.ToLower,
	"pathesc": url.PathEscape,
	"deref": func(s *string) string {
		if s == nil {
			return ""
		}
		return *s
	},
	"derefInt": func(n *int32) int32 {
		if n == nil {
			return 0
		}
		return *n
	},
	"statusClass": statusClass,
	"add":         func(a, b int) int { return a + b },
	"mul":         func(a, b int) int { return a * b },
	// barw is a bar's length in percent of the chart, leaving room for labels and values.
	"barw": func(w float64) string { return strconv.FormatFloat(0.5+w*0.54, 'f', 2, 64) },
}

func fmtTime(v any) string {
	var t time.Time
	switch x := v.(type) {
	case time.Time:
		t = x
	case *time.Time:
		if x == nil {
			return ""
		}
		t = *x
	default:
		return fmt.Sprint(v)
	}
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}

// statusClass maps a state or compliance value to a CSS class: good, bad, busy or plain.
func statusClass(v any) string {
	s := strings.ToUpper(fmt.Sprint(v))
	switch {
	case s == "COMPLIANT" || s == "SUCCEEDED" || s == "ACTIVE" || s == "ENABLED" || strings.HasSuffix(s, "_SUCCESSFUL") || strings.HasSuffix(s, "_COMPLETE") || s == "OK" || s == "SUCCESS":
		return "good"
	case s == "NON_COMPLIANT" || s == "FAILED" || strings.HasSuffix(s, "_FAILED") || s == "SUSPENDED" || s == "ERROR":
		return "bad"
	case s == "IN_PROGRESS" || s == "OUTDATED" || strings.HasSuffix(s, "_IN_PROGRESS") || s == "PENDING_CLOSURE" || s == "PENDING":
		return "busy"
	}
	return "plain"
}

// bar is one row of a horizontal bar chart.
type bar struct {
	Label string
	Link  string
	Value int64
	// Width is the bar's length in percent of the largest value.
	Width float64
}

// chart builds bars from counts, largest first, at most max rows (the rest summed as "Other").
func chart(counts map[string]int64, max int, link func(string) string) []bar {
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if counts[keys[i]] != counts[keys[j]] {
			return counts[keys[i]] > counts[keys[j]]
		}
		return keys[i] < keys[j]
	})
	var out []bar
	var other int64
	for i, k := range keys {
		if max > 0 && i >= max {
			other += counts[k]
			continue
		}
		b := bar{Label: k, Value: counts[k]}
		if link != nil {
			b.Link = link(k)
		}
		out = append(out, b)
	}
	if other > 0 {
		out = append(out, bar{Label: "Other", Value: other})
	}
	var top int64
	for _, b := range out {
		if b.Value > top {
			top = b.Value
		}
	}
	for i := range out {
		if top > 0 {
			out[i].Width = float64(out[i].Value) * 100 / float64(top)
		}
	}
	return out
}
