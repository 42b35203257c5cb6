#!/usr/bin/env bash
# Runs the black-box conformance suite against build/server/app/ranvier (or $RANVIER_BIN).
# Usage: conformance/run.sh [sqlite|postgres] [extra pytest arguments...]
#   sqlite   (default) every suite gets its own SQLite file
#   postgres every suite gets its own database on the server `ci/postgres.sh` starts
# Exit status and the last line are pytest's (the summary CI reads). Results per test are
# written to conformance/results/<backend>.xml (JUnit) for comparison between runs.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
backend=${1:-sqlite}
[[ $# -gt 0 ]] && shift

case $backend in
  sqlite)
    export RANVIER_TEST_DATABASE=sqlite
    ;;
  postgres)
    "$root/ci/postgres.sh" start >&2
    RANVIER_TEST_DATABASE=$("$root/ci/postgres.sh" url)
    export RANVIER_TEST_DATABASE
    ;;
  *)
    echo "usage: $0 [sqlite|postgres] [pytest args...]" >&2
    exit 2
    ;;
esac

export RANVIER_BIN=${RANVIER_BIN:-$root/build/server/app/ranvier}
if [[ ! -x $RANVIER_BIN ]]; then
  echo "conformance: no ranvier binary at $RANVIER_BIN (build it: tools/build.sh --target ranvier)" >&2
  exit 1
fi

mkdir -p "$here/results"
cd "$here"
exec /usr/bin/python3 -m pytest -p no:cacheprovider \
  --junitxml="$here/results/$backend.xml" -o junit_family=xunit1 "$@"
