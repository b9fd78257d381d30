// Package malformed is a black-box suite of malformed requests generated from the API models.
//
// For every operation of AWS Config, Organizations, IAM and STS it sends requests that are
// correctly signed but broken on purpose: each member of the input given a value of the wrong
// kind, out of its bounds, outside its enum or pattern; Query lists and maps numbered wrongly;
// truncated, non-UTF-8, non-object, deeply nested and oversized bodies; and signatures that are
// missing, malformed, wrong, stale, scoped for another service or region, duplicated, or over
// another body. Every answer must be a client error (4xx) in the protocol's error shape (JSON:
// an object with "__type" and a message; Query: an ErrorResponse with Error/Code and RequestId),
// and the server must stay healthy. A server error (5xx) is a defect, reported with the request
// that caused it: the server recovers panics as InternalFailure, so a panic shows up as a 500.
//
// The valid request each variant starts from fills the required members with values the model
// accepts (generated from its patterns and bounds) and is checked offline against the model, so
// that a variant breaks exactly one thing and its answer must be the validation error of that
// member.
//
// The suite must never send traffic anywhere but the in-process server on 127.0.0.1 (its HTTP
// client refuses to dial any other address), never relax an expectation to fit what the server
// answers today, and never run longer than a couple of minutes: one server per service, the
// services in parallel, and a bounded number of variants per member.
package malformed
