#!/usr/bin/env bash
# A PostgreSQL server for the tests, listening on 127.0.0.1:55432: its data in .sparkplane/postgres,
# or, run as root, in /var/lib/postgresql/sparkplane-test-55432 (the server then runs as the postgres
# user, who may not be allowed into the checkout, e.g. a clone in a `mktemp -d` directory).
#   scripts/postgres.sh start | stop | url
set -euo pipefail
cd "$(dirname "$0")/.."
port=55432
if [ "$(id -u)" -eq 0 ]; then data="/var/lib/postgresql/sparkplane-test-$port"; else data="$(pwd)/.sparkplane/postgres"; fi
url="postgres://sparkplane:sparkplane@127.0.0.1:$port/sparkplane"
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
as_owner() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

case "${1:-}" in
  url) echo "$url" ;;
  start)
    [ -n "$bin" ] || { echo "PostgreSQL is not installed (scripts/setup.sh --test installs it)" >&2; exit 1; }
    if "$bin/pg_isready" -q -h 127.0.0.1 -p $port; then
      # another checkout's test server already holds the port: same user and password, reuse it
      echo "[setup] reusing the PostgreSQL server already listening on 127.0.0.1:$port"
    else
      if [ ! -f "$data/PG_VERSION" ]; then
        mkdir -p "$data"
        if [ "$(id -u)" -eq 0 ]; then chown postgres "$data"; fi
        pwfile=$(mktemp); echo sparkplane > "$pwfile"; chmod 644 "$pwfile"
        as_owner "$bin/initdb" -D "$data" -U sparkplane --pwfile="$pwfile" -A scram-sha-256 >/dev/null
        rm -f "$pwfile"
      fi
      if ! as_owner "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
        as_owner "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w \
          -o "-p $port -k /tmp -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off" start >/dev/null \
          || { tail -n 20 "$data/server.log" >&2; exit 1; }
      fi
    fi
    PGPASSWORD=sparkplane "$bin/psql" -h 127.0.0.1 -p $port -U sparkplane -d postgres -tAc \
      "select 1 from pg_database where datname='sparkplane'" | grep -q 1 \
      || PGPASSWORD=sparkplane "$bin/createdb" -h 127.0.0.1 -p $port -U sparkplane sparkplane
    echo "[setup] PostgreSQL running at $url"
    ;;
  stop) [ -f "$data/PG_VERSION" ] && as_owner "$bin/pg_ctl" -D "$data" -m fast stop ;;
  *) echo "usage: $0 start|stop|url" >&2; exit 2 ;;
esac
