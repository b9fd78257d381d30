package ids

import (
	"regexp"
	"testing"
)

var uuidForm = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// TestRequestIDs: request IDs are version 4 UUIDs and do not repeat, across buffer refills.
func TestRequestIDs(t *testing.T) {
	seen := map[string]bool{}
	for i := 0; i < 2000; i++ { // 2000 × 16 bytes spans several 4 KiB refills
		id := Random{}.RequestID()
		if !uuidForm.MatchString(id) {
			t.Fatalf("request ID %q is not a version 4 UUID", id)
		}
		if seen[id] {
			t.Fatalf("request ID %q repeated", id)
		}
		seen[id] = true
	}
	if id := NewSeeded(1).RequestID(); !uuidForm.MatchString(id) {
		t.Fatalf("seeded request ID %q", id)
	}
}
