#!/usr/bin/env bash
# A throwaway PostgreSQL server for tests, benchmarks and demos: created in a temporary
# directory, listening only on a unix socket there, fsync off, trust authentication, and
# removed afterwards — also when the command fails or is interrupted.
#
#   scripts/throwaway-postgres.sh run -- COMMAND [ARGS...]
#       starts a server, runs COMMAND with STATECACHE_POSTGRES set to its libpq URL
#       (postgresql://postgres@/statecache?host=DIR&port=PORT), then stops and removes it;
#       exits with COMMAND's status.
#   scripts/throwaway-postgres.sh start DIR    start one in DIR (must not exist); prints the URL
#   scripts/throwaway-postgres.sh stop DIR     stop it and remove DIR
#   scripts/throwaway-postgres.sh restart DIR MODE   restart it (pg_ctl -m fast|smart|immediate)
#   scripts/throwaway-postgres.sh sql DIR SQL        run SQL on it with psql (faults for tests)
#
# Installs postgresql-15 when missing (Debian). initdb and pg_ctl refuse to run as root, so
# under root they run as the `postgres` user through runuser.
set -euo pipefail

PORT="${STATECACHE_POSTGRES_PORT:-54329}"
# More server settings (`-c name=value …`), after the defaults below so that they win; e.g.
# `-c synchronous_commit=on` where a crash must not lose acknowledged commits.
EXTRA_OPTIONS="${STATECACHE_POSTGRES_OPTIONS:-}"
DBNAME=statecache

die() { echo "throwaway-postgres: $*" >&2; exit 1; }

pg_bin() {
    local dir
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    # An explicit 0: a bare `return` in a function run from the EXIT trap returns the status
    # the script was exiting with, so a failed command made stop() miss the binaries.
    [ -n "$dir" ] && [ -x "$dir/initdb" ] && { echo "$dir"; return 0; }
    return 1
}

ensure_installed() {
    pg_bin >/dev/null && return
    echo "throwaway-postgres: installing postgresql-15 and libpq-dev" >&2
    local sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
    $sudo apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q postgresql-15 libpq-dev >/dev/null
    pg_bin >/dev/null || die "postgresql-15 installed, but no initdb under /usr/lib/postgresql/*/bin"
}

# Runs a server binary as the owner of the data directory.
as_owner() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

url_for() { echo "postgresql://postgres@/$DBNAME?host=$1&port=$PORT"; }

start() {
    local dir="$1" bin
    [ -e "$dir" ] && die "$dir exists; give a new directory"
    ensure_installed
    bin=$(pg_bin)
    mkdir -p "$dir"
    if [ "$(id -u)" = 0 ]; then chown postgres: "$dir"; chmod 700 "$dir"; fi
    as_owner "$bin/initdb" -D "$dir/data" -U postgres -A trust --no-sync -E UTF8 >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; die "initdb failed"; }
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-k $dir -p $PORT -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200 $EXTRA_OPTIONS" \
        start >/dev/null || { cat "$dir/server.log" >&2; die "the server did not start (log above)"; }
    "$bin/createdb" -h "$dir" -p "$PORT" -U postgres "$DBNAME" || die "createdb failed"
    url_for "$dir"
}

stop() {
    local dir="$1" bin
    [ -d "$dir/data" ] || { rm -rf "$dir"; return 0; }
    bin=$(pg_bin) || die "no PostgreSQL binaries to stop $dir with"
    as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$dir"
}

# Restarts the server in DIR with `pg_ctl restart -m MODE` (its start options are kept).
restart() {
    local dir="$1" mode="$2" bin
    bin=$(pg_bin) || die "no PostgreSQL binaries"
    as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -m "$mode" -w -t 60 restart >/dev/null \
        || { tail -n 20 "$dir/server.log" >&2; die "the server in $dir did not restart"; }
}

# Runs SQL on the server in DIR, as the postgres user, in the statecache database.
sql() {
    local dir="$1" bin
    bin=$(pg_bin) || die "no PostgreSQL binaries"
    "$bin/psql" -X -q -A -t -h "$dir" -p "$PORT" -U postgres -d "$DBNAME" -c "$2"
}

case "${1:-}" in
    start) [ $# -eq 2 ] || die "usage: $0 start DIR"; start "$2" ;;
    stop)  [ $# -eq 2 ] || die "usage: $0 stop DIR"; stop "$2" ;;
    restart) [ $# -eq 3 ] || die "usage: $0 restart DIR fast|smart|immediate"; restart "$2" "$3" ;;
    sql)   [ $# -eq 3 ] || die "usage: $0 sql DIR SQL"; sql "$2" "$3" ;;
    run)
        shift; [ "${1:-}" = "--" ] && shift
        [ $# -ge 1 ] || die "usage: $0 run -- COMMAND [ARGS...]"
        dir=$(mktemp -d /tmp/statecache-pg.XXXXXX); rmdir "$dir"
        trap 'stop "$dir"' EXIT
        trap 'exit 130' INT TERM
        STATECACHE_POSTGRES=$(start "$dir")
        export STATECACHE_POSTGRES
        echo "throwaway-postgres: server at $STATECACHE_POSTGRES" >&2
        status=0; "$@" || status=$?
        exit $status
        ;;
    *) die "usage: $0 run -- COMMAND [ARGS...] | start DIR | stop DIR | restart DIR MODE | sql DIR SQL" ;;
esac
