package gogc

import (
	"os"
	"runtime/debug"
	"testing"
)

func TestTune(t *testing.T) {
	prev := debug.SetGCPercent(100)
	defer debug.SetGCPercent(prev)

	t.Setenv("GOGC", "250")
	if got := Tune(); got != 250 {
		t.Errorf("with GOGC=250: %d", got)
	}
	if got := debug.SetGCPercent(100); got != 100 {
		t.Errorf("with GOGC set, Tune changed the percent to %d", got)
	}
	t.Setenv("GOGC", "off")
	if got := Tune(); got != -1 {
		t.Errorf("with GOGC=off: %d", got)
	}
}

func TestTuneDefault(t *testing.T) {
	prev := debug.SetGCPercent(100)
	defer debug.SetGCPercent(prev)
	t.Setenv("GOGC", "") // registers the restore of the variable
	if err := os.Unsetenv("GOGC"); err != nil {
		t.Fatal(err)
	}
	if got := Tune(); got != DefaultPercent {
		t.Errorf("without GOGC: %d", got)
	}
	if got := debug.SetGCPercent(100); got != DefaultPercent {
		t.Errorf("the collector runs at %d, want %d", got, DefaultPercent)
	}
}
