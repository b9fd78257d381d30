package sealed

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Prefix marks a sealed value.
const Prefix = "sealed1:"

// KeySize is the size of the key file.
const KeySize = 32

// ErrOpen says a sealed value does not open with this key (another installation's key, or a
// value moved to another record).
var ErrOpen = errors.New("sealed: the value does not open with this key")

// Key seals and opens values. It is safe for concurrent use.
type Key struct {
	aead cipher.AEAD
}

// New returns the Key of 32 key bytes.
func New(key []byte) (*Key, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("sealed: the key has %d bytes, want %d", len(key), KeySize)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &Key{aead: aead}, nil
}

// Load reads the key file at path. With create, a missing file is created (mode 0600, its
// directory 0700) with a new random key, and created says so.
func Load(path string, create bool) (k *Key, created bool, err error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) && create {
		b = make([]byte, KeySize)
		if _, err := rand.Read(b); err != nil {
			return nil, false, err
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, false, err
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if errors.Is(err, fs.ErrExist) {
			// Another process (a replica sharing the file) created it meanwhile: use that one.
			return Load(path, false)
		}
		if err != nil {
			return nil, false, err
		}
		if _, err := f.Write(b); err != nil {
			f.Close()
			return nil, false, err
		}
		if err := f.Sync(); err != nil {
			f.Close()
			return nil, false, err
		}
		if err := f.Close(); err != nil {
			return nil, false, err
		}
		created = true
	} else if err != nil {
		return nil, false, err
	}
	k, err = New(b)
	if err != nil {
		return nil, false, fmt.Errorf("key file %s: %w", path, err)
	}
	return k, created, nil
}

// Seal seals plain for context. An empty value stays empty, and a value already sealed is
// returned as it is, so that a record read and written again is not sealed twice.
func (k *Key) Seal(plain []byte, context string) []byte {
	if len(plain) == 0 || bytes.HasPrefix(plain, []byte(Prefix)) {
		return plain
	}
	nonce := make([]byte, k.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	ct := k.aead.Seal(nonce, nonce, plain, []byte(context))
	out := make([]byte, len(Prefix)+base64.RawURLEncoding.EncodedLen(len(ct)))
	copy(out, Prefix)
	base64.RawURLEncoding.Encode(out[len(Prefix):], ct)
	return out
}

// Open opens a sealed value for context. A value without the prefix was stored before sealing
// and is returned as it is.
func (k *Key) Open(v []byte, context string) ([]byte, error) {
	if !bytes.HasPrefix(v, []byte(Prefix)) {
		return v, nil
	}
	ct, err := base64.RawURLEncoding.DecodeString(string(v[len(Prefix):]))
	if err != nil || len(ct) < k.aead.NonceSize() {
		return nil, ErrOpen
	}
	plain, err := k.aead.Open(nil, ct[:k.aead.NonceSize()], ct[k.aead.NonceSize():], []byte(context))
	if err != nil {
		return nil, ErrOpen
	}
	return plain, nil
}

// SealString is Seal for strings.
func (k *Key) SealString(plain, context string) string { return string(k.Seal([]byte(plain), context)) }

// OpenString is Open for strings.
func (k *Key) OpenString(v, context string) (string, error) {
	b, err := k.Open([]byte(v), context)
	return string(b), err
}

// IsSealed reports whether v is a sealed value.
func IsSealed(v []byte) bool { return bytes.HasPrefix(v, []byte(Prefix)) }
