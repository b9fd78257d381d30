// Package call carries what the server knows about one API call through its context: request
// ID, service, operation, region and the authenticated principal. Services read it; only the
// server's request pipeline writes it.
//
// It must never be written by anyone but the server (tests aside): only the request pipeline
// calls With, once per call, after authentication. A handler that needs the caller reads it with
// Caller, which fails with MissingAuthenticationToken outside a request rather than act for an
// arbitrary account.
package call
