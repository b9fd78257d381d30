package server

import (
	"context"
	"net/http"

	"github.com/orgconfig/orgconfig/internal/clock"
	"github.com/orgconfig/orgconfig/internal/console"
	"github.com/orgconfig/orgconfig/internal/organizations"
	"github.com/orgconfig/orgconfig/internal/store"
)

// The console's cookie key is the installation's secret record (consoleKeyKind, "",
// consoleKeyID): one 32-byte secret per installation, kept sealed in the store, so that sessions
// survive a restart and every replica over one PostgreSQL database accepts the same cookies.
const (
	consoleKeyKind = "console-key"
	consoleKeyID   = "session"
)

// newConsole builds the web console. Its pages call the API through serveAPI, signed with the
// signed-in principal's credentials, so the console has no authority of its own.
func (s *Server) newConsole(ctx context.Context) error {
	var principals []string
	for _, p := range organizations.DefaultServicePrincipals {
		principals = append(principals, p.Name)
	}
	key, err := store.Secret(ctx, s.store, consoleKeyKind, consoleKeyID, 32, Sealer(s.sealKey))
	if err != nil {
		return err
	}
	opts := console.Options{
		API:               http.HandlerFunc(s.serveAPI),
		CookieKey:         key,
		Revocations:       revocations{store: s.store, now: s.clock.Now},
		Now:               s.clock.Now,
		Regions:           s.regions.All(),
		DefaultRegion:     s.opts.ConsoleRegion,
		ServicePrincipals: principals,
		Logger:            s.log,
	}
	if _, system := s.clock.(clock.System); !system {
		// The API checks signatures against the injected clock: sign the console's calls with it.
		opts.ResignAt = s.clock.Now
	}
	c, err := console.New(ctx, opts)
	if err != nil {
		return err
	}
	s.console = c
	return nil
}
