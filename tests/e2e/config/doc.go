// Package config is the end-to-end suite of AWS Config in one account: recorders, items and
// discovery, rules and their evaluation, proactive evaluation, advanced queries, remediation,
// snapshots and import, conformance pack samples. It drives an in-process server with
// aws-sdk-go-v2 on every store backend available.
//
// It must never reach the server other than through its HTTP API (and the admin import call).
package config
