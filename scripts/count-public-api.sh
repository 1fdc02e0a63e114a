#!/bin/bash
# Counts the public declarations reachable through `import StateCache`: every public symbol of the
# StateCache module, plus the re-exported named types and their public members (symbol graphs of a
# debug build: run `swift build` first). Usage: scripts/count-public-api.sh [repo-dir]
set -e
cd "${1:-.}"
out=$(mktemp -d)
flags=(-target x86_64-unknown-linux-gnu -I .build/debug/Modules -minimum-access-level public -skip-synthesized-members -output-dir "$out"
       -Xcc -fmodule-map-file=$PWD/.build/x86_64-unknown-linux-gnu/debug/CCacheSync.build/module.modulemap
       -Xcc -I$PWD/Sources/CCacheSync/include)
for d in Sources/C*/; do [ -f "$d/module.modulemap" ] && flags+=(-Xcc -fmodule-map-file=$PWD/$d/module.modulemap); done
mods=$(ls .build/debug/Modules/*.swiftmodule | xargs -n1 basename | sed 's/.swiftmodule//' | grep -v Tests)
for m in $mods; do swift-symbolgraph-extract -module-name "$m" "${flags[@]}" 2>&1 | grep -m2 error || true; done
python3 - "$out" "$PWD/Sources/StateCache/StateCache.swift" <<'PY'
import json, sys, glob, re, os
out, umbrella = sys.argv[1], sys.argv[2]
names = set()
# The umbrella's named re-exports, and those of the modules it re-exports whole.
sources = os.path.dirname(os.path.dirname(umbrella))
whole = []
files = [umbrella]
while files:
    for line in open(files.pop()):
        m = re.match(r'\s*@_exported import (?:struct|enum|class|protocol|typealias|func|actor) (\w+)\.(\w+)', line)
        if m: names.add((m.group(1), m.group(2)))
        m = re.match(r'\s*@_exported import (\w+)\s*$', line)
        if m and m.group(1) not in whole:
            whole.append(m.group(1))
            files += glob.glob(os.path.join(sources, m.group(1), '**', '*.swift'), recursive=True)
import glob as _g
for f in _g.glob(os.path.join(os.path.dirname(umbrella), '**', '*.swift'), recursive=True):
    for line in open(f):
        m = re.match(r'\s*public typealias (\w+) = (\w+)\.(\w+)', line)
        if m: names.add((m.group(2), m.group(3)))
count = {}
def syms(mod):
    res = []
    for f in glob.glob(os.path.join(out, mod + '.symbols.json')) + glob.glob(os.path.join(out, mod + '@*.symbols.json')):
        res += json.load(open(f))['symbols']
    return res
total = 0
own = [s for s in syms('StateCache') if s['accessLevel'] == 'public']
total += len(own); print('StateCache module:', len(own))
for module in whole:
    theirs = [s for s in syms(module) if s['accessLevel'] == 'public']
    total += len(theirs); print(module, 'module (re-exported whole):', len(theirs))
modules = {m for m, _ in names}
typenames = {n for _, n in names}
seen = set()
per = {}
for f in glob.glob(os.path.join(out, '*.symbols.json')):
    mod = os.path.basename(f).split('@')[0].split('.')[0]
    if mod not in modules: continue
    for s in json.load(open(f))['symbols']:
        if s['accessLevel'] != 'public' or s['pathComponents'][0] not in typenames: continue
        if s['identifier']['precise'] in seen: continue
        seen.add(s['identifier']['precise'])
        per[s['pathComponents'][0]] = per.get(s['pathComponents'][0], 0) + 1
for n in sorted(per): print(f'  {n}: {per[n]}')
total += sum(per.values())
print('reachable public declarations:', total)
PY
rm -rf "$out"
