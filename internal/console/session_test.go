package console_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/orgconfig/orgconfig/internal/clock"
	"github.com/orgconfig/orgconfig/internal/testserver"
)

// browser is an HTTP client that keeps cookies and does not follow redirects, so a test sees
// each answer of the console.
type browser struct {
	t      *testing.T
	base   string
	client *http.Client
}

func newBrowser(t *testing.T, base string) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, base: base, client: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (b *browser) do(method, path string, form url.Values, header map[string]string) (int, http.Header, string) {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, b.base+path, body)
	if err != nil {
		b.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", b.base)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := b.client.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, string(out)
}

var (
	csrfField  = regexp.MustCompile(`name="csrf" value="([^"]+)"`)
	csrfHeader = regexp.MustCompile(`"X-CSRF-Token": "([^"]+)"`)
)

// signIn signs in with credentials and returns the session's CSRF token.
func (b *browser) signIn(akid, secret string) string {
	b.t.Helper()
	_, _, page := b.do("GET", "/console/signin", nil, nil)
	m := csrfField.FindStringSubmatch(page)
	if m == nil {
		b.t.Fatalf("sign-in form without a token:\n%s", page)
	}
	status, h, body := b.do("POST", "/console/signin", url.Values{"csrf": {m[1]}, "access_key_id": {akid}, "secret_access_key": {secret}, "region": {"us-east-1"}}, nil)
	if status != http.StatusSeeOther || h.Get("Location") != "/console/" {
		b.t.Fatalf("sign in: %d %s\n%s", status, h.Get("Location"), body)
	}
	for _, c := range h.Values("Set-Cookie") {
		if strings.HasPrefix(c, "orgconfig_session=") && (!strings.Contains(c, "HttpOnly") || !strings.Contains(c, "SameSite=Strict") || !strings.Contains(c, "Expires=")) {
			b.t.Errorf("session cookie attributes: %s", c)
		}
	}
	_, _, home := b.do("GET", "/console/", nil, nil)
	t := csrfHeader.FindStringSubmatch(home)
	if t == nil {
		b.t.Fatalf("home page without a CSRF token:\n%s", home)
	}
	return t[1]
}

func TestSessions(t *testing.T) {
	// A day ahead of the real clock, so the cookie jar (which runs on real time) keeps the cookie
	// until the server says it expired.
	clk := clock.NewManual(time.Now().UTC().Add(24 * time.Hour).Truncate(time.Second))
	srv := testserver.Start(t, testserver.WithClock(clk), testserver.WithoutJobLoop())
	b := newBrowser(t, srv.Endpoint)

	// Without a session every page sends the browser to sign in.
	if status, h, _ := b.do("GET", "/console/config", nil, nil); status != http.StatusSeeOther || !strings.HasPrefix(h.Get("Location"), "/console/signin") {
		t.Fatalf("no session: %d %s", status, h.Get("Location"))
	}

	// Wrong credentials: the API's own answer, on the form.
	_, _, page := b.do("GET", "/console/signin", nil, nil)
	tok := csrfField.FindStringSubmatch(page)[1]
	status, _, body := b.do("POST", "/console/signin", url.Values{"csrf": {tok}, "access_key_id": {testserver.AccessKey}, "secret_access_key": {"wrong"}, "region": {"us-east-1"}}, nil)
	if status != http.StatusUnauthorized || !strings.Contains(body, "SignatureDoesNotMatch") {
		t.Errorf("wrong secret: %d\n%s", status, body)
	}
	// A sign-in post without the form's token (login CSRF) is refused.
	status, _, body = b.do("POST", "/console/signin", url.Values{"access_key_id": {testserver.AccessKey}, "secret_access_key": {testserver.SecretKey}}, nil)
	if status != http.StatusForbidden || !strings.Contains(body, "InvalidCsrfToken") {
		t.Errorf("sign-in without token: %d\n%s", status, body)
	}

	csrf := b.signIn(testserver.AccessKey, testserver.SecretKey)
	if status, _, body := b.do("GET", "/console/config", nil, nil); status != http.StatusOK || !strings.Contains(body, "Aggregators") {
		t.Fatalf("signed in: %d\n%s", status, body)
	}

	// State-changing requests need the session's token and the console's own origin.
	create := url.Values{"csrf": {csrf}}
	if status, _, body := b.do("POST", "/console/organizations", url.Values{}, nil); status != http.StatusForbidden || !strings.Contains(body, "InvalidCsrfToken") {
		t.Errorf("post without token: %d\n%s", status, body)
	}
	if status, _, body := b.do("POST", "/console/organizations", url.Values{"csrf": {"forged"}}, nil); status != http.StatusForbidden || !strings.Contains(body, "InvalidCsrfToken") {
		t.Errorf("post with a forged token: %d\n%s", status, body)
	}
	if status, _, body := b.do("POST", "/console/organizations", create, map[string]string{"Origin": "http://evil.example"}); status != http.StatusForbidden || !strings.Contains(body, "CrossSiteRequestRefused") {
		t.Errorf("cross-origin post: %d\n%s", status, body)
	}
	if status, _, body := b.do("POST", "/console/organizations", create, map[string]string{"Origin": "", "Sec-Fetch-Site": "cross-site"}); status != http.StatusForbidden || !strings.Contains(body, "CrossSiteRequestRefused") {
		t.Errorf("cross-site post without Origin: %d\n%s", status, body)
	}
	if status, h, body := b.do("POST", "/console/organizations", create, nil); status != http.StatusSeeOther {
		t.Errorf("create organization with token: %d %v\n%s", status, h, body)
	}

	// A forged cookie is refused and cleared.
	forged := newBrowser(t, srv.Endpoint)
	u, _ := url.Parse(srv.Endpoint + "/console/")
	forged.client.Jar.SetCookies(u, []*http.Cookie{{Name: "orgconfig_session", Value: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", Path: "/console"}})
	if status, h, _ := forged.do("GET", "/console/config", nil, nil); status != http.StatusSeeOther || !strings.Contains(h.Get("Location"), "reason=invalid") {
		t.Errorf("forged cookie: %d %s", status, h.Get("Location"))
	}
	// A cookie sealed for another installation is refused too.
	other := testserver.Start(t)
	ob := newBrowser(t, other.Endpoint)
	ob.signIn(testserver.AccessKey, testserver.SecretKey)
	ou, _ := url.Parse(other.Endpoint + "/console/")
	forged.client.Jar.SetCookies(u, ob.client.Jar.Cookies(ou))
	if status, h, _ := forged.do("GET", "/console/config", nil, nil); status != http.StatusSeeOther || !strings.Contains(h.Get("Location"), "reason=invalid") {
		t.Errorf("another installation's cookie: %d %s", status, h.Get("Location"))
	}

	// The session expires after 12 hours of the server's clock, whatever the browser keeps.
	clk.Advance(11 * time.Hour)
	if status, _, _ := b.do("GET", "/console/config", nil, nil); status != http.StatusOK {
		t.Errorf("after 11 hours: %d", status)
	}
	saved := b.client.Jar.Cookies(u)
	if len(saved) != 1 {
		t.Fatalf("the jar holds %d console cookies, want the session's", len(saved))
	}
	clk.Advance(time.Hour + time.Second)
	b.client.Jar.SetCookies(u, saved)
	if status, h, _ := b.do("GET", "/console/config", nil, nil); status != http.StatusSeeOther || !strings.Contains(h.Get("Location"), "reason=expired") {
		t.Errorf("expired session: %d %s", status, h.Get("Location"))
	}
	// htmx requests are told where to go.
	b.client.Jar.SetCookies(u, saved)
	if status, h, _ := b.do("GET", "/console/config", nil, map[string]string{"HX-Request": "true"}); status != http.StatusUnauthorized || !strings.Contains(h.Get("HX-Redirect"), "/console/signin") {
		t.Errorf("expired session, htmx: %d %v", status, h)
	}
}

// TestSignOutRevokes: signing out ends the session for every copy of its cookie, not only the
// browser's that signed out; other sessions of the same principal go on.
func TestSignOutRevokes(t *testing.T) {
	srv := testserver.Start(t)
	b := newBrowser(t, srv.Endpoint)
	csrf := b.signIn(testserver.AccessKey, testserver.SecretKey)
	other := newBrowser(t, srv.Endpoint)
	other.signIn(testserver.AccessKey, testserver.SecretKey)

	u, _ := url.Parse(srv.Endpoint + "/console/")
	copied := newBrowser(t, srv.Endpoint)
	copied.client.Jar.SetCookies(u, b.client.Jar.Cookies(u))
	if status, _, _ := copied.do("GET", "/console/config", nil, nil); status != http.StatusOK {
		t.Fatalf("the copied cookie before sign-out: %d", status)
	}
	if status, h, _ := b.do("POST", "/console/signout", url.Values{"csrf": {csrf}}, nil); status != http.StatusSeeOther || h.Get("Location") != "/console/signin" {
		t.Fatalf("sign out: %d %s", status, h.Get("Location"))
	}
	if status, h, _ := copied.do("GET", "/console/config", nil, nil); status != http.StatusSeeOther || !strings.Contains(h.Get("Location"), "reason=signedout") {
		t.Errorf("the copied cookie after sign-out: %d %s, want a redirect to sign in", status, h.Get("Location"))
	}
	if status, _, _ := other.do("GET", "/console/config", nil, nil); status != http.StatusOK {
		t.Errorf("another session of the same principal after sign-out: %d", status)
	}
}

// TestSigninThrottle: failed sign-ins from one address, or for one access key, are limited to
// five, then one every 12 seconds; a throttled attempt is refused before its credentials are
// tried, even when they are right.
func TestSigninThrottle(t *testing.T) {
	clk := clock.NewManual(time.Now().UTC().Add(24 * time.Hour).Truncate(time.Second))
	srv := testserver.Start(t, testserver.WithClock(clk), testserver.WithoutJobLoop())
	b := newBrowser(t, srv.Endpoint)
	try := func(secret string) (int, string) {
		_, _, page := b.do("GET", "/console/signin", nil, nil)
		tok := csrfField.FindStringSubmatch(page)[1]
		status, _, body := b.do("POST", "/console/signin", url.Values{"csrf": {tok}, "access_key_id": {testserver.AccessKey}, "secret_access_key": {secret}, "region": {"us-east-1"}}, nil)
		return status, body
	}
	for i := 1; i <= 5; i++ {
		if status, body := try("wrong"); status != http.StatusUnauthorized {
			t.Fatalf("failed attempt %d: %d\n%s", i, status, body)
		}
	}
	if status, body := try(testserver.SecretKey); status != http.StatusTooManyRequests || !strings.Contains(body, "Too many failed sign-in attempts") {
		t.Fatalf("sixth attempt, right secret: %d, want 429\n%s", status, body)
	}
	clk.Advance(13 * time.Second)
	if status, _ := try(testserver.SecretKey); status != http.StatusSeeOther {
		t.Errorf("after 13 seconds, right secret: %d, want a session", status)
	}
}

// TestStaticFilesNotListed: the console's static files are served, their folder is not listed.
func TestStaticFilesNotListed(t *testing.T) {
	srv := testserver.Start(t)
	b := newBrowser(t, srv.Endpoint)
	if status, _, body := b.do("GET", "/console/static/", nil, nil); status != http.StatusNotFound || strings.Contains(body, "<a href") {
		t.Errorf("GET /console/static/: %d\n%s", status, body)
	}
	if status, _, _ := b.do("GET", "/console/static/htmx.min.js", nil, nil); status != http.StatusOK {
		t.Errorf("GET /console/static/htmx.min.js: %d", status)
	}
}
