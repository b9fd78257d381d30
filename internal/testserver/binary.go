package testserver

import (
	"bytes"
	"errors"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// Binary builds cmd/orgconfig at most once per test process, for suites that run the real
// binary as a child process (the CLI, crash and replica tests).
type Binary struct {
	dir  string
	once sync.Once
	path string
	err  error
}

// NewBinary returns a Binary that builds into dir (usually a directory made in TestMain).
func NewBinary(dir string) *Binary { return &Binary{dir: dir} }

// Path builds the binary on first use and returns its path; a build failure fails the test.
func (b *Binary) Path(t testing.TB) string {
	t.Helper()
	b.once.Do(func() {
		goTool, err := exec.LookPath("go")
		if err != nil {
			b.err = err
			return
		}
		b.path = filepath.Join(b.dir, "orgconfig")
		cmd := exec.Command(goTool, "build", "-o", b.path, "github.com/orgconfig/orgconfig/cmd/orgconfig")
		if out, err := cmd.CombinedOutput(); err != nil {
			b.err = errors.New(err.Error() + ": " + string(out))
		}
	})
	if b.err != nil {
		t.Fatalf("go build ./cmd/orgconfig: %v", b.err)
	}
	return b.path
}

// SyncBuffer is a bytes.Buffer safe for one writer and concurrent readers, for a child
// process's output that a test reads while the process runs.
type SyncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// Write appends p.
func (b *SyncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// String returns what was written so far.
func (b *SyncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
