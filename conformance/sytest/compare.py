#!/usr/bin/env python3
"""Compare a SyTest run (TAP output, e.g. `run-tests.pl -O tap ... > results.tap`) with the
baseline of tests known to pass (expected-pass.txt beside this script).

Prints the regressions (baseline tests that failed, were skipped or did not run) and the new
passes (passing tests not yet in the baseline). Exit status: 0 without regressions, 1 with
regressions, 2 on a usage or input error.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_BASELINE = Path(__file__).resolve().parent / "expected-pass.txt"

# A top-level result line: "ok 12 name", "not ok 13 (expected fail) name # TODO expected fail".
# Sub-steps of multi-tests are indented and are not results of their own.
_RESULT = re.compile(r"^(not ok|ok) \d+ (.*)$")
_EXPECTED_FAIL = "(expected fail) "
_SUBTESTS = re.compile(r" \(\d+ subtests\)$")
_DIRECTIVE = re.compile(r" # (skip|SKIP|TODO)\b.*$")


@dataclass
class RunResults:
    """Outcome of each top-level test in one SyTest run, by exact test name."""

    passed: set[str] = field(default_factory=set)
    failed: set[str] = field(default_factory=set)
    skipped: set[str] = field(default_factory=set)

    def seen(self, name: str) -> bool:
        return name in self.passed or name in self.failed or name in self.skipped


def parse_tap(lines) -> RunResults:
    """Reads SyTest's TAP output. A test counts as passed only on a plain `ok` line; `ok` with
    a skip directive is a skip. When a name occurs more than once, a failure wins."""
    results = RunResults()
    for raw in lines:
        line = raw.rstrip("\r\n")
        match = _RESULT.match(line)
        if not match:
            continue
        status, rest = match.groups()
        directive = _DIRECTIVE.search(rest)
        is_skip = bool(directive) and directive.group(1).lower() == "skip"
        name = _DIRECTIVE.sub("", rest)
        if name.startswith(_EXPECTED_FAIL):
            name = name[len(_EXPECTED_FAIL):]
        name = _SUBTESTS.sub("", name)
        if status == "not ok":
            results.failed.add(name)
            results.passed.discard(name)
        elif is_skip:
            if name not in results.failed and name not in results.passed:
                results.skipped.add(name)
        elif name not in results.failed:
            results.passed.add(name)
            results.skipped.discard(name)
    return results


def read_baseline(lines) -> set[str]:
    """One exact test name per line; lines starting with '#' and blank lines are ignored."""
    names = set()
    for raw in lines:
        line = raw.rstrip("\r\n")
        if not line.strip() or line.startswith("#"):
            continue
        names.add(line)
    return names


@dataclass
class Comparison:
    """Baseline tests that did not pass, split by what happened, and unexpected passes."""

    failed: list[str]
    skipped: list[str]
    not_run: list[str]
    new_passes: list[str]

    @property
    def regressions(self) -> int:
        return len(self.failed) + len(self.skipped) + len(self.not_run)


def compare(baseline: set[str], results: RunResults, partial: bool = False) -> Comparison:
    """With `partial`, baseline tests absent from the run (a run of some files only) are not
    regressions."""
    not_run = [] if partial else sorted(n for n in baseline if not results.seen(n))
    return Comparison(
        failed=sorted(baseline & results.failed),
        skipped=sorted(baseline & results.skipped),
        not_run=not_run,
        new_passes=sorted(results.passed - baseline),
    )


def baseline_header(path: Path) -> list[str]:
    """The leading comment block of an existing baseline, kept when it is rewritten."""
    if not path.exists():
        return []
    header = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        header.append(line)
    return header


def report(comparison: Comparison, results: RunResults, baseline: set[str], out) -> None:
    sections = [
        ("REGRESSION (failed)", comparison.failed),
        ("REGRESSION (skipped)", comparison.skipped),
        ("REGRESSION (not run)", comparison.not_run),
        ("NEW PASS", comparison.new_passes),
    ]
    for label, names in sections:
        for name in names:
            print(f"{label}: {name}", file=out)
    print(
        f"sytest: {len(results.passed)} passed, {len(results.failed)} failed, "
        f"{len(results.skipped)} skipped; baseline {len(baseline)}, "
        f"{comparison.regressions} regression(s), {len(comparison.new_passes)} new pass(es)",
        file=out,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("results", type=Path, help="SyTest TAP output (run-tests.pl -O tap)")
    parser.add_argument("--baseline", type=Path, default=DEFAULT_BASELINE)
    parser.add_argument("--partial", action="store_true",
                        help="the run covered some test files only: ignore baseline tests it did not run")
    parser.add_argument("--write-baseline", action="store_true",
                        help="replace the baseline's names with this run's passing tests")
    args = parser.parse_args(argv)

    try:
        results = parse_tap(args.results.read_text(encoding="utf-8").splitlines())
        baseline = (read_baseline(args.baseline.read_text(encoding="utf-8").splitlines())
                    if args.baseline.exists() else set())
    except OSError as error:
        print(f"compare.py: {error}", file=sys.stderr)
        return 2
    if not (results.passed or results.failed or results.skipped):
        print(f"compare.py: {args.results} has no TAP result lines", file=sys.stderr)
        return 2

    comparison = compare(baseline, results, partial=args.partial)
    report(comparison, results, baseline, sys.stdout)

    if args.write_baseline:
        lines = baseline_header(args.baseline) + sorted(results.passed)
        args.baseline.write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"compare.py: wrote {len(results.passed)} name(s) to {args.baseline}")
        return 0
    return 1 if comparison.regressions else 0


if __name__ == "__main__":
    sys.exit(main())
