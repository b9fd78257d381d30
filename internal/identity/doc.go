// Package identity knows who is calling: the accounts orgconfig hosts, the credentials issued to
// their principals (root users now; IAM users and assumed-role sessions build on the same
// records), and the resolution of an access key to a Principal.
//
// It must never log or return a secret except to the code that verifies signatures and to the
// one-time bootstrap output the operator asked for.
package identity
