package awsproto

import (
	"errors"
	"fmt"
)

// Error is an AWS wire error. It carries everything one place (the renderer) needs to write it
// as JSON 1.1 or as Query XML. Services create them through the constructors generated from the
// models (for example configapi.ErrNoSuchConfigurationAggregator) or through the generic
// constructors in this file, whose codes differ between protocols.
type Error struct {
	// Code is the wire code for JSON services (the model's shape name or error code).
	Code string
	// Status is the HTTP status for JSON services.
	Status int
	// QueryCode and QueryStatus override Code and Status for the Query protocol (IAM, STS) when
	// set: AWS spells several generic errors differently there (SignatureDoesNotMatch,
	// InvalidClientTokenId, ValidationError ...).
	QueryCode   string
	QueryStatus int
	// Sender is true for client faults ("Sender" in XML), false for server faults ("Receiver").
	Sender  bool
	Message string
	// Fields are extra members of the JSON error body, such as Organizations' Reason.
	Fields map[string]string
}

func (e *Error) Error() string {
	if e.Message == "" {
		return e.Code
	}
	return e.Code + ": " + e.Message
}

// With returns a copy of e with an extra member in the JSON error body (for example "Reason").
func (e *Error) With(key, value string) *Error {
	c := *e
	c.Fields = make(map[string]string, len(e.Fields)+1)
	for k, v := range e.Fields {
		c.Fields[k] = v
	}
	c.Fields[key] = value
	return &c
}

// For returns the code and status of e on the wire of protocol p.
func (e *Error) For(p Protocol) (code string, status int) {
	code, status = e.Code, e.Status
	if p == Query {
		if e.QueryCode != "" {
			code = e.QueryCode
		}
		if e.QueryStatus != 0 {
			status = e.QueryStatus
		}
	}
	if status == 0 {
		status = 400
	}
	return code, status
}

// AsError returns the *Error inside err, or nil.
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}

// generic describes an error whose spelling differs between the JSON and Query protocols.
type generic struct {
	jsonCode    string
	jsonStatus  int
	queryCode   string
	queryStatus int
	sender      bool
}

func (g generic) new(format string, args ...any) *Error {
	return g.msg(fmt.Sprintf(format, args...))
}

func (g generic) msg(msg string) *Error {
	return &Error{Code: g.jsonCode, Status: g.jsonStatus, QueryCode: g.queryCode, QueryStatus: g.queryStatus, Sender: g.sender, Message: msg}
}

// The generic errors, one table for both protocols: each row is the JSON 1.1 code and status
// (Config, Organizations), then the Query code and status (IAM, STS), as AWS's servers answer
// them (see "Common Errors" in each service's API reference, e.g.
// https://docs.aws.amazon.com/config/latest/APIReference/CommonErrors.html).
var (
	genMissingAuth        = generic{"MissingAuthenticationTokenException", 403, "MissingAuthenticationToken", 403, true}
	genIncomplete         = generic{"IncompleteSignatureException", 400, "IncompleteSignature", 400, true}
	genInvalidSignature   = generic{"InvalidSignatureException", 403, "SignatureDoesNotMatch", 403, true}
	genUnrecognized       = generic{"UnrecognizedClientException", 403, "InvalidClientTokenId", 403, true}
	genExpiredToken       = generic{"ExpiredTokenException", 400, "ExpiredToken", 400, true}
	genAccessDenied       = generic{"AccessDeniedException", 400, "AccessDenied", 403, true}
	genValidation         = generic{"ValidationException", 400, "ValidationError", 400, true}
	genSerialization      = generic{"SerializationException", 400, "MalformedQueryString", 400, true}
	genUnknownOperation   = generic{"UnknownOperationException", 400, "InvalidAction", 400, true}
	genNotImplemented     = generic{"NotImplementedException", 400, "NotImplemented", 400, true}
	genInternal           = generic{"InternalFailure", 500, "InternalFailure", 500, false}
	genMissingParameter   = generic{"ValidationException", 400, "MissingParameter", 400, true}
	genInvalidParameter   = generic{"ValidationException", 400, "InvalidParameterValue", 400, true}
	genRequestExpired     = generic{"InvalidSignatureException", 403, "SignatureDoesNotMatch", 403, true}
	genServiceUnavailable = generic{"ServiceUnavailable", 503, "ServiceUnavailable", 503, false}
	genTooLarge           = generic{"RequestEntityTooLargeException", 413, "RequestEntityTooLarge", 413, true}
	genRequestTimeout     = generic{"RequestTimeout", 400, "RequestTimeout", 400, true}
	genMissingAction      = generic{"UnknownOperationException", 400, "MissingAction", 400, true}
)

// ErrRequestTooLarge: the request body is over the limit of max bytes (HTTP 413).
func ErrRequestTooLarge(max int) *Error {
	return genTooLarge.new("The request body is larger than %d bytes.", max)
}

// ErrMissingAction: a Query request without an Action parameter.
func ErrMissingAction() *Error {
	return genMissingAction.msg("The request must contain the parameter Action, or an X-Amz-Target header for the AWS JSON protocol.")
}

// ErrRequestTimeout: the client did not send its body in time (AWS's RequestTimeout).
func ErrRequestTimeout() *Error {
	return genRequestTimeout.msg("Your socket connection to the server was not read from or written to within the timeout period. Idle connections will be closed.")
}

// ErrMissingAuthenticationToken: the request carries no signature at all.
func ErrMissingAuthenticationToken(msg string) *Error { return genMissingAuth.msg(msg) }

// ErrIncompleteSignature: the signature is malformed or lacks a required part.
func ErrIncompleteSignature(msg string) *Error { return genIncomplete.msg(msg) }

// ErrInvalidSignature: the signature does not match, or the credential scope is wrong.
func ErrInvalidSignature(msg string) *Error { return genInvalidSignature.msg(msg) }

// ErrSignatureExpired: the request time is outside the allowed skew.
func ErrSignatureExpired(msg string) *Error { return genRequestExpired.msg(msg) }

// ErrUnrecognizedClient: the access key (or its session token) is not known.
func ErrUnrecognizedClient(msg string) *Error { return genUnrecognized.msg(msg) }

// ErrExpiredToken: temporary credentials have expired.
func ErrExpiredToken(msg string) *Error { return genExpiredToken.msg(msg) }

// ErrAccessDenied: authorization refused the call.
func ErrAccessDenied(format string, args ...any) *Error { return genAccessDenied.new(format, args...) }

// ErrValidation: the input breaks a model constraint (the message lists the violations).
func ErrValidation(format string, args ...any) *Error { return genValidation.new(format, args...) }

// ErrMissingParameter: a required parameter is absent (Query: MissingParameter).
func ErrMissingParameter(format string, args ...any) *Error {
	return genMissingParameter.new(format, args...)
}

// ErrInvalidParameterValue: a parameter cannot be decoded as its model type.
func ErrInvalidParameterValue(format string, args ...any) *Error {
	return genInvalidParameter.new(format, args...)
}

// ErrSerialization: the body is not valid JSON or a value has the wrong JSON type.
func ErrSerialization(format string, args ...any) *Error {
	return genSerialization.new(format, args...)
}

// ErrUnknownOperation: the target or action names no operation of any service.
func ErrUnknownOperation(format string, args ...any) *Error {
	return genUnknownOperation.new(format, args...)
}

// ErrInternal: an unexpected failure; the message never carries internal details.
func ErrInternal() *Error {
	return genInternal.new("We encountered an internal error. Please try again.")
}

// ErrServiceUnavailable: the server is shutting down or overloaded.
func ErrServiceUnavailable() *Error {
	return genServiceUnavailable.new("The service is unavailable. Please try again later.")
}

// NotImplemented is the answer of an operation that the model defines and orgconfig routes but
// does not implement yet. It is a client-side 4xx so that SDKs do not retry it.
func NotImplemented(service, operation string) *Error {
	return genNotImplemented.new("The operation %s of service %s is not implemented by orgconfig yet.", operation, service)
}
