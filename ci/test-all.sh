#!/usr/bin/env bash
# README command 2 (and what .ci/run calls): install, build, and run every test —
# unit, storage on SQLite and PostgreSQL, the spec import check, fuzzers briefly, and the
# black-box conformance suite on SQLite and PostgreSQL. Exits non-zero if anything fails.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$PWD
# Debian's interpreter, whose packages (python3-pytest, python3-yaml, python3-nacl) ci/install-deps.sh installs.
python=/usr/bin/python3
failures=()
skipped=()
step() { echo; echo "==== $* ===="; }
record() { local rc=$1; shift; if ((rc != 0)); then failures+=("$*"); echo "FAILED: $*"; fi; }

step "install dependencies"
ci/install-deps.sh || exit 1

step "spec import is up to date"
if [[ -d ../shared/matrix-spec ]]; then
  $python tools/spec_import.py --spec-dir ../shared/matrix-spec --out spec --check
  record $? "spec import check"
  $python -m pytest -q tools/test_spec_import.py
  record $? "spec import tests"
else
  echo "../shared/matrix-spec not present: skipping the re-import check"
fi

step "generator tests"
$python -m pytest -q tools/test_gen_api.py
record $? "generator tests"

step "build"
tools/build.sh || exit 1

step "PostgreSQL"
pg_url=$(ci/postgres.sh start) || { echo "cannot start PostgreSQL"; exit 1; }
echo "PostgreSQL at $pg_url"
trap 'ci/postgres.sh stop >/dev/null 2>&1' EXIT

step "unit and storage tests (ctest; storage on SQLite and PostgreSQL)"
RANVIER_TEST_POSTGRES_URL=$pg_url ctest --test-dir build --output-on-failure -j2
record $? "ctest"

if [[ -x fuzz/run.sh ]]; then
  step "fuzz targets, briefly"
  tools/build.sh --fuzz || record 1 "fuzz build"
  for target in $(ls fuzz/*.cpp 2>/dev/null | xargs -n1 basename | sed 's/\.cpp$//'); do
    [[ -x build-fuzz/fuzz/fuzz_$target ]] || continue
    fuzz/run.sh "$target" "${RANVIER_FUZZ_SECONDS:-30}"
    record $? "fuzz $target"
  done
fi

if [[ -x conformance/run.sh ]]; then
  step "conformance suite on SQLite"
  conformance/run.sh sqlite
  record $? "conformance (sqlite)"
  step "conformance suite on PostgreSQL"
  conformance/run.sh postgres
  record $? "conformance (postgres)"
fi

step "a real client: the matrix-js-sdk scenario on SQLite and PostgreSQL"
# matrix-js-sdk 37 needs Node.js 20, which machines of this kind carry; Debian 12's own Node.js
# is 18. Without a usable Node.js the step is reported as skipped (loudly), not as passed.
node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if ((node_major >= 20)); then
  conformance/clients/run.sh sqlite
  record $? "js-sdk (sqlite)"
  conformance/clients/run.sh postgres
  record $? "js-sdk (postgres)"
else
  echo "test-all: SKIPPED the matrix-js-sdk scenario: it needs Node.js 20 or newer (found: $(node --version 2>/dev/null || echo none))"
  skipped+=("js-sdk (Node.js 20 missing)")
fi

step "harness adapters (SyTest result comparison)"
$python conformance/sytest/test_compare.py
record $? "sytest compare tests"

step "spec coverage and conformance counts against conformance/baseline.txt"
coverage_line=$(build/server/app/ranvier coverage | tail -n 1)
echo "$coverage_line"
$python tools/check_baseline.py --coverage "$coverage_line" \
  --junit sqlite=conformance/results/sqlite.xml --junit postgres=conformance/results/postgres.xml
record $? "baseline"

echo
if ((${#failures[@]})); then
  echo "test-all: FAILED: ${failures[*]}"
  exit 1
fi
if ((${#skipped[@]})); then
  echo "test-all: everything that ran passed; SKIPPED: ${skipped[*]}"
  exit 0
fi
echo "test-all: everything passed"
