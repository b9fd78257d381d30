#!/usr/bin/env bash
# testdb.sh starts and stops a throwaway PostgreSQL 15 instance for the store/postgres tests.
#
#   testdb.sh start DIR [PORT]   initdb (if needed) and start an instance whose data, socket and
#                                log live in DIR, listening on 127.0.0.1:PORT (default 55432);
#                                prints the connection URL on stdout, e.g.
#                                  export ORGCONFIG_TEST_DATABASE_URL=$(testdb.sh start "$d" 55432)
#   testdb.sh stop DIR           stop the instance of DIR (fast shutdown). Stops only that one.
#
# Authentication is trust and durability settings are off (fsync, synchronous_commit): the
# instance is for tests only. As root the server runs as the postgres user (PostgreSQL refuses
# to run as root); DIR is then chowned to postgres, so its parent must be traversable (a fresh
# `mktemp -d` is fine). Binaries: $PGBIN, default /usr/lib/postgresql/15/bin.
set -euo pipefail

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
usage() { echo "usage: $0 start DIR [PORT] | stop DIR" >&2; exit 2; }
[ $# -ge 2 ] || usage
cmd=$1
dir=$2
port=${3:-55432}

as_pg() {
	if [ "$(id -u)" = 0 ]; then
		runuser -u postgres -- "$@"
	else
		"$@"
	fi
}

case "$cmd" in
start)
	mkdir -p "$dir"
	dir=$(cd "$dir" && pwd)
	if [ "$(id -u)" = 0 ]; then
		chown postgres "$dir"
	fi
	if [ ! -f "$dir/data/PG_VERSION" ]; then
		as_pg "$PGBIN/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --locale=C --no-sync \
			>"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
	fi
	if ! as_pg "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 \
		-o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
		start >"$dir/pg_ctl.log" 2>&1; then
		cat "$dir/pg_ctl.log" "$dir/postgres.log" >&2 || true
		exit 1
	fi
	echo "postgres://postgres@127.0.0.1:$port/postgres?sslmode=disable"
	;;
stop)
	dir=$(cd "$dir" && pwd)
	if [ -f "$dir/data/postmaster.pid" ]; then
		as_pg "$PGBIN/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null
	fi
	;;
*)
	usage
	;;
esac
