// Package identity knows who is calling: the accounts orgconfig hosts, the credentials issued to
// their principals (root users now; IAM users and assumed-role sessions build on the same
// records), and the resolution of an access key to a Principal.
//
// It must never trust request input for identity (a principal comes from a verified access key,
// never from a request's parameters), nor log or return a secret except to the code that
// verifies signatures and to the one-time bootstrap output the operator asked for.
package identity
