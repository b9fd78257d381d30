// Package awsproto speaks AWS's wire protocols for the services orgconfig serves: awsJson1_1
// (AWS Config, Organizations) and Query (IAM, STS). It holds what the generated API packages
// (internal/api/*api) and the server's pipeline share: the models' shapes, the decoding of Query
// forms into the JSON of the same input, the validation of an input against its model with
// AWS's messages, the adapters from typed service methods to handlers, the renderers of
// successful answers (JSON, Query XML) and timestamps, the per-request slot through which a
// handler may hand the server its answer already encoded (Rendered), and the errors: the Error
// type, the table of generic errors whose spelling differs by protocol, the common errors any
// operation may answer, and WriteError, the one renderer of an error response.
//
// It must never know about accounts, principals or any service's state: it turns bytes into
// inputs and answers into bytes, and nothing it does depends on who calls or on what the store
// holds. No other package writes an error response: they return errors, and the server hands
// them to WriteError.
package awsproto
