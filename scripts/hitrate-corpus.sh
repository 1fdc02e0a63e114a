#!/usr/bin/env bash
# Lays out the hit-rate corpus of issue #28 (docs/hit-rate.md) in two halves, split before any
# tuning by a fixed rule, so that `statecache bench hitrate --fixtures OUT/tune` is what a
# policy change is chosen on and `--fixtures OUT/held` what it is judged on.
#
#   scripts/hitrate-corpus.sh FIXTURES ARC_TRACES LIBCACHESIM OUT
#
# FIXTURES     the shared fixtures folder (its lirs/ and zeo/traces/)
# ARC_TRACES   a git clone (bare or not) of moka-rs/cache-trace (the ARC paper's traces, zstd)
# LIBCACHESIM  a git clone (bare or not) of 1a1a11a/libCacheSim (data/cloudPhysicsIO.txt)
# OUT          created; OUT/tune and OUT/held are replaced
#
# The split: every trace is named family/name (arc/OLTP, lirs/backf, zeo/zeo-app, …); the
# names are sorted (C locale) and dealt alternately, the first to `tune`, the second to
# `held`, and so on. Nothing about a trace but its name decides its half.
set -euo pipefail
export LC_ALL=C

if [[ $# -ne 4 ]]; then
    echo "usage: $0 FIXTURES ARC_TRACES LIBCACHESIM OUT" >&2
    exit 2
fi
fixtures=$1 arc=$2 libcachesim=$3 out=$4
command -v zstd >/dev/null || { echo "zstd is needed (apt-get install zstd)" >&2; exit 1; }

git_show() {  # repo path
    if git -C "$1" rev-parse --is-bare-repository >/dev/null 2>&1; then git -C "$1" show "HEAD:$2"
    else git --git-dir="$1" show "HEAD:$2"; fi
}

staging=$(mktemp -d)
trap 'rm -rf "$staging"' EXIT
mkdir -p "$staging/arc" "$staging/lirs" "$staging/zeo"
# The ARC paper's traces that the clone has whole (the larger ones are not in it).
for name in OLTP P2 P3 P6 P12; do
    if git_show "$arc" "arc/$name.lis.zst" 2>/dev/null | zstd -dc 2>/dev/null | gzip -1 > "$staging/arc/$name.lis.gz" \
        && [[ -s "$staging/arc/$name.lis.gz" ]] && gzip -t "$staging/arc/$name.lis.gz" 2>/dev/null; then :
    else rm -f "$staging/arc/$name.lis.gz"; echo "skipped arc/$name" >&2; fi
done
# A CloudPhysics block trace (one block number per line: the lirs layout).
git_show "$libcachesim" data/cloudPhysicsIO.txt | gzip -1 > "$staging/lirs/cloudPhysicsIO.trace.gz"
cp "$fixtures"/lirs/*.trace.gz "$staging/lirs/"
for trace in zeo-app.trace zipf-pure.trace large.trace.gz; do
    [[ -e "$fixtures/zeo/traces/$trace" ]] && cp "$fixtures/zeo/traces/$trace" "$staging/zeo/"
done

rm -rf "$out/tune" "$out/held"
mkdir -p "$out/tune" "$out/held"
half=tune
manifest="$out/SPLIT.tsv"
printf 'trace\thalf\n' > "$manifest"
while read -r file; do
    family=${file%%/*}
    base=${file#*/}
    name=${base%%.*}
    mkdir -p "$out/$half/$family"
    cp "$staging/$file" "$out/$half/$family/"
    printf '%s/%s\t%s\n' "$family" "$name" "$half" >> "$manifest"
    if [[ $half == tune ]]; then half=held; else half=tune; fi
done < <(cd "$staging" && find . -type f | sed 's|^\./||' | awk -F/ '{ split($2, a, "."); print $1 "/" a[1] "\t" $0 }' | sort | cut -f2)
cat "$manifest"
