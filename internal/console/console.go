package console

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Prefix is where the console is served.
const Prefix = "/console"

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Options configure a Console.
type Options struct {
	// API is the server's AWS API handler: every console action is a signed call to it.
	API http.Handler
	// CookieKey is the installation's 32-byte cookie key: the server keeps it (sealed) in the
	// store, so that sessions survive a restart and every replica accepts the same cookies.
	CookieKey []byte
	// Revocations remembers the sessions signed out before they expired; nil keeps them in
	// memory (a restart then forgets them).
	Revocations Revocations
	// Now is the server's clock; nil means time.Now.
	Now func() time.Time
	// ResignAt, when set, re-signs the console's API calls at that time (a test's manual clock,
	// which the API checks signatures against).
	ResignAt func() time.Time
	// Regions are the regions offered by the region selector and the aggregator form.
	Regions []string
	// DefaultRegion is the region a session starts in; default us-east-1.
	DefaultRegion string
	// SessionDuration bounds a session; default 12 hours, as AWS's console.
	SessionDuration time.Duration
	// ServicePrincipals are the services listed on the Organizations Settings page.
	ServicePrincipals []string
	Logger            *slog.Logger
}

// Revocations is the list of sessions signed out before their cookie expired: a copy of a
// signed-out session's cookie is refused as long as the cookie would have been valid.
type Revocations interface {
	// Revoke records that session id is over; until is when its cookie expires anyway.
	Revoke(ctx context.Context, id string, until time.Time) error
	// Revoked reports whether session id was signed out.
	Revoked(ctx context.Context, id string) (bool, error)
}

// Console is the web console. It holds no state of its own but its cookie key: every page reads
// and every form writes through the AWS API, as the signed-in principal.
type Console struct {
	api        http.Handler
	now        func() time.Time
	resignAt   func() time.Time
	seal       *sealer
	regions    []string
	region     string
	duration   time.Duration
	principals []string
	log        *slog.Logger
	revoked    Revocations
	throttle   *signinThrottle
	pages      map[string]*template.Template
	mux        *http.ServeMux
	static     http.Handler
}

// New builds the console.
func New(ctx context.Context, opts Options) (*Console, error) {
	if len(opts.CookieKey) != 32 {
		return nil, fmt.Errorf("console: the cookie key has %d bytes, want 32", len(opts.CookieKey))
	}
	seal, err := newSealer(opts.CookieKey)
	if err != nil {
		return nil, err
	}
	c := &Console{
		api: opts.API, now: opts.Now, resignAt: opts.ResignAt, seal: seal,
		regions: opts.Regions, region: opts.DefaultRegion, duration: opts.SessionDuration,
		principals: opts.ServicePrincipals, log: opts.Logger, revoked: opts.Revocations,
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.region == "" {
		c.region = "us-east-1"
	}
	if c.duration <= 0 {
		c.duration = 12 * time.Hour
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	if c.revoked == nil {
		c.revoked = &memoryRevocations{m: map[string]time.Time{}}
	}
	c.throttle = newSigninThrottle(c.now)
	if err := c.parseTemplates(); err != nil {
		return nil, err
	}
	sub, _ := fs.Sub(staticFS, "static")
	// Files only: a folder (the static root itself) is not listed.
	files := http.FileServerFS(sub)
	c.static = http.StripPrefix(Prefix+"/static/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "" || strings.HasSuffix(r.URL.Path, "/") {
			http.NotFound(w, r)
			return
		}
		files.ServeHTTP(w, r)
	}))
	c.mux = http.NewServeMux()
	c.routes()
	return c, nil
}

// ServeHTTP serves everything under Prefix.
func (c *Console) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	c.mux.ServeHTTP(w, r)
}

// handlerFunc is a page: it renders or redirects, or returns an error that one place renders.
type handlerFunc func(w http.ResponseWriter, r *http.Request, rc *reqCtx) error

// reqCtx is one signed-in request.
type reqCtx struct {
	sess *session
	api  *clients
	csrf string
}

func (c *Console) routes() {
	m := c.mux
	m.Handle("GET "+Prefix+"/static/", c.static)
	m.HandleFunc("GET "+Prefix+"/signin", c.signinForm)
	m.HandleFunc("POST "+Prefix+"/signin", c.signin)
	m.HandleFunc("GET "+Prefix, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, Prefix+"/", http.StatusFound)
	})
	c.page("GET "+Prefix+"/{$}", c.home)
	c.page("POST "+Prefix+"/signout", c.signout)
	c.page("POST "+Prefix+"/region", c.switchRegion)

	c.page("GET "+Prefix+"/organizations", c.orgTree)
	c.page("POST "+Prefix+"/organizations", c.orgCreate)
	c.page("GET "+Prefix+"/organizations/accounts/new", c.accountForm)
	c.page("POST "+Prefix+"/organizations/accounts", c.accountCreate)
	c.page("GET "+Prefix+"/organizations/accounts/status/{id}", c.accountStatus)
	c.page("GET "+Prefix+"/organizations/settings", c.orgSettings)
	c.page("POST "+Prefix+"/organizations/settings/trusted-access", c.trustedAccess)
	c.page("POST "+Prefix+"/organizations/settings/delegated-administrators", c.delegatedAdmin)

	c.page("GET "+Prefix+"/config", c.configHome)
	c.page("GET "+Prefix+"/config/aggregators/new", c.aggregatorForm)
	c.page("POST "+Prefix+"/config/aggregators", c.aggregatorCreate)
	c.page("GET "+Prefix+"/config/aggregators/{name}", c.aggregatorDashboard)
	c.page("GET "+Prefix+"/config/aggregators/{name}/sources", c.aggregatorSources)
	c.page("POST "+Prefix+"/config/aggregators/{name}/delete", c.aggregatorDelete)
	c.page("GET "+Prefix+"/config/resources", c.resourceList)
	c.page("GET "+Prefix+"/config/resource", c.resourcePage)
	c.page("GET "+Prefix+"/config/query", c.queryEditor)
	c.page("POST "+Prefix+"/config/query", c.queryRun)
	c.page("GET "+Prefix+"/config/query.csv", c.queryCSV)
	c.page("GET "+Prefix+"/config/rules", c.rulesPage)
	c.page("GET "+Prefix+"/config/rules/{name}", c.rulePage)
	c.page("GET "+Prefix+"/config/organization-rules", c.orgRulesPage)
	c.page("GET "+Prefix+"/config/conformance-packs", c.packsPage)
	m.HandleFunc(Prefix+"/", func(w http.ResponseWriter, r *http.Request) {
		c.renderError(w, r, nil, &apiError{Code: "NotFound", Message: "There is no console page at " + r.URL.Path + ".", Status: http.StatusNotFound})
	})
}

// page registers a handler that needs a session; unsafe methods also need the session's CSRF
// token and a same-origin request.
func (c *Console) page(pattern string, h handlerFunc) {
	unsafe := !strings.HasPrefix(pattern, "GET ")
	c.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		if unsafe {
			if err := sameOrigin(r); err != nil {
				c.renderError(w, r, nil, err)
				return
			}
		}
		sess, err := c.sessionOf(r)
		if err != nil {
			c.toSignin(w, r, err)
			return
		}
		rc := &reqCtx{sess: sess, api: c.clientsFor(sess), csrf: c.seal.csrfToken(sess.ID)}
		if unsafe {
			token := r.Header.Get("X-CSRF-Token")
			if token == "" {
				token = r.PostFormValue("csrf")
			}
			if !c.seal.checkCSRF(sess.ID, token) {
				c.renderError(w, r, rc, errCSRF)
				return
			}
		}
		if err := h(w, r, rc); err != nil {
			c.renderError(w, r, rc, err)
		}
	})
}

var errCSRF = &apiError{Code: "InvalidCsrfToken", Message: "The form's security token is missing or not valid. Reload the page and try again.", Status: http.StatusForbidden}

// sameOrigin refuses a state-changing request that a browser sent from another origin. Browsers
// send Origin on every POST; Sec-Fetch-Site backs it up where Origin is absent.
func sameOrigin(r *http.Request) error {
	cross := &apiError{Code: "CrossSiteRequestRefused", Message: "The console refuses a form posted from another site.", Status: http.StatusForbidden}
	if o := r.Header.Get("Origin"); o != "" {
		u, err := url.Parse(o)
		if err != nil || u.Host != r.Host {
			return cross
		}
		return nil
	}
	switch r.Header.Get("Sec-Fetch-Site") {
	case "", "same-origin", "none":
		return nil
	}
	return cross
}

// sessionOf opens the request's session cookie and checks its expiry.
func (c *Console) sessionOf(r *http.Request) (*session, error) {
	ck, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil, errNoSession
	}
	var s session
	if err := c.seal.open(sessionCookie, ck.Value, &s); err != nil {
		return nil, err
	}
	if c.now().Unix() >= s.Expires {
		return nil, errExpired
	}
	revoked, err := c.revoked.Revoked(r.Context(), s.ID)
	if err != nil {
		return nil, err
	}
	if revoked {
		return nil, errSignedOut
	}
	return &s, nil
}

var (
	errNoSession = errors.New("console: not signed in")
	errExpired   = errors.New("console: the session has expired")
	errSignedOut = errors.New("console: the session was signed out")
)

// toSignin sends a request without a valid session to the sign-in page (htmx follows
// HX-Redirect), clearing a cookie that was refused.
func (c *Console) toSignin(w http.ResponseWriter, r *http.Request, why error) {
	target := Prefix + "/signin"
	switch {
	case errors.Is(why, errExpired):
		target += "?reason=expired"
		setCookie(w, r, sessionCookie, "", time.Unix(0, 0))
	case errors.Is(why, errBadCookie):
		target += "?reason=invalid"
		setCookie(w, r, sessionCookie, "", time.Unix(0, 0))
	case errors.Is(why, errSignedOut):
		target += "?reason=signedout"
		setCookie(w, r, sessionCookie, "", time.Unix(0, 0))
	}
	if r.Method == http.MethodGet && r.URL.Path != Prefix+"/" {
		sep := "?"
		if strings.Contains(target, "?") {
			sep = "&"
		}
		target += sep + "next=" + url.QueryEscape(r.URL.RequestURI())
	}
	if r.Header.Get("HX-Request") != "" {
		w.Header().Set("HX-Redirect", target)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	if r.Method != http.MethodGet {
		// A form posted without a session is refused, not replayed after sign-in.
		c.renderError(w, r, nil, &apiError{Code: "NotSignedIn", Message: "Sign in to the console first.", Status: http.StatusUnauthorized})
		return
	}
	http.Redirect(w, r, target, http.StatusSeeOther)
}

// view is what every page template receives.
type view struct {
	Title   string
	Nav     string
	Session *session
	CSRF    string
	Regions []string
	Error   *apiError
	Notice  string
	Data    any
}

func (c *Console) view(rc *reqCtx, nav, title string, data any) *view {
	v := &view{Title: title, Nav: nav, Regions: c.regions, Data: data}
	if rc != nil {
		v.Session, v.CSRF = rc.sess, rc.csrf
	}
	return v
}

// render writes a whole page, or only the named fragment to an htmx request that asks for it.
func (c *Console) render(w http.ResponseWriter, r *http.Request, status int, page string, v *view) {
	t := c.pages[page]
	if t == nil {
		c.log.Error("console: no such page template", "page", page)
		http.Error(w, "no such page", http.StatusInternalServerError)
		return
	}
	name := "layout"
	if frag := r.Header.Get("HX-Target"); frag != "" && r.Header.Get("HX-Boosted") == "" && t.Lookup("frag-"+frag) != nil {
		name = "frag-" + frag
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, name, v); err != nil {
		c.log.Error("console: render", "page", page, "error", err)
		http.Error(w, "the page could not be rendered", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// renderError is the one place errors become pages: an AWS error shows its code and message with
// its HTTP status; anything else is logged and shown as an internal error.
func (c *Console) renderError(w http.ResponseWriter, r *http.Request, rc *reqCtx, err error) {
	ae := asAPIError(err)
	var direct *apiError
	if errors.As(err, &direct) {
		ae = direct
	}
	if ae == nil {
		c.log.Error("console: internal error", "path", r.URL.Path, "error", err)
		ae = &apiError{Code: "InternalFailure", Message: "The console could not complete the request.", Status: http.StatusInternalServerError}
	}
	if ae.Code == "ExpiredToken" || ae.Code == "ExpiredTokenException" {
		c.toSignin(w, r, errExpired)
		return
	}
	v := c.view(rc, "", "Error", nil)
	v.Error = ae
	if r.Header.Get("HX-Request") != "" {
		w.Header().Set("HX-Retarget", "#flash")
		w.Header().Set("HX-Reswap", "innerHTML")
		r.Header.Set("HX-Target", "flash")
	}
	c.render(w, r, ae.Status, "error.html", v)
}

func (c *Console) parseTemplates() error {
	c.pages = map[string]*template.Template{}
	entries, err := fs.ReadDir(templateFS, "templates")
	if err != nil {
		return err
	}
	for _, e := range entries {
		name := e.Name()
		if name == "layout.html" {
			continue
		}
		t, err := template.New(name).Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/"+name)
		if err != nil {
			return fmt.Errorf("console template %s: %w", name, err)
		}
		c.pages[name] = t
	}
	return nil
}
