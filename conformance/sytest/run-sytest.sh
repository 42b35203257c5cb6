#!/bin/bash
# Runs SyTest against Ranvier and compares the run with expected-pass.txt.
#
#   conformance/sytest/run-sytest.sh SYTEST_CHECKOUT [run-tests.pl arguments, e.g. test files]
#
# Needs a SyTest checkout with its Perl dependencies installed (see SyTest's README) and the
# binary build/server/app/ranvier (or RANVIER_BINARY). Results go to $RESULTS_DIR (default
# /tmp/ranvier-sytest): results.tap (TAP), sytest.log (SyTest's progress), server-*/ (each
# server's configuration and ranvier.log). When test files (tests/...) are named, baseline
# tests of other files do not count as regressions. Exit status: compare.py's (0: no regression, 1: regressions).
set -uo pipefail

if [[ $# -lt 1 || ! -f "$1/run-tests.pl" ]]; then
    echo "usage: $0 SYTEST_CHECKOUT [run-tests.pl arguments]" >&2
    exit 2
fi
sytest=$(cd "$1" && pwd)
shift
here=$(cd "$(dirname "$0")" && pwd)
results="${RESULTS_DIR:-/tmp/ranvier-sytest}"
mkdir -p "$results"

partial=()
for arg in "$@"; do
    [[ "$arg" == tests/* ]] && partial=(--partial)
done

cd "$sytest" || exit 2
SYTEST_PLUGINS="$here" perl ./run-tests.pl -I Ranvier -O tap --all \
    --work-directory "$results" "$@" >"$results/results.tap" 2>"$results/sytest.log"
echo "run-sytest: run-tests.pl exited $?; TAP in $results/results.tap"

"$here/compare.py" "$results/results.tap" "${partial[@]}"
