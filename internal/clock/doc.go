// Package clock injects time into orgconfig so that asynchronous AWS behavior (account creation,
// rule schedules, aggregation delays, credential expiry, job backoff) can be tested without
// sleeping. Code whose behavior depends on time never calls time.Now directly.
//
// It must never be bypassed: code whose result depends on time takes a Clock (System in
// production, Manual in tests) instead of calling time.Now or time.After. It imports no
// orgconfig package (tests/deps checks it).
package clock
