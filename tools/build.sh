#!/usr/bin/env bash
# Builds Ranvier in ./build (or $RANVIER_BUILD_DIR) with two jobs.
# Only one compile may run on this two-core machine at a time: the flock makes concurrent
# callers wait their turn instead of competing for the cores.
# Usage: tools/build.sh [--fuzz] [cmake --build args, e.g. --target ranvier_core_test]
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${RANVIER_BUILD_DIR:-build}
configure=(-G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo)
if [[ ${1:-} == --fuzz ]]; then
  shift
  build_dir=${RANVIER_FUZZ_BUILD_DIR:-build-fuzz}
  configure=(-G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRANVIER_FUZZ=ON
             -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++)
fi
exec 9>/tmp/ranvier-build.lock
flock 9
if [[ ! -f $build_dir/build.ninja ]]; then
  cmake -S . -B "$build_dir" "${configure[@]}"
fi
cmake --build "$build_dir" -j2 "$@"
