#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL server on 127.0.0.1, with TEST_DATABASE_URL set.
# The server lives in a temporary folder and is stopped and removed afterwards.
set -euo pipefail

initdb=$(compgen -G "/usr/lib/postgresql/*/bin/initdb" | sort -V | tail -n 1 || true)
if [ -z "$initdb" ]; then
  if [ "${CI:-}" = "true" ]; then
    echo "CI needs PostgreSQL for the test suite, and initdb was not found." >&2
    exit 1
  fi
  echo "SKIPPED: the PostgreSQL run of the test suite (PostgreSQL is not installed)."
  exit 0
fi
bindir=$(dirname "$initdb")
dir=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

as_owner() {
  if [ "$(id -u)" -eq 0 ]; then su postgres -s /bin/sh -c "$*"; else sh -c "$*"; fi
}
[ "$(id -u)" -eq 0 ] && chown postgres:postgres "$dir"

stop() {
  as_owner "$bindir/pg_ctl -D $dir/data -m fast -w stop" >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap stop EXIT

as_owner "$bindir/initdb -D $dir/data -U postgres -A trust -E UTF8 --locale=C.UTF-8" >/dev/null
as_owner "$bindir/pg_ctl -D $dir/data -l $dir/pg.log -w -o \"-k $dir -c listen_addresses=127.0.0.1 -p $port -c fsync=off -c max_connections=200\" start" >/dev/null
as_owner "$bindir/createdb -h 127.0.0.1 -p $port -U postgres channel_voice_test"

echo "PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"
export TEST_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:$port/channel_voice_test"
"$@"
