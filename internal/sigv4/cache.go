package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"sync"
)

// DefaultCacheSize is the number of derived signing keys a Verifier keeps when CacheSize is 0.
// A key is valid for one access key, day, region and service, so this covers thousands of active
// keys.
const DefaultCacheSize = 4096

// keyCache caches derived signing keys. An entry is keyed by access key ID and credential scope
// and remembers the SHA-256 of the secret it was derived from, so that a rotated secret is never
// served a stale key. When full, an arbitrary entry is evicted (Go's map iteration order is
// randomized, so this is random eviction, which needs no bookkeeping). Safe for concurrent use.
type keyCache struct {
	mu      sync.Mutex
	max     int
	entries map[string]cacheEntry
}

type cacheEntry struct {
	secretSum [sha256.Size]byte
	key       []byte
	// macs pools HMAC-SHA256 instances keyed with key: Go's HMAC keeps its inner and outer pad
	// states across Reset, so a pooled instance skips the key setup of hmac.New.
	macs *sync.Pool
}

// newMACPool returns a pool of HMAC-SHA256 instances for key.
func newMACPool(key []byte) *sync.Pool {
	return &sync.Pool{New: func() any { return hmac.New(sha256.New, key) }}
}

func cacheKey(c Credential) string {
	// No element of a parsed credential contains '/', so this is unambiguous.
	return c.AccessKeyID + "/" + c.Scope()
}

// signingKey returns the SigV4 signing key for secret and the credential scope of c, from the
// cache when possible, with a pool of HMACs keyed with it. max <= 0 disables caching.
func (kc *keyCache) signingKey(secret string, c Credential) ([]byte, *sync.Pool) {
	if kc.max <= 0 {
		key := deriveKey(secret, c)
		return key, newMACPool(key)
	}
	sum := sha256.Sum256([]byte(secret))
	ck := cacheKey(c)
	kc.mu.Lock()
	e, ok := kc.entries[ck]
	kc.mu.Unlock()
	if ok && hmac.Equal(e.secretSum[:], sum[:]) {
		return e.key, e.macs
	}
	key := deriveKey(secret, c)
	macs := newMACPool(key)
	kc.mu.Lock()
	if kc.entries == nil {
		kc.entries = make(map[string]cacheEntry)
	}
	if _, present := kc.entries[ck]; !present && len(kc.entries) >= kc.max {
		for k := range kc.entries {
			delete(kc.entries, k)
			break
		}
	}
	kc.entries[ck] = cacheEntry{secretSum: sum, key: key, macs: macs}
	kc.mu.Unlock()
	return key, macs
}

func (kc *keyCache) len() int {
	kc.mu.Lock()
	defer kc.mu.Unlock()
	return len(kc.entries)
}

// deriveKey derives the SigV4 signing key:
// HMAC(HMAC(HMAC(HMAC("AWS4"+secret, date), region), service), "aws4_request").
func deriveKey(secret string, c Credential) []byte {
	k := hmacSHA256([]byte("AWS4"+secret), c.Date)
	k = hmacSHA256(k, c.Region)
	k = hmacSHA256(k, c.Service)
	return hmacSHA256(k, Terminator)
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}
