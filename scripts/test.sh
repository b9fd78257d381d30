#!/usr/bin/env bash
# Runs orgconfig's whole test suite on a fresh machine: go vet, every package's tests on both
# store backends (a throwaway PostgreSQL 15 is started on a loopback port and stopped at the end),
# the race detector on the concurrent packages, and the real-client compatibility tests
# (aws CLI and boto3, when the pyenv Python has them; under CI=true they are required), the
# web console's browser tests in headless Chromium (installed from Debian's chromium package;
# screenshots land in artifacts/browser), and the Terraform AWS provider's acceptance tests
# (tests/terraform, with the terraform and provider this kind of machine has).
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\n== %s\n' "$*"; }

# PostgreSQL 15's server binaries come from Debian's postgresql package.
PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
if [ -z "${ORGCONFIG_TEST_DATABASE_URL:-}" ] && [ ! -x "$PGBIN/initdb" ]; then
  log "installing PostgreSQL 15 (Debian package postgresql)"
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  else
    echo "PostgreSQL server binaries are missing and this is not root: install the postgresql package" >&2
  fi
fi

# The console's browser tests drive Debian's Chromium (headless) through chromedp.
if [ -z "${ORGCONFIG_CHROMIUM:-}" ] && ! command -v chromium >/dev/null 2>&1; then
  log "installing Chromium (Debian package chromium) for the console's browser tests"
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "Chromium is missing and this is not root: install the chromium package" >&2
  fi
fi

PGDIR=""
cleanup() {
  if [ -n "$PGDIR" ]; then
    bash internal/store/postgres/testdb.sh stop "$PGDIR" || true
    rm -rf "$PGDIR"
  fi
}
trap cleanup EXIT

if [ -z "${ORGCONFIG_TEST_DATABASE_URL:-}" ] && [ -x "$PGBIN/initdb" ]; then
  # A random loopback port; a few tries in case one is taken.
  for try in 1 2 3 4 5; do
    PGDIR=$(mktemp -d /tmp/orgconfig-pg.XXXXXX)
    PGPORT=$(( 20000 + RANDOM % 20000 ))
    log "starting a throwaway PostgreSQL on 127.0.0.1:$PGPORT"
    if ORGCONFIG_TEST_DATABASE_URL=$(bash internal/store/postgres/testdb.sh start "$PGDIR" "$PGPORT"); then
      export ORGCONFIG_TEST_DATABASE_URL
      break
    fi
    bash internal/store/postgres/testdb.sh stop "$PGDIR" >/dev/null 2>&1 || true
    rm -rf "$PGDIR"
    PGDIR=""
    [ "$try" = 5 ] && { echo "could not start PostgreSQL" >&2; exit 1; }
  done
fi

# The aws CLI and boto3 live in the pyenv Python on these machines.
if [ -d "$HOME/.pyenv/shims" ]; then
  export PATH="$HOME/.pyenv/shims:$PATH"
fi

# The Terraform AWS provider's acceptance tests run on their own below (they drive the real
# terraform binary: minutes of CPU, not worth the race detector).
PKGS=$(go list ./... | grep -v '/tests/terraform$')
BLACKBOX=$(go list ./tests/... | grep -v '/tests/terraform$')

log "go vet"
go vet ./...

log "go test (both store backends)"
go test -count=1 -timeout 20m $PKGS

log "go test: the real-client suites once more on PostgreSQL"
ORGCONFIG_TEST_BACKEND=postgres go test -count=1 -timeout 20m ./tests/compat/...

log "go test -race (server, console, sigv4, store, jobs, black-box suites)"
go test -count=1 -race -timeout 20m ./internal/server/... ./internal/console/... ./internal/sigv4/... ./internal/store/... ./internal/jobs/... $BLACKBOX

# terraform 1.11.4 and the AWS provider 5.100.0 (filesystem mirror under /opt/tf-plugins) come
# with the machine; without them the suite skips, and under CI=true it fails. Every case runs
# the real terraform several times and waits on the provider's own timers, so the whole suite
# takes about half an hour on two cores: by default this runs the README's example and the
# basic case of every resource and data source (tests/terraform/ci-cases.txt, a regular
# expression on the case names), and on PostgreSQL the basic Organizations and aggregator cases
# (postgres-ci-cases.txt). ORGCONFIG_TERRAFORM_ALL=1 runs every case, and every Organizations
# and aggregator case on PostgreSQL (postgres-cases.txt).
if [ "${ORGCONFIG_TERRAFORM_ALL:-}" = 1 ]; then
  TF_CASES="" TF_PG_CASES=$(cat tests/terraform/postgres-cases.txt)
else
  TF_CASES=$(cat tests/terraform/ci-cases.txt) TF_PG_CASES=$(cat tests/terraform/postgres-ci-cases.txt)
fi
log "go test: the Terraform AWS provider's acceptance tests (tests/terraform, SQLite)"
ORGCONFIG_TERRAFORM_CASES="$TF_CASES" go test -count=1 -timeout 80m -parallel 8 ./tests/terraform/

log "go test: the Terraform Organizations and aggregator cases on PostgreSQL"
ORGCONFIG_TEST_BACKEND=postgres ORGCONFIG_TERRAFORM_CASES="$TF_PG_CASES" \
  go test -count=1 -timeout 80m -parallel 8 ./tests/terraform/

log "all tests passed"
