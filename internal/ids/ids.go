package ids

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"io"
	"math/big"
	mrand "math/rand/v2"
	"sync"
)

// Generator produces identifiers. Implementations must be safe for concurrent use.
type Generator interface {
	// RequestID returns a UUID for x-amzn-RequestId.
	RequestID() string
	// Digits returns n random decimal digits (account IDs are 12).
	Digits(n int) string
	// Base32 returns n random characters from AWS's access-key alphabet (A-Z, 2-7).
	Base32(n int) string
	// Lower returns n random characters from [a-z0-9], as in OU and organization IDs.
	Lower(n int) string
	// Secret returns a 40-character secret access key.
	Secret() string
}

// Random is the production generator, backed by crypto/rand.
type Random struct{}

// NewRandom returns the crypto/rand generator.
func NewRandom() Generator { return Random{} }

// RequestID returns a random (version 4) UUID. Request IDs need uniqueness, not secrecy: they
// come from a buffer refilled from crypto/rand 4 KiB at a time, sparing a system call per
// request.
func (Random) RequestID() string {
	var b [16]byte
	requestRand.read(b[:])
	return formatUUID(b)
}
func (Random) Digits(n int) string {
	return pick(rand.Reader, n, "0123456789")
}
func (Random) Base32(n int) string { return pick(rand.Reader, n, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") }
func (Random) Lower(n int) string {
	return pick(rand.Reader, n, "abcdefghijklmnopqrstuvwxyz0123456789")
}
func (Random) Secret() string {
	b := make([]byte, 30)
	if _, err := io.ReadFull(rand.Reader, b); err != nil {
		panic(err)
	}
	return base64.StdEncoding.EncodeToString(b)
}

// Seeded is a deterministic generator for tests.
type Seeded struct {
	mu sync.Mutex
	r  *mrand.ChaCha8
}

// NewSeeded returns a deterministic generator.
func NewSeeded(seed uint64) *Seeded {
	var s [32]byte
	binary.LittleEndian.PutUint64(s[:], seed)
	return &Seeded{r: mrand.NewChaCha8(s)}
}

func (s *Seeded) Read(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.r.Read(p)
}

func (s *Seeded) RequestID() string   { return uuid(s) }
func (s *Seeded) Digits(n int) string { return pick(s, n, "0123456789") }
func (s *Seeded) Base32(n int) string { return pick(s, n, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") }
func (s *Seeded) Lower(n int) string  { return pick(s, n, "abcdefghijklmnopqrstuvwxyz0123456789") }
func (s *Seeded) Secret() string {
	b := make([]byte, 30)
	_, _ = io.ReadFull(s, b)
	return base64.StdEncoding.EncodeToString(b)
}

func uuid(r io.Reader) string {
	var b [16]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		panic(err)
	}
	return formatUUID(b)
}

// formatUUID renders 16 random bytes as a version 4 UUID.
func formatUUID(b [16]byte) string {
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	var out [36]byte
	hex.Encode(out[0:8], b[0:4])
	out[8] = '-'
	hex.Encode(out[9:13], b[4:6])
	out[13] = '-'
	hex.Encode(out[14:18], b[6:8])
	out[18] = '-'
	hex.Encode(out[19:23], b[8:10])
	out[23] = '-'
	hex.Encode(out[24:36], b[10:16])
	return string(out[:])
}

// randBuffer hands out bytes of crypto/rand from a buffer refilled 4 KiB at a time.
type randBuffer struct {
	mu  sync.Mutex
	buf [4096]byte
	off int
}

func (r *randBuffer) read(p []byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.off == 0 || r.off+len(p) > len(r.buf) {
		if _, err := io.ReadFull(rand.Reader, r.buf[:]); err != nil {
			panic(err)
		}
		r.off = 0
	}
	copy(p, r.buf[r.off:])
	r.off += len(p)
	if r.off == len(r.buf) {
		r.off = 0
	}
}

// requestRand is the process's source of request IDs. It is shared state by necessity (one
// buffer for every server in the process) and holds nothing secret.
var requestRand randBuffer

func pick(r io.Reader, n int, alphabet string) string {
	out := make([]byte, n)
	max := big.NewInt(int64(len(alphabet)))
	for i := range out {
		v, err := rand.Int(r, max)
		if err != nil {
			panic(err)
		}
		out[i] = alphabet[v.Int64()]
	}
	return string(out)
}
