// Package compat runs orgconfig's foundation checks through real AWS clients other than
// aws-sdk-go-v2: the aws CLI (v1) and boto3, driven as subprocesses against a server started
// in-process, plus the orgconfig binary itself as users run it.
//
// The clients come from the pyenv Python on the development machines: when $HOME/.pyenv/shims
// exists it is put first in PATH. A test whose client is missing is skipped, except under
// CI=true, where it fails: CI must run them.
//
// The suite must never adapt the clients to orgconfig: the aws CLI and boto3 run unmodified, as
// users install them, configured only through what a user would set (endpoint, credentials,
// region, retry settings) in an environment stripped of the machine's own AWS setup.
package compat
