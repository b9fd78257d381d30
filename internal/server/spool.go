package server

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"

	"github.com/orgconfig/orgconfig/internal/awsproto"
)

// spooledBody is a request body streamed to a temporary file and hashed on the way, for calls
// whose bodies are too large to hold in memory (imports).
type spooledBody struct {
	file *os.File
	size int64
	hash string // hex SHA-256 of the body
}

// spoolBody copies r into a new temporary file of dir (mode 0600) while hashing it. A body over
// max bytes is RequestEntityTooLarge; the file is then already removed.
func spoolBody(r io.Reader, dir string, max int64) (*spooledBody, error) {
	f, err := os.CreateTemp(dir, "import-*.body")
	if err != nil {
		return nil, err
	}
	b := &spooledBody{file: f}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, h), io.LimitReader(r, max+1))
	b.size = n
	switch {
	case err != nil:
		b.remove()
		return nil, bodyReadError(err)
	case n > max:
		b.remove()
		return nil, awsproto.ErrRequestTooLarge(int(max))
	}
	b.hash = hex.EncodeToString(h.Sum(nil))
	return b, nil
}

// remove closes and deletes the file.
func (b *spooledBody) remove() {
	_ = b.file.Close()
	_ = os.Remove(b.file.Name())
}

// spoolDir is where request bodies are spooled: the data directory's tmp folder (created
// 0700), or the system's temporary directory when the server has no data directory.
func (s *Server) spoolDir() string {
	if s.opts.DataDir == "" {
		return os.TempDir()
	}
	dir := s.opts.DataDir + string(os.PathSeparator) + "tmp"
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return os.TempDir()
	}
	return dir
}
