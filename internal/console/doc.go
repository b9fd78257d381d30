// Package console is orgconfig's web console, served under /console on the API's port:
// server-rendered html/template pages with htmx for the parts that refresh themselves, embedded
// in the binary (templates and static files), with no build step and no CDN.
//
// Every page is a set of AWS API calls made with aws-sdk-go-v2, signed with the signed-in
// session's credentials and handed in-process to the server's API pipeline (Options.API), which
// verifies and authorizes them exactly as it does a call from the aws CLI. A session is a cookie
// holding those credentials sealed with AES-256-GCM under the installation's cookie key, which
// the server keeps (sealed) in the store and hands over in Options.CookieKey; sign-out revokes
// the session through Options.Revocations. Failed sign-ins are throttled per client address and
// per access key ID, every form carries a CSRF token derived from the session, and a
// state-changing request from another site is refused before anything runs. docs/console.md
// describes the pages and the session rules.
//
// The console must never read or write the store, nor act with any authority but the session's:
// it holds no state of its own but its cookie key, and it imports neither internal/store nor
// the services (tests/deps checks it).
package console
