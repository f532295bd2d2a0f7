#!/usr/bin/env bash
# Starts the services the tests need, runs a command with their addresses in the environment, and stops them after,
# whatever the command's outcome:
#
#   scripts/services.sh run -- swift test --skip-build
#
# PostgreSQL: a throwaway cluster in a temporary directory, run as the `postgres` user (initdb refuses root), on a
# free port of 127.0.0.1, trust authentication, fsync off (the data is thrown away). Its URL is exported as
# KAIZEN_TEST_POSTGRES_URL, its server log's path as KAIZEN_TEST_POSTGRES_LOG.
#
# S3: moto's server from the project's virtualenv (.venv, `make venv`) on a free port of 127.0.0.1, credentials
# testing/testing. Its URL is exported as KAIZEN_TEST_S3_URL.
set -euo pipefail

usage() { echo "usage: $0 run -- COMMAND [ARG...]" >&2; exit 2; }
[ "${1:-}" = run ] || usage
shift
[ "${1:-}" = -- ] && shift
[ $# -gt 0 ] || usage

PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$PG_BIN/initdb" ] || { echo "PostgreSQL server binaries not found: run 'make services-tools'" >&2; exit 1; }

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

WORK=$(mktemp -d /tmp/kaizen-services.XXXXXX)
chmod 755 "$WORK"
PG_DATA="$WORK/pg"
PG_PORT=$(free_port)

as_postgres() {
    if [ "$(id -u)" = 0 ]; then
        su postgres -s /bin/sh -c "$*"
    else
        sh -c "$*"
    fi
}

MOTO_PID=
stop() {
    status=$?
    if [ -n "$MOTO_PID" ]; then
        kill "$MOTO_PID" 2>/dev/null || true
        wait "$MOTO_PID" 2>/dev/null || true
    fi
    if [ -f "$PG_DATA/postmaster.pid" ]; then
        as_postgres "'$PG_BIN/pg_ctl' -D '$PG_DATA' -m immediate -w stop" >/dev/null 2>&1 || true
    fi
    rm -rf "$WORK"
    exit $status
}
trap stop EXIT INT TERM

mkdir "$PG_DATA"
[ "$(id -u)" = 0 ] && chown postgres "$WORK" "$PG_DATA"
as_postgres "'$PG_BIN/initdb' -D '$PG_DATA' -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync" \
    >"$WORK/initdb.log" 2>&1 || { cat "$WORK/initdb.log" >&2; exit 1; }
as_postgres "'$PG_BIN/pg_ctl' -D '$PG_DATA' -l '$WORK/pg.log' -w -t 60 start \
    -o '-c listen_addresses=127.0.0.1 -p $PG_PORT -k $WORK -c fsync=off -c synchronous_commit=off \
        -c full_page_writes=off -c max_connections=300'" >/dev/null \
    || { cat "$WORK/pg.log" >&2; exit 1; }
export KAIZEN_TEST_POSTGRES_URL="postgresql://postgres@127.0.0.1:$PG_PORT/postgres?sslmode=disable"
export KAIZEN_TEST_POSTGRES_LOG="$WORK/pg.log"
echo "services: PostgreSQL at 127.0.0.1:$PG_PORT" >&2

MOTO=$(dirname "$0")/../.venv/bin/moto_server
if [ -x "$MOTO" ]; then
    S3_PORT=$(free_port)
    "$MOTO" -H 127.0.0.1 -p "$S3_PORT" >"$WORK/moto.log" 2>&1 &
    MOTO_PID=$!
    for _ in $(seq 1 100); do
        curl -sf "http://127.0.0.1:$S3_PORT/" >/dev/null 2>&1 && break
        kill -0 "$MOTO_PID" 2>/dev/null || { cat "$WORK/moto.log" >&2; exit 1; }
        sleep 0.2
    done
    export KAIZEN_TEST_S3_URL="http://127.0.0.1:$S3_PORT"
    export AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID:-testing} AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY:-testing}
    echo "services: S3 (moto) at $KAIZEN_TEST_S3_URL" >&2
else
    echo "services: no S3 server ($MOTO is missing: run 'make venv')" >&2
fi

"$@"
