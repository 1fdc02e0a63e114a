#!/usr/bin/env python3
"""Compares two release builds of `statecache` on one benchmark group, side by side.

Runs `statecache bench GROUP --quick --json` with each binary in turn, alternating which goes
first, and prints per benchmark the median over the pairs of (new ratio / old ratio), where each
ratio is already the benchmark against its in-run baseline. Medians of paired ratios are what
mean something on a shared, noisy machine; a single run does not. Run it once with the same
binary on both sides to see the noise floor (an A/A test).

    scripts/compare-builds.py OLD_BINARY NEW_BINARY [--group cache] [--pairs 10]
"""
import argparse
import json
import statistics
import subprocess
import sys


def ratios(binary, group):
    """One quick run of the group: benchmark name -> its ratio against its baseline."""
    try:
        run = subprocess.run([binary, "bench", group, "--quick", "--json"], capture_output=True, text=True)
    except OSError as error:
        sys.exit(f"cannot run {binary}: {error.strerror}")
    if run.returncode != 0:
        sys.exit(f"{binary} bench {group} failed ({run.returncode}): {run.stderr.strip()}")
    return {row["name"]: row["ratio"] for row in json.loads(run.stdout) if row.get("ratio")}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("old")
    parser.add_argument("new")
    parser.add_argument("--group", default="cache")
    parser.add_argument("--pairs", type=int, default=10)
    arguments = parser.parse_args()
    paired = {}
    for index in range(arguments.pairs):
        order = ["old", "new"] if index % 2 == 0 else ["new", "old"]
        runs = {side: ratios(getattr(arguments, side), arguments.group) for side in order}
        for name, new_ratio in runs["new"].items():
            if name in runs["old"]:
                paired.setdefault(name, []).append(new_ratio / runs["old"][name])
    width = max(map(len, paired), default=10)
    print(f"new/old, median of {arguments.pairs} pairs (min – max):")
    for name, values in paired.items():
        print(f"{name:{width}}  {statistics.median(values):.3f}  ({min(values):.3f} – {max(values):.3f})")


if __name__ == "__main__":
    main()
