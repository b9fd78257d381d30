package sealed

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestSealOpen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "dir", "secrets.key")
	k, created, err := Load(path, true)
	if err != nil || !created {
		t.Fatalf("Load: %v created=%v", err, created)
	}
	if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode: %v %v", st.Mode(), err)
	}
	if st, _ := os.Stat(filepath.Dir(path)); st.Mode().Perm() != 0o700 {
		t.Errorf("key directory mode: %v", st.Mode())
	}
	s := k.Seal([]byte("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"), "AKIAEXAMPLE")
	if !IsSealed(s) || bytes.Contains(s, []byte("wJalr")) {
		t.Fatalf("sealed value %q", s)
	}
	if again := k.Seal(s, "AKIAEXAMPLE"); !bytes.Equal(again, s) {
		t.Errorf("sealing a sealed value changed it")
	}
	if p, err := k.Open(s, "AKIAEXAMPLE"); err != nil || string(p) != "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY" {
		t.Errorf("Open: %q %v", p, err)
	}
	if _, err := k.Open(s, "AKIAOTHER"); !errors.Is(err, ErrOpen) {
		t.Errorf("Open for another context: %v, want ErrOpen", err)
	}
	other, _, _ := Load(filepath.Join(t.TempDir(), "k"), true)
	if _, err := other.Open(s, "AKIAEXAMPLE"); !errors.Is(err, ErrOpen) {
		t.Errorf("Open with another key: %v, want ErrOpen", err)
	}
	if p, err := k.Open([]byte("legacy-plaintext"), "x"); err != nil || string(p) != "legacy-plaintext" {
		t.Errorf("Open of an unsealed value: %q %v", p, err)
	}
	if s := k.Seal(nil, "x"); len(s) != 0 {
		t.Errorf("Seal of nothing: %q", s)
	}
	again, created, err := Load(path, true)
	if err != nil || created {
		t.Fatalf("second Load: %v created=%v", err, created)
	}
	if p, err := again.Open(s, "AKIAEXAMPLE"); err != nil || len(p) == 0 {
		t.Errorf("the reloaded key does not open: %v", err)
	}
	if _, _, err := Load(filepath.Join(t.TempDir(), "missing"), false); err == nil {
		t.Errorf("Load of a missing file without create succeeded")
	}
}

func FuzzOpen(f *testing.F) {
	k, _ := New(make([]byte, KeySize))
	f.Add([]byte(Prefix + "AAAA"))
	f.Add(k.Seal([]byte("x"), "c"))
	f.Fuzz(func(t *testing.T, v []byte) {
		_, _ = k.Open(v, "c")
	})
}
