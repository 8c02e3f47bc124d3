#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server on a free loopback port for the shared-queue tests (Debian's `postgresql`,
# installed if missing). Source it: it exports GEARD_TEST_POSTGRES_URL and GEARD_TEST_POSTGRES_DIR;
# `stop_test_postgres` stops the server and removes its files.
set -euo pipefail

if ! ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1; then
  echo "installing postgresql" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  # Don't let the package start a system cluster.
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
  apt-get install -y -qq postgresql >/dev/null
  rm -f /usr/sbin/policy-rc.d
fi
pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
pg_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
GEARD_TEST_POSTGRES_DIR=$(mktemp -d /tmp/geard-postgres.XXXXXX)
# The server refuses to run as root: run it as the `postgres` user when we are root.
as_owner=()
if [ "$(id -u)" = 0 ]; then
  chown postgres "$GEARD_TEST_POSTGRES_DIR"
  as_owner=(runuser -u postgres --)
fi
"${as_owner[@]}" "$pg_bin/initdb" -D "$GEARD_TEST_POSTGRES_DIR/data" -U postgres --auth=trust -E UTF8 >/dev/null
# fsync off: the tests kill geard, never the database server.
"${as_owner[@]}" "$pg_bin/pg_ctl" -D "$GEARD_TEST_POSTGRES_DIR/data" -l "$GEARD_TEST_POSTGRES_DIR/server.log" -w \
  -o "-p $pg_port -k $GEARD_TEST_POSTGRES_DIR -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300" start >/dev/null
"$pg_bin/psql" -q -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres -v ON_ERROR_STOP=1 \
  -c "CREATE ROLE geard LOGIN SUPERUSER PASSWORD 'geard'" -c "CREATE DATABASE geard OWNER geard" >/dev/null
export GEARD_TEST_POSTGRES_DIR
export GEARD_TEST_POSTGRES_URL="postgres://geard:geard@127.0.0.1:$pg_port/geard"
echo "test PostgreSQL at 127.0.0.1:$pg_port" >&2

stop_test_postgres() {
  "${as_owner[@]}" "$pg_bin/pg_ctl" -D "$GEARD_TEST_POSTGRES_DIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$GEARD_TEST_POSTGRES_DIR"
}
