#!/usr/bin/env bash
# `statecache stress --postgres` while the server is restarted and its sessions are cut: the
# check that a program retrying lost connections recovers every time and that nothing is lost.
#
#   scripts/postgres-fault-stress.sh [SECONDS] [SEED]      (defaults: 30 s, seed 1)
#
# Starts a throwaway server (scripts/throwaway-postgres.sh), runs the release `statecache
# stress --postgres URL --seconds SECONDS` (3 processes x 2 threads; $STATECACHE overrides the
# binary), and during the run, at 10%, 20%, ... 60% of it: `pg_ctl restart -m fast`,
# `pg_terminate_backend` of every session, `pg_ctl restart -m immediate`, terminate again,
# fast, immediate. Fails (exit 1) when the stress exits non-zero, reports a mismatch or a lost
# update, loses no connection (the faults missed), or does not reconnect every connection it
# lost. The server is removed afterwards, also on failure.
set -euo pipefail

SECONDS_TO_RUN="${1:-30}"
SEED="${2:-1}"
HERE="$(cd "$(dirname "$0")" && pwd)"
PG="$HERE/throwaway-postgres.sh"
STATECACHE="${STATECACHE:-$HERE/../.build/release/statecache}"
[ -x "$STATECACHE" ] || { echo "postgres-fault-stress: no $STATECACHE (swift build -c release --product statecache)" >&2; exit 2; }

dir=$(mktemp -d /tmp/statecache-faults.XXXXXX); rmdir "$dir"
output=$(mktemp /tmp/statecache-faults-report.XXXXXX)
stress_pid=""
cleanup() {
    [ -n "$stress_pid" ] && kill "$stress_pid" 2>/dev/null || true
    "$PG" stop "$dir" >/dev/null 2>&1 || true
    rm -f "$output"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# `restart -m immediate` is a crash: with the throwaway server's synchronous_commit=off, the
# commits of its last moments would be acknowledged and then lost — lost updates that are the
# server's setting, not the client's doing.
url=$(STATECACHE_POSTGRES_OPTIONS="-c synchronous_commit=on" "$PG" start "$dir")
calc() { awk "BEGIN { print ($1) }"; }
echo "+ statecache stress --postgres … --seconds $SECONDS_TO_RUN --seed $SEED  (faults at 10% … 60% of the run)"
"$STATECACHE" stress --postgres "$url" --seconds "$SECONDS_TO_RUN" --seed "$SEED" >"$output" 2>&1 &
stress_pid=$!
# The run starts when the worker processes do (after the pool is created).
for _ in $(seq 1 600); do
    [ -n "$(ps -o pid= --ppid "$stress_pid" 2>/dev/null)" ] && break
    kill -0 "$stress_pid" 2>/dev/null || break
    sleep 0.05
done
started=$(date +%s.%N)
elapsed() { calc "$(date +%s.%N) - $started"; }

terminate_sql="SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = 'statecache' AND pid <> pg_backend_pid()"
faults=(fast terminate immediate terminate fast immediate)
for index in "${!faults[@]}"; do
    wait_for=$(calc "$SECONDS_TO_RUN * 0.1 * ($index + 1) - $(elapsed)")
    if [ "$(calc "$wait_for > 0")" = 1 ]; then sleep "$wait_for"; fi
    kill -0 "$stress_pid" 2>/dev/null || break
    case "${faults[$index]}" in
        terminate) n=$("$PG" sql "$dir" "$terminate_sql" 2>/dev/null || echo "?")
                   printf 'fault at %5.1f s: pg_terminate_backend (%s sessions)\n' "$(elapsed)" "$n" ;;
        *)         "$PG" restart "$dir" "${faults[$index]}"
                   printf 'fault at %5.1f s: pg_ctl restart -m %s\n' "$(elapsed)" "${faults[$index]}" ;;
    esac
done

status=0; wait "$stress_pid" || status=$?
stress_pid=""
cat "$output"
report_value() { sed -n "s/.*$1: \([0-9]*\).*/\1/p" "$output" | head -n 1; }
mismatches=$(report_value "mismatches")
lost_updates=$(report_value "lost updates")
lost=$(report_value "lost connections")
reconnected=$(report_value "reconnections")
problems=()
[ "$status" = 0 ] || problems+=("the stress exited with status $status")
[ "${mismatches:-x}" = 0 ] || problems+=("mismatches: ${mismatches:-no report}")
[ "${lost_updates:-x}" = 0 ] || problems+=("lost updates: ${lost_updates:-no report}")
[ "${lost:-0}" -gt 0 ] || problems+=("no connection was lost: the faults missed the run")
[ "${lost:-0}" = "${reconnected:-x}" ] || problems+=("lost connections: ${lost:-?}, reconnected: ${reconnected:-?}")
if [ ${#problems[@]} -gt 0 ]; then
    printf 'postgres-fault-stress FAILED: %s\n' "${problems[@]}" >&2
    exit 1
fi
echo "postgres-fault-stress passed: $lost lost connections, all reconnected; 0 mismatches, 0 lost updates"
