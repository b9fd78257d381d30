package sigv4

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// DefaultMaxSkew is the clock skew allowed when Verifier.MaxSkew is zero: fifteen minutes, as
// STS and the JSON services allow.
const DefaultMaxSkew = 15 * time.Minute

// unsignedPayload is the payload hash a signer uses to leave the body out of the signature.
const unsignedPayload = "UNSIGNED-PAYLOAD"

// Secret is what a KeyStore knows about an access key.
type Secret struct {
	// AccessKeyID is the access key ID.
	AccessKeyID string
	// SecretAccessKey is the secret the request must be signed with. An empty secret is treated
	// as an unknown key.
	SecretAccessKey string
	// SessionToken is set for temporary credentials: the request must then carry exactly this
	// X-Amz-Security-Token. Empty for long-term keys, whose requests must carry no token.
	SessionToken string
	// Expiration is when temporary credentials stop working. It is zero for long-term keys.
	Expiration time.Time
}

// KeyStore resolves access key IDs to their secrets. LookupKey returns an error wrapping (or
// equal to) ErrUnknownKey when the key does not exist or may not be used; any other error is
// treated as a failure of the store, not of the request. Implementations must be safe for
// concurrent use.
type KeyStore interface {
	LookupKey(ctx context.Context, accessKeyID string) (Secret, error)
}

// Verifier verifies SigV4 signatures. Its exported fields are configuration and must not change
// once it is in use; a Verifier must not be copied after first use. It is safe for concurrent
// use.
type Verifier struct {
	// Keys resolves access keys. It is required.
	Keys KeyStore
	// Now is the clock. Nil means time.Now.
	Now func() time.Time
	// MaxSkew is how far a header-signed request's time may be from Now, in either direction
	// (and how far in the future a presigned URL's X-Amz-Date may be). Zero or negative means
	// DefaultMaxSkew (15 minutes; see the package documentation for why).
	MaxSkew time.Duration
	// CacheSize bounds the cache of derived signing keys (one per access key, date, region and
	// service). Zero means DefaultCacheSize; negative disables the cache.
	CacheSize int

	once  sync.Once
	cache keyCache
}

// Result describes a request whose signature verified.
type Result struct {
	// AccessKeyID is the access key the request was signed with.
	AccessKeyID string
	// Region and Service are the credential scope's region and service. Verify does not check
	// them against anything: the caller must check that they name itself.
	Region, Service string
	// Time is the signing time (X-Amz-Date, or the Date header).
	Time time.Time
	// Presigned is true for the query-string form.
	Presigned bool
	// Expires is when a presigned URL stops being valid (X-Amz-Date + X-Amz-Expires); zero for
	// header-signed requests and for presigned URLs without X-Amz-Expires.
	Expires time.Time
	// UnsignedPayload is true when the signature does not cover the body (a presigned request
	// signed with "UNSIGNED-PAYLOAD"); the body is then not authenticated.
	UnsignedPayload bool
	// Secret is what the KeyStore returned for the access key.
	Secret Secret
	// SignedHeaders lists the signed header names, as the client sent them.
	SignedHeaders []string
}

func (v *Verifier) now() time.Time {
	if v.Now != nil {
		return v.Now()
	}
	return time.Now()
}

func (v *Verifier) skew() time.Duration {
	if v.MaxSkew > 0 {
		return v.MaxSkew
	}
	return DefaultMaxSkew
}

func (v *Verifier) keys() *keyCache {
	v.once.Do(func() {
		v.cache.max = v.CacheSize
		if v.CacheSize == 0 {
			v.cache.max = DefaultCacheSize
		}
	})
	return &v.cache
}

// sigRequest is the signature information extracted from a request, before verification.
type sigRequest struct {
	presigned     bool
	header        string // the Authorization header, header form only
	cred          Credential
	signedHeaders []string
	signature     string
	amzDate       string    // the time as it enters the string to sign
	t             time.Time // the signing time
	dateSource    string    // header that carried the time, header form only
	expires       time.Duration
	hasExpires    bool
	query         []queryPair
}

// Verify checks the SigV4 signature of r, in the Authorization header or in presigned query
// parameters. body is the complete request body, already read by the caller; Verify does not
// read r.Body. On success it returns the signer's access key, scope and secret.
//
// Every verification failure is returned as an *Error whose Kind tells the caller which AWS error
// to send. The checks run in this order: presence (KindMissing); syntax, required signed headers
// and unsigned x-amz-* headers (KindIncomplete); credential scope date (KindMismatch); request
// time (KindExpired); declared payload hash (KindMismatch); access key (KindUnknownKey); session
// token (KindTokenInvalid, KindTokenExpired); signature (KindMismatch). An error of the KeyStore
// other than ErrUnknownKey is not a verdict on the request: it is returned wrapped, not as an
// *Error, and the caller should answer with an internal error.
func (v *Verifier) Verify(ctx context.Context, r *http.Request, body []byte) (*Result, error) {
	sum := sha256.Sum256(body)
	return v.VerifyPayloadHash(ctx, r, hex.EncodeToString(sum[:]), len(body) == 0)
}

// VerifyPayloadHash is Verify for a body the caller hashed as it streamed it (to disk, say):
// payloadHash is the hex SHA-256 of the whole body, empty says whether it had no bytes.
func (v *Verifier) VerifyPayloadHash(ctx context.Context, r *http.Request, payloadHash string, empty bool) (*Result, error) {
	if r == nil {
		return nil, newError(KindMissing, MsgMissing)
	}
	now := v.now()
	skew := v.skew()

	sr, e := extract(r)
	if e != nil {
		return nil, e
	}
	if e := checkSignedHeaders(r, sr); e != nil {
		return nil, e
	}
	if d := sr.t.UTC().Format(scopeDateLayout); d != sr.cred.Date {
		return nil, newError(KindMismatch, "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '"+
			sr.cred.Date+"' != '"+d+"', from '"+sr.amzDate+"'.")
	}
	if e := checkTime(sr, now, skew); e != nil {
		return nil, e
	}
	hashes, e := payloadHashes(r, sr.presigned, payloadHash, empty)
	if e != nil {
		return nil, e
	}

	if v.Keys == nil {
		return nil, errors.New("sigv4: Verifier has no KeyStore")
	}
	secret, err := v.Keys.LookupKey(ctx, sr.cred.AccessKeyID)
	if err != nil {
		if errors.Is(err, ErrUnknownKey) {
			return nil, &Error{Kind: KindUnknownKey, Message: MsgInvalidToken, Err: err}
		}
		return nil, fmt.Errorf("sigv4: looking up access key %s: %w", sr.cred.AccessKeyID, err)
	}
	if secret.SecretAccessKey == "" {
		return nil, &Error{Kind: KindUnknownKey, Message: MsgInvalidToken, Err: ErrUnknownKey}
	}
	if e := checkToken(r, sr, secret, now); e != nil {
		return nil, e
	}

	_, macs := v.keys().signingKey(secret.SecretAccessKey, sr.cred)
	matched, ok := matchSignature(r, sr, macs, hashes)
	if !ok {
		return nil, newError(KindMismatch, MsgMismatch)
	}
	res := &Result{
		AccessKeyID:     sr.cred.AccessKeyID,
		Region:          sr.cred.Region,
		Service:         sr.cred.Service,
		Time:            sr.t,
		Presigned:       sr.presigned,
		UnsignedPayload: matched == unsignedPayload,
		Secret:          secret,
		SignedHeaders:   sr.signedHeaders,
	}
	if sr.presigned && sr.hasExpires {
		res.Expires = sr.t.Add(sr.expires)
	}
	return res, nil
}

// Precheck runs, from r's headers and query alone, every check of Verify that does not need
// the body: presence, syntax, signed headers, scope date, request time, access key and session
// token. A server calls it before it reads the body, so that a request nobody could have signed
// makes it buffer nothing; Verify must still run on the whole request. Its errors are Verify's.
func (v *Verifier) Precheck(ctx context.Context, r *http.Request) error {
	if r == nil {
		return newError(KindMissing, MsgMissing)
	}
	now := v.now()
	sr, e := extract(r)
	if e != nil {
		return e
	}
	if e := checkSignedHeaders(r, sr); e != nil {
		return e
	}
	if d := sr.t.UTC().Format(scopeDateLayout); d != sr.cred.Date {
		return newError(KindMismatch, "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '"+
			sr.cred.Date+"' != '"+d+"', from '"+sr.amzDate+"'.")
	}
	if e := checkTime(sr, now, v.skew()); e != nil {
		return e
	}
	if v.Keys == nil {
		return errors.New("sigv4: Verifier has no KeyStore")
	}
	secret, err := v.Keys.LookupKey(ctx, sr.cred.AccessKeyID)
	if err != nil {
		if errors.Is(err, ErrUnknownKey) {
			return &Error{Kind: KindUnknownKey, Message: MsgInvalidToken, Err: err}
		}
		return fmt.Errorf("sigv4: looking up access key %s: %w", sr.cred.AccessKeyID, err)
	}
	if secret.SecretAccessKey == "" {
		return &Error{Kind: KindUnknownKey, Message: MsgInvalidToken, Err: ErrUnknownKey}
	}
	if e := checkToken(r, sr, secret, now); e != nil {
		return e
	}
	return nil
}

// extract finds and parses the signature of r, in either form.
func extract(r *http.Request) (*sigRequest, *Error) {
	var rawQuery string
	if r.URL != nil {
		rawQuery = r.URL.RawQuery
	}
	query := parseQuery(rawQuery)
	presignedParams := false
	for _, p := range query {
		if p.key == paramAlgorithm || p.key == paramCredential || p.key == paramSignature {
			presignedParams = true
			break
		}
	}
	var authz []string
	for _, h := range lookupHeader(r.Header, headerAuthorization) {
		if strings.TrimSpace(h) != "" {
			authz = append(authz, h)
		}
	}
	switch {
	case len(authz) == 0 && !presignedParams:
		return nil, newError(KindMissing, MsgMissing)
	case len(authz) > 0 && presignedParams:
		return nil, incomplete("Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, " +
			"Signature query string parameter or the Authorization header should be specified")
	case len(authz) > 1:
		return nil, incomplete("Only one Authorization header is allowed.")
	case len(authz) == 1:
		return extractHeader(r, authz[0], query)
	}
	return extractPresigned(query)
}

// extractHeader parses the Authorization header form.
func extractHeader(r *http.Request, header string, query []queryPair) (*sigRequest, *Error) {
	f, e := splitAuthorization(header)
	if e != nil {
		return nil, e
	}
	amzDates := lookupHeader(r.Header, headerDate)
	dates := lookupHeader(r.Header, "Date")
	missing := f.missing
	if len(amzDates) == 0 && len(dates) == 0 {
		missing = append(missing, "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
	}
	if len(missing) > 0 {
		return nil, incomplete(strings.Join(missing, " ") + " Authorization=" + header)
	}
	a, e := f.build(header)
	if e != nil {
		return nil, e
	}
	sr := &sigRequest{
		header:        header,
		cred:          a.Credential,
		signedHeaders: a.SignedHeaders,
		signature:     a.Signature,
		query:         query,
	}
	switch {
	case len(amzDates) > 1 || len(amzDates) == 0 && len(dates) > 1:
		return nil, incomplete("The request must carry exactly one 'X-Amz-Date' or 'Date' header.")
	case len(amzDates) == 1:
		t, ok := parseAmzDate(amzDates[0])
		if !ok {
			return nil, incomplete("Date must be in ISO-8601 'basic format'. Got '" + amzDates[0] + "'. See http://en.wikipedia.org/wiki/ISO_8601")
		}
		sr.t, sr.amzDate, sr.dateSource = t, amzDates[0], "X-Amz-Date"
	default:
		t, err := parseHTTPDate(strings.TrimSpace(dates[0]))
		if err != nil {
			return nil, incomplete("Date must be an HTTP date (for example 'Mon, 02 Jan 2006 15:04:05 GMT') or X-Amz-Date must be set. Got '" + dates[0] + "'.")
		}
		t = t.UTC()
		sr.t, sr.amzDate, sr.dateSource = t, t.Format(amzDateLayout), "Date"
	}
	return sr, nil
}

// parseHTTPDate parses a Date header: the HTTP formats (RFC 1123 with GMT, RFC 850, asctime),
// and RFC 1123 with a numeric zone, which botocore sends ("Thu, 01 Jan 2026 12:00:00 -0000").
func parseHTTPDate(s string) (time.Time, error) {
	t, err := http.ParseTime(s)
	if err == nil {
		return t, nil
	}
	if t, err2 := time.Parse(time.RFC1123Z, s); err2 == nil {
		return t, nil
	}
	return time.Time{}, err
}

// parseAmzDate parses an ISO 8601 basic-format UTC time, 20060102T150405Z, strictly.
func parseAmzDate(s string) (time.Time, bool) {
	if len(s) != len(amzDateLayout) {
		return time.Time{}, false
	}
	t, err := time.Parse(amzDateLayout, s)
	if err != nil || t.Format(amzDateLayout) != s {
		return time.Time{}, false
	}
	return t, true
}

// extractPresigned parses the presigned query-string form.
func extractPresigned(query []queryPair) (*sigRequest, *Error) {
	vals := map[string]string{}
	counts := map[string]int{}
	for _, p := range query {
		switch p.key {
		case paramAlgorithm, paramCredential, paramDate, paramExpires, paramSignedHeaders, paramSignature:
			counts[p.key]++
			vals[p.key] = p.value
		}
	}
	for _, k := range []string{paramAlgorithm, paramCredential, paramDate, paramExpires, paramSignedHeaders, paramSignature} {
		if counts[k] > 1 {
			return nil, incomplete("Query-string authentication parameter " + k + " must appear only once.")
		}
	}
	for _, k := range []string{paramAlgorithm, paramCredential, paramDate, paramSignedHeaders, paramSignature} {
		if vals[k] == "" {
			return nil, incomplete("Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, " +
				"X-Amz-Signature, X-Amz-Date and X-Amz-SignedHeaders parameters.")
		}
	}
	if vals[paramAlgorithm] != Algorithm {
		return nil, incomplete(`X-Amz-Algorithm only supports "` + Algorithm + `"`)
	}
	cred, e := parseCredential(vals[paramCredential])
	if e != nil {
		return nil, e
	}
	t, ok := parseAmzDate(vals[paramDate])
	if !ok {
		return nil, incomplete(`X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd'T'HHmmss'Z'"`)
	}
	sh, ok := parseSignedHeaders(vals[paramSignedHeaders])
	if !ok {
		return nil, incomplete("X-Amz-SignedHeaders is malformed: '" + vals[paramSignedHeaders] + "'.")
	}
	sr := &sigRequest{
		presigned:     true,
		cred:          cred,
		signedHeaders: sh,
		signature:     vals[paramSignature],
		amzDate:       vals[paramDate],
		t:             t,
		query:         query,
	}
	if counts[paramExpires] > 0 {
		d, e := parseExpires(vals[paramExpires])
		if e != nil {
			return nil, e
		}
		sr.expires, sr.hasExpires = d, true
	}
	return sr, nil
}

// parseExpires parses X-Amz-Expires: whole seconds, 0 to 604800 (seven days).
func parseExpires(s string) (time.Duration, *Error) {
	digits := strings.TrimPrefix(s, "-")
	if digits == "" || strings.TrimLeft(digits, "0123456789") != "" {
		return 0, incomplete("X-Amz-Expires should be a number")
	}
	if digits != s {
		return 0, incomplete("X-Amz-Expires must be non-negative")
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n > int64(MaxPresignExpires/time.Second) {
		return 0, incomplete("X-Amz-Expires must be less than a week (in seconds) that is 604800")
	}
	return time.Duration(n) * time.Second, nil
}

// checkSignedHeaders enforces what must be signed: host, the header carrying the request time
// (header form), and every x-amz-* header present on the request. An unsigned x-amz-* header is
// KindIncomplete: the signature does not cover the whole request, as AWS's "There were headers
// present in the request which were not signed" (S3) and IncompleteSignature (other services)
// say.
func checkSignedHeaders(r *http.Request, sr *sigRequest) *Error {
	signed := make(map[string]bool, len(sr.signedHeaders))
	for _, h := range sr.signedHeaders {
		signed[strings.ToLower(h)] = true
	}
	if !signed["host"] {
		return incomplete("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")
	}
	if !sr.presigned && !signed[strings.ToLower(sr.dateSource)] {
		return incomplete("'" + sr.dateSource + "' must be a 'SignedHeader' in the AWS Authorization.")
	}
	var unsigned []string
	for k := range r.Header {
		lk := strings.ToLower(k)
		if strings.HasPrefix(lk, "x-amz-") && !signed[lk] {
			unsigned = append(unsigned, lk)
		}
	}
	if len(unsigned) > 0 {
		sort.Strings(unsigned)
		return incomplete("There were headers present in the request which were not signed: " + strings.Join(unsigned, ", "))
	}
	return nil
}

// checkTime checks the request time against now.
func checkTime(sr *sigRequest, now time.Time, skew time.Duration) *Error {
	if sr.t.After(now.Add(skew)) {
		return notYetCurrentError(sr.t, now, skew)
	}
	if sr.presigned && sr.hasExpires {
		if now.After(sr.t.Add(sr.expires)) {
			return newError(KindExpired, MsgPresignExpired)
		}
		return nil
	}
	if sr.t.Before(now.Add(-skew)) {
		return expiredError(sr.t, now, skew)
	}
	return nil
}

// payloadHashes returns the payload hashes the request may have been signed with.
func payloadHashes(r *http.Request, presigned bool, actual string, empty bool) ([]string, *Error) {
	declared := lookupHeader(r.Header, headerContentSHA256)
	switch {
	case len(declared) > 1:
		return nil, incomplete("Only one 'x-amz-content-sha256' header is allowed.")
	case len(declared) == 1:
		d := declared[0]
		if presigned && d == unsignedPayload {
			return []string{d}, nil
		}
		if len(d) == len(actual) && strings.EqualFold(d, actual) {
			return []string{d}, nil
		}
		return nil, newError(KindMismatch, MsgPayloadMismatch)
	}
	if presigned && empty {
		return []string{actual, unsignedPayload}, nil
	}
	return []string{actual}, nil
}

// checkToken checks the session token against the secret.
func checkToken(r *http.Request, sr *sigRequest, secret Secret, now time.Time) *Error {
	tokens := lookupHeader(r.Header, headerSecurityToken)
	for _, p := range sr.query {
		if p.key == paramSecurityToken {
			tokens = append(tokens, p.value)
		}
	}
	if secret.SessionToken == "" {
		if len(tokens) > 0 {
			return newError(KindTokenInvalid, MsgInvalidToken)
		}
	} else {
		if len(tokens) == 0 {
			return newError(KindTokenInvalid, MsgInvalidToken)
		}
		for _, t := range tokens {
			if subtle.ConstantTimeCompare([]byte(t), []byte(secret.SessionToken)) != 1 {
				return newError(KindTokenInvalid, MsgInvalidToken)
			}
		}
	}
	if !secret.Expiration.IsZero() && !now.Before(secret.Expiration) {
		return newError(KindTokenExpired, MsgExpiredToken)
	}
	return nil
}

// matchSignature computes the signature over each plausible canonical form of r (the exact
// form first; botocore's path normalization and white-space folding, and the alternative payload
// hashes, only when they make a difference) and compares each with the one sent, in constant
// time. It returns the payload hash that matched.
func matchSignature(r *http.Request, sr *sigRequest, macs *sync.Pool, hashes []string) (string, bool) {
	method := r.Method
	if method == "" {
		method = http.MethodGet
	}
	wp := wirePath(r)
	uris := []string{canonicalURI(wp, false)}
	if n := canonicalURI(wp, true); n != uris[0] {
		uris = append(uris, n)
	}
	hdr, differs := canonicalHeaders(r, sr.signedHeaders, false)
	hdrs := []string{hdr}
	if differs {
		folded, _ := canonicalHeaders(r, sr.signedHeaders, true)
		hdrs = append(hdrs, folded)
	}
	query := canonicalQuery(sr.query, sr.presigned)
	signedList := strings.Join(sr.signedHeaders, ";")
	scope := sr.cred.Scope()
	provided := []byte(sr.signature)
	mac := macs.Get().(hash.Hash)
	defer macs.Put(mac)
	// The canonical request and the string to sign are streamed into their hashes rather than
	// built as strings: they are the largest allocations of a verification.
	crHash := sha256.New()
	var sum [sha256.Size]byte
	var crHex, hexSig [2 * sha256.Size]byte
	for _, hash := range hashes {
		for _, uri := range uris {
			for _, h := range hdrs {
				crHash.Reset()
				writeCanonicalRequest(crHash, method, uri, query, h, signedList, hash)
				hex.Encode(crHex[:], crHash.Sum(sum[:0]))
				mac.Reset()
				writeStringToSign(mac, sr.amzDate, scope, crHex[:])
				hex.Encode(hexSig[:], mac.Sum(sum[:0]))
				if hmac.Equal(hexSig[:], provided) {
					return hash, true
				}
			}
		}
	}
	return "", false
}
