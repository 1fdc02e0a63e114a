#!/usr/bin/env python3
"""Per-cell standing of one `statecache bench hitrate --json` column against LRU, ARC,
Caffeine's climber (wtinylfu-hillClimbing) and the best of the three (docs/hit-rate.md).

  scripts/hitrate-compare.py RESULT.json [--column wtinylfu] [--only PREFIX,...] [--skip PREFIX,...] [--cells]
                             [--references EARLIER.json]

Prints, for the column, its mean and its worst cell against each reference, and how many
cells fall more than 1 point below it. --cells lists every cell. --references takes the columns
RESULT.json lacks (ARC, the climber: deterministic) from an earlier run on the same traces, so
that a run can measure only the columns that changed."""
import argparse
import json
import sys


def load(path):
    with open(path) as f:
        rows = json.load(f)
    cells = []
    for row in rows:
        if row.get("group") != "hitrate" or row["name"].startswith("summary "):
            continue
        rates = {"wtinylfu": row["value"], "lru": row["baselineValue"]}
        for key, value in row.get("notes", {}).items():
            if key in ("wtinylfu-lru points", "size", "bytes", "percent of peak", "requests"):
                continue
            rates[key] = value
        cells.append((row["name"], rates))
    return cells


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("result")
    parser.add_argument("--column", default="wtinylfu")
    parser.add_argument("--only", default="")
    parser.add_argument("--skip", default="")
    parser.add_argument("--cells", action="store_true")
    parser.add_argument("--references", default="")
    args = parser.parse_args()
    cells = load(args.result)
    if args.references:
        earlier = dict(load(args.references))
        for name, rates in cells:
            for key, value in earlier.get(name, {}).items():
                rates.setdefault(key, value)
    only = [p for p in args.only.split(",") if p]
    skip = [p for p in args.skip.split(",") if p]
    cells = [(n, r) for n, r in cells if (not only or any(n.startswith(p) for p in only))
             and not any(n.startswith(p) for p in skip)]
    if not cells:
        sys.exit("no cells")
    column = args.column
    refs = [r for r in ("lru", "arc", "wtinylfu-hillClimbing") if r in cells[0][1]]
    print(f"{column} on {len(cells)} cells: mean {sum(r[column] for _, r in cells) / len(cells):.2f}%")
    for ref in refs + ["best"]:
        deltas = []
        for name, r in cells:
            base = max(r[x] for x in refs) if ref == "best" else r[ref]
            deltas.append((r[column] - base, name))
        mean = sum(d for d, _ in deltas) / len(deltas)
        worst = min(deltas)
        below = sum(1 for d, _ in deltas if d < -1)
        label = "best of " + "/".join(refs) if ref == "best" else ref
        print(f"  vs {label:32s} mean {mean:+6.2f}  worst {worst[0]:+7.2f} ({worst[1]})  cells < -1: {below}")
    if args.cells:
        print(f"{'cell':44s} {column:>8s} " + " ".join(f"{x[:10]:>10s}" for x in refs))
        for name, r in cells:
            print(f"{name:44s} {r[column]:8.2f} " + " ".join(f"{r[x]:10.2f}" for x in refs))


main()
