package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
)

// Entry is one catalogue entry as internal/rules reads it.
type Entry struct {
	ID       string   `json:"id"`
	Change   bool     `json:"change,omitempty"`
	Periodic bool     `json:"periodic,omitempty"`
	Types    []string `json:"types,omitempty"`
	Params   []Param  `json:"params,omitempty"`
}

// Param is one parameter of an entry.
type Param struct {
	Name     string `json:"name"`
	Required bool   `json:"required,omitempty"`
	Default  string `json:"default,omitempty"`
}

func main() {
	in := flag.String("in", "catalogue/managed_rules.txt", "the list of managed rules")
	out := flag.String("out", "managed_rules.json", "output file")
	flag.Parse()
	if err := run(*in, *out); err != nil {
		fmt.Fprintln(os.Stderr, "gencatalogue:", err)
		os.Exit(1)
	}
}

func run(in, out string) error {
	f, err := os.Open(in)
	if err != nil {
		return err
	}
	defer f.Close()
	b, err := generate(f)
	if err != nil {
		return fmt.Errorf("%s: %w", in, err)
	}
	return os.WriteFile(out, b, 0o644)
}

// generate reads the list of managed rules and returns the catalogue: a JSON array of entries
// in identifier order, one entry per line so that a regeneration diffs by rule.
func generate(r io.Reader) ([]byte, error) {
	entries, err := parse(r)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.WriteString("[\n")
	for i, e := range entries {
		line, err := json.Marshal(e)
		if err != nil {
			return nil, err
		}
		b.Write(line)
		if i < len(entries)-1 {
			b.WriteString(",")
		}
		b.WriteString("\n")
	}
	b.WriteString("]\n")
	return b.Bytes(), nil
}

// parse reads the list of managed rules (its format is described in the file's header).
func parse(r io.Reader) ([]Entry, error) {
	var entries []Entry
	var cur *Entry
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimRight(sc.Text(), " \t")
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fail := func(format string, args ...any) error {
			return fmt.Errorf("line %d: %s", n, fmt.Sprintf(format, args...))
		}
		if line[0] != ' ' && line[0] != '\t' {
			// A rule's identifier, alone at the start of the line.
			if strings.ContainsAny(line, " \t") {
				return nil, fail("a rule's identifier stands alone on its line: %q", line)
			}
			if cur != nil {
				if err := check(cur); err != nil {
					return nil, fail("%v", err)
				}
				if line <= cur.ID {
					return nil, fail("rule %s follows %s: rules are kept in identifier order, each once", line, cur.ID)
				}
			}
			entries = append(entries, Entry{ID: line})
			cur = &entries[len(entries)-1]
			continue
		}
		if cur == nil {
			return nil, fail("an indented line before the first rule")
		}
		keyword, rest := cutWord(line)
		fields := strings.Fields(rest)
		switch keyword {
		case "trigger":
			if cur.Change || cur.Periodic {
				return nil, fail("rule %s: a second trigger line", cur.ID)
			}
			for _, t := range fields {
				switch {
				case t == "change" && !cur.Change:
					cur.Change = true
				case t == "periodic" && !cur.Periodic:
					cur.Periodic = true
				default:
					return nil, fail("rule %s: trigger %q is not change or periodic (each once)", cur.ID, t)
				}
			}
		case "types":
			if len(fields) == 0 {
				return nil, fail("rule %s: types without a type", cur.ID)
			}
			for _, t := range fields {
				if !strings.HasPrefix(t, "AWS::") {
					return nil, fail("rule %s: resource type %q does not start with AWS::", cur.ID, t)
				}
			}
			cur.Types = append(cur.Types, fields...)
		case "param":
			p, err := parseParam(rest)
			if err != nil {
				return nil, fail("rule %s: %v", cur.ID, err)
			}
			for _, q := range cur.Params {
				if q.Name == p.Name {
					return nil, fail("rule %s: parameter %s listed twice", cur.ID, p.Name)
				}
			}
			cur.Params = append(cur.Params, p)
		default:
			return nil, fail("rule %s: unknown keyword %q (trigger, types or param)", cur.ID, keyword)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if cur == nil {
		return nil, fmt.Errorf("no rules")
	}
	if err := check(cur); err != nil {
		return nil, err
	}
	return entries, nil
}

// parseParam reads "<name> [optional] [default <value>]"; the value is the rest of the line.
func parseParam(s string) (Param, error) {
	name, rest := cutWord(s)
	if name == "" {
		return Param{}, fmt.Errorf("param without a name")
	}
	p := Param{Name: name, Required: true}
	if word, after := cutWord(rest); word == "optional" {
		p.Required = false
		rest = after
	}
	if rest != "" {
		word, value := cutWord(rest)
		if word != "default" || value == "" {
			return Param{}, fmt.Errorf("parameter %s: %q is not [optional] [default <value>]", name, rest)
		}
		p.Default = value
	}
	return p, nil
}

// cutWord returns the first word of s and the rest of s after the blanks that follow it.
func cutWord(s string) (word, rest string) {
	s = strings.TrimLeft(s, " \t")
	i := strings.IndexAny(s, " \t")
	if i < 0 {
		return s, ""
	}
	return s[:i], strings.TrimSpace(s[i:])
}

// check reports what a complete rule lacks.
func check(e *Entry) error {
	if !e.Change && !e.Periodic {
		return fmt.Errorf("rule %s has no trigger line", e.ID)
	}
	return nil
}
