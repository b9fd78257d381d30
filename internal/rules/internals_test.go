package rules

import (
	"slices"
	"testing"
)

// TestParsePorts: port lists with single ports, ranges and malformed entries.
func TestParsePorts(t *testing.T) {
	got := parsePorts(" 443, 1020-1025 ,x, 5-3, 70000, -1, 7-, 0")
	want := []portRange{{443, 443}, {1020, 1025}, {0, 0}}
	if !slices.Equal(got, want) {
		t.Fatalf("%v, want %v", got, want)
	}
}

// TestCovered: a range is covered by the union of ranges, in any order.
func TestCovered(t *testing.T) {
	set := []portRange{{10, 20}, {1, 5}, {6, 9}, {30, 40}}
	for r, want := range map[portRange]bool{
		{1, 20}: true, {3, 3}: true, {15, 25}: false, {21, 21}: false, {30, 40}: true, {0, 1}: false,
	} {
		if covered(r, set) != want {
			t.Errorf("covered(%v) != %v", r, want)
		}
	}
	if covered(portRange{1, 1}, nil) {
		t.Error("covered by nothing")
	}
	if p, ok := overlap(portRange{0, 1024}, []portRange{{3389, 3389}, {21, 22}, {20, 20}}); !ok || p != 20 {
		t.Errorf("overlap = %d, %v", p, ok)
	}
}

// TestWildcardMatch: IAM-style action patterns.
func TestWildcardMatch(t *testing.T) {
	for _, c := range []struct {
		pattern, s string
		want       bool
	}{
		{"*", "s3:GetObject", true},
		{"s3:*", "s3:GetObject", true},
		{"S3:get*", "s3:GetObject", true},
		{"s3:Get?bject", "s3:GetObject", true},
		{"s3:Get", "s3:GetObject", false},
		{"s3:*Object", "s3:GetObject", true},
		{"s3:*Bucket", "s3:GetObject", false},
		{"ec2:*", "s3:GetObject", false},
		{"", "s3:GetObject", false},
		{"**a*a*a*c", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaab", false},
		{"**a*b", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaab", true},
	} {
		if got := wildcardMatch(c.pattern, c.s); got != c.want {
			t.Errorf("wildcardMatch(%q, %q) = %v", c.pattern, c.s, got)
		}
	}
}

// TestEmbedded: documents recorded as JSON text, raw or URL-encoded, are decoded.
func TestEmbedded(t *testing.T) {
	for _, in := range []string{`{"a":1}`, `"{\"a\":1}"`, `"%7B%22a%22%3A1%7D"`, `"%7B%22a%22:%201%7D"`} {
		if n, ok := parseValue([]byte(in)).embedded().get("a").integer(); !ok || n != 1 {
			t.Errorf("%s: %d, %v", in, n, ok)
		}
	}
	for _, in := range []string{`"not json"`, `"%zz"`, ``, `{`} {
		if v := parseValue([]byte(in)).embedded(); v.present() && in != `{` {
			t.Errorf("%s: decoded to %v", in, v.v)
		}
	}
}

// TestSameKMSKey: keys compare by ARN or key ID.
func TestSameKMSKey(t *testing.T) {
	for _, c := range []struct {
		recorded, want string
		same           bool
	}{
		{kmsARN, kmsARN, true},
		{kmsARN, kmsID, true},
		{kmsID, kmsARN, true},
		{kmsARN, "other", false},
		{"", "", false},
		{"alias/aws/ebs", "alias/aws/ebs", true},
	} {
		if got := sameKMSKey(c.recorded, c.want); got != c.same {
			t.Errorf("sameKMSKey(%q, %q) = %v", c.recorded, c.want, got)
		}
	}
}
