package sigv4

import (
	"errors"
	"strconv"
	"time"
)

// ErrUnknownKey is the error a KeyStore returns, wrapped or not, when an access key ID does not
// exist (or exists but may not be used, for example because it was deactivated). Verify turns it
// into an *Error of kind KindUnknownKey.
var ErrUnknownKey = errors.New("sigv4: unknown access key")

// ErrorKind classifies a verification failure. Each kind corresponds to one family of AWS
// errors; the caller picks the error code of its protocol (the codes given below are the ones AWS
// uses) and sends the *Error's Message with it.
type ErrorKind int

const (
	// KindMissing means the request carries no signature at all: neither an Authorization
	// header nor presigned query parameters (AWS: MissingAuthenticationToken, "Missing
	// Authentication Token"; query-protocol services say "Request is missing Authentication
	// Token").
	KindMissing ErrorKind = iota + 1
	// KindIncomplete means the signature is malformed or incomplete: a missing or unparsable
	// parameter, an unsupported algorithm, a bad date format, a required header that is not
	// signed, or an x-amz-* header present on the request but not signed (AWS:
	// IncompleteSignature / IncompleteSignatureException, or AuthorizationQueryParametersError
	// for presigned URLs).
	KindIncomplete
	// KindUnknownKey means the access key ID is not known to the KeyStore (AWS:
	// InvalidClientTokenId for query-protocol services, UnrecognizedClientException for JSON
	// services).
	KindUnknownKey
	// KindMismatch means the signature, the credential scope date, or the declared payload hash
	// does not match what the server computed (AWS: SignatureDoesNotMatch /
	// InvalidSignatureException).
	KindMismatch
	// KindExpired means the request time is outside the allowed clock skew, or a presigned URL
	// has expired (AWS: SignatureDoesNotMatch / InvalidSignatureException with a "Signature
	// expired" message, or AccessDenied "Request has expired" for presigned URLs).
	KindExpired
	// KindTokenInvalid means the credentials are temporary and the request carries no session
	// token or a different one, or the credentials are long-term and the request carries a
	// session token (AWS: InvalidClientTokenId / UnrecognizedClientException).
	KindTokenInvalid
	// KindTokenExpired means the temporary credentials the request was signed with have expired
	// (AWS: ExpiredToken / ExpiredTokenException).
	KindTokenExpired
)

// String returns the name of the kind, for logs and test output.
func (k ErrorKind) String() string {
	switch k {
	case KindMissing:
		return "Missing"
	case KindIncomplete:
		return "Incomplete"
	case KindUnknownKey:
		return "UnknownKey"
	case KindMismatch:
		return "Mismatch"
	case KindExpired:
		return "Expired"
	case KindTokenInvalid:
		return "TokenInvalid"
	case KindTokenExpired:
		return "TokenExpired"
	}
	return "ErrorKind(" + strconv.Itoa(int(k)) + ")"
}

// Default messages, in AWS's wording.
const (
	// MsgMissing is the message of KindMissing errors. Query-protocol services word it
	// "Request is missing Authentication Token"; the caller may substitute that.
	MsgMissing = "Missing Authentication Token"
	// MsgInvalidToken is the message of KindUnknownKey and KindTokenInvalid errors.
	MsgInvalidToken = "The security token included in the request is invalid."
	// MsgExpiredToken is the message of KindTokenExpired errors.
	MsgExpiredToken = "The security token included in the request is expired"
	// MsgMismatch is the message of KindMismatch errors caused by a wrong signature.
	MsgMismatch = "The request signature we calculated does not match the signature you provided. " +
		"Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
	// MsgPayloadMismatch is the message of KindMismatch errors caused by an
	// X-Amz-Content-Sha256 header that is not the SHA-256 of the body.
	MsgPayloadMismatch = "The provided 'x-amz-content-sha256' header does not match what was computed."
	// MsgPresignExpired is the message of KindExpired errors for presigned URLs used after
	// X-Amz-Date + X-Amz-Expires.
	MsgPresignExpired = "Request has expired"
)

// Error is a signature verification failure. Its Message is safe to send to the client: it is
// AWS's wording for the failure and never contains a secret access key (it may echo the
// Authorization header or query parameters the client sent, as AWS does; those contain only
// public values and the client's own signature).
type Error struct {
	// Kind classifies the failure.
	Kind ErrorKind
	// Message is the human-readable message, in AWS's wording.
	Message string
	// Err is the underlying cause, if any (the KeyStore's error for KindUnknownKey). It is for
	// logs and errors.Is, not for the client.
	Err error
}

// Error returns the message.
func (e *Error) Error() string { return e.Message }

// Unwrap returns the underlying cause, so that errors.Is(err, ErrUnknownKey) holds for
// KindUnknownKey errors.
func (e *Error) Unwrap() error { return e.Err }

func newError(kind ErrorKind, msg string) *Error { return &Error{Kind: kind, Message: msg} }

func incomplete(msg string) *Error { return newError(KindIncomplete, msg) }

// skewMinutes renders a skew as AWS does in its "Signature expired" messages ("5", "15", "1.5").
func skewMinutes(d time.Duration) string {
	return strconv.FormatFloat(d.Minutes(), 'f', -1, 64)
}

func expiredError(t, now time.Time, skew time.Duration) *Error {
	return newError(KindExpired, "Signature expired: "+t.UTC().Format(amzDateLayout)+" is now earlier than "+
		now.Add(-skew).UTC().Format(amzDateLayout)+" ("+now.UTC().Format(amzDateLayout)+" - "+skewMinutes(skew)+" min.)")
}

func notYetCurrentError(t, now time.Time, skew time.Duration) *Error {
	return newError(KindExpired, "Signature not yet current: "+t.UTC().Format(amzDateLayout)+" is still later than "+
		now.Add(skew).UTC().Format(amzDateLayout)+" ("+now.UTC().Format(amzDateLayout)+" + "+skewMinutes(skew)+" min.)")
}
