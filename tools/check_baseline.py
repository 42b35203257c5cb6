#!/usr/bin/env python3
"""Fails when spec coverage or the conformance suite's pass count drops below the baseline
committed in conformance/baseline.txt.

Usage: tools/check_baseline.py --coverage "<last line of ranvier coverage>"
                               [--junit sqlite=conformance/results/sqlite.xml ...]
Prints one line per figure (baseline → now) and exits 1 if any figure dropped.
"""
import argparse
import re
import sys
import xml.etree.ElementTree as ET
from pathlib import Path


def parse_pairs(line):
    """`key=H/N` or `key=N` pairs after the label → {key: handled-or-count}."""
    return {k: int(v.split("/")[0]) for k, v in re.findall(r"(\S+?)=(\S+)", line)}


def read_baseline(path):
    coverage, passed = {}, {}
    for line in Path(path).read_text().splitlines():
        if line.startswith("coverage:"):
            coverage = parse_pairs(line[len("coverage:"):])
        elif line.startswith("conformance-passed"):
            passed = parse_pairs(line[len("conformance-passed"):])
    return coverage, passed


def junit_passed(path):
    root = ET.parse(path).getroot()
    suites = [root] if root.tag == "testsuite" else root.findall("testsuite")
    total = sum(int(s.get("tests", 0)) for s in suites)
    bad = sum(int(s.get(k, 0)) for s in suites for k in ("failures", "errors", "skipped"))
    return total - bad


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--baseline", default=str(Path(__file__).resolve().parent.parent / "conformance/baseline.txt"))
    ap.add_argument("--coverage", help="the summary line of `ranvier coverage`")
    ap.add_argument("--junit", action="append", default=[], help="backend=path/to/results.xml")
    args = ap.parse_args(argv)
    base_coverage, base_passed = read_baseline(args.baseline)
    dropped = []
    if args.coverage is not None:
        now = parse_pairs(args.coverage.split(":", 1)[1])
        for api, before in base_coverage.items():
            after = now.get(api, 0)
            print(f"coverage {api}: baseline {before}, now {after}")
            if after < before:
                dropped.append(f"coverage {api} {before} -> {after}")
    for item in args.junit:
        backend, path = item.split("=", 1)
        after = junit_passed(path) if Path(path).exists() else 0
        before = base_passed.get(backend, 0)
        print(f"conformance {backend} passed: baseline {before}, now {after}")
        if after < before:
            dropped.append(f"conformance {backend} {before} -> {after}")
    if dropped:
        print("below the committed baseline: " + "; ".join(dropped))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
