package awsproto

// commonErrors are the error codes any operation of any service may answer besides those its
// model lists: the protocol's authentication, authorization, validation, throttling and
// internal failures (the "common errors" of the AWS API references), and orgconfig's answer to
// an operation it routes but does not implement.
var commonErrors = map[string]bool{
	// JSON 1.1 (AWS Config, Organizations).
	"AccessDeniedException": true, "IncompleteSignatureException": true, "InternalFailure": true,
	"InvalidSignatureException": true, "MissingAuthenticationTokenException": true,
	"ExpiredTokenException": true, "SerializationException": true, "ServiceUnavailable": true,
	"ThrottlingException": true, "UnknownOperationException": true,
	"UnrecognizedClientException": true, "ValidationException": true,
	"NotImplementedException": true, "RequestEntityTooLargeException": true, "RequestTimeout": true,
	// Query (IAM, STS).
	"AccessDenied": true, "IncompleteSignature": true, "InvalidAction": true,
	"InvalidClientTokenId": true, "InvalidParameterCombination": true,
	"InvalidParameterValue": true, "InvalidQueryParameter": true, "MalformedQueryString": true,
	"MissingAction": true, "MissingAuthenticationToken": true, "MissingParameter": true,
	"NotAuthorized": true, "OptInRequired": true, "RequestExpired": true,
	"SignatureDoesNotMatch": true, "ExpiredToken": true, "Throttling": true,
	"ValidationError": true, "NotImplemented": true, "RequestEntityTooLarge": true,
}

// CommonError reports whether code is an error every operation may answer, whatever its
// model lists (see ErrorAllowed).
func CommonError(code string) bool { return commonErrors[code] }

// ErrorAllowed reports whether operation op of s may answer the wire error code: an error
// its model lists for op, or a common error of the protocols. SDKs generate typed errors from
// the model's list, so any other code reaches a client as an error it cannot name. An
// unknown operation allows only the common errors.
func (s *Service) ErrorAllowed(op, code string) bool {
	if commonErrors[code] {
		return true
	}
	o := s.Operations[op]
	if o == nil {
		return false
	}
	for _, name := range o.Errors {
		if name == code {
			return true
		}
		if sh := s.Shapes[name]; sh != nil && sh.Code == code {
			return true
		}
	}
	return false
}
