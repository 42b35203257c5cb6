#!/usr/bin/env bash
# Installs everything Ranvier needs to build, run and test, from Debian bookworm's packages.
# Idempotent; run as root. RANVIER_SKIP_APT=1 skips it (machines that already have them).
set -euo pipefail
[[ ${RANVIER_SKIP_APT:-0} == 1 ]] && exit 0

packages=(
  # build
  build-essential cmake ninja-build ccache mold pkg-config git python3 python3-yaml
  # libraries
  libboost1.81-dev libboost-url1.81-dev libssl-dev libsodium-dev libsqlite3-dev libpq-dev
  nlohmann-json3-dev libyaml-cpp-dev libstb-dev libpcre2-dev
  # tests and benchmarks
  libgtest-dev libgmock-dev libbenchmark-dev clang libclang-rt-14-dev python3-pytest python3-nacl python3-pil
  postgresql postgresql-client wrk nginx-light openssl curl
  # the federation mesh's network-namespace mode
  iproute2 iptables
  # the end-to-end encryption client test (conformance/clients/nio_e2ee.py)
  python3-matrix-nio python3-olm
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "ci/install-deps.sh: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The real-client test (conformance/clients) needs Node.js 20 and npm, which machines of this
# kind carry. Where there is no Node.js at all, Debian's is installed (version 18: the client
# test then stops with a message saying it needs 20).
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "ci/install-deps.sh: installing nodejs npm"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq --no-install-recommends nodejs npm
fi
