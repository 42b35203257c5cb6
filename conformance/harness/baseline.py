"""Compares a run with the committed list of known failures (`expected_failures.txt`), so a
regression or a newly passing test stands out in the log. It never changes pytest's exit
status or summary line: a known failure is still a failure."""

from __future__ import annotations

from pathlib import Path

BASELINE = Path(__file__).resolve().parents[1] / "expected_failures.txt"


def read_baseline(path: Path = BASELINE) -> dict[str, str]:
    """node id -> note. Lines: `<node id>  # why`; blank lines and comment lines are skipped."""
    entries: dict[str, str] = {}
    if not path.exists():
        return entries
    for line in path.read_text().splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        node_id, _, note = line.partition("  #")
        entries[node_id.strip()] = note.strip()
    return entries


def now_passing(failed: set[str], ran: set[str], baseline: dict[str, str]) -> list[str]:
    """Listed tests that ran and did not fail."""
    return sorted(n for n in baseline.keys() & ran if n not in failed)


def compare(failed: set[str], ran: set[str], baseline: dict[str, str]) -> list[str]:
    """Report lines: new failures, and known failures that now pass (among the tests that ran)."""
    lines = []
    new = sorted(failed - baseline.keys())
    fixed = now_passing(failed, ran, baseline)
    still = len(failed & baseline.keys())
    lines.append(f"conformance baseline: {still} known failures, {len(new)} new failures, "
                 f"{len(fixed)} known failures now passing")
    lines += [f"  NEW FAILURE: {n}" for n in new]
    lines += [f"  NOW PASSING (remove from expected_failures.txt): {n}" for n in fixed]
    return lines


def prune(fixed: set[str], path: Path = BASELINE) -> None:
    """Removes the lines of tests that now pass (for --prune-expected-failures)."""
    kept = [line for line in path.read_text().splitlines()
            if line.partition("  #")[0].strip() not in fixed]
    path.write_text("\n".join(kept) + "\n")
