package main

import (
	"bytes"
	"os"
	"strings"
	"testing"
)

// TestCommittedCatalogueIsGenerated fails while internal/rules/managed_rules.json differs from
// what the generator makes of internal/rules/catalogue/managed_rules.txt: after editing the list,
// run go generate ./internal/rules and commit both files.
func TestCommittedCatalogueIsGenerated(t *testing.T) {
	in, err := os.Open("../catalogue/managed_rules.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	got, err := generate(in)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("../managed_rules.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
		for i := 0; i < len(gl) || i < len(wl); i++ {
			var g, w string
			if i < len(gl) {
				g = gl[i]
			}
			if i < len(wl) {
				w = wl[i]
			}
			if g != w {
				t.Fatalf("managed_rules.json is not what go generate ./internal/rules writes; first difference at line %d:\ncommitted %s\ngenerated %s", i+1, w, g)
			}
		}
	}
}

func TestParse(t *testing.T) {
	const list = `# comment

A_RULE
    trigger change periodic
    types   AWS::S3::Bucket AWS::EC2::Volume
    types   AWS::::Account
    param   needed default 90
	param   free optional default a value, with spaces
    param   bare optional
B_RULE
    trigger periodic
`
	got, err := generate(strings.NewReader(list))
	if err != nil {
		t.Fatal(err)
	}
	want := `[
{"id":"A_RULE","change":true,"periodic":true,"types":["AWS::S3::Bucket","AWS::EC2::Volume","AWS::::Account"],"params":[{"name":"needed","required":true,"default":"90"},{"name":"free","default":"a value, with spaces"},{"name":"bare"}]},
{"id":"B_RULE","periodic":true}
]
`
	if string(got) != want {
		t.Errorf("generated\n%s\nwant\n%s", got, want)
	}
}

func TestParseRefuses(t *testing.T) {
	for name, list := range map[string]string{
		"empty":              "# nothing\n",
		"no trigger":         "A\n    param p\n",
		"no trigger at end":  "A\n    trigger change\nB\n",
		"unknown trigger":    "A\n    trigger hourly\n",
		"repeated trigger":   "A\n    trigger change\n    trigger periodic\n",
		"unknown keyword":    "A\n    trigger change\n    owner aws\n",
		"out of order":       "B\n    trigger change\nA\n    trigger change\n",
		"twice":              "A\n    trigger change\nA\n    trigger change\n",
		"not a CFN type":     "A\n    trigger change\n    types S3Bucket\n",
		"empty types":        "A\n    trigger change\n    types\n",
		"bad param":          "A\n    trigger change\n    param p required\n",
		"default no value":   "A\n    trigger change\n    param p default\n",
		"param twice":        "A\n    trigger change\n    param p\n    param p optional\n",
		"indented first":     "    trigger change\n",
		"words on rule line": "A B\n    trigger change\n",
	} {
		if _, err := generate(strings.NewReader(list)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
