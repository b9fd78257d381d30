// Package browser drives the web console in headless Chromium: what an administrator does with a
// mouse and keyboard, checked against the API's own answers.
//
// It must never reach anything but the in-process server on 127.0.0.1, nor read the server's
// state behind the console's back: what the pages show is checked against the API's own
// answers.
package browser
