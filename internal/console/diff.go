package console

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	cfgtypes "github.com/aws/aws-sdk-go-v2/service/configservice/types"
)

// The line diff of two configuration items: the longest common subsequence of their lines,
// after the common first and last lines are set aside. The table it needs grows with the product
// of the two line counts, so the diff refuses inputs past a size instead of taking the server's
// memory and time.
const (
	// maxDiffCells bounds (changed lines of a + 1) * (changed lines of b + 1): a table of two
	// bytes a cell, 4 MB at most.
	maxDiffCells = 2_000_000
	// maxDiffBytes bounds the size of either text.
	maxDiffBytes = 4 << 20
	// diffContext is how many unchanged lines are kept around each change.
	diffContext = 3
)

// diffLine is one line of a diff. Kind is "add", "del", "ctx" (unchanged) or "gap" (unchanged
// lines left out).
type diffLine struct {
	Kind string
	Text string
}

// lineDiff is the result of diffText.
type lineDiff struct {
	Lines          []diffLine
	Added, Removed int
	// Same is true when the texts are equal.
	Same bool
	// TooLarge is true when the texts were not compared, being too large.
	TooLarge bool
}

func diffSplitLines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(strings.TrimSuffix(s, "\n"), "\n")
}

// diffText compares two texts line by line, keeping context unchanged lines around each change
// (a negative context keeps them all).
func diffText(a, b string, context int) lineDiff {
	if len(a) > maxDiffBytes || len(b) > maxDiffBytes {
		return lineDiff{TooLarge: true}
	}
	if a == b {
		return lineDiff{Same: true}
	}
	al, bl := diffSplitLines(a), diffSplitLines(b)
	pre := 0
	for pre < len(al) && pre < len(bl) && al[pre] == bl[pre] {
		pre++
	}
	suf := 0
	for suf < len(al)-pre && suf < len(bl)-pre && al[len(al)-1-suf] == bl[len(bl)-1-suf] {
		suf++
	}
	am, bm := al[pre:len(al)-suf], bl[pre:len(bl)-suf]
	n, m := len(am), len(bm)
	if int64(n+1)*int64(m+1) > maxDiffCells {
		return lineDiff{TooLarge: true}
	}
	var out lineDiff
	lines := make([]diffLine, 0, pre+n+m+suf)
	for _, l := range al[:pre] {
		lines = append(lines, diffLine{"ctx", l})
	}
	// lcs[i*(m+1)+j] is the length of the longest common subsequence of am[i:] and bm[j:]. It
	// fits two bytes: the cell bound keeps min(n, m) under 1,415.
	w := m + 1
	lcs := make([]uint16, (n+1)*w)
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			switch {
			case am[i] == bm[j]:
				lcs[i*w+j] = lcs[(i+1)*w+j+1] + 1
			case lcs[(i+1)*w+j] >= lcs[i*w+j+1]:
				lcs[i*w+j] = lcs[(i+1)*w+j]
			default:
				lcs[i*w+j] = lcs[i*w+j+1]
			}
		}
	}
	i, j := 0, 0
	for i < n && j < m {
		switch {
		case am[i] == bm[j]:
			lines = append(lines, diffLine{"ctx", am[i]})
			i++
			j++
		case lcs[(i+1)*w+j] >= lcs[i*w+j+1]:
			lines = append(lines, diffLine{"del", am[i]})
			out.Removed++
			i++
		default:
			lines = append(lines, diffLine{"add", bm[j]})
			out.Added++
			j++
		}
	}
	for ; i < n; i++ {
		lines = append(lines, diffLine{"del", am[i]})
		out.Removed++
	}
	for ; j < m; j++ {
		lines = append(lines, diffLine{"add", bm[j]})
		out.Added++
	}
	for _, l := range al[len(al)-suf:] {
		lines = append(lines, diffLine{"ctx", l})
	}
	out.Lines = collapseContext(lines, context)
	out.Same = out.Added == 0 && out.Removed == 0
	return out
}

// collapseContext replaces the unchanged lines farther than context from any change by gap lines.
func collapseContext(lines []diffLine, context int) []diffLine {
	if context < 0 {
		return lines
	}
	keep := make([]bool, len(lines))
	for i, l := range lines {
		if l.Kind == "ctx" {
			continue
		}
		for k := max(0, i-context); k <= min(len(lines)-1, i+context); k++ {
			keep[k] = true
		}
	}
	var out []diffLine
	for i := 0; i < len(lines); {
		if keep[i] {
			out = append(out, lines[i])
			i++
			continue
		}
		j := i
		for j < len(lines) && !keep[j] {
			j++
		}
		word := "lines"
		if j-i == 1 {
			word = "line"
		}
		out = append(out, diffLine{"gap", fmt.Sprintf("… %d unchanged %s", j-i, word)})
		i = j
	}
	return out
}

// itemDoc is the part of a configuration item that the console compares between versions.
type itemDoc struct {
	Configuration              any               `json:"configuration"`
	SupplementaryConfiguration map[string]any    `json:"supplementaryConfiguration"`
	Tags                       map[string]string `json:"tags"`
	Relationships              []relDoc          `json:"relationships"`
	ConfigurationItemStatus    string            `json:"configurationItemStatus"`
}

type relDoc struct {
	ResourceType     string `json:"resourceType"`
	ResourceID       string `json:"resourceId,omitempty"`
	ResourceName     string `json:"resourceName,omitempty"`
	RelationshipName string `json:"relationshipName"`
}

// itemDocument pretty-prints the compared part of an item: configuration and the values of
// supplementaryConfiguration (JSON documents in strings) are decoded, so that their members
// print one a line, in a stable order.
func itemDocument(ci *cfgtypes.ConfigurationItem) string {
	d := itemDoc{
		Configuration:              decodeJSONString(ci.Configuration),
		SupplementaryConfiguration: map[string]any{},
		Tags:                       map[string]string{},
		Relationships:              []relDoc{},
		ConfigurationItemStatus:    string(ci.ConfigurationItemStatus),
	}
	for k, v := range ci.SupplementaryConfiguration {
		d.SupplementaryConfiguration[k] = decodeJSONString(&v)
	}
	for k, v := range ci.Tags {
		d.Tags[k] = v
	}
	for _, r := range ci.Relationships {
		d.Relationships = append(d.Relationships, relDoc{ResourceType: string(r.ResourceType), ResourceID: str(r.ResourceId), ResourceName: str(r.ResourceName), RelationshipName: str(r.RelationshipName)})
	}
	sort.SliceStable(d.Relationships, func(i, j int) bool {
		a, b := d.Relationships[i], d.Relationships[j]
		if a.ResourceType != b.ResourceType {
			return a.ResourceType < b.ResourceType
		}
		if a.ResourceID != b.ResourceID {
			return a.ResourceID < b.ResourceID
		}
		if a.ResourceName != b.ResourceName {
			return a.ResourceName < b.ResourceName
		}
		return a.RelationshipName < b.RelationshipName
	})
	return indentJSONValue(d)
}

// decodeJSONString decodes a JSON document held in a string, numbers kept as written; a string that
// is not JSON stays a string, and nil is null.
func decodeJSONString(s *string) any {
	if s == nil {
		return nil
	}
	dec := json.NewDecoder(strings.NewReader(*s))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return *s
	}
	if _, err := dec.Token(); err != io.EOF {
		return *s // more than one JSON value
	}
	return v
}

// indentJSONValue encodes v with two-space indentation, without escaping <, > and &.
func indentJSONValue(v any) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return fmt.Sprint(v)
	}
	return strings.TrimSuffix(buf.String(), "\n")
}

// prettyJSONString indents a JSON document held in a string; a string that is not JSON is returned as
// it is.
func prettyJSONString(s *string) string {
	if s == nil {
		return ""
	}
	v := decodeJSONString(s)
	if t, ok := v.(string); ok && t == *s {
		return *s
	}
	return indentJSONValue(v)
}
