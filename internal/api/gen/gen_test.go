package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestUpToDate regenerates every package into a temporary directory and compares the result with
// the committed files: run "go generate" in internal/api when it fails.
func TestUpToDate(t *testing.T) {
	tmp := t.TempDir()
	if err := run("../models", tmp); err != nil {
		t.Fatal(err)
	}
	dirs, err := os.ReadDir(tmp)
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) != 4 {
		t.Errorf("generated %d packages, want 4", len(dirs))
	}
	for _, d := range dirs {
		files, err := os.ReadDir(filepath.Join(tmp, d.Name()))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			want, err := os.ReadFile(filepath.Join(tmp, d.Name(), f.Name()))
			if err != nil {
				t.Fatal(err)
			}
			got, err := os.ReadFile(filepath.Join("..", d.Name(), f.Name()))
			if err != nil || !bytes.Equal(got, want) {
				t.Errorf("%s/%s is not up to date (%v): run go generate in internal/api", d.Name(), f.Name(), err)
			}
			if !bytes.HasPrefix(want, []byte(header)) {
				t.Errorf("%s/%s lacks the generated-code header", d.Name(), f.Name())
			}
		}
		// No stale generated file may linger next to the current ones.
		existing, _ := filepath.Glob(filepath.Join("..", d.Name(), "*.go"))
		for _, path := range existing {
			if strings.HasSuffix(path, "_test.go") {
				continue
			}
			if _, err := os.Stat(filepath.Join(tmp, d.Name(), filepath.Base(path))); err != nil {
				t.Errorf("%s is not generated any more", path)
			}
		}
	}
}

// TestDeterministic generates twice and compares.
func TestDeterministic(t *testing.T) {
	m, err := loadModel("../models/iam.json")
	if err != nil {
		t.Fatal(err)
	}
	a, err := generate("iamapi", m)
	if err != nil {
		t.Fatal(err)
	}
	b, err := generate("iamapi", m)
	if err != nil {
		t.Fatal(err)
	}
	for name := range a {
		if !bytes.Equal(a[name], b[name]) {
			t.Errorf("%s differs between two runs", name)
		}
	}
}

func TestTranslatePattern(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`[\u0020-\u007E]+`, `[\x{0020}-\x{007E}]+`},
		{`\u002F[\u0021-\u007F]*`, `\x{002F}[\x{0021}-\x{007F}]*`},
		{`[\u10000-\u10FFFF]`, `[\x{1000}0-\x{10FF}FF]`}, // exactly four hex digits, as in Java
		{`\\u0020`, `\\u0020`},                           // an escaped backslash, then a literal u0020
		{`[\w+=,.@-]+`, `[\w+=,.@-]+`},
		{`[\p{L}\p{Z}\p{N}_.:/=+\-@]*`, `[\p{L}\p{Z}\p{N}_.:/=+\-@]*`},
	} {
		if got, err := translatePattern(c.in); err != nil || got != c.want {
			t.Errorf("translatePattern(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	if _, err := translatePattern(`-(?!-)`); err == nil {
		t.Errorf("a lookahead should not translate")
	}
}

func TestNames(t *testing.T) {
	for in, want := range map[string]string{
		"AWS::EC2::Instance": "AwsEc2Instance", "OK": "Ok", "NON_COMPLIANT": "NonCompliant",
		"ResourceDiscovered": "ResourceDiscovered", "text/csv": "TextCsv", "aws.config": "AwsConfig",
		"AWS::DynamoDB::Table": "AwsDynamoDBTable", "": "Empty",
	} {
		if got := enumSuffix(in); got != want {
			t.Errorf("enumSuffix(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{
		"configurationItems": "ConfigurationItems", "roleARN": "RoleARN", "statusType": "StatusType",
		"2fa": "X2fa", "a-b": "A_b", "_x": "X_x",
	} {
		if got := exported(in); got != want {
			t.Errorf("exported(%q) = %q, want %q", in, got, want)
		}
	}
	n := namer{}
	if a, b, c := n.take("A"), n.take("A"), n.take("A"); a != "A" || b != "A2" || c != "A3" {
		t.Errorf("namer: %s %s %s", a, b, c)
	}
	doc := `<p>The <code>Foo</code> thing, e.g. a bar. More text.</p>`
	if got, want := firstSentence(doc), "The Foo thing, e.g. a bar."; got != want {
		t.Errorf("firstSentence = %q, want %q", got, want)
	}
}
