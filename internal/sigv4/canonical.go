package sigv4

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/textproto"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// queryPair is one decoded query parameter.
type queryPair struct{ key, value string }

// parseQuery splits a raw query string into decoded pairs, in order. Unlike url.ParseQuery it
// keeps pairs containing ';' (AWS treats ';' as an ordinary character) and never drops a pair: a
// name or value that is not valid percent-encoding is kept verbatim (it will then be re-encoded
// with its '%' escaped, and the signature will not match unless the client signed it that way).
// '+' decodes to a space, as in the Go SDK's signer (which signs req.URL.Query()); the SDKs never
// send a literal '+' unescaped.
func parseQuery(raw string) []queryPair {
	if raw == "" {
		return nil
	}
	var pairs []queryPair
	for raw != "" {
		var piece string
		piece, raw, _ = strings.Cut(raw, "&")
		if piece == "" {
			continue
		}
		k, v, _ := strings.Cut(piece, "=")
		pairs = append(pairs, queryPair{key: queryUnescape(k), value: queryUnescape(v)})
	}
	return pairs
}

func queryUnescape(s string) string {
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	return s
}

// uriEncode percent-encodes every byte of s except the RFC 3986 unreserved characters
// (A-Z a-z 0-9 - _ . ~), with upper-case hex, as SigV4 requires. '/' is kept when keepSlash.
func uriEncode(s string, keepSlash bool) string {
	n := 0
	for i := 0; i < len(s); i++ {
		if !unreserved(s[i]) && !(keepSlash && s[i] == '/') {
			n++
		}
	}
	if n == 0 {
		return s
	}
	const hexDigits = "0123456789ABCDEF"
	b := make([]byte, 0, len(s)+2*n)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) || (keepSlash && c == '/') {
			b = append(b, c)
		} else {
			b = append(b, '%', hexDigits[c>>4], hexDigits[c&15])
		}
	}
	return string(b)
}

func unreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == '~'
}

// canonicalQuery returns the SigV4 canonical query string: every name and value URI-encoded
// (RFC 3986, space as %20), pairs sorted by encoded name then encoded value, joined with '&'.
// Pairs named X-Amz-Signature are left out when presigned.
func canonicalQuery(pairs []queryPair, presigned bool) string {
	enc := make([]queryPair, 0, len(pairs))
	for _, p := range pairs {
		if presigned && p.key == paramSignature {
			continue
		}
		enc = append(enc, queryPair{key: uriEncode(p.key, false), value: uriEncode(p.value, false)})
	}
	sort.Slice(enc, func(i, j int) bool {
		if enc[i].key != enc[j].key {
			return enc[i].key < enc[j].key
		}
		return enc[i].value < enc[j].value
	})
	var b strings.Builder
	for i, p := range enc {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(p.key)
		b.WriteByte('=')
		b.WriteString(p.value)
	}
	return b.String()
}

// wirePath returns the request path exactly as the client sent it (still percent-encoded):
// from r.RequestURI on the server side, so that a router or middleware rewriting r.URL cannot
// change what is verified; from r.URL (Opaque, then EscapedPath, as the Go SDK signer does) for
// requests built in-process.
func wirePath(r *http.Request) string {
	if uri := r.RequestURI; uri != "" {
		if i := strings.IndexByte(uri, '?'); i >= 0 {
			uri = uri[:i]
		}
		if strings.HasPrefix(uri, "/") {
			return uri
		}
		// Absolute-form ("http://host/path") or "*": r.URL was parsed from it.
	}
	var p string
	if r.URL != nil {
		if op := r.URL.Opaque; op != "" {
			if i := strings.IndexByte(op, '?'); i >= 0 {
				op = op[:i]
			}
			op = strings.TrimPrefix(op, "//")
			if i := strings.IndexByte(op, '/'); i >= 0 {
				p = op[i:]
			}
		} else {
			p = r.URL.EscapedPath()
		}
	}
	if p == "" {
		p = "/"
	}
	return p
}

// canonicalURI returns the canonical URI of a wire path for non-S3 services: the path as sent,
// URI-encoded once more ('%' becomes "%25"), keeping '/'. This is what aws-sdk-go-v2 does
// (httpbinding.EscapePath of URL.EscapedPath) and what botocore does (quote(path, safe='/~')).
// "/" stays "/"; an empty path is "/". When normalize is set, "." and ".." segments and empty
// segments are removed first, as botocore does for non-S3 services.
func canonicalURI(path string, normalize bool) string {
	if normalize {
		path = removeDotSegments(path)
	}
	if path == "" {
		return "/"
	}
	return uriEncode(path, true)
}

// removeDotSegments normalizes a path like botocore's remove_dot_segments: RFC 3986 dot-segment
// removal that also drops empty segments, keeping a leading and a trailing '/'.
func removeDotSegments(p string) string {
	if p == "" {
		return ""
	}
	var out []string
	for _, seg := range strings.Split(p, "/") {
		switch seg {
		case "", ".":
		case "..":
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
		default:
			out = append(out, seg)
		}
	}
	first, last := "", ""
	if p[0] == '/' {
		first = "/"
	}
	if p[len(p)-1] == '/' && len(out) > 0 {
		last = "/"
	}
	return first + strings.Join(out, "/") + last
}

// headerValues returns the values of the header named name (any case) as the server received
// them. Host comes from r.Host; Content-Length from the header or, when Go removed or never had
// it, from r.ContentLength; Transfer-Encoding from r.TransferEncoding, where Go's server moves it.
func headerValues(r *http.Request, name string) []string {
	lname := strings.ToLower(name)
	switch lname {
	case "host":
		h := r.Host
		if h == "" && r.URL != nil {
			h = r.URL.Host
		}
		return []string{h}
	case "content-length":
		if v := lookupHeader(r.Header, name); len(v) > 0 {
			return v
		}
		if r.ContentLength >= 0 {
			return []string{strconv.FormatInt(r.ContentLength, 10)}
		}
		return nil
	case "transfer-encoding":
		if v := lookupHeader(r.Header, name); len(v) > 0 {
			return v
		}
		if len(r.TransferEncoding) > 0 {
			return []string{strings.Join(r.TransferEncoding, ",")}
		}
		return nil
	}
	return lookupHeader(r.Header, name)
}

// lookupHeader returns the values of a header, matching the name case-insensitively even for keys
// that are not in canonical MIME form (maps built in-process may hold any case).
func lookupHeader(h http.Header, name string) []string {
	ck := textproto.CanonicalMIMEHeaderKey(name)
	vals := h[ck]
	nameASCII := isASCII(name)
	for k, v := range h {
		if k == ck {
			continue
		}
		// Keys of another length can match only through a non-ASCII case folding.
		if len(k) != len(name) && nameASCII && isASCII(k) {
			continue
		}
		if strings.EqualFold(k, name) {
			vals = append(vals[:len(vals):len(vals)], v...)
		}
	}
	return vals
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// trimHeaderValue canonicalizes a header value as aws-sdk-go-v2 does: leading and trailing
// white space trimmed, runs of spaces collapsed to one.
func trimHeaderValue(v string) string {
	v = strings.TrimSpace(v)
	if !strings.Contains(v, "  ") {
		return v
	}
	var b strings.Builder
	b.Grow(len(v))
	space := false
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == ' ' {
			if space {
				continue
			}
			space = true
		} else {
			space = false
		}
		b.WriteByte(c)
	}
	return b.String()
}

// plainHeaderValue reports whether v is left unchanged by both trimHeaderValue and
// foldHeaderValue: ASCII, with no white space but single spaces between other characters
// (non-ASCII values take the slow path: TrimSpace also trims Unicode white space).
func plainHeaderValue(v string) bool {
	if v == "" {
		return true
	}
	if v[0] == ' ' || v[len(v)-1] == ' ' {
		return false
	}
	for i := 0; i < len(v); i++ {
		if v[i] >= 0x80 {
			return false
		}
		switch v[i] {
		case '\t', '\n', '\v', '\f', '\r':
			return false
		case ' ':
			if v[i+1] == ' ' {
				return false
			}
		}
	}
	return true
}

// foldHeaderValue canonicalizes a header value as botocore does (' '.join(value.split())):
// every run of ASCII white space, tabs included, becomes one space, and the ends are trimmed.
func foldHeaderValue(v string) string {
	return strings.Join(strings.FieldsFunc(v, func(r rune) bool {
		return r == ' ' || r == '\t' || r == '\n' || r == '\v' || r == '\f' || r == '\r'
	}), " ")
}

// canonicalHeaders returns the canonical headers block (each "name:value\n") for the signed
// header names, in the order they were signed. Several values of one header are joined with ','.
// fold selects botocore's white-space folding instead of the Go SDK's. differs reports whether
// the two foldings would give different results for this request.
func canonicalHeaders(r *http.Request, signed []string, fold bool) (block string, differs bool) {
	var b strings.Builder
	for _, name := range signed {
		b.WriteString(strings.ToLower(name))
		b.WriteByte(':')
		for i, v := range headerValues(r, name) {
			if i > 0 {
				b.WriteByte(',')
			}
			if plainHeaderValue(v) {
				// Both canonicalizations leave it unchanged.
				b.WriteString(v)
				continue
			}
			t, f := trimHeaderValue(v), foldHeaderValue(v)
			if t != f {
				differs = true
			}
			if fold {
				b.WriteString(f)
			} else {
				b.WriteString(t)
			}
		}
		b.WriteByte('\n')
	}
	return b.String(), differs
}

// canonicalRequest assembles the canonical request.
func canonicalRequest(method, uri, query, headers, signedHeaders, payloadHash string) string {
	var b strings.Builder
	b.Grow(len(method) + len(uri) + len(query) + len(headers) + len(signedHeaders) + len(payloadHash) + 5)
	b.WriteString(method)
	b.WriteByte('\n')
	b.WriteString(uri)
	b.WriteByte('\n')
	b.WriteString(query)
	b.WriteByte('\n')
	b.WriteString(headers)
	b.WriteByte('\n')
	b.WriteString(signedHeaders)
	b.WriteByte('\n')
	b.WriteString(payloadHash)
	return b.String()
}

// writeCanonicalRequest writes the canonical request (as canonicalRequest builds it) to w.
func writeCanonicalRequest(w io.Writer, method, uri, query, headers, signedHeaders, payloadHash string) {
	for i, part := range [...]string{method, uri, query, headers, signedHeaders, payloadHash} {
		if i > 0 {
			w.Write(newline)
		}
		io.WriteString(w, part)
	}
}

// writeStringToSign writes the SigV4 string to sign (as stringToSign builds it) to w, given the
// hex SHA-256 of the canonical request.
func writeStringToSign(w io.Writer, amzDate, scope string, canonicalHex []byte) {
	io.WriteString(w, Algorithm)
	w.Write(newline)
	io.WriteString(w, amzDate)
	w.Write(newline)
	io.WriteString(w, scope)
	w.Write(newline)
	w.Write(canonicalHex)
}

var newline = []byte{'\n'}

// stringToSign returns the SigV4 string to sign for a canonical request.
func stringToSign(amzDate, scope, canonical string) string {
	h := sha256.Sum256([]byte(canonical))
	return Algorithm + "\n" + amzDate + "\n" + scope + "\n" + hex.EncodeToString(h[:])
}
