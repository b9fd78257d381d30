package server

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"runtime/debug"
	"strings"
	"time"

	"github.com/orgconfig/orgconfig/internal/awsproto"
	"github.com/orgconfig/orgconfig/internal/call"
	"github.com/orgconfig/orgconfig/internal/console"
	"github.com/orgconfig/orgconfig/internal/identity"
	"github.com/orgconfig/orgconfig/internal/sigv4"
	"github.com/orgconfig/orgconfig/internal/store"
)

// maxBody bounds a request body. AWS's largest inputs here (conformance pack templates,
// configuration items) are far smaller. A larger body is answered 413 without being read.
const maxBody = 32 << 20

// maxBodiesInFlight bounds the memory of the request bodies being read and handled at once;
// a request waits for room before its body is read.
const maxBodiesInFlight = 2 * maxBody

// Reserved paths. Every other path is an AWS API call.
const (
	pathHealth    = "/healthz"
	pathMetrics   = "/metrics"
	pathMotoReset = "/moto-api/reset"
)

// routes dispatches on the exact path. No http.ServeMux: it would answer a path such as "//" or
// "/a/../" with a redirect of its own, where every AWS call, whatever its path, must get an
// answer in its protocol's shape.
func (s *Server) routes() http.Handler {
	metrics := s.metrics.handler()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch p := r.URL.Path; {
		case p == pathHealth:
			s.serveHealth(w, r)
		case p == pathMetrics:
			metrics.ServeHTTP(w, r)
		case p == pathMotoReset && s.opts.Auth == AuthPermissive:
			s.serveReset(w, r)
		case p == PathImport:
			s.serveImport(w, r)
		case p == console.Prefix || strings.HasPrefix(p, console.Prefix+"/"):
			s.console.ServeHTTP(w, r)
		default:
			s.serveAPI(w, r)
		}
	})
}

// serveHealth answers 200 "ok" while the server accepts requests and its store takes writes,
// 503 with the reason otherwise (shutting down, or a write fails: a full disk, say).
func (s *Server) serveHealth(w http.ResponseWriter, r *http.Request) {
	if s.closing.Load() {
		http.Error(w, "shutting down", http.StatusServiceUnavailable)
		return
	}
	if err := s.health.check(r.Context(), s.store); err != nil {
		http.Error(w, "writes fail: "+err.Error(), http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	io.WriteString(w, "ok\n")
}

// asAWSError is the error a client gets for err: an AWS error as it is; a store that cannot
// write (store.ErrUnavailable) ServiceUnavailable, which SDKs retry; anything else an internal
// failure. The last two are logged.
func (s *Server) asAWSError(ctx context.Context, requestID string, err error) *awsproto.Error {
	if e := awsproto.AsError(err); e != nil {
		return e
	}
	if errors.Is(err, store.ErrUnavailable) {
		s.log.LogAttrs(ctx, slog.LevelError, "store unavailable", slog.String("request_id", requestID), slog.String("error", err.Error()))
		return awsproto.ErrServiceUnavailable()
	}
	s.log.LogAttrs(ctx, slog.LevelError, "internal error", slog.String("request_id", requestID), slog.String("error", err.Error()))
	return awsproto.ErrInternal()
}

// exchange is one API call on its way through the pipeline.
type exchange struct {
	id       string
	start    time.Time
	protocol awsproto.Protocol
	svc      *service
	op       *awsproto.Operation
	opName   string
	form     url.Values
	body     []byte
	spooled  *spooledBody // a body streamed to disk instead of body (imports)
	info     *call.Info
	rendered awsproto.Rendered // a handler's pre-encoded JSON answer, if it left one
}

// serveAPI is the path of every AWS call: read, detect the protocol and service, authenticate,
// route, validate, run the handler, render. It writes exactly one response.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	x := &exchange{id: s.ids.RequestID(), start: time.Now(), protocol: awsproto.JSON}
	err := s.exchange(w, r, x)
	status := http.StatusOK
	code := ""
	if err != nil {
		status, code = s.writeError(r.Context(), w, x, err)
	}
	s.observe(r.Context(), x, status, code)
}

// writeError answers err in x's protocol, with the message member and XML namespace of x's
// service (without one: JSON's "message", STS's namespace for Query), through
// awsproto.WriteError. Every AWS error response of the server (API calls, the admin import)
// goes through it. It returns the status and error code written, for observe.
func (s *Server) writeError(ctx context.Context, w http.ResponseWriter, x *exchange, err error) (status int, code string) {
	e := s.asAWSError(ctx, x.id, err)
	code, status = e.For(x.protocol)
	msgKey, ns := "message", ""
	if x.svc != nil {
		msgKey, ns = x.svc.messageKey, x.svc.model.XMLNamespace
	} else if x.protocol == awsproto.Query {
		ns = "https://sts.amazonaws.com/doc/2011-06-15/"
	}
	// A failed write means the client is gone; no second response can be written.
	_ = awsproto.WriteError(w, x.protocol, msgKey, ns, x.id, e)
	return status, code
}

func (s *Server) exchange(w http.ResponseWriter, r *http.Request, x *exchange) (err error) {
	defer func() {
		if p := recover(); p != nil {
			s.log.Error("panic in handler", "request_id", x.id, "panic", p, "stack", string(debug.Stack()))
			err = awsproto.ErrInternal()
		}
	}()
	if s.closing.Load() {
		return awsproto.ErrServiceUnavailable()
	}
	// Authenticate what the headers allow before reading anything: a client without a key
	// orgconfig issued makes the server buffer nothing.
	if s.opts.Auth != AuthPermissive {
		if err := s.precheck(r, x); err != nil {
			return err
		}
	}
	body, release, err := s.readBody(w, r)
	if err != nil {
		return err
	}
	defer release()
	x.body = body
	if err := s.detect(r, x); err != nil {
		return err
	}
	if err := s.authenticate(r, x); err != nil {
		return err
	}
	if x.op == nil {
		if x.protocol == awsproto.Query {
			return awsproto.ErrUnknownOperation("Could not find operation %s for version %s", x.opName, x.svc.model.APIVersion)
		}
		return awsproto.ErrUnknownOperation("Operation %s is not part of service %s", x.opName, x.svc.model.Name)
	}
	x.info.Operation = x.op.Name
	var input []byte
	if x.protocol == awsproto.Query {
		input, err = awsproto.DecodeQuery(x.svc.model, x.op, x.form)
		if err != nil {
			return err
		}
	} else {
		if err := awsproto.ValidateJSON(x.svc.model, x.op, body); err != nil {
			return err
		}
		input = body
	}
	h := x.svc.handlers[x.op.Name]
	if h == nil {
		return awsproto.NotImplemented(x.svc.model.Name, x.op.Name)
	}
	ctx := call.With(r.Context(), x.info)
	if err := s.authz.Authorize(ctx, x.info, x.svc.model.Name, x.op.Name, input); err != nil {
		return err
	}
	if x.protocol != awsproto.Query {
		ctx = awsproto.WithRendered(ctx, &x.rendered)
	}
	out, err := h(ctx, input)
	if err != nil {
		return err
	}
	if x.protocol == awsproto.Query {
		// A failed write means the client is gone; no second response can be written.
		_ = awsproto.WriteQuery(w, x.svc.model, x.op, x.id, out)
		return nil
	}
	if body := x.rendered.Body(out); body != nil {
		_ = awsproto.WriteJSONBody(w, x.id, body)
		return nil
	}
	_ = awsproto.WriteJSON(w, x.id, out)
	return nil
}

// precheck runs the signature checks that need no body (see sigv4.Verifier.Precheck). It
// guesses the protocol and service from the headers first, so that its errors reach the client
// in the shape it expects: JSON 1.1 when the request names a target or a JSON content type,
// Query otherwise.
func (s *Server) precheck(r *http.Request, x *exchange) error {
	if target := r.Header.Get("X-Amz-Target"); target != "" || strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-amz-json") {
		x.protocol = awsproto.JSON
		if prefix, _, ok := strings.Cut(target, "."); ok {
			x.svc = s.targets[prefix]
		}
	} else {
		x.protocol = awsproto.Query
		if _, _, name, ok := sigv4.Scope(r); ok {
			if c := s.services[name]; c != nil && c.model.Protocol == awsproto.Query {
				x.svc = c
			}
		}
	}
	if err := s.verifier.Precheck(r.Context(), r); err != nil {
		return s.authError(err)
	}
	return nil
}

// readBody reads the request body once there is room for it among the bodies in flight. A
// body over maxBody, declared or read, is RequestEntityTooLarge (413). release gives the room
// back when the request is done with the body.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request) (body []byte, release func(), err error) {
	if r.ContentLength > maxBody {
		return nil, nil, awsproto.ErrRequestTooLarge(maxBody)
	}
	need := r.ContentLength
	if need < 0 {
		need = maxBody // chunked: as much as it may grow to
	}
	if err := s.bodies.Acquire(r.Context(), need); err != nil {
		return nil, nil, awsproto.ErrSerialization("Could not read the request body")
	}
	release = func() { s.bodies.Release(need) }
	done := s.bodyDeadline(w, s.bodyTimeout(false))
	body, err = io.ReadAll(io.LimitReader(r.Body, maxBody+1))
	done(err == nil)
	if err != nil {
		release()
		return nil, nil, bodyReadError(err)
	}
	if len(body) > maxBody {
		release()
		return nil, nil, awsproto.ErrRequestTooLarge(maxBody)
	}
	return body, release, nil
}

// bodyTimeout is how long a client may take to send a body: Options.BodyTimeout, or 60
// seconds (10 minutes for an import, whose body may be 256 MiB).
func (s *Server) bodyTimeout(importCall bool) time.Duration {
	if s.opts.BodyTimeout > 0 {
		return s.opts.BodyTimeout
	}
	if importCall {
		return 10 * time.Minute
	}
	return 60 * time.Second
}

// bodyDeadline sets a read deadline on the request's connection, so that a client that stops
// sending its body does not hold the connection (and a file descriptor) forever. The returned
// function ends it: once the body is read, the deadline is lifted; when reading failed, it
// stays (net/http would otherwise wait for the rest of the body before answering) and the
// connection is closed after the answer.
func (s *Server) bodyDeadline(w http.ResponseWriter, d time.Duration) func(read bool) {
	rc := http.NewResponseController(w)
	if rc.SetReadDeadline(time.Now().Add(d)) != nil {
		return func(bool) {}
	}
	return func(read bool) {
		if read {
			_ = rc.SetReadDeadline(time.Time{})
			return
		}
		w.Header().Set("Connection", "close")
	}
}

// bodyReadError is the answer to a body that could not be read: RequestTimeout when the
// client was too slow, as AWS answers, and a serialization error otherwise.
func bodyReadError(err error) error {
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return awsproto.ErrRequestTimeout()
	}
	return awsproto.ErrSerialization("Could not read the request body")
}

// detect finds the protocol, service and operation from the request's shape: X-Amz-Target for
// JSON 1.1, the form's Action for Query (service from the signature's scope, then Version).
func (s *Server) detect(r *http.Request, x *exchange) error {
	if target := r.Header.Get("X-Amz-Target"); target != "" {
		x.protocol = awsproto.JSON
		if r.Method != http.MethodPost {
			return awsproto.ErrUnknownOperation("The AWS JSON protocol takes POST requests, not %s.", r.Method)
		}
		if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/x-amz-json-1.") {
			return awsproto.ErrSerialization("The AWS JSON protocol takes Content-Type application/x-amz-json-1.1, not %q.", ct)
		}
		prefix, op, ok := strings.Cut(target, ".")
		if !ok {
			return awsproto.ErrUnknownOperation("Malformed X-Amz-Target header %q", target)
		}
		svc := s.targets[prefix]
		if svc == nil {
			return awsproto.ErrUnknownOperation("No service is known for target prefix %q", prefix)
		}
		x.svc, x.opName = svc, op
		x.op = svc.model.Operations[op]
		return nil
	}
	form := url.Values{}
	if r.URL.RawQuery != "" {
		q, err := url.ParseQuery(r.URL.RawQuery)
		if err != nil {
			x.protocol = awsproto.Query
			return awsproto.ErrSerialization("Malformed query string")
		}
		for k, v := range q {
			form[k] = v
		}
	}
	ct := r.Header.Get("Content-Type")
	if r.Method == http.MethodPost && (strings.HasPrefix(ct, "application/x-www-form-urlencoded") || (ct == "" && bytes.Contains(x.body, []byte("Action=")))) {
		b, err := url.ParseQuery(string(x.body))
		if err != nil {
			x.protocol = awsproto.Query
			return awsproto.ErrSerialization("Malformed form body")
		}
		for k, v := range b {
			form[k] = append(form[k], v...)
		}
	}
	for _, p := range []string{"Action", "Version"} {
		if len(form[p]) > 1 {
			x.protocol = awsproto.Query
			return awsproto.ErrSerialization("The parameter %s appears more than once.", p)
		}
	}
	action := form.Get("Action")
	if action == "" {
		// No target and no Action: answer in the shape of the protocol the request looks like.
		if strings.HasPrefix(ct, "application/x-amz-json") {
			x.protocol = awsproto.JSON
			return awsproto.ErrUnknownOperation("The request names no operation: send X-Amz-Target (JSON services) or an Action parameter (Query services)")
		}
		x.protocol = awsproto.Query
		return awsproto.ErrMissingAction()
	}
	x.protocol = awsproto.Query
	x.form = form
	x.opName = action
	// The form's Version names the service in practice (every SDK sends it); the signature's
	// scope decides otherwise. Either way authenticate cross-checks the scope's service.
	var svc *service
	switch v := form.Get("Version"); v {
	case s.services["iam"].model.APIVersion:
		svc = s.services["iam"]
	case s.services["sts"].model.APIVersion:
		svc = s.services["sts"]
	case "":
	default:
		return awsproto.ErrUnknownOperation("Could not find operation %s for version %s", action, v)
	}
	if svc == nil {
		_, _, scopeSvc, _ := sigv4.Scope(r)
		if c := s.services[scopeSvc]; c != nil && c.model.Protocol == awsproto.Query {
			svc = c
		}
	}
	if svc == nil {
		svc = s.services["iam"]
		if _, ok := s.services["sts"].model.Operations[action]; ok {
			svc = s.services["sts"]
		}
	}
	x.svc = svc
	x.op = svc.model.Operations[action]
	return nil
}

// authenticate verifies the signature (strict) or maps the access key to an account
// (permissive), and fills x.info.
func (s *Server) authenticate(r *http.Request, x *exchange) error {
	ctx := r.Context()
	x.info = &call.Info{RequestID: x.id, Service: x.svc.model.Name, Operation: x.opName, Time: s.clock.Now()}
	if s.opts.Auth == AuthPermissive {
		return s.authenticatePermissive(ctx, r, x)
	}
	var res *sigv4.Result
	var err error
	if x.spooled != nil {
		res, err = s.verifier.VerifyPayloadHash(ctx, r, x.spooled.hash, x.spooled.size == 0)
	} else {
		res, err = s.verifier.Verify(ctx, r, x.body)
	}
	if err != nil {
		return s.authError(err)
	}
	if res.Service != x.svc.model.Name {
		return awsproto.ErrInvalidSignature("Credential should be scoped to correct service: '" + x.svc.model.Name + "'. ")
	}
	if err := s.checkRegion(x, res.Region); err != nil {
		return err
	}
	cred, err := s.dir.Credential(ctx, res.AccessKeyID)
	if err != nil {
		return s.authError(err)
	}
	x.info.Region = res.Region
	x.info.Principal = cred.Principal()
	return nil
}

func (s *Server) checkRegion(x *exchange, region string) error {
	if x.svc.model.Name == "config" && !s.regions.Has(region) {
		return awsproto.ErrInvalidSignature("Credential should be scoped to a valid region, not '" + region + "'. ")
	}
	return nil
}

// authenticatePermissive resolves the caller without checking signatures: keys orgconfig issued
// keep their principal, a 12-digit key means that account's root, anything else the default
// account.
func (s *Server) authenticatePermissive(ctx context.Context, r *http.Request, x *exchange) error {
	akid, region, _, ok := sigv4.Scope(r)
	if !ok || region == "" {
		region = "us-east-1"
	}
	if err := s.checkRegion(x, region); err != nil {
		return err
	}
	x.info.Region = region
	if akid != "" {
		if cred, err := s.dir.Credential(ctx, akid); err == nil {
			x.info.Principal = cred.Principal()
			return nil
		}
		if identity.ValidAccountID(akid) {
			if err := s.dir.EnsureAccount(ctx, akid, "permissive"); err != nil {
				return err
			}
			x.info.Principal = identity.RootPrincipal(akid)
			return nil
		}
	}
	if err := s.dir.EnsureAccount(ctx, s.opts.DefaultAccountID, "permissive"); err != nil {
		return err
	}
	x.info.Principal = identity.RootPrincipal(s.opts.DefaultAccountID)
	return nil
}

// authError turns a verification failure into the AWS error of the caller's protocol.
func (s *Server) authError(err error) error {
	var ve *sigv4.Error
	if !errors.As(err, &ve) {
		if errors.Is(err, sigv4.ErrUnknownKey) {
			return awsproto.ErrUnrecognizedClient("The security token included in the request is invalid.")
		}
		return err
	}
	switch ve.Kind {
	case sigv4.KindMissing:
		return awsproto.ErrMissingAuthenticationToken(ve.Message)
	case sigv4.KindIncomplete:
		return awsproto.ErrIncompleteSignature(ve.Message)
	case sigv4.KindUnknownKey, sigv4.KindTokenInvalid:
		return awsproto.ErrUnrecognizedClient(ve.Message)
	case sigv4.KindMismatch:
		return awsproto.ErrInvalidSignature(ve.Message)
	case sigv4.KindExpired:
		return awsproto.ErrSignatureExpired(ve.Message)
	case sigv4.KindTokenExpired:
		return awsproto.ErrExpiredToken(ve.Message)
	}
	return awsproto.ErrIncompleteSignature(ve.Message)
}

// observe logs the call and records its metrics.
func (s *Server) observe(ctx context.Context, x *exchange, status int, code string) {
	d := time.Since(x.start)
	svcName, op := "unknown", x.opName
	if x.svc != nil {
		svcName = x.svc.model.Name
	}
	if x.op == nil {
		op = "unknown"
	}
	account := ""
	if x.info != nil && x.info.Principal != nil {
		account = x.info.Principal.Account
	}
	s.metrics.observe(svcName, op, code, d)
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelError
	}
	if !s.log.Enabled(ctx, level) {
		return
	}
	s.log.LogAttrs(ctx, level, "request",
		slog.String("request_id", x.id),
		slog.String("service", svcName),
		slog.String("operation", x.opName),
		slog.String("account", account),
		slog.Int("status", status),
		slog.String("error_code", code),
		slog.Duration("duration", d),
	)
}
