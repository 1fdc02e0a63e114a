#!/usr/bin/env bash
# Lays out the research traces bundled with Caffeine's simulator in folders named after their
# formats, so that `statecache bench hitrate --fixtures OUT` measures every policy on traces
# nobody here tuned to (docs/cache-simul.md, "Policies side by side").
#
#   scripts/caffeine-traces.sh CAFFEINE OUT
#
# CAFFEINE is a clone of https://github.com/ben-manes/caffeine (a work tree, or a bare git
# directory: the files are read from its HEAD). OUT is created; existing files are replaced.
set -euo pipefail

if [[ $# -ne 2 ]]; then
    echo "usage: $0 CAFFEINE_CLONE OUT_DIR" >&2
    exit 2
fi
source_repo=$1
out=$2
resources=simulator/src/main/resources/com/github/benmanes/caffeine/cache/simulator/parser

# format folder (as `statecache convert --from` names it) / file, under $resources
traces=(
    address/gcc.trace.gz address/gzip.trace.gz address/mcf.trace.gz
    address/swim.trace.gz address/twolf.trace.gz
    cache2k/orm-busy.trace.xz cache2k/orm-night.trace.xz
    cache2k/web07.trace.xz cache2k/web12.trace.xz
    cloud_physics/w106.trace.xz
    corda/trace_vaultservice.gz
    scarab/scarab-recs.trace.xz
    adapt_size/request.trace.xz
)

if git -C "$source_repo" rev-parse --is-bare-repository >/dev/null 2>&1; then
    read_file() { git -C "$source_repo" show "HEAD:$resources/$1"; }
elif git --git-dir="$source_repo" rev-parse HEAD >/dev/null 2>&1; then
    read_file() { git --git-dir="$source_repo" show "HEAD:$resources/$1"; }
else
    echo "$source_repo is not a git clone of Caffeine" >&2
    exit 1
fi

copied=0
for trace in "${traces[@]}"; do
    mkdir -p "$out/$(dirname "$trace")"
    if read_file "$trace" > "$out/$trace.part" 2>/dev/null && [[ -s "$out/$trace.part" ]]; then
        mv "$out/$trace.part" "$out/$trace"
        copied=$((copied + 1))
    else
        rm -f "$out/$trace.part"
        echo "skipped $trace: not in $source_repo (or stored with Git LFS)" >&2
    fi
done
echo "$copied of ${#traces[@]} traces in $out"
[[ $copied -gt 0 ]]
