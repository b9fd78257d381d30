package server

import (
	"context"
	"net/http"

	"github.com/orgconfig/orgconfig/internal/identity"
)

// Wiper is implemented by stores that can erase all state (permissive mode's reset endpoint).
type Wiper interface {
	// Wipe deletes every record and job. It is meant for test suites only.
	Wipe(ctx context.Context) error
}

// serveReset wipes all state, as moto server's POST /moto-api/reset does, then bootstraps the
// first account again with the same root credentials. It exists only in permissive mode.
func (s *Server) serveReset(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "use POST", http.StatusMethodNotAllowed)
		return
	}
	wiper, ok := s.store.(Wiper)
	if !ok {
		http.Error(w, "this store cannot be reset", http.StatusNotImplemented)
		return
	}
	ctx := r.Context()
	if err := wiper.Wipe(ctx); err != nil {
		s.log.Error("reset failed", "error", err)
		http.Error(w, "reset failed", http.StatusInternalServerError)
		return
	}
	opts := identity.BootstrapOptions{AccountID: s.bootstrap.AccountID, AccessKeyID: s.opts.RootAccessKeyID, SecretAccessKey: s.opts.RootSecretAccessKey}
	if g := s.bootstrap.Generated; g != nil {
		opts.AccessKeyID, opts.SecretAccessKey = g.AccessKeyID, g.SecretAccessKey
	}
	s.dir.ForgetAll()
	if _, err := s.dir.Bootstrap(ctx, opts); err != nil {
		s.log.Error("bootstrap after reset failed", "error", err)
		http.Error(w, "reset failed", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write([]byte(`{"status": "ok"}`))
}
