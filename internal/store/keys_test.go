package store

import (
	"strings"
	"testing"
)

func TestPrefixEnd(t *testing.T) {
	for _, tc := range []struct {
		prefix, end string
		ok          bool
	}{
		{"", "", false},
		{"a", "b", true},
		{"a/", "a0", true},
		{"az", "a{", true},
		{"a\xff", "b", true},
		{"\xff\xff", "", false},
		{"日本", "日本\x00"[:len("日本")-1] + "\xad", true},
	} {
		end, ok := PrefixEnd(tc.prefix)
		if end != tc.end || ok != tc.ok {
			t.Errorf("PrefixEnd(%q) = %q, %v; want %q, %v", tc.prefix, end, ok, tc.end, tc.ok)
		}
	}
	// Every string with the prefix is inside [prefix, end); neighbours outside it are not.
	prefix := "acct/日"
	end, _ := PrefixEnd(prefix)
	for _, s := range []string{prefix, prefix + "\x00", prefix + "本", prefix + "\U0010FFFF", prefix + "\xff\xff"} {
		if !(s >= prefix && s < end) {
			t.Errorf("%q (has the prefix) is outside [%q, %q)", s, prefix, end)
		}
	}
	for _, s := range []string{"acct/", "acct/日"[:len(prefix)-1], "acct/旧", "acct0", "b"} {
		if strings.HasPrefix(s, prefix) {
			continue
		}
		if s >= prefix && s < end {
			t.Errorf("%q (lacks the prefix) is inside [%q, %q)", s, prefix, end)
		}
	}
}

func TestNewJobIDUnique(t *testing.T) {
	seen := map[string]bool{}
	for range 1000 {
		id := NewJobID()
		if len(id) != 26 || seen[id] {
			t.Fatalf("bad or repeated id %q", id)
		}
		seen[id] = true
	}
}
