// Package sigv4 verifies AWS Signature Version 4 on incoming HTTP requests: the Authorization
// header form and the presigned query-string form.
//
// It knows nothing about accounts or services: a KeyStore resolves access keys to secrets, and the
// caller turns the returned *Error kinds into the wire errors of its protocol. It never logs
// secrets, and compares signatures in constant time.
//
// # Canonical request
//
// The canonical request is rebuilt from what the server received, the way AWS's non-S3 services
// and the SDKs build it:
//
//   - the method as sent;
//   - the path exactly as sent on the wire (r.RequestURI, not r.URL.Path, so a router rewriting
//     r.URL changes nothing), percent-encoded once more: "/" stays "/", "%20" becomes "%2520".
//     This is aws-sdk-go-v2's httpbinding.EscapePath(URL.EscapedPath()) and botocore's
//     quote(path, safe='/~'). botocore also removes "." ".." and empty segments first; a
//     signature over that normalized path is accepted too;
//   - the query parameters decoded and re-encoded (RFC 3986, space as %20), sorted by name then
//     value; X-Amz-Signature is left out for presigned requests;
//   - exactly the headers listed in SignedHeaders, in the listed order, names lower-cased, values
//     trimmed with runs of spaces collapsed (the Go SDK's rule; botocore's, which also folds tabs,
//     is accepted too) and several values joined by ','. host is r.Host; content-length is the
//     Content-Length header Go's server keeps in r.Header, or r.ContentLength. Clients sign
//     different sets (the Go SDK signs content-length when the length is known, boto3 and the
//     aws CLI do not); any set is accepted provided it includes host, the header that carries
//     the request time (header form), and every x-amz-* header present on the request;
//   - the payload hash: X-Amz-Content-Sha256 when present (it must be the SHA-256 of the body;
//     "UNSIGNED-PAYLOAD" is accepted only for presigned requests), else the SHA-256 of the body.
//     A presigned request without that header and with an empty body may also have been signed
//     with "UNSIGNED-PAYLOAD", as S3-style presigners do.
//
// # Clock skew
//
// A header-signed request is accepted when its time (X-Amz-Date, else Date) is within MaxSkew of
// the server clock, DefaultMaxSkew (15 minutes) unless set. The services orgconfig serves answer
// with a 15-minute window: real STS errors read "Signature expired: ... (... - 15 min.)" for
// GetCallerIdentity and AssumeRole, and so do JSON 1.1 services' InvalidSignatureException
// errors. (Some other AWS services, API Gateway among them, use 5 minutes, the figure of the IAM
// User Guide's general rule.)
// The messages always state the window in force.
//
// A presigned URL is valid from X-Amz-Date (less MaxSkew, for clients whose clock runs ahead)
// until X-Amz-Date + X-Amz-Expires, at most seven days. Without X-Amz-Expires (the Go SDK's
// PresignHTTP does not add it) the header rule applies: X-Amz-Date within MaxSkew of now.
//
// The package must never log or return a secret: an *Error carries AWS's wording for the failure
// and may echo what the client sent (the Authorization header, the query parameters), never a
// secret access key or a signing key. It imports no orgconfig package (tests/deps checks it).
package sigv4
