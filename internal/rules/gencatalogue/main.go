package main

import (
	"compress/gzip"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"
)

type source struct {
	ManagedRules map[string]struct {
		Parameters []struct {
			Name     string `json:"Name"`
			Optional bool   `json:"Optional"`
			Default  any    `json:"Default"`
		} `json:"Parameters"`
		ResourceTypes string `json:"Resource Types"`
		Trigger       string `json:"Trigger type"`
	} `json:"ManagedRules"`
}

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
	in := flag.String("in", "", "moto's aws_managed_rules.json.gz")
	out := flag.String("out", "internal/rules/managed_rules.json", "output file")
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
	zr, err := gzip.NewReader(f)
	if err != nil {
		return err
	}
	var src source
	if err := json.NewDecoder(zr).Decode(&src); err != nil {
		return err
	}
	var entries []Entry
	for id, r := range src.ManagedRules {
		e := Entry{ID: id}
		t := strings.ToLower(r.Trigger)
		e.Change = strings.Contains(t, "configuration changes")
		e.Periodic = strings.Contains(t, "periodic")
		for _, typ := range strings.Split(r.ResourceTypes, ",") {
			if typ = strings.TrimSpace(typ); strings.HasPrefix(typ, "AWS::") {
				e.Types = append(e.Types, typ)
			}
		}
		for _, p := range r.Parameters {
			d := ""
			if p.Default != nil {
				d = fmt.Sprint(p.Default)
			}
			e.Params = append(e.Params, Param{Name: p.Name, Required: !p.Optional, Default: d})
		}
		entries = append(entries, e)
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].ID < entries[j].ID })
	// One entry per line, so that a regeneration diffs by rule.
	var b strings.Builder
	b.WriteString("[\n")
	for i, e := range entries {
		line, err := json.Marshal(e)
		if err != nil {
			return err
		}
		b.Write(line)
		if i < len(entries)-1 {
			b.WriteString(",")
		}
		b.WriteString("\n")
	}
	b.WriteString("]\n")
	return os.WriteFile(out, []byte(b.String()), 0o644)
}
