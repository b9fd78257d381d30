package sigv4

import (
	"net/http"
	"strings"
	"time"
)

// Algorithm is the only signing algorithm supported: AWS Signature Version 4 with HMAC-SHA256.
const Algorithm = "AWS4-HMAC-SHA256"

// Terminator is the last element of every SigV4 credential scope.
const Terminator = "aws4_request"

// Names of the presigned-URL query parameters and of the headers SigV4 gives a meaning to.
const (
	paramAlgorithm     = "X-Amz-Algorithm"
	paramCredential    = "X-Amz-Credential"
	paramDate          = "X-Amz-Date"
	paramExpires       = "X-Amz-Expires"
	paramSignedHeaders = "X-Amz-SignedHeaders"
	paramSignature     = "X-Amz-Signature"
	paramSecurityToken = "X-Amz-Security-Token"

	headerAuthorization = "Authorization"
	headerDate          = "X-Amz-Date"
	headerSecurityToken = "X-Amz-Security-Token"
	headerContentSHA256 = "X-Amz-Content-Sha256"
)

// MaxPresignExpires is the longest validity a presigned URL may declare in X-Amz-Expires: seven
// days, as in AWS.
const MaxPresignExpires = 7 * 24 * time.Hour

const (
	amzDateLayout   = "20060102T150405Z"
	scopeDateLayout = "20060102"
)

// Credential is the Credential component of a SigV4 signature:
// <AccessKeyID>/<Date>/<Region>/<Service>/aws4_request.
type Credential struct {
	// AccessKeyID is the access key the request claims to be signed with.
	AccessKeyID string
	// Date is the scope date, YYYYMMDD.
	Date string
	// Region is the scope region, for example "us-east-1".
	Region string
	// Service is the scope service signing name, for example "sts".
	Service string
}

// Scope returns the credential scope: Date/Region/Service/aws4_request.
func (c Credential) Scope() string {
	return c.Date + "/" + c.Region + "/" + c.Service + "/" + Terminator
}

// String returns the credential in its wire form, AccessKeyID/Date/Region/Service/aws4_request.
func (c Credential) String() string { return c.AccessKeyID + "/" + c.Scope() }

// ParseCredential parses a credential in its wire form,
// AccessKeyID/YYYYMMDD/region/service/aws4_request. Every element must be non-empty, the date
// must be a valid calendar date, and the terminator must be "aws4_request". It returns an *Error
// of kind KindIncomplete, in AWS's wording, when the credential is malformed.
func ParseCredential(s string) (Credential, error) {
	c, err := parseCredential(s)
	if err != nil {
		return Credential{}, err
	}
	return c, nil
}

func parseCredential(s string) (Credential, *Error) {
	parts := strings.Split(s, "/")
	if len(parts) != 5 || parts[0] == "" {
		return Credential{}, incomplete("Error parsing the Credential parameter; the Credential is mal-formed; " +
			`expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".`)
	}
	c := Credential{AccessKeyID: parts[0], Date: parts[1], Region: parts[2], Service: parts[3]}
	if !validScopeDate(c.Date) {
		return Credential{}, incomplete("Credential should be scoped to a valid date (YYYYMMDD), not '" + c.Date + "'. ")
	}
	if c.Region == "" {
		return Credential{}, incomplete("Credential should be scoped to a valid region, not ''. ")
	}
	if c.Service == "" {
		return Credential{}, incomplete("Credential should be scoped to a valid service, not ''. ")
	}
	if parts[4] != Terminator {
		return Credential{}, incomplete("Credential should be scoped with a valid terminator: '" + Terminator + "', not '" + parts[4] + "'. ")
	}
	return c, nil
}

func validScopeDate(d string) bool {
	if len(d) != 8 {
		return false
	}
	for i := 0; i < len(d); i++ {
		if d[i] < '0' || d[i] > '9' {
			return false
		}
	}
	t, err := time.Parse(scopeDateLayout, d)
	return err == nil && t.Format(scopeDateLayout) == d
}

// parseSignedHeaders splits a SignedHeaders value ("host;x-amz-date") into header names. The
// names are kept as sent (SigV4 requires them lower-case and sorted; the signature covers the
// list as sent, so it is not reordered here). It returns false when the list is empty or has an
// empty name.
func parseSignedHeaders(s string) ([]string, bool) {
	if s == "" {
		return nil, false
	}
	names := strings.Split(s, ";")
	for _, n := range names {
		if n == "" {
			return nil, false
		}
	}
	return names, true
}

// Authorization is a parsed SigV4 Authorization header.
type Authorization struct {
	// Credential is the access key ID and credential scope.
	Credential Credential
	// SignedHeaders lists the names of the signed headers, as sent (normally lower-case and
	// sorted).
	SignedHeaders []string
	// Signature is the signature as sent: 64 lower-case hex digits for a well-formed request.
	// ParseAuthorization does not check its form; Verify rejects anything that is not equal to
	// the signature it computes.
	Signature string
}

// String formats the Authorization header the way the AWS SDKs do:
// "AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...". For any a returned by
// ParseAuthorization, ParseAuthorization(a.String()) returns a again.
func (a Authorization) String() string {
	return Algorithm + " Credential=" + a.Credential.String() +
		", SignedHeaders=" + strings.Join(a.SignedHeaders, ";") +
		", Signature=" + a.Signature
}

// authzFields are the raw components of an Authorization header, before validation.
type authzFields struct {
	credential, signedHeaders, signature string
	// missing lists AWS's "Authorization header requires ..." sentences for absent components.
	missing []string
}

// isAuthzSep reports whether c separates Authorization header components. Real clients write
// "Credential=a, SignedHeaders=b, Signature=c"; some omit the space or the comma, so any run of
// commas, spaces and tabs separates components. No component value can contain one of them.
func isAuthzSep(c rune) bool { return c == ',' || c == ' ' || c == '\t' }

// splitAuthorization splits an Authorization header into its components. It fails on an
// unsupported algorithm, a component without '=', or a repeated component; absent components
// are reported in fields.missing, so that Verify can add its own requirements to the same
// message as AWS does.
func splitAuthorization(header string) (authzFields, *Error) {
	var f authzFields
	// The tokens of strings.FieldsFunc(header, isAuthzSep), without the slice: the separators
	// are ASCII, so a byte-wise scan finds the same fields.
	rest := header
	nextToken := func() (string, bool) {
		i := 0
		for i < len(rest) && isAuthzSep(rune(rest[i])) {
			i++
		}
		rest = rest[i:]
		if rest == "" {
			return "", false
		}
		j := 0
		for j < len(rest) && !isAuthzSep(rune(rest[j])) {
			j++
		}
		tok := rest[:j]
		rest = rest[j:]
		return tok, true
	}
	first, ok := nextToken()
	if !ok {
		return f, newError(KindMissing, MsgMissing)
	}
	if first != Algorithm {
		return f, incomplete("The authorization mechanism you have provided is not supported. Please use " + Algorithm + ".")
	}
	var seenCred, seenSH, seenSig bool
	for {
		tok, more := nextToken()
		if !more {
			break
		}
		k, v, ok := strings.Cut(tok, "=")
		if !ok {
			return f, incomplete("'" + tok + "' not a valid key=value pair (missing equal-sign) in Authorization header: '" + header + "'.")
		}
		var seen *bool
		switch k {
		case "Credential":
			seen, f.credential = &seenCred, v
		case "SignedHeaders":
			seen, f.signedHeaders = &seenSH, v
		case "Signature":
			seen, f.signature = &seenSig, v
		default:
			continue // AWS ignores components it does not know
		}
		if *seen {
			return f, incomplete("Authorization header has a repeated '" + k + "' parameter. Authorization=" + header)
		}
		*seen = true
	}
	if f.credential == "" {
		f.missing = append(f.missing, "Authorization header requires 'Credential' parameter.")
	}
	if f.signature == "" {
		f.missing = append(f.missing, "Authorization header requires 'Signature' parameter.")
	}
	if f.signedHeaders == "" {
		f.missing = append(f.missing, "Authorization header requires 'SignedHeaders' parameter.")
	}
	return f, nil
}

// build validates the components of f; f.missing must be empty.
func (f authzFields) build(header string) (Authorization, *Error) {
	cred, err := parseCredential(f.credential)
	if err != nil {
		return Authorization{}, err
	}
	sh, ok := parseSignedHeaders(f.signedHeaders)
	if !ok {
		return Authorization{}, incomplete("Authorization header has an invalid 'SignedHeaders' parameter: '" +
			f.signedHeaders + "'. Authorization=" + header)
	}
	return Authorization{Credential: cred, SignedHeaders: sh, Signature: f.signature}, nil
}

// ParseAuthorization parses a SigV4 Authorization header:
//
//	AWS4-HMAC-SHA256 Credential=AKID/yyyymmdd/region/service/aws4_request, SignedHeaders=a;b, Signature=hex
//
// Components may be separated by any run of commas, spaces and tabs, may come in any order, and
// unknown components are ignored. On failure it returns an *Error: KindMissing for an empty
// header, KindIncomplete otherwise, with AWS's message (which echoes the header, as AWS does).
// It does not check the request time or the signature; Verify does.
func ParseAuthorization(header string) (Authorization, error) {
	f, err := splitAuthorization(header)
	if err != nil {
		return Authorization{}, err
	}
	if len(f.missing) > 0 {
		return Authorization{}, incomplete(strings.Join(f.missing, " ") + " Authorization=" + header)
	}
	a, err := f.build(header)
	if err != nil {
		return Authorization{}, err
	}
	return a, nil
}

// Scope returns the access key ID, region and service a request claims to be signed for, taken
// from its Authorization header or, when it has none, from its X-Amz-Credential query parameter.
// It verifies nothing: it is for routing and for permissive modes, before or instead of Verify.
// ok is false when the request carries no parsable SigV4 credential.
func Scope(r *http.Request) (accessKeyID, region, service string, ok bool) {
	if r == nil {
		return "", "", "", false
	}
	if hs := lookupHeader(r.Header, headerAuthorization); len(hs) > 0 && strings.TrimSpace(hs[0]) != "" {
		h := hs[0]
		f, err := splitAuthorization(h)
		if err != nil || f.credential == "" {
			return "", "", "", false
		}
		c, cerr := parseCredential(f.credential)
		if cerr != nil {
			return "", "", "", false
		}
		return c.AccessKeyID, c.Region, c.Service, true
	}
	if r.URL == nil {
		return "", "", "", false
	}
	for _, p := range parseQuery(r.URL.RawQuery) {
		if p.key == paramCredential {
			c, err := parseCredential(p.value)
			if err != nil {
				return "", "", "", false
			}
			return c.AccessKeyID, c.Region, c.Service, true
		}
	}
	return "", "", "", false
}
