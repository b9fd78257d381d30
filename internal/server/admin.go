package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/orgconfig/orgconfig/internal/awsproto"
	"github.com/orgconfig/orgconfig/internal/configservice"
)

// PathImport is the admin call that imports AWS Config snapshot and history files (see
// docs/admin-api.md). It is outside the AWS API surface: AWS has no call that pushes
// configuration items of native resource types.
const PathImport = "/_orgconfig/import"

// adminMaxBody bounds the body of an import call. The body is streamed to a temporary file
// while it is hashed, after the headers' checks (see precheck) and before the signature's,
// which needs the hash; it is imported from there once the signature holds. Larger inputs go
// through `orgconfig import` on the store directly, or split into several calls.
const adminMaxBody = 256 << 20

// maxImportsInFlight bounds the import calls running at once (each holds a temporary file of up
// to adminMaxBody bytes and a store writer); more wait for their turn.
const maxImportsInFlight = 2

// serveImport serves POST /_orgconfig/import: a SigV4-signed (service "config") call by an
// account's root user whose body is one snapshot or history file, gzipped or not. It writes
// exactly one response: the import's summary as JSON, or an AWS-style JSON error.
func (s *Server) serveImport(w http.ResponseWriter, r *http.Request) {
	x := &exchange{id: s.ids.RequestID(), start: time.Now(), protocol: awsproto.JSON, opName: "Import", svc: s.services["config"]}
	out, err := s.adminImport(w, r, x)
	status, code := http.StatusOK, ""
	if err != nil {
		// The import answers in JSON whatever protocol its headers looked like to precheck.
		x.protocol = awsproto.JSON
		status, code = s.writeError(r.Context(), w, x, err)
	} else {
		body, _ := json.Marshal(out)
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set("x-amzn-RequestId", x.id)
		h.Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(body)
	}
	s.observe(r.Context(), x, status, code)
}

// adminImport authenticates the call exactly as an AWS Config call (strict SigV4, or the
// permissive mode's rules), then imports the body. The caller must be an account's root user.
// Items go to the caller's account; items naming another account are skipped with a reason,
// unless the caller is the bootstrap account's root (the operator), who may import into any
// account and create missing ones (createAccounts=true).
func (s *Server) adminImport(w http.ResponseWriter, r *http.Request, x *exchange) (*configservice.ImportResult, error) {
	if s.closing.Load() {
		return nil, awsproto.ErrServiceUnavailable()
	}
	if r.Method != http.MethodPost {
		return nil, awsproto.ErrValidation("%s takes POST, not %s", PathImport, r.Method)
	}
	if s.opts.Auth != AuthPermissive {
		if err := s.precheck(r, x); err != nil {
			return nil, err
		}
		x.protocol, x.svc = awsproto.JSON, s.services["config"]
	}
	if r.ContentLength > adminMaxBody {
		return nil, awsproto.ErrRequestTooLarge(adminMaxBody)
	}
	if err := s.imports.Acquire(r.Context(), 1); err != nil {
		return nil, awsproto.ErrSerialization("Could not read the request body")
	}
	defer s.imports.Release(1)
	done := s.bodyDeadline(w, s.bodyTimeout(true))
	body, err := spoolBody(r.Body, s.spoolDir(), adminMaxBody)
	done(err == nil)
	if err != nil {
		return nil, err
	}
	defer body.remove()
	x.spooled = body
	if err := s.authenticate(r, x); err != nil {
		return nil, err
	}
	p := x.info.Principal
	if !p.IsRoot() {
		return nil, awsproto.ErrAccessDenied("User: %s is not authorized to import configuration items: only an account's root user may", p.ARN)
	}
	operator := p.Account == s.bootstrap.AccountID
	q := r.URL.Query()
	o := configservice.ImportOptions{
		Account: q.Get("accountId"), Region: q.Get("region"), GlobalRegion: q.Get("globalRegion"),
		DefaultAccount: p.Account, DefaultRegion: x.info.Region,
	}
	if v := q.Get("createAccounts"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return nil, awsproto.ErrValidation("createAccounts must be true or false, not %q", v)
		}
		if b && !operator {
			return nil, awsproto.ErrAccessDenied("Only the root user of the bootstrap account (%s) may create accounts", s.bootstrap.AccountID)
		}
		o.CreateAccounts = b
	}
	if !operator {
		if o.Account != "" && o.Account != p.Account {
			return nil, awsproto.ErrAccessDenied("Account %s may not import into account %s: only the root user of the bootstrap account may", p.Account, o.Account)
		}
		caller := p.Account
		o.Allow = func(account string) error {
			if account != caller {
				return fmt.Errorf("account %s is not the caller's account %s (only the bootstrap account's root may import into other accounts)", account, caller)
			}
			return nil
		}
	}
	sum := &configservice.ImportSummary{}
	if _, err := body.file.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	if err := s.config.ImportFile(r.Context(), body.file, q.Get("name"), o, sum); err != nil {
		if errors.Is(err, configservice.ErrNotImportable) {
			return nil, awsproto.ErrValidation("%s", err.Error())
		}
		return nil, err
	}
	notRecording, err := s.config.ScopesNotRecording(r.Context(), sum)
	if err != nil {
		return nil, err
	}
	res := sum.Result(notRecording)
	return &res, nil
}
