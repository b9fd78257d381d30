package console

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"time"
)

// Cookie names. Both are scoped to /console, HttpOnly and SameSite=Strict.
const (
	sessionCookie = "orgconfig_session"
	signinCookie  = "orgconfig_signin"
)

// session is what a signed-in browser holds. Its cookie carries the principal's credentials,
// sealed with AES-256-GCM under the installation key: the browser can neither read nor change
// them, and every console action is an API call signed with them.
type session struct {
	AccessKeyID  string `json:"k"`
	Secret       string `json:"s"`
	SessionToken string `json:"t,omitempty"`
	Account      string `json:"a"`
	ARN          string `json:"arn"`
	Region       string `json:"r"`
	// Expires is when the console stops accepting the cookie, whatever the browser does.
	Expires int64 `json:"exp"`
	// ID names the session; its CSRF token is an HMAC of it.
	ID string `json:"id"`
}

// sealer seals and opens cookies, and derives CSRF tokens.
type sealer struct {
	aead cipher.AEAD
	csrf []byte
}

func newSealer(key []byte) (*sealer, error) {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte("orgconfig console cookie"))
	block, err := aes.NewCipher(mac.Sum(nil))
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	mac = hmac.New(sha256.New, key)
	mac.Write([]byte("orgconfig console csrf"))
	return &sealer{aead: aead, csrf: mac.Sum(nil)}, nil
}

// seal encrypts and authenticates v; name is bound in as associated data, so that one cookie
// cannot be replayed as another.
func (s *sealer) seal(name string, v any) (string, error) {
	plain, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	nonce := make([]byte, s.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	out := s.aead.Seal(nonce, nonce, plain, []byte(name))
	return base64.RawURLEncoding.EncodeToString(out), nil
}

// errBadCookie is any cookie that was not sealed by this installation, or was altered.
var errBadCookie = errors.New("console: the cookie is not valid")

func (s *sealer) open(name, value string, v any) error {
	raw, err := base64.RawURLEncoding.DecodeString(value)
	if err != nil || len(raw) < s.aead.NonceSize() {
		return errBadCookie
	}
	n := s.aead.NonceSize()
	plain, err := s.aead.Open(nil, raw[:n], raw[n:], []byte(name))
	if err != nil {
		return errBadCookie
	}
	if err := json.Unmarshal(plain, v); err != nil {
		return errBadCookie
	}
	return nil
}

// csrfToken is the token every form and htmx request of a session carries.
func (s *sealer) csrfToken(sessionID string) string {
	mac := hmac.New(sha256.New, s.csrf)
	mac.Write([]byte(sessionID))
	return base64.RawURLEncoding.EncodeToString(mac.Sum(nil))
}

func (s *sealer) checkCSRF(sessionID, token string) bool {
	want := s.csrfToken(sessionID)
	return token != "" && subtle.ConstantTimeCompare([]byte(want), []byte(token)) == 1
}

func randomID() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return hex.EncodeToString(b)
}

// setCookie writes a console cookie; an empty value with a past expiry deletes it.
func setCookie(w http.ResponseWriter, r *http.Request, name, value string, expires time.Time) {
	c := &http.Cookie{
		Name: name, Value: value, Path: "/console",
		HttpOnly: true, SameSite: http.SameSiteStrictMode, Secure: r.TLS != nil,
		Expires: expires,
	}
	if value == "" {
		c.MaxAge = -1
	}
	http.SetCookie(w, c)
}
