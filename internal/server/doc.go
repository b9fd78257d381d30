// Package server is a complete orgconfig server: it opens the store, builds the services over it
// (NewServices, the one place where they are wired to one another), bootstraps the first account,
// and serves every AWS service, the web console and the operator endpoints (/healthz, /metrics,
// the admin import, moto's reset in permissive mode) on one handler: New, Serve, Shutdown.
//
// Every AWS call takes one pipeline (serveAPI): the signature's headers are checked before the
// body is read, then the body is read within bounds, the protocol, service and operation are
// detected, the signature verified, the input validated against the API model, the call
// authorized, the service's handler run with the call's information in its context, and the
// answer rendered by internal/awsproto; each call is logged and counted once.
//
// The server must never write a response twice, nor render an AWS error itself: every error of
// an API call or of the admin import goes through writeError to awsproto.WriteError (/healthz
// and moto's reset, which are not AWS calls, answer plain text). It must never change the
// process it runs in (the garbage collector, signals, the environment, the exit status), nor
// keep state outside its Server: servers run inside tests and benchmarks, several in one
// process. It holds no service logic: what a call does is the service's business.
package server
