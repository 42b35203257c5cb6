#!/usr/bin/env bash
# Runs one fuzz target for a while with its committed seed corpus.
# Usage: fuzz/run.sh <target> <seconds> [extra libFuzzer flags]
# New inputs go to a scratch corpus (so the committed seeds stay small); crashes land in
# fuzz/repros/<target>/ where the replay test picks them up.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:?usage: fuzz/run.sh <target> <seconds>}
seconds=${2:?usage: fuzz/run.sh <target> <seconds>}
shift 2
build_dir=${RANVIER_FUZZ_BUILD_DIR:-build-fuzz}
binary=$build_dir/fuzz/fuzz_$target
if [[ ! -x $binary ]]; then
  echo "missing $binary; build it with: tools/build.sh --fuzz --target fuzz_$target" >&2
  exit 2
fi
scratch=$build_dir/fuzz/corpus-$target
mkdir -p "$scratch" "fuzz/repros/$target"
exec "$binary" -max_total_time="$seconds" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
  -artifact_prefix="fuzz/repros/$target/" "$@" "$scratch" "fuzz/corpus/$target"
