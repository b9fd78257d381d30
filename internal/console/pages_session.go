package console

import (
	"fmt"
	"net"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

type signinData struct {
	Token, Next, AccessKeyID, Region, Reason string
	Regions                                  []string
}

// signinForm shows the sign-in form, with a fresh login-CSRF token in its own cookie.
func (c *Console) signinForm(w http.ResponseWriter, r *http.Request) {
	c.showSignin(w, r, http.StatusOK, "", nil)
}

func (c *Console) showSignin(w http.ResponseWriter, r *http.Request, status int, akid string, failure *apiError) {
	token := randomID()
	setCookie(w, r, signinCookie, token, c.now().Add(time.Hour))
	d := &signinData{Token: token, Next: safeNext(r.FormValue("next")), AccessKeyID: akid, Region: c.region, Regions: c.regions}
	switch r.URL.Query().Get("reason") {
	case "expired":
		d.Reason = "Your session has expired. Sign in again."
	case "invalid":
		d.Reason = "Your session cookie was not valid. Sign in again."
	case "signedout":
		d.Reason = "This session was signed out. Sign in again."
	}
	v := c.view(nil, "", "Sign in", d)
	v.Error = failure
	c.render(w, r, status, "signin.html", v)
}

// sourceAddr is the client's address without its port (the console is reached directly, not
// through a proxy whose headers it could trust).
func sourceAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// safeNext keeps a post-sign-in redirect inside the console.
func safeNext(next string) string {
	if !strings.HasPrefix(next, Prefix+"/") || strings.HasPrefix(next, "//") || strings.Contains(next, "\\") {
		return Prefix + "/"
	}
	return next
}

// signin checks the credentials with sts:GetCallerIdentity and, when the API accepts them,
// starts a session.
func (c *Console) signin(w http.ResponseWriter, r *http.Request) {
	if err := sameOrigin(r); err != nil {
		c.renderError(w, r, nil, err)
		return
	}
	ck, err := r.Cookie(signinCookie)
	if err != nil || ck.Value == "" || ck.Value != r.PostFormValue("csrf") {
		c.showSignin(w, r, http.StatusForbidden, "", errCSRF)
		return
	}
	region := r.PostFormValue("region")
	if !slices.Contains(c.regions, region) {
		region = c.region
	}
	sess := &session{
		AccessKeyID:  strings.TrimSpace(r.PostFormValue("access_key_id")),
		Secret:       strings.TrimSpace(r.PostFormValue("secret_access_key")),
		SessionToken: strings.TrimSpace(r.PostFormValue("session_token")),
		Region:       region,
		ID:           randomID(),
	}
	if sess.AccessKeyID == "" || sess.Secret == "" {
		c.showSignin(w, r, http.StatusBadRequest, sess.AccessKeyID, &apiError{Code: "ValidationError", Message: "Enter an access key ID and its secret access key."})
		return
	}
	keys := []string{"ip:" + sourceAddr(r), "key:" + sess.AccessKeyID}
	if d := c.throttle.wait(keys...); d > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(d.Seconds())+1))
		c.showSignin(w, r, http.StatusTooManyRequests, sess.AccessKeyID, &apiError{Code: "Throttling",
			Message: fmt.Sprintf("Too many failed sign-in attempts from this address or for this access key. Try again in %d seconds.", int(d.Seconds())+1)})
		return
	}
	account, arn, err := c.callerIdentity(r.Context(), sess)
	if err != nil {
		ae := asAPIError(err)
		if ae == nil {
			c.renderError(w, r, nil, err)
			return
		}
		c.throttle.fail(keys...)
		c.log.Warn("console: sign-in failed", "access_key_id", sess.AccessKeyID, "source", sourceAddr(r), "error_code", ae.Code)
		c.showSignin(w, r, http.StatusUnauthorized, sess.AccessKeyID, ae)
		return
	}
	sess.Account, sess.ARN = account, arn
	sess.Expires = c.now().Add(c.duration).Unix()
	if err := c.writeSession(w, r, sess); err != nil {
		c.renderError(w, r, nil, err)
		return
	}
	setCookie(w, r, signinCookie, "", time.Unix(0, 0))
	c.log.Info("console: signed in", "principal", arn)
	http.Redirect(w, r, safeNext(r.PostFormValue("next")), http.StatusSeeOther)
}

func (c *Console) writeSession(w http.ResponseWriter, r *http.Request, sess *session) error {
	v, err := c.seal.seal(sessionCookie, sess)
	if err != nil {
		return err
	}
	setCookie(w, r, sessionCookie, v, time.Unix(sess.Expires, 0))
	return nil
}

// signout ends the session: its ID is revoked, so that a copy of the cookie made before is
// refused too, and the browser's cookie is cleared.
func (c *Console) signout(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	if err := c.revoked.Revoke(r.Context(), rc.sess.ID, time.Unix(rc.sess.Expires, 0)); err != nil {
		return err
	}
	setCookie(w, r, sessionCookie, "", time.Unix(0, 0))
	http.Redirect(w, r, Prefix+"/signin", http.StatusSeeOther)
	return nil
}

// switchRegion moves the session to another region (Config is regional; Organizations is not).
func (c *Console) switchRegion(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	region := r.PostFormValue("region")
	if !slices.Contains(c.regions, region) {
		return &apiError{Code: "InvalidParameterValueException", Message: "The region '" + region + "' is not available.", Status: http.StatusBadRequest}
	}
	rc.sess.Region = region
	if err := c.writeSession(w, r, rc.sess); err != nil {
		return err
	}
	back := Prefix + "/"
	if ref := r.Header.Get("Referer"); ref != "" {
		if i := strings.Index(ref, Prefix+"/"); i >= 0 {
			back = safeNext(ref[i:])
		}
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
	return nil
}

func (c *Console) home(w http.ResponseWriter, r *http.Request, rc *reqCtx) error {
	c.render(w, r, http.StatusOK, "home.html", c.view(rc, "home", "Home", nil))
	return nil
}

// str is aws.ToString, for brevity in page code.
func str(p *string) string { return aws.ToString(p) }
