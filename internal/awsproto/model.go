package awsproto

import "context"

// Protocol is an AWS wire protocol.
type Protocol int

const (
	// JSON is the awsJson1_1 protocol: POST /, X-Amz-Target, JSON bodies (Config, Organizations).
	JSON Protocol = iota + 1
	// Query is the AWS Query protocol: form-encoded Action requests, XML responses (IAM, STS).
	Query
)

func (p Protocol) String() string {
	switch p {
	case JSON:
		return "json"
	case Query:
		return "query"
	}
	return "unknown"
}

// ShapeType is the type of a shape in an AWS API model.
type ShapeType uint8

const (
	TypeStructure ShapeType = iota + 1
	TypeList
	TypeMap
	TypeString
	TypeInteger
	TypeLong
	TypeFloat
	TypeDouble
	TypeBoolean
	TypeTimestamp
	TypeBlob
)

// Shape is one shape of an AWS API model with the constraints that input validation enforces.
// Shapes refer to each other by name through the service's Shapes map, which allows recursion.
type Shape struct {
	Name string
	Type ShapeType

	// Members of a structure, in model order.
	Members []Member
	// Required lists the required member names of a structure.
	Required []string

	// Member is the element shape of a list; Key and Value those of a map.
	Member string
	Key    string
	Value  string
	// Flattened lists and maps are serialized without a wrapper element in XML.
	Flattened bool

	// Min and Max bound a string's or blob's length, a list's or map's size, or a number's value.
	// HasMin and HasMax say whether they are set.
	Min, Max       float64
	HasMin, HasMax bool
	// Pattern is the model's regular expression, already translated to Go syntax; empty if none or
	// if the model's expression cannot be expressed in RE2 (then it is not enforced).
	Pattern string
	// Enum lists the allowed values of a string shape.
	Enum []string

	// Exception marks error shapes; Code, Status and SenderFault describe the wire error.
	Exception   bool
	Code        string
	Status      int
	SenderFault bool
}

// Member is a structure member.
type Member struct {
	// Name is the member name as in the model: the JSON key and the Query/XML element name.
	Name string
	// Shape is the name of the member's shape in the service's Shapes.
	Shape string
	// LocationName overrides the XML element name (or the Query key) when set.
	LocationName string
	// Flattened overrides the target list's flattening for this member.
	Flattened bool
}

// Operation describes one operation of a service model.
type Operation struct {
	Name string
	// Input and Output are shape names; empty when the operation has none.
	Input  string
	Output string
	// ResultWrapper is the Query protocol's result element (e.g. "AssumeRoleResult").
	ResultWrapper string
	// Errors are the shape names of the exceptions the model lists for the operation.
	Errors []string
}

// Handler runs one operation. body is the operation's input as JSON (for the Query protocol the
// form is converted to JSON first); the request has already been authenticated and validated
// against the model. It returns the output structure (a pointer to a generated type) or an error;
// a *Error reaches the client as is, any other error becomes an internal failure.
type Handler func(ctx context.Context, body []byte) (any, error)

// Service is the model of one AWS service: what the router and the validator need to know.
// Each generated API package defines one Service value.
type Service struct {
	// Name is the SigV4 signing name and the endpoint prefix: "config", "organizations", "iam", "sts".
	Name       string
	Protocol   Protocol
	APIVersion string
	// TargetPrefix is the X-Amz-Target prefix of JSON services.
	TargetPrefix string
	// XMLNamespace is the namespace of Query responses.
	XMLNamespace string
	Operations   map[string]*Operation
	Shapes       map[string]*Shape
}
